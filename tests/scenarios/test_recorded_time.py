"""A backdated resolution against the record: done on Sunday, claimed on Friday, pushed by an
authenticated pusher — `show` and `report` count it late, as the server's stamp proves; its
honest twin (the same work really done and pushed on Friday) stays on time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Office, set_identity
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


def offline_friday(office: Office, monkeypatch: pytest.MonkeyPatch) -> str:
    """Resolved on Friday at 17:00 while the office was offline; synced on Sunday."""
    case_id = scene(office, monkeypatch)
    at(monkeypatch, "2026-11-20T17:00:00+08:00")
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板")
    at(monkeypatch, SUNDAY)
    office.run("sync")
    assert "超时完成 (声称按时,记录逾期)" in resolution_clock(office, case_id)
    return case_id


def test_honest_twin_an_offline_office_whose_vp_vouched_is_on_time(office: Office, group: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = offline_friday(office, monkeypatch)
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")  # the vp: approvals.late
    monkeypatch.setenv("COMPLAINTCTL_PUSHER", "liuyang")
    office.run("vouch", case_id, "--reason", "周五机房断网,维修确于周五17:00完成")
    office.run("sync")
    line = resolution_clock(office, case_id)
    assert "按时 (按时(补录,已核准))" in line, line
    assert "2026-11-20 17:00" in line, line
    rep = report_json(office)
    assert (rep["vouched_ids"], rep["recorded_late_ids"]) == ([case_id], []), rep
    shown = office.run("show", case_id).output
    assert "补录核准" in shown and "周五机房断网" in shown and "刘洋" in shown


def test_a_vouch_by_someone_without_approvals_late_is_refused(office: Office, group: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = offline_friday(office, monkeypatch)
    refused = office.run("vouch", case_id, "--reason", "我说按时就按时", ok=False)  # 张敏: staff, dispatcher
    assert refused.exit_code == 1 and "approvals.late" in refused.output, refused.output
    # by hand, past the pre-commit hook, pushed as 张敏: the server's ledger refuses it
    from datetime import datetime

    from complaintctl.model.case import dump_document, load_document

    path = office.path(case_id)
    doc = load_document(path.read_text(encoding="utf-8"), str(path))
    fri = datetime.fromisoformat("2026-11-20T17:00:00+08:00")
    doc["timeline"].append({"at": datetime.fromisoformat(SUNDAY), "by": "张敏", "action": "vouch-late",
                            "of": {"at": fri, "by": "张敏", "action": "resolve"}, "reason": "我说按时就按时"})
    path.write_text(dump_document(doc), encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", f"{case_id}: vouch")
    result = office.run("sync", ok=False)
    assert result.exit_code == 1 and "R-IN-1" in result.output and "vouch-late" in result.output, result.output
    assert "超时完成 (声称按时,记录逾期)" in resolution_clock(office, case_id)  # the clone shows what it holds
