"""Queries over the read index: `Index` (records, documents, vectors, full-text matches, the
files reads leave out, the log's case commits) and the lazily decoded documents it hands out."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl.model.ids import is_case_path
from complaintctl.model.lazy import LazyData
from complaintctl.model.snapshot import CaseRecord
from complaintctl.model.stamp import CaseStamps
from complaintctl.repo.git import CaseCommit
from complaintctl.repo.index import fresh, schema
from complaintctl.repo.index.schema import DAY, RECORD_FIELDS
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.validate import stray_file

STRAY = "not a case file name (cases/YYYY/MM/OFFICE-YYMM-NNNN.yaml)"


def due_where(bound: datetime, moment: datetime) -> tuple[str, list[Any]]:
    """SQL narrowing to the cases that may have a clock due by `bound` and not met at `moment`
    (a superset; policy.clocks.state_at decides): a clock running now, or — judged as of a past
    moment — a clock met since, or a case whose status changed since (closed since, say)."""
    # ... or — against the record — an entry the record saw only after `moment` (a claim made
    # before it that no witness had seen by then: the stamps must be read up first, `recorded`)
    return ("(next_due_ts <= ? OR last_done_ts > ? OR last_to_ts > ? OR id IN "
            "(SELECT case_id FROM recorded WHERE at_ts > ?))",
            [bound.timestamp() + DAY, moment.timestamp(), moment.timestamp(), moment.timestamp()])


@dataclass(frozen=True)
class Skipped:
    """A file under cases/ that a read left out, and why (said on stderr by list/report/...)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason.removeprefix(self.path + ': ')}"



