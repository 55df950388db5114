"""R-RP-4 end to end: a bulletin built on a real repository whose cases carry every identifying
shape the masker knows leaks none of them, and keeps the office's name and ordinary words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Office

OFFICE = "杭州晓明物业服务中心"
SECRETS = ("欧阳娜娜", "娜娜", "135.2468.1357", "13524681357", "一三五二四六八一三五七", "12号楼3单元402", "402",
           "B座1502", "John", "Smith", "Brown", "粤B12345", "wangwu99", "js＠example.com", "js@example。com",
           "8765 4321", "李建华", "黄晓明", "john.smith@example.com")


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    for var in ("COMPLAINTCTL_NOW", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, when)


def test_a_bulletin_leaks_nothing_and_mangles_nothing(office: Office, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    policy = office.root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8").replace("name: 物业服务中心", f"name: {OFFICE}", 1)
    staff = "  - {name: 李工, email: ligong@example.com, unit: engineering, roles: [staff]}\n"
    assert staff in text
    text = text.replace(staff, staff + "  - {name: 黄晓明, email: hxm@example.com, unit: security, roles: [staff]}\n")
    policy.write_text(text, encoding="utf-8")
    office.git("commit", "-qam", "our office, and 黄晓明 joins security")

    at(monkeypatch, "2026-10-12T10:00:00+08:00")
    leak = office.new(severity="major", name="欧阳娜娜", contact="13524681357", location="12号楼3单元402",
                      subject="12号楼3单元402卫生间漏水",
                      details="欧阳娜娜（手机135.2468.1357，也可打一三五二四六八一三五七）反映卫生间漏水，"
                              "娜娜说楼下B座1502住户也受影响")
    office.run("assign", leak, "--handler", "李工", "--unit", "engineering")
    office.run("plan", leak, "--resolver", "李工", "--measures", "上门检查防水层", "--due", "2026-10-14")
    at(monkeypatch, "2026-10-13T10:00:00+08:00")
    office.run("resolve", leak, "--outcome", "repair", "--summary", "经核实，已由楼上住户李建华自行维修防水层")
    office.new(severity="major", name="John Smith", contact="john.smith@example.com", category="staff-conduct",
               subject="保安言语粗鲁", location="",
               details="John Smith (js＠example.com or js@example。com, 座机 8765 4321) says Mr. Brown's car "
                       "粤B12345 blocks the gate; 加我威信 wangwu99")
    office.new(severity="major", name="王先生", contact="13911112222", category="staff-conduct",
               subject="门岗保安态度差", location="", details="门岗保安拦车时态度粗暴，黄晓明在场")

    at(monkeypatch, "2026-11-10T09:00:00+08:00")
    out = tmp_path / "out"
    office.run("bulletin", "--period", "2026-10", "--out", str(out))
    for fmt in ("md", "html"):
        published = (out / f"bulletin-2026-10.{fmt}").read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in published, f"{secret} in the {fmt} bulletin"
        for kept in (OFFICE, "保安言语粗鲁", "门岗保安", "卫生间漏水", "楼上住户", "自行维修防水层", "欧阳某",
                     "【电话】", "【地址】", "【车牌】", "【账号】", "【邮箱】"):
            assert kept in published, f"{kept} not in the {fmt} bulletin"
