"""What time does to a case: extensions (R-DL-2), reminders (R-DL-7), upgrades (R-DL-6),
escalation (R-ES-1), and the clocks as a person reads them. Pure: `now` is a parameter."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from complaintctl import labels
from complaintctl.errors import InvalidInput
from complaintctl.handling import steps
from complaintctl.handling.steps import Step, StepFor
from complaintctl.i18n import _, duration, span
from complaintctl.model import fields as F
from complaintctl.model.case import get
from complaintctl.model.snapshot import Case, CaseRecord
from complaintctl.model.stamp import CaseStamps
from complaintctl.output import table
from complaintctl.policy import clocks
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy, approvers
from complaintctl.policy.sla import WRITTEN
from complaintctl.repo import messages
from complaintctl.repo.git import Identity
from complaintctl.repo.messages import said
from complaintctl.rules import due as rules_due
from complaintctl.rules.due import Due
from complaintctl.rules.ledger import UPGRADED_WITH

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap

    from complaintctl.handling.steps import Step, StepFor
    from complaintctl.repo.index import Index, Skipped
    from complaintctl.repo.workspace import Workspace
    from complaintctl.reporting.queries import Filter


def _step(*args: Any, **kwargs: Any) -> Step:
    # the steps module (and the round-trip YAML library under it) loads only where a step is
    # made: `show` reads the clocks from here and writes nothing
    from complaintctl.handling.steps import Step

    return Step(*args, **kwargs)


def extend(policy: Policy, actor: Identity, clock: str, until: date | datetime, reason: str,
           now: datetime) -> StepFor:
    """R-DL-2: a new due time for one clock, granted by an approver, with the reason. A date
    means its close of business in the office's calendar."""
    if not isinstance(until, datetime):
        until = WorkCalendar.from_policy(policy).close_of_business(until)
    if not policy.authority.allows(policy.roles_of(actor.name, actor.email), "extend"):
        raise InvalidInput("R-DL-2: " + _("{name} may not extend a deadline: that needs a person with role "
                                          "{roles} in the policy's people")
                           .format(name=actor.name, roles=_(" or ").join(approvers(policy))))
    if not reason.strip():
        raise InvalidInput("--reason: R-DL-2: " + _("the reason for the extension is required"))
    if until <= now:
        raise InvalidInput("--until: " + _("{when} is not in the future").format(when=until.isoformat()))

    def step_for(doc: CommentedMap) -> Step:
        present = doc.get("clocks") if isinstance(doc.get("clocks"), Mapping) else {}
        if clock not in present:
            raise InvalidInput(_("{case}: --clock: this case has no {clock} clock ({present})")
                               .format(case=doc.get("id"), clock=clock, present=", ".join(present) or "-"))
        if doc.get("status") in clocks.STOPPED:
            raise InvalidInput(_("{case}: cannot extend: the case is {status}")
                               .format(case=doc.get("id"), status=doc.get("status")))
        return _step("extend", None, note=reason, detail=said("extend", clock=clock, until=until),
                    extra={"clock": clock, "until": clocks.fresh_stamp(until)})

    return step_for


def next_level(policy: Policy, current: str) -> str | None:
    chain = policy.escalation_chain
    i = chain.index(current) if current in chain else 0
    return chain[i + 1] if i + 1 < len(chain) else None


def escalate(policy: Policy, reason: str, level: str | None = None) -> StepFor:
    """R-ES-1: the case goes up the chain (one level, or to `level`)."""
    if level is not None and level not in policy.escalation_chain:
        raise InvalidInput("--level: " + _("{level!r} is not on the chain ({chain}, R-ES-1)")
                           .format(level=level, chain=", ".join(policy.escalation_chain)))

    def step_for(doc: CommentedMap) -> Step:
        if doc.get("status") in clocks.STOPPED:
            raise InvalidInput(_("{case}: cannot escalate: the case is {status}")
                               .format(case=doc.get("id"), status=doc.get("status")))
        current = str(get(doc, F.ROUTING_ESCALATION_LEVEL) or policy.escalation_chain[0])
        target = level or next_level(policy, current)
        if target is None:
            raise InvalidInput(_("{case}: already at the top of the escalation chain ({current}, R-ES-1)")
                               .format(case=doc.get("id"), current=current))

        return _step("escalate", None, note=reason, detail=said("escalate", current=current, target=target),
                     extra={"level": target})

    return step_for


