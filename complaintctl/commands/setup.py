"""`complaintctl init` and `clone`: an office's case repository, new or from a shared remote."""

from __future__ import annotations

from pathlib import Path

import click

from complaintctl.commands.common import base_dir
from complaintctl.commands.params import check_values
from complaintctl.repo import office


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--preset", required=True, help="realestate, property, hotel, lawfirm or factory.")
@click.option("--office", "code", required=True, help="Office code used in case IDs, e.g. SZ.")
@click.option("--name", help="The office's name.")
@click.option("--language", type=click.Choice(["zh", "en"]), help="Labels in reports.")
def init_cmd(path: Path, preset: str, code: str, name: str | None, language: str | None) -> None:
    """Create (or adopt) a case repository for an office."""
    check_values({"preset": preset, "code": code, "name": name})
    target = path if path.is_absolute() else base_dir() / path
    root = office.init_office(target, preset, code, name, language)
    click.echo(f"office {code} ready in {root} (preset {preset}); hooks installed (core.hooksPath=hooks)")


@click.command("clone")
@click.argument("url")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--office", "code", help="This clone's office code, if not the policy's own (listed under offices:).")
def clone_cmd(url: str, path: Path | None, code: str | None) -> None:
    """Clone a shared case repository with its hooks live (core.hooksPath=hooks)."""
    check_values({"url": url, "code": code})
    name = path or Path(url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "cases")
    target = name if name.is_absolute() else base_dir() / name
    root = office.clone_office(url, target, code)
    click.echo(f"cloned {url} into {root}; hooks installed (core.hooksPath=hooks)"
               + (f"; new cases numbered for office {code}" if code else ""))
