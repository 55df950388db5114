"""Two versions of one case, changed apart, made one (issue 11 §4).

A timeline is append-only, so when two clones both changed a case since their merge base,
nothing has to be chosen: the merged timeline is the order-preserving union of both sides'
new entries, in time order (R-IN-1; the remote's entry first at the same moment), and every
field is re-derived by replaying those entries over the base through the very effects the
CLI's steps apply (rules.effects) — what the ledger checks on every change.

A side whose fields are not what its own entries replay to (a hand edit before the ledger)
cannot be merged this way; nor two sides whose union breaks a rule — that is for
`remote.merges` to judge, as the server will.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.model.case import as_datetime, get, load_document, load_plain
from complaintctl.policy.policy import Policy
from complaintctl.rules import effects

DERIVED = frozenset({"timeline", "clocks"})  # the log itself, and what the policy computes from it


def entries(data: Mapping[str, Any]) -> list[Any]:
    timeline = data.get("timeline")
    return list(timeline) if isinstance(timeline, list) else []


def subsequence(sub: Sequence[Any], seq: Sequence[Any]) -> list[int] | None:
    """Indices in `seq` matching `sub` in order (earliest first), or None if it is not there."""
    out, j = [], 0
    for item in sub:
        while j < len(seq) and seq[j] != item:
            j += 1
        if j == len(seq):
            return None
        out.append(j)
        j += 1
    return out


def added(previous: Mapping[str, Any], data: Mapping[str, Any], merge: bool = False) -> list[Any] | None:
    """The entries `data` adds to `previous`'s timeline, or None when it does not keep every
    earlier entry. A plain change appends; a merge (`merge`) may put entries from another line
    between the earlier ones (time order), keeping them all, in their order."""
    old, new = entries(previous), entries(data)
    if new[: len(old)] == old:
        return new[len(old):]
    kept = subsequence(old, new) if merge else None
    if kept is None:
        return None
    at = set(kept)
    return [e for i, e in enumerate(new) if i not in at]


def interleave(ours: Sequence[Any], theirs: Sequence[Any], policy: Policy) -> list[tuple[bool, Any]]:
    """(is ours, entry): both sides' entries in time order, each side's own order kept; at the
    same moment the remote's first. An entry both sides carry appears once."""
    tz = policy.tz

    def at(e: Any) -> Any:
        return as_datetime(e.get("at"), tz) if isinstance(e, Mapping) else None

    out: list[tuple[bool, Any]] = []
    i = j = 0
    while i < len(ours) and j < len(theirs):
        if ours[i] == theirs[j]:
            out.append((False, theirs[j]))
            i, j = i + 1, j + 1
            continue
        a, b = at(ours[i]), at(theirs[j])
        if a is not None and b is not None and a < b:
            out.append((True, ours[i]))
            i += 1
        else:
            out.append((False, theirs[j]))
            j += 1
    out.extend((True, e) for e in ours[i:])
    out.extend((False, e) for e in theirs[j:])
    return out


@dataclass(frozen=True)
class Union:
    """The merged case document, or why there is none."""

    doc: CommentedMap | None
    why: str = ""


def _replay(base: str, path: str, new: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
            policy: Policy) -> CommentedMap:
    """The base document (read afresh: a deep copy of ruamel's timestamps would lose their
    time zone) with each (entry, the side's document it came from) applied, in order."""
    doc = load_document(base, path)
    for entry, final in new:
        effects.apply_entry(doc, entry, policy, final=final)
    return doc


def merge(base_text: str, ours_text: str, theirs_text: str, path: str, policy: Policy) -> Union:
    """Both sides' changes to one case since the base, as one document (round-trip: the base's
    comments and layout stay). Raises InvalidInput for a file that is not YAML."""
    ours, theirs = load_document(ours_text, path), load_document(theirs_text, path)
    old = entries(load_plain(base_text, path))
    sides = []
    for name, doc in (("this clone", ours), ("the remote", theirs)):
        mine = entries(doc)
        if mine[: len(old)] != old:
            return Union(None, f"{name} rewrote earlier timeline entries")
        new = [e for e in mine[len(old):] if isinstance(e, Mapping)]
        replayed = _replay(base_text, path, [(e, doc) for e in new], policy)
        unexplained = effects.differences(replayed, doc, skip=DERIVED)
        if unexplained:
            field = unexplained[0]
            return Union(None, f"{name} changed {field} ({get(replayed, field)!r} → {get(doc, field)!r}) "
                         "with no timeline entry that explains it")
        sides.append(new)
    merged_new = interleave(sides[0], sides[1], policy)
    doc = _replay(base_text, path, [(e, ours if mine else theirs) for mine, e in merged_new], policy)
    doc["timeline"].extend(e for _, e in merged_new)  # the sides' own entries: read once, used once
    effects.refresh_clocks(doc, policy)
    return Union(doc)
