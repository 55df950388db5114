"""The pre-commit hook: checks the staged case files (not the working tree). The pieces the
server's pre-receive hook shares — reading a blob, the policy of a commit, checking a set of
changes — live here too."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from complaintctl.errors import InvalidInput, PolicyError
from complaintctl.model.case import load_plain
from complaintctl.model.ids import is_case_path
from complaintctl.policy.policy import POLICY_FILE, Policy
from complaintctl.repo import cache, vouch
from complaintctl.repo.git import ZERO, Change, Git
from complaintctl.rules.finding import Finding


def load_blob(g: Git, blob: str, path: str) -> dict[str, Any] | None:
    if blob == ZERO:
        return None
    try:
        return load_plain(g.blob(blob), path)
    except InvalidInput:
        return None


def _renumbered_away(g: Git, deleted: Change, changes: list[Change]) -> bool:
    """A deletion is accepted only as half of a renumbering made in the same commit."""
    from complaintctl.rules import renumber

    old = load_blob(g, deleted.old_blob, deleted.path)
    if old is None:
        return False
    for ch in changes:
        if ch.status == "A" and is_case_path(ch.path):
            new = load_blob(g, ch.new_blob, ch.path)
            if new is not None and renumber.is_renumbering(old, new):
                return True
    return False


@functools.lru_cache(maxsize=16)
def policy_from_text(text: str | None) -> Policy | Finding:
    """Parsed once per distinct policy text: a push of many commits shares one policy."""
    if text is None:
        return Finding(POLICY_FILE, "(file)", "R-WF", "no policy file in this commit")
    try:
        return cache.cached_policy(text, POLICY_FILE)
    except PolicyError as exc:
        return Finding(POLICY_FILE, "(file)", "R-WF", str(exc).split(": ", 1)[-1])


def check_changes(g: Git, changes: list[Change], policy_text: str | None, now: datetime) -> list[Finding]:
    from complaintctl.rules.validate import check_texts  # the rules load only when there is something to judge

    if not any(is_case_path(c.path) or c.path == POLICY_FILE for c in changes):
        return []
    policy = policy_from_text(policy_text)
    if isinstance(policy, Finding):
        return [policy]
    findings: list[Finding] = []
    for ch in changes:
        if not is_case_path(ch.path):
            continue
        if ch.status == "D" and _renumbered_away(g, ch, changes):
            continue
        new_text = None if ch.status == "D" else g.blob(ch.new_blob)
        old_text = None if ch.status == "A" or ch.old_blob == ZERO else g.blob(ch.old_blob)
        findings.extend(check_texts(ch.path, new_text, old_text, policy, now))
    return findings


def pre_commit(g: Git, now: datetime) -> list[Finding]:
    """Findings for what is staged (the index, via GIT_INDEX_FILE), not the working tree. Case
    files a complaintctl command has just judged byte for byte are not judged again (repo.vouch)."""
    changes = g.staged_changes()
    skip = vouch.vouched(g, changes)
    rest = [c for c in changes if c.path not in skip]
    if not any(is_case_path(c.path) or c.path == POLICY_FILE for c in rest):
        return []
    return check_changes(g, rest, g.show(":", POLICY_FILE), now)
