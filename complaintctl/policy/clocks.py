"""A case's SLA clocks (R-IN-3, R-DL-1…5): which apply, when each is due, when it was met.

Pure functions of the case document, the policy and its working calendar. The steps
store the result under `clocks:`; the validator recomputes it and refuses a case whose
stored clocks differ (R-DL-2: only an approved extension moves a deadline).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from complaintctl.model.case import as_datetime, get, stamp
from complaintctl.model.snapshot import Case, StoredClock
from complaintctl.policy import durations
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.durations import Duration
from complaintctl.policy.policy import Policy
from complaintctl.policy.sla import CLOCKS, WRITTEN, ClockRule

# The timeline actions that meet each clock (besides the fields read below).
RESPONSE_ACTIONS = frozenset({"contact", "resolve", "invalid"})  # R-IN-3, R-RT-4: the customer hears back
REPORT_ACTION = "report"  # the written incident report (R-DL-5, R-DL-4)
ZERO = timedelta(0)
STOPPED = frozenset({"closed", "invalid"})  # no clock runs on a finished case


@dataclass(frozen=True)
class Clock:
    due: datetime
    done: datetime | None


@dataclass(frozen=True)
class Extension:
    clock: str
    until: datetime
    at: datetime
    by: str


def _timeline(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    t = data.get("timeline")
    return [e for e in t if isinstance(e, Mapping)] if isinstance(t, list) else []


def _first(data: Mapping[str, Any], actions: frozenset[str], cal: WorkCalendar) -> datetime | None:
    for e in _timeline(data):
        if e.get("action") in actions:
            return as_datetime(e.get("at"), cal.tz)
    return None


def pauses(data: Mapping[str, Any], cal: WorkCalendar) -> list[tuple[datetime, datetime | None]]:
    """Spans spent `waiting` (on the customer), in order; the last may still be open (None)."""
    out: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = None
    for e in _timeline(data):
        at = as_datetime(e.get("at"), cal.tz)
        if at is None:
            continue
        if e.get("to") == "waiting" and start is None:
            start = at
        elif e.get("from") == "waiting" and start is not None:
            out.append((start, at))
            start = None
    if start is not None:
        out.append((start, None))
    return out


def extensions(data: Mapping[str, Any], cal: WorkCalendar) -> list[Extension]:
    """R-DL-2: every `extend` entry of the timeline, in order — and R-DL-6: an upgrade records
    the general limit it missed, which stays the resolution clock's due time (the upgrade does
    not silently reset the clock; the reminder and the late-close reason still apply)."""
    out = []
    for e in _timeline(data):
        action = e.get("action")
        if action == "upgrade" and e.get("missed") is not None:
            missed, at = as_datetime(e.get("missed"), cal.tz), as_datetime(e.get("at"), cal.tz)
            if missed is not None and at is not None:
                out.append(Extension("resolution", missed, at, str(e.get("by") or "")))
            continue
        if action != "extend":
            continue
        until, at = as_datetime(e.get("until"), cal.tz), as_datetime(e.get("at"), cal.tz)
        if until is not None and at is not None:
            out.append(Extension(str(e.get("clock") or ""), until, at, str(e.get("by") or "")))
    return out


def _facts(data: Mapping[str, Any], cal: WorkCalendar) -> dict[str, datetime | None]:
    tz = cal.tz
    status = data.get("status")
    resolved = as_datetime(get(data, "resolution.at"), tz) if status in ("resolved", "closed") else None
    revisited = as_datetime(get(data, "revisit.at"), tz)
    return {
        "received": as_datetime(get(data, "intake.received_at"), tz),
        "recorded": as_datetime(get(data, "intake.recorded_at"), tz),
        "dispatched": _first(data, frozenset({"assign"}), cal),
        "resolved": resolved,
        "revisited": revisited if resolved is not None and revisited is not None and revisited >= resolved
        else None,
        "responded": _first(data, RESPONSE_ACTIONS, cal),
        "reported": _written(data, "report", cal),
        **{f"written:{name}": _written(data, name, cal) for name in WRITTEN},
    }


def _written(data: Mapping[str, Any], clock: str, cal: WorkCalendar) -> datetime | None:
    """When the written report for `clock` was filed (a `report` entry naming it; an entry with
    no clock is the incident report). R-DL-5: a plan is the unit's answer to the notice clock."""
    for e in _timeline(data):
        action = e.get("action")
        if (action == REPORT_ACTION and str(e.get("clock") or "report") == clock) or \
                (clock == "notice" and action in ("plan", "replan")):
            return as_datetime(e.get("at"), cal.tz)
    return None


DONE_BY = {"intake": "recorded", "response": "responded", "dispatch": "dispatched",
           "resolution": "resolved", "revisit": "revisited",
           **{name: f"written:{name}" for name in WRITTEN}}


def plan_due(value: Any, cal: WorkCalendar) -> datetime | None:
    """The plan's time limit; a bare date means the end of that day (as text too, the way the
    read index stores it)."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return None
    return as_datetime(value, cal.tz)


def rule_for(data: Mapping[str, Any], policy: Policy, clock: str) -> ClockRule | None:
    """The policy's rule for this clock and this case (by severity, category, channel, class)."""
    severity, category = str(get(data, "assessment.severity") or ""), str(get(data, "assessment.category") or "")
    channel, klass = str(get(data, "intake.channel") or ""), str(get(data, "intake.complainant.class") or "")
    for rule in policy.sla.rules(clock):
        if rule.match.matches(severity, category, channel, klass):
            return rule
    return None