class Index:
    """An open, fresh read index of one work tree."""

    def __init__(self, ws: Workspace, db: sqlite3.Connection) -> None:
        self.ws = ws
        self.db = db

    def skipped(self, where: str = "1", params: Sequence[Any] = ()) -> list[Skipped]:
        """The files under cases/ (matching an SQL condition on `path`) that reads leave out: the
        strict reader refused them, or they are no case file by name. Never dropped silently."""
        out = [Skipped(path, error) for path, error in self.db.execute(
            f"SELECT path, error FROM cases WHERE error IS NOT NULL AND ({where}) ORDER BY path", params)]
        out.extend(Skipped(p, STRAY) for p in self.strays(where, params))
        return out

    def strays(self, where: str = "1", params: Sequence[Any] = ()) -> list[str]:
        """Files under cases/ that are not case files by name (`.yml`, `.YAML`, …), as they are in
        the work tree now."""
        found = {p for (p,) in self.db.execute(f"SELECT path FROM strays WHERE ({where})", params)}
        found.update(p for (p,) in self.db.execute(f"SELECT path FROM dirty WHERE ({where})", params)
                     if not is_case_path(p) and stray_file(p) is not None)
        return sorted(p for p in found if os.path.lexists(self.ws.root / p))

    # -- when the record saw each entry: the witness's stamps, kept beside the rows ---------------

    def recorded(self, case_ids: Iterable[str]) -> dict[str, CaseStamps]:
        """Each case's recorded times (model.stamp.CaseStamps), the stamps read up to the notes
        ref first (only the new ones); from git alone when the index cannot be written."""
        read = self.stamp_reader()
        return {cid: read(cid) for cid in case_ids}

    def stamp_reader(self) -> Callable[[str], CaseStamps]:
        """`recorded` one case at a time (a streamed read keeps no table of them): the stamps are
        brought up to the notes ref once, here."""
        from complaintctl.repo.index import recorded

        db = self.db
        if not recorded.refresh_recorded(db, self.ws.git):
            db = schema.connect(None)
            schema.ensure_schema(db, self.ws.policy.limits)
            recorded.refresh_recorded(db, self.ws.git)
        began = recorded.stamping_began(db)
        return lambda cid: recorded.case_stamps(db, (cid,), began)[cid]

    # -- who did what: git's case commits, kept beside the rows ---------------------------------

    def case_commits(self, since: datetime, until: datetime) -> list[CaseCommit]:
        """HEAD's case commits (`Git.case_commits`) authored from `since` to `until` (widened by
        a day; the caller decides exactly), from the index: `git log` runs only over the commits
        new since the last look (a report reads its period's commits, not history)."""
        lo, hi = since.timestamp() - DAY, until.timestamp() + DAY
        if not fresh.refresh_log(self.db, self.ws.git):  # the index cannot be written (a full disk): git answers
            return [c for c in self.ws.git.case_commits() if lo <= datetime.fromisoformat(c.when).timestamp() <= hi]
        return [CaseCommit(*r) for r in self.db.execute(
            "SELECT sha, author, email, at, case_id, action FROM commits WHERE at_ts >= ? AND at_ts <= ? "
            "ORDER BY seq", (lo, hi))]

    def commits_of(self, case_id: str) -> list[CaseCommit]:
        """HEAD's commits whose `Case:` trailer names this ID, oldest first, from the index's copy
        of the log (`git log -- path` over a 10,000-case history took seconds per case)."""
        if not fresh.refresh_log(self.db, self.ws.git):
            return [c for c in reversed(list(self.ws.git.case_commits())) if c.case_id == case_id]
        return [CaseCommit(*r) for r in self.db.execute(
            "SELECT sha, author, email, at, case_id, action FROM commits WHERE case_id = ? ORDER BY seq DESC",
            (case_id,))]

    def renumberings(self) -> list[tuple[str, str, str]]:
        """`Git.renumber_commits()` (commit, old ID, new ID), newest first, from the index."""
        if not fresh.refresh_log(self.db, self.ws.git):
            return self.ws.git.renumber_commits()
        return list(self.db.execute("SELECT sha, old, new FROM renumbered ORDER BY seq"))

    # -- records ------------------------------------------------------------------------------

    def records(self, where: str = "1", params: Sequence[Any] = (), docs: bool = False,
                facts: bool = False, transient: bool = False) -> list[CaseRecord]:
        """Records of the readable cases matching an SQL condition, in path order. Documents are
        fetched with them (`docs`) or when first read (one query each); `facts`: each record's
        data is only what a report reads (`report_facts`). `transient`: each document is fetched
        when read and only the last few read stay decoded — for a caller that reads each
        record's document in turn (18,000 overdue documents held at once weighed ~300 MB)."""
        if transient:  # `facts`: the report facts, else the whole document
            recent = _Recent(self.db, "facts" if facts else "doc")
            return [_record(values, path, TransientRow(recent, rowid)) for path, values, rowid in self.db.execute(
                f"SELECT path, record, rowid FROM cases WHERE error IS NULL AND ({where}) ORDER BY path", params)]
        docs = docs or facts
        cols = "path, record, facts" if facts else "path, record, doc" if docs else "path, record, rowid"
        out = []
        for path, values, extra in self.db.execute(
                f"SELECT {cols} FROM cases WHERE error IS NULL AND ({where}) ORDER BY path", params):
            data: Mapping[str, Any] = LazyData(json.loads, extra) if docs else RowData(self.db, extra)
            out.append(_record(values, path, data))
        return out

    def documents(self, paths: Iterable[str]) -> dict[str, dict[str, Any]]:
        """path -> the whole document, for these readable case files."""
        out: dict[str, dict[str, Any]] = {}
        wanted = sorted(set(paths))
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            out.update((path, json.loads(doc)) for path, doc in self.db.execute(
                f"SELECT path, doc FROM cases WHERE error IS NULL AND path IN ({','.join('?' * len(part))})", part))
        return out

    def iter_vectors(self) -> Iterator[tuple[int, str, str, str, dict[str, float]]]:
        """(row id, path, case ID, category, stored weighted token vector) of every readable case,
        in path order, streamed: the vector is `model.text.vector` — the same floats in the same
        order — so `similar` never re-cuts text nor decodes a document it does not show."""
        for rowid, path, case_id, category, vec in self.db.execute(
                "SELECT rowid, path, id, category, vec FROM cases WHERE error IS NULL ORDER BY path"):
            yield rowid, path, case_id, category, json.loads(vec)

    def record_at(self, rowid: int) -> CaseRecord:
        """One row's record (its document read when first used)."""
        path, values = self.db.execute("SELECT path, record FROM cases WHERE rowid = ?", (rowid,)).fetchone()
        return _record(values, path, RowData(self.db, rowid))

    def iter_records(self, where: str = "1", params: Sequence[Any] = (), docs: bool = True,
                     order: str = "path", limit: int | None = None, offset: int = 0) -> Iterator[CaseRecord]:
        """Like `records`, one at a time (memory stays flat over 100,000 cases), in `order`; only
        `limit` of them from `offset` when given (a page of a long list decodes no more)."""
        cols = "path, record, doc" if docs else "path, record, rowid"
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        for path, values, extra in self.db.execute(
                f"SELECT {cols} FROM cases WHERE error IS NULL AND ({where}) ORDER BY {order}{page}", params):
            yield _record(values, path, json.loads(extra) if docs else RowData(self.db, extra))

    def document_frequencies(self) -> dict[str, int]:
        """token -> number of readable cases holding it (FTS5's own vocabulary)."""
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, fts, row)")
        return dict(self.db.execute("SELECT term, doc FROM temp.vocab"))

    def duplicate_ids(self) -> bool:
        (dup,) = self.db.execute("SELECT count(*) - count(DISTINCT id) FROM cases WHERE error IS NULL").fetchone()
        return bool(dup)

    def count(self, where: str = "1", params: Sequence[Any] = ()) -> int:
        """The readable cases (matching an SQL condition)."""
        return int(self.db.execute(f"SELECT count(*) FROM cases WHERE error IS NULL AND ({where})",
                                   params).fetchone()[0])

    def entries(self) -> Iterator[tuple[str, str | None, dict[str, Any] | None, str]]:
        """(path, blob or None if the work tree's, document or None, parse error) of every case
        file, in path order, streamed."""
        for path, blob, error, doc in self.db.execute("SELECT path, blob, error, doc FROM cases ORDER BY path"):
            yield path, blob, (json.loads(doc) if doc is not None else None), error or ""

    def match(self, wanted: Iterable[str], column: str = "tokens") -> list[int]:
        """Row ids of the cases holding every token (FTS5 over model.text.tokens)."""
        return self._fts(wanted, " AND ", column)

    def match_any(self, wanted: Iterable[str], column: str = "tokens") -> list[int]:
        """Row ids of the cases holding any of the tokens."""
        return self._fts(wanted, " OR ", column)

    def _fts(self, wanted: Iterable[str], joiner: str, column: str) -> list[int]:
        terms = sorted(set(wanted))
        if not terms:
            return []
        query = joiner.join(f'{column} : "{t}"' for t in terms)
        return [r for (r,) in self.db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (query,))]

    def match_paths(self, token: str) -> set[str]:
        """The paths of the cases holding `token`."""
        return {p for (p,) in self.db.execute("SELECT path FROM cases WHERE rowid IN (SELECT rowid FROM fts "
                                              "WHERE fts MATCH ?)", (f'tokens : "{token}"',))}

    def document_frequency(self, token: str) -> int:
        return len(self.match([token]))

    def by_rowids(self, rowids: Sequence[int], docs: bool = True) -> list[CaseRecord]:
        out: list[CaseRecord] = []
        for i in range(0, len(rowids), 500):
            part = rowids[i:i + 500]
            out.extend(self.records(f"rowid IN ({','.join('?' * len(part))})", part, docs))
        return sorted(out, key=lambda r: r.path)

    def close(self) -> None:
        self.db.close()


