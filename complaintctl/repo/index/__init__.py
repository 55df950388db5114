"""The read index: every case of the work tree as a row of `.git/complaintctl/index.sqlite`,
so reads cost O(result), not O(cases).

By job: `schema.py` (the file, its tables, its version), `rows.py` (one case file's row),
`fresh.py` (bringing it up to date, and its copy of the log), `query.py` (`Index`: what
commands read); here, opening it.

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

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime

from complaintctl.model.snapshot import CaseRecord
from complaintctl.repo import cache
from complaintctl.repo.index.fresh import PARALLEL_AT, refresh
from complaintctl.repo.index.query import STRAY, Index, LazyData, RowData, Skipped, TransientRow, due_where
from complaintctl.repo.index.rows import report_facts, row
from complaintctl.repo.index.schema import (
    BY_RECEIVED,
    COLUMNS,
    DAY,
    DB_NAME,
    connect,
    disk_trouble,
    ensure_schema,
    in_memory,
    rollback,
    version,
)
from complaintctl.repo.workspace import Workspace

__all__ = ["BY_RECEIVED", "COLUMNS", "DAY", "DB_NAME", "PARALLEL_AT", "STRAY", "Index", "LazyData", "RowData",
           "Skipped", "TransientRow", "due_where", "epoch", "load_records", "open_index", "open_log", "report_facts",
           "rollback", "row", "version"]


def _opened(ws: Workspace, bring_up: Callable[[sqlite3.Connection], None]) -> Index:
    """The work tree's index file (each work tree, a linked `git worktree` too, has its own,
    beside its own index and HEAD), its schema current and `bring_up` done. A read-only clone or
    a full disk is no crash: the index then lives in memory for this run."""
    path = cache.folder(ws.git.own_git_dir) / DB_NAME
    try:
        db = connect(path)
    except (sqlite3.Error, OSError):
        db = connect(None)
    try:
        try:
            ensure_schema(db, ws.policy.limits)
            bring_up(db)
        except sqlite3.OperationalError as exc:
            if not disk_trouble(exc) or in_memory(db):
                raise
            db.close()
            db = connect(None)
            ensure_schema(db, ws.policy.limits)
            bring_up(db)
    except BaseException:
        db.close()
        raise
    return Index(ws, db)


def open_index(ws: Workspace, progress: bool = True) -> Index:
    """The index of the work tree's cases, brought up to date first."""
    return _opened(ws, lambda db: refresh(ws, db, progress))


def open_log(ws: Workspace) -> Index:
    """The index for its copy of the log only (`case_commits`, `renumberings`): the case rows are
    not brought up to date — a caller of this reads none (`history` on a fresh clone needs no
    100,000 parsed cases). The log tables are brought to HEAD when read, as always."""
    return _opened(ws, lambda db: None)


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
