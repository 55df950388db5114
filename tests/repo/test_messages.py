"""Commit messages (repo/messages.py): the subject in the office's language, labels not keys;
the trailers in machine keys, which is all that history, reports and the server read."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office, set_identity
from tests.handling.test_deadlines import at, use_limits
from tests.handling.test_lifecycle import full_life

# Machine keys a subject must not show in a zh office: statuses, actions, fields, roles, vocabularies
KEYS = re.compile(r"\b(received|assigned|in_progress|waiting|resolved|closed|invalid|handler|satisfaction|"
                  r"satisfied|assign|plan|resolve|revisit|close|reopen|escalate|extend|correct|approve|"
                  r"staff|head|vp|gm|hq|severity|category|general|major|work-efficiency|repair)\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


def subjects(office: Office) -> list[str]:
    return office.git("log", "--format=%s", "--reverse").stdout.splitlines()


def trailers(office: Office, key: str) -> list[str]:
    out = office.git("log", f"--format=%(trailers:key={key},valueonly,separator=%x2C)", "--reverse").stdout
    return [line.strip() for line in out.splitlines()]


def test_a_zh_office_keeps_its_register_in_chinese(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = full_life(office, monkeypatch)
    set_identity(monkeypatch, "陈静", "chenjing@example.com")  # a head: reopens a closed case (R-CL-3)
    office.run("reopen", case_id, "--reason", "客户反映电梯再次故障")
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")  # vp: extends (R-DL-2) and corrects
    office.run("extend", case_id, "--until", date.today().replace(year=date.today().year + 1).isoformat(),
               "--clock", "resolution", "--reason", "等厂家配件")
    office.run("escalate", case_id, "--reason", "客户要求上级处理")
    office.run("correct", case_id, "--field", "assessment.severity", "--value", "major", "--reason", "录错等级")
    found = subjects(office)[1:]  # after init's
    assert len(found) == 10
    for subject in found:
        assert subject.startswith(f"{case_id}: ") and CJK.search(subject), subject
        assert not KEYS.search(subject.removeprefix(f"{case_id}: ")), subject
    assert found[0] == f"{case_id}: 已受理 — 电梯故障三天未修"
    assert found[1] == f"{case_id}: 已受理 → 已派单 — 处理人 李工"
    assert found[2] == f"{case_id}: 已派单 → 处理中 — 更换主板"
    assert found[4] == f"{case_id}: 回访 — 回访满意度:满意"
    assert found[6] == f"{case_id}: 已结案 → 处理中 — 已结案案件由部门负责人重新打开:客户反映电梯再次故障"
    assert found[7].startswith(f"{case_id}: 延期 — 处理完成延至 ")
    assert found[8] == f"{case_id}: 升级 — 一线员工 → 部门负责人"
    assert found[9] == f"{case_id}: 更正 — 投诉等级:一般投诉 → 重大投诉(录错等级)"
    # the trailers keep the keys, for scripts and for everything complaintctl reads back
    assert trailers(office, "Action")[1:] == ["new", "assign", "plan", "resolve", "revisit", "close", "reopen",
                                              "extend", "escalate", "correct"]
    assert "received → assigned" in trailers(office, "Transition")
    assert set(trailers(office, "Case")[1:]) == {case_id}
    history = office.run("history", case_id).output
    assert "已受理 → 已派单 — 处理人 李工" in history and "李工" in history
    period = office.show_json(case_id)["intake"]["received_at"][:7]
    people = {p["name"]: p for p in json.loads(office.run("report", "--period", period, "--json").output)["people"]}
    assert people["张敏"]["received"] == 1 and people["李工"]["handled"] == 1


def test_a_zh_sweep_and_policy_changes_speak_chinese(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    office.run("people", "add", "钱师傅", "--email", "qian@example.com", "--unit", "engineering", "--role", "staff")
    office.run("units", "add", "garden", "--zh", "园林绿化部", "--en", "Gardens")
    log = subjects(office)
    assert log[-2] == "人员:新增 钱师傅(工程维修部;一线员工)"
    assert log[-1] == "部门:新增 garden(园林绿化部)"
    body = office.git("log", "-2", "--format=%B").stdout
    assert "Policy: people add\nPerson: 钱师傅\nRoles: staff" in body and "Policy: units add\nUnit: garden" in body


def test_sweep_commit_is_worded_and_keeps_keys(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-02-13T17:30:00+08:00")
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工")
    at(monkeypatch, "2026-02-26T09:00:00+08:00")
    office.run("sweep")
    subject = subjects(office)[-1]
    assert subject == "巡检 2026-02-26 09:00:1件 — 升级1、催办2、升级为重大1", subject
    body = office.git("log", "-1", "--format=%B").stdout
    assert (f"{case_id}: 升级为重大 一般投诉 → 重大投诉; 催办 首次响应已超时; 催办 处理完成已超时; "
            "升级 一线员工 → 部门负责人") in body
    assert f"Case: {case_id}" in body and "Action: sweep" in body
    assert not KEYS.search(body.split("\n\n")[1]), body


def test_an_en_office_keeps_english_subjects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "en"
    made = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ", "--language", "en"],
                              catch_exceptions=False)
    assert made.exit_code == 0, made.output
    office = Office(root)
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    log = subjects(office)
    assert log[0] == "init office SZ (preset property)"
    assert log[1] == f"{case_id}: Received — 电梯故障三天未修"
    assert log[2] == f"{case_id}: Received → Assigned — handler 李工"
    assert not CJK.search(log[2].replace("李工", ""))
    assert "Transition: received → assigned" in office.git("log", "-1", "--format=%B").stdout
