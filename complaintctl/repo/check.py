"""`complaintctl validate`: every case file in the working tree, against its committed version."""

from __future__ import annotations

import os
from datetime import datetime

from complaintctl.errors import InvalidInput, RepoStateError, UnreadableCase
from complaintctl.model.case import load_plain
from complaintctl.policy.policy import POLICY_FILE
from complaintctl.repo import index, precommit, store
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import check_case, check_texts, is_case_path, stray_file, unreadable_findings


def validate_repository(ws: Workspace, now: datetime) -> tuple[int, list[Finding]]:
    """(files checked, findings). Unchanged files are judged on their own (from the cache);
    changed ones also against HEAD, as the pre-commit hook will."""
    changed = {p for p in ws.git.dirty_paths("cases") + ws.git.staged_paths() if is_case_path(p)}
    # Changed files are judged as the pre-commit hook will: as the committer, under HEAD's policy.
    commit = None
    if changed and ws.git.has_head():
        try:
            actor: Identity | None = ws.git.identity()
        except RepoStateError:
            actor = None  # no identity yet: judge the change without the actor rule
        commit = precommit.commit_context(actor, ws.git.show("HEAD", POLICY_FILE))
    findings: list[Finding] = []
    count = 0
    strays: list[str] = []
    for entry in index.entries(ws, strays=strays):
        count += 1
        if entry.data is None:
            findings.extend(_unreadable(ws, entry.path, entry.error))
        elif entry.path in changed:
            text = store.read_case_text(ws.root, entry.path, ws.policy.limits)
            before = ws.git.show("HEAD", entry.path) if ws.git.has_head() else None
            findings.extend(check_texts(entry.path, text, before, ws.policy, now, commit))
        else:
            findings.extend(check_case(entry.path, entry.data, None, ws.policy, now))
    for path in strays:
        count += 1
        stray = stray_file(path)
        if stray is not None:
            findings.append(stray)
    head = ws.git.has_head()
    for path in sorted(changed):
        # R-CL-3: a case file deleted in the working tree (or staged for deletion) is a finding too.
        if not os.path.lexists(ws.root / path) and head and ws.git.show("HEAD", path) is not None:
            count += 1
            findings.extend(check_texts(path, None, None, ws.policy, now))
    return count, findings


def _unreadable(ws: Workspace, path: str, error: str) -> list[Finding]:
    """One R-WF finding per problem of a file the strict reader refuses, each with its line."""
    try:
        load_plain(store.read_case_text(ws.root, path, ws.policy.limits), path, ws.policy.limits)
    except UnreadableCase as exc:
        return unreadable_findings(path, exc)
    except InvalidInput as exc:
        return [Finding(path, "(file)", "R-WF", str(exc).split(": ", 1)[-1])]
    return [Finding(path, "(file)", "R-WF", error.split(": ", 1)[-1])]
