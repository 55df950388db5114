"""All git access: one typed `Git` per repository, and nothing else in complaintctl runs git.

- `runner.py` starts every git process and checks its exit status (a failure is a
  `GitError` with git's own words); config, the retry on git's own locks, the streams
  (`cat-file --batch`, `fast-import`);
- `history.py`: commits, authors and trailers (`Case:`, `Action:`, `Renumbered-*`), ancestry;
- `objects.py`: blobs, trees, what a commit or the staging area changes. GitPython is used
  there only — its persistent `git cat-file --batch` for the many object reads of the
  server's hook (commit parents, a file in a commit's tree); it is imported on first use;
- `branches.py`: fetch, push, rebase, resets, commits built without the work tree;
- `notes.py`: the witness's stamps (git notes under refs/notes/complaintctl/);
- here: opening, creating and cloning a repository; the work tree: staging and committing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from complaintctl.errors import GitError, RepoStateError
from complaintctl.model.identity import Identity
from complaintctl.repo.git.branches import Branches
from complaintctl.repo.git.history import CaseCommit, CommitMeta, History, LogEntry
from complaintctl.repo.git.notes import Notes
from complaintctl.repo.git.objects import Change
from complaintctl.repo.git.runner import LOW_MEMORY, ZERO, clean_env, git, nul_file, read_env

__all__ = ["LOW_MEMORY", "ZERO", "CaseCommit", "Change", "CommitMeta", "Git", "Identity", "LogEntry", "blob_id",
           "clean_env", "identity_at", "read_env"]


class Git(History, Branches, Notes):
    """A small typed face over one repository."""

    def __init__(self, *, where: tuple[Path | None, Path, Path]) -> None:
        """From `where` = (work tree or None if bare, git dir, common git dir), as `open` finds it."""
        self._root, self._own_dir, self._common_dir = where
        self._repo = None
        self._object_format: str | None = None  # known from `open`, else asked once
        self._identity: Identity | None = None

    @classmethod
    def open(cls, path: Path) -> Git:
        # One `git rev-parse`, no GitPython: a one-case command opens the repository in ~3 ms,
        # and knows how it names objects (a commit's journal and vouch token need it).
        code, raw = git("-C", str(path), "rev-parse", "--path-format=absolute", "--git-common-dir",
                        "--absolute-git-dir", "--is-bare-repository", "--show-object-format", "--show-toplevel",
                        ok=None)
        lines = raw.decode("utf-8", "surrogateescape").splitlines()
        # a bare repository has no top level: rev-parse says so and fails, after the rest
        if len(lines) < 4 or (code != 0 and lines[2] != "true"):
            raise RepoStateError(f"{path}: not a git repository — run `complaintctl init` to create "
                                 "a case repository")
        root = Path(lines[4]) if lines[2] != "true" and len(lines) > 4 else None
        opened = cls(where=(root, Path(lines[1]), Path(lines[0])))
        opened._object_format = lines[3].strip().lower() or "sha1"
        return opened

    @classmethod
    def init(cls, path: Path) -> Git:
        path.mkdir(parents=True, exist_ok=True)
        try:
            git("init", "-q", "--initial-branch=main", cwd=path)
        except GitError as exc:
            raise GitError(f"git init {path} failed: {str(exc).removeprefix('git init failed: ')}") from exc
        return cls.open(path)

    @classmethod
    def clone(cls, url: str, dest: Path) -> Git:
        try:
            git("clone", "-q", "--", url, str(dest))
        except GitError as exc:
            raise GitError(f"git clone {url} failed: {str(exc).removeprefix('git clone failed: ')}") from exc
        return cls.open(dest)

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

    @property
    def index_file(self) -> Path:
        return Path(os.environ.get("GIT_INDEX_FILE") or self._own_dir / "index")

    def identity(self) -> Identity:
        """Who is acting: git's own answer, so GIT_AUTHOR_* and config both count (asked once
        per command: a command's steps and the vouch token it writes name the same person)."""
        if self._identity is None:
            code, out = self.plain("var", "GIT_AUTHOR_IDENT", ok=None)  # the hook asks this too
            if code != 0:
                raise RepoStateError(NO_IDENTITY)
            self._identity = _parse_ident(out)
        return self._identity

    # --- the work tree: staging and committing ------------------------------------------------

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
        # before the first commit git compares the index with the empty tree: everything staged
        out = self.run("diff", "--cached", "--name-only", "-z")
        return [p for p in out.split("\0") if p]

    def dirty_paths(self, prefix: str, *more: str) -> list[str]:
        """Files below `prefix` whose working copy differs from the index, or are untracked."""
        out = self.run("status", "--porcelain", "-z", "--untracked-files=all", "--", prefix, *more)
        paths = []
        for rec in out.split("\0"):
            if len(rec) > 3 and (rec[1] != " " or rec.startswith("??")):
                paths.append(rec[3:])
        return paths

    def commit_paths(self, paths: list[str], message: str, index: Path) -> str:
        """Stage `paths` in the index file `index` (not the real one) and `git commit` it: the
        office's pre-commit hooks run as for any commit; the real index is not touched."""
        env = {"GIT_INDEX_FILE": str(index)}
        with nul_file(paths) as pathspec, nul_file([message], nul=False) as msg:
            self.run_locked("add", f"--pathspec-from-file={pathspec}", "--pathspec-file-nul", env=env)
            self.run_locked("commit", "-q", "-F", msg, env=env)
        return self.run("rev-parse", "HEAD")

    def refresh_index(self, paths: list[str]) -> None:
        """The real index takes HEAD's version of `paths` (after a commit made elsewhere)."""
        with nul_file(paths) as pathspec:
            self.run_locked("reset", "-q", f"--pathspec-from-file={pathspec}", "--pathspec-file-nul", "HEAD")

    def add_and_commit(self, paths: list[str], message: str) -> str:
        with nul_file(paths) as pathspec, nul_file([message], nul=False) as msg:
            self.run_locked("add", f"--pathspec-from-file={pathspec}", "--pathspec-file-nul")
            self.run_locked("commit", "-q", "-F", msg)
        return self.run("rev-parse", "HEAD")

    def commit_folder(self, folder: str, message: str, verify: bool = True,
                      env: Mapping[str, str] | None = None) -> str | None:
        """Stage everything below `folder` (new, changed, deleted) with git's own `git add`,
        fast on large trees, and commit (the hooks see `env`); None if that changes nothing."""
        self.run_locked("add", "-A", "--", folder)
        if not self.staged_paths():
            return None
        self.run_locked("commit", "-q", *([] if verify else ["--no-verify"]), "-m", message, env=env)
        return self.run("rev-parse", "HEAD")

    def commit_staged(self, message: str) -> str:
        self.run("commit", "-q", "-m", message)
        return self.run("rev-parse", "HEAD")

    def unstage(self, paths: list[str]) -> None:
        with nul_file(paths) as pathspec:
            spec = (f"--pathspec-from-file={pathspec}", "--pathspec-file-nul")
            if self.has_head():
                self.run_locked("reset", "-q", *spec, "HEAD")
            else:
                self.run_locked("rm", "-q", "-r", "--cached", "--ignore-unmatch", *spec)

    def move(self, src: str, dst: str) -> None:
        """`git mv` (sync: a renumbered case's materials folder goes with it)."""
        self.run("mv", "--", src, dst)

    def remove(self, paths: list[str]) -> None:
        self.run("rm", "-q", "--", *paths)


def blob_id(data: bytes | str, object_format: str = "sha1") -> str:
    """Git's object id of a blob with this content (no git process needed)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    digest = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return digest(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


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
    GIT_AUTHOR_*/GIT_COMMITTER_*). Asked before anything is created."""
    extra: dict[str, str] = {}
    if (path / ".git").exists():
        cwd = path
    else:  # a git dir that does not exist yet: no enclosing repository's config counts
        extra["GIT_DIR"] = str(path / ".git")
        cwd = next((p for p in (path, *path.parents) if p.is_dir()), Path.cwd())
    found = None
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        code, out = git("var", var, cwd=cwd, env=read_env(extra), ok=None)
        if code != 0:
            raise RepoStateError(NO_IDENTITY + " (or set them with --global), then run it again")
        found = found or _parse_ident(out)
    assert found is not None
    return found

