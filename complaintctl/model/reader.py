"""The strict reader: case files are a small, safe YAML subset.

libyaml (PyYAML's C parser) turns the text into events; this module builds plain Python
values from them and refuses, with the line, everything a case file never needs and an
attacker or a clumsy editor could bring: anchors and aliases (billion laughs), explicit
tags (`!!binary`, `!!set`, `!!python/...`), several documents, non-text keys, duplicate
and merge keys, nesting deeper than the limit, more timeline entries than the limit,
dates that do not exist or lie outside 2000-01-01..2100-12-31, UTC offsets that do not
exist, numbers that are not finite or too long, and control characters in text.

Scalars resolve as YAML 1.2 (what ruamel, our writer, reads): `yes` stays text.
Building from events skips PyYAML's generic resolver and constructor, so the strict
read costs less than `yaml.load(text, Loader=yaml.CSafeLoader)` (BENCHMARKS.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import yaml
from yaml import events as ev

# libyaml's parser; a PyYAML built without libyaml still reads (pure Python, slower).
_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_OFFSET = timedelta(hours=14)  # the widest real UTC offsets are -12:00 and +14:00
MAX_NUMBER_CHARS = 32


@dataclass(frozen=True)
class Limits:
    """Bounds on one case file (the policy's `limits:` may change them)."""

    max_bytes: int = 1_048_576
    max_depth: int = 16
    max_timeline: int = 2_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: the line (1-based, 0 = the whole file), the field, why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field + ': ' if self.field else ''}{self.message}"


class Refused(ValueError):
    """The text is not in the case-file subset; `problems` say where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def _refuse(line: int, message: str, field: str = "") -> Refused:
    return Refused([Problem(line, field, message)])


# The shapes ruamel (our writer) resolves as timestamps; anything else stays text, as there.
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_STAMP = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})"
                    r"(?:\.([0-9]*))?(?:[ \t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?$")
_OFFSET = re.compile(r"^([-+])([0-9]{1,2})(?::([0-9]{2}))?$")
_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_INT_BASE = re.compile(r"^[-+]?0(?:b[01_]+|o[0-7_]+|x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+"
                    r"|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?)$")
_SPECIAL_FLOAT = re.compile(r"^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_RESOLVE_FIRST = frozenset("0123456789-+.~nNtTfF")
_ZONES: dict[str, timezone] = {}


def check_moment(moment: date, what: str = "") -> str | None:
    """Why a date or time is out of the range case files accept, or None."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return f"{what or moment.isoformat()}: year {moment.year} is outside {FIRST_YEAR}–{LAST_YEAR}"
    if isinstance(moment, datetime) and moment.utcoffset() is not None:
        if abs(moment.utcoffset() or timedelta(0)) > MAX_OFFSET:
            return f"{what or moment.isoformat()}: UTC offset beyond ±14:00"
    return None


def _zone(text: str, line: int) -> timezone:
    tz = _ZONES.get(text)
    if tz is not None:
        return tz
    m = _OFFSET.match(text)
    if text == "Z":
        tz = UTC
    elif m is None:  # pragma: no cover - _STAMP admits only these shapes
        raise _refuse(line, f"UTC offset {text} is not ±HH:MM")
    else:
        hours, minutes = int(m[2]), int(m[3] or 0)
        if minutes >= 60 or timedelta(hours=hours, minutes=minutes) > MAX_OFFSET:
            raise _refuse(line, f"UTC offset {text} does not exist (at most ±14:00)")
        sign = -1 if m[1] == "-" else 1
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes), f"{m[1]}{hours:02d}:{minutes:02d}")
    if len(_ZONES) < 256:
        _ZONES[text] = tz
    return tz


def _dated(m: re.Match[str] | None, value: str, line: int) -> date | datetime:
    try:
        if m is None:
            d = _DATE.match(value)
            assert d is not None
            result: date | datetime = date(int(d[1]), int(d[2]), int(d[3]))
        else:
            frac = (m[7] or "")[:6].ljust(6, "0")
            result = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), int(frac),
                              _zone(m[8], line) if m[8] else None)
    except ValueError as exc:
        if isinstance(exc, Refused):
            raise
        raise _refuse(line, f"{value!r} is not a real date or time ({exc})") from None
    why = check_moment(result, repr(value))
    if why:
        raise _refuse(line, why)
    return result


