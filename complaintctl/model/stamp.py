"""Recorded time: the stamp a witness writes when it first sees timeline entries.

A date an entry carries (`at:`) is a claim; its *recorded* time is when the shared server's
`post-receive` (or, without a shared remote, the clone's own `post-commit`) first saw it.
The witness keeps one note per accepted tip under `refs/notes/complaintctl/received`, in
this text format (docs/design/recorded-time.md):

    complaintctl-received 1
    at 2026-11-22T18:04:11.532+08:00
    ref refs/heads/main
    old <40 hex, or zeros>
    pusher zhangmin
    SZ-2611-0042 5c0e4b1f9a27d3e8c6b1a0f2 1

Entry lines name `<case id> <digest> <n>`: n identical entries this update added to the
case. Keying by entry, not by commit, keeps a stamp through rebases and case-by-case merges.
Pure functions only: no git, no clock.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MAGIC = "complaintctl-received 1"
FACT_DIGEST = "_digest"  # an entry cut down to the report's facts keeps its whole entry's digest here
DIGEST_BYTES = 12


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not a case-file value: {type(value).__name__}")


def entry_digest(entry: Mapping[str, Any]) -> str:
    """The first 12 bytes of SHA-256 over the entry's canonical JSON, in hex. The entry is the
    strict reader's value, so a re-serialised file (sync's merges) keeps every digest."""
    canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[: DIGEST_BYTES * 2]


def digests(timeline: Iterable[Any]) -> Counter[str]:
    return Counter(entry_digest(e) for e in timeline if isinstance(e, Mapping))


def added_entries(old: Iterable[Any], new: Iterable[Any]) -> Counter[str]:
    """The entries in `new` that `old` lacks, as a multiset (n counts identical entries)."""
    return digests(new) - digests(old)


@dataclass(frozen=True)
class Stamp:
    """One note: when the witness accepted `ref` moving from `old` to the noted commit."""

    at: datetime
    ref: str
    old: str
    pusher: str
    entries: tuple[tuple[str, str, int], ...] = field(default=())  # (case id, digest, n)


def render(stamp: Stamp) -> str:
    lines = [MAGIC, f"at {stamp.at.isoformat(timespec='milliseconds')}", f"ref {stamp.ref}", f"old {stamp.old}",
             f"pusher {stamp.pusher or '-'}"]
    lines.extend(f"{case} {digest} {n}" for case, digest, n in stamp.entries)
    return "\n".join(lines) + "\n"


def parse(text: str) -> Stamp | None:
    """A note's stamp, or None when the text is not one (a note someone else wrote)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != MAGIC:
        return None
    head: dict[str, str] = {}
    entries: list[tuple[str, str, int]] = []
    for line in lines[1:]:
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("at", "ref", "old", "pusher"):
            head[parts[0]] = parts[1]
        elif len(parts) == 3 and parts[2].isdigit():
            entries.append((parts[0], parts[1], int(parts[2])))
    try:
        at = datetime.fromisoformat(head["at"])
    except (KeyError, ValueError):
        return None
    if at.tzinfo is None:
        return None
    return Stamp(at, head.get("ref", ""), head.get("old", ""), head.get("pusher", "-"), tuple(entries))


def entry_lines(changed: Sequence[tuple[str, Iterable[Any], Iterable[Any]]]) -> tuple[tuple[str, str, int], ...]:
    """(case id, old timeline, new timeline) for each changed case → the note's entry lines."""
    out: list[tuple[str, str, int]] = []
    for case_id, old, new in changed:
        out.extend((case_id, d, n) for d, n in sorted(added_entries(old, new).items()))
    return tuple(sorted(out))


@dataclass(frozen=True)
class CaseStamps:
    """What the record says about one case's entries: digest → the recorded times of its
    identical copies, earliest first; `began`, when the record began stamping (None: never)."""

    times: Mapping[str, tuple[datetime, ...]]
    began: datetime | None
    # the last timeline read and its times: every clock of a case asks again (`due` over many
    # cases digested each entry once per clock); the entries are kept, so their ids stay theirs
    _last: list[tuple[tuple[Any, ...], tuple[datetime | None, ...]]] = field(
        default_factory=list, compare=False, repr=False)

    def of_timeline(self, timeline: Sequence[Mapping[str, Any]]) -> list[datetime | None]:
        """The recorded time of each entry, in order (the k-th copy of an entry gets the k-th stamp)."""
        if not self.times:
            return [None] * len(timeline)  # nothing of this case is on the record: no digest to make
        if self._last and len(self._last[0][0]) == len(timeline) and \
                all(a is b for a, b in zip(self._last[0][0], timeline, strict=True)):
            return list(self._last[0][1])
        seen: Counter[str] = Counter()
        out: list[datetime | None] = []
        for e in timeline:
            d = str(e[FACT_DIGEST]) if FACT_DIGEST in e else entry_digest(e)
            times = self.times.get(d, ())
            out.append(times[seen[d]] if seen[d] < len(times) else None)
            seen[d] += 1
        self._last[:] = [(tuple(timeline), tuple(out))]
        return out


NO_STAMPS = CaseStamps({}, None)
