"""Dates are in order and not in the future (R-IN-1); the clock is pinned by COMPLAINTCTL_NOW."""

from __future__ import annotations

from datetime import datetime

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.case import timeline_entry
from tests.conftest import Office
from tests.routes import ROUTES, edited, refused, rel

States = tuple[Office, dict[str, str]]


def test_new_refuses_a_receipt_in_the_future(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T17:30:00+08:00")
    result = office.new_result("--received-at", "2026-11-23 09:00")
    assert result.exit_code == 1
    assert "intake.received_at: R-IN-1: 2026-11-23T09:00:00+08:00 is in the future" in result.output
    assert office.git("rev-list", "--count", "HEAD").stdout.strip() == "1"  # only init's commit
    assert not list((office.root / "cases").rglob("*.yaml"))


@pytest.mark.parametrize("route", ROUTES)
def test_a_future_timeline_entry_is_refused(route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["assigned"]
    tomorrow = datetime.fromisoformat("2026-11-23T09:00:00+08:00")

    def change(d: CommentedMap) -> None:
        d["timeline"].append(timeline_entry(tomorrow, "张敏", "contact", note="明天的电话"))

    out = refused(route, office, rel(office.path(case_id), office), edited(office, case_id, change),
                  monkeypatch, case_id)
    assert "timeline[2].at: R-IN-1: 2026-11-23T09:00:00+08:00 is in the future" in out


@pytest.mark.parametrize("route", ROUTES)
def test_dates_out_of_order_are_refused(route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["resolved"]
    before_receipt = datetime.fromisoformat("2026-11-19T09:00:00+08:00")
    text = edited(office, case_id, lambda d: d["resolution"].__setitem__("at", before_receipt))
    out = refused(route, office, rel(office.path(case_id), office), text, monkeypatch, case_id)
    assert (f"{rel(office.path(case_id), office)}: resolution.at: R-IN-1: 2026-11-19T09:00:00+08:00 is before "
            "intake.received_at") in out
