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


def _recorded(office: Office) -> str:
    return office.git("rev-list", "--count", "HEAD").stdout.strip()


@pytest.mark.parametrize("contact", ["-", "1391234", "12345678", "wang@", "王女士"])
def test_new_refuses_a_contact_that_reaches_nobody(office: Office, contact: str) -> None:
    before = _recorded(office)
    result = office.new_result(contact=contact)
    assert result.exit_code == 2, result.output
    assert "--contact" in result.output and repr(contact) in result.output and "R-IN-1" in result.output
    assert _recorded(office) == before


@pytest.mark.parametrize("contact", ["13912345678", "139 1234 5678", "+86 139-1234-5678", "0755-12345678",
                                     "(010)65529988", "400-810-8888", "wang@example.org"])
def test_new_takes_a_mobile_a_landline_with_its_area_code_or_an_email(office: Office, contact: str) -> None:
    case_id = office.new(contact=contact)
    assert office.show_json(case_id)["intake"]["complainant"]["contact"] == contact


def test_in_a_terminal_a_bad_contact_is_asked_again(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "stdin_is_terminal", lambda: True)
    answers = "1391234\n13800138000\nowner\nwork-efficiency\n电梯故障三天未修\n3栋电梯停运三天\n"
    result = office.run("new", "--channel", "phone", "--name", "王女士", input=answers)
    assert "'1391234'" in result.output
    case_id = result.output.strip().splitlines()[-1].split()[0]
    assert office.show_json(case_id)["intake"]["complainant"]["contact"] == "13800138000"


def allow_anonymous(office: Office) -> None:
    policy = office.root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "\nanonymous: false\n" in text
    policy.write_text(text.replace("\nanonymous: false\n", "\nanonymous: true\n"), encoding="utf-8")
    office.git("commit", "-q", "-am", "policy: anonymous complaints")


ANONYMOUS = ("--anonymous", "--channel", "phone", "--complainant-class", "owner", "--category", "work-efficiency",
             "--subject", "楼道灯不亮", "--details", "5栋楼道灯坏了一周")


def test_an_office_whose_policy_says_so_takes_an_anonymous_complaint_and_closes_it_without_revisit(
        office: Office) -> None:
    allow_anonymous(office)
    case_id = office.run("new", *ANONYMOUS, "--anonymous-reason", "不愿留名").output.split()[0]
    complainant = office.show_json(case_id)["intake"]["complainant"]
    assert complainant["anonymous"] is True and complainant["anonymous_reason"] == "不愿留名"
    assert not complainant.get("name") and not complainant.get("contact")
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换灯泡", "--due", office.soon(case_id))
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换")
    refused = office.run("revisit", case_id, "--satisfaction", "satisfied", ok=False)
    assert refused.exit_code == 1 and "R-CL-1" in refused.output  # nobody to revisit
    office.run("close", case_id, "--root-cause", "灯泡老化")
    assert office.show_json(case_id)["status"] == "closed"
    office.run("validate")


def test_anonymous_is_refused_where_the_policy_does_not_take_it(office: Office) -> None:
    before = _recorded(office)
    result = office.run("new", *ANONYMOUS, "--anonymous-reason", "不愿留名", ok=False)
    assert result.exit_code == 1 and "R-IN-1" in result.output and "anonymous: true" in result.output
    assert _recorded(office) == before


@pytest.mark.parametrize("extra,named", [((), "--anonymous-reason"), (("--anonymous-reason", "x", "--name", "王女士"),
                                                                      "--name"),
                                         (("--anonymous-reason", "x", "--contact", "13800138000"), "--contact")])
def test_anonymous_has_a_reason_and_no_name_or_contact(office: Office, extra: tuple[str, ...], named: str) -> None:
    allow_anonymous(office)
    before = _recorded(office)
    result = office.run("new", *ANONYMOUS, *extra, ok=False)
    assert result.exit_code == 2 and named in result.output, result.output
    assert _recorded(office) == before
