"""The one place that starts git. Every call's exit status is checked: a status the caller did
not name as an answer (`ok`) becomes a `GitError` carrying git's own words.

`Runner` is one repository's runner (its work tree, or its git directory when bare); `git()`
runs git where there is no repository yet (init, clone, the server's bare repository, the
identity of a folder). Streams (`cat_file_batch`, `fast_import`) check the status when they
end. Nothing else in complaintctl starts a process that runs git.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from complaintctl.errors import GitError, RepoStateError

ZERO = "0" * 40
# git maps whole pack files as it reads a large history: at 100,000 cases that is hundreds of
# MB of resident memory. Long reads (the index's cat-file, log) bound it.
LOW_MEMORY = ("-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=4m",
              "-c", "core.deltaBaseCacheLimit=16m")
LOCK_WAIT = 10.0  # seconds to wait for git's own index.lock / HEAD.lock (COMPLAINTCTL_GIT_LOCK_WAIT)
_LOCK_FILE = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_LOCK_REF = re.compile(r"cannot lock ref '([^']+)'")


def read_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """git's environment: ours, with git's messages in English (what `_held_lock` reads) and
    GIT_OPTIONAL_LOCKS=0 — our reads (`git status`) never take index.lock, so a concurrent
    `complaintctl new` in the same clone is never refused (locking.repo_lock orders writers)."""
    return {**os.environ, "LANGUAGE": "C", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", **(extra or {})}


def clean_env() -> dict[str, str]:
    """Environment for a git child in *another* repository, started from inside a hook."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def _failure(args: Sequence[str], code: int, err: bytes, out: bytes = b"") -> GitError:
    text = " ".join((err or out).decode("utf-8", "replace").split())[:400]
    command = next((a for a in args if not a.startswith("-") and "=" not in a), "")
    return GitError(f"git {command} failed: {text or f'exit code {code}'}")


def git(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, input: bytes | None = None,
        ok: Sequence[int] | None = (0,)) -> tuple[int, bytes]:
    """Run git: (exit status, stdout). A status not in `ok` raises GitError with git's message
    (`ok=None`: the caller reads the status). `env` replaces the environment (default `read_env()`)."""
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          env=dict(env) if env is not None else read_env())
    if ok is not None and proc.returncode not in ok:
        raise _failure(args, proc.returncode, proc.stderr, proc.stdout)
    return proc.returncode, proc.stdout


def text(out: bytes) -> str:
    """git's stdout as text, its one trailing newline removed (undecodable bytes kept as
    U+DC80..U+DCFF for the reader to name, not a crash here)."""
    return out.decode("utf-8", "surrogateescape").removesuffix("\n")


@contextmanager
def nul_file(items: list[str], nul: bool = True) -> Iterator[str]:
    """A temporary file holding `items` (NUL-separated pathspecs, or one message as is): a
    sweep may stage thousands of cases, more than an argument list can hold."""
    fd, name = tempfile.mkstemp(prefix="complaintctl-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\0".join(items) if nul else "".join(items))
        yield name
    finally:
        os.unlink(name)


def held_lock(output: str) -> str | None:
    """The lock file git could not take, if that is why it failed."""
    m = _LOCK_FILE.search(output)
    if m is not None:
        return m[1]
    m = _LOCK_REF.search(output)
    return f"the ref {m[1]}" if m is not None else None


