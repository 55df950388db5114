"""`complaintctl init` and `clone`: an office's case repository, new or from a shared remote."""

from __future__ import annotations

from pathlib import Path

import click

from complaintctl.commands.common import base_dir, json_option
from complaintctl.commands.params import check_values
from complaintctl.i18n import _
from complaintctl.repo import office
from complaintctl.repo.git import Git
from complaintctl.repo.precommit import speak_office_language


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--preset", required=True, help="realestate, property, hotel, lawfirm or factory.")
@click.option("--office", "code", help="Office code used in case IDs, e.g. SZ (default: the preset's own).")
@click.option("--name", help="The office's name.")
@click.option("--language", type=click.Choice(["zh", "en"]), help="Labels in reports.")
@json_option
def init_cmd(path: Path, preset: str, code: str | None, name: str | None, language: str | None,
             as_json: bool) -> None:
    """Create (or adopt) a case repository for an office."""
    check_values({"preset": preset, "code": code, "name": name})
    target = path if path.is_absolute() else base_dir() / path
    code = code or office.preset_office(preset)
    root, notes = office.init_office(target, preset, code, name, language)
    if as_json:
        from complaintctl.output import as_json as json_text

        click.echo(json_text({"office": code, "preset": preset, "root": str(root), "notes": list(notes)}))
        return
    speak_office_language(Git.open(root))  # the new office's policy says its language
    for note in notes:
        click.echo(f"hooks: {note}")  # the note is English (repo/hooks.py)
    click.echo(_("office {code} ready in {root} (preset {preset}); hooks installed in .git/hooks")
               .format(code=code, root=root, preset=preset))


@click.command("clone")
@click.argument("url")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--office", "code", help="This clone's office code, if not the policy's own (listed under offices:).")
@click.option("--signing-key", type=click.Path(dir_okay=False, path_type=Path),
              help="The ssh public key to sign commits with (default, when the policy requires signing: "
                   "~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub).")
@json_option
def clone_cmd(url: str, path: Path | None, code: str | None, signing_key: Path | None, as_json: bool) -> None:
    """Clone a shared case repository with its hooks live (installed in .git/hooks)."""
    check_values({"url": url, "code": code})
    name = path or Path(url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "cases")
    target = name if name.is_absolute() else base_dir() / name
    root, notes = office.clone_office(url, target, code, signing_key)
    if as_json:
        from complaintctl.output import as_json as json_text

        click.echo(json_text({"url": url, "root": str(root), "office": code, "notes": list(notes)}))
        return
    speak_office_language(Git.open(root))  # the cloned office's policy says its language
    for note in notes:
        click.echo(f"signing: {note}")  # the note is English (repo/office.py)
    click.echo(_("cloned {url} into {root}; hooks installed in .git/hooks").format(url=url, root=root)
               + (_("; new cases numbered for office {code}").format(code=code) if code else ""))
