"""The case keys of an office, wrapped under its office key, in `refs/complaintctl/casekeys/<OFFICE>`:
a fast-forward commit chain outside main's history, one file `<kid[:2]>/<kid>` per case key
holding `<epoch> <nonce> <wrapped>` (docs/design/encrypted-fields.md). Outside main so that an
erasure can drop a key for good; additions only, which the server checks.

git is reached only through the repository's `Git` (repo/git), handed in: this layer sits
below `repo/` and `rules/` so the validator and the read index can use the markers and keys too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from complaintctl.model.identity import Identity
from complaintctl.privacy import marker as M

PREFIX = "refs/complaintctl/casekeys/"
TOMBSTONES = "erased/"  # erased/<kid>: a case key retired by an erasure (privacy/erased.py)
REMOTE_PREFIX = "refs/remotes/origin/casekeys/"  # clones fetch the server's refs here (forced)
ZERO = "0" * 40


class GitLike(Protocol):
    """The part of repo.git.Git this module uses."""

    @property
    def git_dir(self) -> Path: ...
    def rev_parse(self, rev: str) -> str | None: ...
    def run(self, *args: str, env: Mapping[str, str] | None = None, input: bytes | None = None,
            strip_newline_in_stdout: bool = True) -> str: ...
    def write_blob(self, content: str) -> str: ...
    def tree_with(self, rev: str, files: Mapping[str, tuple[str, str] | None]) -> str: ...
    def commit_tree(self, tree: str, parents: list[str], message: str, like: str | None = None,
                    author: Identity | None = None) -> str: ...
    def cat_file_batch(self, objects: Sequence[str], max_bytes: int | None = None
                       ) -> Iterator[tuple[str, bytes | None, int]]: ...
    def empty_tree(self) -> str: ...


@dataclass(frozen=True)
class WrappedKey:
    epoch: int
    nonce: bytes
    wrapped: bytes

    def line(self) -> str:
        return f"{self.epoch} {M.b64(self.nonce)} {M.b64(self.wrapped)}\n"


class BadEntry(ValueError):
    """A case-key file that is not `<epoch> <nonce> <wrapped>`."""


def ref(office: str) -> str:
    return PREFIX + office


def remote_ref(office: str) -> str:
    return REMOTE_PREFIX + office


def path_of(kid: str) -> str:
    return f"{kid[:2]}/{kid}"


def parse_entry(text: str) -> WrappedKey:
    parts = text.split()
    if len(parts) != 3 or not parts[0].isdigit():
        raise BadEntry("expected `<epoch> <nonce> <wrapped>`")
    try:
        return WrappedKey(int(parts[0]), M.unb64(parts[1]), M.unb64(parts[2]))
    except M.BadMarker as exc:
        raise BadEntry(str(exc)) from exc


def kid_of(path: str) -> str | None:
    """The key id a file of the ref stands for, None for a file that is not a case key's."""
    head, _, kid = path.partition("/")
    return kid if kid and "/" not in kid and kid[:2] == head and len(kid) == 22 else None


def paths(git: GitLike, rev: str) -> dict[str, str]:
    """path -> blob of every file at `rev` (a commit of the ref)."""
    out = git.run("ls-tree", "-r", "-z", rev)
    found: dict[str, str] = {}
    for rec in out.split("\0"):
        if rec:
            meta, _, path = rec.partition("\t")
            found[path] = meta.split()[2]
    return found


def read_all(git: GitLike, revs: Sequence[str]) -> dict[str, WrappedKey]:
    """kid -> wrapped key, over the union of `revs` (refs that may not exist); an entry that does
    not parse is left out (it opens nothing)."""
    blobs: dict[str, str] = {}
    for rev in revs:
        sha = git.rev_parse(rev)
        if sha is not None:
            for path, blob in paths(git, sha).items():
                kid = kid_of(path)
                if kid is not None:
                    blobs.setdefault(kid, blob)
    data_of = {name: data for name, data, _ in git.cat_file_batch(sorted(set(blobs.values())), max_bytes=4096)}
    keys: dict[str, WrappedKey] = {}
    for kid, blob in blobs.items():
        data = data_of.get(blob)
        if data is not None:
            try:
                keys[kid] = parse_entry(data.decode("ascii", "replace"))
            except BadEntry:
                continue
    return keys


