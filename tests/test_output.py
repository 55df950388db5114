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


def test_split_stacks_then_splits_a_table_of_figures_and_cuts_nothing() -> None:
    from wcwidth import wcswidth

    from complaintctl.output import split

    headers = ["投诉类别", *[f"第{n}号客户关系协调中心" for n in range(1, 9)], "合计"]
    rows = [["工作效率", *[str(n * 111) for n in range(1, 9)], "3996"], ["合计", *["1"] * 8, "8"]]
    text = split(rows, headers, 80)
    assert max(wcswidth(line) for line in text.splitlines()) <= 80
    tables = text.split("\n\n")
    assert len(tables) > 1 and all(t.splitlines()[3].startswith("工作效率") for t in tables)  # labels repeated
    for n in range(1, 9):
        assert str(n * 111) in text  # every figure whole
    assert "第1号客户关" in text and "系协调中心" in text  # a long header stacked on two lines
    assert "合计" in tables[-1].splitlines()[1] and "3996" in tables[-1]
    assert all(len(t.splitlines()) == 5 for t in tables)  # two header lines, the rule, two rows: no wrap
    assert split([["工作效率", "1"]], ["投诉类别", "合计"], 80) == _simple([["工作效率", "1"]], ["投诉类别", "合计"])
