"""The knowledge base of past cases (R-RP-3): search, similar cases, repeat detection (R-AS-5).

Chinese is written without spaces, so text is cut into overlapping character pairs
(bigrams: 电梯故障 → 电梯 梯故 故障) and English into lower-case words; a query matches a
case holding all its tokens, ranked by tf-idf. Pure functions over `CaseRecord`s.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from complaintctl import i18n
from complaintctl.errors import CaseNotFound
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.model.snapshot import CaseRecord
from complaintctl.model.text import FIELDS, says_too_little, tokens, vector
from complaintctl.model.text import contact_key as _contact_key
from complaintctl.repo.index import Index
from complaintctl.repo.workspace import Workspace

if TYPE_CHECKING:
    from complaintctl.privacy.blindindex import Caller
    from complaintctl.repo.index.private import PrivateIndex

__all__ = ["FIELDS", "Hit", "RepeatMatch", "find_repeats", "search", "similar", "tokens"]

REPEAT_WINDOW_MONTHS = 12  # R-AS-5 looks back this far, so `new` never reads the whole archive
SUBJECT_SIMILAR = 0.7  # Dice coefficient of subject bigrams above which a matter "looks the same"


def case_text(data: Mapping[str, object]) -> str:
    return "\n".join(str(get(data, f) or "") for f, _ in FIELDS)


_vector = vector


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    status: str
    received_at: str
    subject: str
    outcome: str
    root_cause: str
    lesson: str
    why: str = ""


def _hit(r: CaseRecord, score: float, why: str = "") -> Hit:
    return Hit(r.id, round(score, 3), r.status, r.received_at, r.subject,
               str(get(r.data, F.RESOLUTION_OUTCOME) or ""), str(get(r.data, F.CLOSING_ROOT_CAUSE) or ""),
               str(get(r.data, F.CLOSING_LESSON) or ""), why)


def _idf(vectors: Sequence[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for v in vectors:
        df.update(v.keys())
    n = len(vectors)
    return {t: math.log(1 + n / c) for t, c in df.items()}


def search_index(idx: Index, query: str, limit: int = 20, private: PrivateIndex | None = None) -> list[Hit]:
    """`search` through the read index's FTS5 token table: the same tokens, the same scores,
    computed for the matching cases only (O(result)). With `private` (this user's private
    index, R-RT-5) the protected fields of the cases their keys open count too — as if the
    cases were stored in clear, but only those this user may read."""
    wanted = set(tokens(query))
    if not wanted:
        return []
    if private is None:
        records = idx.by_rowids(idx.match(wanted))
        df = {t: idx.document_frequency(t) for t in wanted} if records else {}
    else:  # per word: the cases holding it in a clear field, or in a protected one this user opened
        having = {t: idx.match_paths(t) | private.paths_with(t) for t in wanted}
        df = {t: len(p) for t, p in having.items()}
        found = sorted(set.intersection(*having.values()))
        records = [r for i in range(0, len(found), 500) for r in idx.records(
            f"path IN ({','.join('?' * len(found[i:i + 500]))})", found[i:i + 500], docs=True)]
    if not records:
        return []
    n = idx.count()
    idf = {t: math.log(1 + n / df[t]) for t in wanted}
    hits = []
    for r in records:
        vec = _vector(r.data)
        if private is not None:
            vec.update(private.vector(r.path))
        score = sum((1 + math.log(vec[t])) * idf[t] for t in wanted)
        hits.append(_hit(r, score))
    hits.sort(key=lambda h: (-h.score, h.id))
    return hits[:limit]


def search_seen(ws: Workspace, idx: Index, query: str, limit: int = 20) -> list[Hit]:
    """`search` over what this user may read (R-RT-5): the clear fields of every case, and the
    protected fields of the cases their keys open (repo.index.private)."""
    private = _private(ws, idx)
    try:
        return search_index(idx, query, limit, private)
    finally:
        if private is not None:
            private.close()


def similar_seen(ws: Workspace, idx: Index, case_id: str, limit: int = 5) -> list[Hit]:
    """`similar` over what this user may read (R-RT-5), as `search_seen`."""
    private = _private(ws, idx)
    try:
        return similar_index(idx, case_id, limit, private)
    finally:
        if private is not None:
            private.close()


def _private(ws: Workspace, idx: Index) -> PrivateIndex | None:
    if not ws.policy.privacy.required:
        return None  # no keys to read: the CLI stays light
    from complaintctl.repo.index.private import open_private

    return open_private(ws, idx.db)


def repeat_candidates(idx: Index, folders: Sequence[str], name: str, contact: str, subject: str,
                      lookups: Sequence[str] = ()) -> list[CaseRecord]:
    """The cases in `folders` that `find_repeats` could match (a superset, from indexed columns):
    same contact key, same name, a shared blind-index lookup, or a subject sharing enough bigrams
    for SUBJECT_SIMILAR."""
    where = ["(" + " OR ".join("path LIKE ?" for _ in folders) + ")"]
    params: list[object] = [f"{f.rstrip('/')}/%" for f in folders]
    either, more = [], []
    if contact.strip():
        either.append("contact_key = ?")
        more.append(_contact_key(contact))
    if name.strip():
        either.append("name = ?")
        more.append(name.strip())
    for lookup in lookups:  # a lookup is one word of the column: BIDX[…] holds no space
        either.append("instr(lookups, ?) > 0")
        more.append(lookup)
    subject_tokens = set(tokens(subject))
    if subject_tokens:
        # dice ≥ s needs |x∩y| ≥ s·|x|/(2−s) shared tokens, so at least one of the
        # |x| − that + 1 rarest tokens of the new subject.
        need = max(1, math.floor(SUBJECT_SIMILAR * len(subject_tokens) / (2 - SUBJECT_SIMILAR)))
        rare = sorted(subject_tokens, key=lambda t: (len(idx.match([t], "subject_tokens")), t))
        rowids = idx.match_any(rare[:len(subject_tokens) - need + 1], "subject_tokens")
        if rowids:
            either.append(f"rowid IN ({','.join(str(r) for r in rowids)})")
    if not either:
        return []
    where.append("(" + " OR ".join(either) + ")")
    return idx.records(" AND ".join(where), [*params, *more])


def search(records: Sequence[CaseRecord], query: str, limit: int = 20) -> list[Hit]:
    """Cases whose text holds every token of the query, best first (tf-idf)."""
    wanted = set(tokens(query))
    if not wanted:
        return []
    vectors = [_vector(r.data) for r in records]
    idf = _idf(vectors)
    hits = []
    for r, vec in zip(records, vectors, strict=True):
        if all(t in vec for t in wanted):
            score = sum((1 + math.log(vec[t])) * idf[t] for t in wanted)
            hits.append(_hit(r, score))
    hits.sort(key=lambda h: (-h.score, h.id))
    return hits[:limit]


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def similar(records: Sequence[CaseRecord], case_id: str, limit: int = 5,
            words: Callable[[str], Counter[str]] | None = None) -> list[Hit]:
    """The other cases most like this one (text, then same category), with outcome and lesson.
    `words`: path -> the weighted words of a case's protected fields this user opened (R-RT-5)."""
    target = next((r for r in records if r.id == case_id), None)
    if target is None:
        raise CaseNotFound(i18n._("{case}: no such case").format(case=case_id))
    vectors = {r.id: _vector(r.data) + words(r.path) if words is not None else _vector(r.data) for r in records}
    idf = _idf(list(vectors.values()))

    def weighted(v: Mapping[str, float]) -> dict[str, float]:
        return {t: w * idf[t] for t, w in v.items()}

    mine = weighted(vectors[case_id])
    hits = []
    for r in records:
        if r.id == case_id:
            continue
        score = _cosine(mine, weighted(vectors[r.id]))
        if r.category == target.category:
            score += 0.05
        if score > 0.05:
            hits.append(_hit(r, score))
    # past cases that were closed with a lesson are the ones worth reading first
    hits.sort(key=lambda h: (-h.score, not h.lesson, h.id))
    return hits[:limit]


