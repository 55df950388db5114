"""The server's own log of pushes: what `server status` reads.

pre-receive appends one JSON line per push to `$GIT_DIR/complaintctl/pushes.jsonl`, a file
only the server writes (no push can reach it): when, who pushed (the server's identity, or
none), the offices whose cases the push changed, and — for a refused push — its first
findings. An accepted line means the push passed complaintctl's checks; a later hook of the
server (gitolite's `update`) may still stop it, which the next accepted line makes moot.

One `os.write` of one line to a file opened with O_APPEND: concurrent hooks never interleave
their lines (one line is far below what Linux writes atomically to a local file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from complaintctl.model.ids import case_id_from_filename, is_case_path

LOG = "complaintctl/pushes.jsonl"
KEEP_FINDINGS = 5  # a refused push's first findings: enough to say why, never the whole flood


@dataclass(frozen=True)
class Push:
    at: datetime
    accepted: bool
    pusher: str  # the server's identity (login), "" when none reached the hook
    offices: tuple[str, ...]  # offices whose cases the push changed
    refs: tuple[str, ...]
    findings: tuple[str, ...] = ()
    count: int = 0  # how many findings in all


def offices_of(paths: Iterable[str]) -> tuple[str, ...]:
    """The offices in the IDs of the case files among `paths` (a case belongs to the office in
    its ID, R-IN-5)."""
    found = set()
    for path in paths:
        if is_case_path(path):
            cid = case_id_from_filename(path.rsplit("/", 1)[-1])
            if cid is not None:
                found.add(cid.office)
    return tuple(sorted(found))


def record(git_dir: Path, push: Push) -> None:
    """Append one line; a server whose log cannot be written still judges pushes (the log
    serves `server status`, never the verdict)."""
    line = json.dumps({"at": push.at.isoformat(), "accepted": push.accepted, "pusher": push.pusher,
                       "offices": list(push.offices), "refs": list(push.refs),
                       "findings": list(push.findings[:KEEP_FINDINGS]), "count": push.count},
                      ensure_ascii=False) + "\n"
    path = git_dir / LOG
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError:
        pass


def read(git_dir: Path) -> Iterator[Push]:
    """Every readable line, oldest first; a torn or foreign line is skipped."""
    try:
        text = (git_dir / LOG).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    for line in text.splitlines():
        try:
            d = json.loads(line)
            yield Push(datetime.fromisoformat(d["at"]), bool(d["accepted"]), str(d.get("pusher") or ""),
                       tuple(d.get("offices") or ()), tuple(d.get("refs") or ()),
                       tuple(d.get("findings") or ()), int(d.get("count") or 0))
        except (ValueError, KeyError, TypeError):
            continue
