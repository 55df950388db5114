"""What each step of a case's life does to its document — pure functions, no I/O.

`lifecycle` runs one step against the repository (lock, validate, commit); the sample
generator and sync run the very same steps in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from complaintctl.errors import InvalidInput
from complaintctl.model import workflow
from complaintctl.model.case import new_document, stamp, timeline_entry, to_plain
from complaintctl.policy import clocks
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.repo.git import Identity

INVALID_REASONS = ("unverifiable", "contrary-to-fact", "out-of-scope", "unlawful")  # R-AS-1

Mutation = Callable[[CommentedMap], "CommentedMap | None"]


@dataclass(frozen=True)
class Intake:
    channel: str
    name: str
    contact: str
    complainant_class: str
    category: str
    subject: str
    details: str
    received_at: datetime
    severity: str = "general"
    location: str = ""
    address: str = ""
    first_receiver: str = ""
    accused_person: str = ""
    accused_unit: str = ""
    materials: Sequence[str] = field(default_factory=tuple)
    repeat_of: Sequence[str] = field(default_factory=tuple)  # R-AS-5: earlier cases this repeats


@dataclass(frozen=True)
class Step:
    """One change to a case: the action's name, the state it moves to (None: stays), the edit."""

    action: str
    dst: str | None
    mutate: Mutation
    note: str = ""
    detail: str = ""
    extra: Mapping[str, Any] | None = None


StepFor = Callable[[CommentedMap], Step]  # decides the step from the case as it is now


def _nothing(doc: CommentedMap) -> None:
    return None


def _section(doc: CommentedMap, key: str) -> CommentedMap:
    section = doc.get(key)
    if not isinstance(section, CommentedMap):
        section = CommentedMap()
        doc[key] = section
    return section


def build_case(policy: Policy, case_id: str, intake: Intake, now: datetime, actor: Identity) -> CommentedMap:
    """A new case document in state `received` with its intake timeline entry."""
    tz = policy.tz
    im = CommentedMap()
    im["received_at"] = stamp(intake.received_at.astimezone(tz))
    im["recorded_at"] = stamp(now.astimezone(tz))
    im["channel"] = intake.channel
    im["first_receiver"] = intake.first_receiver or actor.name  # R-IN-2
    im["complainant"] = CommentedMap(name=intake.name, **{"class": intake.complainant_class},
                                     contact=intake.contact, address=intake.address or None)
    im["location"] = intake.location or None
    im["subject"] = intake.subject
    im["details"] = intake.details
    im["materials"] = CommentedSeq(intake.materials)
    assessment = CommentedMap(category=intake.category, severity=intake.severity, valid=True,
                              repeat_of=CommentedSeq(intake.repeat_of))
    if intake.repeat_of:
        assessment["repeat"] = True  # R-AS-5: flagged, for senior staff
    accused = CommentedMap(person=intake.accused_person or None, unit=intake.accused_unit or None)
    doc = new_document(case_id, im, assessment, accused)
    doc["timeline"].append(timeline_entry(now, actor.name, "received", dst="received", note=intake.channel))
    refresh_clocks(doc, policy)
    return doc


def refresh_clocks(doc: CommentedMap, policy: Policy) -> None:
    """Store the case's SLA clocks as the policy computes them (R-IN-3, R-DL-1…5)."""
    computed = clocks.as_yaml(clocks.expected(doc, policy, WorkCalendar.from_policy(policy)))
    if not computed and "clocks" not in doc:
        return
    section = CommentedMap()
    for name, value in computed.items():
        # Block style, not `{due: …, done: …}`: libyaml (the fast reader) refuses a ':' inside
        # a flow scalar, so flow-style times would send every case file to the pure-Python
        # parser — about 4.5x slower cold reads (BENCHMARKS.md).
        section[name] = CommentedMap(value)
    if "clocks" in doc:
        doc["clocks"] = section
        return
    pos = list(doc).index("timeline") if "timeline" in doc else len(doc)
    doc.insert(pos, "clocks", section)
    doc.yaml_set_comment_before_after_key(
        "clocks", before="SLA clocks: due times computed from the policy (R-DL-*); the validator recomputes them")


def apply(doc: CommentedMap, step: Step, now: datetime, actor: Identity,
          policy: Policy) -> tuple[CommentedMap, str, str]:
    """Apply a step: legal-transition check, the edit, the timeline entry, and the clocks brought
    up to date (unless a hand `edit` changed them). Returns (doc, src, final)."""
    src = str(doc.get("status"))
    clocks_before = to_plain(doc.get("clocks"))
    # A step that names a state must move there: `reopen` on an open case, `wait` on a waiting one… are refused.
    if step.dst is not None and (step.dst == src or not workflow.is_legal(src, step.dst)):
        allowed = ", ".join(workflow.legal_targets(src)) or "nothing (final)"
        raise InvalidInput(f"{doc.get('id')}: cannot {step.action}: the case is {src} "
                           f"(R-WF: from {src} it may go to {allowed})")
    before = len(doc["timeline"]) if isinstance(doc.get("timeline"), list) else 0
    doc = step.mutate(doc) or doc  # an edit hands back a whole new document
    moved = step.dst is not None and step.dst != src
    if not isinstance(doc.get("timeline"), list):
        doc["timeline"] = CommentedSeq()
    # A hand edit may already record its status change in the entries it added: don't record it twice.
    recorded = moved and any(isinstance(e, dict) and e.get("to") == step.dst for e in doc["timeline"][before:])
    mark = moved and not recorded
    doc["timeline"].append(timeline_entry(now, actor.name, step.action, src=src if mark else None,
                                          dst=step.dst if mark else None, note=step.note, extra=step.extra))
    final = step.dst if moved and step.dst else src
    doc["status"] = final
    # A hand edit that touches the clocks keeps them as written, for the validator to judge.
    if step.action != "edit" or to_plain(doc.get("clocks")) == clocks_before:
        refresh_clocks(doc, policy)
    return doc, src, final


