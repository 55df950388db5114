"""The typed case: a frozen snapshot of one case file, built once from the strict reader's output.

Like git-bug's `Snapshot`, it answers what the case *is* now; rules, views and the read index ask
it instead of reaching into the mapping with field paths. Writes still go through the round-trip
document (model.case) so comments and key order survive.

The questions that several views used to answer each in their own way are answered here once:
- the *current* resolution, revisit and closing: after a reopen (R-CL-1) the old ones stay in the
  file as history but no view shows them as the case's outcome;
- the status at a moment, rebuilt from the timeline;
- the plan's due time as it stands: an approved extension (R-DL-2) or an upgrade's recorded limit
  (R-DL-6) moves the resolution clock, and the plan's due shown is that clock's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get

FINISHED = frozenset({"resolved", "closed"})  # a resolution stands only while the case is in one of these


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value if v) if isinstance(value, list) else ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One timeline entry: who did what when, and the status change it made (if any)."""

    at: datetime | None
    by: str
    action: str
    src: str  # the entry's `from:` ("" when it moved no status)
    dst: str  # its `to:`
    note: str
    raw: Mapping[str, Any]

    def get(self, key: str) -> Any:
        return self.raw.get(key)


@dataclass(frozen=True, slots=True)
class Complainant:
    name: str
    klass: str
    contact: str
    address: str
    lookup: tuple[str, ...] = ()  # R-AS-5 with privacy: blind-index lookups (privacy/blindindex.py)
    anonymous: bool = False  # R-IN-1: no name, no contact, where the policy takes it


@dataclass(frozen=True, slots=True)
class Intake:
    received_at: datetime | None
    recorded_at: datetime | None
    channel: str
    first_receiver: str
    complainant: Complainant
    location: str
    subject: str
    details: str
    # written by `import` (intake.source: the file and row, or the Message-ID): its receipt and
    # intake entry are the source's claims, which no witness saw (docs/design/recorded-time.md)
    imported: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    category: str
    severity: str
    valid: bool
    repeat: bool  # a repeat complaint (R-AS-5): linked to earlier cases or marked so
    repeat_of: tuple[str, ...]
    incident: str
    decided_by: str


@dataclass(frozen=True, slots=True)
class Accused:
    person: str
    unit: str


@dataclass(frozen=True, slots=True)
class Routing:
    unit: str
    handler: str
    copied: tuple[str, ...]
    escalation_level: str


@dataclass(frozen=True, slots=True)
class Plan:
    resolver: str
    measures: str
    due: datetime | None  # as written by the plan (a bare date: the end of that day)


@dataclass(frozen=True, slots=True)
class Resolution:
    at: datetime | None
    by: str
    outcome: str
    summary: str


@dataclass(frozen=True, slots=True)
class Revisit:
    at: datetime | None
    by: str
    satisfaction: str
    comment: str


@dataclass(frozen=True, slots=True)
class Closing:
    at: datetime | None
    by: str
    root_cause: str
    preventive_action: str
    lesson: str
    late_reason: str


@dataclass(frozen=True, slots=True)
class StoredClock:
    """A clock as the case file stores it (`clocks:`); policy.clocks recomputes and judges it."""

    name: str
    due: datetime | None
    done: datetime | None


