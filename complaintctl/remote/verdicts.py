"""The server's kept verdicts: a case change judged clean is not judged again.

A push that lost the race to another office is rebased and sent again with the same case
blobs on new commits; so is a retried push after a dropped connection. Its second judgement
asks here first. One row per clean verdict, in `$GIT_DIR/complaintctl/verdicts.sqlite`,
keyed by everything the validator reads for one case change:

- the path, the old blob and the new blob (the change itself);
- the commit's policy blob (what the office judged by) and the authority policy blob (the
  server's main before the push: the ledger's who-may-do-what and the offline window);
- the commit's author (the ledger judges each new entry as theirs);
- the code version (a digest of complaintctl's source, `repo.cache.code_version`): a new or
  changed rule makes every kept verdict stale, so no check is ever skipped by an old verdict.

Time: the rules read `now` in two places only (tests/remote/test_verdicts.py keeps them to it):
R-IN-1's "not in the future" (rules.dates, with CLOCK_SKEW) and the ledger's offline window
(rules.ledger._window, on the entries the change appends). So a clean verdict holds from the
moment no stamp of the case is in the future (`valid_from`) until the first appended entry
leaves the offline window (`valid_until`); outside that span the change is judged afresh.

Only clean verdicts are kept, and only from a commit with no finding at all (a finding may
name another path than the case it is about): a refused change is always judged again (and
stays refused while the rules say so), and a finding's text (language, `now`) is never
replayed. The access checks (who pushes, offices, signatures) are cheap and always run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, decode, load_plain
from complaintctl.repo import cache
from complaintctl.rules.dates import CLOCK_SKEW
from complaintctl.rules.validate import settled_after

FILE = "verdicts.sqlite"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, valid_from REAL NOT NULL, "
           "valid_until REAL NOT NULL, kept REAL NOT NULL) WITHOUT ROWID")
KEEP = timedelta(days=30)  # rows older than this go (a push is retried within minutes)


@dataclass(frozen=True)
class ChangeKey:
    """Everything one case change's verdict depends on, besides the time."""

    path: str
    old_blob: str
    new_blob: str
    policy_blob: str
    authority_blob: str
    author: tuple[str, str]

    def text(self) -> str:
        return "\0".join((cache.code_version(), self.path, self.old_blob, self.new_blob, self.policy_blob,
                          self.authority_blob, *self.author))


class Verdicts:
    """The kept clean verdicts of one server repository (None-safe: a cache that cannot be
    opened or written only makes the hook slower)."""

    def __init__(self, db: sqlite3.Connection | None) -> None:
        self._db = db
        self._fresh: list[tuple[str, float, float, float]] = []

    @classmethod
    def open(cls, git_dir: Path) -> Verdicts:
        path = cache.folder(git_dir) / FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=2.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
        except (OSError, sqlite3.Error):
            return cls(None)
        return cls(db)

    def clean(self, key: ChangeKey, now: datetime) -> bool:
        """Whether this change was judged clean, for a moment `now` within its verdict's span."""
        if self._db is None:
            return False
        t = now.timestamp()
        try:
            row = self._db.execute("SELECT 1 FROM verdicts WHERE key = ? AND valid_from <= ? AND ? < valid_until",
                                   (key.text(), t, t)).fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def keep_clean(self, key: ChangeKey, new_text: bytes, old_text: bytes | None, window: timedelta,
                   tz: Any, now: datetime) -> None:
        """Remember a clean verdict reached at `now`, for as long as time cannot change it."""
        span = clean_span(key.path, new_text, old_text, window, tz)
        if span is None:
            return
        start, end = span
        if start <= now < end:
            self._fresh.append((key.text(), start.timestamp(), end.timestamp(), now.timestamp()))

    def save(self, now: datetime) -> None:
        """Write what this push added, once (best effort), and drop rows no retry will ask for."""
        if self._db is None or not self._fresh:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)", self._fresh)
            self._db.execute("DELETE FROM verdicts WHERE kept < ?", ((now - KEEP).timestamp(),))
            self._db.execute("COMMIT")
        except sqlite3.Error:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        self._fresh.clear()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def clean_span(path: str, new_text: bytes, old_text: bytes | None, window: timedelta,
               tz: Any) -> tuple[datetime, datetime] | None:
    """The span of `now` over which a clean verdict on this change stays clean: from the moment
    none of the case's stamps is in the future (R-IN-1, CLOCK_SKEW) to the moment the earliest
    entry the change appends becomes older than the offline window (rules.ledger). None when it
    cannot be told (then nothing is kept)."""
    try:
        new = load_plain(decode(new_text, path), path)
        old = load_plain(decode(old_text, path), path) if old_text is not None else {}
    except InvalidInput:  # a file the reader refuses was not clean: keep nothing
        return None
    latest = settled_after(new)
    start = (latest - CLOCK_SKEW) if latest is not None else datetime.min.replace(tzinfo=UTC)
    after, before = new.get("timeline"), old.get("timeline")
    appended = after[len(before) if isinstance(before, list) else 0:] if isinstance(after, list) else []
    end = datetime.max.replace(tzinfo=UTC)
    for entry in appended:
        at = as_datetime(entry.get("at"), tz) if isinstance(entry, Mapping) else None
        if at is None:
            return None
        if entry.get("action") == "correct" and entry.get("field") == F.INTAKE_RECEIVED_AT:
            return None  # R-IN-2: a receipt correction is judged against the dues passed at `now`
        end = min(end, at + window)
    return start, end
