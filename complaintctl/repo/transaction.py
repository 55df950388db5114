"""Writes that survive being killed, interrupted or starved of disk.

A command that changes cases does it as one transaction:

1. a journal (`.git/complaintctl-journal/`) records the HEAD it started from, each file it
   will write with the hash of its new content, and a copy of each file's old content;
2. the files are written in the working tree (each atomically: temporary file + rename);
3. they are staged in a *temporary* index (`GIT_INDEX_FILE`, a copy of the real one) and
   committed with a plain `git commit`, so every pre-commit hook of the office still runs
   (never `--no-verify`);
4. the real index takes the committed entries (`git reset -- paths`, waiting for git's own
   lock), and the journal is removed.

Whatever stops this half-way — a refusal, `kill -9`, Ctrl-C, a full disk — the real index
was never touched before the commit, and the next command (or the failing one itself)
finds the journal and either finishes the job (the commit was made: the index is brought
up to date) or puts every file back as it was (no commit: nothing is left staged, no
orphan case file) — and says which.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from complaintctl.errors import ComplaintError, GitError, RepoStateError
from complaintctl.i18n import N_, _
from complaintctl.repo import vouch
from complaintctl.repo.files import set_new_file_mode
from complaintctl.repo.git import Git, blob_id
from complaintctl.repo.locking import repo_lock, try_repo_lock

JOURNAL_DIR = "complaintctl-journal"
TEMP_INDEX = "complaintctl-index"


@dataclass(frozen=True)
class FileWrite:
    relpath: str
    content: str | bytes  # a case's text, or a kept original's bytes
    before: str | None  # what to put back if the commit is not made (None: the file did not exist)

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content


def _journal(g: Git) -> Path:
    return g.own_git_dir / JOURNAL_DIR


def _temp_index(g: Git) -> Path:
    return g.own_git_dir / TEMP_INDEX


@contextmanager
def writing(root: Path, g: Git) -> Iterator[list[str]]:
    """The clone's writer lock, with any interrupted command's leftovers dealt with first;
    yields what was recovered (one line each) for the command to say."""
    with repo_lock(g.git_dir):
        yield recover(root, g)


def recover_if_idle(root: Path, g: Git) -> list[str]:
    """For any command: recover leftovers unless a writer is at work right now."""
    if not _journal(g).exists() and not _temp_index(g).exists():
        return []
    with try_repo_lock(g.git_dir) as locked:
        if not locked:
            return []
        try:
            return recover(root, g)
        except ComplaintError as exc:  # e.g. git's lock still held: a reading command goes on
            return [f"warning: an interrupted command is not yet recovered: {exc}"]


def commit_files(root: Path, g: Git, writes: list[FileWrite], message: str,
                 witness: vouch.Witness | None = None) -> str:
    """Write `writes`, commit exactly those paths with `message`; the commit's id. On any
    failure every file is put back and nothing stays staged; the error is raised.
    `witness`: the caller has just judged exactly these contents (by that policy, as that
    person), so the token for complaintctl's pre-commit hook names the blobs staged here."""
    jdir = _journal(g)
    if jdir.exists():
        raise RepoStateError(f"{jdir} exists: another complaintctl is working in this clone")
    head = g.rev_parse("HEAD")
    object_format = g.object_format()
    try:
        _write_journal(jdir, head, writes, object_format)
    except OSError as exc:
        shutil.rmtree(jdir, ignore_errors=True)
        raise _disk_error(exc, "nothing was changed") from exc
    try:
        for w in writes:
            write_bytes_atomic(root / w.relpath, w.data)
        index = _temp_index(g)
        real = g.index_file
        if real.exists():
            shutil.copyfile(real, index)
        else:
            index.unlink(missing_ok=True)
        blobs = {w.relpath: blob_id(w.data, object_format) for w in writes}
        with vouch.vouching(g, witness, head, blobs, object_format):
            sha = g.commit_paths([w.relpath for w in writes], message, index)
    except (ComplaintError, OSError) as exc:
        _roll_back(root, g, jdir)
        if isinstance(exc, OSError):
            raise _disk_error(exc, "nothing was recorded") from exc
        if isinstance(exc, GitError) and "No space left on device" in str(exc):  # git's own write failed
            raise _disk_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), "nothing was recorded") from exc
        raise
    except BaseException:  # Ctrl-C, SystemExit: still leave nothing behind
        _roll_back(root, g, jdir)
        raise
    _finish(g, jdir, [w.relpath for w in writes])
    return sha