@dataclass(frozen=True, slots=True)
class Case:
    """A case as it stands. `data` keeps the plain mapping it was built from (for the writers and
    the checks that walk the raw shape)."""

    id: str
    status: str
    intake: Intake
    assessment: Assessment
    accused: Accused
    routing: Routing
    plan: Plan
    resolution: Resolution | None  # as written; `current_resolution` is what views show
    revisit: Revisit | None
    closing: Closing | None
    clocks: tuple[StoredClock, ...]
    timeline: tuple[Entry, ...]
    data: Mapping[str, Any]

    @property
    def office(self) -> str:
        return self.id.split("-")[0]

    @property
    def current_resolution(self) -> Resolution | None:
        """The resolution the case stands on: none while it is open again after a reopen."""
        return self.resolution if self.status in FINISHED and self.resolution is not None else None

    @property
    def current_revisit(self) -> Revisit | None:
        """The revisit of the current resolution (one made before a reopen is history)."""
        res, rev = self.current_resolution, self.revisit
        if res is None or rev is None or rev.at is None or (res.at is not None and rev.at < res.at):
            return None
        return rev

    @property
    def current_closing(self) -> Closing | None:
        return self.closing if self.status == "closed" else None

    def clock(self, name: str) -> StoredClock | None:
        return next((c for c in self.clocks if c.name == name), None)

    @property
    def plan_due(self) -> datetime | None:
        """The plan's time limit as it stands: the resolution clock's due where the policy runs
        one from the plan (an approved extension moves it, R-DL-2), else the plan's own."""
        clock = self.clock("resolution")
        return clock.due if clock is not None and clock.due is not None else self.plan.due

    def status_at(self, moment: datetime) -> str | None:
        """The status at `moment` from the timeline; None if not yet received then."""
        received = self.intake.received_at
        if received is None or received >= moment:
            return None
        for entry in reversed(self.timeline):
            if entry.dst and entry.at is not None and entry.at < moment:
                return entry.dst
        return "received"

    def entries(self, *actions: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.timeline if e.action in actions)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], tz: tzinfo) -> Case:
        """The snapshot of a mapping the strict reader accepted (or a part of one: what a
        section lacks reads as empty)."""
        # Each section is looked up once and its fields read by key (a report or `due` builds
        # thousands of these): the keys are the last parts of the paths in model.fields.
        intake, assessment, accused = _sec(data, F.INTAKE), _sec(data, F.ASSESSMENT), _sec(data, F.ACCUSED)
        routing, plan = _sec(data, F.ROUTING), _sec(data, F.PLAN)
        complainant = _sec(intake, "complainant")
        res, rev, clo = data.get(F.RESOLUTION), data.get(F.REVISIT), data.get(F.CLOSING)
        repeat_of = assessment.get("repeat_of")
        repeat_ids = tuple(str(r) for r in repeat_of if r) if isinstance(repeat_of, list) else ()
        copied = routing.get("copied")
        clocks = data.get(F.CLOCKS)
        timeline = data.get(F.TIMELINE)
        return cls(
            id=_text(data.get(F.ID)), status=_text(data.get(F.STATUS)),
            intake=Intake(
                received_at=as_datetime(intake.get("received_at"), tz),
                recorded_at=as_datetime(intake.get("recorded_at"), tz),
                channel=_text(intake.get("channel")), first_receiver=_text(intake.get("first_receiver")),
                complainant=Complainant(_text(complainant.get("name")), _text(complainant.get("class")),
                                        _text(complainant.get("contact")), _text(complainant.get("address")),
                                        _texts(complainant.get("lookup")),
                                        complainant.get("anonymous") is True),
                location=_text(intake.get("location")), subject=_text(intake.get("subject")),
                details=_text(intake.get("details")), imported=bool(intake.get("source"))),
            assessment=Assessment(
                category=_text(assessment.get("category")), severity=_text(assessment.get("severity")),
                valid=assessment.get("valid") is not False,
                repeat=bool(repeat_ids) or assessment.get("repeat") is True, repeat_of=repeat_ids,
                incident=_text(assessment.get("incident")), decided_by=_text(assessment.get("decided_by"))),
            accused=Accused(_text(accused.get("person")), _text(accused.get("unit"))),
            routing=Routing(_text(routing.get("unit")), _text(routing.get("handler")),
                            tuple(str(c) for c in copied if c) if isinstance(copied, list) else (),
                            _text(routing.get("escalation_level"))),
            plan=Plan(_text(plan.get("resolver")), _text(plan.get("measures")), due(plan.get("due"), tz)),
            resolution=Resolution(as_datetime(res.get("at"), tz), _text(res.get("by")), _text(res.get("outcome")),
                                  _text(res.get("summary"))) if isinstance(res, Mapping) else None,
            revisit=Revisit(as_datetime(rev.get("at"), tz), _text(rev.get("by")), _text(rev.get("satisfaction")),
                            _text(rev.get("comment"))) if isinstance(rev, Mapping) else None,
            closing=Closing(as_datetime(clo.get("at"), tz), _text(clo.get("by")), _text(clo.get("root_cause")),
                            _text(clo.get("preventive_action")), _text(clo.get("lesson")),
                            _text(clo.get("late_reason"))) if isinstance(clo, Mapping) else None,
            clocks=tuple(StoredClock(str(name), as_datetime(c.get("due"), tz), as_datetime(c.get("done"), tz))
                         for name, c in clocks.items() if isinstance(c, Mapping))
            if isinstance(clocks, Mapping) else (),
            timeline=tuple(_entry(e, tz) for e in timeline if isinstance(e, Mapping))
            if isinstance(timeline, list) else (),
            data=data,
        )


