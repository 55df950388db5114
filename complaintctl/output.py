"""Printing: tables that line up Chinese text, and JSON for scripts."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    import tabulate as _tabulate  # imported where used: most commands print no table (issue 12)

    _tabulate.WIDE_CHARS_MODE = True  # CJK characters are two columns wide (needs wcwidth)
    return _tabulate.tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True)


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
