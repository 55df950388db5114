"""`complaintctl export`: every case's intake fields (R-IN-1) for a period, unmasked, as a
spreadsheet — internal, for moving or archiving cases through Excel (issue 14 §2). The
register and the bulletin stay masked (R-RP-4); this is the office's own record.

Its columns are the default mapping of `complaintctl import` (column header → field), so a
file this writes imports back as it is. Vocabularies are written as the policy's labels in
the office's language; import takes a label (either language) or the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from complaintctl.i18n import _p, translations
from complaintctl.model.case import as_datetime, get
from complaintctl.model.snapshot import CaseRecord
from complaintctl.policy.periods import Period
from complaintctl.policy.policy import Policy
from complaintctl.reporting.export import Section

KEY = "key"  # the mapping's target for the column that identifies a row (re-imports create no duplicates)
# (field, header): the headers are msgids (context `column`), in the office's language through the
# catalog; `key` holds the original case ID
_HEADERS: tuple[tuple[str, tuple[str, str]], ...] = (
    (KEY, _p("column", "ID")),
    ("intake.received_at", _p("column", "Received")),
    ("intake.channel", _p("column", "Channel")),
    ("intake.complainant.name", _p("column", "Complainant")),
    ("intake.complainant.class", _p("column", "Complainant class")),
    ("intake.complainant.contact", _p("column", "Contact")),
    ("intake.complainant.address", _p("column", "Address")),
    ("intake.location", _p("column", "Location")),
    ("intake.subject", _p("column", "Subject")),
    ("intake.details", _p("column", "Details")),
    ("assessment.category", _p("column", "Category")),
    ("assessment.severity", _p("column", "Severity")),
    ("intake.first_receiver", _p("column", "First receiver")),
    ("accused.person", _p("column", "Person complained about")),
    ("accused.unit", _p("column", "Unit complained about")),
    ("intake.materials", _p("column", "Materials")),
)
# (field, zh header, en header): import reads either language
COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f, translations("zh").pgettext(*h), translations("en").pgettext(*h)) for f, h in _HEADERS)
# field -> the policy vocabulary its value comes from
VOCABULARY = {"intake.channel": "channels", "intake.complainant.class": "complainant_classes",
              "assessment.category": "categories", "assessment.severity": "severities",
              "accused.unit": "units"}
LIST_SEPARATOR = "; "


def headers(language: str) -> tuple[str, ...]:
    return tuple(zh if language == "zh" else en for _, zh, en in COLUMNS)


def default_mapping() -> dict[str, str]:
    """header -> field, in both languages."""
    out: dict[str, str] = {}
    for field, zh, en in COLUMNS:
        out[zh] = field
        out[en] = field
    return out


def _cell(field: str, data: Mapping[str, Any], policy: Policy) -> Any:
    if field == KEY:
        return str(data.get("id") or "")
    value = get(data, field)
    if field == "intake.received_at":
        moment = as_datetime(value, policy.tz)
        # Excel keeps no time zone: the office's local time, which import reads back in it
        return moment.astimezone(policy.tz).replace(tzinfo=None) if isinstance(moment, datetime) else None
    if field in VOCABULARY and value:
        return policy.label(VOCABULARY[field], str(value))
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return "" if value is None else str(value)


def rows(records: Iterable[CaseRecord], policy: Policy, period: Period) -> list[tuple[Any, ...]]:
    """One row per case received in the period, in ID order."""
    picked = [r for r in records if period.contains(r.received(policy.tz), policy.tz)]
    picked.sort(key=lambda r: (r.received_at, r.id))
    return [tuple(_cell(field, r.data, policy) for field, _, _ in COLUMNS) for r in picked]


def section(records: Iterable[CaseRecord], policy: Policy, period: Period) -> Section:
    title = translations(policy.language).pgettext(*_p("title", "Intake register (internal, unmasked)"))
    return Section("intake", title, headers(policy.language), tuple(rows(records, policy, period)))
