"""How `sync` puts this clone's unpushed work and the remote's together.

- A file changed on one side only is taken from that side.
- A case changed on both sides is merged case by case: both timelines' new entries in time
  order, the fields replayed through the ledger's effects (rules.union), judged as the
  server will judge the merge commit (remote.merges.merge_case).
- Where the rules forbid the union (both resolved it, one closed it while the other was still
  adding to it, …), or a file that is not a case changed on both sides, that file is a
  conflict: this clone's work on it is set aside (the caller keeps the original commits on a
  branch) and every other unpushed change goes ahead — each of our commits rewritten without
  the conflicting files, same author, dates and message, so the server judges them exactly as
  the originals.

The merge commit is written with git's plumbing (a scratch index, `commit-tree`): no
textual merge is attempted, the work tree is only moved by a fast-forward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.model.case import load_plain
from complaintctl.model.ids import case_id_from_filename
from complaintctl.policy.policy import POLICY_FILE, Policy
from complaintctl.remote import merges
from complaintctl.repo.git import ZERO, Git, Identity
from complaintctl.repo.precommit import policy_from_text
from complaintctl.rules import union
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import is_case_path

CASE_MODE = "100644"


@dataclass(frozen=True)
class Conflict:
    """One file both sides changed in a way sync may not combine."""

    path: str
    findings: tuple[Finding, ...]
    ours: tuple[Mapping[str, Any], ...]  # the timeline entries this clone added (for the message)

    @property
    def case_id(self) -> str:
        cid = case_id_from_filename(self.path.rsplit("/", 1)[-1])
        return str(cid) if cid else self.path


@dataclass(frozen=True)
class Plan:
    base: str
    merged: Mapping[str, str]  # case path -> the merged file
    conflicts: tuple[Conflict, ...]


def plan(g: Git, base: str, ours: str, theirs: str, actor: Identity, now: datetime) -> Plan:
    """What combining `ours` and `theirs` (since `base`) takes: the cases to merge, the conflicts."""
    mine = {c.path: c for c in g.changes_between(base, ours)}
    changed = {c.path: c for c in g.changes_between(base, theirs)}
    clashes = sorted(p for p, c in changed.items() if p in mine and mine[p].new_blob != c.new_blob)
    if not clashes:
        return Plan(base, {}, ())
    # The merge is validated by the policy it will hold, and judged by the remote's (the server's
    # policy before the push, as pre-receive will).
    text = g.file_at(ours if POLICY_FILE in mine and POLICY_FILE not in changed else theirs, POLICY_FILE)
    policy, authority = policy_from_text(text), policy_from_text(g.file_at(theirs, POLICY_FILE))
    merged: dict[str, str] = {}
    conflicts: list[Conflict] = []
    for path in clashes:
        ours_text, theirs_text = g.file_at(ours, path), g.file_at(theirs, path)
        if not is_case_path(path) or ours_text is None or theirs_text is None or not isinstance(policy, Policy):
            why = policy if isinstance(policy, Finding) else Finding(
                path, "(file)", "R-WF", "changed here and on the remote: sync merges case files only, "
                "one timeline entry at a time")
            conflicts.append(Conflict(path, (why,), ()))
            continue
        base_text = g.file_at(base, path)
        result = merges.merge_case(path, base_text, (ours, ours_text), (theirs, theirs_text), actor, policy,
                                   authority if isinstance(authority, Policy) else None, now)
        if result.text is not None:
            merged[path] = result.text
        else:
            conflicts.append(Conflict(path, result.findings, tuple(_added(base_text, ours_text, path))))
    return Plan(base, merged, tuple(conflicts))


def _added(base_text: str | None, ours_text: str, path: str) -> list[Mapping[str, Any]]:
    try:
        before = load_plain(base_text, path) if base_text is not None else {}
        after = load_plain(ours_text, path)
    except InvalidInput:
        return []
    return [e for e in union.added(before, after) or [] if isinstance(e, Mapping)]


def merge_commit(g: Git, p: Plan, ours: str, theirs: str, message: str, actor: Identity) -> str:
    """The commit joining both sides: the remote's tree, with what changed here only and the
    merged cases. Its parents are ours, then theirs (what `git merge` would make)."""
    changed = {c.path: c for c in g.changes_between(p.base, theirs)}
    mine = [c for c in g.changes_between(p.base, ours)
            if c.path not in p.merged and (c.path not in changed or changed[c.path].new_blob == c.new_blob)]
    files: dict[str, tuple[str, str] | None] = {c.path: None for c in mine if c.new_blob == ZERO}
    files.update(g.tree_entries(ours, [c.path for c in mine if c.new_blob != ZERO]))
    for path, text in p.merged.items():
        files[path] = (CASE_MODE, g.write_blob(text))
    return g.commit_tree(g.tree_with(theirs, files), [ours, theirs], message, author=actor)


def set_aside(g: Git, ours: str, theirs: str, paths: Iterable[str]) -> str:
    """Our unpushed commits again, without their changes to `paths` (each file stays as the
    remote side of history has it); commits left empty drop out. Returns the new tip."""
    paths = list(paths)
    moved: dict[str, str] = {}
    for sha, parents in g.unpushed(ours, theirs):
        if not parents:
            continue  # a root commit is never unpushed work on a shared history
        new_parents = [moved.get(p, p) for p in parents]
        # A merge of an earlier attempt keeps the remote's side of each file; a plain commit its parent's.
        source = next((p for p in parents if p not in moved), new_parents[0]) if len(parents) > 1 \
            else new_parents[0]
        now_there = g.tree_entries(source, paths)
        tree = g.tree_with(sha, {path: now_there.get(path) for path in paths})
        if len(parents) == 1 and tree == g.tree_of(new_parents[0]):
            moved[sha] = new_parents[0]
            continue
        moved[sha] = g.commit_tree(tree, new_parents, g.message(sha), like=sha)
    return moved.get(ours, ours)
