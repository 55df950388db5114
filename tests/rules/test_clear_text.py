"""R-RT-5 with privacy required (rules.clear_text): nothing that looks like a phone, an ID-card
number, a car plate, a unit or room number, an e-mail or a chat handle in a clear field or a
commit message — and ordinary Chinese text, dates, amounts and case IDs pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from complaintctl import i18n
from complaintctl.model.case import load_plain
from complaintctl.policy.policy import Policy, load_policy
from complaintctl.policy.privacy import Privacy
from complaintctl.rules import clear_text
from complaintctl.rules.clear_text import identifying, message_findings
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding
from tests.conftest import Office

RECOVERY = "age1" + "q" * 58  # the shape of an X25519 recipient; no key is used here

LEAKS = [
    ("业主13512345678投诉", "phone"), ("回电 135.2468.1357", "phone"), ("135 2468 1357", "phone"),
    ("(0755)8765 4321", "phone"), ("座机 8765-4321", "phone"), ("一三五二四六八一三五七", "phone"),
    ("B座1502住户", "address"), ("12号楼3单元402漏水", "address"), ("3栋2单元1201室", "address"),
    ("12-3-1201", "address"), ("Room 1203 leaks", "address"), ("#1203", "address"),
    ("粤B12345占用车位", "plate"), ("粤B·D12345", "plate"), ("身份证440301199001011234", "id"),
    ("加我威信 wangwu99", "account"), ("联系 wang＠example。com", "email"),
]
HONEST = [
    "2026-10-31 起电梯停运", "已赔付1500元", "赔偿12000元", "见 SZ-2610-0001", "12号楼电梯故障",
    "3栋2单元门禁失灵", "电梯停在12层", "涉及12户", "10月3号上午", "2025-2026年度", "工单号 20261031",
    "2026年10月31日上午9:30回访", "处理时限3个工作日", "1号门岗保安言语粗鲁", "更换主板,费用1,500元",
    "2026-10-31T09:00:00+08:00", "合同号HT2026001",
]


@pytest.mark.parametrize("text,kind", LEAKS)
def test_identifying_shapes_are_found(text: str, kind: str) -> None:
    assert kind in identifying(text)


@pytest.mark.parametrize("text", HONEST)
def test_ordinary_text_dates_amounts_and_case_ids_pass(text: str) -> None:
    assert identifying(text) == []


def check_case(path: str, data: Mapping[str, Any], previous: Mapping[str, Any] | None, policy: Policy,
               now: datetime) -> list[Finding]:
    """This rule alone (the protected fields of these plain test cases are rules.privacy's)."""
    return list(clear_text.check(CheckContext(path, data, previous, policy, now)))


def private(office: Office) -> Policy:
    i18n.use("en")  # the office's commands spoke its language; the rules are called here directly
    return replace(load_policy(office.root), privacy=Privacy(True, RECOVERY))


def test_a_clear_field_is_judged_only_with_privacy_required(office: Office) -> None:
    case_id = office.new()
    path = office.path(case_id)
    rel = path.relative_to(office.root).as_posix()
    before = load_plain(path.read_text(encoding="utf-8"), rel)
    after = load_plain(path.read_text(encoding="utf-8").replace("subject: 电梯故障三天未修",
                                                                "subject: 业主13512345678反映电梯故障"), rel)
    found = [str(f) for f in check_case(rel, after, before, private(office), datetime.now(UTC))]
    assert found == [f"{rel}: intake.subject: R-RT-5: looks like a phone number: with privacy required, what "
                     "identifies a complainant belongs only in the encrypted intake fields"]
    assert check_case(rel, after, before, load_policy(office.root), datetime.now(UTC)) == []  # privacy off
    # a value already there (recorded before privacy was switched on) is not judged again
    assert check_case(rel, after, after, private(office), datetime.now(UTC)) == []


def test_a_new_timeline_note_is_judged(office: Office) -> None:
    case_id = office.new()
    office.run("note", case_id, "已联系业主,B座1502")
    path = office.path(case_id)
    rel = path.relative_to(office.root).as_posix()
    data = load_plain(path.read_text(encoding="utf-8"), rel)
    previous = dict(data, timeline=data["timeline"][:-1])
    n = len(data["timeline"]) - 1
    found = [f"{f.field}: {f.rule}" for f in check_case(rel, data, previous, private(office), datetime.now(UTC))]
    assert found == [f"timeline[{n}].note: R-RT-5"]


def test_commit_messages() -> None:
    assert [str(f) for f in message_findings("回电业主 13512345678\n\nCase: SZ-2611-0001\n", True)] == [
        "(commit message): message: R-RT-5: looks like a phone number: with privacy required, what identifies "
        "a complainant belongs only in the encrypted intake fields"]
    assert message_findings("回电业主 13512345678", False) == []
    # staff identities in trailers are not a complainant's data
    assert message_findings("SZ-2611-0001: received — 电梯故障\n\nCase: SZ-2611-0001\nAction: new\n"
                            "Signed-off-by: 张敏 <zhangmin@example.com>\n", True) == []


def test_every_clear_field_is_a_field_of_the_schema() -> None:
    from complaintctl.model import fields as F
    from complaintctl.rules.clear_text import CLEAR_FIELDS

    assert set(CLEAR_FIELDS) <= set(F.ALL)
