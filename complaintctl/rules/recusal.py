"""R-RT-3: the person complained about may not handle, decide or close the case."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from complaintctl import labels
from complaintctl.i18n import N_, _
from complaintctl.model.case import get, is_blank
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

DECISIONS = frozenset({"assign", "reassign", "plan", "replan", "resolve", "close", "invalid",
                       "reopen", "extend"})
_HANDLE = N_("{person} is the person complained about and may not handle this case")
_RESOLVE = N_("{person} is the person complained about and may not resolve this case")
ROLES_CHECKED = (  # (field, message: translated when a finding is made)
    ("routing.handler", _HANDLE),
    ("plan.resolver", _RESOLVE),
    ("resolution.by", _RESOLVE),
    ("closing.by", N_("{person} is the person complained about and may not close this case")),
    ("assessment.decided_by", N_("{person} is the person complained about and may not decide on this case")),
)


def check(ctx: CheckContext) -> Iterator[Finding]:
    accused = get(ctx.data, "accused.person")
    if is_blank(accused):
        return
    accused = str(accused).strip()
    for field, message in ROLES_CHECKED:
        if str(get(ctx.data, field) or "").strip() == accused:
            yield ctx.finding(field, "R-RT-3", _(message).format(person=accused))
    # The accused may not take decisions on the case either, whoever the fields name.
    timeline = ctx.data.get("timeline")
    entries = timeline if isinstance(timeline, list) else []
    old = ctx.previous.get("timeline") if ctx.previous else None
    start = len(old) if isinstance(old, list) else 0
    for i, entry in enumerate(entries[start:], start):
        if isinstance(entry, Mapping) and entry.get("action") in DECISIONS \
                and str(entry.get("by") or "").strip() == accused:
            yield ctx.finding(f"timeline[{i}].by", "R-RT-3",
                              _("{person} is the person complained about and may not {action} this case")
                              .format(person=accused, action=labels.action_word(str(entry.get("action")))))
