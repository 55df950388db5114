"""`complaintctl notify`: e-mail what is due (issue 14), from cron as the system account."""

from __future__ import annotations

import os
from typing import Any

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws
from complaintctl.errors import ComplaintError
from complaintctl.i18n import _
from complaintctl.output import as_json as json_text
from complaintctl.output import table
from complaintctl.repo.workspace import Workspace


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option("--remote", default="origin", show_default=True, help="The shared repository's remote name.")
@click.option("--branch", default="main", show_default=True, help="The shared branch.")
@json_option
@pass_ws
def notify_cmd(ws: Workspace, dry_run: bool, remote: str, branch: str, as_json: bool) -> None:
    """E-mail the notices due (dispatch, completion, reminders, escalation, revisit) and record them."""
    from complaintctl.handling import notify as notifying  # smtplib, ssl and email load only here

    who = actor(ws)
    send = None if dry_run else notifying.smtp_sender(ws.policy, os.environ)
    result = notifying.run(ws, now(ws), who, send, dry_run, remote, branch)
    failed = {id(o): why for o, why in result.failed}
    sent = {id(o) for o in result.sent}

    def state(o: Any) -> str:
        if not o.address:
            return "no address (people[].email)"
        if dry_run:
            return "would send"
        return "sent" if id(o) in sent else f"NOT SENT: {failed.get(id(o), '')}"

    rows = [[o.notice.case_id, o.notice.kind, o.notice.rule, f"{o.recipient} <{o.address}>" if o.address
             else o.recipient, state(o)] for o in result.due]
    if as_json:
        click.echo(json_text([dict(zip(("id", "notice", "rule", "to", "state"), r, strict=True)) for r in rows]))
    else:
        click.echo(table(rows, ["ID", "notice", "rule", "to", "state"]) if rows else "nothing is due")
    for w in result.warnings:
        click.echo(_("warning: {problem}").format(problem=w), err=True)
    if result.commit:
        click.echo(_("{n} message(s) sent and recorded, commit {commit}").format(n=len(result.sent),
                                                                               commit=result.commit[:10])
                   + (f"; sync: {result.synced}" if result.synced else ""), err=as_json)  # stdout: JSON only
    pending = len(result.failed) + len(result.unaddressed)
    if not dry_run and pending:
        raise ComplaintError(f"{pending} notice(s) not sent — they stay pending and go at the next run "
                             f"({len(result.failed)} refused by SMTP, {len(result.unaddressed)} without an address)")