def report_filed(text: str, clock: str = "report") -> StepFor:
    """A written report is in — the incident report (R-DL-5, 24 h and board 48 h), the
    investigation report and consolidated opinion (R-DL-4), the unit's notice that it cannot
    meet the limit, its completion report, the verification: it stops that clock."""
    if not text.strip():
        raise InvalidInput("the report's reference or summary is required")
    if clock not in WRITTEN:
        raise InvalidInput(f"--clock: {clock!r} is not a written-report clock ({', '.join(WRITTEN)})")
    extra = None if clock == "report" else {"clock": clock}
    return lambda doc: _step(clocks.REPORT_ACTION, None, note=text, detail=said("filed", clock=clock), extra=extra)


def as_step(due: Due) -> Step:
    return _step(due.action, None, note=due.note, detail=messages.step_said(due.action, due.detail), extra=due.extra)


def remind(clock: str, due: datetime) -> Step:
    """R-DL-7: a reminder (催办单) on an overdue clock."""
    return as_step(rules_due.remind(clock, due))


def upgrade(reason: str) -> Step:
    """R-DL-6: general → major."""
    return as_step(rules_due.upgrade(reason))


def upgrade_first(doc: CommentedMap, action: str, at: datetime, actor: Identity, policy: Policy) -> str:
    """R-DL-6: before a resolution or closing recorded at `at`, the upgrade the clocks make due
    then — the one `sweep` would have made had it run (rules.due.upgrade_due) — applied to
    `doc`; what it did, for the commit message ("" when nothing was due)."""
    if action not in UPGRADED_WITH:  # resolve, close
        return ""
    due = rules_due.upgrade_due(doc, policy, WorkCalendar.from_policy(policy), at)
    if due is None:
        return ""
    steps.apply(doc, as_step(due), at, actor, policy)
    return "R-DL-6: " + messages.detail_text(messages.Words(policy), messages.step_said(due.action, due.detail))


def next_sweep_step(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime) -> Step | None:
    """The next thing a sweep does to this case (rules.due), or None when it is up to date."""
    due = rules_due.next_due(data, policy, cal, now)
    return None if due is None else as_step(due)


@dataclass(frozen=True)
class ClockView:
    case_id: str
    clock: str
    due: datetime
    done: datetime | None
    state: str  # on time, late, running, overdue, paused, stopped (labels.CLOCK_STATES shows them)
    left: str  # time left or overdue, in working time where the clock is (in the office's language)
    how: tuple[str, ...] = ()  # against the record: vouched / claimed on time, recorded late; pending / unstamped


def time_between(a: datetime, b: datetime, working: bool, cal: WorkCalendar) -> str:
    """How long from a to b, in working time (`2 working days 3h`, `3h 20m working`) or clock
    time (`3d 14h`), in the office's language: always i18n.duration."""
    if not working:
        return span((b - a).total_seconds())
    return duration(*cal.working_parts(a, b), working=True)


def views(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime,
          stamps: CaseStamps | None = None) -> list[ClockView]:
    """Every stored clock of a case with its state as of `now` (policy.clocks.state_at), judged
    against the record's stamps (policy.clocks.judged) when they are given."""
    case = Case.from_data(data, cal.tz)
    out = []
    for clock in case.clocks:
        due, done = clock.due, clock.done
        if due is None:
            continue
        rule = clocks.rule_for(case, policy, clock.name)
        working = rule is not None and rule.within is not None and rule.within.in_working_time
        state = clocks.state_at(case, clock, now, stamps)
        verdict = clocks.judged(case, clock, stamps, now) if stamps is not None else None
        how: tuple[str, ...] = ()
        if verdict is not None and verdict.done <= now:
            done = verdict.done  # R, when only the claim was on time
            how = tuple(x for x in (verdict.state if verdict.state in (clocks.VOUCHED, clocks.RECORDED_LATE)
                                    else "", verdict.mark) if x)
        elif verdict is not None and verdict.state == clocks.RECORDED_LATE and verdict.claim <= now:
            how = (clocks.RECORDED_LATE,)  # claimed met by `now`, but the record saw it only later
        if state == clocks.LATE and done is not None:
            left = _("late by {span}").format(span=time_between(due, done, working, cal))
        elif state == clocks.PAUSED:
            left = _("paused while waiting on the customer")
        elif state == clocks.RUNNING:
            left = _("{span} left").format(span=time_between(now, due, working, cal))
        elif state == clocks.OVERDUE:
            left = _("overdue by {span}").format(span=time_between(due, now, working, cal))
        else:
            left = ""
        out.append(ClockView(case.id, clock.name, due, done, state, left, how))
    return out


