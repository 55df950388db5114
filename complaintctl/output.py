"""Printing: tables that line up Chinese text, and JSON for scripts."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

# Text whose display width is plain arithmetic: printable ASCII (1 column) and the CJK blocks,
# fullwidth forms and CJK punctuation (2 columns) — as wcwidth counts them.
_NARROW_OR_WIDE = re.compile(r"[\x20-\x7e\u3000-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
                             r"\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6]*\Z")
_ASCII = re.compile(r"[\x20-\x7e]")


def _width(text: str) -> int:
    if _NARROW_OR_WIDE.match(text):
        return 2 * len(text) - len(_ASCII.findall(text))
    from wcwidth import wcswidth

    return max(wcswidth(text), 0)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """tabulate's "simple" table (CJK two columns wide). Text cells are laid out here, in one
    pass (issue 12: tabulate's typing of 100,000 rows took seconds); anything else — numbers,
    None, several lines — goes to tabulate itself. tests/test_output.py compares the two."""
    cells = [[c.strip() if isinstance(c, str) else c for c in r] for r in rows]
    if all(isinstance(c, str) and "\n" not in c for r in cells for c in r) and \
            all(len(r) == len(headers) for r in cells) and all("\n" not in h for h in headers):
        return _simple(cells, [h.strip() for h in headers])
    import tabulate as _tabulate  # imported where used: most commands print no table

    _tabulate.WIDE_CHARS_MODE = True  # CJK characters are two columns wide (needs wcwidth)
    return _tabulate.tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True)


def _simple(rows: list[list[str]], headers: list[str]) -> str:
    widths_of: dict[str, int] = {}

    def width(text: str) -> int:
        w = widths_of.get(text)
        if w is None:
            w = widths_of[text] = _width(text)
        return w

    cols = [max([width(h) + 2] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (cols[i] - width(v)) for i, v in enumerate(values)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in cols)]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def clip(text: str, width: int = 24) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal (a long cold
    rebuild of the read index); scripts and logs see nothing."""

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
