"""Sync from the UI: on demand (a form), and on a timer while the clone has an `origin` — the
same `remote.sync` the `sync` command runs, as the person running the server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from complaintctl import i18n
from complaintctl.errors import ComplaintError
from complaintctl.i18n import _
from complaintctl.model import clock
from complaintctl.remote import sync as syncing
from complaintctl.repo.workspace import actor, open_workspace

REMOTE, BRANCH = "origin", "main"


@dataclass(frozen=True)
class Outcome:
    at: str  # when it ran, on the office's clock
    ok: bool
    text: str  # what `sync` would print, or its refusal


def sync_now(root: Path) -> Outcome:
    ws = open_workspace(root)
    i18n.use(ws.policy.language)
    now = clock.current(ws.policy.tz)
    at = now.strftime("%Y-%m-%d %H:%M")
    try:
        result = syncing.sync(ws, now, actor(ws), REMOTE, BRANCH)
    except ComplaintError as exc:
        return Outcome(at, False, _(str(exc)))
    return Outcome(at, True, _("sync: {how}; {pushed} commit(s) pushed, {pulled} received").format(
        how=_(result.how), pushed=result.pushed, pulled=result.pulled))


def has_origin(root: Path) -> bool:
    return open_workspace(root).git.remote_url(REMOTE) is not None


class Syncer:
    """One sync at a time (the button and the timer share a lock); the last outcome is kept for
    the pages to show."""

    def __init__(self, root: Path, run: Callable[[Path], Outcome] = sync_now) -> None:
        self.root = root
        self.run = run
        self.lock = threading.Lock()
        self.last: Outcome | None = None
        self.stop = threading.Event()

    def once(self) -> Outcome:
        with self.lock:
            self.last = self.run(self.root)
            return self.last

    def every(self, seconds: float) -> threading.Thread:
        """Sync every `seconds` until `stop` is set (a daemon thread: Ctrl-C ends the server)."""
        def loop() -> None:
            while not self.stop.wait(seconds):
                self.once()

        thread = threading.Thread(target=loop, name="complaintctl-ui-sync", daemon=True)
        thread.start()
        return thread
