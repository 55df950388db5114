"""`complaintctl sync`: fetch, integrate, push — until this office's work is on the remote.

Integration is a rebase: each sync replays the office's few unpushed commits on top of the
remote, so `git log` stays one straight line of case steps, and the server validates each
replayed commit exactly as it was made. The one exception is a number collision (two clones
of one office numbered different complaints alike, offline): then our case is renumbered in
a visible commit (`renumber SZ-2611-0042 → SZ-2611-0043`, see rules.renumber) and the remote
is *merged* — a rebase would have to replay "add SZ-2611-0042" over the remote's own
SZ-2611-0042, which is exactly the clash being avoided; the merge keeps our original commits
and the renumbering as they happened. Once unpushed history holds a merge, later attempts
merge too (a rebase would flatten it and replay the clash).

A case changed both here and on the remote is never merged textually: the sync stops, aborts
any half-done rebase, keeps our version on `complaintctl/conflict/<id>-<time>` and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import PushRefused, RepoStateError, SyncConflict
from complaintctl.model.case import as_datetime, dump_document, get, load_document, timeline_entry
from complaintctl.model.ids import MATERIALS, CaseId, case_id_from_filename
from complaintctl.repo import store
from complaintctl.repo.git import Git, Identity
from complaintctl.repo.locking import repo_lock
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.renumber import ACTION
from complaintctl.rules.validate import is_case_path

CONFLICT_PREFIX = "complaintctl/conflict/"


@dataclass(frozen=True)
class Renumbering:
    old: str
    new: str
    commit: str
    references: tuple[str, ...]  # cases whose repeat_of now names `new`


@dataclass(frozen=True)
class SyncResult:
    how: str  # up to date | pushed | fast-forward | rebased | merged
    pushed: int  # our commits that reached the remote
    pulled: int  # remote commits we did not have
    renumbered: tuple[Renumbering, ...]
    attempts: int


def sync(ws: Workspace, now: datetime, actor: Identity, remote: str = "origin", branch: str = "main",
         attempts: int = 6) -> SyncResult:
    """Bring the clone and the remote together; raise SyncConflict or PushRefused if it can't."""
    g = ws.git
    with repo_lock(g.git_dir):
        _ready(g, remote, branch)
        renumbered: list[Renumbering] = []
        pulled, how = 0, "up to date"
        for attempt in range(1, attempts + 1):
            theirs = g.rev_parse(f"refs/remotes/{remote}/{branch}") if g.fetch(remote, branch) else None
            ours = g.rev_parse("HEAD")
            assert ours is not None
            if theirs == ours:
                return SyncResult(how, 0, pulled, tuple(renumbered), attempt)
            if theirs is not None and g.is_ancestor(ours, theirs):
                pulled += len(g.rev_list(theirs, [ours]))
                g.fast_forward(theirs)
                return SyncResult("fast-forward", 0, pulled, tuple(renumbered), attempt)
            if theirs is not None and not g.is_ancestor(theirs, ours):
                pulled += len(g.rev_list(theirs, [ours]))
                found = _renumber_collisions(ws, ours, theirs, now, actor)
                renumbered.extend(found)
                ours = g.rev_parse("HEAD") or ours
                _stop_on_conflict(g, ours, theirs, remote, branch, now)
                if found or g.run("rev-list", "--merges", "--count", ours, f"^{theirs}") != "0":
                    ids = ", ".join(f"{r.old} → {r.new}" for r in renumbered) or "earlier renumbering"
                    ok = g.merge_in(theirs, f"sync: merge {remote}/{branch} ({ids})\n\nAction: sync\n")
                    how = "merged"
                else:
                    ok, how = g.rebase_onto(theirs), "rebased"
                if not ok:  # the pre-check should have caught it; still, never leave it half done
                    _stop_on_conflict(g, ours, theirs, remote, branch, now, force=True)
            head = g.rev_parse("HEAD")
            assert head is not None
            mine = len(g.rev_list(head, [theirs])) if theirs else len(g.rev_list(head, []))
            accepted, output = g.push(remote, branch)
            if accepted:
                g.fetch(remote, branch)
                return SyncResult(how if how != "up to date" else "pushed", mine, pulled,
                                  tuple(renumbered), attempt)
            moved = g.rev_parse(f"refs/remotes/{remote}/{branch}") if g.fetch(remote, branch) else None
            if moved == theirs:
                raise PushRefused(_refusal(remote, output))
            # The remote moved while we worked: another office pushed first. Integrate again.
        raise RepoStateError(f"the remote kept moving: gave up after {attempts} attempts; "
                             "run `complaintctl sync` again (nothing is lost)")


