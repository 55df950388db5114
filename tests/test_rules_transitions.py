"""Legal transitions only, fields fixed after intake, an append-only timeline, invalid is final."""

from __future__ import annotations

from datetime import datetime

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.case import timeline_entry
from tests.conftest import Office
from tests.routes import ROUTES, accepted, edited, refused, rel, snapshot

States = tuple[Office, dict[str, str]]
LATER = datetime.fromisoformat("2026-11-22T17:00:00+08:00")


def skip_to_resolved(d: CommentedMap) -> None:
    """received → resolved in one hand edit, recorded as a timeline entry (the honest way)."""
    d["status"] = "resolved"
    d["resolution"] = CommentedMap(at=LATER, by="张敏", outcome="repair", summary="修好了")
    d["timeline"].append(timeline_entry(LATER, "张敏", "resolve", src="received", dst="resolved"))


@pytest.mark.parametrize("route", ROUTES)
def test_skipping_a_state_is_refused(route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["received"]
    out = refused(route, office, rel(office.path(case_id), office), edited(office, case_id, skip_to_resolved),
                  monkeypatch, case_id)
    assert "R-WF: received → resolved is not a legal transition" in out
    if route != "edit":  # `edit` judges the new status before the timeline: either names file, field, rule
        assert f"{rel(office.path(case_id), office)}: timeline[1].to: R-WF" in out


@pytest.mark.parametrize("route", ROUTES)
def test_a_status_change_without_its_timeline_entry_is_refused(route: str, states: States,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    text = edited(office, case_id, lambda d: d.__setitem__("status", "waiting"))
    if route == "edit":  # the CLI records the editor's status change itself: legal, so accepted
        accepted(route, office, "", text, monkeypatch, case_id)
        assert office.path(case_id).read_text(encoding="utf-8").count("to: waiting") == 1
        return
    out = refused(route, office, rel(office.path(case_id), office), text, monkeypatch, case_id)
    assert "status: R-WF: is 'waiting' but the timeline's last transition leads to 'in_progress'" in out


def test_cli_refuses_an_illegal_step(states: States) -> None:
    office, ids = states
    before = snapshot(office)
    for args in (["resolve", ids["received"], "--outcome", "repair", "--summary", "x"],
                 ["close", ids["assigned"], "--root-cause", "x"],
                 ["wait", ids["resolved"], "--reason", "x"],
                 ["reopen", ids["in_progress"], "--reason", "x"]):
        result = office.run(*args, ok=False)
        assert result.exit_code == 1, args
        assert "R-WF" in result.output and "cannot" in result.output, result.output
    assert snapshot(office) == before


FIXED = {
    "intake.received_at": lambda d: d["intake"].__setitem__("received_at", LATER),
    "intake.first_receiver": lambda d: d["intake"].__setitem__("first_receiver", "李工"),
    "id": lambda d: d.__setitem__("id", "SZ-2611-0099"),
}


@pytest.mark.parametrize("field", sorted(FIXED))
@pytest.mark.parametrize("route", ROUTES)
def test_fixed_fields_never_change(route: str, field: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["assigned"]
    out = refused(route, office, rel(office.path(case_id), office), edited(office, case_id, FIXED[field]),
                  monkeypatch, case_id)
    assert f"{rel(office.path(case_id), office)}: {field}: R-IN-2: is fixed after intake" in out


def test_a_cli_step_over_an_uncommitted_hand_edit_is_judged_against_the_committed_file(states: States) -> None:
    office, ids = states
    case_id = ids["assigned"]
    path = office.path(case_id)
    path.write_text(edited(office, case_id, FIXED["intake.first_receiver"]), encoding="utf-8")
    head = office.git("rev-parse", "HEAD").stdout
    result = office.run("note", case_id, "客户来电询问进度", ok=False)
    assert result.exit_code == 1
    assert "intake.first_receiver: R-IN-2: is fixed after intake" in result.output
    assert office.git("rev-parse", "HEAD").stdout == head
    assert "first_receiver: 李工" in path.read_text(encoding="utf-8")  # the user's edit is kept


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("how", ["rewrite", "remove"])
def test_the_timeline_is_append_only(route: str, how: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]

    def change(d: CommentedMap) -> None:
        if how == "rewrite":
            d["timeline"][1]["by"] = "王建国"
        else:
            del d["timeline"][1:]
            d["timeline"].append(timeline_entry(LATER, "张敏", "plan", src="received", dst="in_progress"))

    out = refused(route, office, rel(office.path(case_id), office), edited(office, case_id, change),
                  monkeypatch, case_id)
    assert "timeline: R-WF: is append-only" in out


@pytest.mark.parametrize("route", ROUTES)
def test_an_invalid_case_is_final(route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["invalid"]
    text = edited(office, case_id, lambda d: d["assessment"].__setitem__("reply", "改了回复"))
    out = refused(route, office, rel(office.path(case_id), office), text, monkeypatch, case_id)
    assert "status: R-AS-1: an invalid case is final and may not change" in out


def test_invalid_by_cli_records_reason_reply_and_is_final(states: States) -> None:
    office, ids = states
    case_id = ids["invalid"]
    data = office.show_json(case_id)
    assert data["status"] == "invalid"
    assert data["assessment"]["valid"] is False
    assert data["assessment"]["invalid_reason"] == "out-of-scope"
    assert data["assessment"]["reply"] == "不属于物业服务范围,已说明"
    before = snapshot(office)
    for args in (["assign", case_id, "--handler", "李工"], ["note", case_id, "再次来电"],
                 ["reopen", case_id, "--reason", "x"]):
        result = office.run(*args, ok=False)
        assert result.exit_code == 1, args
        assert "R-AS-1" in result.output or "R-WF" in result.output, result.output
    assert snapshot(office) == before
    missing = office.run("invalid", ids["received"], "--reason", "unverifiable", ok=False)
    assert missing.exit_code == 2 and "--reply" in missing.output
    unknown = office.run("invalid", ids["received"], "--reason", "annoying", "--reply", "x", ok=False)
    assert unknown.exit_code == 2 and "unverifiable" in unknown.output