class Runner:
    """git in one repository: its work tree (or, bare, its git directory) is the working folder."""

    _root: Path | None
    _own_dir: Path
    _common_dir: Path

    def _call(self, args: Sequence[str], env: Mapping[str, str] | None = None, input: bytes | None = None,
              ok: Sequence[int] | None = (0,)) -> tuple[int, bytes, bytes]:
        """Run git here; a status outside `ok` raises GitError (`ok=None`: the caller reads it)."""
        proc = subprocess.run(["git", *args], cwd=self._root or self._own_dir, input=input, capture_output=True,
                              stdin=None if input is not None else subprocess.DEVNULL, env=read_env(env))
        if ok is not None and proc.returncode not in ok:
            raise _failure(args, proc.returncode, proc.stderr, proc.stdout)
        return proc.returncode, proc.stdout, proc.stderr

    def plain(self, *args: str, input: bytes | None = None, ok: Sequence[int] | None = (0,)) -> tuple[int, bytes]:
        """(exit status, stdout bytes); a status outside `ok` raises GitError."""
        code, out, _ = self._call(args, input=input, ok=ok)
        return code, out

    def plain_text(self, *args: str) -> str:
        """stdout as text (one trailing newline removed); any failure raises GitError."""
        return text(self.plain(*args)[1])

    def run(self, *args: str, env: Mapping[str, str] | None = None, input: bytes | None = None,
            strip_newline_in_stdout: bool = True) -> str:
        """stdout as text, one trailing newline removed unless told; failure raises GitError."""
        out = self._call(args, env=env, input=input)[1].decode("utf-8", "surrogateescape")
        return out.removesuffix("\n") if strip_newline_in_stdout else out

    def attempt(self, *args: str, env: Mapping[str, str] | None = None) -> tuple[int, str]:
        """git where failure is an answer the caller reads: (exit status, stdout+stderr). The
        caller checks the status (only these: `fetch`, `rebase_onto`, `run_locked`, `push`…)."""
        code, out, err = self._call(args, env=env, ok=None)
        both = (text(out), text(err))
        return code, "\n".join(x for x in both if x).strip()

    def has_head(self) -> bool:
        """Whether the repository has a commit yet."""
        code, _ = self.plain("rev-parse", "--verify", "-q", "HEAD", ok=(0, 1))
        return code == 0

    def get_config(self, key: str) -> str | None:
        code, raw = self.plain("config", "--get", key, ok=(0, 1))  # 1: not set
        out = raw.decode("utf-8").strip()
        return out if code == 0 and out else None

    def set_config(self, key: str, value: str) -> None:
        self.run("config", key, value)

    def get_config_local(self, key: str) -> str | None:
        """This repository's own setting (.git/config), not the user's or the system's."""
        code, raw = self.plain("config", "--local", "--get", key, ok=(0, 1))
        out = text(raw).strip()
        return out if code == 0 and out else None

    def unset_config_local(self, key: str) -> None:
        self.plain("config", "--local", "--unset-all", key, ok=(0, 5))  # 5: it was not set

    def run_locked(self, *args: str, env: Mapping[str, str] | None = None, wait: float | None = None) -> str:
        """Run a git command that takes one of git's locks (index.lock, HEAD.lock): someone's
        own `git status` may hold it for a moment, so wait and retry, within a bound."""
        wait = float(os.environ.get("COMPLAINTCTL_GIT_LOCK_WAIT") or LOCK_WAIT) if wait is None else wait
        deadline = time.monotonic() + wait
        delay = 0.02
        while True:
            code, out = self.attempt(*args, env=env)
            if code == 0:
                return out
            lock = held_lock(out)
            if lock is None:
                raise GitError(f"git {args[0]} failed: {' '.join(out.split())[:400] or f'exit code {code}'}")
            if time.monotonic() > deadline:
                raise RepoStateError(f"git {args[0]}: {lock} stayed locked for {wait:.0f} s — another git "
                                     "process is working in this clone (if none is, one was killed: remove "
                                     "that file); nothing was changed by complaintctl")
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def cat_file_batch(self, objects: Sequence[str], max_bytes: int | None = None
                       ) -> Iterator[tuple[str, bytes | None, int]]:
        """(object, content, size) for each object name, in order, through ONE `git cat-file
        --batch`; content None for a missing object or one over `max_bytes` (skipped, never
        held). git's exit status is checked once every object is read."""
        if not objects:
            return
        # Mapped pack windows count as the process's memory: bound them (≤ 200 MB at 100,000 cases).
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(["git", *LOW_MEMORY, "cat-file", "--batch"], cwd=self._root or self._own_dir,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env=read_env())
            assert proc.stdin is not None and proc.stdout is not None
            writer = threading.Thread(target=_feed, args=(proc.stdin, objects), daemon=True)
            writer.start()  # a thread, so a full pipe in either direction never deadlocks
            try:
                for name in objects:
                    yield (name, *_next_object(proc.stdout, max_bytes))
            finally:
                proc.stdout.close()
                writer.join()
                code = proc.wait()
            if code != 0:  # reached only when every object was read (not when the reader stopped early)
                errors.seek(0)
                raise _failure(("cat-file",), code, errors.read())

    @contextmanager
    def fast_import(self) -> Iterator[IO[bytes]]:
        """`git fast-import` in this work tree: the caller writes the stream (and `done`);
        leaving the block waits for git and checks its status. On an error git is killed."""
        proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=self._root or self._own_dir,
                                stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=read_env())
        assert proc.stdin is not None and proc.stderr is not None
        try:
            yield proc.stdin
            proc.stdin.close()
            err = proc.stderr.read()
            if proc.wait() != 0:
                raise _failure(("fast-import",), proc.returncode, err)
        except BaseException:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            raise


def _feed(stdin: IO[bytes], objects: Sequence[str]) -> None:
    try:
        for name in objects:
            stdin.write(name.encode() + b"\n")
        stdin.close()
    except (BrokenPipeError, ValueError):  # git ended (or the reader stopped and closed the pipes)
        return


def _next_object(stdout: IO[bytes], max_bytes: int | None) -> tuple[bytes | None, int]:
    header = stdout.readline().split()
    if len(header) != 3:  # "<name> missing", "<name> ambiguous"
        return None, 0
    size = int(header[2])
    data: bytes | None
    if max_bytes is not None and size > max_bytes:
        left = size
        while left > 0:
            got = len(stdout.read(min(left, 1 << 20)))
            if not got:
                break
            left -= got
        data = None
    else:
        data = stdout.read(size)
    stdout.read(1)  # the newline after each object
    return data, size
