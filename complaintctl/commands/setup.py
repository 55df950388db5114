"""`complaintctl init`: a new office's case repository."""

from __future__ import annotations

from pathlib import Path

import click

from complaintctl import office
from complaintctl.commands.common import base_dir


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--preset", required=True, help="realestate, property, hotel, lawfirm or factory.")
@click.option("--office", "code", required=True, help="Office code used in case IDs, e.g. SZ.")
@click.option("--name", help="The office's name.")
@click.option("--language", type=click.Choice(["zh", "en"]), help="Labels in reports.")
def init_cmd(path: Path, preset: str, code: str, name: str | None, language: str | None) -> None:
    """Create (or adopt) a case repository for an office."""
    target = path if path.is_absolute() else base_dir() / path
    root = office.init_office(target, preset, code, name, language)
    click.echo(f"office {code} ready in {root} (preset {preset}); hooks installed (core.hooksPath=hooks)")
