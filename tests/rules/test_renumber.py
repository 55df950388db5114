"""The pure rules behind renumbering (issue 5) and archived closed cases (R-CL-3)."""

from __future__ import annotations

import copy
from typing import Any

from complaintctl.rules.renumber import is_renumbering, only_references_renamed

ENTRY = {"at": "2026-11-22T10:00:00+08:00", "by": "张敏", "action": "renumber",
         "old_id": "SZ-2611-0042", "new_id": "SZ-2611-0043"}


def case(cid: str, repeat: list[str] | None = None) -> dict[str, Any]:
    return {"id": cid, "status": "closed", "intake": {"subject": "电梯"},
            "assessment": {"category": "other", "repeat_of": repeat or []},
            "timeline": [{"at": "2026-11-20T09:00:00+08:00", "by": "张敏", "action": "received", "to": "received"}]}


def test_a_renumbering_changes_only_the_id_and_adds_the_entry() -> None:
    old = case("SZ-2611-0042")
    new = copy.deepcopy(old)
    new["id"] = "SZ-2611-0043"
    new["timeline"].append(dict(ENTRY))
    assert is_renumbering(old, new)
    smuggled = copy.deepcopy(new)
    smuggled["intake"]["subject"] = "改了"
    assert not is_renumbering(old, smuggled)
    wrong = copy.deepcopy(new)
    wrong["timeline"][-1]["old_id"] = "SZ-2611-0001"
    assert not is_renumbering(old, wrong)
    assert not is_renumbering(old, {**new, "timeline": new["timeline"][:-1]})


def test_references_may_be_renamed_only_as_recorded() -> None:
    old = case("SZ-2611-0050", ["SZ-2611-0042"])
    new = copy.deepcopy(old)
    new["assessment"]["repeat_of"] = ["SZ-2611-0043"]
    new["timeline"].append(dict(ENTRY))
    assert only_references_renamed(old, new)
    other = copy.deepcopy(new)
    other["assessment"]["repeat_of"] = ["SZ-2611-0099"]
    assert not only_references_renamed(old, other)
    more = copy.deepcopy(new)
    more["status"] = "in_progress"
    assert not only_references_renamed(old, more)


def test_a_closed_case_changes_only_by_reopen_or_clock_recomputation() -> None:
    from datetime import datetime

    from complaintctl.policy.policy import parse_policy_text
    from complaintctl.policy.resources import template_path
    from complaintctl.rules import archive
    from complaintctl.rules.context import CheckContext

    policy = parse_policy_text(template_path("presets", "property.yaml").read_text(encoding="utf-8"))
    now = datetime.fromisoformat("2026-11-22T10:00:00+08:00")
    old = case("SZ-2611-0042")

    def findings(new: dict[str, Any]) -> list[str]:
        return [f.rule for f in archive.check(CheckContext("p", new, old, policy, now))]

    edited = copy.deepcopy(old)
    edited["intake"]["subject"] = "改了"
    assert findings(edited) == ["R-CL-3"]
    assert findings({**old, "clocks": {"resolution": {"due": "2026-11-25T18:00:00+08:00"}}}) == []
    reopened = copy.deepcopy(edited)
    reopened["timeline"].append({"at": "2026-11-22T10:00:00+08:00", "by": "张敏", "action": "reopen"})
    assert findings(reopened) == []
