"""A case's SLA clocks (R-IN-3, R-DL-1…5): which apply, when each is due, when it was met.

Pure functions of the case document, the policy and its working calendar. The steps
store the result under `clocks:`; the validator recomputes it and refuses a case whose
stored clocks differ (R-DL-2: only an approved extension moves a deadline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from complaintctl.model.case import as_datetime, stamp
from complaintctl.model.snapshot import Case, Entry, StoredClock
from complaintctl.model.snapshot import due as snapshot_due
from complaintctl.model.stamp import NO_STAMPS, CaseStamps
from complaintctl.policy import durations
from complaintctl.policy.authority import VOUCH_LATE
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.durations import Duration
from complaintctl.policy.policy import Policy
from complaintctl.policy.sla import CLOCKS, WRITTEN, ClockRule, Match

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


def _first(case: Case, actions: frozenset[str]) -> datetime | None:
    return next((e.at for e in case.timeline if e.action in actions), None)


def pauses(case: Case) -> list[tuple[datetime, datetime | None]]:
    """Spans spent `waiting` (on the customer), in order; the last may still be open (None)."""
    out: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = None
    for e in case.timeline:
        if e.at is None:
            continue
        if e.dst == "waiting" and start is None:
            start = e.at
        elif e.src == "waiting" and start is not None:
            out.append((start, e.at))
            start = None
    if start is not None:
        out.append((start, None))
    return out


def extensions(case: Case, tz: tzinfo) -> list[Extension]:
    """R-DL-2: every `extend` entry of the timeline, in order — and R-DL-6: an upgrade records
    the general limit it missed, which stays the resolution clock's due time (the upgrade does
    not silently reset the clock; the reminder and the late-close reason still apply)."""
    out = []
    for e in case.timeline:
        if e.action == "upgrade" and e.get("missed") is not None:
            missed = as_datetime(e.get("missed"), tz)
            if missed is not None and e.at is not None:
                out.append(Extension("resolution", missed, e.at, e.by))
            continue
        if e.action != "extend":
            continue
        until = as_datetime(e.get("until"), tz)
        if until is not None and e.at is not None:
            out.append(Extension(str(e.get("clock") or ""), until, e.at, e.by))
    return out


def _facts(case: Case) -> dict[str, datetime | None]:
    res = case.current_resolution
    resolved = res.at if res is not None else None
    revisited = case.revisit.at if case.revisit is not None else None
    return {
        "received": case.intake.received_at,
        "recorded": case.intake.recorded_at,
        "dispatched": _first(case, frozenset({"assign"})),
        "resolved": resolved,
        "revisited": revisited if resolved is not None and revisited is not None and revisited >= resolved
        else None,
        "responded": _first(case, RESPONSE_ACTIONS),
        "reported": _written(case, "report"),
        **{f"written:{name}": _written(case, name) for name in WRITTEN},
    }


def _written(case: Case, clock: str) -> datetime | None:
    """When the written report for `clock` was filed (a `report` entry naming it; an entry with
    no clock is the incident report). R-DL-5: a plan is the unit's answer to the notice clock."""
    for e in case.timeline:
        if (e.action == REPORT_ACTION and str(e.get("clock") or "report") == clock) or \
                (clock == "notice" and e.action in ("plan", "replan")):
            return e.at
    return None


DONE_BY = {"intake": "recorded", "response": "responded", "dispatch": "dispatched",
           "resolution": "resolved", "revisit": "revisited",
           **{name: f"written:{name}" for name in WRITTEN}}


def plan_due(value: Any, cal: WorkCalendar) -> datetime | None:
    """The plan's time limit; a bare date means the end of that day (as text too, the way the
    read index stores it): model.snapshot reads it the same way."""
    return snapshot_due(value, cal.tz)


def applies(match: Match, case: Case) -> bool:
    """Whether an SLA or escalation rule's `match:` covers this case (severity, category,
    channel, complainant class)."""
    a, i = case.assessment, case.intake
    return match.matches(a.severity, a.category, i.channel, i.complainant.klass)


