"""The index's copy of the witness's stamps (refs/notes/complaintctl/received): the table
`recorded(case_id, digest, n, at, ref)`, brought up to the notes ref by reading only the notes
added since the last look (a tree diff between two notes commits: O(new pushes)).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from complaintctl.model.stamp import CaseStamps
from complaintctl.repo import stamps
from complaintctl.repo.git import Git
from complaintctl.repo.index.schema import begin_writing, disk_trouble

_TIP = "notes_tip"


def refresh_recorded(db: sqlite3.Connection, g: Git) -> bool:
    """Bring the table to the notes ref; False when the index cannot be written (a full disk)."""
    tip = g.rev_parse(stamps.NOTES_REF)
    seen = db.execute("SELECT value FROM meta WHERE key=?", (_TIP,)).fetchone()
    if ((seen[0] or None) if seen else None) == tip:
        return True
    if not begin_writing(db):
        return False
    try:
        seen = db.execute("SELECT value FROM meta WHERE key=?", (_TIP,)).fetchone()
        since = seen[0] if seen and seen[0] else None
        # the mirror replaced (a forced fetch that is no fast-forward), or gone: read it whole
        whole = since is None or tip is None or not g.is_ancestor(since, tip)
        read_to, found = stamps.read_notes(g, None if whole else since)
        if whole:
            db.execute("DELETE FROM recorded")
        db.executemany("INSERT INTO recorded VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(case, digest, n, note.at.isoformat(), note.at.timestamp(), note.ref, noted)
                        for noted, note in found for case, digest, n in note.entries])
        db.executemany("INSERT INTO recorded VALUES ('', '', 0, ?, ?, ?, ?)",  # when stamping began
                       [(note.at.isoformat(), note.at.timestamp(), note.ref, noted) for noted, note in found])
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_TIP, read_to or ""))
        db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if disk_trouble(exc):
            return False
        raise
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return True


def stamping_began(db: sqlite3.Connection) -> datetime | None:
    """When the record began stamping (its first note), or None."""
    row = db.execute("SELECT MIN(at_ts), at FROM recorded WHERE case_id = ''").fetchone()
    return datetime.fromisoformat(row[1]) if row and row[1] else None


def case_stamps(db: sqlite3.Connection, case_ids: Iterable[str],
                began: datetime | None = None) -> dict[str, CaseStamps]:
    """Each case's recorded times (earliest first), and when stamping began (read here unless given)."""
    began = began if began is not None else stamping_began(db)
    out: dict[str, CaseStamps] = {}
    for cid in case_ids:
        times: dict[str, list[datetime]] = {}
        for digest, n, at in db.execute("SELECT digest, n, at FROM recorded WHERE case_id = ? "
                                        "ORDER BY at_ts", (cid,)):
            times.setdefault(digest, []).extend([datetime.fromisoformat(at)] * n)
        out[cid] = CaseStamps({d: tuple(t) for d, t in times.items()}, began)
    return out
