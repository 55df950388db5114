"""Keeping the read index fresh: what changed since it last looked (HEAD's `cases` tree, the
work tree's own changes), reading only those files — many at once through one `git cat-file
--batch` and a process pool — and its copy of the log (who did what, renumberings)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from complaintctl.errors import CaseNotFound, InvalidInput
from complaintctl.model.ids import CASES_PREFIX, is_case_path
from complaintctl.model.reader import Limits
from complaintctl.output import Progress
from complaintctl.repo import store
from complaintctl.repo.git import Git
from complaintctl.repo.index.rows import build_rows, row
from complaintctl.repo.index.schema import INSERT, begin_writing, disk_trouble, rollback
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.validate import stray_file

WINDOW = 1000  # files parsed and stored per round (memory stays flat)
PARALLEL_AT = 200  # files to parse before a process pool pays for itself
COMMIT_EVERY = 5000  # rows stored per transaction during a long fill
RACY_NS = 2_000_000_000  # a file changed this close to our read may change again unseen (git's "racy")
_MODES = {"120000": "is a symbolic link", "160000": "is a submodule"}  # never read as case files


def _sig(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}:{st.st_ino}"


def _head_tree(g: Git) -> str:
    code, out = g.plain("rev-parse", "-q", "--verify", "HEAD:cases", ok=(0, 1))  # 1: none
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
    if not new:  # HEAD has no cases folder now: every indexed file is gone
        code, _ = g.plain("cat-file", "-e", old, ok=(0, 1))  # 1: gone (gc)
        return dict.fromkeys(_tree_blobs(g, old)) if code == 0 else None
    code, raw = g.plain("diff-tree", "-r", "-z", "--no-renames", "--raw", old, new, ok=(0, 128))
    if code != 0:  # 128: the indexed tree is gone (gc)
        return None
    out = raw.decode("utf-8", "surrogateescape")
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


def refresh(ws: Workspace, db: sqlite3.Connection, progress: bool) -> None:
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
        rollback(db)
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
            base[path] = _blob_at_head(g, path) if head else None  # no cases/ at HEAD: not there
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
    meta = g.plain_text("ls-tree", "-z", "HEAD", "--", path).partition("\t")[0].split()
    return (meta[2], meta[0]) if len(meta) == 3 else None


def _delete(db: sqlite3.Connection, paths: Iterable[str]) -> None:
    for path in paths:
        db.execute("INSERT INTO fts(fts, rowid, tokens, subject_tokens) SELECT 'delete', rowid, tokens, "
                   "subject_tokens FROM cases WHERE path=? AND error IS NULL", (path,))
        db.execute("DELETE FROM cases WHERE path=?", (path,))


def _store(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    _delete(db, [r[0] for r in rows])
    db.executemany(INSERT, rows)
    db.executemany("INSERT INTO fts(rowid, tokens, subject_tokens) SELECT rowid, tokens, subject_tokens "
                   "FROM cases WHERE path=? AND error IS NULL", [(r[0],) for r in rows])


def _too_large(path: str, limits: Limits) -> str:
    return (f"{path}: not a valid case file (R-WF): larger than {limits.max_bytes} bytes (the policy's "
            "limits.case_file_bytes)")


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
        for blob, data, size in ws.git.cat_file_batch(list(by_blob), limits.max_bytes):
            for path in by_blob[blob]:
                content: bytes | str = data if data is not None else \
                    _too_large(path, limits) if size > limits.max_bytes else f"{path}: cannot read blob {blob}"
                chunk.append((path, blob, None, content))
            if len(chunk) >= (WINDOW // 4 if pool else WINDOW):
                if pool is not None:
                    pending.append(pool.submit(build_rows, chunk, limits))
                    collect(False)
                else:
                    _store(db, build_rows(chunk, limits))
                    done += len(chunk)
                chunk = []
        if chunk:
            if pool is not None:
                pending.append(pool.submit(build_rows, chunk, limits))
            else:
                _store(db, build_rows(chunk, limits))
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
        rows.extend(build_rows([(path, None, sig, raw)], limits))
    _delete(db, gone)
    if rows:
        _store(db, rows)


# --- the log's copy: who did what, renumberings -------------------------------------------------

def refresh_log(db: sqlite3.Connection, g: Git) -> bool:
    """Bring the commit tables to HEAD. HEAD a descendant of the commit last read through a
    straight line of commits (a commit, a fast-forward pull): read only those, since `git
    log HEAD` is then exactly them followed by the earlier log. Anything else (a merge, a
    reset, a rebase, a checkout): read the whole log again."""
    code, out = g.plain("rev-parse", "-q", "--verify", "HEAD^{commit}", ok=(0, 1))  # 1: no commit yet
    head = out.decode().strip() if code == 0 else ""
    seen = db.execute("SELECT value FROM meta WHERE key='log_head'").fetchone()
    if seen is not None and seen[0] == head:
        return True
    if not begin_writing(db):
        return False
    try:
        seen = db.execute("SELECT value FROM meta WHERE key='log_head'").fetchone()
        if seen is None or seen[0] != head:
            _read_log(db, g, seen[0] if seen else "", head)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('log_head', ?)", (head,))
        db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        rollback(db)  # a failed COMMIT may have ended it already
        if disk_trouble(exc):
            return False
        raise
    except BaseException:
        rollback(db)
        raise
    return True


def _read_log(db: sqlite3.Connection, g: Git, seen: str, head: str) -> None:
    # merge-base: 1, not an ancestor; 128, the commit last read is gone (a reset, then gc)
    straight = bool(seen and head) and g.plain("merge-base", "--is-ancestor", seen, head, ok=(0, 1, 128))[0] == 0 and \
        g.plain_text("rev-list", "--merges", "--count", f"{seen}..{head}").strip() == "0"
    if not straight:
        db.execute("DELETE FROM commits")
        db.execute("DELETE FROM renumbered")
    if not head:
        return
    rev = f"{seen}..{head}" if straight else head
    # newest first, like git log: the new commits are numbered before the rows already there
    found = ((c.sha, c.author, c.email, c.when, datetime.fromisoformat(c.when).timestamp(), c.case_id, c.action)
             for c in g.case_commits(rev=rev))
    insert = "INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    if straight:
        new = list(found)
        first = db.execute("SELECT COALESCE(MIN(seq), 0) FROM commits").fetchone()[0]
        db.executemany(insert, [(first - len(new) + i, *c) for i, c in enumerate(new)])
    else:  # the whole history: stored as it streams (memory stays flat)
        db.executemany(insert, ((i, *c) for i, c in enumerate(found)))
    moved = g.renumber_commits(rev)
    first = db.execute("SELECT COALESCE(MIN(seq), 0) FROM renumbered").fetchone()[0]
    db.executemany("INSERT INTO renumbered VALUES (?, ?, ?, ?)",
                   [(first - len(moved) + i, *m) for i, m in enumerate(moved)])
