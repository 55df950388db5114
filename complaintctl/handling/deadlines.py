"""What time does to a case: extensions (R-DL-2), reminders (R-DL-7), upgrades (R-DL-6),
escalation (R-ES-1), and the clocks as a person reads them. Pure: `now` is a parameter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import InvalidInput
from complaintctl.handling.steps import Step, StepFor
from complaintctl.model import workflow
from complaintctl.model.case import CaseRecord, as_datetime, get
from complaintctl.output import table
from complaintctl.policy import clocks, durations
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy, approvers
from complaintctl.repo.git import Identity


def _nothing(doc: CommentedMap) -> None:
    return None


def extend(policy: Policy, actor: Identity, clock: str, until: datetime, reason: str, now: datetime) -> StepFor:
    """R-DL-2: a new due time for one clock, granted by an approver, with the reason."""
    roles = set(policy.roles_of(actor.name, actor.email))
    if not roles & set(approvers(policy)):
        raise InvalidInput(f"R-DL-2: {actor.name} may not extend a deadline: that needs a person with role "
                           f"{' or '.join(approvers(policy))} in the policy's people")
    if not reason.strip():
        raise InvalidInput("--reason: R-DL-2: the reason for the extension is required")
    if until <= now:
        raise InvalidInput(f"--until: {until.isoformat()} is not in the future")

    def step_for(doc: CommentedMap) -> Step:
        present = doc.get("clocks") if isinstance(doc.get("clocks"), Mapping) else {}
        if clock not in present:
            raise InvalidInput(f"{doc.get('id')}: --clock: this case has no {clock} clock "
                               f"({', '.join(present) or 'none'})")
        if doc.get("status") in clocks.STOPPED:
            raise InvalidInput(f"{doc.get('id')}: cannot extend: the case is {doc.get('status')}")
        return Step("extend", None, _nothing, note=reason, detail=f"{clock} until {until:%Y-%m-%d %H:%M}",
                    extra={"clock": clock, "until": clocks.fresh_stamp(until)})

    return step_for


def next_level(policy: Policy, current: str) -> str | None:
    chain = policy.escalation_chain
    i = chain.index(current) if current in chain else 0
    return chain[i + 1] if i + 1 < len(chain) else None


def escalate(policy: Policy, reason: str, level: str | None = None) -> StepFor:
    """R-ES-1: the case goes up the chain (one level, or to `level`)."""
    if level is not None and level not in policy.escalation_chain:
        raise InvalidInput(f"--level: {level!r} is not on the chain ({', '.join(policy.escalation_chain)}, R-ES-1)")

    def step_for(doc: CommentedMap) -> Step:
        if doc.get("status") in clocks.STOPPED:
            raise InvalidInput(f"{doc.get('id')}: cannot escalate: the case is {doc.get('status')}")
        current = str(get(doc, "routing.escalation_level") or policy.escalation_chain[0])
        target = level or next_level(policy, current)
        if target is None:
            raise InvalidInput(f"{doc.get('id')}: already at the top of the escalation chain ({current}, R-ES-1)")

        def mutate(d: CommentedMap) -> None:
            routing = d.get("routing")
            if not isinstance(routing, CommentedMap):
                routing = CommentedMap()
                d["routing"] = routing
            routing["escalation_level"] = target

        return Step("escalate", None, mutate, note=reason, detail=f"{current} → {target}",
                    extra={"level": target})

    return step_for


def report_filed(text: str) -> StepFor:
    """The written report (incident report R-DL-5, investigation report R-DL-4) is in: it stops
    the `report` clock."""
    if not text.strip():
        raise InvalidInput("the report's reference or summary is required")
    return lambda doc: Step(clocks.REPORT_ACTION, None, _nothing, note=text, detail="written report filed")


def remind(clock: str, due: datetime) -> Step:
    """R-DL-7: a reminder (催办单) on an overdue clock."""
    return Step("remind", None, _nothing, note=f"R-DL-7: {clock} overdue since {due:%Y-%m-%d %H:%M}",
                detail=f"{clock} overdue", extra={"clock": clock, "due": clocks.fresh_stamp(due)})


def upgrade(reason: str) -> Step:
    """R-DL-6: general → major."""

    def mutate(doc: CommentedMap) -> None:
        doc["assessment"]["severity"] = "major"

    return Step("upgrade", None, mutate, note=reason, detail="general → major", extra={"severity": "major"})


def _reminded(data: Mapping[str, Any], clock: str, due: datetime, cal: WorkCalendar) -> bool:
    timeline = data.get("timeline")
    for e in timeline if isinstance(timeline, list) else []:
        if isinstance(e, Mapping) and e.get("action") == "remind" and e.get("clock") == clock \
                and as_datetime(e.get("due"), cal.tz) == due:
            return True
    return False


def escalation_target(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime) -> str | None:
    """The highest level whose limit has passed by the policy's first matching escalation rule."""
    severity, category = str(get(data, "assessment.severity") or ""), str(get(data, "assessment.category") or "")
    channel, klass = str(get(data, "intake.channel") or ""), str(get(data, "intake.complainant.class") or "")
    for rule in policy.sla.escalation:
        if not rule.match.matches(severity, category, channel, klass):
            continue
        if rule.start == "received":
            start = as_datetime(get(data, "intake.received_at"), cal.tz)
        else:
            res = {n: (due, done) for n, due, done in clocks.stored(data, cal)}.get("resolution")
            running = res is not None and res[1] is None and not clocks.is_paused(data, "resolution")
            start = res[0] if running and res is not None else None
        target = None
        for level, limit in rule.levels:
            if start is not None and now > durations.add(start, limit, cal):
                target = level
        return target
    return None


