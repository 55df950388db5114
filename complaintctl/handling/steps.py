"""What each step of a case's life does to its document — pure functions, no I/O.

`lifecycle` runs one step against the repository (lock, validate, commit); the sample
generator and sync run the very same steps in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from complaintctl import labels
from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.case import get, new_document, stamp, timeline_entry, to_plain
from complaintctl.model.ids import parse_case_id
from complaintctl.model.timeparse import parse_when
from complaintctl.policy import staff, vocabularies
from complaintctl.policy.authority import VOUCH_LATE, Incident, matching_incidents, severity_rank
from complaintctl.policy.policy import Policy
from complaintctl.repo.git import Identity
from complaintctl.repo.messages import Said, said
from complaintctl.rules import amounts, effects
from complaintctl.rules.recusal import is_accused

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
    incident: str = ""  # R-AS-3: the incident kind, "none" when declined, "" when nothing matched
    declined: Sequence[str] = field(default_factory=tuple)  # R-AS-3: the incident kinds declined ...
    decline_reason: str = ""  # ... and why (recorded in the intake entry with the decider's role)
    # where an imported case came from ({file, row, key} or {file, message_id}), and the
    # files kept under materials/YYYY/MM/ID/ ({file, sha256, size, type}), both fixed at intake
    source: Mapping[str, Any] = field(default_factory=dict)
    attachments: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    anonymous: bool = False  # R-IN-1: no name, no contact (the policy's `anonymous: true`) ...
    anonymous_reason: str = ""  # ... and why


@dataclass(frozen=True)
class Step:
    """One change to a case: the action's name, the state it moves to (None: stays), the edit."""

    action: str
    dst: str | None
    mutate: Mutation | None = None  # None: the entry's own effect (rules.effects); `edit` hands a document
    note: str = ""
    detail: str | Said = ""  # free text, or what the step did in keys (worded in its commit, repo.messages)
    extra: Mapping[str, Any] | None = None


StepFor = Callable[[CommentedMap], Step]  # decides the step from the case as it is now


def _text(value: str, option: str, rule: str) -> str:
    """Text a rule asks for must be real text, not only spaces."""
    if not value or not value.strip():
        raise InvalidInput(f"{option}: {rule}: " + _("required (real text, not only spaces)"))
    return value


def _amount(value: float | None, option: str, share: bool = False) -> float | None:
    """R-CL-2: an amount (or, with `share`, a share of responsibility) in its range (rules.amounts)."""
    if value is None:
        return None
    message = amounts.share_problem(value) if share else amounts.amount_problem(value)
    if message is not None:
        raise InvalidInput(f"{option}: R-CL-2: {message}")
    return value


def build_case(policy: Policy, case_id: str, intake: Intake, now: datetime, actor: Identity) -> CommentedMap:
    """A new case document in state `received` with its intake timeline entry."""
    tz = policy.tz
    im = CommentedMap()
    im["received_at"] = stamp(intake.received_at.astimezone(tz))
    im["recorded_at"] = stamp(now.astimezone(tz))
    im["channel"] = intake.channel
    im["first_receiver"] = intake.first_receiver or actor.name  # R-IN-2
    if intake.anonymous:  # R-IN-1: the rules judge whether the policy takes it, and the reason
        im["complainant"] = CommentedMap(**{"class": intake.complainant_class}, address=intake.address or None,
                                         anonymous=True, anonymous_reason=intake.anonymous_reason)
    else:
        im["complainant"] = CommentedMap(name=intake.name, **{"class": intake.complainant_class},
                                         contact=intake.contact, address=intake.address or None)
    im["location"] = intake.location or None
    im["subject"] = intake.subject
    im["details"] = intake.details
    im["materials"] = CommentedSeq(intake.materials)
    if intake.attachments:
        im["attachments"] = CommentedSeq(CommentedMap(a) for a in intake.attachments)
    if intake.source:
        im["source"] = CommentedMap(intake.source)
    assessment = CommentedMap(category=intake.category, severity=intake.severity, valid=True,
                              repeat_of=CommentedSeq(intake.repeat_of))
    if intake.repeat_of:
        assessment["repeat"] = True  # R-AS-5: flagged, for senior staff
    if intake.incident:
        assessment["incident"] = intake.incident  # R-AS-3
    accused = CommentedMap(person=intake.accused_person or None, unit=intake.accused_unit or None)
    doc = new_document(case_id, im, assessment, accused)
    extra: dict[str, Any] = {}
    if intake.declined:  # R-AS-3: a decision that sets the rule aside records its role and reason
        role = policy.authority.role_for(policy.roles_of(actor.name, actor.email), "decline-incident")
        extra = {"declined": CommentedSeq(intake.declined), "role": role, "reason": intake.decline_reason or None}
        extra = {k: v for k, v in extra.items() if v is not None}  # what is missing, the ledger names
    doc["timeline"].append(timeline_entry(now, actor.name, "received", dst="received", note=intake.channel,
                                          extra=extra))
    refresh_clocks(doc, policy)
    return doc


