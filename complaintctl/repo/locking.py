"""One writer at a time per clone: a lock, not luck, keeps case numbers distinct."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from complaintctl.errors import RepoStateError

LOCK_NAME = "complaintctl.lock"


@contextmanager
def try_repo_lock(git_dir: Path) -> Iterator[bool]:
    """The same lock if it is free right now (True), else False at once: no waiting."""
    fd = os.open(git_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


@contextmanager
def repo_lock(git_dir: Path, timeout: float = 120.0) -> Iterator[None]:
    """Exclusive lock on the clone for the whole read-number-write-commit step."""
    path = git_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RepoStateError(f"another complaintctl is still working in this clone ({path})") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