def _number(value: str, line: int) -> int | float:
    if len(value) > MAX_NUMBER_CHARS:
        raise _refuse(line, f"a number of {len(value)} characters is too long (at most {MAX_NUMBER_CHARS}); "
                      "quote it if it is text")
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _INT_BASE.match(value):
        sign = -1 if value[0] == "-" else 1
        body = value.lstrip("+-")
        return sign * int(body[2:].replace("_", ""), {"b": 2, "o": 8, "x": 16}[body[1]])
    number = float(value.replace("_", ""))
    if not math.isfinite(number):
        raise _refuse(line, f"{value} is too large a number")
    return number


def _plain(value: str, line: int) -> Any:
    """A plain (unquoted) scalar, resolved as YAML 1.2 does, strictly."""
    if not value:
        return None
    if value[0] not in _RESOLVE_FIRST:
        return value
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if len(value) >= 10 and value[4] == "-":
        stamp = _STAMP.match(value)
        if stamp is not None or _DATE.match(value):
            return _dated(stamp, value, line)
    if _INT.match(value) or _INT_BASE.match(value) or _FLOAT.match(value):
        return _number(value, line)
    if _SPECIAL_FLOAT.match(value):
        raise _refuse(line, f"{value} is not a finite number")
    return value


_MAP_START, _MAP_END = ev.MappingStartEvent, ev.MappingEndEvent
_SEQ_START, _SEQ_END = ev.SequenceStartEvent, ev.SequenceEndEvent
_SCALAR, _ALIAS = ev.ScalarEvent, ev.AliasEvent
_DOC_START, _DOC_END = ev.DocumentStartEvent, ev.DocumentEndEvent
_STREAM_START, _STREAM_END = ev.StreamStartEvent, ev.StreamEndEvent


def _events(text: str) -> Iterator[Any]:
    parser = _Parser(text)
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return
            yield event
    finally:
        parser.dispose()


def _yaml_error(exc: yaml.YAMLError) -> Refused:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 0
    problem = getattr(exc, "problem", None) or str(exc)
    return _refuse(line, f"not valid YAML: {' '.join(str(problem).split())[:160]}")


def _flow_run(depth: int) -> re.Pattern[str]:
    pattern = _FLOW_RUNS.get(depth)
    if pattern is None:
        pattern = _FLOW_RUNS[depth] = re.compile(rf"[\[{{](?:[ \t\r\n,]*[\[{{]){{{depth}}}")
    return pattern


_FLOW_RUNS: dict[int, re.Pattern[str]] = {}


def _too_deep_in_flow(text: str, max_depth: int) -> int:
    """The line of a run of more than `max_depth` opening flow brackets, or 0.

    libyaml scans flow collections ahead of the events it hands over and stops deep nesting
    itself, in words of its own that change between releases: when it refuses a text that
    holds such a run, the refusal is the reader's depth limit, said in the reader's words.
    Only openers with nothing but blanks and commas between them count: that is nesting in
    any YAML. (A quoted "[[[[…" is text: it is judged this way only if libyaml refused the
    file anyway, so a valid file is never refused by this count.)"""
    if text.count("[") + text.count("{") <= max_depth:
        return 0
    found = _flow_run(max_depth).search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def parse(text: str, limits: Limits = DEFAULT_LIMITS, timeline_key: str = "timeline") -> Any:
    """The one document in `text` as plain values (dict, list, str, int, float, bool, None,
    date, datetime); Refused (with the line) when the text leaves the subset."""
    if len(text) > limits.max_bytes or (len(text) * 4 > limits.max_bytes
                                        and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes):
        raise _refuse(0, f"larger than {limits.max_bytes} bytes (the policy's limits.case_file_bytes)")
    try:
        return _build(_events(text), limits, timeline_key)
    except yaml.YAMLError as exc:
        deep = _too_deep_in_flow(text, limits.max_depth)
        if deep:  # the limit is the reader's, whichever parser noticed it first
            raise _refuse(deep, _too_deep(limits.max_depth)) from None
        raise _yaml_error(exc) from None
    except RecursionError:  # pragma: no cover - the parser is not recursive; kept as a last guard
        raise _refuse(0, "nested too deeply") from None


def _too_deep(max_depth: int) -> str:
    return f"nested deeper than {max_depth} levels (the policy's limits.case_depth)"