def refresh_clocks(doc: CommentedMap, policy: Policy) -> None:
    """Store the case's SLA clocks as the policy computes them (R-IN-3, R-DL-1…6)."""
    effects.refresh_clocks(doc, policy)


def apply(doc: CommentedMap, step: Step, now: datetime, actor: Identity,
          policy: Policy) -> tuple[CommentedMap, str, str]:
    """Apply a step: legal-transition check, its timeline entry and what that entry does
    (rules.effects, the very function the validator replays), and the clocks brought up to
    date (unless a hand `edit` changed them). Returns (doc, src, final)."""
    src = str(doc.get("status"))
    clocks_before = to_plain(doc.get("clocks"))
    # A step that names a state must move there: `reopen` on an open case, `wait` on a waiting one… are refused.
    if step.dst is not None and (step.dst == src or not workflow.is_legal(src, step.dst)):
        allowed = labels.status_list(workflow.legal_targets(src)) or _("nothing (final)")
        raise InvalidInput(_("{case}: cannot {action}: the case is {src} (R-WF: from {src} it may go to {allowed})")
                           .format(case=doc.get("id"), action=labels.action_word(step.action),
                                   src=labels.status_word(src), allowed=allowed))
    before = len(doc["timeline"]) if isinstance(doc.get("timeline"), list) else 0
    moved = step.dst is not None and step.dst != src
    if step.mutate is not None:
        doc = step.mutate(doc) or doc  # an edit hands back a whole new document
    if not isinstance(doc.get("timeline"), list):
        doc["timeline"] = CommentedSeq()
    # A hand edit may already record its status change in the entries it added: don't record it twice.
    recorded = moved and any(isinstance(e, dict) and e.get("to") == step.dst for e in doc["timeline"][before:])
    mark = moved and not recorded
    entry = timeline_entry(now, actor.name, step.action, src=src if mark else None,
                           dst=step.dst if mark else None, note=step.note, extra=step.extra)
    if step.mutate is None:
        effects.apply_entry(doc, entry, policy)
    doc["timeline"].append(entry)
    final = step.dst if moved and step.dst else src
    doc["status"] = final
    # A hand edit that touches the clocks keeps them as written, for the validator to judge.
    if step.action != "edit" or to_plain(doc.get("clocks")) == clocks_before:
        refresh_clocks(doc, policy)
    return doc, src, final


def assign(policy: Policy, handler: str, unit: str | None, copied: Sequence[str]) -> StepFor:
    _text(handler, "--handler", "R-RT-2")

    def step_for(doc: CommentedMap) -> Step:
        category = policy.categories.get(str(doc["assessment"].get("category")))
        # R-RT-1: the category's responsible unit, else the coordination centre.
        chosen = unit or (category.unit if category else policy.default_unit)
        # R-RT-2: a listed person of the unit; the accused is left to the validator (R-RT-3 says why not)
        handler_name = handler.strip() if is_accused(doc, handler) else staff.handler(policy, handler, chosen).name
        heads = list(copied)
        if not heads and str(doc["assessment"].get("severity")) in MAJOR:
            heads = responsible_heads(policy, chosen, handler_name, str(get(doc, F.ACCUSED_PERSON) or ""))
        first = doc.get("status") == "received"
        return Step("assign" if first else "reassign", "assigned" if first else None,
                    detail=said("handler", name=handler_name),
                    extra={"handler": handler_name, "unit": chosen, "copied": heads})

    return step_for


MAJOR = frozenset({"major", "emergency"})


def responsible_heads(policy: Policy, unit: str, handler: str, accused: str) -> list[str]:
    """R-RT-2: the heads a major complaint is copied to — the unit's heads, else every head."""
    return policy.heads_for(unit, (handler, accused))


def plan(resolver: str, measures: str, due: date | datetime) -> StepFor:
    _text(resolver, "--resolver", "R-IN-4")
    _text(measures, "--measures", "R-IN-4")

    def step_for(doc: CommentedMap) -> Step:
        status = doc.get("status")
        if status not in ("assigned", "in_progress", "waiting"):
            raise InvalidInput(_("{case}: cannot plan: the case is {status} (R-IN-4: plan after assign)")
                               .format(case=doc.get("id"), status=status))
        first = status == "assigned"
        when = stamp(due) if isinstance(due, datetime) else due
        current = doc.get("plan") or {}
        if not first and (current.get("resolver"), current.get("measures"), current.get("due")) == \
                (resolver, measures, when):  # a replan that changes nothing records nothing
            raise InvalidInput(_("{case}: the plan is already this (resolver, measures and due): nothing changed")
                               .format(case=doc.get("id")))
        return Step("plan" if first else "replan", "in_progress" if first else None, detail=measures,
                    extra={"resolver": resolver, "measures": measures, "due": when})

    return step_for