def state_words(v: ClockView, states: Mapping[str, str]) -> str:
    """The state, and how it stands against the record: 逾期(声称按时,记录逾期)."""
    word = states.get(v.state, v.state)
    return f"{word} ({'; '.join(states.get(h, h) for h in v.how)})" if v.how else word


def due_soon(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime,
             within: timedelta | None, stamps: CaseStamps | None = None) -> list[ClockView]:
    """Running clocks due within `within` from now, and every overdue one (against the record's
    `stamps` when given: a clock claimed met that the record had not seen by `now` still runs)."""
    limit = None if within is None else now + within
    return [v for v in views(data, policy, cal, now, stamps)
            if v.state == "overdue" or (v.state == "running" and (limit is None or v.due <= limit))]


def overdue_views(records: Iterable[CaseRecord], policy: Policy, now: datetime,
                  stamps: Callable[[str], CaseStamps] | None = None) -> dict[str, list[ClockView]]:
    """Case ID -> its overdue clocks, for the cases that have any (`stamps`: a case's recorded times)."""
    cal = WorkCalendar.from_policy(policy)
    out: dict[str, list[ClockView]] = {}
    for r in records:
        late = [v for v in views(r.data, policy, cal, now, stamps(r.id) if stamps is not None else None)
                if v.state == "overdue"]
        if late:
            out[r.id] = late
    return out


def due_within(idx: Index, policy: Policy, now: datetime, window: timedelta) -> list[ClockView]:
    """`due`: every running clock due within `window` from now and every overdue one, soonest
    first, judged against the record's stamps (as `show` is). The index narrows to the cases with
    a running clock due by then (a superset, a day's margin); due_soon decides. Streamed: only
    the clocks shown are kept."""
    from complaintctl.repo import index  # not for one-case commands (`show`)

    cal = WorkCalendar.from_policy(policy)
    stamps = idx.stamp_reader()  # before the narrowing, which reads the stamps' table
    candidates = idx.iter_records(*index.due_where(now + window, now))
    found = [v for rec in candidates for v in due_soon(rec.data, policy, cal, now, window, stamps(rec.id))]
    found.sort(key=lambda v: (v.due, v.case_id))
    return found


def overdue_cases(ws: Workspace, flt: Filter, now: datetime,
                  skipped: list[Skipped]) -> list[tuple[CaseRecord, list[ClockView]]]:
    """`list --overdue` (R-DL-7): the cases the filter selects that have a clock past its due
    time, each with those clocks, judged against the record's stamps; the files left out are
    added to `skipped`."""
    from complaintctl.repo import index
    from complaintctl.reporting import queries  # not for one-case commands (`show`)

    idx = index.open_index(ws)  # one index: `find` narrows by the stamps' table, read up here first
    stamps = idx.stamp_reader()
    records = queries.find(ws, flt, ws.policy.tz, due_before=now, skipped=skipped, idx=idx)
    late = overdue_views(records, ws.policy, now, stamps)
    return [(r, late[r.id]) for r in records if r.id in late]


def render_clocks(data: Mapping[str, Any], policy: Policy, now: datetime, stamps: CaseStamps | None = None) -> str:
    cal = WorkCalendar.from_policy(policy)
    states = labels.words(policy.language, labels.CLOCK_STATES)
    rows = [[labels.label(policy.language, v.clock), v.due.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M"),
             v.done.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M") if v.done else "",
             state_words(v, states), v.left]
            for v in views(data, policy, cal, now, stamps)]
    if not rows:
        return _("no clocks (the policy sets no time limits for this case)")
    return table(rows, [_("clock"), _("due"), _("done"), _("state"), _("time")])
