"""Dates are in order and not in the future."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

# A clock on a laptop may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)
# Pairs that must be ordered: the later field may not come before the earlier one.
ORDER = (
    (F.INTAKE_RECEIVED_AT, F.INTAKE_RECORDED_AT),
    (F.INTAKE_RECEIVED_AT, F.RESOLUTION_AT),
    (F.RESOLUTION_AT, F.REVISIT_AT),
    (F.REVISIT_AT, F.CLOSING_AT),
)
STAMPS = (F.INTAKE_RECEIVED_AT, F.INTAKE_RECORDED_AT, F.RESOLUTION_AT, F.REVISIT_AT, F.CLOSING_AT)


def check(ctx: CheckContext) -> Iterator[Finding]:
    tz = ctx.policy.tz
    limit = ctx.now + CLOCK_SKEW
    for field in STAMPS:
        raw = get(ctx.data, field)
        if raw is not None and as_datetime(raw, tz) is None:
            yield ctx.finding(field, "R-IN-1",
                              _("{value!r} is not a date-time (e.g. 2026-11-22 10:05:00+08:00)").format(value=raw))
        moment = as_datetime(raw, tz)
        if moment is not None and moment > limit:
            yield ctx.finding(field, "R-IN-1", _("{moment} is in the future").format(moment=moment.isoformat()))
    for early, late in ORDER:
        a, b = as_datetime(get(ctx.data, early), tz), as_datetime(get(ctx.data, late), tz)
        if a is not None and b is not None and b < a:
            yield ctx.finding(late, "R-IN-1", _("{moment} is before {field} ({earlier})")
                              .format(moment=b.isoformat(), field=early, earlier=a.isoformat()))
    received = as_datetime(get(ctx.data, F.INTAKE_RECEIVED_AT), tz)
    previous: datetime | None = None
    timeline = ctx.data.get("timeline")
    for i, entry in enumerate(timeline if isinstance(timeline, list) else []):
        if not isinstance(entry, Mapping):
            continue
        at = as_datetime(entry.get("at"), tz)
        where = f"timeline[{i}].at"
        if at is None:
            continue
        if at > limit:
            yield ctx.finding(where, "R-IN-1", _("{moment} is in the future").format(moment=at.isoformat()))
        if received is not None and at < received:
            yield ctx.finding(where, "R-IN-1",
                              _("{moment} is before the complaint was received").format(moment=at.isoformat()))
        if entry.get("late_reason"):
            continue  # recorded late, with its reason (rules.ledger judges who may)
        if previous is not None and at < previous:
            yield ctx.finding(where, "R-IN-1", _("timeline entries must be in time order"))
        previous = at
