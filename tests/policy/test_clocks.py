"""Each preset's clocks carry its source's numbers; the `deadlines:` section's errors name the key."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ruamel.yaml import YAML

from complaintctl.errors import PolicyError
from complaintctl.handling import steps
from complaintctl.policy.policy import Policy, parse_policy, parse_policy_text
from complaintctl.policy.resources import template_path
from complaintctl.repo.git import Identity

SH = ZoneInfo("Asia/Shanghai")


def preset(name: str) -> Policy:
    return parse_policy_text(template_path("presets", f"{name}.yaml").read_text(encoding="utf-8"))


def clocks_for(policy: Policy, received: datetime, **fields: str) -> dict[str, Any]:
    intake = steps.Intake(
        channel=fields.get("channel", next(iter(policy.channels))), name="王女士", contact="138",
        complainant_class=fields.get("klass", next(iter(policy.complainant_classes))),
        category=fields.get("category", next(iter(policy.categories))), subject="s", details="d",
        received_at=received, severity=fields.get("severity", "general"))
    doc = steps.build_case(policy, f"{policy.office}-2609-0001", intake, received, Identity("张敏", "z@example.com"))
    return {k: v["due"].isoformat() for k, v in (doc.get("clocks") or {}).items()}


def test_realestate_five_minutes_and_working_days_around_national_day() -> None:
    p = preset("realestate")
    received = datetime(2026, 9, 30, 16, 0, tzinfo=SH)
    assert clocks_for(p, received) == {  # R-IN-3, R-DL-1
        "intake": "2026-09-30T16:05:00+08:00", "response": "2026-09-30T16:05:00+08:00",
        "resolution": "2026-10-10T18:00:00+08:00"}  # 8, 9 and Saturday 10 October (make-up day)
    # major: 7 working days — 8, 9, 10, 12, 13, 14, 15 October
    assert clocks_for(p, received, severity="major")["resolution"] == "2026-10-15T18:00:00+08:00"


def test_factory_calendar_days_by_customer_class() -> None:
    p = preset("factory")
    received = datetime(2026, 9, 28, 8, 30, tzinfo=SH)
    domestic = clocks_for(p, received, klass="domestic-customer")
    assert domestic == {"resolution": "2026-10-11T08:30:00+08:00", "report": "2026-10-01T08:30:00+08:00"}
    assert clocks_for(p, received, klass="foreign-customer")["resolution"] == "2026-10-15T08:30:00+08:00"


def test_hotel_during_and_after_the_stay() -> None:
    p = preset("hotel")
    received = datetime(2026, 2, 13, 17, 30, tzinfo=SH)
    assert clocks_for(p, received, category="during-stay") == {}  # the guest's time, set in the plan
    assert clocks_for(p, received, category="after-stay") == {"resolution": "2026-02-25T18:00:00+08:00"}


def test_lawfirm_and_property() -> None:
    received = datetime(2026, 2, 13, 17, 30, tzinfo=SH)
    assert clocks_for(preset("lawfirm"), received) == {"response": "2026-02-14T18:00:00+08:00"}
    prop = clocks_for(preset("property"), received, severity="emergency")
    assert prop == {"intake": "2026-02-14T17:30:00+08:00", "dispatch": "2026-02-13T17:33:00+08:00",
                    "report": "2026-02-14T17:30:00+08:00",  # R-DL-5: the written reports at 24 h …
                    "board-report": "2026-02-15T17:30:00+08:00"}  # … and 48 h


def _with_deadlines(section: Any) -> Any:
    data = YAML(typ="safe", pure=True).load(template_path("presets", "property.yaml").read_text(encoding="utf-8"))
    data["deadlines"] = section
    return data


@pytest.mark.parametrize(("section", "key"), [
    ({"clocks": {"lunch": [{"within": "5min"}]}}, "deadlines.clocks.lunch"),
    ({"clocks": {"response": [{"within": "soon"}]}}, "deadlines.clocks.response[0].within"),
    ({"clocks": {"response": [{"severity": "huge", "within": "5min"}]}}, "deadlines.clocks.response[0].severity"),
    ({"clocks": {"response": [{"from": "dawn", "within": "5min"}]}}, "deadlines.clocks.response[0].from"),
    ({"clocks": {"response": [{}]}}, "deadlines.clocks.response[0].within"),
    ({"escalation": [{"from": "due", "president": "1h"}]}, "deadlines.escalation[0].president"),
    ({"upgrade_open_after": "a while"}, "deadlines.upgrade_open_after"),
    ({"reminders": True}, "deadlines.reminders"),
])
def test_deadline_errors_name_the_key(section: Any, key: str) -> None:
    with pytest.raises(PolicyError, match=key.replace(".", r"\.").replace("[", r"\[")):
        parse_policy(_with_deadlines(section), "complaintctl.yaml")
