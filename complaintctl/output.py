"""Printing: tables that line up Chinese text and fit the terminal, and JSON for scripts."""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

# Text whose display width is plain arithmetic: printable ASCII (1 column) and the CJK blocks,
# fullwidth forms and CJK punctuation (2 columns) — as wcwidth counts them.
_NARROW_OR_WIDE = re.compile(r"[\x20-\x7e\u3000-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
                             r"\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6]*\Z")
_ASCII = re.compile(r"[\x20-\x7e]")
_JAMO = re.compile("[\u1160-\u11ff\u200b\u3164\ud7b0-\ud7ff]")  # joined to the syllable before: 0 columns
# format characters that take a column all the same: the soft hyphen, prepended number signs
_SHOWN_FORMAT = frozenset((0xAD, *range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD))


def _width(text: str) -> int:
    if _NARROW_OR_WIDE.match(text):
        return 2 * len(text) - len(_ASCII.findall(text))
    widths = [_unicode_width(ch) for ch in text]
    return 0 if -1 in widths else sum(widths)  # a control character: wcswidth's -1, counted as 0


def _char_width(ch: str) -> int:
    o = ord(ch)
    if 0x20 <= o <= 0x7E:
        return 1
    if 0x4E00 <= o <= 0x9FFF or _NARROW_OR_WIDE.match(ch):
        return 2
    return max(_unicode_width(ch), 0)


def _unicode_width(ch: str) -> int:
    """A character's columns as wcwidth counts them, from the standard library's Unicode
    tables (wcwidth's import alone cost more than a one-case `show`): controls -1, combining
    and format characters 0, East Asian wide and fullwidth 2, the rest 1 (ambiguous is narrow).
    Where the interpreter's Unicode is older than wcwidth's, a few rare symbols (the trigrams)
    count one column less, and an Indic vowel sign after a consonant counts none."""
    o = ord(ch)
    if o < 0x20 or 0x7F <= o < 0xA0:
        return -1
    if o in _SHOWN_FORMAT:
        return 1
    if unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cf", "Zl", "Zp") or _JAMO.match(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


@dataclass(frozen=True)
class Col:
    """How a column gives way when the table is wider than the terminal.

    `shrink`: its cells may be cut (or, with `wrap`, wrapped) down to that many display
    columns (0: it keeps its width). `drop`: it may be left out; the highest number goes first,
    and only while the table cannot fit otherwise. `main`: the column the table is for (a
    subject, a note); the other columns shrink before it does."""

    shrink: int = 0
    drop: int = 0
    wrap: bool = False
    main: bool = False


FIXED = Col()
GAP = 2  # the spaces between two columns


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], width: int | None = None,
          cols: Sequence[Col] | None = None) -> str:
    """tabulate's "simple" table (CJK two columns wide). Text cells are laid out here, in one
    pass (tabulate's typing of 100,000 rows took seconds); anything else — numbers,
    None, several lines — goes to tabulate itself. tests/test_output.py compares the two.

    With a `width` and a `Col` per column, the table is fitted to that many display columns:
    cells cut by display width (a CJK character is two), low-value columns dropped (fit)."""
    if width is not None and cols is not None:
        return fit([[one_line(c) for c in r] for r in rows], [one_line(h) for h in headers], cols, width)
    cells = [[c.strip() if isinstance(c, str) else c for c in r] for r in rows]
    if all(isinstance(c, str) and "\n" not in c for r in cells for c in r) and \
            all(len(r) == len(headers) for r in cells) and all("\n" not in h for h in headers):
        return _simple(cells, [h.strip() for h in headers])
    import tabulate as _tabulate  # imported where used: most commands print no table

    _tabulate.WIDE_CHARS_MODE = True  # CJK characters are two columns wide (needs wcwidth)
    return _tabulate.tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True)


def _memo_width() -> Callable[[str], int]:
    """`_width`, remembered per distinct text (a table repeats its labels on every row)."""
    widths_of: dict[str, int] = {}

    def width(text: str) -> int:
        w = widths_of.get(text)
        if w is None:
            w = widths_of[text] = _width(text)
        return w
    return width