class RowData(LazyData):
    """The document of one row, fetched from the index when first read (`list` reads none)."""

    __slots__ = ()

    def __init__(self, db: sqlite3.Connection, rowid: int) -> None:
        super().__init__(lambda r: json.loads(db.execute("SELECT doc FROM cases WHERE rowid=?", (r,)).fetchone()[0]),
                         rowid)


class _Recent:
    """The last few documents read by row id (a tiny least-recently-used cache)."""

    KEEP = 8

    def __init__(self, db: sqlite3.Connection, column: str = "doc") -> None:
        self.db = db
        self.query = f"SELECT {column} FROM cases WHERE rowid=?"
        self.docs: dict[int, dict[str, Any]] = {}

    def get(self, rowid: int) -> dict[str, Any]:
        doc = self.docs.pop(rowid, None)
        if doc is None:
            doc = json.loads(self.db.execute(self.query, (rowid,)).fetchone()[0])
            if len(self.docs) >= self.KEEP:
                del self.docs[next(iter(self.docs))]
        self.docs[rowid] = doc
        return doc


class TransientRow(Mapping[str, Any]):
    """The document of one row, fetched each time it is first read again (`Index.records`'
    `transient`): reading every record's document in turn keeps only a few of them decoded."""

    __slots__ = ("_recent", "_rowid")

    def __init__(self, recent: _Recent, rowid: int) -> None:
        self._recent, self._rowid = recent, rowid

    def __getitem__(self, key: str) -> Any:
        return self._recent.get(self._rowid)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._recent.get(self._rowid))

    def __len__(self) -> int:
        return len(self._recent.get(self._rowid))

    def get(self, key: str, default: Any = None) -> Any:
        return self._recent.get(self._rowid).get(key, default)


def _record(values: str, path: str, data: Mapping[str, Any]) -> CaseRecord:
    kw = dict(zip(RECORD_FIELDS, json.loads(values), strict=True))
    kw["repeat_of"] = tuple(kw["repeat_of"])
    kw["complainant_lookup"] = tuple(kw["complainant_lookup"])
    return CaseRecord(path=path, data=data, **kw)