def rule_for(case: Case, policy: Policy, clock: str) -> ClockRule | None:
    """The policy's rule for this clock and this case."""
    return next((rule for rule in policy.sla.rules(clock) if applies(rule.match, case)), None)


def expected(case: Case, policy: Policy, cal: WorkCalendar) -> dict[str, Clock]:
    """Every clock the policy gives this case, as it stands: due (after pauses and approved
    extensions) and done. A clock whose start has not happened yet is absent."""
    facts = _facts(case)
    exts = extensions(case, cal.tz)
    out: dict[str, Clock] = {}
    for name in CLOCKS:
        rule = rule_for(case, policy, name)
        if rule is None:
            continue
        start = facts[rule.start]
        if start is None:
            continue
        if rule.within is None:  # `within: plan` — the time limit the plan sets (R-IN-4)
            base = case.plan.due
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
            due = paused_due(due, case, rule.within, cal, since)
        out[name] = Clock(due, facts[DONE_BY[name]])
    return out


def plan_limit(case: Case, policy: Policy, cal: WorkCalendar) -> datetime | None:
    """R-DL-1, R-DL-2: the latest due a plan may set without an extension — the resolution
    clock's due as it stands (a replan: the earlier plan's, or an approved extension), or, before
    any plan where the resolution limit is the plan's (`within: plan`), the rule's `at_most`
    from the clock's start. None: no limit applies."""
    clock = expected(case, policy, cal).get("resolution")
    if clock is not None:
        return clock.due
    rule = rule_for(case, policy, "resolution")
    if rule is None or rule.within is not None or rule.at_most is None:
        return None
    start = _facts(case)[rule.start]
    return durations.add(start, rule.at_most, cal) if start is not None else None


def paused_due(due: datetime, case: Case, limit: Duration, cal: WorkCalendar,
               since: datetime | None = None) -> datetime:
    """Time spent waiting on the customer does not count: each finished wait that began before
    the (moving) due time pushes it later by the wait's length, measured as the limit measures
    time. A wait still under way moves nothing yet (the clock shows as paused)."""
    for a, b in pauses(case):
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


# A clock's state at a moment: the one answer `show`, `due`, `list --overdue`, the read index,
# the reports and `sweep` all use.
ON_TIME, LATE, RUNNING, OVERDUE, PAUSED, STOPPED_STATE = "on time", "late", "running", "overdue", "paused", "stopped"
MISSED = "missed"


# Recorded time (docs/design/recorded-time.md): a clock met by an entry claimed at C, recorded
# at R, due at D. The claim counts only when the record proves it, or an approver vouched.
VOUCHED, RECORDED_LATE = "on time (vouched)", "claimed on time, recorded late"
PENDING, UNSTAMPED = "pending", "unstamped"  # not pushed yet / from before stamping began
# What the record cannot witness is not judged on time: a clock met by what `import` wrote (the
# source's receipt and intake entry) is counted apart — never on time, never recorded late.
IMPORTED = "imported (claimed, not witnessed)"
VOUCH_ACTION = VOUCH_LATE
_MET_BY = {"intake": frozenset({"received"}), "response": RESPONSE_ACTIONS, "dispatch": frozenset({"assign"}),
           "resolution": frozenset({"resolve"}), "revisit": frozenset({"revisit"}), "notice": frozenset(
               {"plan", "replan", REPORT_ACTION})}


@dataclass(frozen=True)
class Timeliness:
    """How a met clock counts: `state` (on time, vouched, recorded late, late), `done` (what
    every figure takes as done: R when only the claim was on time), and a `mark` for an entry
    the record has not stamped (pending: not pushed yet; unstamped: from before stamping)."""

    state: str
    done: datetime
    claim: datetime
    recorded: datetime | None
    mark: str = ""

    @property
    def late(self) -> bool:
        return self.state in (LATE, RECORDED_LATE)


