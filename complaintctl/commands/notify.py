"""`complaintctl notify`: tell people what is due — by e-mail or a WeCom/DingTalk group robot —
from cron as the system account."""

from __future__ import annotations

import os
from typing import Any

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws
from complaintctl.errors import ComplaintError
from complaintctl.i18n import N_, _
from complaintctl.output import as_json as json_text
from complaintctl.output import table
from complaintctl.repo.workspace import Workspace

# rules.notices.KINDS in the office's words
NOTICES = {"incident": N_("incident report"), "dispatch": N_("dispatch"), "completion": N_("completion"),
           "reminder": N_("reminder"), "escalation": N_("escalation"), "revisit": N_("revisit due")}


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option("--remote", default="origin", show_default=True, help="The shared repository's remote name.")
@click.option("--branch", default="main", show_default=True, help="The shared branch.")
@json_option
@pass_ws
def notify_cmd(ws: Workspace, dry_run: bool, remote: str, branch: str, as_json: bool) -> None:
    """Send the notices due (dispatch, completion, reminders, escalation, revisit) and record them.

    Each goes by e-mail or to the WeCom/DingTalk group robot the policy names for the person or unit."""
    from complaintctl.handling import notify as notifying  # smtplib, ssl and email load only here

    who = actor(ws)
    send = None if dry_run else notifying.sender_for(ws, os.environ)
    result = notifying.run(ws, now(ws), who, send, dry_run, remote, branch)
    failed = {id(o): why for o, why in result.failed}
    sent = {id(o) for o in result.sent}

    def state(o: Any) -> str:
        if not o.reachable:
            return _("no address (people[].email)")
        if dry_run:
            return _("would send")
        return _("sent") if id(o) in sent else _("NOT SENT: {why}").format(why=failed.get(id(o), ""))

    robots = ws.policy.notifications.robots

    def channel(o: Any) -> str:  # `email`, or the robot's kind and name: `wecom:front-desk`
        return f"{robots[o.channel].kind}:{o.channel}" if o.channel in robots else o.channel

    def to(o: Any) -> str:
        if o.channel in robots:
            return f"{o.recipient} @{o.mobile}" if o.mobile else o.recipient
        return f"{o.recipient} <{o.address}>" if o.address else o.recipient

    keys = ("id", "notice", "rule", "to", "channel", "state")
    if as_json:  # keys and English words: for scripts
        rows = [[o.notice.case_id, o.notice.kind, o.notice.rule, to(o), channel(o), state(o)] for o in result.due]
        click.echo(json_text([dict(zip(keys, r, strict=True)) for r in rows]))
    else:
        rows = [[o.notice.case_id, _(NOTICES.get(o.notice.kind, o.notice.kind)), o.notice.rule, to(o), channel(o),
                 state(o)] for o in result.due]
        click.echo(table(rows, [_("ID"), _("notice"), _("rule"), _("to"), _("channel"), _("state")]) if rows
                   else _("nothing is due"))
    for w in result.warnings:
        click.echo(_("warning: {problem}").format(problem=w), err=True)
    if result.commit:
        click.echo(_("{n} message(s) sent and recorded, commit {commit}").format(n=len(result.sent),
                                                                               commit=result.commit[:10])
                   + (f"; sync: {result.synced}" if result.synced else ""), err=as_json)  # stdout: JSON only
    pending = len(result.failed) + len(result.unaddressed)
    if not dry_run and pending:
        raise ComplaintError(f"{pending} notice(s) not sent — they stay pending and go at the next run "
                             f"({len(result.failed)} refused or held back, "
                             f"{len(result.unaddressed)} without an address)")
