"""Period reports (R-RP-1, R-RP-2): records + period + now → frozen figures. Pure, no I/O.

Which cases count where:
- *received*, the category × unit table, severity, channel, complainant class, invalid and
  repeat counts: cases received in the period;
- *resolved* and time to resolve (working days, median and P90): resolutions in the period;
- *revisit satisfaction*: revisits in the period; *closed*: closings in the period;
- *clocks* (R-DL-*): each clock of the cases received in the period, judged at `as_of`;
  a clock neither done nor yet due is still running and not counted;
- *open* and *overdue*: every case's state at the end of the period (or at `as_of`,
  if earlier), rebuilt from its timeline.
Nothing that happened after `as_of` is seen, so a report can be re-run as it was.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from complaintctl.model import workflow
from complaintctl.model.case import as_datetime
from complaintctl.model.snapshot import Case, CaseRecord
from complaintctl.model.stamp import CaseStamps
from complaintctl.policy import clocks, standing
from complaintctl.policy.periods import Period
from complaintctl.policy.policy import Policy

Elapsed = Callable[[datetime, datetime], float]
CLOCKS = ("intake", "response", "dispatch", "resolution", "revisit", "report")
UNASSIGNED = ""
# Commit actions that count as handling a case (per-person attribution).
HANDLING = frozenset({"assign", "reassign", "plan", "replan", "contact", "note", "wait", "resume",
                      "resolve", "revisit", "invalid", "reopen", "extend", "remind", "escalate", "upgrade", "report"})


@dataclass(frozen=True)
class Activity:
    """One commit's work on one case, read from git (author, `Case:` and `Action:` trailers)."""

    author: str
    case_id: str
    action: str
    at: datetime


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ClockRate:
    clock: str
    on_time: int
    late: int

    @property
    def rate(self) -> float | None:
        decided = self.on_time + self.late
        return round(self.on_time / decided, 4) if decided else None


@dataclass(frozen=True)
class TableRow:
    key: str
    label: str
    counts: tuple[int, ...]  # one per column of the table's units
    total: int


@dataclass(frozen=True)
class ClassificationTable:
    """R-RP-2: 顾客投诉分类统计表 — categories down, responsible units across."""

    units: tuple[Count, ...]  # column keys and labels; count = column total
    rows: tuple[TableRow, ...]
    total: int


@dataclass(frozen=True)
class PersonRow:
    name: str
    received: int
    handled: int
    closed: int
    on_time: int


@dataclass(frozen=True)
class Headline:
    received: int
    resolved: int
    closed: int
    invalid: int
    repeats: int
    incidents_declined: int  # R-AS-3: read as an incident, recorded as none (approvals.decline-incident)
    customer: int
    non_customer: int
    anonymous: int  # R-IN-1: recorded without a name or contact (policy `anonymous: true`), counted apart
    on_time_rate: float | None
    median_days: float | None
    p90_days: float | None
    satisfaction_rate: float | None
    open_at_end: int
    overdue_at_end: int


