"""Case files on disk: find one by ID, number a new one, write atomically and commit."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from complaintctl.errors import CaseNotFound, InvalidInput, UnreadableCase
from complaintctl.i18n import _
from complaintctl.model.case import decode, dump_document, load_document
from complaintctl.model.ids import CaseId, case_id_from_filename, parse_case_id
from complaintctl.model.reader import DEFAULT_LIMITS, Limits
from complaintctl.repo import transaction, vouch
from complaintctl.repo.transaction import FileWrite, write_atomic, write_bytes_atomic
from complaintctl.repo.workspace import Workspace

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap

__all__ = ["FileWrite", "LoadedCase", "commit_files", "load_case", "next_serial", "read_case_text", "save_and_commit",
           "write_bytes_atomic",
           "write_atomic"]

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
    return cid, read_case_text(ws.root, cid.relpath, ws.policy.limits)


def load_case(ws: Workspace, case_id: str) -> LoadedCase:
    """Read one case by ID for a change (round-trip document, comments kept)."""
    cid, text = case_text(ws, case_id)
    return LoadedCase(cid, cid.relpath, load_document(text, cid.relpath, ws.policy.limits), text)


def read_case_text(root: Path, relpath: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """A case file's text from the working tree, read safely: never through a symbolic link
    (in the file's name or any folder above it), never from a FIFO or device (that would
    hang), never more than the size limit; strictly UTF-8. R-WF errors name the file."""
    return decode(read_case_bytes(root, relpath, limits), relpath)


def read_case_bytes(root: Path, relpath: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    parts = relpath.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise InvalidInput(f"{relpath}: not a path inside the repository")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    dir_flags = flags | getattr(os, "O_DIRECTORY", 0)
    fds: list[int] = []
    try:
        try:
            fds.append(os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)))
            for part in parts[:-1]:
                fds.append(os.open(part, dir_flags, dir_fd=fds[-1]))
            fd = os.open(parts[-1], flags, dir_fd=fds[-1])
        except FileNotFoundError:
            raise CaseNotFound(_("{case}: no such case ({path} does not exist)").format(
                case=case_label(relpath), path=relpath)) from None
        except NotADirectoryError:
            raise _not_regular(relpath, "a folder on its path is a symbolic link or a file") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _not_regular(relpath, "is a symbolic link (or a folder on its path is)") from None
            raise InvalidInput(f"{relpath}: cannot read: {exc.strerror}") from None
        fds.append(fd)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(relpath, "is not a regular file (a FIFO, device or folder)")
        if info.st_size > limits.max_bytes:
            raise UnreadableCase(relpath, [("(file)", f"larger than {limits.max_bytes} bytes (the policy's "
                                                      "limits.case_file_bytes)")])
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise UnreadableCase(relpath, [("(file)", f"larger than {limits.max_bytes} bytes")])
        return data
    finally:
        for fd in fds:
            os.close(fd)


def _not_regular(relpath: str, why: str) -> UnreadableCase:
    return UnreadableCase(relpath, [("(file)", f"{why}: only regular case files belong under cases/")])


def case_label(relpath: str) -> str:
    return relpath.rsplit("/", 1)[-1].removesuffix(".yaml")


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


def commit_files(ws: Workspace, writes: list[FileWrite], message: str, judged: bool = False) -> str:
    """Write several files (case texts, kept originals' bytes) and commit exactly them in one
    commit, as one transaction (repo/transaction): a refusal, a kill or a full disk leaves
    nothing behind. `judged`: the caller has just validated exactly these contents, so the
    pre-commit hook may skip the blobs the transaction stages (repo/vouch)."""
    witness = vouch.witness(ws) if judged else None
    return transaction.commit_files(ws.root, ws.git, writes, message, witness=witness)


def save_and_commit(ws: Workspace, relpath: str, doc: CommentedMap, before: str | None,
                    message: str, judged: bool = False) -> str:
    """Write the case and commit only it, as one transaction (repo/transaction): if the commit
    is refused or the command dies, the file is put back and nothing stays staged.
    `judged`: the caller has just validated exactly this document (`dump_document` is
    deterministic), so the pre-commit hook may skip the blob committed (repo/vouch)."""
    writes = [FileWrite(relpath, dump_document(doc), before)]
    return commit_files(ws, writes, message, judged=judged)