def next_sweep_step(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime) -> Step | None:
    """The next thing a sweep does to this case, or None when it is up to date (idempotent)."""
    status = data.get("status")
    if status in clocks.STOPPED:
        return None
    overdue = clocks.overdue(data, cal, now)
    is_open = status in workflow.OPEN_STATES
    if is_open and get(data, "assessment.severity") == "general" and get(data, "assessment.valid") is not False:
        if any(name == "resolution" for name, _ in overdue):
            return upgrade("R-DL-6: a general complaint past its time limit becomes major")
        after = policy.sla.upgrade_open_after
        received = as_datetime(get(data, "intake.received_at"), cal.tz)
        if after is not None and received is not None and now > durations.add(received, after, cal):
            return upgrade(f"R-DL-6: a valid complaint open over {after} becomes major")
    for name, due in overdue:
        if not _reminded(data, name, due, cal):
            return remind(name, due)
    if is_open:
        target = escalation_target(data, policy, cal, now)
        chain = policy.escalation_chain
        current = str(get(data, "routing.escalation_level") or chain[0])
        if target is not None and current in chain and chain.index(target) > chain.index(current):
            return Step("escalate", None, _set_level(target), note=f"R-ES-1: time limit passed, up to {target}",
                        detail=f"{current} → {target}", extra={"level": target})
    return None


def _set_level(level: str) -> Any:
    def mutate(doc: CommentedMap) -> None:
        doc["routing"]["escalation_level"] = level
    return mutate


@dataclass(frozen=True)
class ClockView:
    case_id: str
    clock: str
    due: datetime
    done: datetime | None
    state: str  # on time, late, running, overdue, paused
    left: str  # time left or overdue, in working time where the clock is


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    d, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    return f"{d}d {h}h" if d else f"{h}h {m:02d}m"


def time_between(a: datetime, b: datetime, working: bool, cal: WorkCalendar) -> str:
    """How long from a to b, in working time (`1.5 working days`, `3h 20m working`) or clock time."""
    if not working:
        return _span((b - a).total_seconds())
    days = cal.working_days_between(a, b)
    if days >= 1:
        return f"{days:.1f} working days"
    return f"{_span(cal.working_seconds_between(a, b))} working"


def views(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime) -> list[ClockView]:
    """Every stored clock of a case with its state as of `now`."""
    out = []
    for name, due, done in clocks.stored(data, cal):
        if due is None:
            continue
        rule = clocks.rule_for(data, policy, name)
        working = rule is not None and rule.within is not None and rule.within.in_working_time
        if done is not None:
            state = "on time" if done <= due else "late"
            left = "" if done <= due else "late by " + time_between(due, done, working, cal)
        elif not clocks.is_running(data, done):
            state, left = "stopped", ""
        elif clocks.is_paused(data, name):
            state, left = "paused", "paused while waiting on the customer"
        elif now <= due:
            state, left = "running", time_between(now, due, working, cal) + " left"
        else:
            state, left = "overdue", "overdue by " + time_between(due, now, working, cal)
        out.append(ClockView(str(data.get("id")), name, due, done, state, left))
    return out


def due_soon(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime,
             within: timedelta | None) -> list[ClockView]:
    """Running clocks due within `within` from now, and every overdue one."""
    limit = None if within is None else now + within
    return [v for v in views(data, policy, cal, now)
            if v.state == "overdue" or (v.state == "running" and (limit is None or v.due <= limit))]


def overdue_views(records: Iterable[CaseRecord], policy: Policy, now: datetime) -> dict[str, list[ClockView]]:
    """Case ID -> its overdue clocks, for the cases that have any."""
    cal = WorkCalendar.from_policy(policy)
    out: dict[str, list[ClockView]] = {}
    for r in records:
        late = [v for v in views(r.data, policy, cal, now) if v.state == "overdue"]
        if late:
            out[r.id] = late
    return out


def render_clocks(data: Mapping[str, Any], policy: Policy, now: datetime) -> str:
    cal = WorkCalendar.from_policy(policy)
    rows = [[v.clock, v.due.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M"),
             v.done.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M") if v.done else "", v.state, v.left]
            for v in views(data, policy, cal, now)]
    if not rows:
        return "no clocks (the policy sets no time limits for this case)"
    return table(rows, ["clock", "due", "done", "state", "time"])
