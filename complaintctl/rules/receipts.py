"""The receipt time the clocks run from, and the month a case's ID is fixed by (R-IN-1, R-IN-5).

A receipt is corrected only by `correct --field intake.received_at` (rules.ledger_actions), and
each correction keeps the value it replaced (`old`). So the receipt *first recorded* is the
`old` of the case's first such correction, or the receipt itself when it was never corrected:
the case file alone says it, which is what lets `validate` judge a committed file on its own.

- R-IN-5: the ID's month (OFFICE-YYMM-…) is the month of the first recorded receipt in the
  policy's time zone; a correction across a month boundary keeps the ID; a renumbering
  (rules.renumber) keeps office, year and month.
- A correction is possible only before any due it moves has passed at the correction's `now`
  (the validator's: pre-receive's clock on the server, pre-commit's locally) — `moved_dues`
  names the ones that had. So a passed due never moves, later or earlier.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.model.ids import CASE_ID_RE
from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks, durations
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

CORRECT, RENUMBER = "correct", "renumber"
PLAN_LIMIT = "plan limit"  # R-DL-1: the latest due a plan may set without an extension
OPEN_LIMIT = "open limit"  # R-DL-6: a valid complaint open this long becomes major


def _entries(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    t = data.get(F.TIMELINE)
    return [e for e in t if isinstance(e, Mapping)] if isinstance(t, list) else []


def first_receipt(data: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    """The receipt as first recorded: the value the first receipt correction replaced, else the
    receipt as it stands."""
    for e in _entries(data):
        if e.get("action") == CORRECT and e.get("field") == F.INTAKE_RECEIVED_AT:
            return as_datetime(e.get("old"), tz)
    return as_datetime(get(data, F.INTAKE_RECEIVED_AT), tz)


def id_month(case_id: str) -> tuple[str, str] | None:
    """(office, YYMM) of a well-formed case ID."""
    m = CASE_ID_RE.match(case_id)
    return (m["office"], m["yy"] + m["mm"]) if m else None


def check(ctx: CheckContext) -> Iterator[Finding]:
    """R-IN-5 on the case file alone: its ID's month is its first recorded receipt's, and every
    renumbering it went through kept office, year and month."""
    case_id = str(ctx.data.get(F.ID) or "")
    own = id_month(case_id)
    received = first_receipt(ctx.data, ctx.policy.tz)
    if own is not None and received is not None:
        month = received.astimezone(ctx.policy.tz).strftime("%y%m")
        if own[1] != month:
            yield ctx.finding(F.ID, "R-IN-5",
                              _("{case_id} is numbered for 20{yymm} but the complaint was first recorded as received "
                                "{received}: an ID's month is its receipt's ({month}), fixed for life").format(
                                  case_id=case_id, yymm=own[1], month=received.strftime("%Y-%m"),
                                  received=received.isoformat(sep=" ", timespec="minutes")))
    for i, e in enumerate(_entries(ctx.data)):
        if e.get("action") != RENUMBER:
            continue
        old, new = id_month(str(e.get("old_id") or "")), id_month(str(e.get("new_id") or ""))
        if old is None or new is None or old != new:
            yield ctx.finding(f"timeline[{i}].new_id", "R-IN-5",
                              _("a renumbering keeps office, year and month ({old} → {new}): it only resolves two "
                                "clones' numbering clash").format(old=e.get("old_id"), new=e.get("new_id")))


@dataclass(frozen=True)
class Moved:
    """A due computed from the receipt that the correction would move, and had passed at `now`."""

    name: str
    was: datetime
    would_be: datetime | None


def receipt_dues(case: Case, policy: Policy, cal: WorkCalendar) -> dict[str, datetime]:
    """Every due the case has as it stands, by name: its clocks (clocks.expected), the limit a
    plan may set (clocks.plan_limit) and R-DL-6's open limit."""
    out = {name: c.due for name, c in clocks.expected(case, policy, cal).items()}
    limit = clocks.plan_limit(case, policy, cal)
    if limit is not None:
        out[PLAN_LIMIT] = limit
    after = policy.sla.upgrade_open_after
    if after is not None and case.intake.received_at is not None:
        out[OPEN_LIMIT] = durations.add(case.intake.received_at, after, cal)
    return out


def moved_dues(before: Case, after: Case, policy: Policy, cal: WorkCalendar, now: datetime) -> list[Moved]:
    """The dues (computed from the receipt before the correction) that had passed at `now` and
    that the correction changes — each one refuses it."""
    old, new = receipt_dues(before, policy, cal), receipt_dues(after, policy, cal)
    return [Moved(name, due, new.get(name)) for name, due in old.items()
            if due <= now and new.get(name) != due]
