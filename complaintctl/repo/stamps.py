"""The witness: writes the recorded time of new timeline entries as a git note.

On a shared server the witness is `post-receive` (remote/postreceive.py); in a clone with
no shared remote (no `origin`) it is the clone's own `post-commit` (`witness_commit`). Both
write the same note (model/stamp.py) on the accepted tip under NOTES_REF, with the time the
entry was judged by, never earlier. Nobody else writes there: pre-receive refuses every push
under NOTES_PREFIX (docs/design/recorded-time.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.model import stamp as st
from complaintctl.model.ids import case_id_from_filename, is_case_path
from complaintctl.repo.git import ZERO, Git
from complaintctl.repo.locking import repo_lock

NOTES_PREFIX = "refs/notes/complaintctl/"
NOTES_REF = NOTES_PREFIX + "received"
NOTES_REFSPEC = f"+{NOTES_PREFIX}*:{NOTES_PREFIX}*"  # forced: a clone's copy is only a mirror
STATE = "complaintctl"  # $GIT_DIR/complaintctl/: the hand-over from pre-receive, the writers' lock
GAP_WALK = 500  # first parents searched for the last noted tip before a gap is stamped
# A commit of made-up or historical cases (`sample`): the clone's own witness notes it with no
# entries, so they keep their claims as unstamped. The local witness is only as good as the
# PC anyway; the server's post-receive never reads this.
BACKFILL_ENV = "COMPLAINTCTL_BACKFILL"


def state_dir(git_dir: Path) -> Path:
    return git_dir / STATE


def hand_over(git_dir: Path, sha: str, now: datetime) -> None:
    """pre-receive: the `now` this tip was judged by, for post-receive's stamp."""
    folder = state_dir(git_dir) / "judged"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / sha).write_text(now.isoformat(), encoding="utf-8")


def take_judged(git_dir: Path, sha: str) -> datetime | None:
    """post-receive: the `now` pre-receive judged `sha` by (the hand-over is used once)."""
    path = state_dir(git_dir) / "judged" / sha
    try:
        when = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    path.unlink(missing_ok=True)
    return when if when.tzinfo is not None else None


def _timeline(g: Git, blob: str, path: str) -> tuple[str | None, list[Any]]:
    if blob == ZERO:
        return None, []
    from complaintctl.model.case import decode, load_plain  # only when there are case files to read

    try:
        data = load_plain(decode(g.blob(blob), path), path)
    except InvalidInput:
        return None, []  # a file the validator refused never reached the record
    timeline = data.get("timeline")
    return (str(data["id"]) if data.get("id") else None), (timeline if isinstance(timeline, list) else [])


def entries_between(g: Git, old: str, new: str) -> tuple[tuple[str, str, int], ...]:
    """The timeline entries in case files at `new` that were not at `old` (O(changed files))."""
    base = old if old != ZERO else g.empty_tree()
    changed: list[tuple[str, list[Any], list[Any]]] = []
    for ch in g.changes_between(base, new):
        if not is_case_path(ch.path) or ch.new_blob == ZERO:
            continue
        case_id, after = _timeline(g, ch.new_blob, ch.path)
        _, before = _timeline(g, ch.old_blob, ch.path)
        name = case_id or str(case_id_from_filename(ch.path.rsplit("/", 1)[-1]) or ch.path)
        changed.append((name, before, after))
    return st.entry_lines(changed)


def stamp_update(g: Git, ref: str, old: str, new: str, at: datetime, pusher: str,
                 now: datetime | None = None) -> st.Stamp | None:
    """Note `new` as accepted into `ref` at `at`; None when it already carries a note. The first
    update of a ref (old = zeros) brings history from before stamping began: its tip is noted
    with no entries, so those entries stay unstamped. If the old tip has no note although
    stamping had begun (a witness that died), the gap is noted first, at `now` (later, never
    earlier)."""
    with repo_lock(state_dir(g.git_dir)):
        if g.note(NOTES_REF, new) is not None:
            return None
        stamping = g.rev_parse(NOTES_REF) is not None
        if old != ZERO and stamping and g.note(NOTES_REF, old) is None:
            _stamp_gap(g, ref, old, now or at)
        entries = entries_between(g, old, new) if old != ZERO else ()
        note = st.Stamp(at, ref, old, pusher, entries)
        g.add_note(NOTES_REF, new, st.render(note))
        return note


