"""All git access. Every call checks its result and turns failure into a domain error."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complaintctl.errors import GitError, RepoStateError
from complaintctl.model.identity import Identity

__all__ = ["CaseCommit", "Change", "Git", "Identity", "LogEntry", "ZERO", "blob_id", "clean_env"]

if TYPE_CHECKING:
    import git
    from git.exc import GitCommandError


def _gitpython() -> Any:
    """GitPython, imported on first use (~90 ms): opening a repository, reading a file or a
    config value, the hooks' fast paths and the read index run plain `git` processes instead."""
    import git as gitpython
    from git import exc

    globals().update(git=gitpython, GitCommandError=exc.GitCommandError,
                     InvalidGitRepositoryError=exc.InvalidGitRepositoryError, NoSuchPathError=exc.NoSuchPathError)
    return gitpython

ZERO = "0" * 40
# git maps whole pack files as it reads a large history: at 100,000 cases that is hundreds of
# MB of resident memory. Long reads (the index's cat-file, log) bound it.
LOW_MEMORY = ("-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=4m",
              "-c", "core.deltaBaseCacheLimit=16m")
LOCK_WAIT = 10.0  # seconds to wait for git's own index.lock / HEAD.lock (COMPLAINTCTL_GIT_LOCK_WAIT)
_LOCK_FILE = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_LOCK_REF = re.compile(r"cannot lock ref '([^']+)'")


@dataclass(frozen=True)
class Change:
    """One file changed by a commit (`git diff-tree --raw`)."""

    status: str  # A, M, D, T
    path: str
    old_blob: str
    new_blob: str
    new_mode: str = "100644"  # 120000: a symlink, 160000: a submodule, 000000: deleted


@dataclass(frozen=True)
class LogEntry:
    sha: str
    author: str
    email: str
    when: str
    subject: str
    body: str


@dataclass(frozen=True)
class CommitMeta:
    """What the server needs to know about one pushed commit, read for all of them at once."""

    sha: str
    parents: tuple[str, ...]
    author: Identity
    committer: Identity
    signature: str = ""  # git's %G?: G good, U good but key not allowed, B bad, N none, E unusable
    signer: str = ""  # the allowed_signers principal of a good signature (%GS)
    key: str = ""  # the signing key's fingerprint (%GK)


@dataclass(frozen=True)
class CaseCommit:
    """A commit's author and its `Case:` / `Action:` trailers (what lifecycle writes)."""

    sha: str
    author: str
    email: str
    when: str  # author date, ISO 8601
    case_id: str
    action: str


