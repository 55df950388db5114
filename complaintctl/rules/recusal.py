"""R-RT-3: the person complained about may not handle, decide or close the case."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from complaintctl import labels
from complaintctl.i18n import N_, _
from complaintctl.model import fields as F
from complaintctl.model.case import get, is_blank
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

DECISIONS = frozenset({"assign", "reassign", "plan", "replan", "resolve", "close", "invalid",
                       "reopen", "extend"})
_HANDLE = N_("{person} is the person complained about and may not handle this case")
_RESOLVE = N_("{person} is the person complained about and may not resolve this case")
ROLES_CHECKED = (  # (field, message: translated when a finding is made)
    (F.ROUTING_HANDLER, _HANDLE),
    (F.PLAN_RESOLVER, _RESOLVE),
    (F.RESOLUTION_BY, _RESOLVE),
    (F.CLOSING_BY, N_("{person} is the person complained about and may not close this case")),
    (F.ASSESSMENT_DECIDED_BY, N_("{person} is the person complained about and may not decide on this case")),
)


def accused_person(data: Mapping[str, Any]) -> str:
    """R-RT-3: the person complained about ("" when none is named)."""
    accused = get(data, F.ACCUSED_PERSON)
    return "" if is_blank(accused) else str(accused).strip()


def is_accused(data: Mapping[str, Any], person: str) -> bool:
    """R-RT-3: whether `person` is the one complained about: the one answer the field checks
    below and the ledger's check of every entry ask."""
    accused = accused_person(data)
    return bool(accused) and accused == person.strip()


def check(ctx: CheckContext) -> Iterator[Finding]:
    accused = accused_person(ctx.data)
    if not accused:
        return
    for field, message in ROLES_CHECKED:
        if is_accused(ctx.data, str(get(ctx.data, field) or "")):
            yield ctx.finding(field, "R-RT-3", _(message).format(person=accused))
    # The accused may not take decisions on the case either, whoever the fields name.
    timeline = ctx.data.get("timeline")
    entries = timeline if isinstance(timeline, list) else []
    old = ctx.previous.get("timeline") if ctx.previous else None
    start = len(old) if isinstance(old, list) else 0
    for i, entry in enumerate(entries[start:], start):
        if isinstance(entry, Mapping) and entry.get("action") in DECISIONS \
                and is_accused(ctx.data, str(entry.get("by") or "")):
            yield ctx.finding(f"timeline[{i}].by", "R-RT-3",
                              _("{person} is the person complained about and may not {action} this case")
                              .format(person=accused, action=labels.action_word(str(entry.get("action")))))
