"""The steps a person is offered on a case (handling.offered): the lifecycle's next steps, kept to
what `approvals` lets this person take and not a decision by the person complained about (R-RT-3)."""

from __future__ import annotations

import pytest

from complaintctl.handling.offered import next_steps, offered, running_clocks
from complaintctl.policy.policy import load_policy
from complaintctl.repo.git import Identity
from tests.conftest import Office

ZHANG = Identity("张敏", "zhangmin@example.com")  # staff, dispatcher
LI = Identity("李工", "ligong@example.com")  # staff
CHEN = Identity("陈静", "chenjing@example.com")  # head, dispatcher


@pytest.mark.parametrize(("status", "steps"), [
    ("received", ("assign", "invalid", "note")),
    ("assigned", ("plan", "invalid", "note")),
    ("in_progress", ("wait", "resolve", "invalid", "note")),
    ("waiting", ("resume", "resolve", "note")),
    ("resolved", ("revisit", "close", "reopen", "note")),
    ("closed", ("reopen",)),
    ("invalid", ()),
])
def test_next_steps_follow_the_lifecycle(status: str, steps: tuple[str, ...]) -> None:
    assert next_steps(status) == steps


def test_approvals_decide_who_is_offered_a_gated_step(office: Office) -> None:
    policy = load_policy(office.root)
    data: dict[str, object] = {}
    # R-AS-1: only a dispatcher declares a complaint invalid
    assert "invalid" in offered(data, "received", policy, ZHANG)
    assert "invalid" not in offered(data, "received", policy, LI)
    # R-CL-3: reopening a closed case is a head's (or above); a resolved one's is anyone's (R-CL-1)
    assert offered(data, "closed", policy, ZHANG) == ()
    assert offered(data, "closed", policy, CHEN) == ("reopen",)  # no clock runs: no deadline step
    assert "reopen" in offered(data, "resolved", policy, LI)


def test_the_person_complained_about_is_offered_no_decision(office: Office) -> None:
    policy = load_policy(office.root)
    data = {"accused": {"person": "张敏"}}
    assert offered(data, "received", policy, ZHANG) == ("note",)  # R-RT-3
    assert offered(data, "received", policy, CHEN) == ("assign", "invalid", "note", "escalate")  # a head escalates


LIU = Identity("刘洋", "liuyang@example.com")  # vp


def test_deadline_steps_follow_the_running_clocks_and_the_approvals(office: Office) -> None:
    policy = load_policy(office.root)
    running = {"clocks": {"dispatch": {"due": "2026-11-20T10:00:00+08:00", "done": "2026-11-20T09:30:00+08:00"},
                          "resolution": {"due": "2026-11-25T18:00:00+08:00", "done": None}}}
    assert running_clocks(running, policy.tz) == ("resolution",)
    # R-DL-2: only an approver (vp, gm in this preset) is offered an extension
    assert offered(running, "in_progress", policy, LIU)[-2:] == ("extend", "escalate")
    assert "extend" not in offered(running, "in_progress", policy, LI)
    # R-ES-1: the handler escalates, or someone above the case's level; other staff do not
    assert "escalate" not in offered(running, "in_progress", policy, LI)
    assert "escalate" in offered({**running, "routing": {"handler": "李工"}}, "in_progress", policy, LI)
    assert "escalate" not in offered({**running, "routing": {"escalation_level": "vp"}}, "in_progress", policy, CHEN)
    # a written report is offered only while one is due (R-DL-4/R-DL-5)
    assert "report-filed" not in offered(running, "in_progress", policy, LI)
    reporting = {"clocks": {**running["clocks"], "report": {"due": "2026-11-21T10:00:00+08:00", "done": None}}}
    assert "report-filed" in offered(reporting, "in_progress", policy, LI)
    # the person complained about takes no decision, an extension included (R-RT-3)
    assert "extend" not in offered({**running, "accused": {"person": "刘洋"}}, "in_progress", policy, LIU)
