"""What each page shows, built from the functions the commands use: the case as `show` shows it
(reporting.queries: its file read by ID, its fields and timeline in the office's words), its
clocks as `show`/`due` judge them (handling.deadlines.views, policy.clocks.state_at), the
commits naming it (the read index's copy of git's log), the steps the policy lets this person
take (handling.offered)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl import labels
from complaintctl.handling.deadlines import ClockView, views
from complaintctl.handling.offered import offered, running_clocks
from complaintctl.handling.worklist import BoardRow, Work
from complaintctl.model.snapshot import Case
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.repo import index
from complaintctl.repo.git import CaseCommit, Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import queries


@dataclass(frozen=True)
class ClockRow:
    name: str
    due: str
    done: str
    state: str  # the state's key (for styling)
    state_label: str
    left: str


def clock_rows(found: list[ClockView], policy: Policy) -> list[ClockRow]:
    states = labels.words(policy.language, labels.CLOCK_STATES)
    tz = policy.tz
    return [ClockRow(labels.label(policy.language, v.clock), v.due.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                     v.done.astimezone(tz).strftime("%Y-%m-%d %H:%M") if v.done else "", v.state,
                     states.get(v.state, v.state), v.left) for v in found]


@dataclass(frozen=True)
class CasePage:
    id: str
    status: str
    status_label: str
    subject: str
    fields: list[tuple[str, str]]
    timeline_headers: list[str]
    timeline: list[list[str]]
    clocks: list[ClockRow]
    commits: list[tuple[str, CaseCommit]]  # (when on the office's clock, the commit)
    actions: tuple[str, ...]
    running: tuple[str, ...] = ()  # the clocks not yet stopped, which a deadline step may name


def case_page(ws: Workspace, case_id: str, me: Identity, now: datetime) -> CasePage:
    data = queries.case_data(ws, case_id)  # the same read `show` makes: this person sees what show shows
    policy = ws.policy
    case = Case.from_data(data, policy.tz)
    found = views(data, policy, WorkCalendar.from_policy(policy), now)
    statuses = labels.words(policy.language, labels.STATUSES)
    log = index.open_log(ws)  # who committed what, from the index's copy of git's log
    try:
        commits = [(datetime.fromisoformat(c.when).astimezone(policy.tz).strftime("%Y-%m-%d %H:%M"), c)
                   for c in log.commits_of(case.id)]
    finally:
        log.close()
    return CasePage(case.id, case.status, statuses.get(case.status, case.status), case.intake.subject,
                    queries.case_fields(data, policy), queries.timeline_headers(), queries.timeline_rows(data, policy),
                    clock_rows(found, policy), commits, offered(data, case.status, policy, me),
                    running_clocks(data, policy.tz))


@dataclass(frozen=True)
class WorkRow:
    id: str
    subject: str
    status: str
    roles: tuple[str, ...]
    clock: ClockRow | None
    actions: tuple[str, ...]


def work_rows(found: list[Work], policy: Policy, me: Identity) -> list[WorkRow]:
    statuses = labels.words(policy.language, labels.STATUSES)
    out = []
    for w in found:
        r = w.record
        clock = clock_rows([w.next_clock], policy)[0] if w.next_clock else None
        out.append(WorkRow(r.id, r.subject, statuses.get(r.status, r.status), w.roles, clock,
                           offered(r.data, r.status, policy, me)))
    return out


@dataclass(frozen=True)
class BoardLine:
    id: str
    subject: str
    unit: str
    handler: str
    severity: str
    clock: ClockRow
    sweep: str  # what the next sweep does, in the office's words ("" nothing)


def board_lines(rows: list[BoardRow], policy: Policy) -> list[BoardLine]:
    units, sevs = policy.labels("units"), policy.labels("severities")
    acts = labels.words(policy.language, labels.ACTIONS)
    return [BoardLine(b.record.id, b.record.subject, units.get(b.record.unit, b.record.unit), b.record.handler,
                      sevs.get(b.record.severity, b.record.severity), clock_rows([b.clock], policy)[0],
                      acts.get(b.sweep, b.sweep))
            for b in rows]


def grouped(lines: list[BoardLine], by: str) -> list[tuple[str, list[BoardLine]]]:
    groups: dict[str, list[BoardLine]] = {}
    for line in lines:
        groups.setdefault(line.unit if by == "unit" else line.handler, []).append(line)
    return sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))


def action_words(policy: Policy) -> dict[str, Any]:
    return labels.words(policy.language, labels.ACTIONS)