def expected(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar) -> dict[str, Clock]:
    """Every clock the policy gives this case, as it stands: due (after pauses and approved
    extensions) and done. A clock whose start has not happened yet is absent."""
    facts = _facts(data, cal)
    exts = extensions(data, cal)
    out: dict[str, Clock] = {}
    for name in CLOCKS:
        rule = rule_for(data, policy, name)
        if rule is None:
            continue
        start = facts[rule.start]
        if start is None:
            continue
        if rule.within is None:  # `within: plan` — the time limit the plan sets (R-IN-4)
            base = plan_due(get(data, "plan.due"), cal)
            if base is None:
                continue
            due = base
        else:
            due = durations.add(start, rule.within, cal)
        since: datetime | None = None
        for ext in exts:  # R-DL-2: the latest approved extension of this clock sets the due time
            if ext.clock == name:
                due, since = ext.until, ext.at
        if name == "resolution" and rule.within is not None:
            due = paused_due(due, data, rule.within, cal, since)
        out[name] = Clock(due, facts[DONE_BY[name]])
    return out


def plan_limit(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar) -> datetime | None:
    """R-DL-1, R-DL-2: the latest due a plan may set without an extension — the resolution
    clock's due as it stands (a replan: the earlier plan's, or an approved extension), or, before
    any plan where the resolution limit is the plan's (`within: plan`), the rule's `at_most`
    from the clock's start. None: no limit applies."""
    clock = expected(data, policy, cal).get("resolution")
    if clock is not None:
        return clock.due
    rule = rule_for(data, policy, "resolution")
    if rule is None or rule.within is not None or rule.at_most is None:
        return None
    start = _facts(data, cal)[rule.start]
    return durations.add(start, rule.at_most, cal) if start is not None else None


def paused_due(due: datetime, data: Mapping[str, Any], limit: Duration, cal: WorkCalendar,
               since: datetime | None = None) -> datetime:
    """Time spent waiting on the customer does not count: each finished wait that began before
    the (moving) due time pushes it later by the wait's length, measured as the limit measures
    time. A wait still under way moves nothing yet (the clock shows as paused)."""
    for a, b in pauses(data, cal):
        if since is not None and a < since:
            continue  # an extension granted after this wait already allowed for it
        if b is not None and a < due:
            due = durations.shift(due, a, b, limit, cal)
    return due


def fresh_stamp(moment: datetime) -> datetime:
    # A new plain datetime: never a YAML-loaded TimeStamp nor an object shared with another
    # field (the dumper would write an alias).
    s = stamp(moment)
    return datetime(s.year, s.month, s.day, s.hour, s.minute, s.second, tzinfo=timezone(s.utcoffset() or ZERO))


def as_yaml(clocks: Mapping[str, Clock]) -> dict[str, dict[str, datetime | None]]:
    return {name: {"due": fresh_stamp(c.due), "done": fresh_stamp(c.done) if c.done else None}
            for name, c in clocks.items()}


def stored(data: Mapping[str, Any], cal: WorkCalendar) -> Iterator[tuple[str, datetime | None, datetime | None]]:
    """The clocks as written in the case file: (name, due, done)."""
    section = data.get("clocks")
    if not isinstance(section, Mapping):
        return
    for name, c in section.items():
        if isinstance(c, Mapping):
            yield str(name), as_datetime(c.get("due"), cal.tz), as_datetime(c.get("done"), cal.tz)


# A clock's state at a moment: the one answer `show`, `due`, `list --overdue`, the read index,
# the reports and `sweep` all use.
ON_TIME, LATE, RUNNING, OVERDUE, PAUSED, STOPPED_STATE = "on time", "late", "running", "overdue", "paused", "stopped"
MISSED = "missed"


def state_at(case: Case, clock: StoredClock, moment: datetime) -> str:
    """Where `clock` of `case` stands at `moment`:
    - on time / late: met by then, before or after its due time;
    - missed: never met, the case still running when it fell due and since closed or judged
      invalid (counted late, like an overdue one);
    - stopped: never met, the case finished before it fell due;
    - paused: the resolution clock while the case waits on the customer (paused_due moves it
      once the wait ends);
    - running / overdue: not met, before or past its due time."""
    due, done = clock.due, clock.done
    if due is None:
        return STOPPED_STATE
    if done is not None and done <= moment:
        return ON_TIME if done <= due else LATE
    status = case.status_at(moment) if case.timeline else case.status
    if status in STOPPED:
        return MISSED if moment > due and case.status_at(due) not in STOPPED else STOPPED_STATE
    if clock.name == "resolution" and status == "waiting":
        return PAUSED
    return RUNNING if moment <= due else OVERDUE


def open_dues(case: Case) -> list[tuple[str, datetime]]:
    """The clocks still running as the case stands (not met, not paused, the case not finished):
    (name, due). Their earliest due is what the read index keeps for `list --overdue` and `due`."""
    if case.status in STOPPED:
        return []
    return [(c.name, c.due) for c in case.clocks
            if c.due is not None and c.done is None and not (c.name == "resolution" and case.status == "waiting")]


def overdue(data: Mapping[str, Any], cal: WorkCalendar, now: datetime) -> list[tuple[str, datetime]]:
    """Running, unpaused clocks past their due time (from the stored clocks): (name, due)."""
    return [(name, due) for name, due in open_dues(Case.from_data(data, cal.tz)) if now > due]
