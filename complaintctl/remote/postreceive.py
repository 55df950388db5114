"""The post-receive hook on the shared repository: the server witnesses what main accepted.

pre-receive cannot write a ref (git refuses ref updates while a push is quarantined), so it
hands over the `now` it judged each accepted tip by ($GIT_DIR/complaintctl/judged/<sha>) and
this hook writes the stamp under refs/notes/complaintctl/received (repo/stamps.py). Its exit
status changes nothing in git's answer: the push is already accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from complaintctl.errors import ComplaintError
from complaintctl.model.stamp import Stamp
from complaintctl.remote import access
from complaintctl.remote.prereceive import MAIN, RefUpdate, parse_ref_updates
from complaintctl.repo import precommit, stamps
from complaintctl.repo.git import Git


def post_receive(g: Git, updates: list[RefUpdate], now: datetime, pusher: str) -> list[Stamp]:
    """Stamp each accepted update of main with the time pre-receive judged it by (or `now`,
    later, never earlier, when the hand-over is missing)."""
    out = []
    for up in updates:
        if up.ref != MAIN or up.deleted:
            continue
        at = stamps.take_judged(g.git_dir, up.new) or now
        note = stamps.stamp_update(g, up.ref, up.old, up.new, at, pusher, now)
        if note is not None:
            out.append(note)
    return out


def hook(directory: Path, lines: Iterable[str], env: Mapping[str, str], say: Callable[[str], None]) -> int:
    g = Git.open(directory)
    pusher = access.pusher_from_env(env)
    try:
        post_receive(g, parse_ref_updates(lines), precommit.hook_now(g), pusher.login if pusher else "-")
    except ComplaintError as exc:
        # The push stands; the next accepted push notes the gap (repo/stamps.py).
        say(f"complaintctl post-receive: no stamp written: {exc}")
        return 1
    return 0
