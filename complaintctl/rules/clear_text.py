"""R-RT-5 with `privacy: {required: true}`: what identifies a complainant lives only in the
encrypted intake fields (docs/design/encrypted-fields.md). Everything else in a case file is
clear text every clone of the shared repository reads, and so is a commit message — so
nothing there may look like a phone, an ID-card number, a car plate, a household's unit or
room number, an e-mail address or a chat handle (the masking detectors, model/detectors.py).

The server runs this without any key (remote/prereceive.py), as do the CLI and pre-commit.
Only what a change writes is judged — a clear field whose value changed, the timeline entries
it adds — so records made before privacy was switched on keep validating.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from complaintctl.i18n import N_, _
from complaintctl.model import detectors
from complaintctl.model import fields as F
from complaintctl.model.case import get
from complaintctl.rules.context import CheckContext
from complaintctl.rules.entries import added_entries
from complaintctl.rules.finding import Finding

RULE = "R-RT-5"
# The fields every reader of the repository sees in clear (the protected ones are encrypted).
CLEAR_FIELDS = (F.INTAKE_SUBJECT, F.ASSESSMENT_INVALID_REASON, F.ASSESSMENT_REPLY, F.PLAN_MEASURES,
                F.RESOLUTION_SUMMARY, F.REVISIT_COMMENT, F.CLOSING_ROOT_CAUSE, F.CLOSING_PREVENTIVE_ACTION,
                F.CLOSING_LESSON, F.CLOSING_LATE_REASON)
# The free-text keys a timeline entry may carry (rules.entries.ENTRY_KEYS): a note, a reason, the
# values a step sets, and what a `correct` entry writes.
ENTRY_TEXT_KEYS = ("note", "late_reason", "reason", "measures", "summary", "root_cause", "preventive_action",
                   "lesson", "old", "value")
COMMIT_MESSAGE = "(commit message)"

_KINDS = {detectors.PHONE: N_("a phone number"), detectors.ID: N_("an ID-card number"),
          detectors.PLATE: N_("a car plate"), detectors.ADDRESS: N_("a unit or room number"),
          detectors.EMAIL: N_("an e-mail address"), detectors.ACCOUNT: N_("a chat account")}
# A commit message carries staff e-mails legitimately (Signed-off-by:, Co-authored-by:).
_MESSAGE_KINDS = frozenset(_KINDS) - {detectors.EMAIL}
# An address span pins a household only with its room: 402室, B座1502, 12-3-1201, Room 5, #1203.
# 12号楼 or 3栋2单元 alone names a building or a stairwell — ordinary in a property complaint.
_HOUSEHOLD = re.compile(r"(?i)(?:\d{3,5}[A-Za-z]?|[室房户])\s*$|^\s*(?:room|rm|unit|flat|apt|apartment|suite|#)")


def identifying(text: str, kinds: frozenset[str] = frozenset(_KINDS)) -> list[str]:
    """The kinds of identifying shapes in `text` (in detector order, each once)."""
    norm = detectors.normalise(text)
    found: dict[str, None] = {}
    for span in detectors.by_shape(norm):
        if span.kind not in kinds:
            continue
        if span.kind == detectors.ADDRESS and not _HOUSEHOLD.search(norm[span.start:span.end]):
            continue
        if span.kind == detectors.PHONE and _is_date(norm[span.start:span.end]):
            continue  # 20261031: a date written without separators, as order numbers often are
        found.setdefault(span.kind, None)
    return list(found)


def _is_date(digits: str) -> bool:
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return len(digits) == 8 and digits.isdigit() and digits[:2] in ("19", "20")


def refusal(kinds: list[str]) -> str:
    what = ", ".join(_(_KINDS[k]) for k in kinds)
    return _("looks like {what}: with privacy required, what identifies a complainant belongs only in "
             "the encrypted intake fields").format(what=what)


def _texts(ctx: CheckContext) -> Iterator[tuple[str, str]]:
    """(field, text) for every clear text this change writes."""
    for field in CLEAR_FIELDS:
        value = get(ctx.data, field)
        if isinstance(value, str) and value and (ctx.previous is None or get(ctx.previous, field) != value):
            yield field, value
    for i, entry in added_entries(ctx):
        for key in ENTRY_TEXT_KEYS:
            value = entry.get(key)
            if isinstance(value, str) and value:
                yield f"timeline[{i}].{key}", value


def check(ctx: CheckContext) -> Iterator[Finding]:
    if not ctx.policy.privacy.required:
        return
    for field, text in _texts(ctx):
        kinds = identifying(text)
        if kinds:
            yield ctx.finding(field, RULE, refusal(kinds))


def message_findings(message: str, policy_required: bool) -> list[Finding]:
    """R-RT-5 for a commit message (the server judges every pushed one)."""
    if not policy_required:
        return []
    kinds = identifying(message, _MESSAGE_KINDS)
    return [Finding(COMMIT_MESSAGE, "message", RULE, refusal(kinds))] if kinds else []


def clear_values(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every clear text of a whole case (for the migration's report of what to rewrite by hand)."""
    for field in CLEAR_FIELDS:
        value = get(data, field)
        if isinstance(value, str) and value:
            yield field, value
    timeline = data.get("timeline")
    for i, entry in enumerate(timeline if isinstance(timeline, list) else []):
        if isinstance(entry, Mapping):
            for key in ENTRY_TEXT_KEYS:
                value = entry.get(key)
                if isinstance(value, str) and value:
                    yield f"timeline[{i}].{key}", value
