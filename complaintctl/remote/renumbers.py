"""A renumbering never moves a case the server already has (R-IN-5).

`sync` renumbers only its own clashes: a case this clone numbered offline while the server gave
the number to another complaint (remote.sync). Its merge keeps the server's file at that path,
so the push as a whole removes no case the updated ref's old tip holds — `net_removals` refuses
any push that does (a renumbering of a shared case on a plain line of commits, or through a
merge). And a pushed renumbering may not remove a case that is the same complaint as the one
the old tip holds at that path (`on_the_record`), which would leave a copy of a shared case
under a second number. "The same complaint" does not rest on the removed version's content,
which later edits of its intake change: the removed file began in a commit the server already
has (its adding commit is an ancestor of the old tip) — sync's own clash was added by a commit
that is new in the push. Failing that, the same intake entry and intake section. A case file
is removed only by a renumbering (rules.validate refuses any other deletion): one `git log`
and one blob read per removed case.
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


def _complaint(data: dict[str, Any] | None) -> Any:
    """What makes a complaint this one: its intake entry and its intake section."""
    if not data:
        return None
    timeline = data.get("timeline")
    return (timeline[0] if isinstance(timeline, list) and timeline else None, data.get("intake"))


def _shared(ref: str, base: str) -> str:
    return _("this case is already on the server ({ref} at {sha}): a case that reached the record keeps its ID for "
             "life — renumbering is only for sync's own clashes").format(ref=ref, sha=base[:10])


def net_removals(g: Git, old: str, new: str, ref: str) -> Iterator[Finding]:
    """Findings for the case files the old tip holds that the new tip no longer has."""
    for ch in g.changes_between(old, new):
        if ch.status == "D" and is_case_path(ch.path):
            yield Finding(ch.path, "id", RULE, _shared(ref, old))


def on_the_record(g: Git, base: str, ref: str, changes: list[Change], parent: str | None = None) -> Iterator[Finding]:
    """Findings for the cases `changes` (a commit's, against its first `parent`) remove that
    `base` (the ref's old tip) already held."""
    for ch in changes:
        if ch.status != "D" or not is_case_path(ch.path) or ch.old_blob == ZERO:
            continue
        text = g.file_at(base, ch.path)
        if text is None:
            continue  # never on the record: sync's own clash
        # R-IN-5: the removed file's lineage, which no edit of its intake changes
        began = g.added_in(parent, ch.path) if parent is not None else None
        if began is not None and g.is_ancestor(began, base):
            yield Finding(ch.path, "id", RULE, _shared(ref, base))
            continue
        removed = _complaint(load_blob(g, ch.old_blob, ch.path))
        if removed is not None and removed == _complaint(_parsed(text, ch.path)):
            yield Finding(ch.path, "id", RULE, _shared(ref, base))


def _parsed(text: str, path: str) -> dict[str, Any] | None:
    try:
        return load_plain(text, path)
    except InvalidInput:
        return None
