"""`complaintctl sweep`: apply time's rules to every case at once — R-DL-6 upgrades, R-DL-7
reminders, R-ES-1 escalation — in ONE commit that touches only the cases it changed.

Candidates come from the read index (records cached by blob id), so a sweep over 10,000
cases parses none of them again; only the cases that change are loaded and rewritten. A
second run at the same time finds nothing to do and makes no commit (safe from cron).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ruamel.yaml.comments import CommentedMap

from complaintctl.handling import deadlines, lifecycle, steps
from complaintctl.model.case import dump_document, load_plain
from complaintctl.output import PROGRESS_AT, Progress
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.repo import index, messages, store, transaction
from complaintctl.repo.git import Identity
from complaintctl.repo.transaction import FileWrite
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import check_case

MAX_STEPS = 20  # per case and run; each step makes progress, so this is never reached in practice


@dataclass(frozen=True)
class CaseChange:
    case_id: str
    relpath: str
    actions: tuple[str, ...]  # e.g. ("upgrade general → major", "remind resolution overdue")


@dataclass(frozen=True)
class SweepResult:
    changes: tuple[CaseChange, ...]
    commit: str | None
    skipped: tuple[Finding, ...] = field(default_factory=tuple)  # cases left alone: they break a rule


def candidates(ws: Workspace, now: datetime) -> list[str]:
    """IDs of the cases a sweep would change, from the index (no case file is re-parsed). Only
    open cases are read: a closed or invalid case has no running clock. They stream by
    one at a time: 27,000 open documents held at once weighed ~400 MB (memory)."""
    policy = ws.policy
    cal = WorkCalendar.from_policy(policy)
    out = []
    idx = index.open_index(ws)
    try:
        for rec in idx.iter_records("status IS NULL OR status NOT IN ('closed', 'invalid')", docs=True):
            if deadlines.next_sweep_step(rec.data, policy, cal, now) is not None:
                out.append(rec.id)
    finally:
        idx.close()
    return out


def _plan(doc: CommentedMap, ws: Workspace, cal: WorkCalendar, now: datetime,
          actor: Identity) -> tuple[CommentedMap, list[str]]:
    actions: list[str] = []
    for _ in range(MAX_STEPS):
        step = deadlines.next_sweep_step(doc, ws.policy, cal, now)
        if step is None:
            break
        doc, _, _ = steps.apply(doc, step, now, actor, ws.policy)
        actions.append(f"{step.action} {messages.keys_of(step.detail)}".strip())  # keys: `sweep --json`
    return doc, actions


def commit_message(policy: Policy, changes: list[CaseChange], now: datetime) -> str:
    return messages.sweep(policy, now, [(c.case_id, c.actions) for c in changes])


def run(ws: Workspace, now: datetime, actor: Identity, dry_run: bool = False) -> SweepResult:
    """Sweep every case as of `now`; one commit for all the cases that change (none if none do)."""
    cal = WorkCalendar.from_policy(ws.policy)
    with transaction.writing(ws.root, ws.git):
        if not dry_run:
            ws.git.ensure_ready_to_commit()
        # (the file's text before, after, what changed): texts only — a sweep over a large backlog
        # must not keep thousands of round-trip documents (memory)
        changed: list[tuple[str, str, CaseChange]] = []
        skipped: list[Finding] = []
        commit = lifecycle.commit_for(ws, actor)
        ids = candidates(ws, now)
        bar = Progress("sweeping cases", len(ids)) if len(ids) >= PROGRESS_AT else None
        for n, case_id in enumerate(ids, 1):
            if bar is not None:
                bar.update(n)
            loaded = store.load_case(ws, case_id)
            previous = load_plain(loaded.text, loaded.relpath, ws.policy.limits)
            doc, actions = _plan(loaded.doc, ws, cal, now, actor)
            if not actions:
                continue
            # The exact text to be committed is judged, so the pre-commit hook need not judge it again
            # (repo.vouch).
            text = dump_document(doc)
            data = load_plain(text, loaded.relpath, ws.policy.limits)
            findings = check_case(loaded.relpath, data, previous, ws.policy, now, commit)
            if findings:
                skipped.extend(findings)  # a case already broken by a hand edit: `validate` reports it
                continue
            changed.append((loaded.text, text, CaseChange(case_id, loaded.relpath, tuple(actions))))
        if bar is not None:
            bar.close()
        changes = [c for _, _, c in changed]
        if dry_run or not changed:
            return SweepResult(tuple(changes), None, tuple(skipped))
        writes = [FileWrite(change.relpath, text, before) for before, text, change in changed]
        sha = store.commit_files(ws, writes, commit_message(ws.policy, changes, now), judged=True)
    return SweepResult(tuple(changes), sha, tuple(skipped))