def _ready(g: Git, remote: str, branch: str) -> None:
    g.ensure_ready_to_commit()
    if g.remote_url(remote) is None:
        raise RepoStateError(f"no remote {remote!r}: add the shared repository with "
                             f"`git remote add {remote} URL`")
    current = g.current_branch()
    if current != branch:
        raise RepoStateError(f"sync works on branch {branch}; this clone is on {current or 'a detached HEAD'} "
                             f"(`git switch {branch}`)")
    dirty = [p for p in g.dirty_paths("cases", MATERIALS) if not p.endswith(".gitkeep")]
    if dirty:
        raise RepoStateError(f"uncommitted changes in {', '.join(dirty[:3])}: commit them "
                             "(e.g. `complaintctl edit`) or discard them before syncing")


def _refusal(remote: str, output: str) -> str:
    lines = [ln.removeprefix("remote: ").rstrip() for ln in output.splitlines()
             if ln.startswith("remote:") and ln.strip() != "remote:"]
    detail = "\n".join(lines) or output
    return (f"the server refused the push to {remote} — nothing there changed; your commits are "
            f"still here. Fix what it names and sync again:\n{detail}")


def _stop_on_conflict(g: Git, ours: str, theirs: str, remote: str, branch: str, now: datetime,
                      force: bool = False) -> None:
    """The same file changed on both sides (to different contents): keep both, merge neither."""
    base = g.merge_base(ours, theirs)
    clashes: list[str] = []
    if base is not None:
        mine = {c.path: c.new_blob for c in g.changes_between(base, ours)}
        clashes = sorted(c.path for c in g.changes_between(base, theirs)
                         if c.path in mine and mine[c.path] != c.new_blob)
    if not clashes and not force:
        return
    g.abort_integration()
    names = [str(cid) for p in clashes if (cid := case_id_from_filename(p.rsplit("/", 1)[-1]))]
    label = names[0] if names else "repository"
    saved = f"{CONFLICT_PREFIX}{label}-{now.strftime('%Y%m%dT%H%M%S')}"
    g.create_branch(saved, ours)
    what = (f"{', '.join(names or clashes)} was changed both here and on {remote} since you last synced"
            if clashes else f"git could not combine this clone's commits with {remote}/{branch}")
    raise SyncConflict(
        f"{what} — not merged, nothing lost, the clone is clean.\n"
        f"  your version:   branch {saved} (and still on {branch})\n"
        f"  their version:  {remote}/{branch}\n"
        f"Compare: git diff {remote}/{branch} {saved} -- {' '.join(clashes[:3])}\n"
        f"To keep theirs and redo your change: git reset --hard {remote}/{branch}, then repeat your "
        f"step with complaintctl (your commits stay on {saved}); then `complaintctl sync`.")


