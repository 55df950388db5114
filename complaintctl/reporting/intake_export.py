"""`complaintctl export`: every case's intake fields (R-IN-1) for a period, unmasked, as a
spreadsheet — internal, for moving or archiving cases through Excel. The
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
from complaintctl.model import fields as F
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
    (F.INTAKE_RECEIVED_AT, _p("column", "Received")),
    (F.INTAKE_CHANNEL, _p("column", "Channel")),
    (F.INTAKE_COMPLAINANT_NAME, _p("column", "Complainant")),
    (F.INTAKE_COMPLAINANT_CLASS, _p("column", "Complainant class")),
    (F.INTAKE_COMPLAINANT_CONTACT, _p("column", "Contact")),
    (F.INTAKE_COMPLAINANT_ADDRESS, _p("column", "Address")),
    (F.INTAKE_LOCATION, _p("column", "Location")),
    (F.INTAKE_SUBJECT, _p("column", "Subject")),
    (F.INTAKE_DETAILS, _p("column", "Details")),
    (F.ASSESSMENT_CATEGORY, _p("column", "Category")),
    (F.ASSESSMENT_SEVERITY, _p("column", "Severity")),
    (F.INTAKE_FIRST_RECEIVER, _p("column", "First receiver")),
    (F.ACCUSED_PERSON, _p("column", "Person complained about")),
    (F.ACCUSED_UNIT, _p("column", "Unit complained about")),
    (F.INTAKE_MATERIALS, _p("column", "Materials")),
)
# (field, zh header, en header): import reads either language
COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f, translations("zh").pgettext(*h), translations("en").pgettext(*h)) for f, h in _HEADERS)
# field -> the policy vocabulary its value comes from
VOCABULARY = {F.INTAKE_CHANNEL: "channels", F.INTAKE_COMPLAINANT_CLASS: "complainant_classes",
              F.ASSESSMENT_CATEGORY: "categories", F.ASSESSMENT_SEVERITY: "severities",
              F.ACCUSED_UNIT: "units"}
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
    if field == F.INTAKE_RECEIVED_AT:
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
