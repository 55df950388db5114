"""Printing: tables that line up Chinese text, and JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    import tabulate as _tabulate  # imported where used: most commands print no table (issue 12)

    _tabulate.WIDE_CHARS_MODE = True  # CJK characters are two columns wide (needs wcwidth)
    return _tabulate.tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def clip(text: str, width: int = 24) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"