def _simple(rows: list[list[str]], headers: list[str]) -> str:
    width = _memo_width()

    cols = [max([width(h) + 2] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (cols[i] - width(v)) for i, v in enumerate(values)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in cols)]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def split(rows: Sequence[Sequence[str]], headers: Sequence[str], limit: int, keep: int = 1) -> str:
    """A table of figures in at most `limit` display columns without cutting or wrapping a
    cell (a count cut short is a wrong count, a wrapped row no longer lines up): the simple
    table if it fits; else long headers stacked on two lines; else, still too wide, split into
    narrower tables one under the other, each repeating the first `keep` columns (the row labels)."""
    width = _memo_width()
    n = len(headers)
    natural = [max([width(h) + 2] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if sum(natural) + GAP * (n - 1) <= limit:
        return _simple([list(r) for r in rows], list(headers))
    stacked = [_stack(h, width) if i >= keep else ("", h) for i, h in enumerate(headers)]
    widths = [max([width(part) for part in stacked[i]] + [width(r[i]) for r in rows]) for i in range(n)]
    room = limit - sum(widths[:keep]) - GAP * keep
    groups: list[list[int]] = [[]]
    used = 0
    for i in range(keep, n):
        if groups[-1] and used + widths[i] > room:
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += widths[i] + GAP
    # the groups as even as the same number of tables allows: a last table of one column reads badly
    per = -(-(n - keep) // len(groups))
    rest = list(range(keep, n))
    even = [rest[k:k + per] for k in range(0, len(rest), per)]
    if len(even) == len(groups) and all(sum(widths[i] + GAP for i in g) <= room for g in even):
        groups = even

    def render(picked: list[int]) -> str:
        def line(values: Sequence[str]) -> str:
            return "  ".join(v + " " * (widths[i] - width(v)) for i, v in zip(picked, values, strict=True)).rstrip()

        out = [line([stacked[i][0] for i in picked]), line([stacked[i][1] for i in picked])]
        if not out[0]:
            out.pop(0)
        out.append("  ".join("-" * widths[i] for i in picked))
        out.extend(line([r[i] for i in picked]) for r in rows)
        return "\n".join(out)

    return "\n\n".join(render([*range(keep), *g]) for g in groups)


def _stack(header: str, width: Callable[[str], int]) -> tuple[str, str]:
    """A header on two lines (top, bottom), broken where the wider line is narrowest: at a
    space, or in Chinese after an even number of characters (never one alone: 合计 stays
    whole); ("", header) when that saves nothing."""
    best = ("", header)
    for k in range(1, len(header)):
        a, b = header[:k], header[k:]
        if a.endswith(" ") or b.startswith(" "):
            top, bottom = a.strip(), b.strip()
        elif _char_width(a[-1]) == 2 and _char_width(b[0]) == 2 and k % 2 == 0 and len(b) >= 2:
            top, bottom = a, b  # between two-character words, as most Chinese words are: 人力/资源部
        else:
            continue
        if top and bottom and max(width(top), width(bottom)) < max(width(best[0]), width(best[1])):
            best = (top, bottom)
    return best


def fits(text: str, width: int) -> bool:
    """Whether every line of `text` takes at most `width` display columns."""
    return all(_width(line) <= width for line in text.splitlines())


def one_line(value: Any) -> str:
    if isinstance(value, str) and value.isprintable():  # the common case: no line breaks or tabs
        return value.strip()
    return "" if value is None else " ".join(str(value).split())


def fit(rows: list[list[str]], headers: list[str], cols: Sequence[Col], limit: int) -> str:
    """The simple table in at most `limit` display columns, as far as the columns allow: first
    the droppable columns go (highest `drop` first) while the main columns in full and the
    others at their floor are too wide; then the other shrinkable columns give way, then the
    main ones (cut or wrapped at their floor at the least)."""
    width = _memo_width()

    n = len(headers)
    tight = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    natural = [max(t, width(h) + 2) for t, h in zip(tight, headers, strict=True)]  # as _simple
    floor = [min(tight[i], cols[i].shrink) if cols[i].shrink else tight[i] for i in range(n)]
    shown = list(range(n))

    def total(ws: Sequence[int]) -> int:
        return sum(ws[i] for i in shown) + GAP * (len(shown) - 1)

    # Columns are dropped while the main ones could not be shown whole next to the others cut short.
    goal = [tight[i] if cols[i].main else floor[i] for i in range(n)]
    for i in sorted((i for i in range(n) if cols[i].drop), key=lambda i: (-cols[i].drop, -i)):
        if total(goal) <= limit:
            break
        shown.remove(i)
    widths = list(natural)
    for main in (False, True):  # the others give way first
        flex = [i for i in shown if cols[i].main is main and floor[i] < natural[i]]
        if total(widths) <= limit or not flex:
            continue
        _water_fill(widths, flex, floor, natural, limit - (total(widths) - sum(widths[i] for i in flex)))
    flex = [i for i in shown if cols[i].shrink]
    if total(widths) > limit and flex:  # a very narrow terminal: below the floors, down to 3 columns
        low = [min(f, 3) for f in floor]
        _water_fill(widths, flex, low, natural, limit - (total(widths) - sum(widths[i] for i in flex)))
    lines: list[str] = []
    places = [(i, widths[i], cols[i].wrap) for i in shown]
    cut: dict[tuple[str, int], str] = {}  # one cut per distinct text and width (a 100,000-row list)

    def pad(text: str, w: int) -> str:
        return text + " " * (w - width(text))

    def emit(values: list[str], wrap: bool) -> None:
        cells: list[str] = []
        tall: list[tuple[int, list[str]]] = []
        for k, (i, w, wraps) in enumerate(places):
            v = values[i]
            if width(v) > w:
                if wrap and wraps:
                    tall.append((k, wrap_text(v, w)))
                    v = ""
                else:
                    key = (v, w)
                    v = cut.get(key) or cut.setdefault(key, clip_width(v, w))
            cells.append(pad(v, w))
        if not tall:
            lines.append("  ".join(cells).rstrip())
            return
        depth = max(len(t) for _, t in tall)
        blank = [" " * w for _, w, _ in places]
        grid = [list(cells)] + [list(blank) for _ in range(depth - 1)]
        for k, wrapped in tall:
            for depth_at, part in enumerate(wrapped):
                grid[depth_at][k] = pad(part, places[k][1])
        lines.extend("  ".join(row).rstrip() for row in grid)

    emit(headers, wrap=False)
    lines.append("  ".join("-" * w for _, w, _ in places))
    for r in rows:
        emit(r, wrap=True)
    return "\n".join(lines)


def _water_fill(widths: list[int], flex: list[int], floor: list[int], natural: list[int], room: int) -> None:
    """Cap the flexible columns at one width (never under their floor) so that they take at
    most `room` columns; what rounding leaves goes to the widest."""
    def at(cap: int) -> list[int]:
        return [max(floor[i], min(natural[i], cap)) for i in flex]

    lo, hi = 0, max(natural[i] for i in flex)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(at(mid)) <= room:
            lo = mid
        else:
            hi = mid - 1
    for i, w in zip(flex, at(lo), strict=True):
        widths[i] = w
    spare = room - sum(widths[i] for i in flex)
    for i in sorted(flex, key=lambda i: -natural[i]):
        if spare <= 0:
            break
        give = min(spare, natural[i] - widths[i])
        widths[i] += give
        spare -= give


def clip_width(text: str, width: int) -> str:
    """`text` cut to `width` display columns, "…" marking the cut."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" if width > 0 else ""


def wrap_text(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` display columns; Latin words stay whole where they
    fit, Chinese breaks between any two characters."""
    width = max(width, 2)
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for ch in text:
        w = _char_width(ch)
        while used + w > width and line:
            cut = "".join(line)
            space = cut.rfind(" ")
            if ch != " " and space > 0 and _width(cut[space + 1:]) + w <= width:
                lines.append(cut[:space].rstrip())
                line = list(cut[space + 1:])
            else:
                lines.append(cut.rstrip())
                line = []
            used = _width("".join(line))
        if ch == " " and not line:
            continue
        line.append(ch)
        used += w
    if line or not lines:
        lines.append("".join(line))
    return lines


def as_json(value: Any) -> str:
    """JSON for scripts: valid JSON only (a NaN or an infinity is refused, never printed)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str, allow_nan=False)


def clip(text: str, width: int = 24) -> str:
    """One line of at most `width` display columns (a CJK character is two)."""
    return clip_width(" ".join(str(text or "").split()), width)


PROGRESS_AT = 200  # items of work from which a command shows a bar (about a second or more)


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal (a long cold
    rebuild of the read index, a first validate or sweep, the sample); scripts, pipes and logs
    see nothing."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total = label, max(total, 1)
        self.stream = stream or sys.stderr
        self.on = self.stream.isatty()
        self.last = 0.0
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if self.on and (now - self.last >= 0.1 or done >= self.total):
            self.last = now
            filled = self.WIDTH * min(done, self.total) // self.total
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                              f"{done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.last = 0.0
            self.update(self.done)
            self.stream.write("\n")
            self.stream.flush()
