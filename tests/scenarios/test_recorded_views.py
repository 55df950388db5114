"""Every view says how a case stands against the record (docs/design/recorded-time.md): the
backdated resolution of tests/scenarios/test_recorded_time.py (earlier steps synced when done,
the resolution claimed Friday 17:00, pushed on Sunday by an authenticated pusher) reads as
"claimed on time, recorded late" in `register`, `due` and `list --overdue` — also at a past
`--as-of` — and counts as upgraded by R-DL-6 from its recorded time; its vouched twin reads as
on time (vouched) and is not upgraded, once the record has the vouch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Office, set_identity
from tests.remotes import group_fixture  # noqa: F401 (fixture)
from tests.scenarios.test_recorded_time import SUNDAY, at, offline_friday, report_json, scene

SATURDAY = "2026-11-21 10:00"  # past the due (Friday 18:00), before the record saw the resolution
WEEK = "2026-W47"


def backdated(office: Office, monkeypatch: pytest.MonkeyPatch) -> str:
    case_id = scene(office, monkeypatch)
    at(monkeypatch, SUNDAY)  # done on Sunday, claimed Friday 17:00 — no reason, no approver
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板", "--at", "2026-11-20 17:00")
    office.run("sync")
    return case_id


def vouched(office: Office, monkeypatch: pytest.MonkeyPatch) -> str:
    """Really resolved on Friday 17:00 while offline, synced on Sunday, vouched by the vp."""
    case_id = offline_friday(office, monkeypatch)
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")  # the vp: approvals.late
    monkeypatch.setenv("COMPLAINTCTL_PUSHER", "liuyang")
    office.run("vouch", case_id, "--reason", "周五机房断网,维修确于周五17:00完成")
    office.run("sync")
    return case_id


def register_row(office: Office, case_id: str, *as_of: str) -> dict[str, str]:
    rows = json.loads(office.run("register", "--week", WEEK, "--json", *as_of).output)["rows"]
    (row,) = [r for r in rows if r["id"] == case_id]
    return dict(row)


def due_resolution(office: Office, case_id: str, as_of: str) -> list[dict[str, object]]:
    found = json.loads(office.run("due", "--as-of", as_of, "--json").output)
    return [v for v in found if v["id"] == case_id and v["clock"] == "resolution"]


def overdue(office: Office, as_of: str) -> dict[str, list[dict[str, object]]]:
    found = json.loads(office.run("list", "--overdue", "--as-of", as_of, "--json").output)
    return {r["id"]: r["overdue"] for r in found}


def test_a_backdated_resolution_reads_recorded_late_in_register_due_and_list(
        office: Office, group: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    case_id = backdated(office, monkeypatch)
    row = register_row(office, case_id)
    assert row["timeliness"] == "声称按时,记录逾期", row
    assert row["severity"] == "重大投诉 (R-DL-6)", row  # counted upgraded from the recorded time
    text = office.run("register", "--week", WEEK, "--wide").output
    assert "记录时效" in text and "声称按时,记录逾期" in text, text
    # as the record stood on Saturday, the resolution had not reached it: the clock was overdue
    row = register_row(office, case_id, "--as-of", SATURDAY)
    assert row["timeliness"] == "已超时 (声称按时,记录逾期)", row
    (view,) = due_resolution(office, case_id, SATURDAY)
    assert (view["state"], view["how"]) == ("overdue", ["claimed on time, recorded late"]), view
    shown = office.run("due", "--as-of", SATURDAY, "--wide").output
    assert "已超时 (声称按时,记录逾期)" in shown, shown
    late = overdue(office, SATURDAY)
    assert [v["how"] for v in late[case_id] if v["clock"] == "resolution"] == [["claimed on time, recorded late"]]
    listed = office.run("list", "--overdue", "--as-of", SATURDAY, "--wide").output
    assert case_id in listed and "声称按时,记录逾期" in listed, listed
    # R-DL-6 counted from R: the report counts it upgraded and major, though no sweep wrote it
    rep = report_json(office)
    assert rep["upgraded_ids"] == [case_id], rep
    assert {"key": "major", "count": 1} in [{k: c[k] for k in ("key", "count")}
                                           for c in rep["by_severity"]], rep["by_severity"]  # type: ignore[attr-defined]
    assert "升级(R-DL-6)" in office.run("report", "--period", "2026-11").output
    # the bulletin counts by the same figures, and features it as the major complaint it became
    out = tmp_path / "bulletin"
    office.run("bulletin", "--period", "2026-11", "--out", str(out))
    md = (out / "bulletin-2026-11.md").read_text(encoding="utf-8")
    featured = md[md.index(case_id):]
    assert "· 重大投诉 (R-DL-6) ·" in featured[:400] and "入选原因: 重大投诉" in featured[:400], featured[:400]


def test_its_vouched_twin_reads_on_time_vouched_everywhere(office: Office, group: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = vouched(office, monkeypatch)
    row = register_row(office, case_id)
    assert row["timeliness"] == "按时(补录,已核准)", row
    assert row["severity"] != "重大投诉 (R-DL-6)", row
    shown = office.run("show", case_id).output
    assert "按时 (按时(补录,已核准))" in shown, shown
    assert due_resolution(office, case_id, SUNDAY) == []
    assert "resolution" not in [v["clock"] for v in overdue(office, SUNDAY).get(case_id, [])]
    # as the record stood on Saturday it had neither the resolution nor the vouch
    (view,) = due_resolution(office, case_id, SATURDAY)
    assert (view["state"], view["how"]) == ("overdue", ["claimed on time, recorded late"]), view
    assert register_row(office, case_id, "--as-of", SATURDAY)["timeliness"] == "已超时 (声称按时,记录逾期)"
    rep = report_json(office)
    assert (rep["upgraded_ids"], rep["vouched_ids"]) == ([], [case_id]), rep


IMPORT_MAPPING = """\
来电时间: intake.received_at
姓名: intake.complainant.name
电话: intake.complainant.contact
客户类型: intake.complainant.class
渠道: intake.channel
类型: assessment.category
问题: intake.subject
描述: intake.details
"""


def test_imported_cases_are_counted_apart_never_on_time_nor_recorded_late(
        office: Office, group: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Past complaints from an office's old register, imported on Sunday evening and pushed on
    Monday morning: the register cannot have witnessed when they were received or taken in.
    One's intake limit had passed by its claim (late), the other's only by the push (recorded
    late): both read as imported, apart; a complaint recorded with `new` is judged as ever."""
    monkeypatch.setenv("COMPLAINTCTL_PUSHER", "zhangmin")
    at(monkeypatch, "2026-11-22T17:30:00+08:00")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(IMPORT_MAPPING, encoding="utf-8")
    csv = tmp_path / "登记表.csv"
    csv.write_bytes(("来电时间,姓名,电话,客户类型,渠道,类型,问题,描述\r\n"
                     "2026-11-20 09:30,孙女士,13600000000,业主,电话,其他,绿化无人修剪,中心花园杂草丛生\r\n"
                     "2026-11-22 09:00,李先生,13600000001,业主,电话,其他,路灯不亮,北门路灯坏了三盏\r\n").encode("gbk"))
    office.run("import", str(csv), "--mapping", str(mapping), "--yes")
    imported = ["SZ-2611-0001", "SZ-2611-0002"]
    at(monkeypatch, "2026-11-23T10:00:00+08:00")
    office.run("sync")
    honest = office.new("--received-at", "2026-11-22 20:00")
    office.run("sync")
    for case_id in imported:
        shown = office.run("show", case_id).output
        (line,) = [ln for ln in shown.splitlines() if ln.lstrip().startswith("录入")]
        assert "导入(声称,未经见证)" in line and "按时" not in line and "记录逾期" not in line, line
        assert register_row(office, case_id)["timeliness"] == "导入(声称,未经见证)"
    assert register_row(office, honest)["timeliness"] == "按时"
    rep = report_json(office)
    assert (rep["imported_ids"], rep["recorded_late_ids"]) == (imported, []), rep
    intake = [c for c in rep["clocks"] if c["clock"] == "intake"]  # type: ignore[attr-defined]
    assert [(c["on_time"], c["late"]) for c in intake] == [(1, 0)], intake  # the honest one only
    text = office.run("report", "--period", "2026-11").output
    assert text.count("导入(声称,未经见证)") == 2, text
    log = office.git("log", "-1", "--format=%B", "--grep", "Action: import").stdout
    assert "Action: import" in log  # the import commit says what wrote these entries
