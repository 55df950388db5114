"""The steps a person is offered on a case (handling.offered): the lifecycle's next steps, kept to
what `approvals` lets this person take and not a decision by the person complained about (R-RT-3)."""

from __future__ import annotations

import pytest

from complaintctl.handling.offered import next_steps, offered
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
    assert offered(data, "closed", policy, CHEN) == ("reopen",)
    assert "reopen" in offered(data, "resolved", policy, LI)


def test_the_person_complained_about_is_offered_no_decision(office: Office) -> None:
    policy = load_policy(office.root)
    data = {"accused": {"person": "张敏"}}
    assert offered(data, "received", policy, ZHANG) == ("note",)  # R-RT-3
    assert offered(data, "received", policy, CHEN) == ("assign", "invalid", "note")
