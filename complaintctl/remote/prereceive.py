"""The pre-receive hook on the shared repository: every pushed commit is checked by the same
validator as pre-commit, plus who may push what (access) and what may happen to refs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.policy.policy import POLICY_FILE, Policy
from complaintctl.remote import access
from complaintctl.repo.git import Change, Git
from complaintctl.repo.precommit import check_changes, commit_context, load_blob, policy_from_text
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import is_case_path

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
        old = None if ch.status == "A" else load_blob(g, ch.old_blob, ch.path)
        new = None if ch.status == "D" else load_blob(g, ch.new_blob, ch.path)
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
    trusted = policy_from_text(g.file_at(main_now, POLICY_FILE)) if main_now else None
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
            # The ledger (issue 9): each commit's entries are its author's, judged by the policy
            # in force before the push (the old tip), else the commit's parent's.
            commit = None
            if any(is_case_path(c.path) for c in changes):
                parents = g.parents(sha)
                before = g.file_at(main_now, POLICY_FILE) if main_now else \
                    (g.file_at(parents[0], POLICY_FILE) if parents else None)
                commit = commit_context(g.commit_author(sha), before)
            found = check_changes(g, changes, policy_text, now, commit)
            policy = trusted if isinstance(trusted, Policy) else policy_from_text(policy_text)
            if isinstance(policy, Policy):
                grant = access.grant_for(policy, pusher) if pusher else None
                found.extend(_access(g, changes, grant, pusher, policy))
            problems.extend(f"commit {sha[:10]}: {f}" for f in found)
    return problems


def server_pusher(env: Mapping[str, str]) -> access.Pusher | None:
    return access.pusher_from_env(env)
