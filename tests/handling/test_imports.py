"""Intake bridges (issue 14 §2-3): `export --xlsx` and `import` from spreadsheets (an xlsx
written by openpyxl, a GBK CSV) and from e-mail (.eml, mbox, Maildir with RFC 2047 Chinese
subjects, GBK bodies and an attachment) — through the real CLI and the real hooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from complaintctl.commands import intake as intake_cmd
from tests.conftest import Office
from tests.mails import (
    PHOTO,
    PHOTO_NAME,
    gbk_with_photo,
    html_only,
    sha256,
    write_eml,
    write_maildir,
    write_mbox,
)

States = tuple[Office, dict[str, str]]
NOW = "2026-11-22T17:30:00+08:00"


def head(office: Office) -> str:
    return office.git("rev-parse", "HEAD").stdout.strip()


def cases(office: Office) -> list[str]:
    out = office.git("ls-files", "cases").stdout.split()
    return sorted(Path(p).stem for p in out if p.endswith(".yaml"))


def test_an_export_imports_back_into_another_office_once(states: States, office: Office, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    source, ids = states
    xlsx = tmp_path / "intake.xlsx"
    source.run("export", "--period", "2026-11", "--xlsx", str(xlsx))
    before = head(office)
    shown = office.run("import", str(xlsx)).output  # not a terminal: the table, nothing committed
    assert "加 --yes 即可导入" in shown and f"{xlsx.name} row 2" in shown and head(office) == before
    out = office.run("import", str(xlsx), "--yes").output
    assert "已导入" in out and head(office) != before
    assert office.git("rev-list", "--count", f"{before}..HEAD").stdout.strip() == "1"  # one commit per file
    assert office.git("log", "-1", "--format=%an").stdout.strip() == "张敏"
    imported = cases(office)
    assert len(imported) == len(cases(source))
    for new_id in imported:  # the intake fields came across as they were
        new = office.show_json(new_id)
        old = source.show_json(new["intake"]["source"]["key"])
        for field in ("received_at", "channel", "subject", "details", "first_receiver"):
            assert new["intake"][field] == old["intake"][field], field
        assert new["intake"]["complainant"] == old["intake"]["complainant"]
        assert (new["status"], new["assessment"]["category"]) == ("received", old["assessment"]["category"])
    again = office.run("import", str(xlsx), "--yes").output  # re-import: nothing new
    assert "没有可导入的新投诉" in again and "已有 SZ-2611-" in again
    assert cases(office) == imported
    assert "没有可导入的新投诉" in source.run("import", str(xlsx), "--yes").output  # its own export, too


def _register(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["来电时间", "姓名", "电话", "客户类型", "渠道", "类型", "问题", "描述", "备注"])
    for row in rows:
        ws.append(row)
    wb.save(str(path))
    return path


MAPPING = """\
来电时间: intake.received_at
姓名: intake.complainant.name
电话: intake.complainant.contact
客户类型: intake.complainant.class
渠道: intake.channel
类型: assessment.category
问题: intake.subject
描述: intake.details
备注:
"""


def test_a_register_from_excel_is_checked_row_by_row_then_imported_whole(office: Office, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    good = [datetime(2026, 11, 20, 9, 30), "李先生", 13800138001, "业主", "电话", "工作效率", "水压不足",
            "高层早晚水压不够", "老客户"]
    bad_phone = [datetime(2026, 11, 20, 10, 0), "赵女士", None, "owner", "phone", "other", "噪音", "深夜施工", ""]
    bad_category = ["2026/11/21 08:00", "钱先生", "13900000000", "租户", "电话", "电梯", "电梯坏了", "电梯停运", ""]
    register = _register(tmp_path / "登记表.xlsx", [good, bad_phone, bad_category])
    before = head(office)
    result = office.run("import", str(register), "--mapping", str(mapping), "--yes", ok=False)
    assert result.exit_code == 1, result.output
    assert "登记表.xlsx row 3: 电话 (intake.complainant.contact): R-IN-1: required" in result.output
    assert ("登记表.xlsx row 4: 类型 (assessment.category): R-DEF-3: '电梯' is not in the policy's categories"
            in result.output)
    assert head(office) == before and cases(office) == []  # nothing from that file
    assert office.git("status", "--porcelain").stdout == ""
    bad_phone[2], bad_category[5], bad_category[7] = "13700000000", "其他", "电梯困人半小时"
    register = _register(tmp_path / "登记表.xlsx", [good, bad_phone, bad_category])
    result = office.run("import", str(register), "--mapping", str(mapping), "--yes")
    assert "注意:登记表.xlsx row 4:按事件 lift-entrapment 登记(emergency,R-AS-3)" in result.output
    made = cases(office)
    assert made == ["SZ-2611-0001", "SZ-2611-0002", "SZ-2611-0003"]
    assert office.show_json("SZ-2611-0003")["assessment"]["severity"] == "emergency"  # as `new` records it
    first = office.show_json("SZ-2611-0001")
    assert first["intake"]["complainant"]["contact"] == "13800138001"  # Excel's number, kept as text
    assert (first["intake"]["channel"], first["intake"]["complainant"]["class"]) == ("phone", "owner")
    assert first["intake"]["received_at"].startswith("2026-11-20T09:30:00+08:00")
    assert first["intake"]["source"]["file"] == "登记表.xlsx" and first["intake"]["source"]["row"] == 2
    assert "没有可导入的新投诉" in office.run("import", str(register), "--mapping", str(mapping),
                                                 "--yes").output
    # the same register saved by Excel as CSV in a Chinese locale (GBK)
    csv = tmp_path / "登记表2.csv"
    text = ("来电时间,姓名,电话,客户类型,渠道,类型,问题,描述,备注\r\n"
            "2026-11-21 14:00,孙女士,13600000000,业主,电话,其他,绿化无人修剪,中心花园杂草丛生,\r\n")
    csv.write_bytes(text.encode("gbk"))
    office.run("import", str(csv), "--mapping", str(mapping), "--yes")
    assert office.show_json("SZ-2611-0004")["intake"]["subject"] == "绿化无人修剪"


def test_an_email_becomes_a_case_with_its_attachment_kept(office: Office, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    eml = write_eml(tmp_path / "complaint.eml", gbk_with_photo())
    before = head(office)
    refused = office.run("import", str(eml), "--yes", ok=False)  # not a terminal: nothing is asked
    assert refused.exit_code == 1 and "complainant-class: R-DEF-2: required — give --complainant-class" in \
        refused.output and "category: R-DEF-3: required" in refused.output
    assert head(office) == before
    office.run("import", str(eml), "--yes", "--complainant-class", "owner", "--category", "work-efficiency")
    case_id = "SZ-2611-0001"
    data = office.show_json(case_id)
    intake = data["intake"]
    assert (intake["channel"], intake["complainant"]["name"], intake["complainant"]["contact"]) == (
        "email", "王芳", "wangfang@example.com")
    assert intake["subject"] == "电梯故障三天无人维修"
    assert "3栋2单元电梯故障已经三天" in intake["details"]
    assert intake["received_at"].startswith("2026-11-22T09:15:00+08:00")
    assert intake["materials"] == [PHOTO_NAME]
    assert intake["attachments"] == [{"file": PHOTO_NAME, "sha256": sha256(PHOTO), "size": len(PHOTO),
                                      "type": "image/jpeg"}]
    assert intake["source"]["message_id"] == "<20261122091500.1234@mail.example.com>"
    kept = f"materials/2026/11/{case_id}/{PHOTO_NAME}"
    assert (office.root / kept).read_bytes() == PHOTO
    shown = office.run("show", case_id).output
    assert f"{PHOTO_NAME} (kept, sha256 {sha256(PHOTO)[:12]}" in shown and "complaint.eml: <20261122091500" in shown
    committed = office.git("-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").stdout
    assert sorted(committed.split()) == sorted([f"cases/2026/11/{case_id}.yaml", kept])
    # the same message again — alone, in an mbox, in a Maildir — creates nothing; the new one is imported
    assert "没有可导入的新投诉" in office.run("import", str(eml), "--yes", "--complainant-class", "owner",
                                       "--category", "other").output
    mbox = write_mbox(tmp_path / "inbox.mbox", gbk_with_photo(), html_only())
    out = office.run("import", str(mbox), "--yes", "--complainant-class", "owner", "--category", "other").output
    assert "已有 SZ-2611-0001" in out and "已导入 1 件投诉 SZ-2611-0002" in out
    html = office.show_json("SZ-2611-0002")["intake"]
    assert html["subject"] == "楼道灯不亮" and html["complainant"]["name"] == "朱镕"
    assert html["details"] == "楼道灯坏了一周, 没人修。\n\n住户:朱镕"  # text, no markup, no script or style
    maildir = write_maildir(tmp_path / "Maildir", gbk_with_photo(), html_only())
    assert "没有可导入的新投诉" in office.run("import", str(maildir), "--yes", "--complainant-class", "owner",
                                       "--category", "other").output
    assert cases(office) == ["SZ-2611-0001", "SZ-2611-0002"]
    # the case file, with its attachments and source, is what the published schema describes
    import json

    from jsonschema import Draft202012Validator

    from complaintctl.model.case import load_plain, to_plain

    schema = json.loads((Path(__file__).resolve().parents[2] / "templates" / "case.schema.json").read_text("utf-8"))
    text = office.path(case_id).read_text(encoding="utf-8")
    assert not list(Draft202012Validator(schema).iter_errors(to_plain(load_plain(text, case_id))))


def test_missing_fields_are_asked_in_a_terminal_and_limits_hold(office: Office, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    monkeypatch.setattr(intake_cmd, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr("complaintctl.commands.importing.stdin_is_terminal", lambda: True)
    eml = write_eml(tmp_path / "a.eml", gbk_with_photo())
    out = office.run("import", str(eml), input="tenant\nresident-disputes\ny\n").output
    assert "Complainant class" in out and "Category" in out and "已导入 1 件投诉" in out
    data = office.show_json("SZ-2611-0001")
    assert (data["intake"]["complainant"]["class"], data["assessment"]["category"]) == ("tenant", "resident-disputes")
    # a photo over the policy's materials.max_size is refused, or recorded by name with --skip-disallowed
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("max_size: 10 MB", "max_size: 1 KB"),
                      encoding="utf-8")
    office.git("commit", "-q", "-am", "materials: 1 KB")
    big = write_eml(tmp_path / "big.eml", gbk_with_photo("<big@mail.example.com>", PHOTO + b"\x00" * 2048))
    monkeypatch.setattr("complaintctl.commands.importing.stdin_is_terminal", lambda: False)
    args = ("import", str(big), "--yes", "--complainant-class", "owner", "--category", "other")
    result = office.run(*args, ok=False)
    assert result.exit_code == 1 and f"attachment {PHOTO_NAME}: R-IN-1: 2.5 KB is over materials.max_size" \
        in result.output
    office.run(*args, "--skip-disallowed")
    second = office.show_json("SZ-2611-0002")["intake"]
    assert second["materials"][0].startswith(f"{PHOTO_NAME} (not kept: 2.5 KB is over") and \
        not second.get("attachments")
    assert not (office.root / "materials/2026/11/SZ-2611-0002").exists()