def read_one(git: GitLike, revs: Sequence[str], kid: str) -> WrappedKey | None:
    """One case key, looked up by path (one cat-file, not the whole ref)."""
    specs = [f"{rev}:{path_of(kid)}" for rev in revs if git.rev_parse(rev) is not None]
    for _, data, _ in list(git.cat_file_batch(specs, max_bytes=4096)):
        if data is not None:
            try:
                return parse_entry(data.decode("ascii", "replace"))
            except BadEntry:
                continue
    return None


def add(git: GitLike, office: str, entries: Mapping[str, WrappedKey], author: Identity,
        base: str | None = None) -> str:
    """Commit `entries` on top of the office's ref (or `base`) and move the ref there, checking
    that nobody moved it meanwhile; the new commit."""
    name = ref(office)
    old = git.rev_parse(name)
    parent = base if base is not None else old
    files = {path_of(kid): ("100644", git.write_blob(w.line())) for kid, w in sorted(entries.items())}
    tree = git.tree_with(parent or git.empty_tree(), files)
    ids = ", ".join(sorted(entries)[:3]) + ("…" if len(entries) > 3 else "")
    new = git.commit_tree(tree, [parent] if parent else [], f"casekeys {office}: add {ids}\n", author=author)
    git.run("update-ref", "-m", "complaintctl: case keys", name, new, old or ZERO)
    return new


Rewrap = Callable[[str, WrappedKey], "WrappedKey | None"]  # (kid, entry) -> under the current epoch, or None


def rebase_on_remote(git: GitLike, office: str, author: Identity, rewrap: Rewrap | None = None) -> bool:
    """After a fetch: the office's ref becomes the server's, with this clone's own unpushed
    additions laid on top as a union of files — each re-wrapped by `rewrap` when the office's
    epoch moved since (the server takes new case keys under the current epoch only). True when
    something is left to push."""
    local, remote = git.rev_parse(ref(office)), git.rev_parse(remote_ref(office))
    if local is None and remote is None or local == remote:
        return False
    theirs = paths(git, remote) if remote else {}
    # R-RT-5: a key the server erased (a tombstone in its place, privacy/erased.py) is not ours to push back
    erased = {p[len(TOMBSTONES):] for p in theirs if p.startswith(TOMBSTONES)}
    ours = paths(git, local) if local else {}
    mine = {p: b for p, b in ours.items() if p not in theirs and kid_of(p) not in erased}
    reached = any(kid_of(p) in erased for p in ours)  # an erasure this clone still held the key of
    if not mine:
        if remote is not None:
            git.run("update-ref", "-m", "complaintctl: case keys", ref(office), remote, local or ZERO)
        if reached:
            prune(git)
        return False
    moved = _rewrapped(git, mine, rewrap) if rewrap is not None else {}
    if remote is None and not moved:
        return True  # nothing on the server yet: our ref goes as it is
    files = {p: ("100644", moved.get(p, b)) for p, b in mine.items()}
    tree = git.tree_with(remote or git.empty_tree(), files)
    new = git.commit_tree(tree, [remote] if remote else [], f"casekeys {office}: add {len(mine)} from this clone\n",
                          author=author)
    git.run("update-ref", "-m", "complaintctl: case keys", ref(office), new, local or ZERO)
    if reached:
        prune(git)
    return True


def _rewrapped(git: GitLike, mine: Mapping[str, str], rewrap: Rewrap) -> dict[str, str]:
    """path -> new blob, for the entries `rewrap` moves to another epoch."""
    data_of = {name: data for name, data, _ in git.cat_file_batch(sorted(set(mine.values())), max_bytes=4096)}
    out = {}
    for path, blob in mine.items():
        kid, data = kid_of(path), data_of.get(blob)
        if kid is None or data is None:
            continue
        try:
            entry = parse_entry(data.decode("ascii", "replace"))
        except BadEntry:
            continue
        again = rewrap(kid, entry)
        if again is not None:
            out[path] = git.write_blob(again.line())
    return out


def prune(git: GitLike) -> None:
    """Forget what only a rewritten ref's old commits held (an erasure, privacy/erased.py):
    reflogs expired, objects pruned — slow on a big repository, and rare."""
    git.run("reflog", "expire", "--expire=now", "--all")
    git.run("gc", "-q", "--prune=now")


def offices_with_keys(git: GitLike) -> list[str]:
    """The offices whose case-key ref this clone has (its own or the server's copy)."""
    out = git.run("for-each-ref", "--format=%(refname)", PREFIX, REMOTE_PREFIX)
    return sorted({line.rsplit("/", 1)[1] for line in out.splitlines() if line.strip()})