def similar_index(idx: Index, case_id: str, limit: int = 5, private: PrivateIndex | None = None) -> list[Hit]:
    """`similar` through the read index: document frequencies from FTS5's vocabulary, the cases
    streamed one at a time (memory stays flat); the same scores, the same order. With `private`
    (R-RT-5) the protected fields of the cases this user's keys open count too, from their
    private index (streamed beside the shared one, in path order)."""
    if idx.duplicate_ids():  # two files with one ID: `similar` keeps one vector per ID; do just that
        return similar(idx.records(docs=True), case_id, limit, private.vector if private is not None else None)
    found = idx.records("id = ?", [case_id], docs=True)
    if not found:
        raise CaseNotFound(i18n._("{case}: no such case").format(case=case_id))
    target = found[0]
    n = idx.count()
    frequencies = idx.document_frequencies()
    if private is not None:  # words only a protected field holds: counted once per case there
        for t, c in private.document_frequencies().items():
            frequencies[t] = frequencies.get(t, 0) + c
    idf = {t: math.log(1 + n / c) for t, c in frequencies.items()}

    def weighted(v: Mapping[str, float]) -> dict[str, float]:
        return {t: w * idf[t] for t, w in v.items()}

    mine_raw = _vector(target.data)
    if private is not None:
        mine_raw.update(private.vector(target.path))
    mine = weighted(mine_raw)
    # `_cosine` term by term (the same products summed in the same order: the same floats), with
    # this case's norm once; a case sharing no token scores at most 0.05, never a hit
    mine_norm = math.sqrt(sum(w * w for w in mine.values()))
    scored: list[tuple[float, int]] = []
    opened = _Beside(private.vectors() if private is not None else iter(()))
    for rowid, path, other, category, raw in idx.iter_vectors():  # stored vectors, no document read
        extra = opened.at(path)
        if extra:
            raw = dict(Counter(raw) + Counter(extra))
        if other == case_id or mine.keys().isdisjoint(raw):
            continue
        vec = weighted(raw)
        if len(mine) > len(vec):
            dot = sum(w * mine.get(t, 0.0) for t, w in vec.items())
        else:
            dot = sum(w * vec.get(t, 0.0) for t, w in mine.items())
        norm = math.sqrt(sum(w * w for w in vec.values()))
        score = dot / (mine_norm * norm) if mine_norm and norm else 0.0
        if category == target.category:
            score += 0.05
        if score > 0.05:
            # ranked by the score as shown (3 places), as `similar` over every record ranks them:
            # two scores that differ only in the last bits of a float are a tie there too
            scored.append((round(score, 3), rowid))
    # only the best scores (ties at the cut included) are read whole, and only `limit` of them
    # are kept at a time: the same answer as sorting every hit, in memory O(limit)
    scored.sort(key=lambda s: -s[0])
    # hits rank by their shown (rounded) score, then lesson: cut there too, or a case with a
    # lesson a hair below the cut would be missed
    cut = round(scored[limit - 1][0], 3) if limit > 0 and len(scored) >= limit else -math.inf
    best = (_hit(idx.record_at(rowid), score) for score, rowid in scored if round(score, 3) >= cut)
    return heapq.nsmallest(limit, best, key=lambda h: (-h.score, not h.lesson, h.id))


