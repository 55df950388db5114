"""The shape of a case document: which known field holds what kind of value.

Checked by the strict reader after it builds the values, so everything downstream (the
rules, lists, reports) can trust that `timeline` is a list of mappings, that a time is a
time and a list a list. Unknown keys may hold anything the reader accepts: the rules
decide about them. Whether a field is *required* is the rules' business (R-IN-1 ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

# Leaf kinds
SCALAR = "text"  # any scalar: text, number, bool (shown with str()); not a list or mapping
MOMENT = "a date or time"
BOOL = "true or false"
NUMBER = "a number"
TEXTS = "a list of texts"

_PERSON_STEP = {"at": MOMENT, "by": SCALAR}
_ENTRY = {"at": MOMENT, "by": SCALAR, "action": SCALAR, "from": SCALAR, "to": SCALAR, "note": SCALAR,
          "until": MOMENT, "due": MOMENT, "clock": SCALAR, "level": SCALAR, "severity": SCALAR,
          "satisfaction": SCALAR, "old_id": SCALAR, "new_id": SCALAR,
          "of": {"at": MOMENT, "by": SCALAR, "action": SCALAR}}  # vouch-late: the entry it vouches for

SPEC: dict[str, Any] = {
    "id": SCALAR,
    "status": SCALAR,
    "intake": {
        "received_at": MOMENT, "recorded_at": MOMENT, "channel": SCALAR, "first_receiver": SCALAR,
        "complainant": {"name": SCALAR, "class": SCALAR, "contact": SCALAR, "address": SCALAR, "lookup": TEXTS,
                        "anonymous": BOOL, "anonymous_reason": SCALAR},
        "location": SCALAR, "subject": SCALAR, "details": SCALAR, "materials": TEXTS,
    },
    "assessment": {"category": SCALAR, "severity": SCALAR, "valid": BOOL, "repeat_of": TEXTS,
                   "repeat": BOOL, "invalid_reason": SCALAR, "reply": SCALAR, "decided_by": SCALAR},
    "accused": {"person": SCALAR, "unit": SCALAR},
    "routing": {"unit": SCALAR, "handler": SCALAR, "copied": TEXTS, "escalation_level": SCALAR},
    "plan": {"resolver": SCALAR, "measures": SCALAR, "due": MOMENT},
    "clocks": {"*": {"due": MOMENT, "done": MOMENT}},
    "timeline": [_ENTRY],
    "resolution": {**_PERSON_STEP, "outcome": SCALAR, "summary": SCALAR, "compensation": NUMBER,
                   "responsible": SCALAR, "share": NUMBER, "loss": NUMBER},
    "revisit": {**_PERSON_STEP, "satisfaction": SCALAR, "comment": SCALAR, "confirmed_by_customer": BOOL},
    "closing": {**_PERSON_STEP, "root_cause": SCALAR, "preventive_action": SCALAR, "lesson": SCALAR,
                "late_reason": SCALAR},
}


def _leaf_ok(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind is SCALAR:
        return not isinstance(value, dict | list)
    if kind is MOMENT:
        return isinstance(value, date)  # datetime is a date too
    if kind is BOOL:
        return isinstance(value, bool)
    if kind is NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    # TEXTS
    return isinstance(value, list) and all(v is not None and not isinstance(v, dict | list) for v in value)


def problems(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, message) for each value of the wrong kind; the top level must be a mapping."""
    if not isinstance(data, dict):
        yield (), "a case file must be a YAML mapping of sections (id, status, intake, ...)"
        return
    yield from _walk(data, SPEC, ())


def _walk(value: Any, spec: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(spec, dict):
        if value is None:
            return
        if not isinstance(value, dict):
            yield path, f"must be a mapping, not {_kind(value)}"
            return
        wildcard = spec.get("*")
        for key, item in value.items():
            sub = spec.get(key, wildcard)
            if sub is not None:
                yield from _walk(item, sub, (*path, key))
    elif isinstance(spec, list):
        if value is None:
            return
        if not isinstance(value, list):
            yield path, f"must be a list, not {_kind(value)}"
            return
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                yield (*path, i), f"must be a mapping (at, by, action ...), not {_kind(item)}"
            else:
                yield from _walk(item, spec[0], (*path, i))
    elif not _leaf_ok(spec, value):
        yield path, f"must be {spec}, not {_kind(value)}"


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{value!r}".lower()
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return repr(value)[:40]


def dotted(path: tuple[str | int, ...]) -> str:
    """`timeline[3].at` for ("timeline", 3, "at")."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"
