"""Hostile case files (issue 10, item 4): what a clumsy editor or an attacker commits by hand.
Each is built from a real case's text, so only the hostile part is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable

Edit = Callable[[str], bytes]


def _sub(pattern: str, replacement: str, count: int = 1) -> Edit:
    def edit(text: str) -> bytes:
        new, n = re.subn(pattern, replacement, text, count=count, flags=re.MULTILINE)
        assert n, f"{pattern!r} not in the case file"
        return new.encode("utf-8")
    return edit


def _append(extra: str) -> Edit:
    return lambda text: (text + extra).encode("utf-8")


def _deep(depth: int) -> Edit:
    return _append("deep: " + "[" * depth + "]" * depth + "\n")


def _laughs(text: str) -> bytes:
    lines = ["lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return (text + "\n".join(lines) + "\n").encode("utf-8")


def _long_timeline(entries: int) -> Edit:
    def edit(text: str) -> bytes:
        one = "  - {at: 2026-11-20 09:00:00+08:00, by: 张敏, action: note, note: x}\n"
        return (text + "".join([one] * entries)).replace("\ntimeline:\n", "\ntimeline:\n", 1).encode("utf-8")
    return edit


# name -> (edit of a committed case's text, what the finding must say)
HOSTILE: dict[str, tuple[Edit, str]] = {
    "feb-30": (_sub(r"^  due: .*$", "  due: 2026-02-30"), "is not a real date"),
    "month-13": (_sub(r"^  received_at: 2026-11", "  received_at: 2026-13"), "is not a real date"),
    "year-0": (_sub(r"^  received_at: 2026", "  received_at: 0000"), "is not a real date"),
    "year-9999": (_sub(r"^  received_at: 2026", "  received_at: 9999"), "outside 2000–2100"),
    "offset-25h": (_sub(r"\+08:00$", "+25:00"), "UTC offset +25:00 does not exist"),
    "5000-digits": (_sub(r"^  location: .*$", "  location: " + "9" * 5000), "too long"),
    "float-tag": (_sub(r"^  location: .*$", "  location: !!float 'abc'"), "tags (!!float) are not allowed"),
    "nan": (_append("resolution: {compensation: .nan}\n"), "not a finite number"),
    "not-utf8": (lambda t: t.replace("电梯", "\udcff", 1).encode("utf-8", "surrogateescape"), "not UTF-8"),
    "gbk": (lambda t: t.encode("gbk", "replace"), "not UTF-8"),
    "utf16": (lambda t: t.encode("utf-16"), "UTF-16"),
    "deep-20000": (_deep(20000), "nested deeper than 16 levels"),
    "self-anchor": (_append("loop: &loop [*loop]\n"), "are not allowed in case files"),
    "binary": (_append("blob: !!binary aGVsbG8=\n"), "tags (!!binary) are not allowed"),
    "set": (_append("things: !!set {a, b}\n"), "tags (!!set) are not allowed"),
    "python-tag": (_append("x: !!python/object/apply:os.system ['true']\n"), "tags (!!python/object/apply"),
    "billion-laughs": (_laughs, "anchors (&a0) are not allowed"),
    "at-garbage": (_sub(r"^  - at: .*$", "  - at: garbage"), "timeline[0].at"),
    "repeat-of-text": (_sub(r"^  repeat_of:(?: \[\]|(?:\n    - .*)+)$", "  repeat_of: SZ-2610-0001"),
                       "assessment.repeat_of"),
    "copied-5": (_sub(r"^  copied:(?: \[\]|(?:\n    - .*)+)$", "  copied: 5"), "routing.copied"),
    "timeline-200000": (_long_timeline(200_000), "larger than 1048576 bytes"),
    "two-documents": (_append("---\nid: again\n"), "one YAML document per case file"),
}