def recover(root: Path, g: Git) -> list[str]:
    """Deal with what an interrupted command left (call with the writer lock held)."""
    jdir = _journal(g)
    said: list[str] = []
    if jdir.exists():
        try:
            journal = json.loads((jdir / "journal.json").read_text(encoding="utf-8"))
            files = journal["files"]
            head = journal["head"]
        except (OSError, ValueError, KeyError, TypeError):
            # Killed while the journal itself was written: nothing else had been touched yet.
            shutil.rmtree(jdir, ignore_errors=True)
            said.append("recovered: removed the unfinished journal of an interrupted command (nothing had "
                        "been written)")
        else:
            said.extend(_recover(root, g, jdir, head, files))
    _remove_temp_index(g)
    return said


def _recover(root: Path, g: Git, jdir: Path, head: str | None, files: list[dict[str, str]]) -> list[str]:
    paths = [f["path"] for f in files]
    now = g.rev_parse("HEAD")
    committed = now is not None and now != head and all(
        g.blob_id_at(now, f["path"]) == f["after"] for f in files)
    shown = ", ".join(Path(p).stem for p in paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    if committed:
        assert now is not None
        g.refresh_index(paths)
        shutil.rmtree(jdir, ignore_errors=True)
        return [f"recovered: an interrupted command had committed {shown} ({now[:10]}); the index is up to "
                "date again"]
    kept = _put_back(root, jdir, files, g.object_format())
    shutil.rmtree(jdir, ignore_errors=True)
    line = f"recovered: an interrupted command had not committed {shown}; put back as it was"
    if kept:
        line += f" (left as you changed it since: {', '.join(kept)})"
    return [line]


def _write_journal(jdir: Path, head: str | None, writes: list[FileWrite], object_format: str) -> None:
    jdir.mkdir(parents=True)
    files = []
    for i, w in enumerate(writes):
        entry = {"path": w.relpath, "after": blob_id(w.data, object_format)}
        if w.before is not None:
            backup = jdir / f"{i}.before"
            with open(backup, "w", encoding="utf-8", newline="") as fh:
                fh.write(w.before)
            entry["backup"] = backup.name
        files.append(entry)
    tmp = jdir / "journal.json.tmp"
    tmp.write_text(json.dumps({"head": head, "files": files}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, jdir / "journal.json")  # the journal counts only once it is whole


def _put_back(root: Path, jdir: Path, files: list[dict[str, str]], object_format: str) -> list[str]:
    """Each file back to its old content, if it still holds what the command wrote (or the
    command died before writing it). Renames only: works on a full disk."""
    kept = []
    for f in files:
        path = root / f["path"]
        try:
            current = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        except OSError:
            current = None
        backup = jdir / f["backup"] if f.get("backup") else None
        if current is not None and blob_id(current, object_format) != f["after"]:
            if backup is None or current != backup.read_bytes():
                kept.append(f["path"])
            continue
        if backup is None:
            path.unlink(missing_ok=True)
        elif current is not None or backup.exists():
            try:
                os.replace(backup, path)
            except OSError:  # another file system: copy instead
                shutil.copyfile(backup, path)
    return kept


def _roll_back(root: Path, g: Git, jdir: Path) -> None:
    try:
        journal = json.loads((jdir / "journal.json").read_text(encoding="utf-8"))
        _put_back(root, jdir, journal["files"], g.object_format())
    finally:
        shutil.rmtree(jdir, ignore_errors=True)
        _remove_temp_index(g)


def _finish(g: Git, jdir: Path, paths: list[str]) -> None:
    """After the commit: the real index takes the new entries. If git's lock stays taken,
    the journal stays too and the next command finishes this."""
    try:
        g.refresh_index(paths)
    except ComplaintError:
        return
    shutil.rmtree(jdir, ignore_errors=True)
    _remove_temp_index(g)


def _remove_temp_index(g: Git) -> None:
    for p in (_temp_index(g), _temp_index(g).with_name(TEMP_INDEX + ".lock")):
        p.unlink(missing_ok=True)


def _disk_error(exc: OSError, outcome: str) -> RepoStateError:
    """A one-line refusal in the office's language; `outcome` is one of OUTCOMES."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (28, 122):  # ENOSPC, EDQUOT
        return RepoStateError(_("no space left on the disk{where}: {outcome}; free some space and run it again")
                              .format(where=where, outcome=_(outcome)))
    return RepoStateError(_("cannot write{where}: {error}: {outcome}").format(where=where, error=exc.strerror or exc,
                                                                              outcome=_(outcome)))


OUTCOMES = (N_("nothing was changed"), N_("nothing was recorded"))


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: a reader sees the old or the new file,
    never half of one."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        set_new_file_mode(tmp)  # mkstemp's 0600 would ignore the umask
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
