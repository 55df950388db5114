"""The intake form: its fields from the policy's vocabularies (channels, complainant classes,
categories, severities, units, incidents), the warnings as the person types (R-AS-5 repeats,
R-AS-3 incidents), and the record itself through `lifecycle.receive`, as `new` records it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from complaintctl.errors import InvalidInput
from complaintctl.handling import lifecycle, steps
from complaintctl.i18n import N_, _
from complaintctl.model.timeparse import parse_when
from complaintctl.policy import vocabularies
from complaintctl.repo import index
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import knowledge
from complaintctl.reporting.knowledge import RepeatMatch
from complaintctl.web.actions import AREA, CHOICE, TEXT, Field

FIELDS: tuple[Field, ...] = (
    Field("channel", N_("Channel"), CHOICE, "channels"),
    Field("name", N_("Complainant name")),
    Field("contact", N_("Contact (phone/email)")),
    Field("complainant_class", N_("Complainant class"), CHOICE, "complainant_classes"),
    Field("category", N_("Category"), CHOICE, "categories"),
    Field("subject", N_("Subject")),
    Field("details", N_("Details"), AREA),
    Field("severity", N_("Severity"), CHOICE, "severities"),
    Field("location", N_("Location"), TEXT, required=False),
    Field("address", N_("Complainant's address"), TEXT, required=False),
    Field("accused", N_("The person complained about"), TEXT, required=False),
    Field("accused_unit", N_("The unit complained about"), CHOICE, "units", required=False),
    Field("received_at", N_("Received at (empty: now)"), TEXT, required=False),
)


def _value(values: Mapping[str, str], name: str) -> str:
    return values.get(name, "").replace("\r\n", "\n").strip()


def intake_of(ws: Workspace, values: Mapping[str, str], now: datetime, check: bool = True) -> lifecycle.Intake:
    """The complaint the form describes; `check`: every required field present (R-IN-1)."""
    v: dict[str, str] = {}
    for f in FIELDS:
        text = _value(values, f.name)
        if check and f.required and not text:
            raise InvalidInput(_("{field} is required (R-IN-1)").format(field=_(f.label)))
        if f.kind == CHOICE and text:
            text = vocabularies.key_for(ws.policy, f.vocabulary, text, _(f.label))
        v[f.name] = text
    received = parse_when(v["received_at"], ws.policy.tz, _(FIELDS[-1].label)) if v["received_at"] else now
    return lifecycle.Intake(
        channel=v["channel"], name=v["name"], contact=v["contact"], complainant_class=v["complainant_class"],
        category=v["category"], subject=v["subject"], details=v["details"], received_at=received,
        severity=v["severity"] or "general", location=v["location"], address=v["address"],
        accused_person=v["accused"], accused_unit=v["accused_unit"])


@dataclass(frozen=True)
class Warnings:
    repeats: list[RepeatMatch]
    incident: str  # the incident kind's label the text reads as ("" none), with its severity


def warnings(ws: Workspace, values: Mapping[str, str], now: datetime) -> Warnings:
    """What `new` would warn about for the form as typed so far: the same repeat search
    `lifecycle.receive` runs (R-AS-5) and the same incident reading (R-AS-3)."""
    intake = intake_of(ws, values, now, check=False)
    repeats: list[RepeatMatch] = []
    if intake.name or intake.contact or intake.subject:
        folders = knowledge.repeat_folders(intake.received_at.astimezone(ws.policy.tz))
        idx = index.open_index(ws, progress=False)
        try:
            recent = knowledge.repeat_candidates(idx, folders, intake.name, intake.contact, intake.subject)
            repeats = knowledge.find_repeats(recent, intake.name, intake.contact, intake.subject, intake.received_at)
        finally:
            idx.close()
    found = steps.suggested_incident(ws.policy, intake)
    incident = ""
    if found is not None:
        incident = f"{found.text(ws.policy.language)} ({ws.policy.label('severities', found.severity)})"
    return Warnings(repeats, incident)


def record(ws: Workspace, values: Mapping[str, str], now: datetime,
           actor: Identity) -> tuple[lifecycle.Result, list[RepeatMatch]]:
    """Record the complaint as `new` does: the incident the person chose, declined (with the
    reason; approvals.decline-incident) or, unsaid, the one the text reads as (R-AS-3)."""
    intake = intake_of(ws, values, now)
    kind = _value(values, "incident") or None
    declined = bool(_value(values, "no_incident"))
    intake = steps.incident_choice(ws.policy, intake, kind, declined, _value(values, "reason"))
    return lifecycle.receive(ws, intake, now, actor)
