"""One writer at a time per clone: a lock, not luck, keeps case numbers distinct.

The lock is `filelock`'s: an OS lock (flock, or the Windows equivalent) that the kernel
releases when its holder dies, or, where neither exists, a lock file recording its holder's
pid that the next writer breaks once that process is gone. `filelock` is imported
on first use, never at start-up: `--help` stays fast and nothing imports `fcntl` to start.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complaintctl.errors import RepoStateError

if TYPE_CHECKING:
    from filelock import BaseFileLock

LOCK_NAME = "complaintctl.lock"
POLL = 0.02  # seconds between two tries while another writer holds the lock


def _filelock() -> Any:
    with warnings.catch_warnings():  # "only soft file lock is available": expected where there is no flock
        warnings.simplefilter("ignore")
        import filelock
    return filelock


def _lock(path: Path) -> BaseFileLock:
    # thread_local=False: a lock taken in one thread (e.g. a command's worker) is the process's;
    # no mode: the lock file takes the umask like every file we write (a group's shared clone)
    lock: BaseFileLock = _filelock().FileLock(path, thread_local=False, poll_interval=POLL)
    return lock


@contextmanager
def try_repo_lock(git_dir: Path) -> Iterator[bool]:
    """The same lock if it is free right now (True), else False at once: no waiting."""
    lock = _lock(git_dir / LOCK_NAME)
    try:
        lock.acquire(blocking=False)
    except _filelock().Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


@contextmanager
def repo_lock(git_dir: Path, timeout: float = 120.0) -> Iterator[None]:
    """Exclusive lock on the clone for the whole read-number-write-commit step."""
    path = git_dir / LOCK_NAME
    lock = _lock(path)
    try:
        lock.acquire(timeout=timeout)
    except _filelock().Timeout:
        raise RepoStateError(f"another complaintctl is still working in this clone ({path})") from None
    try:
        yield
    finally:
        lock.release()
