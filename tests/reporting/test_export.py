"""Issue 13 §10: spreadsheets as Excel users expect them — real date cells (the office's wall
clock: Excel keeps no zone), a frozen header row, columns as wide as their text (CJK counts
double), sheet names Excel accepts and never cut mid-word; CSV stays UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from wcwidth import wcswidth

from complaintctl.labels import label
from complaintctl.reporting.export import sheet_name
from tests.conftest import NOW, Office

WEEK = "2026-W47"  # NOW (2026-11-22, a Sunday) is in it


@pytest.fixture
def office_with_cases(office: Office, monkeypatch: pytest.MonkeyPatch) -> tuple[Office, list[str]]:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-18T09:05:00+08:00")
    first = office.new()
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T17:00:00+08:00")
    second = office.new()
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    return office, [first, second]


def test_the_register_xlsx_has_date_cells_a_frozen_header_widths_and_a_whole_word_sheet_name(
        office_with_cases: tuple[Office, list[str]], tmp_path: Path) -> None:
    office, ids = office_with_cases
    path = tmp_path / "register.xlsx"
    office.run("register", "--week", WEEK, "--xlsx", str(path))
    wb = load_workbook(path)
    (ws,) = wb.worksheets
    title = json.loads(office.run("register", "--week", WEEK, "--json").output)
    assert title["week"] == WEEK
    # "投诉登记周报 2026-W47 (2026-11-16 – 2026-11-22)" is 38 characters: the parenthesis goes, not half a word
    assert ws.title == f"{label('zh', 'register')} {WEEK}"
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    received = headers.index(label("zh", "received_at")) + 1
    cells = [ws.cell(row=r, column=received) for r in (2, 3)]
    assert all(c.is_date for c in cells), [c.value for c in cells]
    # naive, in the office's time (Asia/Shanghai): what the table shows
    assert [c.value for c in cells] == [datetime(2026, 11, 18, 9, 5), datetime(2026, 11, 22, 17, 0)]
    assert cells[0].number_format == "yyyy-mm-dd hh:mm"
    text_table = office.run("register", "--week", WEEK).output
    assert "2026-11-18 09:05" in text_table and "2026-11-22 17:00" in text_table
    subject = next(i for i, h in enumerate(headers, 1) if ws.cell(row=2, column=i).value == "电梯故障三天未修")
    letter = ws.cell(row=1, column=subject).column_letter
    assert ws.column_dimensions[letter].width >= wcswidth("电梯故障三天未修")  # 16 columns, not 8
    # the JSON keeps its text times
    rows = json.loads(office.run("register", "--week", WEEK, "--json").output)["rows"]
    assert rows[0]["received_at"] == "2026-11-18 09:05" and rows[0]["id"] == ids[0]


def test_report_and_export_xlsx_and_the_csv_bom(office_with_cases: tuple[Office, list[str]], tmp_path: Path) -> None:
    office, ids = office_with_cases
    office.run("report", "--period", "2026-11", "--xlsx", str(tmp_path / "r.xlsx"), "--csv", str(tmp_path / "r.csv"))
    wb = load_workbook(tmp_path / "r.xlsx")
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)
    assert all(len(ws.title) <= 31 and not set(ws.title) & set("[]:*?/\\") for ws in wb.worksheets)
    assert len({ws.title for ws in wb.worksheets}) == len(wb.worksheets)
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    office.run("register", "--week", WEEK, "--csv", str(tmp_path / "w.csv"))
    raw = (tmp_path / "w.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert any("2026-11-18 09:05" in row for row in rows)
    office.run("export", "--period", "2026-11", "--xlsx", str(tmp_path / "e.xlsx"))
    ws = load_workbook(tmp_path / "e.xlsx").active
    assert ws.freeze_panes == "A2"
    dates = [c for c in ws[2] if c.is_date]
    assert dates and dates[0].value == datetime(2026, 11, 18, 9, 5)
    # and `import` still reads its own export back (nothing new: both cases exist already)
    again = office.run("import", str(tmp_path / "e.xlsx"), "--yes", ok=False)
    assert again.exit_code == 0, again.output
    assert office.git("log", "--format=%s").stdout.count("已受理") == 2


@pytest.mark.parametrize("title,expected", [
    ("投诉登记周报 2026-W43 (2026-10-19 – 2026-10-25)", "投诉登记周报 2026-W43"),
    ("Complaint register 2026-W43 (2026-10-19 – 2026-10-25)", "Complaint register 2026-W43"),
    ("Customer complaint classification by unit and category", "Customer complaint"),
    ("顾客投诉分类统计表", "顾客投诉分类统计表"),
    ("a/b:c*d?e[f]g\\h", "abcdefgh"),
    ("'quoted'", "quoted"),
    ("", "sheet"),
    ("History", "History (2)"),
])
def test_sheet_names(title: str, expected: str) -> None:
    assert sheet_name(title, set()) == expected


def test_sheet_names_never_split_a_character_and_stay_unique() -> None:
    long_cjk = "投诉" * 20  # no spaces at all: cut between characters, at 31
    assert sheet_name(long_cjk, set()) == long_cjk[:31]
    accented = "e\u0301" * 20  # é as e + a combining acute: never cut between the two
    name = sheet_name(accented, set())
    assert len(name) <= 31 and not name.endswith("e")
    emoji = "😀" * 20  # two UTF-16 units each, as Excel counts
    assert sheet_name(emoji, set()) == "😀" * 15
    used: set[str] = set()
    names = [sheet_name("顾客投诉分类统计表", used) for _ in range(3)]
    assert names == ["顾客投诉分类统计表", "顾客投诉分类统计表 (2)", "顾客投诉分类统计表 (3)"]
    used = set()
    long_names = [sheet_name("x" * 40, used) for _ in range(2)]
    assert all(len(n) <= 31 for n in long_names) and len(set(long_names)) == 2
