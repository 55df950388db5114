"""Legal transitions only, an append-only timeline, fields fixed after intake."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.case import get
from complaintctl.rules import renumber, union
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

# R-IN-2: the first receiver stays responsible; intake facts are never rewritten.
FIXED_FIELDS = ("id", F.INTAKE_RECEIVED_AT, F.INTAKE_RECORDED_AT, F.INTAKE_FIRST_RECEIVER)


def _entries(data: Mapping[str, Any]) -> list[Any]:
    timeline = data.get("timeline")
    return list(timeline) if isinstance(timeline, list) else []


def check(ctx: CheckContext) -> Iterator[Finding]:
    entries = _entries(ctx.data)
    if not isinstance(ctx.data.get("timeline"), list) or not entries:
        yield ctx.finding("timeline", "R-WF", _("must list at least the intake entry"))
        return
    state: str | None = None
    for i, entry in enumerate(entries):
        where = f"timeline[{i}]"
        if not isinstance(entry, Mapping):
            yield ctx.finding(where, "R-WF", _("each entry is a mapping with at, by, action"))
            continue
        for key in ("at", "by", "action"):
            if not entry.get(key):
                yield ctx.finding(f"{where}.{key}", "R-WF", _("required in every timeline entry"))
        dst = entry.get("to")
        if dst is None:
            continue
        src = entry.get("from")
        if state is None:
            if dst != "received" or src is not None:
                yield ctx.finding(where, "R-WF", _("the first status entry must be the intake (to: received)"))
        elif src != state:
            yield ctx.finding(f"{where}.from", "R-WF",
                              _("says from {src!r} but the case was {state!r}").format(src=src, state=state))
        elif not workflow.is_legal(src, dst):
            allowed = ", ".join(workflow.legal_targets(src)) or _("none (terminal)")
            yield ctx.finding(f"{where}.to", "R-WF",
                              _("{src} → {dst} is not a legal transition (from {src}: {allowed})")
                              .format(src=src, dst=dst, allowed=allowed))
        state = dst
    if state != ctx.data.get("status"):
        yield ctx.finding("status", "R-WF",
                          _("is {status!r} but the timeline's last transition leads to {state!r}: every status change "
                            "is "
                          "a timeline entry").format(status=ctx.data.get("status"), state=state))
    if ctx.previous is not None:
        yield from _against_previous(ctx)


def _against_previous(ctx: CheckContext) -> Iterator[Finding]:
    assert ctx.previous is not None
    added = union.added(ctx.previous, ctx.data, ctx.merge)
    # An authorised correction (`complaintctl correct`, judged by rules.ledger) may change some;
    # a merge's entries were each judged in the commit that made them.
    corrected = {str(e.get("field")) for e in added or [] if isinstance(e, Mapping)
                 and e.get("action") == "correct"} if ctx.ledger or ctx.merge else set()
    # sync's renumbering (rules.renumber) judges the case under its new ID against the old file.
    if renumber.is_renumbering(ctx.previous, ctx.data):
        corrected.add("id")
    for field in FIXED_FIELDS:
        if field in corrected:
            continue
        before, after = get(ctx.previous, field), get(ctx.data, field)
        if before != after:
            yield ctx.finding(field, "R-IN-2",
                              _("is fixed after intake ({before!r} → {after!r})").format(before=before, after=after))
    if added is None:
        yield ctx.finding("timeline", "R-WF", _("is append-only: earlier entries may not be changed or removed"))
    if ctx.previous.get("status") == "invalid" and ctx.data != ctx.previous:
        yield ctx.finding("status", "R-AS-1", _("an invalid case is final and may not change"))
