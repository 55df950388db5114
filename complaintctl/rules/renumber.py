"""Renumbering: when two clones of one office numbered different complaints alike
offline, `sync` gives the unpushed one the next free number. `id` is fixed after intake
(R-IN-2) and the path follows the ID (R-IN-5), so a renumbering is the one accepted way a
case file is deleted: the same commit adds the case under its new ID, identical except for
`id` and a last timeline entry `{action: renumber, old_id, new_id}`. Cases that referred to
the old number (assessment.repeat_of, R-AS-5) get the reference rewritten and the same entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from complaintctl.model import fields as F
from complaintctl.model.case import get

ACTION = "renumber"


def entries(data: Mapping[str, Any]) -> list[Any]:
    timeline = data.get("timeline")
    return list(timeline) if isinstance(timeline, list) else []


def renames(new_entries: list[Any]) -> dict[str, str] | None:
    """old → new IDs if every entry is a renumber entry, else None."""
    out: dict[str, str] = {}
    for e in new_entries:
        if not isinstance(e, Mapping) or e.get("action") != ACTION:
            return None
        out[str(e.get("old_id"))] = str(e.get("new_id"))
    return out


def _without(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


def is_renumbering(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """`new` is `old` under a new ID and nothing else changed."""
    old_t, new_t = entries(old), entries(new)
    if len(new_t) != len(old_t) + 1 or new_t[:-1] != old_t:
        return False
    last = new_t[-1]
    if not isinstance(last, Mapping) or last.get("action") != ACTION:
        return False
    if last.get("old_id") != old.get("id") or last.get("new_id") != new.get("id"):
        return False
    return _without(old, "id", "timeline") == _without(new, "id", "timeline")


def only_references_renamed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """`new` differs from `old` only by repeat_of links rewritten by recorded renumber entries."""
    old_t, new_t = entries(old), entries(new)
    if len(new_t) <= len(old_t) or new_t[: len(old_t)] != old_t:
        return False
    mapping = renames(new_t[len(old_t):])
    if mapping is None:
        return False
    before = [mapping.get(str(r), str(r)) for r in (get(old, F.ASSESSMENT_REPEAT_OF) or [])]
    after = [str(r) for r in (get(new, F.ASSESSMENT_REPEAT_OF) or [])]
    if before != after:
        return False
    strip_old = {k: v for k, v in (old.get("assessment") or {}).items() if k != "repeat_of"}
    strip_new = {k: v for k, v in (new.get("assessment") or {}).items() if k != "repeat_of"}
    return strip_old == strip_new and _without(old, "timeline", "assessment") == \
        _without(new, "timeline", "assessment")
