"""R-RT-3: the person complained about may not handle, decide or close the case."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from complaintctl.model.case import get, is_blank
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

DECISIONS = frozenset({"assign", "reassign", "plan", "replan", "resolve", "close", "invalid",
                       "reopen", "extend"})
ROLES_CHECKED = (
    ("routing.handler", "handle"),
    ("plan.resolver", "resolve"),
    ("resolution.by", "resolve"),
    ("closing.by", "close"),
    ("assessment.decided_by", "decide"),
)


def check(ctx: CheckContext) -> Iterator[Finding]:
    accused = get(ctx.data, "accused.person")
    if is_blank(accused):
        return
    accused = str(accused).strip()
    for field, verb in ROLES_CHECKED:
        if str(get(ctx.data, field) or "").strip() == accused:
            yield ctx.finding(field, "R-RT-3", f"{accused} is the person complained about and may not {verb} this case")
    # The accused may not take decisions on the case either, whoever the fields name.
    timeline = ctx.data.get("timeline")
    entries = timeline if isinstance(timeline, list) else []
    old = ctx.previous.get("timeline") if ctx.previous else None
    start = len(old) if isinstance(old, list) else 0
    for i, entry in enumerate(entries[start:], start):
        if isinstance(entry, Mapping) and entry.get("action") in DECISIONS \
                and str(entry.get("by") or "").strip() == accused:
            yield ctx.finding(f"timeline[{i}].by", "R-RT-3",
                              f"{accused} is the person complained about and may not {entry.get('action')} this case")
