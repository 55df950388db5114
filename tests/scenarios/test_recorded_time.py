"""A backdated resolution against the record: done on Sunday, claimed on Friday, pushed by an
authenticated pusher — `show` and `report` count it late, as the server's stamp proves; its
honest twin (the same work really done and pushed on Friday) stays on time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Office
from tests.remotes import group_fixture  # noqa: F401 (fixture)

WED, THU = "2026-11-18T09:30:00+08:00", "2026-11-18T10:00:00+08:00"
FRI_1730, SUNDAY = "2026-11-20T17:30:00+08:00", "2026-11-22T10:00:00+08:00"


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", when)  # the CLI's clock, and (a local push) the server's


def scene(office: Office, monkeypatch: pytest.MonkeyPatch) -> str:
    """A real case up to Friday: received, assigned and planned (due Friday) on Wednesday
    morning, each step synced to the server when it was done."""
    monkeypatch.setenv("COMPLAINTCTL_PUSHER", "zhangmin")  # the server's authenticated pusher
    at(monkeypatch, WED)
    case_id = office.new("--received-at", "2026-11-18 09:00")
    office.run("sync")
    at(monkeypatch, THU)
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换电梯主板", "--due", "2026-11-20")
    office.run("sync")
    return case_id


def resolution_clock(office: Office, case_id: str) -> str:
    out = office.run("show", case_id).output
    (line,) = [ln for ln in out.splitlines() if ln.lstrip().startswith("处理完成")]
    return line


def report_json(office: Office) -> dict[str, object]:
    return dict(json.loads(office.run("report", "--period", "2026-11", "--json").output))


def test_a_resolution_backdated_through_the_cli_counts_late(office: Office, group: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = scene(office, monkeypatch)
    at(monkeypatch, SUNDAY)  # done on Sunday, claimed Friday 17:00 — no reason, no approver
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板", "--at", "2026-11-20 17:00")
    office.run("sync")
    line = resolution_clock(office, case_id)
    assert "超时完成 (声称按时,记录逾期)" in line, line
    assert "2026-11-22 10:00" in line, line  # done = the recorded time, not the claim
    rep = report_json(office)
    assert rep["recorded_late_ids"] == [case_id], rep
    assert {"clock": "resolution", "on_time": 0, "late": 1} in [
        {k: c[k] for k in ("clock", "on_time", "late")} for c in rep["clocks"]], rep["clocks"]  # type: ignore[attr-defined]
    text = office.run("report", "--period", "2026-11").output
    assert case_id in text and "声称按时,记录逾期" in text


def test_the_same_by_hand_with_no_verify_counts_late(office: Office, group: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Made on Sunday with the office PC's clock set back to Friday 17:00 (every date in the
    file consistent with the claim) and committed past the pre-commit hook: the server's stamp
    is still Sunday's."""
    case_id = scene(office, monkeypatch)
    at(monkeypatch, "2026-11-20T17:00:00+08:00")  # the PC's clock, set back
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板")
    office.git("reset", "-q", "--soft", "HEAD~1")
    at(monkeypatch, SUNDAY)
    office.git("commit", "-q", "--no-verify", "-am", f"{case_id}: resolve")
    office.run("sync")
    line = resolution_clock(office, case_id)
    assert "超时完成 (声称按时,记录逾期)" in line, line
    assert report_json(office)["recorded_late_ids"] == [case_id]


def test_honest_twin_resolved_and_pushed_on_friday_is_on_time(office: Office, group: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = scene(office, monkeypatch)
    at(monkeypatch, FRI_1730)
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板", "--at", "2026-11-20 17:00")
    office.run("sync")
    at(monkeypatch, SUNDAY)
    line = resolution_clock(office, case_id)
    assert "按时" in line and "超时" not in line and "记录逾期" not in line, line
    rep = report_json(office)
    assert rep["recorded_late_ids"] == [], rep