class Git:
    """A small typed face over one repository."""

    def __init__(self, repo: git.Repo | None = None, *, where: tuple[Path | None, Path, Path] | None = None) -> None:
        """From a GitPython repository, or from `where` = (work tree or None if bare, git dir,
        common git dir) found by `open` without GitPython."""
        self._repo = repo
        if repo is not None:
            wt = repo.working_tree_dir
            where = (Path(wt) if wt is not None else None, Path(repo.git_dir), Path(repo.common_dir))
        assert where is not None
        self._root, self._own_dir, self._common_dir = where
        self._g: Any = None

    @property
    def repo(self) -> git.Repo:
        if self._repo is None:
            _gitpython()
            self._repo = git.Repo(self._root or self._own_dir)
        return self._repo

    @property
    def g(self) -> Any:
        if self._g is None:
            self._g = self.repo.git
            # Our read-only `git status` must never take index.lock (it would make a concurrent
            # `complaintctl new` in the same clone fail); see locking.repo_lock for writers.
            self._g.update_environment(GIT_OPTIONAL_LOCKS="0")
        return self._g

    @classmethod
    def open(cls, path: Path) -> Git:
        # One `git rev-parse`, no GitPython: a one-case command opens the repository in ~3 ms.
        proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--path-format=absolute", "--git-common-dir",
                               "--absolute-git-dir", "--is-bare-repository", "--show-toplevel"],
                              capture_output=True, text=True, env=read_env())
        lines = proc.stdout.splitlines()
        if len(lines) < 3 or (proc.returncode != 0 and lines[2] != "true"):
            raise RepoStateError(f"{path}: not a git repository — run `complaintctl init` to create "
                                 "a case repository")
        root = Path(lines[3]) if lines[2] != "true" and len(lines) > 3 else None
        return cls(where=(root, Path(lines[1]), Path(lines[0])))

    @classmethod
    def init(cls, path: Path) -> Git:
        _gitpython()
        try:
            return cls(git.Repo.init(path, initial_branch="main"))
        except GitCommandError as exc:
            raise GitError(f"git init {path} failed: {_why(exc)}") from exc

    @classmethod
    def clone(cls, url: str, dest: Path) -> Git:
        _gitpython()
        try:
            return cls(git.Repo.clone_from(url, dest, env=clean_env()))
        except GitCommandError as exc:
            raise GitError(f"git clone {url} failed: {_why(exc)}") from exc

    @property
    def root(self) -> Path:
        if self._root is None:
            raise RepoStateError("this is a bare repository; run complaintctl in a clone")
        return self._root

    @property
    def git_dir(self) -> Path:
        return self._common_dir

    @property
    def own_git_dir(self) -> Path:
        """This work tree's own git directory (its index, HEAD, journal; a linked worktree has its
        own: .git/worktrees/X)."""
        return self._own_dir

    def plain(self, *args: str, input: bytes | None = None) -> tuple[int, bytes]:
        """Run git without GitPython (the fast paths): (exit code, stdout bytes)."""
        proc = subprocess.run(["git", *args], cwd=self._root or self._own_dir, input=input,
                              capture_output=True, env=read_env())
        return proc.returncode, proc.stdout

    def plain_text(self, *args: str) -> str:
        """Like `run`, without GitPython: stdout as text (one trailing newline removed)."""
        code, out = self.plain(*args)
        if code != 0:
            raise GitError(f"git {args[0]} failed (exit code {code})")
        return out.decode("utf-8").removesuffix("\n")

    @property
    def index_file(self) -> Path:
        return Path(os.environ.get("GIT_INDEX_FILE") or self._own_dir / "index")

    def run(self, *args: str, **kwargs: object) -> str:
        try:
            out: str = self.g.execute(["git", *args], **kwargs)
        except GitCommandError as exc:
            raise GitError(f"git {args[0]} failed: {_why(exc)}") from exc
        return out

    def identity(self) -> Identity:
        """Who is acting: git's own answer, so GIT_AUTHOR_* and config both count."""
        code, out = self.plain("var", "GIT_AUTHOR_IDENT")  # no GitPython: the hook asks this too
        if code != 0:
            raise RepoStateError(NO_IDENTITY)
        return _parse_ident(out)

    def has_head(self) -> bool:
        code, _ = self.plain("rev-parse", "--verify", "-q", "HEAD")
        return code == 0

    def ensure_ready_to_commit(self) -> None:
        """Refuse while a merge/rebase is under way or someone else's changes are staged."""
        gd = self._own_dir
        for marker, what in (("MERGE_HEAD", "a merge"), ("rebase-merge", "a rebase"),
                             ("rebase-apply", "a rebase"), ("CHERRY_PICK_HEAD", "a cherry-pick")):
            if (gd / marker).exists():
                raise RepoStateError(f"{what} is in progress: finish or abort it first")
        staged = self.staged_paths()
        if staged:
            raise RepoStateError(f"other changes are staged ({', '.join(staged[:3])}"
                                 f"{'…' if len(staged) > 3 else ''}): commit or unstage them first")

    def staged_paths(self) -> list[str]:
        out = self.run("diff", "--cached", "--name-only", "-z") if self.has_head() else \
            self.run("ls-files", "-z", "--cached")
        return [p for p in out.split("\0") if p]

    def staged_changes(self) -> list[Change]:
        """What the commit being made changes (pre-commit): staged blobs, not the working tree."""
        base = "HEAD" if self.has_head() else self.empty_tree()
        out = self.plain_text("diff-index", "--cached", "-z", "--no-renames", "--raw", base)
        return list(_parse_raw(out))

    def empty_tree(self) -> str:
        return self.plain_text("hash-object", "-t", "tree", "/dev/null")

    def commit_changes(self, sha: str) -> list[Change]:
        """Files a commit changes against its first parent (all files for a root commit)."""
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--raw", "--root",
                       "--no-commit-id", "-m", "--first-parent", sha)
        return list(_parse_raw(out))

    def introduced_changes(self, sha: str) -> list[Change]:
        """What a commit itself changes. For a merge: only what differs from *every* parent —
        taking one side's version as it was is no change (that side's commits are checked)."""
        parents = [p.hexsha for p in self.repo.commit(sha).parents]  # no process per commit
        if len(parents) <= 1:
            return self.commit_changes(sha)
        changes = self.changes_between(parents[0], sha)
        for other in parents[1:]:
            differs = {c.path for c in self.changes_between(other, sha)}
            changes = [c for c in changes if c.path in differs]
        return changes

    def rev_list(self, new: str, exclude: list[str]) -> list[str]:
        args = ["rev-list", "--reverse", new, *[f"^{e}" for e in exclude]]
        return [line for line in self.run(*args).splitlines() if line]

    def commit_metas(self, revs: list[str], allowed_signers: Path | None = None) -> list[CommitMeta]:
        """Parents, author, committer (and, given an allowed-signers file, the SSH signature
        check) of every commit `git log revs` lists, oldest first, in one git process."""
        fields = "%H%x1f%P%x1f%an%x1f%ae%x1f%cn%x1f%ce"
        config: list[str] = []
        if allowed_signers is not None:
            fields += "%x1f%G?%x1f%GS%x1f%GK"
            config = ["-c", "gpg.format=ssh", "-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"]
        out = self.run(*config, "log", "--reverse", f"--format={fields}%x1e", *revs, "--")
        metas = []
        for rec in out.split("\x1e"):
            parts = rec.strip("\n").split("\x1f")
            if len(parts) < 6:
                continue
            sig = (parts[6:9] + ["", "", ""])[:3]
            metas.append(CommitMeta(parts[0], tuple(parts[1].split()), Identity(parts[2], parts[3]),
                                    Identity(parts[4], parts[5]), *sig))
        return metas

    def merge_base_octopus(self, shas: tuple[str, ...]) -> str | None:
        """The best common ancestor of all these commits, None if they share no history."""
        code, out = self.attempt("merge-base", "--octopus", *shas)
        return out.split()[0] if code == 0 and out else None

    def rev_list_not_all(self, new: str) -> list[str]:
        """Commits reachable from `new` and from no existing ref (a new branch's push)."""
        out = self.run("rev-list", "--reverse", new, "--not", "--all")
        return [line for line in out.splitlines() if line]

    def is_ancestor(self, old: str, new: str) -> bool:
        try:
            self.g.merge_base("--is-ancestor", old, new)
        except GitCommandError:
            return False
        return True

    def blob(self, sha: str) -> bytes:
        """A blob's bytes (decoding is the reader's: a case file that is not UTF-8 is a finding,
        not a crash), through GitPython's persistent `git cat-file --batch` once GitPython is
        loaded (many blobs: the server's hook); else one `git cat-file` (a hook judging a few
        files does not load GitPython at all)."""
        if self._repo is None:
            code, out = self.plain("cat-file", "blob", sha)
            if code != 0:
                raise GitError(f"cannot read blob {sha}")
            return out
        try:
            data: bytes = self.repo.odb.stream(bytes.fromhex(sha)).read()
        except (ValueError, GitCommandError) as exc:
            raise GitError(f"cannot read blob {sha}: {exc}") from exc
        return data

    def blob_bytes(self, sha: str) -> bytes:
        """A blob's bytes (a kept original: any file, not only text); the same as `blob`."""
        return self.blob(sha)

    def move(self, src: str, dst: str) -> None:
        """`git mv` (sync: a renumbered case's materials folder goes with it)."""
        self.run("mv", "--", src, dst)

    def show(self, rev: str, path: str) -> str | None:
        """A file's content at a revision (`:` alone means the index), or None if absent."""
        spec = f"{rev}:{path}" if rev != ":" else f":{path}"
        code, out = self.plain("show", spec)
        # Undecodable bytes survive as U+DC80..U+DCFF for the reader to name (not a crash here).
        return out.decode("utf-8", "surrogateescape") if code == 0 else None

    def file_at(self, sha: str, path: str) -> str | None:
        """A file's text in a commit, through the persistent cat-file (no process per call)."""
        try:
            blob = self.repo.commit(sha).tree[path]
        except KeyError:
            return None
        except (ValueError, GitCommandError) as exc:
            raise GitError(f"cannot read {path} at {sha[:10]}: {exc}") from exc
        data: bytes = blob.data_stream.read()
        # Undecodable bytes survive as U+DC80..U+DCFF for the reader to name (not a crash here).
        return data.decode("utf-8", "surrogateescape")

    def object_format(self) -> str:
        """sha1 or sha256: how this repository names its objects."""
        with self.repo.config_reader() as config:
            return str(config.get_value("extensions", "objectformat", "sha1")).lower()

    def blob_id_at(self, sha: str, path: str) -> str | None:
        try:
            return str(self.repo.commit(sha).tree[path].hexsha)
        except KeyError:
            return None
        except (ValueError, GitCommandError) as exc:
            raise GitError(f"cannot read {path} at {sha[:10]}: {exc}") from exc

    def commit_paths(self, paths: list[str], message: str, index: Path) -> str:
        """Stage `paths` in the index file `index` (not the real one) and `git commit` it: the
        office's pre-commit hooks run as for any commit; the real index is not touched."""
        env = {"GIT_INDEX_FILE": str(index)}
        with _nul_file(paths) as pathspec, _nul_file([message], nul=False) as msg:
            self.run_locked("add", f"--pathspec-from-file={pathspec}", "--pathspec-file-nul", env=env)
            self.run_locked("commit", "-q", "-F", msg, env=env)
        return self.run("rev-parse", "HEAD")

    def refresh_index(self, paths: list[str]) -> None:
        """The real index takes HEAD's version of `paths` (after a commit made elsewhere)."""
        with _nul_file(paths) as pathspec:
            self.run_locked("reset", "-q", f"--pathspec-from-file={pathspec}", "--pathspec-file-nul", "HEAD")

    def run_locked(self, *args: str, env: dict[str, str] | None = None, wait: float | None = None) -> str:
        """Run a git command that takes one of git's locks (index.lock, HEAD.lock): someone's
        own `git status` may hold it for a moment, so wait and retry, within a bound."""
        wait = float(os.environ.get("COMPLAINTCTL_GIT_LOCK_WAIT") or LOCK_WAIT) if wait is None else wait
        deadline = time.monotonic() + wait
        delay = 0.02
        while True:
            code, out = self.attempt(*args, env=env)
            if code == 0:
                return out
            lock = _held_lock(out)
            if lock is None:
                raise GitError(f"git {args[0]} failed: {' '.join(out.split())[:400] or f'exit code {code}'}")
            if time.monotonic() > deadline:
                raise RepoStateError(f"git {args[0]}: {lock} stayed locked for {wait:.0f} s — another git "
                                     "process is working in this clone (if none is, one was killed: remove "
                                     "that file); nothing was changed by complaintctl")
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def commit_author(self, sha: str) -> Identity:
        out = self.run("show", "-s", "--format=%an%x00%ae", sha)
        name, _, email = out.partition("\0")
        return Identity(name, email)

    def add_and_commit(self, paths: list[str], message: str) -> str:
        # Paths and message go through files: a sweep may stage thousands of cases, more than
        # an argument list can hold.
        with _nul_file(paths) as pathspec, _nul_file([message], nul=False) as msg:
            self.run_locked("add", f"--pathspec-from-file={pathspec}", "--pathspec-file-nul")
            self.run_locked("commit", "-q", "-F", msg)
        return self.run("rev-parse", "HEAD")

    def commit_folder(self, folder: str, message: str, verify: bool = True) -> str | None:
        """Stage everything below `folder` (new, changed, deleted) with git's own `git add`,
        fast on large trees, and commit; None if that changes nothing."""
        self.run_locked("add", "-A", "--", folder)
        if not self.staged_paths():
            return None
        self.run_locked("commit", "-q", *([] if verify else ["--no-verify"]), "-m", message)
        return self.run("rev-parse", "HEAD")

    def unstage(self, paths: list[str]) -> None:
        with _nul_file(paths) as pathspec:
            spec = (f"--pathspec-from-file={pathspec}", "--pathspec-file-nul")
            if self.has_head():
                self.run_locked("reset", "-q", *spec, "HEAD")
            else:
                self.run_locked("rm", "-q", "-r", "--cached", "--ignore-unmatch", *spec)

    def ls_blobs(self, prefix: str, *more: str) -> dict[str, str]:
        """path -> blob sha of every file in the index below `prefix` (one fast call)."""
        out = self.run("ls-files", "-s", "-z", "--", prefix, *more)
        blobs: dict[str, str] = {}
        for rec in out.split("\0"):
            if rec:
                meta, _, path = rec.partition("\t")
                blobs[path] = meta.split()[1]
        return blobs

    def dirty_paths(self, prefix: str, *more: str) -> list[str]:
        """Files below `prefix` whose working copy differs from the index, or are untracked."""
        out = self.run("status", "--porcelain", "-z", "--untracked-files=all", "--", prefix, *more)
        paths = []
        for rec in out.split("\0"):
            if len(rec) > 3 and (rec[1] != " " or rec.startswith("??")):
                paths.append(rec[3:])
        return paths

    def log(self, path: str, rev: str = "HEAD") -> Iterator[LogEntry]:
        """The commits that changed `path` in `rev`'s history, newest first (git's default
        simplification: a merge that took one side's version follows that side only)."""
        fmt = "%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%b%x1e"
        out = self.run(*LOW_MEMORY, "log", f"--format={fmt}", rev, "--", path)
        for rec in out.split("\x1e"):
            rec = rec.strip("\n")
            if rec:
                sha, an, ae, when, subject, body = rec.split("\x1f")
                yield LogEntry(sha, an, ae, when, subject, body.strip())

    def get_config(self, key: str) -> str | None:
        code, raw = self.plain("config", "--get", key)
        out = raw.decode("utf-8").strip()
        if code not in (0, 1):
            raise GitError(f"git config --get {key} failed (exit code {code})")
        return out if code == 0 and out else None

    def case_commits(self, prefix: str = "cases", rev: str = "HEAD") -> Iterator[CaseCommit]:
        """Every commit below `prefix` that names a case, in one `git log` pass (for reports);
        `rev` may be a range (`A..B`: the read index adds what is new since it last looked)."""
        if not self.has_head():
            return
        fmt = ("%H%x1f%an%x1f%ae%x1f%aI%x1f%(trailers:key=Case,valueonly,separator=%x2C)"
               "%x1f%(trailers:key=Action,valueonly,separator=%x2C)%x1e")
        out = self.run(*LOW_MEMORY, "log", f"--format={fmt}", rev, "--", prefix)
        for rec in out.split("\x1e"):
            parts = rec.strip("\n").split("\x1f")
            if len(parts) != 6 or not parts[4].strip():
                continue
            sha, an, ae, when, case, action = (p.strip() for p in parts)
            for cid in case.split(","):
                yield CaseCommit(sha, an, ae, when, cid.strip(), action.split(",")[0].strip())

    def set_config(self, key: str, value: str) -> None:
        self.run("config", key, value)

    def get_config_local(self, key: str) -> str | None:
        """This repository's own setting (.git/config), not the user's or the system's."""
        code, out = self.attempt("config", "--local", "--get", key)
        if code not in (0, 1):
            raise GitError(f"git config --local --get {key} failed: {out[:300]}")
        return out if code == 0 and out else None

    def unset_config_local(self, key: str) -> None:
        code, out = self.attempt("config", "--local", "--unset-all", key)
        if code not in (0, 5):  # 5: it was not set
            raise GitError(f"git config --local --unset-all {key} failed: {out[:300]}")


    # --- sync: fetch, integrate, push (complaintctl.sync) ---------------------------------

    def attempt(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        """Run git where failure is an expected outcome: (exit code, stdout+stderr)."""
        status, out, err = self.g.execute(["git", *args], with_extended_output=True,
                                          with_exceptions=False, env=env)
        return int(status or 0), "\n".join(x for x in (out, err) if x).strip()

    def remote_url(self, remote: str) -> str | None:
        code, out = self.attempt("remote", "get-url", remote)
        return out if code == 0 else None

    def fetch(self, remote: str, branch: str) -> bool:
        """Fetch one branch into its remote-tracking ref; False if the remote has no such branch."""
        code, out = self.attempt("fetch", "-q", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        if code == 0:
            return True
        missing, _ = self.attempt("ls-remote", "--exit-code", "--heads", remote, f"refs/heads/{branch}")
        if missing == 2:  # reachable, but the branch does not exist yet (a new shared repository)
            return False
        raise GitError(f"git fetch {remote} failed: {' '.join(out.split())[:300]}")

    def rev_parse(self, rev: str) -> str | None:
        code, out = self.attempt("rev-parse", "-q", "--verify", f"{rev}^{{commit}}")
        return out if code == 0 else None

    def merge_base(self, a: str, b: str) -> str | None:
        code, out = self.attempt("merge-base", a, b)
        return out if code == 0 else None

    def paths_in(self, rev: str, prefix: str) -> list[str]:
        out = self.run("ls-tree", "-r", "-z", "--name-only", rev, "--", prefix)
        return [p for p in out.split("\0") if p]

    def changes_between(self, old: str, new: str) -> list[Change]:
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--raw", old, new)
        return list(_parse_raw(out))

    def parents(self, sha: str) -> list[str]:
        return self.run("rev-list", "--parents", "-n", "1", sha).split()[1:]

    def files_containing(self, text: str, prefix: str) -> list[str]:
        code, out = self.attempt("grep", "-l", "-z", "-F", "-e", text, "--", prefix)
        if code not in (0, 1):
            raise GitError(f"git grep failed: {out[:300]}")
        return [p for p in out.split("\0") if p.strip()] if code == 0 else []

    def remove(self, paths: list[str]) -> None:
        self.run("rm", "-q", "--", *paths)

    def commit_staged(self, message: str) -> str:
        self.run("commit", "-q", "-m", message)
        return self.run("rev-parse", "HEAD")

    def fast_forward(self, sha: str) -> None:
        self.run("merge", "-q", "--ff-only", sha)

    def rebase_onto(self, upstream: str) -> bool:
        """Replay local commits on `upstream`; on a conflict abort (clean again) and say False."""
        code, _ = self.attempt("rebase", "-q", upstream, env={**os.environ, "GIT_EDITOR": "true"})
        if code == 0:
            return True
        self.abort_integration()
        return False

    def conflicting_paths(self, ours: str, theirs: str) -> list[str]:
        """Paths both sides changed since their merge base (what a rebase/merge trips on)."""
        base = self.merge_base(ours, theirs)
        if base is None:
            return []
        mine = {c.path for c in self.changes_between(base, ours)}
        return sorted(c.path for c in self.changes_between(base, theirs) if c.path in mine)

    def abort_integration(self) -> None:
        gd = self._own_dir
        if (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists():
            self.run("rebase", "--abort")
        if (gd / "MERGE_HEAD").exists():
            self.run("merge", "--abort")

    def create_branch(self, name: str, sha: str) -> None:
        self.run("branch", name, sha)

    def reset_hard(self, rev: str) -> None:
        """Move the branch and work tree to `rev` (notify: drop its own unpushed commit to redo it)."""
        self.run("reset", "-q", "--hard", rev)

    def delete_branches_at(self, prefix: str, sha: str) -> None:
        """Delete the branches under `prefix` that point at `sha` (and no others)."""
        out = self.run("for-each-ref", "--format=%(refname:short)", f"--points-at={sha}", f"refs/heads/{prefix}")
        for name in out.split():
            self.run("branch", "-q", "-D", name)

    def current_branch(self) -> str | None:
        code, out = self.attempt("symbolic-ref", "-q", "--short", "HEAD")
        return out if code == 0 else None

    def push(self, remote: str, branch: str) -> tuple[bool, str]:
        """Push HEAD to the remote branch (never forced): (accepted, git's and the hook's output)."""
        code, out = self.attempt("push", "--porcelain", remote, f"HEAD:refs/heads/{branch}")
        return code == 0, out

    # --- sync: merging case by case, setting work aside (issue 11 §4) -----------------------

    def write_blob(self, text: str) -> str:
        with _nul_file([text], nul=False) as name:
            return self.run("hash-object", "-w", "--no-filters", "--", name)

    def tree_entries(self, rev: str, paths: list[str]) -> dict[str, tuple[str, str]]:
        """path -> (mode, blob) at `rev`, for those of `paths` that exist there."""
        if not paths:
            return {}
        out = self.run("ls-tree", "-z", rev, "--", *paths)
        found = {}
        for rec in out.split("\0"):
            if rec:
                meta, path = rec.split("\t", 1)
                mode, _, blob = meta.split(" ")
                found[path] = (mode, blob)
        return found

    def tree_with(self, rev: str, files: Mapping[str, tuple[str, str] | None]) -> str:
        """`rev`'s tree with some files set to (mode, blob) or removed (None), built in a scratch
        index: the work tree and the real index are not touched."""
        fd, index = tempfile.mkstemp(prefix="complaintctl-index-")
        os.close(fd)
        os.unlink(index)  # git wants to create it
        env = {"GIT_INDEX_FILE": index}
        try:
            self._run_env(env, "read-tree", rev)
            lines = [f"0 {ZERO}\t{path}\n" if entry is None else f"{entry[0]} {entry[1]}\t{path}\n"
                     for path, entry in files.items()]
            if lines:
                with _nul_file(lines, nul=False) as name, open(name, encoding="utf-8") as fh:
                    self._run_env(env, "update-index", "--index-info", istream=fh)
            return self._run_env(env, "write-tree")
        finally:
            if os.path.exists(index):
                os.unlink(index)

    def tree_of(self, rev: str) -> str:
        return self.run("rev-parse", f"{rev}^{{tree}}")

    def commit_tree(self, tree: str, parents: list[str], message: str, like: str | None = None,
                    author: Identity | None = None) -> str:
        """A commit object (no hooks run, no ref moves): authored as `author`, or — `like` —
        with another commit's author and committer, names and dates (a rewrite of it)."""
        env: dict[str, str] = {}
        if like is not None:
            fields = self.run("log", "-1", "--format=%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI", like).split("\0")
            keys = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME",
                    "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE")
            env.update(zip(keys, fields, strict=True))
        elif author is not None:
            env.update(GIT_AUTHOR_NAME=author.name, GIT_AUTHOR_EMAIL=author.email)
        args = [x for p in parents for x in ("-p", p)]
        # commit-tree ignores commit.gpgSign: sign as `git commit` would (signing: required, issue 11 §3).
        if (self.get_config("commit.gpgsign") or "").strip().lower() in ("true", "yes", "on", "1"):
            args.append("-S")
        with _nul_file([message], nul=False) as name:
            return self._run_env(env, "commit-tree", tree, *args, "-F", name)

    def message(self, sha: str) -> str:
        return self.run("log", "-1", "--format=%B", sha, strip_newline_in_stdout=False)

    def unpushed(self, ours: str, theirs: str | None) -> list[tuple[str, tuple[str, ...]]]:
        """(commit, parents) of every commit in `ours` and not in `theirs`, parents first."""
        args = ["rev-list", "--reverse", "--topo-order", "--parents", ours] + ([f"^{theirs}"] if theirs else [])
        return [(line.split()[0], tuple(line.split()[1:])) for line in self.run(*args).splitlines() if line]

    def merges_between(self, ours: str, theirs: str) -> int:
        """How many merge commits `ours` has that `theirs` has not."""
        return int(self.run("rev-list", "--merges", "--count", ours, f"^{theirs}"))

    def reset_keep(self, sha: str) -> None:
        """Move the branch to `sha`, keeping local changes git does not have to touch."""
        self.run("reset", "-q", "--keep", sha)

    def renumber_commits(self, rev: str = "HEAD") -> list[tuple[str, str, str]]:
        """(commit, old ID, new ID) of every renumbering in `rev`'s history (Renumbered-From/To
        trailers), newest first; `rev` may be a range, as for `case_commits`."""
        if not self.has_head():
            return []
        fmt = "%H%x1f%(trailers:key=Renumbered-From,valueonly)%x1f%(trailers:key=Renumbered-To,valueonly)%x1e"
        out = self.run(*LOW_MEMORY, "log", "-i", "--grep=^Renumbered-From:", f"--format={fmt}", rev, "--", "cases")
        found = []
        for rec in out.split("\x1e"):
            parts = [p.strip() for p in rec.strip("\n").split("\x1f")]
            if len(parts) == 3 and parts[1] and parts[2]:
                found.append((parts[0], parts[1].split()[0], parts[2].split()[0]))
        return found

    def rev_list_path(self, rev: str, path: str) -> list[str]:
        """Commits in `rev`'s history that changed `path` (git's default simplification)."""
        return [line for line in self.run(*LOW_MEMORY, "rev-list", rev, "--", path).splitlines() if line]

    def _run_env(self, env: dict[str, str], *args: str, istream: object = None) -> str:
        try:
            out: str = self.g.execute(["git", *args], env={**os.environ, **env}, istream=istream)
        except GitCommandError as exc:
            raise GitError(f"git {args[0]} failed: {_why(exc)}") from exc
        return out


@contextmanager
def _nul_file(items: list[str], nul: bool = True) -> Iterator[str]:
    """A temporary file holding `items` (NUL-separated pathspecs, or one message as is)."""
    fd, name = tempfile.mkstemp(prefix="complaintctl-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\0".join(items) if nul else "".join(items))
        yield name
    finally:
        os.unlink(name)


def blob_id(data: bytes | str, object_format: str = "sha1") -> str:
    """Git's object id of a blob with this content (no git process needed)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    digest = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return digest(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def _held_lock(output: str) -> str | None:
    """The lock file git could not take, if that is why it failed."""
    m = _LOCK_FILE.search(output)
    if m is not None:
        return m[1]
    m = _LOCK_REF.search(output)
    return f"the ref {m[1]}" if m is not None else None


def _parse_raw(out: str) -> Iterator[Change]:
    parts = out.split("\0")
    i = 0
    while i + 1 < len(parts):
        meta, path = parts[i], parts[i + 1]
        i += 2
        if not meta.startswith(":"):
            continue
        _, mode, old, new, status = meta[1:].split(" ")
        yield Change(status[0], path, old, new, mode)


def _why(exc: GitCommandError) -> str:
    text = (exc.stderr or exc.stdout or str(exc)).strip()
    text = text.removeprefix("stderr: ").strip("'\" \n")
    return " ".join(text.split())[:300] or f"exit code {exc.status}"


NO_IDENTITY = ("no git identity: run `git config user.name \"Your Name\"` and "
               "`git config user.email you@example.com`")


def _parse_ident(out: bytes) -> Identity:
    ident = out.decode("utf-8", errors="replace").strip()
    name_email = ident.rsplit(" ", 2)[0]
    name, _, email = name_email.partition(" <")
    return Identity(name.strip(), email.rstrip(">").strip())


def identity_at(path: Path) -> Identity:
    """Who git would record as author and committer of a commit in `path` — a repository, or
    one not made yet (then as its new .git would resolve config: global, system, includeIf,
    GIT_AUTHOR_*/GIT_COMMITTER_*). Asked before anything is created (issue 13, item 11)."""
    env = read_env()
    if (path / ".git").exists():
        cwd = path
    else:  # a git dir that does not exist yet: no enclosing repository's config counts
        env["GIT_DIR"] = str(path / ".git")
        cwd = next((p for p in (path, *path.parents) if p.is_dir()), Path.cwd())
    found = None
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        proc = subprocess.run(["git", "var", var], cwd=cwd, capture_output=True, env=env, timeout=60)
        if proc.returncode != 0:
            raise RepoStateError(NO_IDENTITY + " (or set them with --global), then run it again")
        found = found or _parse_ident(proc.stdout)
    assert found is not None
    return found


def read_env() -> dict[str, str]:
    """Our reads never take index.lock (GIT_OPTIONAL_LOCKS=0), as `Git.g` sets for GitPython."""
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}


def clean_env() -> dict[str, str]:
    """Environment for a git child in *another* repository, started from inside a hook."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
