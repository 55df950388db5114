"""R-CL-1 closed loop: close only after a revisit; a dissatisfied customer reopens the case."""

from __future__ import annotations

from datetime import datetime

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.case import timeline_entry
from tests.conftest import Office
from tests.routes import ROUTES, edited, refused, rel, snapshot

States = tuple[Office, dict[str, str]]
LATER = datetime.fromisoformat("2026-11-22T17:00:00+08:00")


def test_cli_close_without_revisit_is_refused(states: States) -> None:
    office, ids = states
    before = snapshot(office)
    result = office.run("close", ids["resolved"], "--root-cause", "备件不足", ok=False)
    assert result.exit_code == 1
    path = rel(office.path(ids["resolved"]), office)
    assert f"{path}: revisit.satisfaction: R-CL-1: a case is closed only after the customer is revisited" \
        in result.output
    assert snapshot(office) == before


def test_dissatisfied_revisit_reopens_and_cannot_close(states: States) -> None:
    office, ids = states
    data = office.show_json(ids["dissatisfied"])
    assert data["status"] == "in_progress"
    assert data["revisit"]["satisfaction"] == "dissatisfied"
    last = data["timeline"][-1]
    assert (last["action"], last["from"], last["to"]) == ("revisit", "resolved", "in_progress")
    result = office.run("close", ids["dissatisfied"], "--root-cause", "x", ok=False)
    assert result.exit_code == 1 and "cannot close" in result.output
    # followed up, resolved again and revisited: now it may close
    office.run("resolve", ids["dissatisfied"], "--outcome", "repair", "--summary", "再次维修")
    office.run("revisit", ids["dissatisfied"], "--satisfaction", "satisfied")
    office.run("close", ids["dissatisfied"], "--root-cause", "配件质量")
    assert office.show_json(ids["dissatisfied"])["status"] == "closed"


def test_reopen_a_closed_case(states: States) -> None:
    office, ids = states
    office.run("reopen", ids["closed"], "--reason", "客户再次来电")
    data = office.show_json(ids["closed"])
    assert data["status"] == "in_progress" and "closing" not in data
    assert data["timeline"][-1]["action"] == "reopen"


def close_by_hand(satisfaction: str | None) -> object:
    def change(d: CommentedMap) -> None:
        if satisfaction:
            d["revisit"] = CommentedMap(at=LATER, by="张敏", satisfaction=satisfaction)
        d["status"] = "closed"
        d["closing"] = CommentedMap(at=LATER, by="张敏", root_cause="x")
        d["timeline"].append(timeline_entry(LATER, "张敏", "close", src="resolved", dst="closed"))
    return change


@pytest.mark.parametrize("satisfaction,message", [
    (None, "a case is closed only after the customer is revisited"),
    ("dissatisfied", "the customer is dissatisfied: reopen the case instead of closing it"),
])
@pytest.mark.parametrize("route", ROUTES)
def test_hand_closing_needs_a_satisfied_revisit(route: str, satisfaction: str | None, message: str,
                                                states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["resolved"]
    text = edited(office, case_id, close_by_hand(satisfaction))  # type: ignore[arg-type]
    out = refused(route, office, rel(office.path(case_id), office), text, monkeypatch, case_id)
    assert f"{rel(office.path(case_id), office)}: revisit.satisfaction: R-CL-1: {message}" in out
