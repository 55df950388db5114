"""`complaintctl sync`: fetch, integrate, push — until this office's work is on the remote.

Integration is a rebase when it can be: each sync replays the office's few unpushed commits
on top of the remote, so `git log` stays one straight line of case steps, and the server
validates each replayed commit exactly as it was made. It is a *merge* (remote.integrate)
when a rebase would have to replay a clash:
- a number collision (two clones of one office numbered different complaints alike,
  offline): our case is renumbered in a visible commit (`renumber SZ-2611-0042 →
  SZ-2611-0043`, trailers Renumbered-From/To, see rules.renumber and repo.lineage) first;
- a case changed both here and on the remote: merged case by case — both timelines in time
  order, the fields replayed — as the server's merge rules want it (remote.merges);
- unpushed history that holds a merge already (a rebase would flatten it).

Where the rules forbid combining two versions of a case (both resolved it, one closed it
while the other still added to it, …), our commits as they were are kept on
`complaintctl/conflict/<id>-<time>` (never an existing name), every other unpushed change
goes ahead and is pushed, and the sync stops saying which case, which of our steps are on
that branch, and how to carry them over. Nothing is lost, nothing is left half done.
"""

from __future__ import annotations

import functools
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import PushRefused, RepoStateError, SyncConflict
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, dump_document, get, load_document, timeline_entry
from complaintctl.model.ids import MATERIALS, CaseId, case_id_from_filename
from complaintctl.privacy import casekeys
from complaintctl.remote import integrate
from complaintctl.repo import messages, stamps, store
from complaintctl.repo.git import Git, Identity
from complaintctl.repo.locking import repo_lock
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.renumber import ACTION
from complaintctl.rules.validate import is_case_path

CONFLICT_PREFIX = "complaintctl/conflict/"
# After a lost race (another office pushed first) sync waits uniform(0, min(CAP, BASE·2^k)) s,
# k the losses so far ("full jitter": offices that lost together do not come back together),
# and gives up only once BUDGET seconds have gone (docs/design/office-pushes.md, step 1).
BACKOFF_BASE = 0.1
BACKOFF_CAP = 2.0
BUDGET = 60.0


@dataclass(frozen=True)
class Backoff:
    """How long sync keeps trying after lost races, and its clock (tests give their own)."""

    budget: float = BUDGET
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    uniform: Callable[[float, float], float] = random.uniform

    def delay(self, losses: int) -> float:
        return self.uniform(0.0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** losses))


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


@dataclass(frozen=True)
class SetAside:
    """Our commits as they were before a conflict, kept on a branch."""

    branch: str
    conflicts: tuple[integrate.Conflict, ...]


def sync(ws: Workspace, now: datetime, actor: Identity, remote: str = "origin", branch: str = "main",
         backoff: Backoff | None = None) -> SyncResult:
    """Bring the clone and the remote together; raise SyncConflict (after syncing everything
    else) or PushRefused if it can't. After each lost race it backs off with jitter, and gives
    up (RepoStateError, nothing lost) only when its time budget is spent."""
    g = ws.git
    backoff = backoff or Backoff()
    started = backoff.clock()
    with repo_lock(g.git_dir):
        _ready(g, remote, branch)
        renumbered: list[Renumbering] = []
        aside: list[SetAside] = []
        pulled, how = 0, "up to date"
        attempt = 0
        while True:
            attempt += 1
            theirs = g.rev_parse(f"refs/remotes/{remote}/{branch}") if _fetch(g, remote, branch) else None
            ours = g.rev_parse("HEAD")
            assert ours is not None
            if theirs == ours:
                _push_keys(g, remote, branch, _lay_keys(ws, actor))
                return _done(SyncResult(how, 0, pulled, tuple(renumbered), attempt), aside, remote, branch)
            if theirs is not None and g.is_ancestor(ours, theirs):
                pulled += len(g.rev_list(theirs, [ours]))
                g.fast_forward(theirs)
                _push_keys(g, remote, branch, _lay_keys(ws, actor))
                return _done(SyncResult("fast-forward", 0, pulled, tuple(renumbered), attempt), aside, remote,
                             branch)
            if theirs is not None and not g.is_ancestor(theirs, ours):
                pulled += len(g.rev_list(theirs, [ours]))
                found = _renumber_collisions(ws, ours, theirs, now, actor)
                renumbered.extend(found)
                how = _integrate(ws, theirs, f"{remote}/{branch}", found, aside, now, actor)
                if how == "fast-forward":  # nothing of ours was left to push
                    _push_keys(g, remote, branch, _lay_keys(ws, actor))
                    return _done(SyncResult(how, 0, pulled, tuple(renumbered), attempt), aside, remote, branch)
            head = g.rev_parse("HEAD")
            assert head is not None
            mine = len(g.rev_list(head, [theirs])) if theirs else len(g.rev_list(head, []))
            # R-RT-5: the case keys pushed with the cases, atomically (after integration: keys/ is current)
            accepted, output = g.push(remote, branch, _lay_keys(ws, actor))
            if accepted:
                _fetch(g, remote, branch)
                return _done(SyncResult(how if how != "up to date" else "pushed", mine, pulled,
                                        tuple(renumbered), attempt), aside, remote, branch)
            moved = g.rev_parse(f"refs/remotes/{remote}/{branch}") if _fetch(g, remote, branch) else None
            if moved == theirs:
                raise PushRefused(_refusal(remote, output) + _kept_note(aside))
            # The remote moved while we worked: another office pushed first. Wait a little, with
            # jitter, then integrate again.
            wait = backoff.delay(attempt)
            spent = backoff.clock() - started
            if spent + wait > backoff.budget:
                raise RepoStateError(f"the remote kept moving: gave up after {attempt} attempts in {spent:.0f} s; "
                                     "run `complaintctl sync` again (nothing is lost)" + _kept_note(aside))
            backoff.sleep(wait)


