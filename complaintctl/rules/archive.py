"""R-CL-3: a closed case is archived. It changes only by `reopen` (the first new timeline
entry), or when sync renumbers a case it refers to (rules.renumber). The `clocks` section is
derived data: recomputing it is no change to the record — the deadlines rule
(R-DL-2) checks it against the policy either way."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from complaintctl.i18n import _
from complaintctl.rules import renumber, union
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding


def check(ctx: CheckContext) -> Iterator[Finding]:
    prev = ctx.previous
    if prev is None or prev.get("status") != "closed" or _record(ctx.data) == _record(prev):
        return
    added = union.added(prev, ctx.data, ctx.merge) or []
    first = added[0] if added else None
    if isinstance(first, Mapping) and first.get("action") == "reopen":
        return
    if added and all(isinstance(e, Mapping) and e.get("action") == "erase" for e in added):
        return  # R-RT-5, PIPL art. 47: a complainant's data is erased from an archived case too
    if renumber.only_references_renamed(prev, ctx.data) or renumber.is_renumbering(prev, ctx.data):
        return  # sync moved it to a free number, or a case it refers to
    yield ctx.finding("status", "R-CL-3",
                      _("the case is closed (archived): it may change only by `complaintctl reopen` (a first new "
                        "timeline entry with action: reopen)"))


def _record(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "clocks"}
