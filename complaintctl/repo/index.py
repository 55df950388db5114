"""The read index: every case of the work tree as a row of `.git/complaintctl/index.sqlite`,
so reads cost O(result), not O(cases) (issue 12).

Freshness. The index records the tree id of `HEAD:cases` it reflects. Nothing changed: one
`git rev-parse` says so. HEAD moved (commit, `git pull`, checkout, rebase, reset): `git
diff-tree` between the indexed tree and HEAD's names the changed files, and only their blobs
are parsed. The work tree's own changes (hand edits, staged files, untracked cases) come
from `git status`; those files are read from disk and their rows marked as the work tree's
(`blob` NULL), with the file's stat signature so an unchanged edit is not parsed twice.

Cold (a fresh clone, a new code version): the blobs of `HEAD:cases` stream through one
`git cat-file --batch`, are parsed by a process pool (one worker per core) with the case
module's C-backed `load_plain`, and are stored a window at a time; a progress bar goes to
stderr when it is a terminal.

Every file is read by the strict reader (model/reader.py) under the policy's `limits:`; a
file it refuses (or a symbolic link, a submodule, a file too large) is a row with its error,
and a file under cases/ that is not a case file by name (`.yml`, `.YAML`) is a stray: reads
leave both out and name them (`Index.skipped`), `validate` reports them.

Rows carry the flat record fields as indexed columns (status, dates, category, unit,
handler, severity, the next due time of a running clock) for SQL filters, the whole
document as JSON for the few rows a command reads whole, and the case's search tokens
(model.text: Chinese bigrams, English words) in an FTS5 table, so `search 漏水` is an index
lookup with the same meaning as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import CaseNotFound, InvalidInput
from complaintctl.model.case import as_datetime, decode, get, load_plain, to_plain
from complaintctl.model.ids import CASES_PREFIX, is_case_path
from complaintctl.model.reader import DEFAULT_LIMITS, Limits
from complaintctl.model.snapshot import Case, CaseRecord
from complaintctl.model.text import case_tokens, contact_key, tokens, vector
from complaintctl.output import Progress
from complaintctl.policy import clocks
from complaintctl.repo import cache, store
from complaintctl.repo.git import CaseCommit, Git
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.validate import stray_file

DB_NAME = "index.sqlite"
WINDOW = 1000  # files parsed and stored per round (memory stays flat)
PARALLEL_AT = 200  # files to parse before a process pool pays for itself
COMMIT_EVERY = 5000  # rows stored per transaction during a long fill
RACY_NS = 2_000_000_000  # a file changed this close to our read may change again unseen (git's "racy")
DAY = 86400.0  # SQL time filters are widened by this margin (naive times, time zones); exact filters follow
_RECORD_FIELDS = tuple(f.name for f in fields(CaseRecord) if f.name not in ("path", "data"))
# SQL for the order lists use, `sorted(key=(received_at, id))` over records in path order
# (UTF-8 bytes sort as Python compares text)
BY_RECEIVED = (f"json_extract(record, '$[{_RECORD_FIELDS.index('received_at')}]'), "
               f"json_extract(record, '$[{_RECORD_FIELDS.index('id')}]'), path")
# The code that decides what a row holds; any change rebuilds the index (so does the policy's
# `limits:`: a file refused under one limit may be read under another).
_ROW_CODE = ("repo/index.py", "policy/clocks.py", "model/case.py", "model/snapshot.py", "model/fields.py",
             "model/text.py", "model/reader.py", "model/shape.py")
_MODES = {"120000": "is a symbolic link", "160000": "is a submodule"}  # never read as case files
STRAY = "not a case file name (cases/YYYY/MM/OFFICE-YYMM-NNNN.yaml)"

COLUMNS = ("path", "blob", "sig", "error", "id", "status", "received_ts", "resolved_ts", "closed_ts",
           "revisit_ts", "last_to", "last_to_ts", "next_due_ts", "last_done_ts", "category", "unit", "handler",
           "severity", "name", "contact_key", "record", "doc", "tokens", "subject_tokens", "vec", "facts")
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE cases (rowid INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, blob TEXT, sig TEXT, error TEXT,
    id TEXT, status TEXT, received_ts REAL, resolved_ts REAL, closed_ts REAL, revisit_ts REAL,
    last_to TEXT, last_to_ts REAL, next_due_ts REAL, last_done_ts REAL, category TEXT, unit TEXT, handler TEXT,
    severity TEXT, name TEXT, contact_key TEXT, record TEXT, doc TEXT, tokens TEXT, subject_tokens TEXT, vec TEXT,
    facts TEXT);
CREATE TABLE dirty (path TEXT PRIMARY KEY);
CREATE TABLE strays (path TEXT PRIMARY KEY);
CREATE INDEX cases_error ON cases (path) WHERE error IS NOT NULL;
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_received ON cases (received_ts);
CREATE INDEX cases_resolved ON cases (resolved_ts);
CREATE INDEX cases_closed ON cases (closed_ts);
CREATE INDEX cases_revisit ON cases (revisit_ts);
CREATE INDEX cases_last_to ON cases (last_to_ts);
CREATE INDEX cases_due ON cases (next_due_ts);
CREATE INDEX cases_done ON cases (last_done_ts);
CREATE INDEX cases_category ON cases (category);
CREATE INDEX cases_unit ON cases (unit);
CREATE INDEX cases_handler ON cases (handler);
CREATE INDEX cases_severity ON cases (severity);
CREATE INDEX cases_name ON cases (name);
CREATE INDEX cases_contact ON cases (contact_key);
CREATE INDEX cases_id ON cases (id);
CREATE TABLE commits (seq INTEGER, sha TEXT, author TEXT, email TEXT, at TEXT, at_ts REAL, case_id TEXT, action TEXT);
CREATE INDEX commits_at ON commits (at_ts);
CREATE TABLE renumbered (seq INTEGER PRIMARY KEY, sha TEXT, old TEXT, new TEXT);
CREATE VIRTUAL TABLE fts USING fts5(tokens, subject_tokens, content='cases', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 0');
"""
_INSERT = f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def version(limits: Limits = DEFAULT_LIMITS) -> str:
    root = Path(cache.__file__).resolve().parent.parent
    h = hashlib.sha1(f"index 2 {limits.max_bytes}/{limits.max_depth}/{limits.max_timeline}".encode())
    for rel in _ROW_CODE:
        h.update((root / rel).read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Skipped:
    """A file under cases/ that a read left out, and why (said on stderr by list/report/...)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason.removeprefix(self.path + ': ')}"


# --- rows: computed in the pool's workers --------------------------------------------------

def _ts(value: Any) -> float | None:
    moment = as_datetime(value, UTC) if value not in (None, "") else None
    return moment.timestamp() if moment is not None else None


def _last_transition(data: Mapping[str, Any]) -> tuple[str | None, float | None]:
    timeline = data.get("timeline")
    for entry in reversed(timeline if isinstance(timeline, list) else []):
        if isinstance(entry, Mapping) and entry.get("to"):
            return str(entry["to"]), _ts(entry.get("at"))
    return None, None


def _next_due(case: Case) -> float | None:
    """The earliest due time of a clock still running (policy.clocks.open_dues)."""
    dues = [due.timestamp() for _, due in clocks.open_dues(case)]
    return min(dues) if dues else None


def _last_done(case: Case) -> float | None:
    """The latest time a clock was met: a clock met after a past moment was still running then."""
    done = [c.done.timestamp() for c in case.clocks if c.done is not None]
    return max(done) if done else None


def due_where(bound: datetime, moment: datetime) -> tuple[str, list[Any]]:
    """SQL narrowing to the cases that may have a clock due by `bound` and not met at `moment`
    (a superset; policy.clocks.state_at decides): a clock running now, or — judged as of a past
    moment — a clock met since, or a case whose status changed since (closed since, say)."""
    return ("(next_due_ts <= ? OR last_done_ts > ? OR last_to_ts > ?)",
            [bound.timestamp() + DAY, moment.timestamp(), moment.timestamp()])


def row(path: str, blob: str | None, sig: str | None, text: str | None, error: str = "",
        limits: Limits = DEFAULT_LIMITS) -> tuple[Any, ...]:
    """One `cases` row from a file's text, through the strict reader (or its read error)."""
    data = None
    if text is not None:
        try:
            data = to_plain(load_plain(text, path, limits))
        except InvalidInput as exc:
            error = str(exc)
    if data is None:
        return (path, blob, sig, error or f"{path}: cannot read", *([None] * (len(COLUMNS) - 4)))
    case = Case.from_data(data, UTC)
    rec = CaseRecord.from_case(case, path)
    last_to, last_to_ts = _last_transition(data)
    record = json.dumps([getattr(rec, f) for f in _RECORD_FIELDS], ensure_ascii=False)
    subject = " ".join(sorted(set(tokens(rec.subject))))
    return (path, blob, sig, None, rec.id, rec.status, _ts(rec.received_at), _ts(rec.resolved_at),
            _ts(rec.closed_at), _ts(get(data, "revisit.at")), last_to, last_to_ts, _next_due(case), _last_done(case),
            rec.category, rec.unit, rec.handler, rec.severity, rec.complainant_name.strip(),
            contact_key(rec.complainant_contact) if rec.complainant_contact.strip() else "",
            record, json.dumps(data, ensure_ascii=False), " ".join(sorted(case_tokens(data))), subject,
            json.dumps(vector(data), ensure_ascii=False), json.dumps(report_facts(data), ensure_ascii=False))


def report_facts(data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a case document the report's figures read (reporting.reports: the status
    changes of the timeline in order, the clocks, the plan's due time, the revisit, the repeat
    flag; the bulletin's lesson) — a report over a month of 100,000 cases decodes these, not
    whole documents (issue 12)."""
    timeline = data.get("timeline")
    return {"id": data.get("id"), "status": data.get("status"),
            "timeline": [{"at": e.get("at"), "to": e["to"]} for e in (timeline if isinstance(timeline, list) else ())
                         if isinstance(e, Mapping) and e.get("to")],
            "clocks": data.get("clocks"), "plan": {"due": get(data, "plan.due")},
            "intake": {"received_at": get(data, "intake.received_at")},
            # the current resolution and revisit (model.snapshot) need the resolution's time
            "resolution": {"at": get(data, "resolution.at")} if isinstance(data.get("resolution"), Mapping) else None,
            "revisit": {"at": get(data, "revisit.at"), "satisfaction": get(data, "revisit.satisfaction")},
            "assessment": {"repeat": get(data, "assessment.repeat"), "repeat_of": get(data, "assessment.repeat_of"),
                           "incident": get(data, "assessment.incident")},  # R-AS-3: incidents declined
            "closing": {"lesson": get(data, "closing.lesson")}}


def _rows(items: list[tuple[str, str | None, str | None, bytes | str]],
          limits: Limits = DEFAULT_LIMITS) -> list[tuple[Any, ...]]:
    """Rows from (path, blob, sig, content or the reason it was not read)."""
    out = []
    for path, blob, sig, raw in items:
        if isinstance(raw, str):
            out.append(row(path, blob, sig, None, raw))
            continue
        try:
            text = decode(raw, path)  # UTF-8 only, as every reader (R-WF)
        except InvalidInput as exc:
            out.append(row(path, blob, sig, None, str(exc)))
            continue
        out.append(row(path, blob, sig, text, limits=limits))
    return out


def _too_large(path: str, limits: Limits) -> str:
    return (f"{path}: not a valid case file (R-WF): larger than {limits.max_bytes} bytes (the policy's "
            "limits.case_file_bytes)")


# --- reading blobs ---------------------------------------------------------------------------

def stream_blobs(g: Git, blobs: Sequence[str], max_bytes: int | None = None
                 ) -> Iterator[tuple[str, bytes | None, int]]:
    """(blob, content, size) for each blob id, in order, through ONE `git cat-file --batch`;
    content None for a missing object or one over `max_bytes` (skipped, never held)."""
    if not blobs:
        return
    import subprocess

    from complaintctl.repo.git import LOW_MEMORY, read_env

    # Mapped pack windows count as the process's memory: bound them (issue 12: ≤ 200 MB).
    proc = subprocess.Popen(["git", *LOW_MEMORY, "cat-file", "--batch"], cwd=g.git_dir, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=read_env())
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:  # a thread, so a full pipe in either direction never deadlocks
        assert proc.stdin is not None
        try:
            for b in blobs:
                proc.stdin.write(b.encode() + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            return

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for b in blobs:
            header = proc.stdout.readline().split()
            if len(header) != 3:  # "<id> missing", "<id> ambiguous"
                yield b, None, 0
                continue
            size = int(header[2])
            if max_bytes is not None and size > max_bytes:
                left = size
                while left > 0:
                    got = len(proc.stdout.read(min(left, 1 << 20)))
                    if not got:
                        break
                    left -= got
                data: bytes | None = None
            else:
                data = proc.stdout.read(size)
            proc.stdout.read(1)  # the newline after each object
            yield b, data, size
    finally:
        proc.stdout.close()
        writer.join()
        proc.wait()


# --- the index ---------------------------------------------------------------------------------

def _connect(path: Path | None) -> sqlite3.Connection:
    """The index file (None: an in-memory index for this run only)."""
    if path is None:
        return sqlite3.connect(":memory:", isolation_level=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=120, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def _sig(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}:{st.st_ino}"


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

    # -- who did what: git's case commits, kept beside the rows ---------------------------------

    def case_commits(self, since: datetime, until: datetime) -> list[CaseCommit]:
        """HEAD's case commits (`Git.case_commits`) authored from `since` to `until` (widened by
        a day; the caller decides exactly), from the index: `git log` runs only over the commits
        new since the last look (issue 12: a report reads its period's commits, not history)."""
        lo, hi = since.timestamp() - DAY, until.timestamp() + DAY
        if not self._refresh_log():  # the index cannot be written (a full disk): git answers
            return [c for c in self.ws.git.case_commits() if lo <= datetime.fromisoformat(c.when).timestamp() <= hi]
        return [CaseCommit(*r) for r in self.db.execute(
            "SELECT sha, author, email, at, case_id, action FROM commits WHERE at_ts >= ? AND at_ts <= ? "
            "ORDER BY seq", (lo, hi))]

    def renumberings(self) -> list[tuple[str, str, str]]:
        """`Git.renumber_commits()` (commit, old ID, new ID), newest first, from the index."""
        if not self._refresh_log():
            return self.ws.git.renumber_commits()
        return list(self.db.execute("SELECT sha, old, new FROM renumbered ORDER BY seq"))

    def _refresh_log(self) -> bool:
        """Bring the commit tables to HEAD. HEAD a descendant of the commit last read through a
        straight line of commits (a commit, a fast-forward pull): read only those, since `git
        log HEAD` is then exactly them followed by the earlier log. Anything else (a merge, a
        reset, a rebase, a checkout): read the whole log again."""
        g = self.ws.git
        code, out = g.plain("rev-parse", "-q", "--verify", "HEAD^{commit}")
        head = out.decode().strip() if code == 0 else ""
        seen = self.db.execute("SELECT value FROM meta WHERE key='log_head'").fetchone()
        if seen is not None and seen[0] == head:
            return True
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _disk_trouble(exc):
                return False
            raise
        try:
            seen = self.db.execute("SELECT value FROM meta WHERE key='log_head'").fetchone()
            if seen is None or seen[0] != head:
                self._read_log(g, seen[0] if seen else "", head)
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('log_head', ?)", (head,))
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.db.in_transaction:  # a failed COMMIT may have ended it already
                self.db.execute("ROLLBACK")
            if _disk_trouble(exc):
                return False
            raise
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return True

    def _read_log(self, g: Git, seen: str, head: str) -> None:
        straight = bool(seen and head) and g.plain("merge-base", "--is-ancestor", seen, head)[0] == 0 and \
            g.plain_text("rev-list", "--merges", "--count", f"{seen}..{head}").strip() == "0"
        if not straight:
            self.db.execute("DELETE FROM commits")
            self.db.execute("DELETE FROM renumbered")
        if not head:
            return
        rev = f"{seen}..{head}" if straight else head
        # newest first, like git log: the new commits are numbered before the rows already there
        found = ((c.sha, c.author, c.email, c.when, datetime.fromisoformat(c.when).timestamp(), c.case_id, c.action)
                 for c in g.case_commits(rev=rev))
        insert = "INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        if straight:
            new = list(found)
            first = self.db.execute("SELECT COALESCE(MIN(seq), 0) FROM commits").fetchone()[0]
            self.db.executemany(insert, [(first - len(new) + i, *c) for i, c in enumerate(new)])
        else:  # the whole history: stored as it streams (memory stays flat)
            self.db.executemany(insert, ((i, *c) for i, c in enumerate(found)))
        moved = g.renumber_commits(rev)
        first = self.db.execute("SELECT COALESCE(MIN(seq), 0) FROM renumbered").fetchone()[0]
        self.db.executemany("INSERT INTO renumbered VALUES (?, ?, ?, ?)",
                            [(first - len(moved) + i, *m) for i, m in enumerate(moved)])

    # -- records ------------------------------------------------------------------------------

    def records(self, where: str = "1", params: Sequence[Any] = (), docs: bool = False,
                facts: bool = False, transient: bool = False) -> list[CaseRecord]:
        """Records of the readable cases matching an SQL condition, in path order. Documents are
        fetched with them (`docs`) or when first read (one query each); `facts`: each record's
        data is only what a report reads (`report_facts`). `transient`: each document is fetched
        when read and only the last few read stay decoded — for a caller that reads each
        record's document in turn (issue 12: 18,000 overdue documents held weighed ~300 MB)."""
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

    def iter_vectors(self) -> Iterator[tuple[int, str, str, dict[str, float]]]:
        """(row id, case ID, category, stored weighted token vector) of every readable case, in
        path order, streamed: the vector is `model.text.vector` — the same floats in the same
        order — so `similar` never re-cuts text nor decodes a document it does not show."""
        for rowid, case_id, category, vec in self.db.execute(
                "SELECT rowid, id, category, vec FROM cases WHERE error IS NULL ORDER BY path"):
            yield rowid, case_id, category, json.loads(vec)

    def record_at(self, rowid: int) -> CaseRecord:
        """One row's record (its document read when first used)."""
        path, values = self.db.execute("SELECT path, record FROM cases WHERE rowid = ?", (rowid,)).fetchone()
        return _record(values, path, RowData(self.db, rowid))

    def iter_records(self, where: str = "1", params: Sequence[Any] = (), docs: bool = True,
                     order: str = "path") -> Iterator[CaseRecord]:
        """Like `records`, one at a time (memory stays flat over 100,000 cases), in `order`."""
        cols = "path, record, doc" if docs else "path, record, rowid"
        for path, values, extra in self.db.execute(
                f"SELECT {cols} FROM cases WHERE error IS NULL AND ({where}) ORDER BY {order}", params):
            yield _record(values, path, json.loads(extra) if docs else RowData(self.db, extra))

    def document_frequencies(self) -> dict[str, int]:
        """token -> number of readable cases holding it (FTS5's own vocabulary)."""
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, fts, row)")
        return dict(self.db.execute("SELECT term, doc FROM temp.vocab"))

    def duplicate_ids(self) -> bool:
        (dup,) = self.db.execute("SELECT count(*) - count(DISTINCT id) FROM cases WHERE error IS NULL").fetchone()
        return bool(dup)

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM cases WHERE error IS NULL").fetchone()[0])

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


class LazyData(Mapping[str, Any]):
    """A cached case document, decoded from JSON only when something reads it."""

    __slots__ = ("_data", "_load", "_src")

    def __init__(self, load: Any, src: Any) -> None:
        self._load, self._src = load, src
        self._data: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._data is None:
            self._data = self._load(self._src)
            self._src = None
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


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
    kw = dict(zip(_RECORD_FIELDS, json.loads(values), strict=True))
    kw["repeat_of"] = tuple(kw["repeat_of"])
    return CaseRecord(path=path, data=data, **kw)


def open_index(ws: Workspace, progress: bool = True) -> Index:
    """The index of the work tree's cases, brought up to date first. Each work tree (a linked
    `git worktree` too) has its own, beside its own index and HEAD."""
    path = cache.folder(ws.git.own_git_dir) / DB_NAME
    try:
        db = _connect(path)
    except (sqlite3.Error, OSError):  # a read-only clone, a full disk: the index lives in memory
        db = _connect(None)
    try:
        try:
            _ensure_schema(db, ws.policy.limits)
            _refresh(ws, db, progress)
        except sqlite3.OperationalError as exc:
            if not _disk_trouble(exc) or _in_memory(db):
                raise
            # issue 10: a full disk (or a read-only cache) is no crash — this run reads from memory
            db.close()
            db = _connect(None)
            _ensure_schema(db, ws.policy.limits)
            _refresh(ws, db, progress)
    except BaseException:
        db.close()
        raise
    return Index(ws, db)


def open_log(ws: Workspace) -> Index:
    """The index for its copy of the log only (`case_commits`, `renumberings`): the case rows are
    not brought up to date — a caller of this reads none (`history` on a fresh clone needs no
    100,000 parsed cases). The log tables are brought to HEAD when read, as always."""
    path = cache.folder(ws.git.own_git_dir) / DB_NAME
    try:
        db = _connect(path)
    except (sqlite3.Error, OSError):
        db = _connect(None)
    try:
        try:
            _ensure_schema(db, ws.policy.limits)
        except sqlite3.OperationalError as exc:
            if not _disk_trouble(exc) or _in_memory(db):
                raise
            db.close()
            db = _connect(None)
            _ensure_schema(db, ws.policy.limits)
    except BaseException:
        db.close()
        raise
    return Index(ws, db)


def _disk_trouble(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return any(w in text for w in ("disk", "full", "readonly", "read-only", "unable to open", "i/o"))


def _in_memory(db: sqlite3.Connection) -> bool:
    return any(r[2] == "" for r in db.execute("PRAGMA database_list"))


def _ensure_schema(db: sqlite3.Connection, limits: Limits) -> None:
    want = version(limits)
    try:
        row_ = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
    except sqlite3.OperationalError:
        row_ = None
    if row_ is not None and row_[0] == want:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        again = db.execute("SELECT name FROM sqlite_master WHERE name='meta'").fetchone()
        current = db.execute("SELECT value FROM meta WHERE key='version'").fetchone() if again else None
        if current is None or current[0] != want:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                                      "'sqlite_%' AND name NOT LIKE 'fts_%'").fetchall():
                db.execute(f"DROP TABLE IF EXISTS {name}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (want,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _head_tree(g: Git) -> str:
    code, out = g.plain("rev-parse", "-q", "--verify", "HEAD:cases")
    return out.decode().strip() if code == 0 else ""


def _under_cases(path: str) -> bool:
    """A path the index keeps: a case file (a row) or a stray (named, never read)."""
    return is_case_path(path) or stray_file(path) is not None


def _status_paths(g: Git) -> set[str]:
    """Files under cases/ whose work-tree state differs from HEAD (staged, changed, deleted,
    untracked): case files and strays."""
    out = g.plain_text("-c", "status.renames=false", "status", "--porcelain", "-z", "--untracked-files=all",
                       "--", "cases")
    paths = set()
    for rec in out.split("\0"):
        if len(rec) > 3 and _under_cases(rec[3:]):
            paths.add(rec[3:])
    return paths


Blob = tuple[str, str]  # (blob id, mode)


def _tree_changes(g: Git, old: str, new: str) -> dict[str, Blob | None] | None:
    """path -> (new blob, mode) (None: deleted) between two `cases` trees; None if `old` is gone."""
    if not old:
        return None
    code, _ = g.plain("cat-file", "-e", old)
    if code != 0:
        return None
    if not new:  # HEAD has no cases folder now: every indexed file is gone
        return dict.fromkeys(_tree_blobs(g, old))
    out = g.plain_text("diff-tree", "-r", "-z", "--no-renames", "--raw", old, new)
    changes: dict[str, Blob | None] = {}
    parts = out.split("\0")
    for meta, path in zip(parts[0::2], parts[1::2], strict=False):
        if meta.startswith(":"):
            _, mode, _, blob, status = meta[1:].split(" ")
            changes[CASES_PREFIX + path] = None if status.startswith("D") else (blob, mode)
    return changes


def _tree_blobs(g: Git, tree: str) -> dict[str, Blob]:
    if not tree:
        return {}
    out = g.plain_text("ls-tree", "-r", "-z", tree)
    blobs = {}
    for rec in out.split("\0"):
        if rec:
            meta, _, path = rec.partition("\t")
            mode, _, blob = meta.split()
            blobs[CASES_PREFIX + path] = (blob, mode)
    return blobs


def _refresh(ws: Workspace, db: sqlite3.Connection, progress: bool) -> None:
    g = ws.git
    head = _head_tree(g)
    dirty_now = _status_paths(g)
    state = dict(db.execute("SELECT key, value FROM meta").fetchall())
    dirty_before = {p for (p,) in db.execute("SELECT path FROM dirty")}
    if state.get("tree") == head and not dirty_now and not dirty_before:
        return  # the common case: nothing changed, two git calls
    db.execute("BEGIN IMMEDIATE")  # one refresher at a time; the others wait, then find it done
    try:
        state = dict(db.execute("SELECT key, value FROM meta").fetchall())
        dirty_before = {p for (p,) in db.execute("SELECT path FROM dirty")}
        _apply(ws, db, head, state.get("tree", ""), dirty_now, dirty_before, progress)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('tree', ?)", (head,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _apply(ws: Workspace, db: sqlite3.Connection, head: str, indexed: str, dirty_now: set[str],
           dirty_before: set[str], progress: bool) -> None:
    g = ws.git
    base: dict[str, Blob | None] = {}  # path -> (blob, mode) at HEAD (None: not at HEAD) for rows to redo
    if indexed != head:
        changes = _tree_changes(g, indexed, head)
        if changes is None:  # cold, or the indexed tree is gone (gc): compare every path's blob
            have = {p: b for p, b in db.execute("SELECT path, blob FROM cases WHERE blob IS NOT NULL")}
            have.update((p, "") for (p,) in db.execute("SELECT path FROM strays"))
            now = _tree_blobs(g, head)
            changes = {p: b for p, b in now.items() if have.get(p) != b[0] or p not in have}
            changes.update({p: None for p in have if p not in now})
        base.update((p, b) for p, b in changes.items() if _under_cases(p))
    for path in dirty_before - dirty_now:  # back to HEAD's version (reverted, committed, stashed…)
        if path not in base:
            base[path] = _blob_at_head(g, path)
    redo = {p: b for p, b in base.items() if p not in dirty_now}
    strays = {p: b for p, b in redo.items() if not is_case_path(p)}
    db.executemany("DELETE FROM strays WHERE path = ?", [(p,) for p, b in strays.items() if b is None])
    db.executemany("INSERT OR IGNORE INTO strays VALUES (?)", [(p,) for p, b in strays.items() if b is not None])
    redo = {p: b for p, b in redo.items() if is_case_path(p)}
    _delete(db, [p for p, b in redo.items() if b is None])
    wanted = {p: b for p, b in redo.items() if b is not None}
    if len(wanted) > 500:
        have_blob = dict(db.execute("SELECT path, blob FROM cases WHERE blob IS NOT NULL"))
    else:  # a few files changed (a commit, a pull): ask for those rows only
        have_blob = {p: row_[0] for p in wanted
                     if (row_ := db.execute("SELECT blob FROM cases WHERE path = ?", (p,)).fetchone())}
    todo = sorted((p, b) for p, b in wanted.items() if have_blob.get(p) != b[0])
    _fill_blobs(ws, db, todo, progress)
    _fill_work_tree(ws, db, {p for p in dirty_now if is_case_path(p)})
    db.execute("DELETE FROM dirty")
    db.executemany("INSERT INTO dirty VALUES (?)", [(p,) for p in sorted(dirty_now)])


def _blob_at_head(g: Git, path: str) -> Blob | None:
    code, out = g.plain("ls-tree", "-z", "HEAD", "--", path)
    meta = out.decode().partition("\t")[0].split() if code == 0 else []
    return (meta[2], meta[0]) if len(meta) == 3 else None


def _delete(db: sqlite3.Connection, paths: Iterable[str]) -> None:
    for path in paths:
        db.execute("INSERT INTO fts(fts, rowid, tokens, subject_tokens) SELECT 'delete', rowid, tokens, "
                   "subject_tokens FROM cases WHERE path=? AND error IS NULL", (path,))
        db.execute("DELETE FROM cases WHERE path=?", (path,))


def _store(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    _delete(db, [r[0] for r in rows])
    db.executemany(_INSERT, rows)
    db.executemany("INSERT INTO fts(rowid, tokens, subject_tokens) SELECT rowid, tokens, subject_tokens "
                   "FROM cases WHERE path=? AND error IS NULL", [(r[0],) for r in rows])


def _fill_blobs(ws: Workspace, db: sqlite3.Connection, todo: list[tuple[str, Blob]], progress: bool) -> None:
    """Parse the committed files the index lacks — streamed from one `git cat-file --batch`,
    parsed in a process pool when there are many — and store them a window at a time. A
    symbolic link or a submodule is never read as a case file; nor is a file over the limit."""
    if not todo:
        return
    from concurrent.futures import Future, ProcessPoolExecutor

    limits = ws.policy.limits
    refused = [row(p, b, None, None, f"{p}: not a valid case file (R-WF): {_MODES[m]}: only regular case files "
                   "belong under cases/") for p, (b, m) in todo if m in _MODES]
    if refused:
        _store(db, refused)
    files = [(p, b) for p, (b, m) in todo if m not in _MODES]
    if not files:
        return
    bar = Progress("indexing cases", len(files)) if progress and len(files) >= PARALLEL_AT else None
    workers = min(os.cpu_count() or 1, 8)
    # forkserver: a forked worker would inherit our end of cat-file's stdin, and cat-file would
    # never see its end (the workers are started while blobs stream).
    import multiprocessing

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) \
        if len(files) >= PARALLEL_AT and workers > 1 else None
    by_blob: dict[str, list[str]] = {}  # one blob may be several paths (identical files)
    for p, b in files:
        by_blob.setdefault(b, []).append(p)
    pending: list[Future[list[tuple[Any, ...]]]] = []
    chunk: list[tuple[str, str | None, str | None, bytes | str]] = []
    done = 0

    def collect(block: bool) -> None:
        nonlocal done
        while pending and (block or pending[0].done() or len(pending) > 2 * workers):
            rows = pending.pop(0).result()
            _store(db, rows)
            done += len(rows)
            if done % COMMIT_EVERY < len(rows):
                # a long fill commits as it goes (SQLite's and FTS5's pending data stay small); an
                # interrupted fill resumes from what is stored, the tree is recorded only at the end
                db.execute("COMMIT")
                db.execute("BEGIN IMMEDIATE")
            if bar:
                bar.update(done)

    try:
        for blob, data, size in stream_blobs(ws.git, list(by_blob), limits.max_bytes):
            for path in by_blob[blob]:
                content: bytes | str = data if data is not None else \
                    _too_large(path, limits) if size > limits.max_bytes else f"{path}: cannot read blob {blob}"
                chunk.append((path, blob, None, content))
            if len(chunk) >= (WINDOW // 4 if pool else WINDOW):
                if pool is not None:
                    pending.append(pool.submit(_rows, chunk, limits))
                    collect(False)
                else:
                    _store(db, _rows(chunk, limits))
                    done += len(chunk)
                chunk = []
        if chunk:
            if pool is not None:
                pending.append(pool.submit(_rows, chunk, limits))
            else:
                _store(db, _rows(chunk, limits))
        collect(True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if bar:
            bar.close()


def _fill_work_tree(ws: Workspace, db: sqlite3.Connection, dirty: set[str]) -> None:
    """Rows for the work tree's changed case files: read from disk (safely: never through a
    symbolic link, never from a FIFO) unless unchanged since last read."""
    known = dict(db.execute("SELECT path, sig FROM cases WHERE blob IS NULL"))
    limits = ws.policy.limits
    rows, gone = [], []
    for path in sorted(dirty):
        started = time.time_ns()
        try:
            st = os.lstat(ws.root / path)
        except OSError:
            gone.append(path)  # deleted in the work tree
            continue
        # A file changed within RACY_NS of our read could change again with the same stat: no sig.
        sig = _sig(st) if started - st.st_mtime_ns > RACY_NS else ""
        if sig and known.get(path) == sig:
            continue
        try:
            raw: bytes | str = store.read_case_bytes(ws.root, path, limits)
        except CaseNotFound:
            gone.append(path)
            continue
        except InvalidInput as exc:  # a symbolic link, a FIFO, too large: named, never read
            raw = str(exc)
        rows.extend(_rows([(path, None, sig, raw)], limits))
    _delete(db, gone)
    if rows:
        _store(db, rows)


# --- whole-repository answers ------------------------------------------------------------------

def load_records(ws: Workspace, folders: Sequence[str] = ("cases",),
                 skipped: list[Skipped] | None = None) -> list[CaseRecord]:
    """All readable cases (or those in `folders`, e.g. `cases/2026/10`) as records; documents
    are fetched when something reads them. Files that cannot be read (not UTF-8, outside the
    strict YAML subset, a symlink, a stray `.yml`) are left out and, when `skipped` is given,
    listed there with the reason: no case is dropped silently."""
    idx = open_index(ws)
    try:
        if tuple(folders) == ("cases",):
            where, params = "1", []
        else:
            where = " OR ".join("path LIKE ?" for _ in folders)
            params = [f"{f.rstrip('/')}/%" for f in folders]
        if skipped is not None:
            skipped.extend(idx.skipped(where, params))
        return idx.records(where, params, docs=True)
    finally:
        idx.close()


def epoch(moment: datetime) -> float:
    return moment.timestamp()