def _renumber_collisions(ws: Workspace, ours: str, theirs: str, now: datetime,
                         actor: Identity) -> list[Renumbering]:
    """Our unpushed new cases whose number the remote gave to another case, renumbered."""
    g = ws.git
    base = g.merge_base(ours, theirs)
    if base is None:
        raise RepoStateError("this clone and the remote share no history: clone the shared repository "
                             "instead of `init` in each office")
    mine = {c.path: c.new_blob for c in g.changes_between(base, ours) if c.status == "A" and is_case_path(c.path)}
    clashes = sorted(c.path for c in g.changes_between(base, theirs)
                     if c.status == "A" and c.path in mine and mine[c.path] != c.new_blob)
    done = []
    for path in clashes:
        old = case_id_from_filename(path.rsplit("/", 1)[-1])
        if old is not None:
            done.append(renumber_case(ws, old, _free_serial(ws, theirs, old), now, actor))
    return done


def _free_serial(ws: Workspace, theirs: str, old: CaseId) -> int:
    """R-IN-5: the next serial of that office and month, free here and on the remote."""
    folder = f"cases/{old.year:04d}/{old.month:02d}"
    remote_high = max((cid.serial for p in ws.git.paths_in(theirs, folder)
                       if (cid := case_id_from_filename(p.rsplit("/", 1)[-1])) and cid.office == old.office),
                      default=0)
    return max(store.next_serial(ws.root, old.office, old.year, old.month), remote_high + 1)


def renumber_case(ws: Workspace, old: CaseId, serial: int, now: datetime, actor: Identity) -> Renumbering:
    """Move one case to a new serial, rewrite references to it, commit both as one renumbering."""
    g = ws.git
    new = CaseId(old.office, old.year, old.month, serial)
    loaded = store.load_case(ws, str(old))
    doc = loaded.doc
    doc["id"] = str(new)
    note = f"renumbered by sync: {old} was taken on the remote by another case"
    doc["timeline"].append(_entry(doc, now, actor, old, new, note))
    text = dump_document(doc).replace(f"Complaint {old} —", f"Complaint {new} —", 1)
    store.write_atomic(ws.root / new.relpath, text)
    g.remove([old.relpath])
    if (ws.root / old.materials_dir).is_dir():  # its kept originals go with it (rules.materials)
        (ws.root / new.materials_dir).parent.mkdir(parents=True, exist_ok=True)
        g.move(old.materials_dir, new.materials_dir)
    touched = [new.relpath]
    refs = []
    for path in g.files_containing(str(old), "cases"):
        if path == new.relpath or not is_case_path(path):
            continue
        other = load_document(store.read_case_text(ws.root, path, ws.policy.limits), path, ws.policy.limits)
        links = get(other, "assessment.repeat_of")
        if not isinstance(links, list) or str(old) not in [str(x) for x in links]:
            continue
        for i, link in enumerate(links):
            if str(link) == str(old):
                links[i] = str(new)
        other["timeline"].append(_entry(other, now, actor, old, new, f"reference {old} is now {new}"))
        store.write_atomic(ws.root / path, dump_document(other))
        touched.append(path)
        refs.append(str(other.get("id")))
    g.run("add", "--", *touched)
    message = (f"renumber {old} → {new}\n\n"
               f"{old} was given to another case on the remote while this clone was offline;\n"
               f"this office's case keeps all its content under the next free number.\n\n"
               f"Case: {new}\nAction: {ACTION}\nRenumbered-From: {old}\nRenumbered-To: {new}\n"
               + "".join(f"Reference-Updated: {r}\n" for r in refs))
    sha = g.commit_staged(message)
    return Renumbering(str(old), str(new), sha, tuple(refs))


def _entry(doc: CommentedMap, now: datetime, actor: Identity, old: CaseId, new: CaseId,
           note: str) -> CommentedMap:
    # Timeline entries stay in time order (R-IN-1) even if this clock lags the last entry.
    timeline = doc.get("timeline") or []
    last = as_datetime(timeline[-1].get("at"), now.tzinfo or UTC) if timeline else None
    at = last if last is not None and last > now else now
    return timeline_entry(at, actor.name, ACTION, extra={"old_id": str(old), "new_id": str(new)}, note=note)
