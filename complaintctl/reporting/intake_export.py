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

from complaintctl.model.case import CaseRecord, as_datetime, get
from complaintctl.policy.periods import Period
from complaintctl.policy.policy import Policy
from complaintctl.reporting.export import Section

KEY = "key"  # the mapping's target for the column that identifies a row (re-imports create no duplicates)
# (field, zh header, en header); `key` holds the original case ID
COLUMNS: tuple[tuple[str, str, str], ...] = (
    (KEY, "编号", "ID"),
    ("intake.received_at", "受理时间", "Received"),
    ("intake.channel", "渠道", "Channel"),
    ("intake.complainant.name", "投诉人", "Complainant"),
    ("intake.complainant.class", "投诉人类别", "Complainant class"),
    ("intake.complainant.contact", "联系方式", "Contact"),
    ("intake.complainant.address", "地址", "Address"),
    ("intake.location", "位置", "Location"),
    ("intake.subject", "主题", "Subject"),
    ("intake.details", "详情", "Details"),
    ("assessment.category", "类别", "Category"),
    ("assessment.severity", "级别", "Severity"),
    ("intake.first_receiver", "首问人", "First receiver"),
    ("accused.person", "被投诉人", "Person complained about"),
    ("accused.unit", "被投诉部门", "Unit complained about"),
    ("intake.materials", "材料", "Materials"),
)
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
    title = ("投诉登记(内部,未脱敏)" if policy.language == "zh" else "Intake register (internal, unmasked)")
    return Section("intake", title, headers(policy.language), tuple(rows(records, policy, period)))
