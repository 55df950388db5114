"""Time limits: extend, escalate, sweep, due."""

from __future__ import annotations

from datetime import datetime, timedelta

import click

from complaintctl import labels
from complaintctl.commands.common import (
    actor,
    json_option,
    now,
    pass_ws,
    read_index,
    report,
    screen_width,
    step_json,
    wide_option,
)
from complaintctl.errors import BadValue, InvalidInput
from complaintctl.handling import deadlines, lifecycle, sweep
from complaintctl.i18n import _, span
from complaintctl.model.timeparse import parse_day_or_when, parse_when
from complaintctl.output import FIXED, Col, table
from complaintctl.output import as_json as json_text
from complaintctl.policy import durations
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.sla import CLOCKS, WRITTEN
from complaintctl.repo import messages
from complaintctl.repo.workspace import Workspace

case_arg = click.argument("case_id", metavar="ID")


def as_of_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--as-of", "as_of", help="Judge the clocks as of this time (default: now).")(f)


def as_of_time(ws: Workspace, as_of: str | None) -> datetime:
    return parse_when(as_of, ws.policy.tz, "--as-of") if as_of else now(ws)


@click.command("extend")
@case_arg
@click.option("--clock", default="resolution", show_default=True, type=click.Choice(CLOCKS),
              help="Which clock the extension moves (R-DL-2).")
@click.option("--until", required=True, help="The new due time (a date means its close of business).")
@click.option("--reason", required=True, help="Why the deadline moves (recorded, R-DL-2).")
@step_json
@pass_ws
def extend_cmd(ws: Workspace, case_id: str, clock: str, until: str, reason: str) -> None:
    """Extend a deadline; only approvers in the policy may (R-DL-2)."""
    when = parse_day_or_when(until, ws.policy.tz, "--until")
    moment = now(ws)
    report(lifecycle.change(ws, case_id, moment, actor(ws),
                            deadlines.extend(ws.policy, actor(ws), clock, when, reason, moment)))


@click.command("escalate")
@case_arg
@click.option("--reason", required=True, help="Why (e.g. the customer stays dissatisfied, R-ES-1).")
@click.option("--level", help="The next level up, named to confirm it (R-ES-1: one level at a time, never a "
                              "jump; default: the next one).")
@step_json
@pass_ws
def escalate_cmd(ws: Workspace, case_id: str, reason: str, level: str | None) -> None:
    """Move the case one level up the escalation chain (R-ES-1)."""
    report(lifecycle.change(ws, case_id, now(ws), actor(ws), deadlines.escalate(ws.policy, reason, level)))


@click.command("report-filed")
@case_arg
@click.argument("text")
@click.option("--clock", default="report", show_default=True, type=click.Choice(WRITTEN),
              help="Which written report: incident report, board-report (48 h), notice (cannot meet the "
                   "limit), completion, verification (R-DL-5), opinion (R-DL-4).")
@step_json
@pass_ws
def report_filed_cmd(ws: Workspace, case_id: str, text: str, clock: str) -> None:
    """Record that a written report was submitted (stops its clock, R-DL-4/R-DL-5)."""
    report(lifecycle.change(ws, case_id, now(ws), actor(ws), deadlines.report_filed(text, clock)))


def _sweep_line(ws: Workspace, action: str) -> str:
    """One step of sweep in the office's language: `upgrade general → major` is 升级为重大 一般 → 重大,
    `remind resolution overdue` 催办 处理完成已超时 (`--json` keeps the keys)."""
    return messages.sweep_action(messages.Words(ws.policy), action)


@click.command("sweep")
@as_of_option
@click.option("--dry-run", is_flag=True, help="Show what would change; commit nothing.")
@json_option
@pass_ws
def sweep_cmd(ws: Workspace, as_of: str | None, dry_run: bool, as_json: bool) -> None:
    """Upgrade late cases (R-DL-6), remind overdue ones (R-DL-7), escalate (R-ES-1): one commit."""
    moment = as_of_time(ws, as_of)
    result = sweep.run(ws, moment, actor(ws), dry_run)
    if as_json:
        click.echo(json_text({
            "as_of": moment.isoformat(), "dry_run": dry_run, "commit": result.commit,
            "changes": [{"id": c.case_id, "path": c.relpath, "actions": list(c.actions)} for c in result.changes],
            "skipped": [{"path": f.path, "field": f.field, "rule": f.rule, "message": f.message}
                        for f in result.skipped]}))
        return
    for c in result.changes:
        click.echo(f"{c.case_id}: {'; '.join(_sweep_line(ws, a) for a in c.actions)}")
    for f in result.skipped:
        click.echo(_("skipped (fix it first): {finding}").format(finding=f), err=True)
    if result.commit:
        click.echo(_("{n} case(s) changed, commit {commit}").format(n=len(result.changes), commit=result.commit[:10]))
    elif dry_run:
        click.echo(_("{n} case(s) would change (dry run)").format(n=len(result.changes)))
    else:
        click.echo(_("nothing to do"))


def parse_within(text: str) -> timedelta:
    limit = durations.parse_duration(text, "--within")
    if limit.in_working_time or limit.unit == durations.MONTHS:
        raise InvalidInput("--within: give clock time or days (e.g. 4h, 2d)")
    seconds = {durations.MINUTES: 60, durations.HOURS: 3600, durations.DAYS: 86400}[limit.unit]
    if limit.amount * seconds > MAX_WITHIN.total_seconds():
        raise BadValue(f"--within: {text!r} is more than {MAX_WITHIN.days} days")
    return timedelta(seconds=limit.amount * seconds)


MAX_WITHIN = timedelta(days=3660)
DUE_COLS = (FIXED, FIXED, FIXED, Col(drop=1), Col(shrink=16, main=True))  # the time left says the state too


@click.command("due")
@click.option("--within", default="2d", show_default=True, help="How far ahead (e.g. 4h, 2d).")
@as_of_option
@json_option
@wide_option
@pass_ws
def due_cmd(ws: Workspace, within: str, as_of: str | None, as_json: bool, wide: bool) -> None:
    """Clocks due soon and overdue, with the time left (in working time where the clock is)."""
    moment, window = as_of_time(ws, as_of), parse_within(within)
    views = deadlines.due_within(read_index(ws), ws.policy, moment, window)
    if as_json:
        click.echo(json_text([{"id": v.case_id, "clock": v.clock, "due": v.due.isoformat(), "state": v.state,
                             "left": v.left, "how": list(v.how)} for v in views]))
        return
    lang, tz = ws.policy.language, WorkCalendar.from_policy(ws.policy).tz  # the clocks' own time zone
    states, clock_names = labels.words(lang, labels.CLOCK_STATES), labels.labels(lang)
    rows = [[v.case_id, clock_names.get(v.clock, v.clock), v.due.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
             deadlines.state_words(v, states), v.left] for v in views]
    click.echo(table(rows, [_("ID"), _("clock"), _("due"), _("state"), _("time")], screen_width(wide), DUE_COLS))
    click.echo(_("{n} clock(s) due within {within} or overdue").format(n=len(views),
                                                                      within=span(window.total_seconds())))
