"""A case across its renumberings.

When two clones numbered different complaints alike, `sync` renumbers the unpushed one
(remote.sync): a commit that moves `cases/…/X.yaml` to `…/Y.yaml`, with the trailers
`Case: Y`, `Renumbered-From: X`, `Renumbered-To: Y`. The commits made before it still say
`Case: X` — and on the remote, X is now someone else's complaint. Commits are never
rewritten; this module reads who is who from the history itself:

- the commits that belong to Y under its old number are those that changed X's file in the
  renumbering commit's own history (`git rev-list R^ -- X`): the remote's X was merged in
  only after R, so none of its commits is there;
- a case renumbered again (Y → Z, when Y was taken too in a race) chains the same way.

`history` follows a case back through every number it had; reports attribute each
commit's work to the case it now is. The commit sets are cached per renumbering commit
(history never changes) under .git/complaintctl/renumbered.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from complaintctl.model.ids import parse_case_id
from complaintctl.repo.git import Git, LogEntry

CACHE = "renumbered.json"


@dataclass(frozen=True)
class Renumbered:
    sha: str  # the renumbering commit
    old: str
    new: str


def renumberings(g: Git) -> list[Renumbered]:
    return [Renumbered(sha, old, new) for sha, old, new in g.renumber_commits()]


def log(g: Git, case_id: str, relpath: str, known: list[Renumbered] | None = None) -> list[LogEntry]:
    """Every commit of one case, newest first, through every number it had. `known`: HEAD's
    renumberings when the caller has them (one `git log` over the history, not one per use)."""
    found = renumberings(g) if known is None else known
    out: list[LogEntry] = []
    rev, path, cid = "HEAD", relpath, case_id
    for _ in range(len(found) + 1):
        entries = list(g.log(path, rev))
        out.extend(entries)
        shas = {e.sha for e in entries}
        came = next((r for r in found if r.new == cid and r.sha in shas), None)
        if came is None:
            break
        rev, path, cid = f"{came.sha}^", parse_case_id(came.old).relpath, came.old
    return out


def other_holders(g: Git, case_id: str, known: list[Renumbered] | None = None) -> list[tuple[Renumbered, str]]:
    """Renumberings that moved another complaint away from this number, with the ID that
    complaint has now: the commits that say `Case: <case_id>` from before them are its."""
    found = renumberings(g) if known is None else known
    moved = [r for r in found if r.old == case_id]
    if not moved:
        return []
    now_named = resolver(g, found)
    return [(r, now_named(r.sha, r.new)) for r in moved]


def resolver(g: Git, known: list[Renumbered] | None = None) -> Callable[[str, str], str]:
    """(commit, the ID its Case: trailer names) -> the ID of the case that work is part of now.
    `known`: HEAD's renumberings, newest first, when the caller has them (the read index)."""
    found = renumberings(g) if known is None else known
    if not found:
        return lambda sha, cid: cid
    cache_file = g.git_dir / "complaintctl" / CACHE
    try:
        cache: dict[str, list[str]] = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    owner: dict[tuple[str, str], Renumbered] = {}
    dirty = False
    for r in found:
        shas = cache.get(r.sha)
        if not isinstance(shas, list):
            shas = cache[r.sha] = g.rev_list_path(f"{r.sha}^", parse_case_id(r.old).relpath)
            dirty = True
        for s in shas:
            owner[(s, r.old)] = r
    if dirty:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            cache_file.write_text(json.dumps(cache), encoding="utf-8")
        except OSError:
            pass  # a cache only: the next report computes it again

    def resolve(sha: str, cid: str) -> str:
        for _ in range(len(found) + 1):
            r = owner.get((sha, cid))
            if r is None:
                break
            sha, cid = r.sha, r.new
        return cid

    return resolve
