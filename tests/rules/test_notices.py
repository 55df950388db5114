"""Who is told what (rules/notices.py), as the pure function it is, and the message texts."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from complaintctl.policy.policy import parse_policy_text
from complaintctl.repo.office import policy_text
from complaintctl.reporting.mailtexts import render
from complaintctl.rules.notices import pending

AT = datetime.fromisoformat("2026-11-22T10:00:00+08:00")
CASE: dict[str, Any] = {
    "id": "SZ-2611-0007", "status": "assigned",
    "intake": {"received_at": AT, "first_receiver": "张敏", "subject": "王女士13800138000反映电梯停运",
               "complainant": {"name": "王女士", "contact": "13800138000"}},
    "assessment": {"category": "work-efficiency", "severity": "major"},
    "accused": {"person": None},
    "routing": {"unit": "engineering", "handler": "李工", "copied": ["王建国"]},
    "clocks": {"notice": {"due": AT + timedelta(hours=2), "done": None}},
    "timeline": [
        {"at": AT, "by": "张敏", "action": "received", "to": "received"},
        {"at": AT, "by": "陈静", "action": "assign", "from": "received", "to": "assigned", "handler": "李工",
         "unit": "engineering", "copied": ["王建国"]},
    ],
}


def policy(language: str = "zh", since: str = "2026-01-01T00:00:00+08:00") -> Any:
    text = policy_text("property", "SZ", None, language).replace("since: 2026-01-01T00:00:00+08:00\n  revisit",
                                                                 f"since: {since}\n  revisit")
    return parse_policy_text(text)


def test_a_dispatch_tells_the_handler_and_the_heads_copied_once() -> None:
    (n,) = pending(CASE, policy(), AT)
    assert (n.kind, n.ref, n.recipients, n.rule) == ("dispatch", 1, ("李工", "王建国"), "R-RT-2")
    told = copy.deepcopy(CASE)
    told["timeline"].append({"at": AT, "by": "值班系统", "action": "notify", "notice": "dispatch", "ref": 1,
                             "recipients": ["李工"]})
    assert [x.recipients for x in pending(told, policy(), AT)] == [("王建国",)]  # only who is left


def test_nobody_is_told_of_their_own_step_nor_the_accused_nor_before_since() -> None:
    own = copy.deepcopy(CASE)
    own["timeline"][1]["by"] = "李工"  # the handler dispatched it to himself
    assert pending(own, policy(), AT)[0].recipients == ("王建国",)
    accused = copy.deepcopy(CASE)
    accused["accused"]["person"] = "王建国"  # R-RT-3, R-RT-5: the person complained about is never told
    assert pending(accused, policy(), AT)[0].recipients == ("李工",)
    assert pending(CASE, policy(since="2026-12-01T00:00:00+08:00"), AT) == []
    assert pending(CASE, policy(), AT - timedelta(minutes=1)) == []  # the step had not happened yet
    closed = dict(CASE, status="closed")
    assert pending(closed, policy(), AT) == []


def test_the_message_is_in_the_offices_language_and_masks_the_complainant() -> None:
    (n,) = pending(CASE, policy("en"), AT)
    msg = render(n, CASE, policy("en"), "李工")
    assert msg.subject == "[SZ-2611-0007] Dispatched: 王某[phone]反映电梯停运"  # name and phone masked (R-RP-4)
    assert "13800138000" not in msg.subject + msg.body and "王女士" not in msg.body
    assert "Complaint SZ-2611-0007 is dispatched: handler 李工, unit Engineering and repairs (R-RT-2)." in msg.body
    assert "notice: 2026-11-22 12:00" in msg.body  # what is due, and when
    zh = render(n, CASE, policy("zh"), "李工")
    assert zh.subject.startswith("[SZ-2611-0007] 派单通知:") and "无法按时告知:2026-11-22 12:00" in zh.body


def test_a_person_without_an_address_stays_in_the_outbox() -> None:
    from complaintctl.handling.notify import outbox

    text = policy_text("property", "SZ", None, None).replace("email: ligong@example.com, ", "")
    out = outbox([CASE], parse_policy_text(text), AT)
    assert [(o.recipient, o.address) for o in out] == [("李工", ""), ("王建国", "wangjianguo@example.com")]
