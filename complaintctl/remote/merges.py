"""A merge commit, judged by what it does to each case.

Git's notion of "what a merge changes" (what differs from every parent) lets a merge that
takes an old parent's tree delete cases, reopen closed ones or restore an old policy
unseen. Here every case file that differs from *any* parent is judged:

- a merge never drops a case file a parent has (R-CL-3);
- its timeline is an order-preserving union of the parents' timelines: every entry of every
  parent is there, in that parent's order (R-WF) — so no side's steps are lost or undone;
- entries that no parent has are new in the merge itself, come after every parent's entry,
  and are the merge author's (`by:` names the author) — so `sync`'s own merges, which add
  nothing, pass;
- a merged file that equals no parent's version (a content merge) is judged by the shared
  validator as one change on top of the merge base: fixed fields, legal transitions,
  closed cases, and — the ledger (rules/ledger.py) — fields that equal the replay of the
  merged timeline. The entries that came from the parents are replayed, not judged again
  (`Commit.traced`); those new in the merge are judged for authority under the policy before
  the push, as the merge author's (traced here, so the ledger is given no actor of its own).

A file that takes one side's version while the other sides still hold the merge base's
is what an ordinary merge does, and costs no parsing: the side that changed it was judged
commit by commit. Entries that came from a parent trace to the commit that added them,
which was judged (or was on the server already) when it was pushed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.model.case import decode, dump_document, load_plain
from complaintctl.policy.policy import Policy
from complaintctl.remote.access import person_for
from complaintctl.repo.git import ZERO, CommitMeta, Git, Identity
from complaintctl.repo.precommit import policy_from_text
from complaintctl.rules import materials, union
from complaintctl.rules.context import Commit
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import check_texts, is_case_path

Added = list[tuple[int, Mapping[str, Any]]]


@dataclass
class MergeVerdict:
    findings: list[Finding] = field(default_factory=list)
    introduced: list[str] = field(default_factory=list)  # paths whose merged content no parent has
    added: dict[str, Added] = field(default_factory=dict)  # case path -> entries new in the merge


def judge_merge(g: Git, meta: CommitMeta, policy_text: str | None, authority_text: str | None,
                now: datetime) -> MergeVerdict:
    """`policy_text` is the merge's own policy (what it is validated by); `authority_text` the
    policy in force before the push (who may do what: the ledger)."""
    verdict = MergeVerdict()
    diffs = [{c.path: c for c in g.changes_between(p, meta.sha)} for p in meta.parents]
    base = g.merge_base_octopus(meta.parents)
    base_diff = {c.path: c for c in g.changes_between(base, meta.sha)} if base else None
    policy = None
    for path in sorted(set().union(*diffs)):
        merged = next(d[path].new_blob for d in diffs if path in d)
        sides = [d[path].old_blob if path in d else merged for d in diffs]
        if all(path in d for d in diffs):
            verdict.introduced.append(path)
        if materials.is_material_path(path):
            verdict.findings.extend(_material(path, merged, sides))
            continue
        if not is_case_path(path):
            continue
        if base_diff is not None:
            at_base = base_diff[path].old_blob if path in base_diff else merged
            if merged in sides and all(s in (merged, at_base) for s in sides):
                continue  # took the one side that changed it since the merge base
        else:
            at_base = ZERO
        if policy is None:
            parsed = policy_from_text(policy_text)
            if isinstance(parsed, Finding):
                verdict.findings.append(parsed)
                return verdict
            policy = parsed
        found, added = judge_case(path, _text(g, merged), [(p, _text(g, s)) for p, s in zip(meta.parents, sides,
                                                                                        strict=True)],
                                  _text(g, at_base), meta.author, policy, now, _authority(authority_text))
        verdict.findings.extend(found)
        if added:
            verdict.added[path] = added
    return verdict


def _material(path: str, merged: str, sides: list[str]) -> list[Finding]:
    """Kept originals come with the commit that records their case; a merge takes
    them from its parents as they are."""
    if merged == ZERO and any(s != ZERO for s in sides):
        return [Finding(path, "(file)", "R-IN-1", "a merge may not drop a kept original (a parent has it)")]
    if merged not in sides:
        return [Finding(path, "(file)", "R-IN-1", "a merge brings no kept original of its own: originals come "
                        "with the commit that records their case")]
    return []


def judge_case(path: str, merged_text: str | bytes | None, parents: Sequence[tuple[str, str | bytes | None]],
               base_text: str | bytes | None, author: Identity, policy: Policy, now: datetime,
               authority: Policy | None = None) -> tuple[list[Finding], Added]:
    """Findings for one case file in a merge, and the timeline entries new in the merge.
    `authority` (the policy before the push) switches the ledger on for a content merge."""
    if merged_text is None:
        having = [sha[:10] for sha, text in parents if text is not None]
        return [Finding(path, "(file)", "R-CL-3", f"a merge may not drop a case file (parent {', '.join(having)} "
                        "has it): case files are never deleted")], []
    try:
        merged = _entries(load_plain(_decoded(merged_text, path), path))
    except InvalidInput as exc:
        return [Finding(path, "(file)", "R-WF", str(exc).split(": ", 1)[-1])], []
    findings: list[Finding] = []
    used = [False] * len(merged)
    for sha, text in parents:
        if text is None:
            continue
        try:
            theirs = _entries(load_plain(_decoded(text, path), path))
        except InvalidInput:
            continue  # a broken side was refused when it was pushed; judge the merge on its own
        where = union.subsequence(theirs, merged)
        if where is None:
            findings.append(Finding(path, "timeline", "R-WF", f"a merge keeps every entry of each parent, in order: "
                                    f"parent {sha[:10]} has entries this merge drops, changes or reorders"))
            continue
        for i in where:
            used[i] = True
    added = [(i, e) for i, e in enumerate(merged) if not used[i] and isinstance(e, Mapping)]
    last = max((i for i, u in enumerate(used) if u), default=-1)
    for i, _ in added:
        if i < last:  # a plain commit cannot put an entry before existing ones; nor may a merge
            findings.append(Finding(path, f"timeline[{i}]", "R-WF", "an entry new in a merge comes after every "
                                    "entry of its parents, never among them"))
    for i, entry in added:
        if not _by_author(entry, author, policy):
            findings.append(Finding(path, f"timeline[{i}].by", "R-WF", f"an entry new in a merge is the merge "
                                    f"author's: it says {entry.get('by')!r}, the merge is by {author.name}"))
    if merged_text not in {text for _, text in parents}:
        # No actor: the new entries were traced to their authors above; the ones from the
        # parents were judged in their own commits (traced), the replay covers them all.
        ledger = Commit(None, authority, frozenset(i for i, u in enumerate(used) if u)) if authority else None
        findings.extend(check_texts(path, merged_text, base_text, policy, now, ledger, merge=True))
    return findings, added


def _decoded(text: str | bytes, path: str) -> str:
    """Blobs arrive as bytes: decoded strictly (not UTF-8 is an R-WF finding, not a crash)."""
    return decode(text, path) if isinstance(text, bytes) else text


@dataclass(frozen=True)
class CaseMerge:
    """A case changed both in a clone and on the remote, made one for `sync`'s merge commit —
    or, when the rules forbid the union, why (`text` None)."""

    path: str
    text: str | None
    findings: tuple[Finding, ...] = ()


def merge_case(path: str, base_text: str | None, ours: tuple[str, str], theirs: tuple[str, str],
               author: Identity, policy: Policy, authority: Policy | None, now: datetime) -> CaseMerge:
    """Both sides' entries in time order, the fields replayed (rules.union), judged as the server
    will judge the merge commit (judge_case) and the change of its main (the remote's version →
    the merged one). `ours`/`theirs`: (commit, file text)."""
    if base_text is None:
        return CaseMerge(path, None, (Finding(path, "(file)", "R-IN-5", "added here and on the remote alike"),))
    try:
        merged = union.merge(base_text, ours[1], theirs[1], path, policy)
    except InvalidInput as exc:
        return CaseMerge(path, None, (Finding(path, "(file)", "R-WF", str(exc).split(": ", 1)[-1]),))
    if merged.doc is None:
        return CaseMerge(path, None, (Finding(path, "timeline", "R-WF", merged.why),))
    text = dump_document(merged.doc)
    found, _ = judge_case(path, text, [ours, theirs], base_text, author, policy, now, authority)
    found.extend(check_texts(path, text, theirs[1], policy, now, merge=True))
    if found:
        return CaseMerge(path, None, tuple({str(f): f for f in found}.values()))
    return CaseMerge(path, text)


def _authority(text: str | None) -> Policy | None:
    parsed = policy_from_text(text) if text is not None else None
    return parsed if isinstance(parsed, Policy) else None


def _by_author(entry: Mapping[str, Any], author: Identity, policy: Policy) -> bool:
    by = str(entry.get("by") or "")
    if by == author.name:
        return True
    person = person_for(policy, author)
    return person is not None and by == person.name


def _entries(data: Mapping[str, Any]) -> list[Any]:
    timeline = data.get("timeline")
    return list(timeline) if isinstance(timeline, list) else []


def _text(g: Git, blob: str) -> bytes | None:
    """A blob's bytes: the validator decodes them strictly (not UTF-8 is an R-WF finding)."""
    return None if blob == ZERO else g.blob(blob)
