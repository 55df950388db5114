"""SLA clocks as the policy computes them (R-DL-1…5), extensions only by approvers (R-DL-2),
late closings explained (R-DL-7), escalation levels on the chain (R-ES-1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get, is_blank
from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import approvers
from complaintctl.policy.sla import CLOCKS
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding


def may_extend(ctx: CheckContext, name: str) -> bool:
    """R-DL-2: the person's roles in the policy include one that approves extensions."""
    return ctx.policy.authority.allows(ctx.policy.roles_of(name), "extend")


def _show(value: Any) -> str:
    return "none" if value is None else value.isoformat(sep=" ")


def check(ctx: CheckContext) -> Iterator[Finding]:
    cal = WorkCalendar.from_policy(ctx.policy)
    yield from _new_entries(ctx, cal)
    expected = clocks.expected(Case.from_data(ctx.data, cal.tz), ctx.policy, cal)
    section = ctx.data.get("clocks")
    stored: Mapping[str, Any] = section if isinstance(section, Mapping) else {}
    if section is not None and not isinstance(section, Mapping):
        yield ctx.finding("clocks", "R-DL-2", _("must be a mapping of clocks (computed by complaintctl)"))
    for name in sorted(set(stored) - set(expected), key=str):
        yield ctx.finding(f"clocks.{name}", "R-DL-2", _("the policy gives this case no such clock ({clocks})")
                          .format(clocks=", ".join(expected) or _("none")))
    for name, want in expected.items():
        have = stored.get(name)
        if not isinstance(have, Mapping):
            yield ctx.finding(f"clocks.{name}", "R-DL-2",
                              _("missing: due {due} by the policy").format(due=_show(want.due)))
            continue
        due = as_datetime(have.get("due"), cal.tz)
        if due != want.due:
            yield ctx.finding(f"clocks.{name}.due", "R-DL-2",
                              _("{due} does not match the policy ({expected}); only an approved extension moves a "
                                "deadline (complaintctl extend)").format(due=_show(due), expected=_show(want.due)))
        done = as_datetime(have.get("done"), cal.tz)
        if done != want.done:
            yield ctx.finding(f"clocks.{name}.done", "R-DL-2",
                              _("{done} does not match the case's timeline ({expected})")
                              .format(done=_show(done), expected=_show(want.done)))
    yield from _late_closing(ctx, expected)


def _new_entries(ctx: CheckContext, cal: WorkCalendar) -> Iterator[Finding]:
    timeline = ctx.data.get("timeline")
    entries = timeline if isinstance(timeline, list) else []
    old = ctx.previous.get("timeline") if ctx.previous else None
    start = len(old) if isinstance(old, list) else 0
    for i, entry in enumerate(entries[start:], start):
        if not isinstance(entry, Mapping):
            continue
        where = f"timeline[{i}]"
        action = entry.get("action")
        if action == "extend":
            by = str(entry.get("by") or "")
            if not may_extend(ctx, by):
                yield ctx.finding(f"{where}.by", "R-DL-2",
                                  _("{person} may not extend a deadline: that needs a person with role {roles} in the "
                                    "policy").format(person=by or _("nobody"),
                                                     roles=_(" or ").join(approvers(ctx.policy))))
            if entry.get("clock") not in CLOCKS:
                yield ctx.finding(f"{where}.clock", "R-DL-2", _("{clock!r} is not a clock ({clocks})")
                                  .format(clock=entry.get("clock"), clocks=", ".join(CLOCKS)))
            until, at = as_datetime(entry.get("until"), cal.tz), as_datetime(entry.get("at"), cal.tz)
            if until is None:
                yield ctx.finding(f"{where}.until", "R-DL-2", _("the new due time is required"))
            elif at is not None and until <= at:
                yield ctx.finding(f"{where}.until", "R-DL-2", _("an extension must end after it is granted"))
            if is_blank(entry.get("note")):
                yield ctx.finding(f"{where}.note", "R-DL-2", _("the reason for the extension is required"))
        elif action == "escalate" and entry.get("level") not in ctx.policy.escalation_chain:
            yield ctx.finding(f"{where}.level", "R-ES-1", _("{level!r} is not on the escalation chain ({chain})")
                              .format(level=entry.get("level"), chain=", ".join(ctx.policy.escalation_chain)))


def missed_resolution(expected: Mapping[str, clocks.Clock], closing: datetime | None) -> datetime | None:
    """R-DL-7: the resolution deadline a case missed — judged by when it was resolved (else when
    it closed), not the day of closing, which waits on the revisit and has its own clock (001-4
    §14) — or None. A case closed late records why (洽办单)."""
    clock = expected.get("resolution")
    if clock is None:
        return None
    finished = clock.done or closing
    return clock.due if finished is not None and finished > clock.due else None


def _late_closing(ctx: CheckContext, expected: Mapping[str, clocks.Clock]) -> Iterator[Finding]:
    if ctx.data.get("status") != "closed":
        return
    due = missed_resolution(expected, as_datetime(get(ctx.data, F.CLOSING_AT), ctx.policy.tz))
    if due is not None and is_blank(get(ctx.data, F.CLOSING_LATE_REASON)):
        yield ctx.finding(F.CLOSING_LATE_REASON, "R-DL-7",
                          _("resolved after the resolution deadline ({due}): say why it was late (--late-reason)")
                          .format(due=_show(due)))