def assign(policy: Policy, handler: str, unit: str | None, copied: Sequence[str]) -> StepFor:
    def step_for(doc: CommentedMap) -> Step:
        def mutate(d: CommentedMap) -> None:
            routing = _section(d, "routing")
            category = policy.categories.get(str(d["assessment"].get("category")))
            # R-RT-1: the category's responsible unit, else the coordination centre.
            routing["unit"] = unit or (category.unit if category else policy.default_unit)
            routing["handler"] = handler
            routing["copied"] = CommentedSeq(copied)
            routing.setdefault("escalation_level", policy.escalation_chain[0])

        first = doc.get("status") == "received"
        return Step("assign" if first else "reassign", "assigned" if first else None, mutate,
                    detail=f"handler {handler}")

    return step_for


def plan(resolver: str, measures: str, due: date | datetime) -> StepFor:
    def step_for(doc: CommentedMap) -> Step:
        status = doc.get("status")
        if status not in ("assigned", "in_progress", "waiting"):
            raise InvalidInput(f"{doc.get('id')}: cannot plan: the case is {status} (R-IN-4: plan after assign)")

        def mutate(d: CommentedMap) -> None:
            p = _section(d, "plan")
            p["resolver"], p["measures"] = resolver, measures
            p["due"] = stamp(due) if isinstance(due, datetime) else due

        first = status == "assigned"
        return Step("plan" if first else "replan", "in_progress" if first else None, mutate, detail=measures)

    return step_for


def note(text: str, contact: bool) -> StepFor:
    # R-RT-4: contacts with the customer are recorded as such.
    return lambda doc: Step("contact" if contact else "note", None, _nothing, note=text)


def wait(reason: str) -> StepFor:
    return lambda doc: Step("wait", "waiting", _nothing, note=reason)


def resume(text: str) -> StepFor:
    return lambda doc: Step("resume", "in_progress", _nothing, note=text)


def resolve(outcome: str, summary: str, now: datetime, actor: Identity, compensation: float | None = None,
            responsible: str = "", share: float | None = None, loss: float | None = None) -> StepFor:
    def mutate(doc: CommentedMap) -> None:
        r = CommentedMap()
        r["at"], r["by"] = stamp(now), actor.name
        r["outcome"], r["summary"] = outcome, summary
        r["compensation"] = compensation  # R-CL-2
        r["responsible"] = responsible or None
        r["share"] = share
        r["loss"] = loss
        doc["resolution"] = r
        # R-CL-1: a new resolution awaits a new revisit (the old one stays in the timeline).
        doc.pop("revisit", None)

    return lambda doc: Step("resolve", "resolved", mutate, detail=summary)


def revisit(satisfaction: str, comment: str, confirmed: bool, now: datetime, actor: Identity) -> StepFor:
    if satisfaction not in workflow.SATISFACTION:
        raise InvalidInput(f"--satisfaction: {satisfaction!r} is not one of {', '.join(workflow.SATISFACTION)}")

    def step_for(doc: CommentedMap) -> Step:
        if doc.get("status") != "resolved":
            raise InvalidInput(f"{doc.get('id')}: cannot revisit: the case is {doc.get('status')} "
                               "(R-CL-1: revisit after resolve)")

        def mutate(d: CommentedMap) -> None:
            v = CommentedMap()
            v["at"], v["by"] = stamp(now), actor.name
            v["satisfaction"], v["comment"] = satisfaction, comment or None
            v["confirmed_by_customer"] = confirmed  # R-CL-4
            d["revisit"] = v

        # R-CL-1: a dissatisfied customer reopens the case (closed loop).
        dst = "in_progress" if satisfaction == "dissatisfied" else None
        return Step("revisit", dst, mutate, note=comment, detail=f"satisfaction {satisfaction}",
                    extra={"satisfaction": satisfaction})

    return step_for


def close(root_cause: str, lesson: str, preventive_action: str, late_reason: str, now: datetime,
          actor: Identity) -> StepFor:
    def mutate(doc: CommentedMap) -> None:
        c = CommentedMap()
        c["at"], c["by"] = stamp(now), actor.name
        c["root_cause"] = root_cause
        c["preventive_action"] = preventive_action or None  # R-RT-6
        c["lesson"] = lesson or None
        c["late_reason"] = late_reason or None  # R-DL-7
        doc["closing"] = c

    return lambda doc: Step("close", "closed", mutate, detail=root_cause)


def reopen(reason: str) -> StepFor:
    def mutate(doc: CommentedMap) -> None:
        doc.pop("closing", None)

    return lambda doc: Step("reopen", "in_progress", mutate, note=reason)


def mark_invalid(reason: str, reply: str, actor: Identity) -> StepFor:
    if reason not in INVALID_REASONS:
        raise InvalidInput(f"--reason: {reason!r} is not one of {', '.join(INVALID_REASONS)} (R-AS-1)")

    def mutate(doc: CommentedMap) -> None:
        a = _section(doc, "assessment")
        a["valid"] = False
        a["invalid_reason"] = reason
        a["reply"] = reply  # R-AS-1: an invalid case still gets a reasoned reply
        a["decided_by"] = actor.name

    return lambda doc: Step("invalid", "invalid", mutate, note=reply, detail=reason)