def note(text: str, contact: bool) -> StepFor:
    _text(text, "note", "R-RT-4")
    # R-RT-4: contacts with the customer are recorded as such.
    return lambda doc: Step("contact" if contact else "note", None, note=text)


def wait(reason: str) -> StepFor:
    _text(reason, "--reason", "R-WF")
    return lambda doc: Step("wait", "waiting", note=reason)


def resume(text: str) -> StepFor:
    return lambda doc: Step("resume", "in_progress", note=text)


def resolve(outcome: str, summary: str, now: datetime, actor: Identity, compensation: float | None = None,
            responsible: str = "", share: float | None = None, loss: float | None = None) -> StepFor:
    _text(summary, "--summary", "R-CL-2")
    extra: dict[str, Any] = {"outcome": outcome, "summary": summary}
    for key, value in (("compensation", _amount(compensation, "--compensation")),
                       ("responsible", responsible or None), ("share", _amount(share, "--share", share=True)),
                       ("loss", _amount(loss, "--loss"))):
        if value is not None:
            extra[key] = value
    return lambda doc: Step("resolve", "resolved", detail=summary, extra=extra)


def revisit(satisfaction: str, comment: str, confirmed: bool, now: datetime, actor: Identity) -> StepFor:
    if satisfaction not in workflow.SATISFACTION:
        raise InvalidInput("--satisfaction: " + _("{value!r} is not one of {choices}")
                           .format(value=satisfaction, choices=", ".join(workflow.SATISFACTION)))

    def step_for(doc: CommentedMap) -> Step:
        if doc.get("status") != "resolved":
            raise InvalidInput(_("{case}: cannot revisit: the case is {status} (R-CL-1: revisit after resolve)")
                               .format(case=doc.get("id"), status=doc.get("status")))
        if get(doc, F.INTAKE_COMPLAINANT_ANONYMOUS) is True:
            raise InvalidInput(_("{case}: cannot revisit: the complaint is anonymous, with nobody to revisit "
                                 "(R-CL-1): close it").format(case=doc.get("id")))
        # R-CL-1: a dissatisfied customer reopens the case (closed loop).
        dst = "in_progress" if satisfaction == "dissatisfied" else None
        return Step("revisit", dst, note=comment, detail=said("satisfaction", satisfaction=satisfaction),
                    extra={"satisfaction": satisfaction, "confirmed": confirmed})  # R-CL-4

    return step_for


def close(root_cause: str, lesson: str, preventive_action: str, late_reason: str, now: datetime,
          actor: Identity) -> StepFor:
    _text(root_cause, "--root-cause", "R-RT-6")
    extra: dict[str, Any] = {"root_cause": root_cause}
    for key, value in (("preventive_action", preventive_action), ("lesson", lesson), ("late_reason", late_reason)):
        if value and value.strip():
            extra[key] = value
    return lambda doc: Step("close", "closed", detail=root_cause, extra=extra)


def reopen(reason: str, role: str | None = None) -> StepFor:
    """`role`: the reopener's role that `approvals.reopen` lists, recorded when the case is
    closed (R-CL-3, rules.decisions); a resolved case is reopened by anyone (R-CL-1)."""
    _text(reason, "--reason", "R-CL-1")

    def step_for(doc: CommentedMap) -> Step:
        closed = doc.get("status") == "closed"
        extra = {"role": role} if closed and role else None
        # `history` shows the decision: who reopened an archived case, as what, and why (R-CL-3)
        detail = said("reopened", role=role, reason=reason) if closed else reason
        return Step("reopen", "in_progress", note=reason, detail=detail, extra=extra)

    return step_for


def mark_invalid(reason: str, reply: str, actor: Identity) -> StepFor:
    if reason not in INVALID_REASONS:
        raise InvalidInput(f"--reason: {reason!r} is not one of {', '.join(INVALID_REASONS)} (R-AS-1)")
    _text(reply, "--reply", "R-AS-1")  # an invalid case still gets a reasoned reply
    return lambda doc: Step("invalid", "invalid", note=reply, detail=said("invalid", reason=reason),
                            extra={"reason": reason})


