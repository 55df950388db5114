"""`complaintctl erase`: a complainant's erasure request (R-RT-5, PIPL art. 47), by hq."""

from __future__ import annotations

import click

from complaintctl.commands.common import actor, now, pass_ws
from complaintctl.handling import erasure
from complaintctl.i18n import _
from complaintctl.repo.workspace import Workspace


@click.command("erase")
@click.argument("case_id")
@click.option("--reason", required=True, help="The request honoured (who asked, when, how it was verified).")
@pass_ws
def erase_cmd(ws: Workspace, case_id: str, reason: str) -> None:
    """Erase a complainant's data on their request (PIPL art. 47); hq only."""
    result = erasure.erase(ws, case_id, reason, now(ws), actor(ws))
    click.echo(_("{case}: complainant data erased, commit {commit}; `complaintctl sync` makes the server "
                 "retire its case key").format(case=result.case_id, commit=result.commit[:10]))
