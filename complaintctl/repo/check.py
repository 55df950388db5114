"""`complaintctl validate`: every case file in the working tree, against its committed version.

Verdicts are kept: a committed file's findings depend only on its bytes (its
blob), its path, the policy and the code — and on `now` only until every moment in the
file is past (rules.validate.settled_after). So a verdict is stored per (path, blob, policy,
code version, language) once it is settled, and a warm `validate` re-judges only new or changed
files. Files changed in the work tree are always judged afresh, against HEAD, as the
pre-commit hook will judge them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from datetime import datetime

from complaintctl import i18n
from complaintctl.errors import InvalidInput, RepoStateError, UnreadableCase
from complaintctl.model.case import load_plain
from complaintctl.output import PROGRESS_AT, Progress
from complaintctl.policy.policy import POLICY_FILE
from complaintctl.repo import cache, index, precommit, store
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.dates import CLOCK_SKEW
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import (
    check_case,
    check_texts,
    is_case_path,
    settled_after,
    stray_file,
    unreadable_findings,
)

_VERDICTS = ("CREATE TABLE IF NOT EXISTS verdicts (path TEXT NOT NULL, blob TEXT NOT NULL, ctx TEXT NOT NULL, "
             "settled REAL, findings TEXT NOT NULL, PRIMARY KEY (path, blob, ctx)) WITHOUT ROWID")


def verdict_context(ws: Workspace) -> str:
    """What a verdict depends on besides the file: the code, the policy text, this clone's office
    and the language its findings are written in (a kept verdict holds their text)."""
    policy_file = ws.root / POLICY_FILE
    try:
        text = policy_file.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        text = ""
    key = f"{cache.policy_key(text)}\0{ws.policy.office}\0{ws.policy.timezone}\0{i18n.language()}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def validate_repository(ws: Workspace, now: datetime) -> tuple[int, list[Finding]]:
    """(files checked, findings). Unchanged files are judged on their own (from the cache);
    changed ones also against HEAD, as the pre-commit hook will."""
    changed = {p for p in ws.git.dirty_paths("cases") + ws.git.staged_paths() if is_case_path(p)}
    # Changed files are judged as the pre-commit hook will: as the committer, under HEAD's policy.
    commit = None
    if changed and ws.git.has_head():
        try:
            actor: Identity | None = ws.git.identity()
        except RepoStateError:
            actor = None  # no identity yet: judge the change without the actor rule
        commit = precommit.commit_context(actor, ws.git.show("HEAD", POLICY_FILE))
    findings: list[Finding] = []
    count = 0
    idx = index.open_index(ws)
    db = idx.db
    ctx = verdict_context(ws)
    fresh: list[tuple[str, str, str, float | None, str]] = []
    try:
        db.execute(_VERDICTS)
        # a kept verdict holds only while no moment of the case is in the future (see settled_after)
        limit = (now + CLOCK_SKEW).timestamp()
        rows = db.execute("SELECT c.path, c.blob, c.error, c.rowid, v.findings FROM cases c LEFT JOIN verdicts v "
                          "ON v.path = c.path AND v.blob = c.blob AND v.ctx = ? AND (v.settled IS NULL OR "
                          "v.settled <= ?) ORDER BY c.path", (ctx, limit)).fetchall()
        # a first validate of a large office takes a while; a bar on a terminal's stderr
        todo = sum(1 for r in rows if r[4] is None)
        bar = Progress("checking cases", len(rows)) if todo >= PROGRESS_AT else None
        for path, blob, error, rowid, kept in rows:
            count += 1
            if bar is not None and count % 64 == 0:
                bar.update(count)
            if error is not None:
                findings.extend(_unreadable(ws, path, error))
            elif path in changed or blob is None:
                text = store.read_case_text(ws.root, path, ws.policy.limits)
                before = ws.git.show("HEAD", path) if ws.git.has_head() else None
                findings.extend(check_texts(path, text, before, ws.policy, now, commit))
            elif kept is not None:
                findings.extend(Finding(*f) for f in json.loads(kept))
            else:
                (doc,) = db.execute("SELECT doc FROM cases WHERE rowid = ?", (rowid,)).fetchone()
                data = json.loads(doc)
                found = check_case(path, data, None, ws.policy, now)
                findings.extend(found)
                settled = settled_after(data)
                if settled is None or now + CLOCK_SKEW >= settled:  # no moment of it is in the future
                    kept_as = json.dumps([[f.path, f.field, f.rule, f.message] for f in found], ensure_ascii=False)
                    fresh.append((path, blob, ctx, settled.timestamp() if settled else None, kept_as))
        if bar is not None:
            bar.update(count)
            bar.close()
        if fresh:
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?)", fresh)
                db.execute("DELETE FROM verdicts WHERE ctx != ?", (ctx,))  # an older policy's or code's
                db.execute("COMMIT")
            except sqlite3.Error:  # a verdict not kept is only slower next time (e.g. a read-only clone)
                index.rollback(db)
        for path in idx.strays():
            count += 1
            stray = stray_file(path)
            if stray is not None:
                findings.append(stray)
    finally:
        idx.close()
    head = ws.git.has_head()
    for path in sorted(changed):
        # R-CL-3: a case file deleted in the working tree (or staged for deletion) is a finding too.
        if not os.path.lexists(ws.root / path) and head and ws.git.show("HEAD", path) is not None:
            count += 1
            findings.extend(check_texts(path, None, None, ws.policy, now))
    return count, findings


def _unreadable(ws: Workspace, path: str, error: str) -> list[Finding]:
    """One R-WF finding per problem of a file the strict reader refuses, each with its line."""
    try:
        load_plain(store.read_case_text(ws.root, path, ws.policy.limits), path, ws.policy.limits)
    except UnreadableCase as exc:
        return unreadable_findings(path, exc)
    except InvalidInput as exc:
        return [Finding(path, "(file)", "R-WF", str(exc).split(": ", 1)[-1])]
    return [Finding(path, "(file)", "R-WF", error.split(": ", 1)[-1])]