KEYS_FETCH = (f"+{casekeys.PREFIX}*:{casekeys.REMOTE_PREFIX}*",)  # forced: an erasure rewrites one


def _lay_keys(ws: Workspace, actor: Identity) -> list[str]:
    """Each office's case-key ref made the server's with our unpushed additions on top, those
    made before a rotation re-wrapped under the current epoch; the refspecs with something to push."""
    g = ws.git
    offices = casekeys.offices_with_keys(g)
    if not offices:
        return []
    from complaintctl.privacy.keyring import Keyring

    ring = Keyring.open(ws.root, g)  # read now: integration may have brought a new epoch
    return [f"{casekeys.ref(o)}:{casekeys.ref(o)}" for o in offices
            if casekeys.rebase_on_remote(g, o, actor, functools.partial(ring.rewrap_current, o))]


def _push_keys(g: Git, remote: str, branch: str, keys: list[str]) -> None:
    """Case keys whose cases are already on the server (pushed by plain `git push`)."""
    if keys:
        accepted, output = g.push(remote, branch, keys)
        if not accepted:
            raise PushRefused(_refusal(remote, output))


def _integrate(ws: Workspace, theirs: str, upstream: str, renumbered: list[Renumbering], aside: list[SetAside],
               now: datetime, actor: Identity) -> str:
    """Put HEAD (our unpushed work) on top of `theirs`; say how (rebased, merged, fast-forward)."""
    g = ws.git
    ours = g.rev_parse("HEAD")
    base = g.merge_base(ours, theirs) if ours else None
    assert ours is not None and base is not None  # _renumber_collisions refused unrelated histories
    p = integrate.plan(g, base, ours, theirs, actor, now)
    if p.conflicts:
        aside.append(SetAside(_keep(g, ours, p.conflicts, now), p.conflicts))
        ours = integrate.set_aside(g, ours, theirs, [c.path for c in p.conflicts])
        g.reset_keep(ours)
        if g.is_ancestor(ours, theirs):
            g.fast_forward(theirs)
            return "fast-forward"
        base = g.merge_base(ours, theirs) or base
        p = integrate.plan(g, base, ours, theirs, actor, now)
        if p.conflicts:  # the files in conflict were set aside: none is changed on both sides now
            raise RepoStateError(f"sync could not set aside {', '.join(c.path for c in p.conflicts)}; "
                                 f"your work is on branch {aside[-1].branch}")
    if p.merged or renumbered or g.merges_between(ours, theirs):
        message = messages.sync_merge(ws.policy, upstream, [(r.old, r.new) for r in renumbered], _ids(p.merged))
        g.fast_forward(integrate.merge_commit(g, p, ours, theirs, message, actor))
        return "merged"
    if g.rebase_onto(theirs):
        return "rebased"
    # No file changed on both sides, yet git could not replay it: never leave it half done.
    kept = _keep(g, ours, (), now, "repository")
    raise SyncConflict(f"git could not replay this clone's commits on {upstream} — nothing lost, the clone "
                       f"is clean; your commits are also on branch {kept}. Run `complaintctl sync` again, "
                       "or ask for help with that branch")


