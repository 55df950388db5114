"""The read index's file: its tables, its version (the code that decides what a row holds, and
the policy's `limits:`), opening it — on disk, or in memory when the disk cannot hold it."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import fields
from pathlib import Path

from complaintctl.model.reader import DEFAULT_LIMITS, Limits
from complaintctl.model.snapshot import CaseRecord

DB_NAME = "index.sqlite"
DAY = 86400.0  # SQL time filters are widened by this margin (naive times, time zones); exact filters follow
RECORD_FIELDS = tuple(f.name for f in fields(CaseRecord) if f.name not in ("path", "data"))
# SQL for the order lists use, `sorted(key=(received_at, id))` over records in path order
# (UTF-8 bytes sort as Python compares text)
BY_RECEIVED = (f"json_extract(record, '$[{RECORD_FIELDS.index('received_at')}]'), "
               f"json_extract(record, '$[{RECORD_FIELDS.index('id')}]'), path")
# The code that decides what a row holds; any change rebuilds the index (so does the policy's
# `limits:`: a file refused under one limit may be read under another).
_ROW_CODE = ("repo/index/schema.py", "repo/index/rows.py", "repo/index/fresh.py", "policy/clocks.py",
             "model/case.py", "model/snapshot.py", "model/fields.py", "model/text.py", "model/reader.py",
             "model/shape.py")
COLUMNS = ("path", "blob", "sig", "error", "id", "status", "received_ts", "resolved_ts", "closed_ts",
           "revisit_ts", "last_to", "last_to_ts", "next_due_ts", "last_done_ts", "category", "unit", "handler",
           "severity", "name", "contact_key", "lookups", "record", "doc", "tokens", "subject_tokens", "vec", "facts")
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE cases (rowid INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, blob TEXT, sig TEXT, error TEXT,
    id TEXT, status TEXT, received_ts REAL, resolved_ts REAL, closed_ts REAL, revisit_ts REAL,
    last_to TEXT, last_to_ts REAL, next_due_ts REAL, last_done_ts REAL, category TEXT, unit TEXT, handler TEXT,
    severity TEXT, name TEXT, contact_key TEXT, lookups TEXT, record TEXT, doc TEXT, tokens TEXT, subject_tokens TEXT,
    vec TEXT, facts TEXT);
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
CREATE TABLE recorded (case_id TEXT, digest TEXT, n INTEGER, at TEXT, at_ts REAL, ref TEXT, noted TEXT);
CREATE INDEX recorded_case ON recorded (case_id, digest);
CREATE INDEX recorded_at ON recorded (at_ts);
CREATE VIRTUAL TABLE fts USING fts5(tokens, subject_tokens, content='cases', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 0');
"""
INSERT = f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def version(limits: Limits = DEFAULT_LIMITS) -> str:
    root = Path(__file__).resolve().parent.parent.parent
    h = hashlib.sha1(f"index 2 {limits.max_bytes}/{limits.max_depth}/{limits.max_timeline}".encode())
    for rel in _ROW_CODE:
        h.update((root / rel).read_bytes())
    return h.hexdigest()[:16]


def connect(path: Path | None) -> sqlite3.Connection:
    """The index file (None: an in-memory index for this run only)."""
    if path is None:
        return sqlite3.connect(":memory:", isolation_level=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=120, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def disk_trouble(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return any(w in text for w in ("disk", "full", "readonly", "read-only", "unable to open", "i/o"))


def begin_writing(db: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE (one writer at a time); False when the disk cannot take a write — the
    caller then reads what the index holds, as with every full-disk answer of the index."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if disk_trouble(exc):
            return False
        raise
    return True


def rollback(db: sqlite3.Connection) -> None:
    """End a failed write. SQLite may have ended it already (a COMMIT that found the disk full
    rolls back by itself), and a ROLLBACK then fails with "no transaction is active": the
    failure the caller is raising is the one to report, never this one."""
    if not db.in_transaction:
        return
    try:
        db.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the connection is closed by the caller; the file holds what was last committed


def in_memory(db: sqlite3.Connection) -> bool:
    return any(r[2] == "" for r in db.execute("PRAGMA database_list"))


def ensure_schema(db: sqlite3.Connection, limits: Limits) -> None:
    install(db, _SCHEMA, version(limits))


def install(db: sqlite3.Connection, schema: str, want: str) -> bool:
    """Make `db` hold the tables of `schema` at version `want`, dropping a cache made by another
    version (another process may have just done so: it is checked again under the write lock).
    Returns whether the tables were made anew."""
    try:
        found = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
    except sqlite3.OperationalError:
        found = None
    if found is not None and found[0] == want:
        return False
    db.execute("BEGIN IMMEDIATE")
    try:
        again = db.execute("SELECT name FROM sqlite_master WHERE name='meta'").fetchone()
        current = db.execute("SELECT value FROM meta WHERE key='version'").fetchone() if again else None
        rebuilt = current is None or current[0] != want
        if rebuilt:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                                      "'sqlite_%' AND name NOT LIKE 'fts_%'").fetchall():
                db.execute(f"DROP TABLE IF EXISTS {name}")
            for statement in schema.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (want,))
        db.execute("COMMIT")
    except BaseException:
        rollback(db)
        raise
    return rebuilt


