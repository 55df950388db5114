"""Looking at cases: show, list, history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from complaintctl import labels
from complaintctl.commands.common import json_option, now, pass_ws, say_skipped, screen_width, wide_option
from complaintctl.commands.params import VocabularyOption
from complaintctl.i18n import _
from complaintctl.model.timeparse import parse_when
from complaintctl.output import FIXED, Col, fits, table
from complaintctl.output import as_json as json_text
from complaintctl.repo.workspace import Workspace

if TYPE_CHECKING:
    from complaintctl.repo.index import Skipped
    from complaintctl.reporting import queries

# `show` is a one-case command (≤ 150 ms): the read index, the reports and the
# deadline module load only in the commands that use them.

# How each table gives way in a narrow terminal (output.Col): the subject is what a
# list is read for; severity, then unit, then category go first.
LIST_COLS = (FIXED, FIXED, FIXED, Col(shrink=10, drop=1), Col(drop=3), Col(shrink=10, drop=2), Col(shrink=8),
             Col(shrink=20, main=True))
OVERDUE_COLS = (FIXED, FIXED, Col(drop=1), Col(shrink=8), FIXED, FIXED, Col(shrink=16, main=True))
HISTORY_COLS = (FIXED, Col(shrink=14), Col(shrink=24, main=True), FIXED)


@click.command("show")
@click.argument("case_id", metavar="ID")
@click.option("--as-of", "as_of", help="Judge the clocks as of this time (default: now).")
@json_option
@wide_option
@pass_ws
def show_cmd(ws: Workspace, case_id: str, as_of: str | None, as_json: bool, wide: bool) -> None:
    """Show one case, with its clocks and the time left on each."""
    from complaintctl.handling.deadlines import render_clocks
    from complaintctl.reporting.queries import case_data, recorded_times, render_case

    data = case_data(ws, case_id)
    if as_json:
        click.echo(json_text(data))
        return
    click.echo(render_case(data, ws.policy, screen_width(wide)))
    moment = parse_when(as_of, ws.policy.tz, "--as-of") if as_of else now(ws)
    click.echo("\n" + render_clocks(data, ws.policy, moment, recorded_times(ws, str(data.get("id")))))


@click.command("list")
@click.option("--status", "statuses", multiple=True, cls=VocabularyOption, vocabulary="statuses",
              help="Only this status (repeatable); open: every status before resolved.")
@click.option("--category", cls=VocabularyOption, vocabulary="categories", help="Only this category.")
@click.option("--unit", cls=VocabularyOption, vocabulary="units", help="Only this responsible unit.")
@click.option("--handler", help="Only cases this person handles.")
@click.option("--severity", cls=VocabularyOption, vocabulary="severities", help="Only this severity.")
@click.option("--since", help="Received on or after this date.")
@click.option("--until", help="Received before the end of this date.")
@click.option("--overdue", is_flag=True, help="Only cases with a clock past its due time.")
@click.option("--as-of", "as_of", help="With --overdue: judge the clocks as of this time.")
@json_option
@wide_option
@pass_ws
def list_cmd(ws: Workspace, statuses: tuple[str, ...], category: str | None, unit: str | None,
             handler: str | None, severity: str | None, since: str | None, until: str | None,
             overdue: bool, as_of: str | None, as_json: bool, wide: bool) -> None:
    """List cases, filtered."""
    from complaintctl.handling.deadlines import overdue_cases
    from complaintctl.reporting import queries

    tz, lang = ws.policy.tz, ws.policy.language
    flt = queries.Filter(
        statuses=frozenset(statuses), category=category, unit=unit, handler=handler,
        severity=severity,
        since=parse_when(since, tz, "--since") if since else None,
        until=parse_when(until, tz, "--until") if until else None,
    )
    skipped: list[Skipped] = []
    if not overdue:  # the cases stream by: a list of 100,000 keeps rows, not records
        found = queries.find_iter(ws, flt, tz, skipped)
        if handler and ws.policy.person(handler) is None:  # a former colleague's cases still list
            found = iter(_known_handler(ws, handler, list(found)))
        say_skipped(skipped)
        if as_json:
            click.echo(json_text([queries.summary(r) for r in found]))
            return
        # every vocabulary translated once per command, then a dict lookup per row
        states, cats = labels.words(lang, labels.STATUSES), ws.policy.labels("categories")
        sevs, units = ws.policy.labels("severities"), ws.policy.labels("units")
        short = queries.minutes_on(tz)
        rows = [[r.id, states.get(r.status, r.status), short(r.received_at),
                 cats.get(r.category, r.category), sevs.get(r.severity, r.severity),
                 units.get(r.unit, r.unit) if r.unit else "", r.handler, r.subject] for r in found]
        click.echo(table(rows, [_("ID"), _("status"), _("received"), _("category"), _("severity"), _("unit"),
                                _("handler"), _("subject")], screen_width(wide), LIST_COLS))
        click.echo(_("{n} case(s)").format(n=len(rows)))
        return
    # R-DL-7: what is late, and by how much
    moment = parse_when(as_of, tz, "--as-of") if as_of else now(ws)
    late = overdue_cases(ws, flt, moment, skipped)
    if handler and not late and ws.policy.person(handler) is None:
        _known_handler(ws, handler, queries.find(ws, flt, tz))
    say_skipped(skipped)
    if as_json:  # each case's overdue clocks, and how each stands against the record
        from complaintctl.reporting import queries

        click.echo(json_text([{**queries.summary(r), "overdue": [
            {"clock": v.clock, "due": v.due.isoformat(), "left": v.left, "how": list(v.how)} for v in clocks]}
            for r, clocks in late]))
        return
    states, sevs = labels.words(lang, labels.STATUSES), ws.policy.labels("severities")
    against = labels.words(lang, labels.CLOCK_STATES)  # how a clock stands against the record
    rows = [[r.id, states.get(r.status, r.status), sevs.get(r.severity, r.severity), r.handler,
             labels.label(lang, v.clock), v.due.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
             f"{v.left} ({'; '.join(against.get(h, h) for h in v.how)})" if v.how else v.left]
            for r, clocks in late for v in clocks]
    click.echo(table(rows, [_("ID"), _("status"), _("severity"), _("handler"), _("clock"), _("due"), _("time")],
                     screen_width(wide), OVERDUE_COLS))
    click.echo(_("{n} overdue case(s)").format(n=len(late)))


def _known_handler(ws: Workspace, handler: str, found: list[Any]) -> list[Any]:
    """`--handler` names someone no case knows and the policy does not list: a usage error
    naming them (exit 2), never an empty list that reads as "nothing to do"."""
    if not found:
        from complaintctl.policy import staff

        staff.listed(ws.policy, handler, "--handler")
    return found


def as_json_text(records: list[queries.CaseRecord]) -> str:
    from complaintctl.reporting import queries

    return json_text([queries.summary(r) for r in records])


@click.command("history")
@click.argument("case_id", metavar="ID")
@json_option
@wide_option
@pass_ws
def history_cmd(ws: Workspace, case_id: str, as_json: bool, wide: bool) -> None:
    """Who did what and when, from git."""
    from complaintctl.reporting import queries

    known = queries.renumberings(ws)  # one pass over the history for both
    entries = queries.history(ws, case_id, known)
    for r, now_named in queries.other_holders(ws, case_id, known):  # never silently: old trailers name two
        click.echo(_("note: before commit {sha} the number {old} also named the complaint that is now {new} "
                     "(renumbered by sync); its commits are in `complaintctl history {new}`").format(
                         sha=r.sha[:10], old=r.old, new=now_named), err=True)
    if as_json:
        click.echo(as_json_text_history(entries))
        return
    headers, width = [_("when"), _("who"), _("what"), _("commit")], screen_width(wide)
    rows = [[e.when[:19].replace("T", " "), f"{e.author} <{e.email}>", e.subject, e.sha[:10]] for e in entries]
    if width is not None and not fits(table(rows, headers), width):  # a name says more than half an address
        rows = [[e.when[:19].replace("T", " "), e.author, e.subject, e.sha[:10]] for e in entries]
    click.echo(table(rows, headers, width, HISTORY_COLS))


def as_json_text_history(entries: list[queries.LogEntry]) -> str:
    return json_text([e.__dict__ for e in entries])
