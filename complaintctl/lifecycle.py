"""Taking a case through its life: each step validated, written, and committed by its actor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from complaintctl import store, workflow
from complaintctl.case import dump_document, load_plain, new_document, stamp, timeline_entry
from complaintctl.errors import InvalidInput, ValidationFailed
from complaintctl.gitrepo import Identity
from complaintctl.ids import case_id_for
from complaintctl.locking import repo_lock
from complaintctl.validate import check_case
from complaintctl.workspace import Workspace

INVALID_REASONS = ("unverifiable", "contrary-to-fact", "out-of-scope", "unlawful")  # R-AS-1


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


@dataclass(frozen=True)
class Result:
    case_id: str
    relpath: str
    commit: str
    src: str | None
    dst: str

    @property
    def transition(self) -> str:
        return f"{self.src or 'new'} → {self.dst}"


Mutation = Callable[[CommentedMap], "CommentedMap | None"]


def commit_message(case_id: str, action: str, src: str | None, dst: str, detail: str) -> str:
    moved = src != dst
    subject = f"{case_id}: {src} → {dst}" if moved and src else f"{case_id}: {action}"
    if src is None:
        subject = f"{case_id}: received"
    if detail:
        first = " ".join(detail.split())
        subject += f" — {first[:60]}{'…' if len(first) > 60 else ''}"
    trailers = [f"Case: {case_id}", f"Action: {action}"]
    if moved:
        trailers.insert(1, f"Transition: {src or 'new'} → {dst}")
    return f"{subject}\n\n" + "\n".join(trailers) + "\n"


def _validated(ws: Workspace, relpath: str, doc: CommentedMap, previous: dict[str, Any] | None,
               now: datetime) -> None:
    """Judge the exact text that will be committed, as the hooks will."""
    data = load_plain(dump_document(doc), relpath)
    findings = check_case(relpath, data, previous, ws.policy, now)
    if findings:
        raise ValidationFailed(list(findings))


def create(ws: Workspace, intake: Intake, now: datetime, actor: Identity) -> Result:
    policy = ws.policy
    intake_map = CommentedMap()
    intake_map["received_at"] = stamp(intake.received_at.astimezone(policy.tz))
    intake_map["recorded_at"] = stamp(now.astimezone(policy.tz))
    intake_map["channel"] = intake.channel
    intake_map["first_receiver"] = intake.first_receiver or actor.name  # R-IN-2
    complainant = CommentedMap(name=intake.name, **{"class": intake.complainant_class},
                               contact=intake.contact, address=intake.address or None)
    intake_map["complainant"] = complainant
    intake_map["location"] = intake.location or None
    intake_map["subject"] = intake.subject
    intake_map["details"] = intake.details
    intake_map["materials"] = CommentedSeq(intake.materials)
    assessment = CommentedMap(category=intake.category, severity=intake.severity, valid=True,
                              repeat_of=CommentedSeq())
    accused = CommentedMap(person=intake.accused_person or None, unit=intake.accused_unit or None)
    with repo_lock(ws.git.git_dir):
        ws.git.ensure_ready_to_commit()
        received = intake.received_at.astimezone(policy.tz)
        serial = store.next_serial(ws.root, policy.office, received.year, received.month)
        cid = case_id_for(policy.office, received, serial)
        doc = new_document(str(cid), intake_map, assessment, accused)
        doc["timeline"].append(timeline_entry(now, actor.name, "received", dst="received",
                                              note=f"{intake.channel}"))
        _validated(ws, cid.relpath, doc, None, now)
        sha = store.save_and_commit(ws, cid.relpath, doc, None,
                                    commit_message(str(cid), "new", None, "received", intake.subject))
    return Result(str(cid), cid.relpath, sha, None, "received")


def change(ws: Workspace, case_id: str, now: datetime, actor: Identity, action: str,
           dst: str | None, mutate: Mutation, note: str = "", detail: str = "",
           extra: dict[str, Any] | None = None) -> Result:
    """Load one case, check the move is legal, apply `mutate`, validate, commit."""
    with repo_lock(ws.git.git_dir):
        ws.git.ensure_ready_to_commit()
        loaded = store.load_case(ws, case_id)
        previous = load_plain(loaded.text, loaded.relpath)
        doc = loaded.doc
        src = str(doc.get("status"))
        if dst is not None and dst != src and not workflow.is_legal(src, dst):
            allowed = ", ".join(workflow.legal_targets(src)) or "nothing (final)"
            raise InvalidInput(f"{loaded.id}: cannot {action}: the case is {src} "
                               f"(R-WF: from {src} it may go to {allowed})")
        doc = mutate(doc) or doc  # an edit hands back a whole new document
        moved = dst is not None and dst != src
        if not isinstance(doc.get("timeline"), list):
            doc["timeline"] = CommentedSeq()
        doc["timeline"].append(timeline_entry(now, actor.name, action, src=src if moved else None,
                                              dst=dst if moved else None, note=note, extra=extra))
        if moved:
            doc["status"] = dst
        _validated(ws, loaded.relpath, doc, previous, now)
        final = dst if moved and dst else src
        message = commit_message(str(loaded.id), action, src, final, detail or note)
        sha = store.save_and_commit(ws, loaded.relpath, doc, loaded.text, message)
    return Result(str(loaded.id), loaded.relpath, sha, src, final)


def _section(doc: CommentedMap, key: str) -> CommentedMap:
    section = doc.get(key)
    if not isinstance(section, CommentedMap):
        section = CommentedMap()
        doc[key] = section
    return section


def assign(ws: Workspace, case_id: str, handler: str, unit: str | None, copied: Sequence[str],
           now: datetime, actor: Identity) -> Result:
    def mutate(doc: CommentedMap) -> None:
        routing = _section(doc, "routing")
        category = ws.policy.categories.get(str(doc["assessment"].get("category")))
        # R-RT-1: the category's responsible unit, else the coordination centre.
        routing["unit"] = unit or (category.unit if category else ws.policy.default_unit)
        routing["handler"] = handler
        routing["copied"] = CommentedSeq(copied)
        routing.setdefault("escalation_level", ws.policy.escalation_chain[0])

    status = store.load_case(ws, case_id).doc.get("status")
    dst = "assigned" if status == "received" else None
    return change(ws, case_id, now, actor, "assign" if dst else "reassign", dst, mutate,
                  detail=f"handler {handler}")


def plan(ws: Workspace, case_id: str, resolver: str, measures: str, due: date | datetime,
         now: datetime, actor: Identity) -> Result:
    def mutate(doc: CommentedMap) -> None:
        p = _section(doc, "plan")
        p["resolver"], p["measures"] = resolver, measures
        p["due"] = stamp(due) if isinstance(due, datetime) else due

    status = store.load_case(ws, case_id).doc.get("status")
    dst = "in_progress" if status == "assigned" else None
    if status not in ("assigned", "in_progress", "waiting"):
        raise InvalidInput(f"{case_id}: cannot plan: the case is {status} (R-IN-4: plan after assign)")
    return change(ws, case_id, now, actor, "plan" if dst else "replan", dst, mutate, detail=measures)


def note(ws: Workspace, case_id: str, text: str, contact: bool, now: datetime,
         actor: Identity) -> Result:
    # R-RT-4: contacts with the customer are recorded as such.
    return change(ws, case_id, now, actor, "contact" if contact else "note", None,
                  lambda doc: None, note=text)


def wait(ws: Workspace, case_id: str, reason: str, now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, "wait", "waiting", lambda doc: None, note=reason)


def resume(ws: Workspace, case_id: str, text: str, now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, "resume", "in_progress", lambda doc: None, note=text)


def resolve(ws: Workspace, case_id: str, outcome: str, summary: str, now: datetime,
            actor: Identity, compensation: float | None = None, responsible: str = "",
            share: float | None = None, loss: float | None = None) -> Result:
    def mutate(doc: CommentedMap) -> None:
        r = CommentedMap()
        r["at"], r["by"] = stamp(now), actor.name
        r["outcome"], r["summary"] = outcome, summary
        r["compensation"] = compensation  # R-CL-2
        r["responsible"] = responsible or None
        r["share"] = share
        r["loss"] = loss
        doc["resolution"] = r

    return change(ws, case_id, now, actor, "resolve", "resolved", mutate, detail=summary)


def revisit(ws: Workspace, case_id: str, satisfaction: str, comment: str, confirmed: bool,
            now: datetime, actor: Identity) -> Result:
    if satisfaction not in workflow.SATISFACTION:
        raise InvalidInput(f"--satisfaction: {satisfaction!r} is not one of {', '.join(workflow.SATISFACTION)}")
    status = store.load_case(ws, case_id).doc.get("status")
    if status != "resolved":
        raise InvalidInput(f"{case_id}: cannot revisit: the case is {status} (R-CL-1: revisit after resolve)")

    def mutate(doc: CommentedMap) -> None:
        v = CommentedMap()
        v["at"], v["by"] = stamp(now), actor.name
        v["satisfaction"], v["comment"] = satisfaction, comment or None
        v["confirmed_by_customer"] = confirmed  # R-CL-4
        doc["revisit"] = v

    # R-CL-1: a dissatisfied customer reopens the case (closed loop).
    dst = "in_progress" if satisfaction == "dissatisfied" else None
    return change(ws, case_id, now, actor, "revisit", dst, mutate, note=comment,
                  detail=f"satisfaction {satisfaction}", extra={"satisfaction": satisfaction})


def close(ws: Workspace, case_id: str, root_cause: str, lesson: str, preventive_action: str,
          late_reason: str, now: datetime, actor: Identity) -> Result:
    def mutate(doc: CommentedMap) -> None:
        c = CommentedMap()
        c["at"], c["by"] = stamp(now), actor.name
        c["root_cause"] = root_cause
        c["preventive_action"] = preventive_action or None  # R-RT-6
        c["lesson"] = lesson or None
        c["late_reason"] = late_reason or None  # R-DL-7
        doc["closing"] = c

    return change(ws, case_id, now, actor, "close", "closed", mutate, detail=root_cause)


def reopen(ws: Workspace, case_id: str, reason: str, now: datetime, actor: Identity) -> Result:
    def mutate(doc: CommentedMap) -> None:
        doc.pop("closing", None)

    return change(ws, case_id, now, actor, "reopen", "in_progress", mutate, note=reason)


def mark_invalid(ws: Workspace, case_id: str, reason: str, reply: str, now: datetime,
                 actor: Identity) -> Result:
    if reason not in INVALID_REASONS:
        raise InvalidInput(f"--reason: {reason!r} is not one of {', '.join(INVALID_REASONS)} (R-AS-1)")

    def mutate(doc: CommentedMap) -> None:
        a = _section(doc, "assessment")
        a["valid"] = False
        a["invalid_reason"] = reason
        a["reply"] = reply  # R-AS-1: an invalid case still gets a reasoned reply
        a["decided_by"] = actor.name

    return change(ws, case_id, now, actor, "invalid", "invalid", mutate, note=reply, detail=reason)