def _stamp_gap(g: Git, ref: str, old: str, now: datetime) -> None:
    noted = next((sha for sha, has in g.noted_first_parents(NOTES_REF, old, GAP_WALK) if has), None)
    if noted is None:  # nothing noted this far back: the history is from before stamping began
        return
    g.add_note(NOTES_REF, old, st.render(st.Stamp(now, ref, noted, "-", entries_between(g, noted, old))))


def witness_commit(g: Git, now: datetime, env: Mapping[str, str]) -> st.Stamp | None:
    """post-commit in a clone with no shared remote: the clone's own clock is the witness
    (only as good as the office PC's clock, docs/server.md). With an `origin`, the server is."""
    if g.remote_url("origin") is not None:
        return None
    head = g.rev_parse("HEAD")
    branch = g.current_branch()
    if head is None or branch is None:
        return None
    parents = g.parents(head)
    who = env.get("GIT_AUTHOR_EMAIL") or g.identity().email
    old = ZERO if env.get(BACKFILL_ENV) else parents[0] if parents else ZERO  # zeros: a note without entries
    try:
        return stamp_update(g, f"refs/heads/{branch}", old, head, now, who or "-")
    except ComplaintError:
        return None  # a stamp that cannot be written leaves a gap the next commit notes


def hook(directory: Path, env: Mapping[str, str], say: Callable[[str], None]) -> int:
    """The post-commit hook as git runs it. It never fails the commit, which is made already."""
    from complaintctl.model import clock

    try:
        g = Git.open(directory)
        # the hooks' clock (repo.precommit.hook_now), without importing the validator
        allowed = (g.get_config(clock.ALLOW_KEY) or "").strip().lower() in ("true", "yes", "on", "1")
        witness_commit(g, clock.current(allow_pinned=allowed), env)
    except ComplaintError as exc:
        say(f"complaintctl post-commit: no stamp written: {exc}")
    return 0


def read_notes(g: Git, since: str | None = None) -> tuple[str | None, list[tuple[str, st.Stamp]]]:
    """(the notes commit read up to, [(noted commit, stamp)]): every stamp, or only those added
    since the notes commit `since` (O(new notes)); one `git cat-file --batch` for their texts."""
    tip = g.rev_parse(NOTES_REF)
    if tip is None or tip == since:
        return tip, []
    if since is not None and not g.is_ancestor(since, tip):
        since = None  # the mirror was replaced (forced fetch): read it whole
    blobs = g.note_blobs(NOTES_REF, since)
    out = []
    for (noted, _), (_, data, _) in zip(blobs, g.cat_file_batch([b for _, b in blobs]), strict=True):
        parsed = st.parse(data.decode("utf-8", "replace")) if data is not None else None
        if parsed is not None:
            out.append((noted, parsed))
    return tip, out


def case_stamps(g: Git, case_id: str) -> st.CaseStamps:
    """One case's recorded times straight from the notes (`show`: no read index to open): the
    notes that name the case (`git grep` over the notes tree), and the first note ever written,
    which says when stamping began."""
    if g.rev_parse(NOTES_REF) is None:
        return st.NO_STAMPS
    code, out = g.plain("grep", "-l", "-F", "-e", f"{case_id} ", NOTES_REF, "--", ok=(0, 1))
    paths = [line.split(":", 1)[1] for line in out.decode("utf-8", "replace").splitlines() if ":" in line]
    root = g.plain_text("rev-list", "--max-parents=0", NOTES_REF).split()[0]
    first = g.plain_text("ls-tree", "-r", "--name-only", root).split()[:1]
    objects = [f"{NOTES_REF}:{p}" for p in paths] + [f"{root}:{f}" for f in first]
    texts = [data.decode("utf-8", "replace") if data else "" for _, data, _ in g.cat_file_batch(objects)]
    notes = [n for n in map(st.parse, texts[: len(paths)]) if n is not None]
    times: dict[str, list[Any]] = {}
    for note in sorted(notes, key=lambda n: n.at):
        for cid, digest, n in note.entries:
            if cid == case_id:
                times.setdefault(digest, []).extend([note.at] * n)
    opening = st.parse(texts[-1]) if first else None
    began = opening.at if opening is not None else None
    return st.CaseStamps({d: tuple(t) for d, t in times.items()}, began)
