"""Dates are in order and not in the future (R-IN-1); the clock is pinned by COMPLAINTCTL_NOW."""

from __future__ import annotations

import pytest

from tests.conftest import Office
from tests.violations import cases_for, check_violation

States = tuple[Office, dict[str, str]]


def test_new_refuses_a_receipt_in_the_future(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T17:30:00+08:00")
    result = office.new_result("--received-at", "2026-11-23 09:00")
    assert result.exit_code == 1
    assert "intake.received_at: R-IN-1: 2026-11-23T09:00:00+08:00 在将来" in result.output
    assert office.git("rev-list", "--count", "HEAD").stdout.strip() == "1"  # only init's commit
    assert not list((office.root / "cases").rglob("*.yaml"))


@pytest.mark.parametrize("name,route", cases_for("future-entry", "out-of-order"))
def test_hand_edit_is_refused(name: str, route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    check_violation(name, route, office, ids, monkeypatch)
