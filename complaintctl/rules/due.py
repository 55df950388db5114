"""What the clocks make due on a case at a moment: an R-DL-6 upgrade, an R-DL-7 reminder, or
one R-ES-1 escalation level. `sweep` records these; the validator accepts such entries only
when the clocks made them due at their `at` (the system account may write nothing else) —
and the notices `notify` records (rules.notices), only when they are due."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.case import as_datetime, get
from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks, durations
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.rules import notices

SWEEP_ACTIONS = frozenset({"upgrade", "remind", "escalate"})


@dataclass(frozen=True)
class Due:
    action: str  # upgrade, remind or escalate
    note: str
    detail: str
    extra: Mapping[str, Any] = field(default_factory=dict)


def _reminded(data: Mapping[str, Any], clock: str, due: datetime, cal: WorkCalendar) -> bool:
    timeline = data.get("timeline")
    for e in timeline if isinstance(timeline, list) else []:
        if isinstance(e, Mapping) and e.get("action") == "remind" and e.get("clock") == clock \
                and as_datetime(e.get("due"), cal.tz) == due:
            return True
    return False


def escalation_target(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime) -> str | None:
    """The highest level whose limit has passed by the policy's first matching escalation rule."""
    case = Case.from_data(data, cal.tz)
    for rule in policy.sla.escalation:
        if not clocks.applies(rule.match, case):
            continue
        if rule.start == "received":
            start = case.intake.received_at
        else:
            # R-ES-1: escalation runs from the resolution clock's due while it still runs
            start = dict(clocks.open_dues(case)).get("resolution")
        target = None
        for level, limit in rule.levels:
            if start is not None and now > durations.add(start, limit, cal):
                target = level
        return target
    return None


def upgrade(reason: str, missed: datetime | None = None) -> Due:
    """R-DL-6: general → major; the missed general limit stays on record (R-DL-6, R-DL-7)."""
    extra: dict[str, Any] = {"severity": "major"}
    if missed is not None:
        extra["missed"] = clocks.fresh_stamp(missed)
    return Due("upgrade", reason, "general → major", extra)


def remind(clock: str, due: datetime) -> Due:
    """R-DL-7: a reminder (催办单) on an overdue clock."""
    return Due("remind", f"R-DL-7: {clock} overdue since {due:%Y-%m-%d %H:%M}", f"{clock} overdue",
               {"clock": clock, "due": clocks.fresh_stamp(due)})


def next_due(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime) -> Due | None:
    """The next thing the clocks make due (from the stored clocks), or None when up to date."""
    status = data.get("status")
    if status in clocks.STOPPED:
        return None
    overdue = clocks.overdue(data, cal, now)
    is_open = status in workflow.OPEN_STATES
    if is_open and get(data, F.ASSESSMENT_SEVERITY) == "general" and get(data, F.ASSESSMENT_VALID) is not False:
        late = [due for name, due in overdue if name == "resolution"]
        if late:
            return upgrade("R-DL-6: a general complaint past its time limit becomes major", late[0])
        after = policy.sla.upgrade_open_after
        received = as_datetime(get(data, F.INTAKE_RECEIVED_AT), cal.tz)
        if after is not None and received is not None and now > durations.add(received, after, cal):
            return upgrade(f"R-DL-6: a valid complaint open over {after} becomes major")
    if status == "resolved" and get(data, F.ASSESSMENT_SEVERITY) == "general" \
            and get(data, F.ASSESSMENT_VALID) is not False:
        missed = _resolved_late(data, cal, now)
        if missed is not None:  # R-DL-6: resolved after its limit, and no sweep ran in between
            return upgrade("R-DL-6: a general complaint past its time limit becomes major", missed)
    for name, due in overdue:
        if not _reminded(data, name, due, cal):
            return remind(name, due)
    if is_open:
        target = escalation_target(data, policy, cal, now)
        chain = policy.escalation_chain
        current = str(get(data, F.ROUTING_ESCALATION_LEVEL) or chain[0])
        if target is not None and current in chain and chain.index(target) > chain.index(current):
            step = chain[chain.index(current) + 1]  # R-ES-1: one level at a time, one per limit passed
            return Due("escalate", f"R-ES-1: time limit passed, up to {step}", f"{current} → {step}",
                       {"level": step})
    return None


def _resolved_late(data: Mapping[str, Any], cal: WorkCalendar, now: datetime) -> datetime | None:
    """The resolution clock's due, when the resolution came after it (clocks.state_at: late)."""
    case = Case.from_data(data, cal.tz)
    clock = case.clock("resolution")
    if clock is None or clock.due is None or clocks.state_at(case, clock, now) != clocks.LATE:
        return None
    return clock.due


def upgrade_due(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, at: datetime) -> Due | None:
    """R-DL-6: the upgrade the clocks make due at `at` (before a resolution or a closing is
    recorded then), or None — the same answer `sweep` acts on (next_due)."""
    due = next_due(data, policy, cal, at)
    return due if due is not None and due.action == "upgrade" else None


def matches(entry: Mapping[str, Any], due: Due | None, tz: Any) -> bool:
    """The entry records exactly what was due (action and its key values)."""
    if due is None or entry.get("action") != due.action:
        return False
    if entry.get("missed") is not None and "missed" not in due.extra:
        return False  # a made-up missed limit would move the resolution clock (R-DL-6)
    for key, want in due.extra.items():
        have = entry.get(key)
        if isinstance(want, datetime):
            if as_datetime(have, tz) != want:
                return False
        elif have != want:
            return False
    return True


def notice_due(entry: Mapping[str, Any], data: Mapping[str, Any], policy: Policy,
               at: datetime) -> tuple[notices.Notice | None, list[notices.Notice]]:
    """a `notify` entry recorded at `at` over the case as it stood before it (`data`,
    clocks up to date) — the due notice it records, or None; and every notice due then."""
    due = notices.pending(data, policy, at)
    return notices.matching(entry, due), due
