"""The git hooks: pre-commit checks the staged case files, pre-receive every pushed commit."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl import access
from complaintctl.errors import ComplaintError, InvalidInput, PolicyError
from complaintctl.model.case import load_plain
from complaintctl.policy.policy import POLICY_FILE, Policy, parse_policy_text
from complaintctl.repo.git import ZERO, Change, Git
from complaintctl.rules import renumber
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import check_texts, is_case_path

MAIN = "refs/heads/main"
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class RefUpdate:
    """One line of pre-receive's standard input: `<old> SP <new> SP <ref>`."""

    old: str
    new: str
    ref: str

    @property
    def created(self) -> bool:
        return self.old.strip("0") == ""

    @property
    def deleted(self) -> bool:
        return self.new.strip("0") == ""


def parse_ref_updates(lines: Iterable[str]) -> list[RefUpdate]:
    updates = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not _SHA.match(parts[0]) or not _SHA.match(parts[1]):
            raise InvalidInput(f"pre-receive: unexpected input line {line!r} (want: old new ref)")
        updates.append(RefUpdate(*parts))
    return updates


def _plain(g: Git, blob: str, path: str) -> dict[str, Any] | None:
    if blob == ZERO:
        return None
    try:
        return load_plain(g.blob(blob), path)
    except InvalidInput:
        return None


def _renumbered_away(g: Git, deleted: Change, changes: list[Change]) -> bool:
    """A deletion is accepted only as half of a renumbering made in the same commit."""
    old = _plain(g, deleted.old_blob, deleted.path)
    if old is None:
        return False
    for ch in changes:
        if ch.status == "A" and is_case_path(ch.path):
            new = _plain(g, ch.new_blob, ch.path)
            if new is not None and renumber.is_renumbering(old, new):
                return True
    return False


@functools.lru_cache(maxsize=16)
def _policy(text: str | None) -> Policy | Finding:
    """Parsed once per distinct policy text: a push of many commits shares one policy."""
    if text is None:
        return Finding(POLICY_FILE, "(file)", "R-WF", "no policy file in this commit")
    try:
        return parse_policy_text(text, POLICY_FILE)
    except PolicyError as exc:
        return Finding(POLICY_FILE, "(file)", "R-WF", str(exc).split(": ", 1)[-1])


def _check_changes(g: Git, changes: list[Change], policy_text: str | None, now: datetime) -> list[Finding]:
    if not any(is_case_path(c.path) or c.path == POLICY_FILE for c in changes):
        return []
    policy = _policy(policy_text)
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
    """Findings for what is staged (the index, via GIT_INDEX_FILE), not the working tree."""
    return _check_changes(g, g.staged_changes(), g.show(":", POLICY_FILE), now)


def _access(g: Git, changes: list[Change], grant: access.Grant | None, pusher: access.Pusher | None,
            policy: Policy) -> list[Finding]:
    relevant = [c for c in changes if is_case_path(c.path) or c.path == POLICY_FILE]
    if not relevant:
        return []
    if pusher is None:
        if policy.require_pusher:
            return [Finding(relevant[0].path, "(push)", access.RULE, "no pusher identity from the server "
                            "(COMPLAINTCTL_PUSHER, GITEA_PUSHER_NAME or GL_USERNAME) and the policy says "
                            "require_pusher: true")]
        return []  # no identity and not required: documented, see access.py
    if grant is None:
        return [Finding(relevant[0].path, "(push)", access.RULE, f"pusher {pusher} is not in the policy's "
                        "people (match by people[].login, email or name)")]
    out: list[Finding] = []
    for ch in relevant:
        old = None if ch.status == "A" else _plain(g, ch.old_blob, ch.path)
        new = None if ch.status == "D" else _plain(g, ch.new_blob, ch.path)
        out.extend(access.check_change(ch.path, old, new, grant, policy))
    return out


def _ref_rules(g: Git, up: RefUpdate) -> list[str]:
    if up.ref != MAIN:
        return []
    if up.deleted:
        return [f"{up.ref}: deleting main is refused (the shared case record is never deleted)"]
    if not up.created and not g.is_ancestor(up.old, up.new):
        return [f"{up.ref}: non-fast-forward update refused ({up.old[:10]} is not in {up.new[:10]}'s "
                "history): the case record's history is never rewritten — `complaintctl sync` instead "
                "of a force-push"]
    return []


def pre_receive(g: Git, updates: list[RefUpdate], now: datetime,
                pusher: access.Pusher | None = None) -> list[str]:
    """Every problem in every pushed commit, each line naming the commit (or the ref)."""
    problems: list[str] = []
    main_now = g.rev_parse(MAIN)
    # Access is judged by the policy the server already has, so a push cannot grant itself rights.
    trusted = _policy(g.file_at(main_now, POLICY_FILE)) if main_now else None
    for up in updates:
        problems.extend(_ref_rules(g, up))
        if up.deleted:
            continue
        try:
            commits = g.rev_list(up.new, [up.old]) if not up.created else g.rev_list_not_all(up.new)
        except ComplaintError as exc:
            problems.append(f"{up.ref}: {exc}")
            continue
        for sha in commits:
            changes = g.introduced_changes(sha)
            policy_text = g.file_at(sha, POLICY_FILE)
            found = _check_changes(g, changes, policy_text, now)
            policy = trusted if isinstance(trusted, Policy) else _policy(policy_text)
            if isinstance(policy, Policy):
                grant = access.grant_for(policy, pusher) if pusher else None
                found.extend(_access(g, changes, grant, pusher, policy))
            problems.extend(f"commit {sha[:10]}: {f}" for f in found)
    return problems


def server_pusher(env: Mapping[str, str]) -> access.Pusher | None:
    return access.pusher_from_env(env)
