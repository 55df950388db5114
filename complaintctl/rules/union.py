"""Two versions of one case, changed apart, made one.

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
from typing import TYPE_CHECKING, Any

from complaintctl.model.case import as_datetime, get, load_document, load_plain
from complaintctl.policy.policy import Policy
from complaintctl.rules import effects

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap

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
    doc = load_document(base, path, policy.limits)
    for entry, final in new:
        effects.apply_entry(doc, entry, policy, final=final)
    return doc


def _from_intake(data: Mapping[str, Any], timeline: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
                 policy: Policy) -> dict[str, Any]:
    """A whole timeline replayed from the intake (what the ledger does for a new case)."""
    state = effects.intake_base(data, policy)
    for entry, final in timeline[1:]:
        effects.apply_entry(state, entry, policy, final=final)
    return state


def _unexplained(name: str, replayed: Mapping[str, Any], doc: Mapping[str, Any]) -> str:
    diff = effects.differences(replayed, doc, skip=DERIVED)
    if not diff:
        return ""
    return (f"{name} changed {diff[0]} ({get(replayed, diff[0])!r} → {get(doc, diff[0])!r}) with no timeline "
            "entry that explains it")


def _patch(doc: CommentedMap, state: Mapping[str, Any]) -> None:
    """Make the round-trip `doc` hold `state`'s values (its comments and layout stay); a
    section whose every value goes (a reopened case's `closing`) goes with them."""
    emptied = set()
    for field in effects.differences(doc, state, skip=DERIVED):
        value = get(state, field)
        if not effects.blank(value):
            effects.set_path(doc, field, effects.fresh(value))
            continue
        section, _, key = field.rpartition(".")
        parent = get(doc, section) if section else doc
        if isinstance(parent, dict):
            parent.pop(key, None)
            if section and not parent:
                emptied.add(section)
    for section in sorted(emptied, key=len, reverse=True):
        outer, _, key = section.rpartition(".")
        holder = get(doc, outer) if outer else doc
        if isinstance(holder, dict) and holder.get(key) == {}:
            del holder[key]


def merge(base_text: str, ours_text: str, theirs_text: str, path: str, policy: Policy) -> Union:
    """Both sides' changes to one case since the base, as one document (round-trip: comments
    and layout stay). Raises InvalidInput for a file that is not YAML."""
    ours, theirs = load_document(ours_text, path, policy.limits), load_document(theirs_text, path, policy.limits)
    base = load_plain(base_text, path, policy.limits)
    old = entries(base)
    news = []
    for name, doc in (("this clone", ours), ("the remote", theirs)):
        new = added(base, doc, merge=True)
        if new is None:
            return Union(None, f"{name} dropped or changed earlier timeline entries")
        news.append(new)
    combined = interleave(entries(ours), entries(theirs), policy)
    if len(combined) != len(old) + len(news[0]) + len(news[1]):
        return Union(None, "the two timelines cannot be put in one time order")
    timeline = [(e, ours if mine else theirs) for mine, e in combined]
    if all(entries(d)[: len(old)] == old for d in (ours, theirs)):
        # Both sides appended to the base: their new entries, replayed over it.
        for name, doc, new in (("this clone", ours, news[0]), ("the remote", theirs, news[1])):
            why = _unexplained(name, _replay(base_text, path, [(e, doc) for e in new], policy), doc)
            if why:
                return Union(None, why)
        merged = _replay(base_text, path, timeline[len(old):], policy)
        merged["timeline"].extend(e for e, _ in timeline[len(old):])  # the sides' own entries
    else:
        # A side had merged entries in between earlier ones: each timeline replayed whole.
        # (Plain data to start from: a deep copy of ruamel's timestamps would lose their zone.)
        plain = {"this clone": load_plain(ours_text, path, policy.limits),
                 "the remote": load_plain(theirs_text, path, policy.limits)}
        for name, doc in (("this clone", ours), ("the remote", theirs)):
            why = _unexplained(name, _from_intake(plain[name], [(e, doc) for e in entries(doc)], policy), doc)
            if why:
                return Union(None, why)
        merged = theirs
        _patch(merged, _from_intake(plain["the remote"], timeline, policy))
        seq = merged["timeline"]
        del seq[:]
        seq.extend(e for e, _ in timeline)
    effects.refresh_clocks(merged, policy)
    return Union(merged)
