"""A repository's history: commits, their authors and trailers (`Case:`, `Action:`,
`Renumbered-From:`/`-To:`), ancestry. Each question is one `git log` / `git rev-list` pass
through the runner; nothing here reads objects one by one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from complaintctl.model.identity import Identity
from complaintctl.repo.git.runner import LOW_MEMORY, Runner


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


class History(Runner):
    """The history questions of `Git` (a part of it; see repo/git/__init__.py)."""

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

    def added_in(self, rev: str, path: str) -> str | None:
        """The last commit in `rev`'s history that added `path` (the version there began with it)."""
        out = self.run(*LOW_MEMORY, "log", "-1", "--diff-filter=A", "--format=%H", rev, "--", path).strip()
        return out or None

    def rev_list_path(self, rev: str, path: str) -> list[str]:
        """Commits in `rev`'s history that changed `path` (git's default simplification)."""
        return [line for line in self.run(*LOW_MEMORY, "rev-list", rev, "--", path).splitlines() if line]

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

    def commit_messages(self, revs: list[str]) -> dict[str, str]:
        """The full message of every commit `git log revs` lists, by commit id, in one git
        process (`-z`: a message may hold any line, so records end with NUL)."""
        out = self.run("log", "-z", "--format=%H%n%B", *revs, "--")
        messages = {}
        for rec in out.split("\0"):
            sha, _, message = rec.lstrip("\n").partition("\n")
            if sha:
                messages[sha] = message
        return messages

    def commit_author(self, sha: str) -> Identity:
        out = self.run("show", "-s", "--format=%an%x00%ae", sha)
        name, _, email = out.partition("\0")
        return Identity(name, email)

    def message(self, sha: str) -> str:
        return self.run("log", "-1", "--format=%B", sha, strip_newline_in_stdout=False)

    def rev_list(self, new: str, exclude: list[str]) -> list[str]:
        args = ["rev-list", "--reverse", new, *[f"^{e}" for e in exclude]]
        return [line for line in self.run(*args).splitlines() if line]

    def rev_list_not_all(self, new: str) -> list[str]:
        """Commits reachable from `new` and from no existing ref (a new branch's push)."""
        out = self.run("rev-list", "--reverse", new, "--not", "--all")
        return [line for line in out.splitlines() if line]

    def unpushed(self, ours: str, theirs: str | None) -> list[tuple[str, tuple[str, ...]]]:
        """(commit, parents) of every commit in `ours` and not in `theirs`, parents first."""
        args = ["rev-list", "--reverse", "--topo-order", "--parents", ours] + ([f"^{theirs}"] if theirs else [])
        return [(line.split()[0], tuple(line.split()[1:])) for line in self.run(*args).splitlines() if line]

    def merges_between(self, ours: str, theirs: str) -> int:
        """How many merge commits `ours` has that `theirs` has not."""
        return int(self.run("rev-list", "--merges", "--count", ours, f"^{theirs}"))

    def parents(self, sha: str) -> list[str]:
        return self.run("rev-list", "--parents", "-n", "1", sha).split()[1:]

    def is_ancestor(self, old: str, new: str) -> bool:
        # 1: not an ancestor; 128: git cannot resolve one of them (an object it does not
        # have), which is no ancestry either
        code, _ = self.plain("merge-base", "--is-ancestor", old, new, ok=(0, 1, 128))
        return code == 0

    def merge_base(self, a: str, b: str) -> str | None:
        """Their best common ancestor; None if they share no history."""
        code, out = self.plain("merge-base", a, b, ok=(0, 1))
        return out.decode().strip() if code == 0 else None

    def merge_base_octopus(self, shas: tuple[str, ...]) -> str | None:
        """The best common ancestor of all these commits, None if they share no history."""
        code, out = self.plain("merge-base", "--octopus", *shas, ok=(0, 1))
        found = out.decode().split()
        return found[0] if code == 0 and found else None
