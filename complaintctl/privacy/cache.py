"""Unwrapped keys kept between commands, only where only their owner can read them:
`$XDG_CACHE_HOME/complaintctl/<clone id>/keys.sqlite` (default ~/.cache), the folder 0700 and
the file 0600, owner and modes checked before each use — if a check fails, nothing is cached
and nothing is read from there (docs/design/encrypted-fields.md). Never in the work tree or
in .git/, which other OS users may share."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Mapping
from pathlib import Path

FILE = "keys.sqlite"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS casekeys (office TEXT, kid TEXT, key BLOB, PRIMARY KEY (office, kid));"
           "CREATE TABLE IF NOT EXISTS officekeys (office TEXT, epoch INTEGER, digest TEXT, data BLOB, idx BLOB,"
           " PRIMARY KEY (office, epoch, digest));")


def private_dir(git_dir: Path, identity: str, env: Mapping[str, str] = os.environ) -> Path | None:
    """This clone's private cache folder for one identity (a digest of the key file: another key
    used from the same account never reads what this one opened), made 0700 if need be; None
    when it is not (or cannot be made) a folder of this user's that nobody else may enter."""
    base = Path(env.get("XDG_CACHE_HOME") or Path(env.get("HOME") or Path.home()) / ".cache")
    clone = hashlib.sha256(f"{git_dir.resolve()}\0{identity}".encode()).hexdigest()[:16]
    where = base / "complaintctl" / clone
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        return where if _own_and_private(where, stat.S_ISDIR) else None
    except OSError:
        return None


def _own_and_private(path: Path, kind: object) -> bool:
    st = os.lstat(path)
    is_kind = kind(st.st_mode)  # type: ignore[operator]
    return bool(is_kind) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def open_private_db(folder: Path, name: str) -> sqlite3.Connection | None:
    """A SQLite file in the private folder, created 0600; None if it is not this user's alone."""
    path = folder / name
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
        if not _own_and_private(path, stat.S_ISREG):
            return None
        db = sqlite3.connect(path, timeout=5)
        db.execute("PRAGMA synchronous=OFF")  # a cache: a write lost in a crash costs one unwrap, not an fsync each
    except (OSError, sqlite3.Error):
        return None
    return db


class KeyCache:
    """Unwrapped office keys (by the digest of the age file they came from) and case keys."""

    def __init__(self, db: sqlite3.Connection | None) -> None:
        self._db = db
        if db is not None:
            try:
                db.executescript(_SCHEMA)
            except sqlite3.Error:
                self._db = None

    @classmethod
    def open(cls, git_dir: Path, identity: str, env: Mapping[str, str] = os.environ) -> KeyCache:
        folder = private_dir(git_dir, identity, env)
        return cls(open_private_db(folder, FILE) if folder is not None else None)

    def case_key(self, office: str, kid: str) -> bytes | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT key FROM casekeys WHERE office=? AND kid=?", (office, kid)).fetchone()
        return bytes(row[0]) if row else None

    def forget_case_key(self, office: str, kid: str) -> None:
        """An erased case key (privacy/erased.py) leaves the cache too."""
        self._write("DELETE FROM casekeys WHERE office=? AND kid=?", (office, kid))

    def put_case_key(self, office: str, kid: str, key: bytes) -> None:
        self._write("INSERT OR REPLACE INTO casekeys VALUES (?, ?, ?)", (office, kid, key))

    def office_keys(self, office: str, epoch: int, digest: str) -> tuple[bytes, bytes] | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT data, idx FROM officekeys WHERE office=? AND epoch=? AND digest=?",
                               (office, epoch, digest)).fetchone()
        return (bytes(row[0]), bytes(row[1])) if row else None

    def put_office_keys(self, office: str, epoch: int, digest: str, data: bytes, index: bytes) -> None:
        self._write("INSERT OR REPLACE INTO officekeys VALUES (?, ?, ?, ?, ?)", (office, epoch, digest, data, index))

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute(sql, args)
        except sqlite3.Error:
            pass  # a cache: a failed write only makes the next command slower
