"""Required fields per state, the policy's vocabularies, and where a case is stored (R-IN-1, R-DEF-*, R-IN-5).
The same hand edits go through `git push` in test_hooks."""

from __future__ import annotations

import pytest

from complaintctl.policy.policy import load_policy
from tests.conftest import Office
from tests.violations import cases_for, check_violation, snapshot

States = tuple[Office, dict[str, str]]


@pytest.mark.parametrize("name,route", cases_for("required-field", "blank-intake-field", "invalid-without-reason",
                                                 "unknown-vocabulary"))
def test_hand_edit_is_refused(name: str, route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    check_violation(name, route, office, ids, monkeypatch)


@pytest.mark.parametrize("option,value,vocab", [("category", "elevator", "categories"),
                                                ("channel", "pigeon", "channels"),
                                                ("complainant-class", "alien", "complainant_classes")])
def test_new_refuses_unknown_vocabulary(states: States, option: str, value: str, vocab: str) -> None:
    office, _ = states
    before = snapshot(office)
    result = office.new_result(**{option.replace("-", "_"): value})
    assert result.exit_code == 2  # a usage error listing the choices (issue 13)
    assert f"--{option}:{value!r} 不在可选值中" in result.output
    assert all(f"{key} (" in result.output for key in getattr(load_policy(office.root), vocab))
    assert snapshot(office) == before


def test_validate_reports_a_case_stored_away_from_its_id(states: States) -> None:
    office, ids = states
    moved = office.root / "cases/2026/11/SZ-2611-0042.yaml"
    moved.write_text(office.path(ids["received"]).read_text(encoding="utf-8"), encoding="utf-8")
    result = office.run("validate", ok=False)
    assert result.exit_code == 1
    assert "cases/2026/11/SZ-2611-0042.yaml: id: R-IN-5: 案件 SZ-2611-0001 须存放在" in result.output
