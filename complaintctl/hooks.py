"""The git hooks: pre-commit checks the staged case files, pre-receive every pushed commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from complaintctl.errors import ComplaintError, PolicyError
from complaintctl.gitrepo import ZERO, Change, Git
from complaintctl.policy import POLICY_FILE, Policy, parse_policy_text
from complaintctl.rules.finding import Finding
from complaintctl.validate import check_texts, is_case_path


@dataclass(frozen=True)
class RefUpdate:
    """One line of pre-receive's standard input."""

    old: str
    new: str
    ref: str


def parse_ref_updates(lines: Iterable[str]) -> list[RefUpdate]:
    updates = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            updates.append(RefUpdate(*parts))
    return updates


def _check_changes(g: Git, changes: list[Change], policy_text: str | None, now: datetime,
                   prefix: str = "") -> list[Finding]:
    if not any(is_case_path(c.path) or c.path == POLICY_FILE for c in changes):
        return []
    if policy_text is None:
        return [Finding(POLICY_FILE, "(file)", "R-WF", f"{prefix}no policy file in this commit")]
    try:
        policy: Policy = parse_policy_text(policy_text, POLICY_FILE)
    except PolicyError as exc:
        return [Finding(POLICY_FILE, "(file)", "R-WF", prefix + str(exc).split(": ", 1)[-1])]
    findings: list[Finding] = []
    for ch in changes:
        if not is_case_path(ch.path):
            continue
        new_text = None if ch.status == "D" else g.blob(ch.new_blob)
        old_text = None if ch.status == "A" or ch.old_blob == ZERO else g.blob(ch.old_blob)
        for f in check_texts(ch.path, new_text, old_text, policy, now):
            findings.append(Finding(f.path, f.field, f.rule, prefix + f.message) if prefix else f)
    return findings


def pre_commit(g: Git, now: datetime) -> list[Finding]:
    """Findings for what is staged (the index, via GIT_INDEX_FILE), not the working tree."""
    return _check_changes(g, g.staged_changes(), g.show(":", POLICY_FILE), now)


def pre_receive(g: Git, updates: list[RefUpdate], now: datetime) -> list[str]:
    """Every finding in every pushed commit, each line naming the commit."""
    problems: list[str] = []
    for up in updates:
        if up.new == ZERO:
            continue  # branch deletion: the access rules (server) decide
        try:
            commits = g.rev_list(up.new, [up.old]) if up.old != ZERO else g.rev_list_not_all(up.new)
        except ComplaintError as exc:
            problems.append(f"{up.ref}: {exc}")
            continue
        for sha in commits:
            found = _check_changes(g, g.commit_changes(sha), g.show(sha, POLICY_FILE), now)
            problems.extend(f"commit {sha[:10]}: {f}" for f in found)
    return problems
