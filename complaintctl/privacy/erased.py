"""Erasure (R-RT-5, PIPL art. 47) in the case-key refs: a case key retired by an `erase` entry
is taken out of `refs/complaintctl/casekeys/<OFFICE>` on the server, which rewrites the ref as a
new root commit with a tombstone `erased/<kid>` in its place (an empty file: no key material).
The tombstone keeps clones from pushing the key back (`sync` drops tombstoned keys from what
it lays on top) and the server from accepting it (remote/keyrefs.py). Without that case key
the case's old markers, still in main's history, open for nobody — not for a holder of every
current office key."""

from __future__ import annotations

from collections.abc import Iterable

from complaintctl.model.identity import Identity
from complaintctl.privacy import casekeys
from complaintctl.privacy.casekeys import GitLike

TOMBSTONES = casekeys.TOMBSTONES


def tombstone(kid: str) -> str:
    return TOMBSTONES + kid


def tombstoned(git: GitLike, rev: str | None) -> set[str]:
    """The key ids erased from a case-key ref at `rev` (a ref name or a commit; none if absent).
    Reads the tombstone folder only: cheap beside the ref's many keys."""
    sha = git.rev_parse(rev) if rev is not None else None
    if sha is None:
        return set()
    out = git.run("ls-tree", "-z", "--name-only", sha, "--", TOMBSTONES)
    return {p[len(TOMBSTONES):] for p in out.split("\0") if p.startswith(TOMBSTONES)}


def retire(git: GitLike, office: str, kids: Iterable[str], author: Identity) -> str | None:
    """Rewrite the office's case-key ref without `kids` (a new root commit: the old commits,
    which hold the wrapped keys, become unreachable and go at the next prune); the new commit,
    or None when the ref holds none of them."""
    name = casekeys.ref(office)
    old = git.rev_parse(name)
    if old is None:
        return None
    present = casekeys.paths(git, old)
    gone = {kid for kid in kids if casekeys.path_of(kid) in present}
    if not gone:
        return None
    files: dict[str, tuple[str, str] | None] = {casekeys.path_of(kid): None for kid in gone}
    empty = git.write_blob("")
    files.update({tombstone(kid): ("100644", empty) for kid in gone})
    tree = git.tree_with(old, files)
    new = git.commit_tree(tree, [], f"casekeys {office}: erase {', '.join(sorted(gone))}\n", author=author)
    git.run("update-ref", "-m", "complaintctl: erasure", name, new, old)
    return new

prune = casekeys.prune