def timeliness(claim: datetime, recorded: datetime | None, due: datetime, vouched: bool,
               began: datetime | None, imported: bool = False) -> Timeliness:
    """THE rule for claims against the record: C ≤ D and R ≤ D on time; C ≤ D < R on time only
    if vouched, else late with done = R; C > D late. No stamp: counted by the claim, marked.
    `imported`: the entry came from an import (its claims predate any witness): counted apart."""
    if imported:
        return Timeliness(IMPORTED, claim, claim, recorded)
    if recorded is None:
        mark = PENDING if began is not None and claim >= began else UNSTAMPED
        return Timeliness(ON_TIME if claim <= due else LATE, claim, claim, None, mark)
    if claim > due:
        return Timeliness(LATE, claim, claim, recorded)
    if recorded <= due:
        return Timeliness(ON_TIME, claim, claim, recorded)
    if vouched:
        return Timeliness(VOUCHED, claim, claim, recorded)
    return Timeliness(RECORDED_LATE, recorded, claim, recorded)


def vouched(case: Case, entry: Entry, recorded: Sequence[datetime | None] | None = None,
            at: datetime | None = None) -> bool:
    """A later `vouch-late` entry names this one ({at, by, action}); the ledger lets only
    approvals.late give it, with a reason. Where the record stamps (`recorded`: each entry's
    recorded time), the vouch counts once the record has it too — by `at`, when given (a view
    as the record stood then)."""
    if entry.at is None or entry.at.tzinfo is None:
        return False
    for i, e in enumerate(case.timeline):
        of = e.get("of") if e.action == VOUCH_ACTION else None
        if isinstance(of, Mapping) and str(of.get("by")) == entry.by and str(of.get("action")) == entry.action \
                and as_datetime(of.get("at"), entry.at.tzinfo) == entry.at \
                and (recorded is None or (r := recorded[i]) is not None and (at is None or r <= at)):
            return True
    return False


def met_by(case: Case, clock: StoredClock) -> int | None:
    """The index of the timeline entry whose claim met `clock` (its `done`), or None."""
    if clock.done is None:
        return None
    actions = _MET_BY.get(clock.name, frozenset({REPORT_ACTION}))
    found = None
    for i, e in enumerate(case.timeline):
        if e.at == clock.done and (e.action in actions or found is None):
            found = i  # the last one claimed at that moment: a resolution after a reopen
    return found


def judged(case: Case, clock: StoredClock, stamps: CaseStamps | None, at: datetime | None = None) -> Timeliness | None:
    """How `clock`, met, counts against the record (`stamps`: the case's recorded times;
    None where the record is not read, e.g. the validator); None while it is not met. `at`: as
    the record stood then — a vouch it had not yet seen does not count."""
    i = met_by(case, clock)
    if i is None or clock.due is None or clock.done is None:
        return None
    entry = case.timeline[i]
    stamps = stamps if stamps is not None else NO_STAMPS
    times = stamps.of_timeline([e.raw for e in case.timeline])
    proven = times if stamps.began is not None else None  # a vouch not on the record yet is pending
    return timeliness(clock.done, times[i], clock.due, vouched(case, entry, proven, at), stamps.began,
                      imported_entry(case, i))


def imported_entry(case: Case, i: int) -> bool:
    """Whether timeline entry `i` is what `import` wrote: an imported case's intake entry."""
    return case.intake.imported and i == 0 and case.timeline[0].action == "received"


def state_at(case: Case, clock: StoredClock, moment: datetime, stamps: CaseStamps | None = None) -> str:
    """Where `clock` of `case` stands at `moment`:
    - on time / late: met by then, before or after its due time;
    - missed: never met, the case still running when it fell due and since closed or judged
      invalid (counted late, like an overdue one);
    - stopped: never met, the case finished before it fell due;
    - paused: the resolution clock while the case waits on the customer (paused_due moves it
      once the wait ends);
    - running / overdue: not met, before or past its due time.
    With `stamps`, a clock claimed on time but recorded late counts as met at R (`judged`), and one
    met by an import is `imported` (neither on time nor late)."""
    due, done = clock.due, clock.done
    if due is None:
        return STOPPED_STATE
    if done is not None and stamps is not None:
        verdict = judged(case, clock, stamps, moment)
        if verdict is not None:
            if verdict.done <= moment:
                return IMPORTED if verdict.state == IMPORTED else LATE if verdict.late else ON_TIME
            done = None  # claimed before `moment`, but the record saw it only later
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
