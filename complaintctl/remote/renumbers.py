"""A renumbering never moves a case the server already has (R-IN-5).

`sync` renumbers only its own clashes: a case this clone numbered offline while the server gave
the number to another complaint (remote.sync). So the case a pushed renumbering removes must
not be the one the server's old tip of the updated ref holds at that path: a case that reached
the record keeps its ID for life, and its notes (the received stamps) always name final IDs. A
case file is removed only by a renumbering (rules.validate refuses any other deletion), so
every deleted case path of a pushed commit is checked here: one blob read each.

"The same complaint" is the same intake entry (`timeline[0]`), which is append-only history
(rules.transitions): sync's clash is another complaint under that number, with its own intake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.model.case import load_plain
from complaintctl.model.ids import is_case_path
from complaintctl.repo.git import ZERO, Change, Git
from complaintctl.repo.precommit import load_blob
from complaintctl.rules.finding import Finding

RULE = "R-IN-5"


def _intake_entry(data: dict[str, Any] | None) -> Any:
    timeline = data.get("timeline") if data else None
    return timeline[0] if isinstance(timeline, list) and timeline else None


def on_the_record(g: Git, base: str, ref: str, changes: list[Change]) -> Iterator[Finding]:
    """Findings for the cases `changes` remove that `base` (the ref's old tip) already held."""
    for ch in changes:
        if ch.status != "D" or not is_case_path(ch.path) or ch.old_blob == ZERO:
            continue
        text = g.file_at(base, ch.path)
        if text is None:
            continue  # never on the record: sync's own clash
        removed = _intake_entry(load_blob(g, ch.old_blob, ch.path))
        if removed is not None and removed == _intake_entry(_parsed(text, ch.path)):
            yield Finding(ch.path, "id", RULE,
                          _("this case is already on the server ({ref} at {sha}): a case that reached the record "
                            "keeps its ID for life — renumbering is only for sync's own clashes")
                          .format(ref=ref, sha=base[:10]))


def _parsed(text: str, path: str) -> dict[str, Any] | None:
    try:
        return load_plain(text, path)
    except InvalidInput:
        return None
