"""R-RT-3: the person complained about may not handle, resolve or close the case."""

from __future__ import annotations

import pytest

from tests.conftest import ACCUSED, Office, set_identity
from tests.violations import cases_for, check_violation, hooks_off, rel, snapshot

States = tuple[Office, dict[str, str]]


@pytest.mark.parametrize("args,field", [
    (["assign", "{received}", "--handler", ACCUSED], "routing.handler"),
    (["assign", "{assigned}", "--handler", ACCUSED], "routing.handler"),  # a reassignment too
    (["plan", "{assigned}", "--resolver", ACCUSED, "--measures", "x", "--due", "2026-11-30"], "plan.resolver"),
])
def test_cli_refuses_the_accused_as_handler_or_resolver(args: list[str], field: str, states: States) -> None:
    office, ids = states
    before = snapshot(office)
    argv = [a.format(**ids) for a in args]
    result = office.run(*argv, ok=False)
    assert result.exit_code == 1
    path = rel(office, argv[1])
    assert f"{path}: {field}: R-RT-3: {ACCUSED} 是被投诉人" in result.output
    assert snapshot(office) == before


@pytest.mark.parametrize("args,field", [
    (["close", "{closable}", "--root-cause", "x"], "closing.by"),
    (["resolve", "{in_progress}", "--outcome", "repair", "--summary", "x"], "resolution.by"),
    (["invalid", "{received}", "--reason", "unverifiable", "--reply", "x"], "assessment.decided_by"),
])
def test_cli_refuses_the_accused_acting_on_the_case(args: list[str], field: str, states: States,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    closable = ids["resolved"]
    hooks_off(office)
    office.run("revisit", closable, "--satisfaction", "satisfied")
    before = snapshot(office)
    set_identity(monkeypatch, ACCUSED, "zhaoliu@example.com")
    argv = [a.format(closable=closable, **ids) for a in args]
    result = office.run(*argv, ok=False)
    assert result.exit_code == 1
    assert f"{field}: R-RT-3: {ACCUSED} 是被投诉人" in result.output
    assert snapshot(office) == before


def test_new_may_name_the_accused_and_others_still_handle_it(office: Office) -> None:
    hooks_off(office)
    case_id = office.new("--accused", ACCUSED)
    office.run("assign", case_id, "--handler", "李工")
    assert office.show_json(case_id)["accused"]["person"] == ACCUSED


@pytest.mark.parametrize("name,route", cases_for("accused-handler", "handler-accused"))
def test_hand_edit_is_refused(name: str, route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    check_violation(name, route, office, ids, monkeypatch)