@dataclass(frozen=True)
class Report:
    office: str
    office_name: str
    language: str
    period: Period
    as_of: datetime
    headline: Headline
    previous_period: Period
    previous: Headline
    table: ClassificationTable  # R-RP-2: customer complaints only (顾客投诉分类统计表, R-DEF-2)
    non_customer_table: ClassificationTable  # non-customer complaints, counted apart (R-DEF-2)
    by_severity: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    by_class: tuple[Count, ...]
    clocks: tuple[ClockRate, ...]
    satisfaction: tuple[Count, ...]
    people: tuple[PersonRow, ...]
    received_ids: tuple[str, ...]
    open_ids: tuple[str, ...]
    overdue_ids: tuple[str, ...]
    # against the record (policy.clocks.timeliness): counted late though claimed on time; vouched for
    recorded_late_ids: tuple[str, ...] = ()
    vouched_ids: tuple[str, ...] = ()
    # imported: a clock met by what `import` wrote (claimed, not witnessed), counted apart: never
    # on time, never recorded late; upgraded: R-DL-6 as the record proves it (policy.standing)
    imported_ids: tuple[str, ...] = ()
    upgraded_ids: tuple[str, ...] = ()

    def change(self, field: str) -> float | None:
        """This period's headline figure minus the previous period's (None if either is missing)."""
        now, before = getattr(self.headline, field), getattr(self.previous, field)
        if now is None or before is None:
            return None
        return round(now - before, 4)


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (P90 of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _at(value: Any, tz: tzinfo) -> datetime | None:
    return as_datetime(value, tz)


def status_at(record: CaseRecord, moment: datetime, tz: tzinfo) -> str | None:
    """The case's state at `moment` from its timeline; None if not yet received then."""
    return Case.from_data(record.data, tz).status_at(moment)


def _clock_states(case: Case, as_of: datetime, stamps: CaseStamps | None = None) -> dict[str, bool]:
    """clock name -> on time? for every clock decided at `as_of`: met (on time or late), or
    missed (overdue, or never met and since stopped); running, paused and stopped clocks are left out
    (policy.clocks.state_at)."""
    out: dict[str, bool] = {}
    for clock in case.clocks:
        state = clocks.state_at(case, clock, as_of, stamps)
        if state in (clocks.ON_TIME, clocks.LATE, clocks.OVERDUE, clocks.MISSED):
            out[clock.name] = state == clocks.ON_TIME
    return out


def clock_states(record: CaseRecord, as_of: datetime, tz: tzinfo) -> dict[str, bool]:
    """clock name -> on time? for every clock decided at `as_of` (running clocks are left out)."""
    return _clock_states(Case.from_data(record.data, tz), as_of)


def case_on_time(record: CaseRecord, as_of: datetime, tz: tzinfo) -> bool | None:
    """All decided clocks on time; without clocks, resolved by the plan's due time; else None."""
    case = Case.from_data(record.data, tz)
    return _on_time(case, _clock_states(case, as_of), as_of)


def _case_overdue(case: Case, moment: datetime) -> bool:
    """A clock overdue at `moment` (policy.clocks.state_at); without clocks, the plan's due passed."""
    if case.clocks:
        return any(clocks.state_at(case, c, moment) == clocks.OVERDUE for c in case.clocks)
    due = case.plan_due
    return due is not None and due < moment


def _overdue(record: CaseRecord, moment: datetime, tz: tzinfo) -> bool:
    return _case_overdue(Case.from_data(record.data, tz), moment)


def _in(value: str, start: datetime, end: datetime, tz: tzinfo) -> datetime | None:
    moment = _at(value, tz)
    return moment if moment is not None and start <= moment < end else None


def _counts(values: Iterable[str], vocab: Mapping[str, Any], policy: Policy, vocabulary: str) -> tuple[Count, ...]:
    c = Counter(values)
    keys = [k for k in vocab if c[k]] + sorted(k for k in c if k not in vocab)
    return tuple(Count(k, policy.label(vocabulary, k) if k else "—", c[k]) for k in keys)


def _table(received: Sequence[CaseRecord], policy: Policy, unassigned: str) -> ClassificationTable:
    pairs = Counter((r.category, r.unit) for r in received)
    unit_totals = Counter(r.unit for r in received)
    unit_keys = [u for u in policy.units if unit_totals[u]]
    unit_keys += sorted(u for u in unit_totals if u not in policy.units and u != UNASSIGNED)
    if unit_totals[UNASSIGNED]:
        unit_keys.append(UNASSIGNED)
    units = tuple(Count(u, policy.label("units", u) if u else unassigned, unit_totals[u]) for u in unit_keys)
    cats = list(policy.categories) + sorted({r.category for r in received} - set(policy.categories))
    rows = []
    for cat in cats:
        counts = tuple(pairs[(cat, u)] for u in unit_keys)
        rows.append(TableRow(cat, policy.label("categories", cat), counts, sum(counts)))
    return ClassificationTable(units, tuple(rows), len(received))


@dataclass(frozen=True, slots=True)
class _Read:
    """What the figures read from one case's document, read in one go (a report over
    100,000 cases keeps these few values, not 36,000 decoded documents)."""

    clocks: dict[str, bool]  # clock_states at as_of (cases received in a period, or closing in it)
    against_record: tuple[str, ...]  # clocks claimed on time but recorded late, vouched for, imported
    upgraded: bool  # R-DL-6 by `as_of` from the recorded time alone (policy.standing.upgraded), the file general
    on_time: bool | None  # case_on_time at as_of (the same cases)
    revisit_at: str
    satisfaction: str
    repeat: bool
    declined: bool  # R-AS-3: read as an incident, recorded as none
    anonymous: bool  # R-IN-1: no name, no contact
    states: tuple[str | None, ...]  # status_at each period's end
    overdue: tuple[bool, ...]  # a clock (or the plan) overdue at each period's end


def _on_time(case: Case, states: dict[str, bool], as_of: datetime) -> bool | None:
    """`case_on_time` from the clock states already judged."""
    if states:
        return all(states.values())
    res = case.current_resolution
    resolved, due = (res.at if res is not None else None), case.plan_due
    if resolved is None or due is None or resolved > as_of:
        return None
    return resolved <= due


def _read(record: CaseRecord, ends: Sequence[datetime], as_of: datetime, tz: tzinfo, judged: bool,
          stamps: CaseStamps | None = None) -> _Read:
    case = Case.from_data(record.data, tz)
    states = _clock_states(case, as_of, stamps) if judged else {}
    revisit = case.current_revisit
    verdicts = [clocks.judged(case, c, stamps, as_of) for c in case.clocks] if judged and stamps is not None else []
    against = tuple(v.state for v in verdicts if v is not None and v.done <= as_of
                    and v.state in (clocks.RECORDED_LATE, clocks.VOUCHED, clocks.IMPORTED))
    # upgraded: only what the record proves beyond the file (a case its own upgrade entry made
    # major is major in the file already, and no claim against the record)
    by_record = judged and case.assessment.severity != standing.UPGRADED_TO and standing.upgraded(case, as_of, stamps)
    return _Read(clocks=states, against_record=against, upgraded=by_record,
                 on_time=_on_time(case, states, as_of) if judged else None,
                 revisit_at=revisit.at.isoformat() if revisit is not None and revisit.at is not None else "",
                 satisfaction=revisit.satisfaction if revisit is not None else "", repeat=case.assessment.repeat,
                 declined=case.assessment.incident == "none", anonymous=case.intake.complainant.anonymous,
                 states=tuple(case.status_at(end) for end in ends),
                 overdue=tuple(_case_overdue(case, end) for end in ends))


def _headline(records: Sequence[CaseRecord], reads: Sequence[_Read], which: int, period: Period,
              as_of: datetime, policy: Policy, elapsed: Elapsed) -> tuple[Headline, dict[str, Any]]:
    """One period's figures (`which`: its place in each `_Read`'s per-period values)."""
    tz = policy.tz
    start = period.start(tz)
    end = min(period.end(tz), as_of)
    received = [r for r in records if _in(r.received_at, start, end, tz)]
    received_reads = [x for r, x in zip(records, reads, strict=True) if _in(r.received_at, start, end, tz)]
    durations = []
    resolved = 0
    for r in records:
        at = _in(r.resolved_at, start, end, tz)
        if at is not None:
            resolved += 1
            durations.append(elapsed(r.received(tz), at))
    closed_ids = {r.id for r in records if _in(r.closed_at, start, end, tz)}
    closed = len(closed_ids)
    revisits = [x.satisfaction for x in reads if _in(x.revisit_at, start, end, tz)]
    clock_tally: dict[str, list[int]] = {}
    for x in received_reads:
        for name, ok in x.clocks.items():
            clock_tally.setdefault(name, [0, 0])[0 if ok else 1] += 1
    states = {r.id: x.states[which] for r, x in zip(records, reads, strict=True)}
    open_ids = [r.id for r in records if states[r.id] in workflow.OPEN_STATES]
    overdue_ids = [r.id for r, x in zip(records, reads, strict=True)
                   if states[r.id] in workflow.OPEN_STATES and x.overdue[which]]
    kinds = Counter(_kind(r, policy) for r in received)
    on_time = sum(t[0] for t in clock_tally.values())
    decided = on_time + sum(t[1] for t in clock_tally.values())
    satisfied = sum(1 for s in revisits if s == "satisfied")
    headline = Headline(
        received=len(received), resolved=resolved, closed=closed,
        invalid=sum(1 for r in received if states[r.id] == "invalid" or not r.valid),
        repeats=sum(1 for x in received_reads if x.repeat),
        incidents_declined=sum(1 for x in received_reads if x.declined),
        customer=kinds["customer"], non_customer=kinds["non-customer"],
        anonymous=sum(1 for x in received_reads if x.anonymous),
        on_time_rate=round(on_time / decided, 4) if decided else None,
        median_days=round(statistics.median(durations), 2) if durations else None,
        p90_days=round(p, 2) if (p := percentile(durations, 90)) is not None else None,
        satisfaction_rate=round(satisfied / len(revisits), 4) if revisits else None,
        open_at_end=len(open_ids), overdue_at_end=len(overdue_ids),
    )
    extra = {"received": received, "revisits": revisits, "clocks": clock_tally, "open": open_ids,
             "overdue": overdue_ids, "end": end, "closed": closed_ids}
    return headline, extra


def _is_repeat(r: CaseRecord) -> bool:
    return r.repeat


def _kind(r: CaseRecord, policy: Policy) -> str:
    cls = policy.complainant_classes.get(r.complainant_class)
    return cls.kind if cls else "customer"


def attribute(activities: Iterable[Activity], records: Mapping[str, CaseRecord], start: datetime,
              end: datetime, as_of: datetime, tz: tzinfo,
              on_time_of: Mapping[str, bool | None] | None = None,
              closed_ids: Collection[str] | None = None) -> tuple[PersonRow, ...]:
    """Per-person work from commit authorship: received, handled, closed, closed on time
    (`on_time_of`: case ID -> `case_on_time`, already judged). A close counts only for a case
    the headline counts as closed (`closed_ids`): one closed since reopened is no longer closed."""
    got: dict[str, set[str]] = {}
    handled: dict[str, set[str]] = {}
    closed: dict[str, set[str]] = {}
    for a in activities:
        if not (start <= a.at < end):
            continue
        if a.action == "close" and closed_ids is not None and a.case_id not in closed_ids:
            continue
        bucket = got if a.action in ("new", "import") else closed if a.action == "close" else \
            handled if a.action in HANDLING else None
        if bucket is not None:
            bucket.setdefault(a.author, set()).add(a.case_id)
    rows = []
    for name in sorted(set(got) | set(handled) | set(closed)):
        mine = closed.get(name, set())
        on_time = sum(1 for cid in mine if cid in records and (
            on_time_of[cid] if on_time_of is not None else case_on_time(records[cid], as_of, tz)))
        rows.append(PersonRow(name, len(got.get(name, ())), len(handled.get(name, ())), len(mine), on_time))
    return tuple(rows)


def build_report(records: Sequence[CaseRecord], period: Period, policy: Policy, as_of: datetime,
                 elapsed: Elapsed, activities: Iterable[Activity] = (),
                 unassigned_label: str = "—", stamps: Mapping[str, CaseStamps] | None = None) -> Report:
    """The period's report and the previous period's headline figures, for comparison. With the
    record's `stamps` (case ID → CaseStamps), clocks count by what the record proves."""
    tz = policy.tz
    before = period.previous()
    activities = list(activities)
    ends = [min(p.end(tz), as_of) for p in (period, before)]
    # every document is read once, in turn (records may fetch it only when read: memory stays flat);
    # clocks are judged for the cases received in either period and those closed in this one
    closing = {a.case_id for a in activities if period.start(tz) <= a.at < ends[0] and a.action == "close"}
    reads = [_read(r, ends, as_of, tz, r.id in closing or any(_in(r.received_at, p.start(tz), e, tz)
                                                              for p, e in zip((period, before), ends, strict=True)),
                   stamps.get(r.id) if stamps is not None else None)
             for r in records]
    headline, x = _headline(records, reads, 0, period, as_of, policy, elapsed)
    previous, _ = _headline(records, reads, 1, before, as_of, policy, elapsed)
    received: list[CaseRecord] = x["received"]
    satisfaction = Counter(x["revisits"])
    by_id = {r.id: r for r in records}
    on_time_of = {r.id: x.on_time for r, x in zip(records, reads, strict=True)}
    upgraded = {r.id for r, y in zip(records, reads, strict=True) if y.upgraded}
    return Report(
        office=policy.office, office_name=policy.name, language=policy.language, period=period,
        as_of=x["end"], headline=headline, previous_period=before, previous=previous,
        table=_table([r for r in received if _kind(r, policy) == "customer"], policy, unassigned_label),
        non_customer_table=_table([r for r in received if _kind(r, policy) != "customer"], policy,
                                  unassigned_label),
        # R-DL-6 counted from the recorded time: a general case the record proves late is major
        by_severity=_counts((standing.UPGRADED_TO if r.id in upgraded else r.severity for r in received),
                            policy.severities, policy, "severities"),
        by_channel=_counts((r.channel for r in received), policy.channels, policy, "channels"),
        by_class=_counts((r.complainant_class for r in received), policy.complainant_classes, policy,
                         "complainant_classes"),
        clocks=tuple(ClockRate(name, t[0], t[1]) for name, t in
                     sorted(x["clocks"].items(), key=lambda kv: _clock_order(kv[0]))),
        satisfaction=tuple(Count(s, s, satisfaction[s]) for s in workflow.SATISFACTION if satisfaction[s]),
        people=attribute(activities, by_id, period.start(tz), x["end"], as_of, tz, on_time_of, x["closed"]),
        received_ids=tuple(sorted(r.id for r in received)),
        open_ids=tuple(sorted(x["open"])), overdue_ids=tuple(sorted(x["overdue"])),
        recorded_late_ids=tuple(sorted(r.id for r, y in zip(records, reads, strict=True)
                                       if clocks.RECORDED_LATE in y.against_record)),
        vouched_ids=tuple(sorted(r.id for r, y in zip(records, reads, strict=True)
                                 if clocks.VOUCHED in y.against_record)),
        imported_ids=tuple(sorted(r.id for r, y in zip(records, reads, strict=True)
                                  if clocks.IMPORTED in y.against_record)),
        upgraded_ids=tuple(sorted(upgraded)),
    )


def _clock_order(name: str) -> tuple[int, str]:
    return (CLOCKS.index(name) if name in CLOCKS else len(CLOCKS), name)
