"""The weekly complaint register (R-RP-1, 001-2 §7.1): one row per case received that week.

The register is a report, so it shows the complainant's class, never who they are
(R-RP-4); the subject is masked like any free text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from complaintctl.labels import CLOCK_STATES, STATUSES, label, words
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.model.snapshot import Case, CaseRecord
from complaintctl.model.stamp import CaseStamps
from complaintctl.output import FIXED, Col
from complaintctl.policy import standing
from complaintctl.policy.periods import Period
from complaintctl.policy.policy import Policy
from complaintctl.policy.standing import UPGRADED_TO
from complaintctl.reporting.export import Section
from complaintctl.reporting.masking import NameFinder, masker_for

COLUMNS = ("id", "received_at", "channel", "complainant_class", "category", "severity", "subject", "unit",
           "handler", "status", "outcome", "resolved_at", "satisfaction", "repeat", "timeliness")

# How the register gives way in a narrow terminal (output.Col): ID, time received, what
# it is about, who has it and where it stands stay; the rest go, the least telling first.
LAYOUT = {"id": FIXED, "received_at": FIXED, "channel": Col(drop=8), "complainant_class": Col(drop=9),
          "category": Col(shrink=8, drop=1), "severity": Col(drop=5), "subject": Col(shrink=16, main=True),
          "unit": Col(shrink=8, drop=4), "handler": Col(shrink=6), "status": FIXED, "outcome": Col(drop=2),
          "resolved_at": Col(drop=6), "satisfaction": Col(drop=3), "repeat": Col(drop=7), "timeliness": FIXED}
COLS = tuple(LAYOUT[c] for c in COLUMNS)


def _short(value: str, policy: Policy) -> datetime | None:
    """The office's wall-clock time to the minute, without a zone: a real date cell in the XLSX
    (Excel keeps no zone), "2026-10-19 09:30" in the table, the CSV and the JSON."""
    moment = as_datetime(value, policy.tz) if value else None
    if moment is None:
        return None
    return moment.astimezone(policy.tz).replace(tzinfo=None, second=0, microsecond=0)


def register(records: Sequence[CaseRecord], week: Period, policy: Policy, as_of: datetime,
             names: NameFinder | None = None, stamps: Mapping[str, CaseStamps] | None = None) -> Section:
    """The week's register as one section (headers in the policy's language). Each case says how
    it stands against the record's `stamps` at `as_of` (policy.standing), and a general case the
    record proves late counts as upgraded (R-DL-6)."""
    tz = policy.tz
    end = min(week.end(tz), as_of)
    rows = []
    chosen = sorted((r for r in records if (m := as_datetime(r.received_at, tz)) is not None
                     and week.start(tz) <= m < end), key=lambda r: (r.received_at, r.id))
    mask = masker_for((r.data for r in chosen), policy, names)
    lang = policy.language
    statuses = words(lang, STATUSES)  # in_progress prints as 处理中 / In progress
    states = words(lang, CLOCK_STATES)
    for r in chosen:
        satisfaction = r.satisfaction
        case = Case.from_data(r.data, tz)
        mine = stamps.get(r.id) if stamps is not None else None
        severity = policy.label("severities", r.severity)
        if r.severity != UPGRADED_TO and standing.upgraded(case, as_of, mine):  # R-DL-6, counted from R
            severity = f"{policy.label('severities', UPGRADED_TO)} (R-DL-6)"
        how = standing.standing(case, as_of, mine).words
        rows.append((
            r.id, _short(r.received_at, policy), policy.label("channels", r.channel),
            policy.label("complainant_classes", r.complainant_class), policy.label("categories", r.category),
            severity, mask(r.subject),
            policy.label("units", r.unit) if r.unit else "", r.handler, statuses.get(r.status, r.status),
            policy.label("outcomes", str(get(r.data, F.RESOLUTION_OUTCOME) or "")) if r.resolved_at else "",
            _short(r.resolved_at, policy), label(lang, satisfaction) if satisfaction else "",
            "✓" if r.repeat else "",
            f"{states.get(how[0], how[0])} ({'; '.join(states.get(h, h) for h in how[1:])})" if len(how) > 1
            else states.get(how[0], how[0]) if how else "",
        ))
    title = f"{label(lang, 'register')} {week.label} ({week.first.isoformat()} – {week.last.isoformat()})"
    return Section("register", title, tuple(label(lang, c) for c in COLUMNS), tuple(rows))
