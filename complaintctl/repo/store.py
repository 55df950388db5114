"""Case files on disk: find one by ID, number a new one, write atomically and commit."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import CaseNotFound, GitError
from complaintctl.model.case import dump_document, load_document
from complaintctl.model.ids import CaseId, case_id_from_filename, parse_case_id
from complaintctl.repo import vouch
from complaintctl.repo.workspace import Workspace

CASES_DIR = "cases"


@dataclass
class LoadedCase:
    id: CaseId
    relpath: str
    doc: CommentedMap
    text: str


def case_text(ws: Workspace, case_id: str) -> tuple[CaseId, str]:
    """One case file's text by ID: its path comes from the ID, no other case is touched."""
    cid = parse_case_id(case_id)
    path = ws.root / cid.relpath
    if not path.is_file():
        raise CaseNotFound(f"{cid}: no such case ({cid.relpath} does not exist)")
    return cid, path.read_text(encoding="utf-8")


def load_case(ws: Workspace, case_id: str) -> LoadedCase:
    """Read one case by ID for a change (round-trip document, comments kept)."""
    cid, text = case_text(ws, case_id)
    return LoadedCase(cid, cid.relpath, load_document(text, cid.relpath), text)


def next_serial(root: Path, office: str, year: int, month: int) -> int:
    """R-IN-5: the serial restarts each month; only that month's folder is read."""
    folder = root / CASES_DIR / f"{year:04d}" / f"{month:02d}"
    highest = 0
    if folder.is_dir():
        for entry in os.scandir(folder):
            cid = case_id_from_filename(entry.name)
            if cid and cid.office == office:
                highest = max(highest, cid.serial)
    return highest + 1


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class FileWrite:
    relpath: str
    content: str | bytes  # a case's text, or a material's bytes
    before: str | None  # what to put back if the commit fails (None: the file did not exist)


def commit_files(ws: Workspace, writes: list[FileWrite], message: str) -> str:
    """Write several files and commit exactly them in one commit; if the commit fails, put
    everything back (new files removed, changed ones restored, nothing left staged)."""
    done: list[FileWrite] = []
    try:
        for w in writes:
            path = ws.root / w.relpath
            if isinstance(w.content, bytes):
                write_bytes_atomic(path, w.content)
            else:
                write_atomic(path, w.content)
            done.append(w)
        return ws.git.add_and_commit([w.relpath for w in writes], message)
    except (GitError, OSError):
        ws.git.unstage([w.relpath for w in done])
        for w in done:
            if w.before is None:
                (ws.root / w.relpath).unlink(missing_ok=True)
            else:
                write_atomic(ws.root / w.relpath, w.before)
        raise


def save_and_commit(ws: Workspace, relpath: str, doc: CommentedMap, before: str | None,
                    message: str, judged: bool = False) -> str:
    """Write the case, stage only it, commit. If the commit fails, put everything back.
    `judged`: the caller has just validated exactly this document's text (`dump_document` is
    deterministic), so the pre-commit hook may skip it (repo.vouch)."""
    path = ws.root / relpath
    text = dump_document(doc)
    write_atomic(path, text)
    try:
        with vouch.judged(ws, {relpath: text} if judged else {}):
            return ws.git.add_and_commit([relpath], message)
    except GitError:
        ws.git.unstage([relpath])
        if before is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, before)
        raise
