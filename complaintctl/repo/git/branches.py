"""Branches and remotes: fetch, push, rebase, fast-forward, resets — and commits built
without the work tree (a scratch index, `commit-tree`), what sync merges case by case with."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence

from complaintctl.errors import GitError
from complaintctl.model.identity import Identity
from complaintctl.repo.git.objects import Objects
from complaintctl.repo.git.runner import ZERO, nul_file


class Branches(Objects):
    """The branch and remote work of `Git` (a part of it; see repo/git/__init__.py)."""

    def remote_url(self, remote: str) -> str | None:
        code, out = self.plain("remote", "get-url", remote, ok=(0, 2))  # 2: no such remote
        return out.decode("utf-8", "surrogateescape").strip() if code == 0 else None

    def fetch(self, remote: str, branch: str, extra: Sequence[str] = ()) -> bool:
        """Fetch one branch into its remote-tracking ref (and the `extra` refspecs); False if the
        remote has no such branch."""
        code, out = self.attempt("fetch", "-q", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}",
                                 *extra)
        if code == 0:
            return True
        missing, _ = self.attempt("ls-remote", "--exit-code", "--heads", remote, f"refs/heads/{branch}")
        if missing == 2:  # reachable, but the branch does not exist yet (a new shared repository)
            return False
        raise GitError(f"git fetch {remote} failed: {' '.join(out.split())[:300]}")

    def add_fetch_refspec(self, remote: str, refspec: str) -> None:
        """Make every plain `git fetch` of `remote` bring `refspec` too (once)."""
        code, out = self.plain("config", "--get-all", f"remote.{remote}.fetch", ok=(0, 1))
        if refspec not in out.decode("utf-8", "replace").split():
            self.run("config", "--add", f"remote.{remote}.fetch", refspec)

    def push(self, remote: str, branch: str, extra: Sequence[str] = ()) -> tuple[bool, str]:
        """Push HEAD to the remote branch (never forced), with the `extra` refspecs atomically
        (all or none): (accepted, git's and the hook's output)."""
        code, out = self.attempt("push", "--porcelain", *(["--atomic"] if extra else []), remote,
                                 f"HEAD:refs/heads/{branch}", *extra)
        return code == 0, out

    def rev_parse(self, rev: str) -> str | None:
        code, out = self.plain("rev-parse", "-q", "--verify", f"{rev}^{{commit}}", ok=(0, 1))
        return out.decode().strip() if code == 0 else None

    def current_branch(self) -> str | None:
        code, out = self.plain("symbolic-ref", "-q", "--short", "HEAD", ok=(0, 1))  # 1: detached
        return out.decode("utf-8", "surrogateescape").strip() if code == 0 else None

    def create_branch(self, name: str, sha: str) -> None:
        self.run("branch", name, sha)

    def delete_branches_at(self, prefix: str, sha: str) -> None:
        """Delete the branches under `prefix` that point at `sha` (and no others)."""
        out = self.run("for-each-ref", "--format=%(refname:short)", f"--points-at={sha}", f"refs/heads/{prefix}")
        for name in out.split():
            self.run("branch", "-q", "-D", name)

    def fast_forward(self, sha: str) -> None:
        self.run("merge", "-q", "--ff-only", sha)

    def reset_hard(self, rev: str) -> None:
        """Move the branch and work tree to `rev` (notify: drop its own unpushed commit to redo it)."""
        self.run("reset", "-q", "--hard", rev)

    def reset_keep(self, sha: str) -> None:
        """Move the branch to `sha`, keeping local changes git does not have to touch."""
        self.run("reset", "-q", "--keep", sha)

    def rebase_onto(self, upstream: str) -> bool:
        """Replay local commits on `upstream`; on a conflict abort (clean again) and say False."""
        code, _ = self.attempt("rebase", "-q", upstream, env={"GIT_EDITOR": "true"})
        if code == 0:
            return True
        self.abort_integration()
        return False

    def abort_integration(self) -> None:
        gd = self._own_dir
        if (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists():
            self.run("rebase", "--abort")
        if (gd / "MERGE_HEAD").exists():
            self.run("merge", "--abort")

    def conflicting_paths(self, ours: str, theirs: str) -> list[str]:
        """Paths both sides changed since their merge base (what a rebase/merge trips on)."""
        code, out = self.plain("merge-base", ours, theirs, ok=(0, 1))
        if code != 0:
            return []
        base = out.decode().strip()
        mine = {c.path for c in self.changes_between(base, ours)}
        return sorted(c.path for c in self.changes_between(base, theirs) if c.path in mine)

    def files_containing(self, needle: str, prefix: str) -> list[str]:
        code, out = self.plain("grep", "-l", "-z", "-F", "-e", needle, "--", prefix, ok=(0, 1))  # 1: none
        return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p.strip()] if code == 0 else []

    def tree_with(self, rev: str, files: Mapping[str, tuple[str, str] | None]) -> str:
        """`rev`'s tree with some files set to (mode, blob) or removed (None), built in a scratch
        index: the work tree and the real index are not touched."""
        fd, index = tempfile.mkstemp(prefix="complaintctl-index-")
        os.close(fd)
        os.unlink(index)  # git wants to create it
        env = {"GIT_INDEX_FILE": index}
        try:
            self.run("read-tree", rev, env=env)
            lines = [f"0 {ZERO}\t{path}\n" if entry is None else f"{entry[0]} {entry[1]}\t{path}\n"
                     for path, entry in files.items()]
            if lines:
                self.run("update-index", "--index-info", env=env, input="".join(lines).encode("utf-8"))
            return self.run("write-tree", env=env)
        finally:
            if os.path.exists(index):
                os.unlink(index)

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
        # commit-tree ignores commit.gpgSign: sign as `git commit` would (an office that requires
        # signed commits refuses an unsigned rewrite at push)
        if (self.get_config("commit.gpgsign") or "").strip().lower() in ("true", "yes", "on", "1"):
            args.append("-S")
        with nul_file([message], nul=False) as name:
            return self.run("commit-tree", tree, *args, "-F", name, env=env)
