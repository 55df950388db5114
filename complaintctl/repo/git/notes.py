"""git notes: the witness's stamps under one notes ref (model/stamp.py says what a note holds).

Writing is for the witness alone (the server's post-receive, or a clone's post-commit with no
shared remote); clients only fetch the ref. A note commit needs an identity, and a server's
git has none configured: the witness signs as itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from complaintctl.repo.git.runner import Runner

WITNESS = {"GIT_AUTHOR_NAME": "complaintctl witness", "GIT_AUTHOR_EMAIL": "witness@complaintctl.invalid",
           "GIT_COMMITTER_NAME": "complaintctl witness", "GIT_COMMITTER_EMAIL": "witness@complaintctl.invalid"}


class Notes(Runner):
    """The notes work of `Git` (a part of it; see repo/git/__init__.py)."""

    def note(self, ref: str, sha: str) -> str | None:
        """The note `ref` holds for `sha`, or None."""
        code, out = self.plain("notes", "--ref", ref, "show", sha, ok=(0, 1))
        return out.decode("utf-8", "replace") if code == 0 else None

    def add_note(self, ref: str, sha: str, text: str) -> None:
        """Write (or replace) the note on `sha` under `ref`, as the witness."""
        self.run("notes", "--ref", ref, "add", "-f", "-F", "-", sha, input=text.encode("utf-8"), env=WITNESS)

    def noted_first_parents(self, ref: str, sha: str, limit: int) -> Iterator[tuple[str, bool]]:
        """(commit, has a note under `ref`) along `sha`'s first parents, newest first, at most `limit`."""
        out = self.run("log", "--first-parent", f"-n{limit}", f"--notes={ref}", "--format=%H%x09%N%x1e", sha)
        for record in out.split("\x1e"):
            sha_, _, note = record.strip("\n").partition("\t")
            if sha_:
                yield sha_, bool(note.strip())

    def note_blobs(self, ref: str, since: str | None = None) -> list[tuple[str, str]]:
        """(noted object, note blob) for every note under `ref` — or only those added or changed
        since the notes commit `since` (a tree diff: O(new notes))."""
        if since is None:
            out = self.run("ls-tree", "-r", "-z", ref)
            rows = [line.split("\t", 1) for line in out.split("\0") if line]
            return [(path.replace("/", ""), meta.split()[2]) for meta, path in rows]
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--diff-filter=AM", since, ref)
        parts = out.split("\0")
        found = []
        for meta, path in zip(parts[0::2], parts[1::2], strict=False):
            if meta.startswith(":"):
                found.append((path.replace("/", ""), meta.split()[3]))
        return found
