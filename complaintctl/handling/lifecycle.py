"""Taking a case through its life in the repository: each step locked, validated, written,
and committed by its actor. What a step does to the document is in `steps`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import InvalidInput, ValidationFailed
from complaintctl.handling import deadlines, sealing, steps
from complaintctl.handling.steps import INVALID_REASONS, Intake, StepFor
from complaintctl.i18n import _
from complaintctl.model.case import dump_document, load_plain
from complaintctl.model.ids import case_id_for
from complaintctl.output import PROGRESS_AT, Progress
from complaintctl.policy import staff
from complaintctl.policy.policy import POLICY_FILE, Policy
from complaintctl.privacy import blindindex, repeats
from complaintctl.repo import index, messages, precommit, store, transaction
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import knowledge
from complaintctl.reporting.knowledge import RepeatMatch
from complaintctl.rules.context import Commit
from complaintctl.rules.validate import check_case

__all__ = ["INVALID_REASONS", "Intake", "NewCase", "Result", "change", "create", "create_many", "receive"]


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


def commit_message(policy: Policy, case_id: str, action: str, src: str | None, dst: str,
                   detail: str | messages.Said, upgraded: str = "") -> str:
    """A step's commit: its subject in the office's words, its trailers in keys (repo.messages)."""
    return messages.case_step(policy, case_id, action, src, dst, detail, upgraded)


def step_message(policy: Policy, case_id: str, step: steps.Step, src: str, final: str, upgraded: str) -> str:
    """The commit of one step taken (`change`, and the sample's history the same way)."""
    return commit_message(policy, case_id, step.action, src, final, step.detail or step.note, upgraded)


def commit_for(ws: Workspace, actor: Identity) -> Commit | None:
    """The change is the actor's, judged under the committed policy (HEAD's), as the hooks judge it."""
    return precommit.commit_context(actor, ws.git.show("HEAD", POLICY_FILE))  # None before the first commit


def validated(ws: Workspace, relpath: str, doc: CommentedMap, previous: dict[str, Any] | None,
              now: datetime, actor: Identity) -> str:
    """Judge the exact text that will be committed, as the hooks will; that text."""
    text = dump_document(doc)
    data = load_plain(text, relpath, ws.policy.limits)
    findings = check_case(relpath, data, previous, ws.policy, now, commit_for(ws, actor))
    if findings:
        raise ValidationFailed(list(findings))
    return text


def create(ws: Workspace, intake: Intake, now: datetime, actor: Identity) -> Result:
    policy = ws.policy
    # The command layer has already recovered what a killed command left, and said so
    # (commands.common.workspace); under the lock, once more, for one that died just now.
    with transaction.writing(ws.root, ws.git):
        ws.git.ensure_ready_to_commit()
        received = intake.received_at.astimezone(policy.tz)
        serial = store.next_serial(ws.root, policy.office, received.year, received.month)
        cid = case_id_for(policy.office, received, serial)
        doc = steps.build_case(policy, str(cid), intake, now, actor)
        made = sealing.seal(ws, doc)  # R-RT-5
        text = validated(ws, cid.relpath, doc, None, now, actor)
        sealing.record(ws, [made], actor)
        sha = store.commit_files(ws, [store.FileWrite(cid.relpath, text, None)],
                                 commit_message(policy, str(cid), "new", None, "received", intake_detail(intake)),
                                 judged=True)
    return Result(str(cid), cid.relpath, sha, None, "received")


def intake_detail(intake: Intake) -> str | messages.Said:
    """The subject line `history` shows; a declined incident first, with its reason (R-AS-3)."""
    if intake.declined:
        return messages.said("declined", incidents=intake.declined, reason=intake.decline_reason,
                             subject=intake.subject)
    return intake.subject


@dataclass(frozen=True)
class NewCase:
    """A complaint to record in a batch (import), with the files it keeps (name -> bytes)."""

    intake: Intake
    files: tuple[tuple[str, bytes], ...] = ()
    where: str = ""  # where it came from ("register.xlsx row 5"), named in front of its findings


def create_many(ws: Workspace, items: list[NewCase], now: datetime, actor: Identity, source: str) -> list[Result]:
    """Record several complaints in ONE commit (one commit per imported file, `source`): each
    numbered, built and judged exactly as `create` does, its files under materials/YYYY/MM/ID/.
    One finding anywhere and nothing is written."""
    policy = ws.policy
    with transaction.writing(ws.root, ws.git):
        ws.git.ensure_ready_to_commit()
        serials: dict[tuple[int, int], int] = {}
        writes: list[store.FileWrite] = []
        results: list[Result] = []
        findings: list[object] = []
        commit = commit_for(ws, actor)
        made = []
        bar = Progress("importing cases", len(items)) if len(items) >= PROGRESS_AT else None
        for n, item in enumerate(items, 1):
            if bar is not None:
                bar.update(n)
            received = item.intake.received_at.astimezone(policy.tz)
            month = (received.year, received.month)
            serials[month] = serials.get(month) or store.next_serial(ws.root, policy.office, *month)
            cid = case_id_for(policy.office, received, serials[month])
            serials[month] += 1
            doc = steps.build_case(policy, str(cid), item.intake, now, actor)
            made.append(sealing.seal(ws, doc))  # R-RT-5
            text = dump_document(doc)
            found = check_case(cid.relpath, load_plain(text, cid.relpath, policy.limits), None, policy, now, commit)
            findings.extend(f"{item.where}: {f}" if item.where else f for f in found)
            writes.append(store.FileWrite(cid.relpath, text, None))
            writes.extend(store.FileWrite(f"{cid.materials_dir}/{name}", data, None) for name, data in item.files)
            results.append(Result(str(cid), cid.relpath, "", None, "received"))
        if bar is not None:
            bar.close()
        if findings:
            raise ValidationFailed(findings)
        if not results:
            return []
        sealing.record(ws, made, actor)
        sha = store.commit_files(ws, writes, messages.imported(policy, source, [r.case_id for r in results]))
    return [replace(r, commit=sha) for r in results]


def receive(ws: Workspace, intake: Intake, now: datetime, actor: Identity) -> tuple[Result, list[RepeatMatch]]:
    """Record a new complaint. R-AS-5: earlier cases from the same complainant or about the same
    matter (the last months' folders only) are linked as `repeat_of`, and returned for a warning."""
    folders = knowledge.repeat_folders(intake.received_at.astimezone(ws.policy.tz))
    caller = repeat_caller(ws, intake)
    idx = index.open_index(ws)
    try:  # the index narrows to possible repeats; find_repeats decides, as over every case
        recent = knowledge.repeat_candidates(idx, folders, intake.name, intake.contact, intake.subject,
                                             caller.all if caller else ())
        repeats = knowledge.find_repeats(recent, intake.name, intake.contact, intake.subject, intake.received_at,
                                         caller=caller)
    finally:
        idx.close()
    if repeats:
        intake = replace(intake, repeat_of=tuple(m.id for m in repeats))
    return create(ws, intake, now, actor), repeats


def repeat_caller(ws: Workspace, intake: Intake) -> blindindex.Caller | None:
    """R-AS-5 with privacy: earlier callers' name and contact are sealed, so the new caller is
    looked up by blind index, under every office key this user holds (privacy.blindindex)."""
    if not ws.policy.privacy.required:
        return None
    return repeats.callers(ws.keyring, [ws.policy.office, *ws.policy.offices], intake.name, intake.contact)


def late(step_for: StepFor, reason: str) -> StepFor:
    """The step recorded late (its `at` older than the policy's offline window), with the reason;
    only an approver (approvals: late) may."""
    if not reason.strip():
        return step_for

    def step(doc: CommentedMap) -> steps.Step:
        s = step_for(doc)
        return replace(s, extra={**(s.extra or {}), "late_reason": reason})

    return step


def change(ws: Workspace, case_id: str, now: datetime, actor: Identity, step_for: StepFor,
           at: datetime | None = None) -> Result:
    """Load one case, apply the step it calls for (dated `at`, default now), validate against the
    old version as of now, commit."""
    # The command layer has already recovered what a killed command left, and said so
    # (commands.common.workspace); under the lock, once more, for one that died just now.
    with transaction.writing(ws.root, ws.git):
        ws.git.ensure_ready_to_commit()
        loaded = store.load_case(ws, case_id)
        # Judge against the committed version, as the hooks will: an uncommitted hand edit of
        # the file is part of this change and must pass the same rules.
        committed = ws.git.show("HEAD", loaded.relpath) if ws.git.has_head() else None
        previous = load_plain(committed, loaded.relpath, ws.policy.limits) if committed is not None else None
        step = step_for(loaded.doc)
        # R-DL-6: a late resolution or closing records the upgrade first, whether or not sweep ran
        upgraded = deadlines.upgrade_first(loaded.doc, step.action, at or now, actor, ws.policy)
        doc, src, final = steps.apply(loaded.doc, step, at or now, actor, ws.policy)
        made = sealing.seal(ws, doc)  # R-RT-5: an edit's new text is sealed under the case's own key
        text = validated(ws, loaded.relpath, doc, previous, now, actor)
        sealing.record(ws, [made], actor)
        message = step_message(ws.policy, str(loaded.id), step, src, final, upgraded)
        sha = store.commit_files(ws, [store.FileWrite(loaded.relpath, text, loaded.text)], message, judged=True)
    return Result(str(loaded.id), loaded.relpath, sha, src, final)


def assign(ws: Workspace, case_id: str, handler: str, unit: str | None, copied: Sequence[str],
           now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.assign(ws.policy, handler, unit, copied))


def plan(ws: Workspace, case_id: str, resolver: str, measures: str, due: date | datetime,
         now: datetime, actor: Identity) -> Result:
    if resolver.strip() and not _accused(ws, case_id, resolver):
        # R-IN-4: a person the policy lists (blank: the step says it is required); the accused
        # is left to the validator, whose R-RT-3 refusal says why they may not
        resolver = staff.listed(ws.policy, resolver, "--resolver").name
    return change(ws, case_id, now, actor, steps.plan(resolver, measures, due))


def _accused(ws: Workspace, case_id: str, person: str) -> bool:
    from complaintctl.rules.recusal import is_accused

    cid, text = store.case_text(ws, case_id)
    return is_accused(load_plain(text, cid.relpath, ws.policy.limits), person)


def _before_now(at: datetime | None, now: datetime) -> None:
    """A step recorded late (`--at`) happened before now, never later."""
    if at is not None and at > now:
        raise InvalidInput(_("--at: {at} is in the future").format(at=at.isoformat()))


def note(ws: Workspace, case_id: str, text: str, contact: bool, now: datetime, actor: Identity,
         late_reason: str = "", at: datetime | None = None) -> Result:
    _before_now(at, now)
    return change(ws, case_id, now, actor, late(steps.note(text, contact), late_reason), at)


def wait(ws: Workspace, case_id: str, reason: str, now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.wait(reason))


def resume(ws: Workspace, case_id: str, text: str, now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.resume(text))


def resolve(ws: Workspace, case_id: str, outcome: str, summary: str, now: datetime, actor: Identity,
            compensation: float | None = None, responsible: str = "", share: float | None = None,
            loss: float | None = None, late_reason: str = "", at: datetime | None = None) -> Result:
    _before_now(at, now)
    return change(ws, case_id, now, actor, late(
        steps.resolve(outcome, summary, at or now, actor, compensation, responsible, share, loss), late_reason), at)


def revisit(ws: Workspace, case_id: str, satisfaction: str, comment: str, confirmed: bool,
            now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.revisit(satisfaction, comment, confirmed, now, actor))


def close(ws: Workspace, case_id: str, root_cause: str, lesson: str, preventive_action: str,
          late_reason: str, now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.close(root_cause, lesson, preventive_action, late_reason, now, actor))


def reopen(ws: Workspace, case_id: str, reason: str, now: datetime, actor: Identity) -> Result:
    # R-CL-3: the role a closed case is reopened under (rules.decisions judges it)
    role = ws.policy.authority.role_for(ws.policy.roles_of(actor.name, actor.email), "reopen")
    return change(ws, case_id, now, actor, steps.reopen(reason, role))


def mark_invalid(ws: Workspace, case_id: str, reason: str, reply: str, now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.mark_invalid(reason, reply, actor))


def correct(ws: Workspace, case_id: str, field: str, value: Any, reason: str, now: datetime,
            actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.correct(field, value, reason))


def vouch_late(ws: Workspace, case_id: str, action: str, reason: str, now: datetime, actor: Identity) -> Result:
    """Recorded time: an approver vouches that an entry the record saw late was done on time."""
    roles = ws.policy.roles_of(actor.name, actor.email)
    return change(ws, case_id, now, actor, steps.vouch_late(action, reason, roles, ws.policy))


def approve(ws: Workspace, case_id: str, amount: float, reason: str, now: datetime, actor: Identity) -> Result:
    return change(ws, case_id, now, actor, steps.approve(amount, reason))
