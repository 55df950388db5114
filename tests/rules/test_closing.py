"""R-CL-1 closed loop: close only after a revisit; a dissatisfied customer reopens the case."""

from __future__ import annotations

import pytest

from tests.conftest import Office, set_identity
from tests.violations import cases_for, check_violation, hooks_off, rel, snapshot

States = tuple[Office, dict[str, str]]


def test_cli_close_without_revisit_is_refused(states: States) -> None:
    office, ids = states
    before = snapshot(office)
    result = office.run("close", ids["resolved"], "--root-cause", "备件不足", ok=False)
    assert result.exit_code == 1
    path = rel(office, ids["resolved"])
    assert f"{path}: revisit.satisfaction: R-CL-1: 须回访客户后方可结案" \
        in result.output
    assert snapshot(office) == before


def test_dissatisfied_revisit_reopens_and_cannot_close(states: States) -> None:
    office, ids = states
    hooks_off(office)
    data = office.show_json(ids["dissatisfied"])
    assert data["status"] == "in_progress"
    assert data["revisit"]["satisfaction"] == "dissatisfied"
    last = data["timeline"][-1]
    assert (last["action"], last["from"], last["to"]) == ("revisit", "resolved", "in_progress")
    result = office.run("close", ids["dissatisfied"], "--root-cause", "x", ok=False)
    assert result.exit_code == 1 and "不能执行 结案" in result.output
    # followed up, resolved again and revisited: now it may close
    office.run("resolve", ids["dissatisfied"], "--outcome", "repair", "--summary", "再次维修")
    office.run("revisit", ids["dissatisfied"], "--satisfaction", "satisfied")
    office.run("close", ids["dissatisfied"], "--root-cause", "配件质量")
    assert office.show_json(ids["dissatisfied"])["status"] == "closed"


def test_reopen_a_closed_case(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    hooks_off(office)
    set_identity(monkeypatch, "王建国", "wangjianguo@example.com")  # R-CL-3: a head reopens a closed case
    office.run("reopen", ids["closed"], "--reason", "客户再次来电")
    data = office.show_json(ids["closed"])
    assert data["status"] == "in_progress" and "closing" not in data
    assert data["timeline"][-1]["action"] == "reopen"


@pytest.mark.parametrize("name,route", cases_for("close-without-revisit", "close-dissatisfied"))
def test_hand_edit_is_refused(name: str, route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    check_violation(name, route, office, ids, monkeypatch)
