"""output.table lays text tables out itself (issue 12): exactly as tabulate's "simple" format
with wide CJK characters, which it used before."""

from __future__ import annotations

import random

import tabulate

from complaintctl.output import _simple, table

WORDS = ["", "a", "bbb", "漏水", "电梯故障三天未修", "SZ-2611-0001", "2026-11-23 10:00", " padded ", "是的,好",
         "（全角）", "x·y", "ｆｕｌｌ", "é", "emoji🙂", "客户服务中心", "3栋2单元", "R-DL-7 overdue", "…",
         "e\u0301", "한국", "ｶﾅ", "Ελλάδα", "🇨🇳x"]


def reference(rows: list[list[str]], headers: list[str]) -> str:
    tabulate.WIDE_CHARS_MODE = True
    return tabulate.tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def test_text_tables_match_tabulate() -> None:
    rng = random.Random(4)
    for _ in range(300):
        ncols = rng.randint(1, 6)
        headers = [rng.choice(["ID", "status", "处理人", "subject", "h", "时间"]) for _ in range(ncols)]
        rows = [[rng.choice(WORDS) for _ in range(ncols)] for _ in range(rng.randint(0, 6))]
        assert table(rows, headers) == reference(rows, headers), (rows, headers)


def test_other_cells_still_go_to_tabulate() -> None:
    rows = [["a", None, 1.5, 3], ["two\nlines", "x", "", ""]]
    assert table(rows, ["w", "x", "y", "z"]) == reference(rows, ["w", "x", "y", "z"])  # type: ignore[arg-type]
    assert _simple([["a"]], ["x"]) == "x\n---\na"
