"""Legal transitions only, fields fixed after intake, an append-only timeline, invalid is final.
The same hand edits go through `git push` in test_hooks."""

from __future__ import annotations

import pytest

from tests.conftest import Office
from tests.violations import VIOLATIONS, cases_for, check_violation, edited, snapshot

States = tuple[Office, dict[str, str]]


@pytest.mark.parametrize("name,route", cases_for(
    "skip-state", "status-without-entry", "fixed-received_at", "fixed-first_receiver", "fixed-id",
    "timeline-rewrite", "timeline-remove", "invalid-is-final"))
def test_hand_edit_is_refused(name: str, route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    check_violation(name, route, office, ids, monkeypatch)


def test_cli_refuses_an_illegal_step(states: States) -> None:
    office, ids = states
    before = snapshot(office)
    for args in (["resolve", ids["received"], "--outcome", "repair", "--summary", "x"],
                 ["close", ids["assigned"], "--root-cause", "x"],
                 ["wait", ids["resolved"], "--reason", "x"],
                 ["wait", ids["waiting"], "--reason", "x"],
                 ["resume", ids["in_progress"]],
                 ["reopen", ids["in_progress"], "--reason", "x"],
                 ["revisit", ids["in_progress"], "--satisfaction", "satisfied"],
                 ["plan", ids["received"], "--resolver", "李工", "--measures", "x", "--due", "2026-11-30"]):
        result = office.run(*args, ok=False)
        assert result.exit_code == 1, args
        assert f"{args[1]}: 不能" in result.output and "案件状态为" in result.output, result.output
    assert snapshot(office) == before


def test_a_cli_step_over_an_uncommitted_hand_edit_is_judged_against_the_committed_file(states: States) -> None:
    office, ids = states
    case_id = ids["assigned"]
    path = office.path(case_id)
    path.write_text(edited(office, case_id, VIOLATIONS["fixed-first_receiver"].change), encoding="utf-8")
    head = office.git("rev-parse", "HEAD").stdout
    result = office.run("note", case_id, "客户来电询问进度", ok=False)
    assert result.exit_code == 1
    assert "intake.first_receiver: R-IN-2: 受理后不得修改" in result.output
    assert office.git("rev-parse", "HEAD").stdout == head
    assert "first_receiver: 李工" in path.read_text(encoding="utf-8")  # the user's edit is kept


def test_invalid_by_cli_records_reason_reply_and_is_final(states: States) -> None:
    office, ids = states
    case_id = ids["invalid"]
    data = office.show_json(case_id)
    assert data["status"] == "invalid"
    assert data["assessment"]["valid"] is False
    assert data["assessment"]["invalid_reason"] == "out-of-scope"
    assert data["assessment"]["reply"] == "不属于物业服务范围,已说明"
    before = snapshot(office)
    result = office.run("reopen", case_id, "--reason", "x", ok=False)
    assert result.exit_code == 1 and "R-WF:无效 只能转为 无(终止状态)" in result.output
    for args in (["assign", case_id, "--handler", "李工"], ["note", case_id, "再次来电"]):
        result = office.run(*args, ok=False)
        assert result.exit_code == 1 and "status: R-AS-1: 无效投诉已终结" in result.output
    assert snapshot(office) == before
    missing = office.run("invalid", ids["received"], "--reason", "unverifiable", ok=False)
    assert missing.exit_code == 2 and "--reply" in missing.output
    unknown = office.run("invalid", ids["received"], "--reason", "annoying", "--reply", "x", ok=False)
    assert unknown.exit_code == 2 and "unverifiable" in unknown.output
