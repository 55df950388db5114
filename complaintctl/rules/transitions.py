"""Legal transitions only, an append-only timeline, fields fixed after intake."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from complaintctl.model import workflow
from complaintctl.model.case import get
from complaintctl.rules import renumber
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

# R-IN-2: the first receiver stays responsible; intake facts are never rewritten.
FIXED_FIELDS = ("id", "intake.received_at", "intake.recorded_at", "intake.first_receiver")


def _entries(data: Mapping[str, Any]) -> list[Any]:
    timeline = data.get("timeline")
    return list(timeline) if isinstance(timeline, list) else []


def check(ctx: CheckContext) -> Iterator[Finding]:
    entries = _entries(ctx.data)
    if not isinstance(ctx.data.get("timeline"), list) or not entries:
        yield ctx.finding("timeline", "R-WF", "must list at least the intake entry")
        return
    state: str | None = None
    for i, entry in enumerate(entries):
        where = f"timeline[{i}]"
        if not isinstance(entry, Mapping):
            yield ctx.finding(where, "R-WF", "each entry is a mapping with at, by, action")
            continue
        for key in ("at", "by", "action"):
            if not entry.get(key):
                yield ctx.finding(f"{where}.{key}", "R-WF", "required in every timeline entry")
        dst = entry.get("to")
        if dst is None:
            continue
        src = entry.get("from")
        if state is None:
            if dst != "received" or src is not None:
                yield ctx.finding(where, "R-WF", "the first status entry must be the intake (to: received)")
        elif src != state:
            yield ctx.finding(f"{where}.from", "R-WF", f"says from {src!r} but the case was {state!r}")
        elif not workflow.is_legal(src, dst):
            allowed = ", ".join(workflow.legal_targets(src)) or "none (terminal)"
            yield ctx.finding(f"{where}.to", "R-WF",
                              f"{src} → {dst} is not a legal transition (from {src}: {allowed})")
        state = dst
    if state != ctx.data.get("status"):
        yield ctx.finding("status", "R-WF", f"is {ctx.data.get('status')!r} but the timeline's last "
                          f"transition leads to {state!r}: every status change is a timeline entry")
    if ctx.previous is not None:
        yield from _against_previous(ctx, entries)


def _against_previous(ctx: CheckContext, entries: list[Any]) -> Iterator[Finding]:
    assert ctx.previous is not None
    old = _entries(ctx.previous)
    # An authorised correction (`complaintctl correct`, judged by rules.ledger) may change some.
    corrected = {str(e.get("field")) for e in entries[len(old):] if isinstance(e, Mapping)
                 and e.get("action") == "correct"} if ctx.ledger else set()
    # sync's renumbering (rules.renumber) judges the case under its new ID against the old file.
    if renumber.is_renumbering(ctx.previous, ctx.data):
        corrected.add("id")
    for field in FIXED_FIELDS:
        if field in corrected:
            continue
        before, after = get(ctx.previous, field), get(ctx.data, field)
        if before != after:
            yield ctx.finding(field, "R-IN-2", f"is fixed after intake ({before!r} → {after!r})")
    if len(entries) < len(old) or entries[: len(old)] != old:
        yield ctx.finding("timeline", "R-WF", "is append-only: earlier entries may not be changed or removed")
    if ctx.previous.get("status") == "invalid" and ctx.data != ctx.previous:
        yield ctx.finding("status", "R-AS-1", "an invalid case is final and may not change")
