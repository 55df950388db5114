"""One sample case taken through the real steps, in office hours on the office's working
calendar, checked by the shared validator after each step (the CLI's and the hooks' judgement)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import ValidationFailed
from complaintctl.handling import deadlines, steps
from complaintctl.handling.lifecycle import step_message
from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Person, Policy
from complaintctl.repo.git import Identity
from complaintctl.rules.context import Commit
from complaintctl.rules.deadlines import missed_resolution
from complaintctl.rules.validate import check_case
from complaintctl.sample.cast import identity

OPEN, CLOSE = time(8, 30), time(18, 0)
Dump = Callable[[CommentedMap], str]


@dataclass(frozen=True)
class Version:
    """One step of a case's history: when, by whom, the commit message, the file's text."""

    at: datetime
    name: str
    email: str
    message: str
    text: str
    action: str = ""


class Stop(Exception):
    """The next step would fall after the end of the range: the case stays as it is."""


def office_hours(t: datetime, rng: random.Random, cal: WorkCalendar) -> datetime:
    """Staff act in working hours on the office's working days (holidays off, make-up Saturdays
    on: the policy's calendar): nights and days off move to the next working morning."""
    while True:
        if not cal.is_working_day(t.date()):
            t = datetime.combine(cal.next_working_day(t.date()), OPEN, t.tzinfo)
        elif t.time() < OPEN:
            return datetime.combine(t.date(), OPEN, t.tzinfo) + timedelta(minutes=rng.randint(0, 60))
        elif t.time() > CLOSE:
            t = datetime.combine(t.date() + timedelta(days=1), OPEN, t.tzinfo)
        else:
            return t


def add_working_days(d: date, n: int, cal: WorkCalendar) -> date:
    for _ in range(n):
        d = cal.next_working_day(d)
    return d


def _snapshot(value: Any) -> Any:
    """A plain copy (dicts, lists, scalars) — what the validator sees after a YAML round trip."""
    if isinstance(value, Mapping):
        return {str(k): _snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return value


class Life:
    """One case being taken through its steps, validated after each."""

    def __init__(self, policy: Policy, relpath: str, doc: CommentedMap, moment: datetime, end: datetime,
                 rng: random.Random, dump: Dump | None = None, first: Version | None = None) -> None:
        self.policy, self.relpath, self.doc = policy, relpath, doc
        self.moment, self.end, self.rng = moment, end, rng
        self.cal = WorkCalendar.from_policy(policy)
        self.previous: dict[str, Any] | None = None
        self.dump = dump  # set: record every version (the case's history)
        self.versions: list[Version] = []
        entry = doc["timeline"][0]
        self._check(moment, Identity(str(entry["by"]), ""))
        if dump is not None and first is not None:
            self.versions.append(replace(first, text=dump(doc)))

    def _check(self, now: datetime, actor: Identity) -> None:
        data = _snapshot(self.doc)
        # The ledger: each step is its actor's, judged as the hooks judge a commit.
        findings = check_case(self.relpath, data, self.previous, self.policy, now, Commit(actor, self.policy))
        if findings:  # a generator bug: the sample must be a valid record
            raise ValidationFailed(list(findings))
        self.previous = data

    def at(self, lo: int, hi: int) -> datetime:
        """The moment of the next step, lo..hi minutes on, in office hours; _Stop past the end."""
        t = office_hours(self.moment + timedelta(minutes=self.rng.randint(lo, hi)), self.rng, self.cal)
        if t > self.end:
            raise Stop
        return t

    def do(self, lo: int, hi: int, who: Person, make: Callable[[datetime, Identity], steps.StepFor]) -> datetime:
        t = self.at(lo, hi)
        actor = identity(who)
        step = make(t, actor)(self.doc)
        upgraded = deadlines.upgrade_first(self.doc, step.action, t, actor, self.policy)  # R-DL-6, as the CLI
        self.doc, src, final = steps.apply(self.doc, step, t, actor, self.policy)  # clocks too
        self.moment = t
        self._check(t, actor)
        if self.dump is not None:  # the commit `lifecycle.change` would make for this step
            message = step_message(self.policy, str(self.doc["id"]), step, src, final, upgraded)
            self.versions.append(Version(t, actor.name, actor.email, message, self.dump(self.doc), step.action))
        return t


def within_limit(doc: CommentedMap, day: date, policy: Policy, cal: WorkCalendar) -> date | datetime:
    """The plan's time limit, no later than the limit a plan may set (R-DL-1; later is an
    extension, R-DL-2): the resolution clock's, or for a first plan the policy's `at_most`."""
    due = clocks.plan_limit(Case.from_data(doc, cal.tz), policy, cal)
    if isinstance(due, datetime) and datetime.combine(day, time(23, 59, 59), due.tzinfo) > due:
        return datetime(due.year, due.month, due.day, due.hour, due.minute, due.second, tzinfo=due.tzinfo)
    return day


def late_reason(doc: CommentedMap, closing: datetime, policy: Policy, cal: WorkCalendar) -> str:
    """R-DL-7: a case closed after its resolution deadline says why (rules.deadlines decides)."""
    expected = clocks.expected(Case.from_data(doc, cal.tz), policy, cal)
    return "超出处理时限:需协调第三方配合,已向客户说明" if missed_resolution(expected, closing) else ""
