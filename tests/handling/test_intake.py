"""`new` fails clearly without a terminal and prompts for what is missing in one (R-IN-1)."""

from __future__ import annotations

import pytest

from complaintctl.commands import intake
from tests.conftest import Office


def test_without_a_terminal_new_names_the_missing_option(office: Office) -> None:
    result = office.run("new", "--channel", "phone", "--name", "王女士", "--contact", "13800138000",
                        "--complainant-class", "owner", "--subject", "电梯故障", "--details", "停运", ok=False)
    assert result.exit_code == 1
    assert result.output.strip() == "错误:--category 为必填项(R-IN-1);在终端中运行可逐项询问"
    assert office.git("rev-list", "--count", "HEAD").stdout.strip() == "1"


def test_in_a_terminal_new_prompts_for_what_is_missing(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "stdin_is_terminal", lambda: True)
    answers = "13800138000\nalien\nowner\nwork-efficiency\n电梯故障三天未修\n3栋电梯停运三天\n"
    result = office.run("new", "--channel", "phone", "--name", "王女士", input=answers)
    assert "联系方式(电话/邮箱):" in result.output
    assert "投诉人类别 (业主 / 准业主" in result.output and "'alien' 不在可选值中" in result.output  # asked again
    case_id = result.output.strip().splitlines()[-1].split()[0]
    data = office.show_json(case_id)
    assert data["intake"]["complainant"] == {"name": "王女士", "class": "owner", "contact": "13800138000",
                                             "address": None}
    assert data["assessment"]["category"] == "work-efficiency"
    assert data["intake"]["details"] == "3栋电梯停运三天"