def correction_value(policy: Policy, field: str, text: str) -> Any:
    """The typed value a correction of `field` records, from the text typed for `--value`."""
    raw = text.strip()
    vocabulary = vocabularies.CORRECTED_BY_KEY.get(field)
    if vocabulary is not None:  # the key or its label in either language, as every vocabulary option
        return vocabularies.key_for(policy, vocabulary, raw, "--value")
    if field in effects.AT_FIELDS:
        return stamp(parse_when(raw, policy.tz, "--value"))
    if field == F.ASSESSMENT_REPEAT_OF:
        return [str(parse_case_id(x)) for x in raw.replace(",", " ").split()]
    if field == F.INTAKE_FIRST_RECEIVER and not raw:
        raise InvalidInput("--value: R-IN-2: the first receiver is a person")
    return raw or None


def correct(field: str, value: Any, reason: str) -> StepFor:
    """An authorised correction of a field rules depend on (docs/authority.md), with its reason."""
    if field not in effects.CORRECTABLE:
        raise InvalidInput(f"--field: {field!r} cannot be corrected (correctable: {', '.join(effects.CORRECTABLE)})")
    _text(reason, "--reason", "R-WF")

    def step_for(doc: CommentedMap) -> Step:
        old = get(doc, field)
        if effects.differences({"v": to_plain(old)}, {"v": to_plain(value)}) == []:
            raise InvalidInput(_("{case}: {field} is already {old!r}").format(case=doc.get("id"), field=field, old=old))
        return Step("correct", None, note=reason,
                    detail=said("correct", field=field, old=to_plain(old), value=value, reason=reason),
                    extra={"field": field, "old": to_plain(old), "value": value})

    return step_for


def vouch_late(action: str, reason: str, roles: Sequence[str], policy: Policy) -> StepFor:
    """Recorded time: someone in approvals.late vouches that the case's last `action` entry,
    which the record saw after its due time, was done when it claims (changes no field)."""
    _text(reason, "--reason", "R-IN-1")
    if not policy.authority.allows(roles, VOUCH_LATE):
        raise InvalidInput(_("vouching for a late-recorded entry needs role {roles} (approvals.late)")
                           .format(roles=_(" or ").join(policy.authority.roles_for(VOUCH_LATE) or ())))

    def step_for(doc: CommentedMap) -> Step:
        timeline = doc.get("timeline") if isinstance(doc.get("timeline"), list) else []
        entry = next((e for e in reversed(timeline) if isinstance(e, Mapping) and e.get("action") == action), None)
        if entry is None:
            raise InvalidInput(_("{case}: no {action} entry to vouch for").format(case=doc.get("id"), action=action))
        of = {"at": entry.get("at"), "by": entry.get("by"), "action": action}
        return Step(VOUCH_LATE, None, detail=said("vouch", action=action, at=of["at"], reason=reason),
                    extra={"of": of, "reason": reason})

    return step_for


def approve(amount: float, reason: str) -> StepFor:
    """R-ES-2: a person whose limit covers the amount approves compensation up to it."""
    _amount(amount, "--compensation")
    _text(reason, "--reason", "R-ES-2")

    def step_for(doc: CommentedMap) -> Step:
        if doc.get("status") in ("closed", "invalid"):
            raise InvalidInput(_("{case}: cannot approve: the case is {status}")
                               .format(case=doc.get("id"), status=doc.get("status")))
        return Step("approve", None, note=reason, detail=said("approve", amount=amount, reason=reason),
                    extra={"compensation": amount})

    return step_for


def suggested_incident(policy: Policy, intake: Intake) -> Incident | None:
    """R-AS-3: the incident kind the complaint reads as (the first whose words it has), to put
    to the person recording it; None when it reads as none."""
    hits = matching_incidents(policy.authority.incidents, intake.subject, intake.details)
    return hits[0] if hits else None


def incident_choice(policy: Policy, intake: Intake, kind: str | None, declined: bool, reason: str = "") -> Intake:
    """R-AS-3: record the incident the person chose (`kind`), or the decline (with its `reason`;
    the ledger asks for `approvals.decline-incident`), or — when the text reads as an incident
    and nobody said otherwise — the first incident it reads as. An incident raises the severity
    to at least the incident's (major, or emergency for R-AS-4)."""
    incidents = policy.authority.incidents
    if kind is not None and declined:
        raise InvalidInput(_("--incident and --no-incident: choose one (R-AS-3)"))
    hits = matching_incidents(incidents, intake.subject, intake.details)
    if declined:
        if not hits:
            return replace(intake, incident="")
        return replace(intake, incident="none", declined=tuple(h.key for h in hits), decline_reason=reason.strip())
    if kind is None:
        if not hits:
            return intake
        kind = hits[0].key
    if kind not in incidents:
        known = ", ".join(incidents) or "none"
        raise InvalidInput(f"--incident: {kind!r} is not one of the policy's incidents ({known}, R-AS-3)")
    chosen = incidents[kind]
    severity = intake.severity if severity_rank(intake.severity) >= severity_rank(chosen.severity) else chosen.severity
    return replace(intake, incident=kind, severity=severity)