class _Beside:
    """The private index's vectors, read alongside the shared index's in the same path order."""

    def __init__(self, rows: Iterator[tuple[str, dict[str, float]]]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def at(self, path: str) -> dict[str, float] | None:
        while self._next is not None and self._next[0] < path:
            self._next = next(self._rows, None)
        if self._next is not None and self._next[0] == path:
            return self._next[1]
        return None


def dice(a: str, b: str) -> float:
    """Overlap of two short texts' bigram sets (1.0: the same words)."""
    x, y = set(tokens(a)), set(tokens(b))
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def repeat_folders(received_at: datetime, months: int = REPEAT_WINDOW_MONTHS) -> list[str]:
    """The case folders (`cases/YYYY/MM`) a repeat check reads: this month and the ones before."""
    y, m = received_at.year, received_at.month
    out = []
    for _ in range(months + 1):
        out.append(f"cases/{y:04d}/{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


@dataclass(frozen=True)
class RepeatMatch:
    id: str
    reason: str  # same-contact, same-name, similar-subject


def find_repeats(records: Iterable[CaseRecord], name: str, contact: str, subject: str,
                 received_at: datetime, limit: int = 5, caller: Caller | None = None) -> list[RepeatMatch]:
    """R-AS-5: earlier cases from the same complainant (contact or name) or about the same matter.

    A name like 王女士 (surname + honorific) says too little to count on its own. With privacy
    the earlier cases' name and contact are sealed: `caller`, the new caller's blind-index
    lookups under every (office, epoch) this user holds, matches theirs (privacy.blindindex).
    """
    contact_key = _contact_key(contact) if contact.strip() else ""
    name_key = "" if says_too_little(name) else name.strip()
    by_phone, by_name = (set(caller.by_phone), set(caller.by_name)) if caller else (set(), set())
    out: list[tuple[str, str]] = []
    for r in records:
        before = as_datetime(r.received_at, received_at.tzinfo or UTC)
        if before is None or before > received_at:
            continue
        looked = set(r.complainant_lookup)
        if (contact_key and _contact_key(r.complainant_contact) == contact_key) or looked & by_phone:
            out.append((r.id, "same-contact"))
        elif (name_key and r.complainant_name.strip() == name_key) or looked & by_name:
            out.append((r.id, "same-name"))
        elif subject and dice(subject, r.subject) >= SUBJECT_SIMILAR:
            out.append((r.id, "similar-subject"))
    out.sort(key=lambda m: m[0], reverse=True)  # newest first: IDs sort by year, month, serial
    return [RepeatMatch(i, why) for i, why in out[:limit]]
