"""Reading git's objects: blobs, trees, what a commit or the staging area changes.

GitPython earns its place here, and only here: many small object reads in one run (the
server's hook reads every pushed commit's parents, trees and blobs) go through its one
persistent `git cat-file --batch`, where a process per object would cost more than the
check. It is imported on first such read (~90 ms); a one-case command, the pre-commit hook
and the read index never load it: they ask the runner (one `git cat-file`, `git show`…)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from complaintctl.errors import GitError
from complaintctl.repo.git.runner import Runner, nul_file

if TYPE_CHECKING:
    import git


@dataclass(frozen=True)
class Change:
    """One file changed by a commit (`git diff-tree --raw`)."""

    status: str  # A, M, D, T
    path: str
    old_blob: str
    new_blob: str
    new_mode: str = "100644"  # 120000: a symlink, 160000: a submodule, 000000: deleted


def _gitpython() -> Any:
    import git as gitpython

    return gitpython


def _object_errors() -> tuple[type[BaseException], ...]:
    from git.exc import GitCommandError

    return (ValueError, GitCommandError)


class Objects(Runner):
    """The object reads of `Git` (a part of it; see repo/git/__init__.py)."""

    _repo: git.Repo | None
    _object_format: str | None

    @property
    def repo(self) -> git.Repo:
        """GitPython's repository: its persistent cat-file, for many object reads."""
        if self._repo is None:
            self._repo = _gitpython().Repo(self._root or self._own_dir)
        return self._repo

    def object_format(self) -> str:
        """sha1 or sha256: how this repository names its objects (git's own answer from its
        config's extensions.objectFormat; no GitPython for one value)."""
        known = self._object_format
        if known is None:
            known = self.plain_text("rev-parse", "--show-object-format").strip().lower() or "sha1"
            self._object_format = known
        return known

    def empty_tree(self) -> str:
        return self.plain_text("hash-object", "-t", "tree", "/dev/null")

    def staged_changes(self) -> list[Change]:
        """What the commit being made changes (pre-commit): staged blobs, not the working tree."""
        base = "HEAD" if self.has_head() else self.empty_tree()
        out = self.plain_text("diff-index", "--cached", "-z", "--no-renames", "--raw", base)
        return list(_parse_raw(out))

    def commit_changes(self, sha: str) -> list[Change]:
        """Files a commit changes against its first parent (all files for a root commit)."""
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--raw", "--root",
                       "--no-commit-id", "-m", "--first-parent", sha)
        return list(_parse_raw(out))

    def changes_between(self, old: str, new: str) -> list[Change]:
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--raw", old, new)
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

    def blob(self, sha: str) -> bytes:
        """A blob's bytes (decoding is the reader's: a case file that is not UTF-8 is a finding,
        not a crash), through GitPython's persistent `git cat-file --batch` once GitPython is
        loaded (many blobs: the server's hook); else one `git cat-file` (a hook judging a few
        files does not load GitPython at all)."""
        if self._repo is None:
            code, out = self.plain("cat-file", "blob", sha, ok=None)
            if code != 0:
                raise GitError(f"cannot read blob {sha}")
            return out
        try:
            data: bytes = self.repo.odb.stream(bytes.fromhex(sha)).read()
        except _object_errors() as exc:
            raise GitError(f"cannot read blob {sha}: {exc}") from exc
        return data

    def blob_bytes(self, sha: str) -> bytes:
        """A blob's bytes (a kept original: any file, not only text); the same as `blob`."""
        return self.blob(sha)

    def show(self, rev: str, path: str) -> str | None:
        """A file's content at a revision (`:` alone means the index), or None if absent there.
        One `git cat-file --batch`, which says "missing" for an absent file and fails only when
        git itself does."""
        spec = f"{rev}:{path}" if rev != ":" else f":{path}"
        if "\n" in spec:  # cannot be named on cat-file's input; `git show` fails (128) when absent
            code, raw = self.plain("show", spec, ok=(0, 128))
            return raw.decode("utf-8", "surrogateescape") if code == 0 else None
        ((_, data, _),) = self.cat_file_batch([spec])  # read to the end: git's status is checked there
        return data.decode("utf-8", "surrogateescape") if data is not None else None

    def file_at(self, sha: str, path: str) -> str | None:
        """A file's text in a commit, through the persistent cat-file (no process per call)."""
        try:
            blob = self.repo.commit(sha).tree[path]
        except KeyError:
            return None
        except _object_errors() as exc:
            raise GitError(f"cannot read {path} at {sha[:10]}: {exc}") from exc
        data: bytes = blob.data_stream.read()
        # Undecodable bytes survive as U+DC80..U+DCFF for the reader to name (not a crash here).
        return data.decode("utf-8", "surrogateescape")

    def blob_id_at(self, sha: str, path: str) -> str | None:
        try:
            return str(self.repo.commit(sha).tree[path].hexsha)
        except KeyError:
            return None
        except _object_errors() as exc:
            raise GitError(f"cannot read {path} at {sha[:10]}: {exc}") from exc

    def ls_blobs(self, prefix: str, *more: str) -> dict[str, str]:
        """path -> blob sha of every file in the index below `prefix` (one fast call)."""
        out = self.run("ls-files", "-s", "-z", "--", prefix, *more)
        blobs: dict[str, str] = {}
        for rec in out.split("\0"):
            if rec:
                meta, _, path = rec.partition("\t")
                blobs[path] = meta.split()[1]
        return blobs

    def paths_in(self, rev: str, prefix: str) -> list[str]:
        out = self.run("ls-tree", "-r", "-z", "--name-only", rev, "--", prefix)
        return [p for p in out.split("\0") if p]

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

    def tree_of(self, rev: str) -> str:
        return self.run("rev-parse", f"{rev}^{{tree}}")

    def write_blob(self, content: str) -> str:
        with nul_file([content], nul=False) as name:
            return self.run("hash-object", "-w", "--no-filters", "--", name)


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