def _build(events: Iterator[Any], limits: Limits, timeline_key: str) -> Any:
    # Frames: [container, pending key (mappings) or None, is-mapping, is-the-timeline]
    stack: list[list[Any]] = []
    root: Any = None
    have_root = documents = 0
    max_depth, max_timeline = limits.max_depth, limits.max_timeline
    for event in events:
        kind = type(event)
        if kind is _SCALAR:
            line = event.start_mark.line + 1
            if event.anchor is not None:
                raise _refuse(line, f"anchors (&{event.anchor}) are not allowed in case files")
            if event.tag is not None and event.tag != "!":
                raise _refuse(line, f"tags ({event.tag.replace('tag:yaml.org,2002:', '!!')}) are not allowed in "
                              "case files")
            if event.style:  # quoted or block: always text
                value: Any = event.value
                if event.style == '"' and _CONTROL.search(value):
                    raise _refuse(line, "control characters are not allowed in text")
            else:
                value = _plain(event.value, line)
        elif kind is _MAP_START or kind is _SEQ_START:
            line = event.start_mark.line + 1
            if event.anchor is not None:
                raise _refuse(line, f"anchors (&{event.anchor}) are not allowed in case files")
            if event.tag is not None:
                raise _refuse(line, f"tags ({event.tag.replace('tag:yaml.org,2002:', '!!')}) are not allowed in "
                              "case files")
            if len(stack) >= max_depth:
                raise _refuse(line, _too_deep(max_depth))
            is_map = kind is _MAP_START
            top = stack[-1] if stack else None
            is_timeline = (top is not None and len(stack) == 1 and top[2] and top[1] == timeline_key
                           and not is_map)
            container: Any = {} if is_map else []
            if top is not None and top[2] and top[1] is None:
                raise _refuse(line, "mapping keys must be text, not a mapping or a list")
            stack.append([container, None, is_map, is_timeline])
            continue
        elif kind is _MAP_END or kind is _SEQ_END:
            value = stack.pop()[0]
            line = event.start_mark.line + 1
        elif kind is _ALIAS:
            raise _refuse(event.start_mark.line + 1, f"aliases (*{event.anchor}) are not allowed in case files")
        elif kind is _DOC_START:
            documents += 1
            if documents > 1:
                raise _refuse(event.start_mark.line + 1, "one YAML document per case file")
            continue
        else:
            continue
        # Attach `value` to its parent.
        if not stack:
            root, have_root = value, 1
            continue
        top = stack[-1]
        if top[2]:
            if top[1] is None:
                if not isinstance(value, str):
                    raise _refuse(line, f"mapping keys must be text, not {value!r}")
                if value == "<<":
                    raise _refuse(line, "merge keys (<<) are not allowed in case files")
                if value in top[0]:
                    raise _refuse(line, f"duplicate key {value!r}")
                top[1] = value
            else:
                top[0][top[1]] = value
                top[1] = None
        else:
            top[0].append(value)
            if top[3] and len(top[0]) > max_timeline:
                raise _refuse(line, f"more than {max_timeline} timeline entries (the policy's "
                              "limits.timeline_entries)")
    return root if have_root else None


def line_of(text: str, path: Sequence[str | int]) -> int:
    """The line where the value at `path` starts (0 if not found): for messages only, so the
    fast read above keeps no positions."""
    stack: list[list[Any]] = []  # [is-mapping, key or index, expecting-key]
    try:
        for event in _events(text):
            kind = type(event)
            if kind in (_SCALAR, _MAP_START, _SEQ_START):
                here: list[Any] = []
                if stack:
                    top = stack[-1]
                    if top[0] and top[2]:  # this scalar is a key
                        top[1], top[2] = event.value if kind is _SCALAR else None, False
                        continue
                    here = [f[1] for f in stack]
                    if top[0]:
                        top[2] = True
                    else:
                        top[1] += 1
                        here[-1] = top[1]
                if here == list(path) or (not path and not stack):
                    return int(event.start_mark.line) + 1
                if kind is _MAP_START:
                    stack.append([True, None, True])
                elif kind is _SEQ_START:
                    stack.append([False, -1, False])
            elif kind in (_MAP_END, _SEQ_END):
                stack.pop()
                if stack and stack[-1][0]:
                    stack[-1][2] = True
    except yaml.YAMLError:
        return 0
    return 0
