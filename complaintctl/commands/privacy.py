"""`complaintctl erase` (a complainant's erasure request, PIPL art. 47) and `complaintctl migrate`
(an existing repository's state, encrypted into a new one): hq's privacy commands (R-RT-5)."""

from __future__ import annotations

from pathlib import Path

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws
from complaintctl.handling import erasure
from complaintctl.i18n import _
from complaintctl.output import as_json as json_text
from complaintctl.repo.workspace import Workspace


@click.command("erase")
@click.argument("case_id")
@click.option("--reason", required=True, help="The request honoured (who asked, when, how it was verified).")
@json_option
@pass_ws
def erase_cmd(ws: Workspace, case_id: str, reason: str, as_json: bool) -> None:
    """Erase a complainant's data on their request (PIPL art. 47); hq only."""
    result = erasure.erase(ws, case_id, reason, now(ws), actor(ws))
    if as_json:
        click.echo(json_text({"case": result.case_id, "commit": result.commit}))
        return
    click.echo(_("{case}: complainant data erased, commit {commit}; `complaintctl sync` makes the server "
                 "retire its case key").format(case=result.case_id, commit=result.commit[:10]))


@click.command("migrate")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@json_option
@pass_ws
def migrate_cmd(ws: Workspace, dest: Path, as_json: bool) -> None:
    """Encrypt this repository's current state into a NEW repository (hq, privacy on)."""
    from complaintctl.handling import migration

    done = migration.migrate(ws, dest, actor(ws))
    if as_json:
        click.echo(json_text({"path": str(done.path), "cases": done.cases, "commit": done.commit,
                              "skipped": [str(p) for p in done.skipped]}))
        return
    click.echo(_("{dest}: {n} case(s) encrypted, commit {commit}; push it to a new server repository "
                 "(`complaintctl server init`) — the old history stays with hq").format(
                     dest=done.path, n=done.cases, commit=done.commit[:10]))
    for path in done.skipped:
        click.echo(_("not copied (kept originals are not encrypted yet): {path}").format(path=path), err=True)