def _ids(paths: Mapping[str, Any]) -> list[str]:
    return [str(cid) if (cid := case_id_from_filename(p.rsplit("/", 1)[-1])) else p for p in sorted(paths)]


def _keep(g: Git, sha: str, conflicts: tuple[integrate.Conflict, ...], now: datetime, label: str = "") -> str:
    """A new branch at `sha` (or the one that already holds it): a second conflict in the same
    second gets its own name."""
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", label or conflicts[0].case_id)
    stem = f"{CONFLICT_PREFIX}{label}-{now.strftime('%Y%m%dT%H%M%S')}"
    n = 1
    while True:
        name = stem if n == 1 else f"{stem}-{n}"
        there = g.rev_parse(f"refs/heads/{name}")
        if there is None:
            g.create_branch(name, sha)
            return name
        if there == sha:
            return name
        n += 1


def _done(result: SyncResult, aside: list[SetAside], remote: str, branch: str) -> SyncResult:
    """The result — or, when some work was set aside, the conflict: what, where it is kept, what
    to do (everything else is on the remote by now)."""
    if not aside:
        return result
    upstream = f"{remote}/{branch}"
    lines = []
    for kept in aside:
        for c in kept.conflicts:
            lines.append(f"{c.case_id} was changed both here and on {remote}, and the rules do not let sync "
                         "combine the two:")
            lines.extend(f"  {f}" for f in c.findings[:4])
            steps = "; ".join(_step(e) for e in c.ours) or "see the branch"
            lines.append(f"  your step(s) on it, kept on branch {kept.branch}: {steps}")
    first, saved = aside[0].conflicts[0], aside[0].branch
    names = ", ".join(dict.fromkeys(c.case_id for k in aside for c in k.conflicts))
    renumbered = "".join(f"; renumbered {r.old} → {r.new}" for r in result.renumbered)
    lines.append(f"Everything else is synced ({result.how}; {result.pushed} commit(s) pushed, {result.pulled} "
                 f"received{renumbered}); the clone is clean and {names} is as {upstream} has it.")
    lines.append(f"To carry your step(s) over: look at the case now (`complaintctl show {first.case_id}`), redo "
                 f"with complaintctl what still applies, then `complaintctl sync`. Your commits as they were: "
                 f"`git log -p {upstream}..{saved} -- {first.path}`; delete the branch when done "
                 f"(`git branch -D {saved}`).")
    raise SyncConflict("\n".join(lines))


def _step(e: Mapping[str, Any]) -> str:
    at = as_datetime(e.get("at"), UTC)
    when = at.strftime("%Y-%m-%d %H:%M") if at else str(e.get("at"))
    note = e.get("note") or e.get("summary") or ""
    return f"{when} {e.get('by')} {e.get('action')}" + (f" ({note})" if note else "")


def _kept_note(aside: list[SetAside]) -> str:
    if not aside:
        return ""
    return "\n" + "\n".join(f"Your work on {', '.join(c.case_id for c in k.conflicts)} is kept on branch "
                             f"{k.branch}." for k in aside)


def _fetch(g: Git, remote: str, branch: str) -> bool:
    # The server's stamps come in the same fetch as main: a view never sees a tip without them.
    # R-RT-5: the case keys too (forced: an erasure rewrites one).
    return g.fetch(remote, branch, (stamps.NOTES_REFSPEC, *KEYS_FETCH))


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
        links = get(other, F.ASSESSMENT_REPEAT_OF)
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
    message = messages.renumber(ws.policy, str(old), str(new), ACTION, refs)
    sha = g.commit_staged(message)
    return Renumbering(str(old), str(new), sha, tuple(refs))


def _entry(doc: CommentedMap, now: datetime, actor: Identity, old: CaseId, new: CaseId,
           note: str) -> CommentedMap:
    # Timeline entries stay in time order (R-IN-1) even if this clock lags the last entry.
    timeline = doc.get("timeline") or []
    last = as_datetime(timeline[-1].get("at"), now.tzinfo or UTC) if timeline else None
    at = last if last is not None and last > now else now
    return timeline_entry(at, actor.name, ACTION, extra={"old_id": str(old), "new_id": str(new)}, note=note)
