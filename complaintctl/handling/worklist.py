"""One person's work and the office's board, read from the read index: the cases where a person
is handler, resolver, first receiver or a head copied (not yet closed), and the clocks due or
overdue grouped by unit and person. SQL narrows (a superset); the typed case decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from complaintctl.handling.deadlines import ClockView, due_soon, next_sweep_step, views
from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.snapshot import Case, CaseRecord
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.repo.index import Index, due_where
from complaintctl.repo.index.schema import RECORD_FIELDS

HANDLER, RESOLVER, FIRST_RECEIVER, COPIED = "handler", "resolver", "first_receiver", "copied"
# Not closed, not invalid: a resolved case still waits for its revisit and closing (R-CL-1).
STILL_OPEN = tuple(sorted(workflow.OPEN_STATES | {"resolved"}))


@dataclass(frozen=True)
class Work:
    record: CaseRecord
    roles: tuple[str, ...]  # HANDLER, RESOLVER, FIRST_RECEIVER, COPIED: what the person is on it
    next_clock: ClockView | None  # the running or overdue clock due first


def roles_on(case: Case, person: str) -> tuple[str, ...]:
    """What `person` is on the case (empty: nothing)."""
    found = ((HANDLER, case.routing.handler), (RESOLVER, case.plan.resolver),
             (FIRST_RECEIVER, case.intake.first_receiver))
    roles = [role for role, name in found if name and name == person]
    if person in case.routing.copied:
        roles.append(COPIED)
    return tuple(roles)


def _json(path: str) -> str:
    return "$." + path


def next_clock(data: Mapping[str, Any], policy: Policy, cal: WorkCalendar, now: datetime) -> ClockView | None:
    running = [v for v in views(data, policy, cal, now) if v.state in ("running", "overdue")]
    return min(running, key=lambda v: v.due) if running else None


# The order of a page of work or of the board: the running clock due first (the read index's
# next_due_ts, policy.clocks.open_dues), cases with none last.
BY_NEXT_DUE = "next_due_ts IS NULL, next_due_ts, id"
PAGE = 50


def _mine_where(person: str) -> tuple[str, list[object]]:
    """SQL selecting exactly the not-yet-closed cases `person` is on (roles_on decides the roles)."""
    first = RECORD_FIELDS.index("first_receiver")
    where = (f"status IN ({','.join('?' * len(STILL_OPEN))}) AND (handler = ? "
             f"OR json_extract(record, '$[{first}]') = ? OR json_extract(doc, ?) = ? "
             "OR EXISTS (SELECT 1 FROM json_each(doc, ?) WHERE value = ?))")
    return where, [*STILL_OPEN, person, person, _json(F.PLAN_RESOLVER), person, _json(F.ROUTING_COPIED), person]


def my_work(idx: Index, policy: Policy, person: str, now: datetime, page: int = 0,
            size: int = PAGE) -> tuple[list[Work], bool]:
    """One page of the not-yet-closed cases `person` works on, the one whose clock falls due first
    first, and whether more follow: only the page's documents are decoded (a head copied on a
    thousand cases gets the first fifty at once; counting them all cost as much as the page)."""
    where, params = _mine_where(person)
    cal = WorkCalendar.from_policy(policy)
    out = []
    found = list(idx.iter_records(where, params, docs=True, order=BY_NEXT_DUE, limit=size + 1, offset=page * size))
    for r in found[:size]:
        roles = roles_on(Case.from_data(r.data, policy.tz), person)
        if roles:
            out.append(Work(r, roles, next_clock(r.data, policy, cal, now)))
    return out, len(found) > size


@dataclass(frozen=True)
class BoardRow:
    record: CaseRecord
    clock: ClockView
    sweep: str = ""  # what the next `sweep` does to the case (a reminder, an upgrade, R-DL-6/7), "" nothing


def board(idx: Index, policy: Policy, now: datetime, within: timedelta, unit: str | None = None,
          person: str | None = None, severity: str | None = None, overdue_only: bool = False,
          cases: int | None = None) -> tuple[list[BoardRow], int]:
    """Every running clock due within `within` and every overdue one (as `due` answers), with its
    case, filtered like `list`: by unit, handler, severity; soonest first. `cases`: only that many
    candidate cases, the soonest due first, are read; the second value is how many candidates
    there are in all (a superset: the filters narrow it)."""
    cal = WorkCalendar.from_policy(policy)
    stamps = idx.stamp_reader()  # as `due` answers: against the record; before the narrowing reads them
    where, params = due_where(now + within, now)
    for column, value in (("unit", unit), ("handler", person), ("severity", severity)):
        if value:
            where += f" AND {column} = ?"
            params.append(value)
    rows: list[BoardRow] = []
    for r in idx.iter_records(where, params, docs=True, order=BY_NEXT_DUE, limit=cases):
        clocks = [v for v in due_soon(r.data, policy, cal, now, within, stamps(r.id))
                  if not overdue_only or v.state == "overdue"]
        if not clocks:
            continue
        step = next_sweep_step(r.data, policy, cal, now)
        rows.extend(BoardRow(r, v, step.action if step is not None else "") for v in clocks)
    rows.sort(key=lambda b: (b.clock.due, b.record.id))
    return rows, idx.count(where, params)