_EMPTY: Mapping[str, Any] = {}


def _sec(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else _EMPTY


def due(value: Any, tz: tzinfo) -> datetime | None:
    """A time limit: a bare date means the end of that day (R-IN-4), written as a date or as
    its ISO text (the read index stores text)."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return None
    return as_datetime(value, tz)


def _entry(e: Mapping[str, Any], tz: tzinfo) -> Entry:
    return Entry(as_datetime(e.get("at"), tz), _text(e.get("by")), _text(e.get("action")),
                 _text(e.get("from")), _text(e.get("to")), _text(e.get("note")), e)


@dataclass(frozen=True)
class CaseRecord:
    """The flat, read-only view of a case that lists and reports work from."""

    id: str
    path: str
    status: str
    office: str
    received_at: str
    channel: str
    complainant_class: str
    category: str
    severity: str
    unit: str
    handler: str
    first_receiver: str
    subject: str
    valid: bool
    repeat_of: tuple[str, ...]
    resolved_at: str
    closed_at: str
    satisfaction: str
    data: Mapping[str, Any]
    # R-AS-5 repeat checks read these for every recent case: kept flat, like the rest.
    complainant_name: str = ""
    complainant_contact: str = ""
    repeat: bool = False  # R-AS-5: linked to earlier cases or marked a repeat (Assessment.repeat)
    complainant_lookup: tuple[str, ...] = ()  # R-AS-5 when name and contact are encrypted

    @classmethod
    def from_data(cls, data: Mapping[str, Any], path: str) -> CaseRecord:
        return cls.from_case(Case.from_data(data, UTC), path)

    @classmethod
    def from_case(cls, case: Case, path: str) -> CaseRecord:
        """The flat excerpt of a case; resolved, revisited and closed are the case's current
        ones (Case.current_*), so a reopened case lists no outcome. Times stay as written."""
        data = case.data

        def s(p: str) -> str:
            v = get(data, p)
            return "" if v is None else str(v)

        res, rev, closing = case.current_resolution, case.current_revisit, case.current_closing
        return cls(
            id=case.id, path=path, status=case.status, office=case.office,
            received_at=s(F.INTAKE_RECEIVED_AT), channel=case.intake.channel,
            complainant_class=case.intake.complainant.klass, category=case.assessment.category,
            severity=case.assessment.severity, unit=case.routing.unit, handler=case.routing.handler,
            first_receiver=case.intake.first_receiver, subject=case.intake.subject,
            valid=case.assessment.valid, repeat_of=case.assessment.repeat_of,
            resolved_at=s(F.RESOLUTION_AT) if res is not None else "",
            closed_at=s(F.CLOSING_AT) if closing is not None else "",
            satisfaction=rev.satisfaction if rev is not None else "", data=data,
            complainant_name=case.intake.complainant.name, complainant_contact=case.intake.complainant.contact,
            repeat=case.assessment.repeat, complainant_lookup=case.intake.complainant.lookup,
        )

    def received(self, tz: tzinfo) -> datetime:
        moment = as_datetime(self.received_at, tz)
        assert moment is not None, self.id
        return moment
