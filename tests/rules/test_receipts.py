"""Receipt corrections and the ID's month (rules.receipts, rules.ledger_actions): a receipt is
corrected by `approvals.correct` with a reason, keeping the old value, only before any due it
moves has passed at the correction's `now`; the ID's month is the first recorded receipt's
(R-IN-5). Each bypass through the CLI, a plain `git commit` (pre-commit) and a `--no-verify`
commit pushed by an authenticated pusher (pre-receive); each honest twin through all three."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from complaintctl.handling import steps
from complaintctl.model.case import dump_document, load_document
from complaintctl.model.ids import parse_case_id
from complaintctl.model.snapshot import Case
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy, load_policy
from complaintctl.rules import receipts
from complaintctl.rules.context import CheckContext
from tests.conftest import NOW, Office
from tests.rules.test_decisions import by_step, committed_and_pushed, entries, every_hook, push_as, pushed_refused
from tests.rules.test_ledger import as_
from tests.violations import refused, rel

States = tuple[Office, dict[str, str]]
RECEIPT = "intake.received_at"


def correction(office: Office, case_id: str, name: str, value: str, reason: str, at: str = NOW) -> str:
    policy = load_policy(office.root)
    typed = steps.correction_value(policy, RECEIPT, value)
    return by_step(office, case_id, name, steps.correct(RECEIPT, typed, reason), at)


# ---- a nine-day-old receipt moved to an hour ago ----

def test_a_receipt_whose_dues_passed_is_not_corrected(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]  # received 2026-11-20 09:00: its 24 h intake due passed on the 21st
    n = len(entries(office, case_id))
    expect = (f"timeline[{n}].value: R-IN-2: 依原登记的受理时间计算的 intake 时限 2026-11-21 09:00:00+08:00 "
              "在 2026-11-22 17:30:00+08:00 时已过")
    as_(monkeypatch, "张敏")  # the dispatcher: approvals.correct
    out = office.run("correct", case_id, "--field", RECEIPT, "--value", "2026-11-22 16:30", "--reason", "录入时间有误",
                     ok=False).output
    assert expect in out, out
    text = correction(office, case_id, "张敏", "2026-11-22 16:30", "录入时间有误")
    every_hook(office, case_id, text, "张敏", monkeypatch, expect)


def test_a_correction_keeps_the_value_it_replaces(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = office.new("--received-at", "2026-11-22 09:00")
    assert push_as(office, "张敏").returncode == 0
    n = len(entries(office, case_id))
    text = correction(office, case_id, "张敏", "2026-11-22 08:30", "录入时间有误")
    forged = text.replace("old: '2026-11-22T09:00:00+08:00'", "old: '2026-11-22T08:00:00+08:00'")
    assert forged != text
    every_hook(office, case_id, forged, "张敏", monkeypatch,
               f"timeline[{n}].old: R-IN-2: 更正须保留被替换的原值(2026-11-22 09:00:00+08:00)")


def test_a_dispatcher_corrects_a_receipt_before_any_due_passed(states: States,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    as_(monkeypatch, "张敏")
    case_id = office.new("--received-at", "2026-11-22 09:00")
    # plain staff may not, and a dispatcher gives a reason
    as_(monkeypatch, "李工")
    out = office.run("correct", case_id, "--field", RECEIPT, "--value", "2026-11-22 08:30", "--reason", "录错了",
                     ok=False).output
    assert "R-IN-2: 李工 无权更正 intake.received_at" in out, out
    as_(monkeypatch, "张敏")
    office.run("correct", case_id, "--field", RECEIPT, "--value", "2026-11-22 08:30", "--reason", "录入时间有误")
    last = entries(office, case_id)[-1]
    assert (last["action"], last["field"], last["old"], last["by"]) == \
        ("correct", RECEIPT, "2026-11-22T09:00:00+08:00", "张敏")
    assert office.show_json(case_id)["intake"]["received_at"].startswith("2026-11-22T08:30")
    # `history` shows the decision with the value it replaced
    assert "更正 — 受理时间:2026-11-22 09:00 → 2026-11-22 08:30(录入时间有误)" in office.run("history", case_id).output
    assert push_as(office, "张敏").returncode == 0
    # the same by hand: plain git through pre-commit, then pushed by its author
    second = office.new("--received-at", "2026-11-22 10:00")
    assert push_as(office, "张敏").returncode == 0
    text = correction(office, second, "张敏", "2026-11-22 09:40", "录入时间有误")
    committed_and_pushed(office, rel(office, second), text, "张敏")


# ---- R-IN-5: the ID's month is the first recorded receipt's ----

def test_a_correction_across_a_month_boundary_keeps_the_id(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-01T00:40:00+08:00")
    case_id = office.new("--received-at", "2026-11-01 00:30")
    assert case_id.startswith("SZ-2611-")
    office.run("correct", case_id, "--field", RECEIPT, "--value", "2026-10-31 23:50", "--reason", "跨零点录错")
    assert office.show_json(case_id)["id"] == case_id
    assert office.run("validate").exit_code == 0


def test_a_new_case_numbered_for_another_month_is_refused(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    source = ids["received"]  # received 2026-11-20 09:00
    fake = "SZ-2610-0099"
    doc = load_document(office.path(source).read_text(encoding="utf-8"), "case")
    doc["id"] = fake
    text = dump_document(doc).replace(source, fake)
    relpath = parse_case_id(fake).relpath
    expect = f"{relpath}: id: R-IN-5: {fake} 的编号月份为 202610"
    out = refused("commit", office, fake, text, monkeypatch, relpath=relpath)
    assert expect in out, out
    office.git("reset", "-q", "--hard", "HEAD")
    office.git("clean", "-qfd", "cases")
    pushed = pushed_refused(office, relpath, text, "张敏")
    assert expect in pushed, pushed
    # committed past the hooks, `validate` names it too (the file judged on its own)
    (office.root / relpath).parent.mkdir(parents=True, exist_ok=True)
    (office.root / relpath).write_text(text, encoding="utf-8")
    office.git("add", "--", relpath)
    office.git("commit", "-q", "--no-verify", "-m", "by hand")
    found = office.run("validate", ok=False)
    assert found.exit_code == 1 and expect in found.output, found.output


# ---- the pure rules, `now` passed in ----

def _case(received: str, *, corrected_from: str | None = None,
          recorded: str = "2026-11-20T09:05:00+08:00") -> dict[str, Any]:
    timeline: list[dict[str, Any]] = [{"at": received, "by": "张敏", "action": "new", "to": "received"}]
    if corrected_from:
        timeline.append({"at": received, "by": "张敏", "action": "correct", "field": RECEIPT, "old": corrected_from,
                         "value": received, "note": "录错"})
    return {"id": "SZ-2611-0001", "status": "received", "timeline": timeline,
                               "intake": {"received_at": received, "recorded_at": recorded},
                               "assessment": {"severity": "general", "category": "other"}}


def _policy(office: Office) -> tuple[Policy, WorkCalendar]:
    policy = load_policy(office.root)
    return policy, WorkCalendar.from_policy(policy)


def test_first_receipt_is_the_value_the_first_correction_replaced(office: Office) -> None:
    policy, _cal = _policy(office)
    tz = policy.tz
    plain = _case("2026-11-01T00:30:00+08:00")
    assert receipts.first_receipt(plain, tz) == datetime.fromisoformat("2026-11-01T00:30:00+08:00")
    moved = _case("2026-10-31T23:50:00+08:00", corrected_from="2026-11-01T00:30:00+08:00")
    assert receipts.first_receipt(moved, tz) == datetime.fromisoformat("2026-11-01T00:30:00+08:00")
    ctx = CheckContext("cases/2026/11/SZ-2611-0001.yaml", moved, None, policy, datetime.now(tz))
    assert list(receipts.check(ctx)) == []
    wrong = CheckContext("cases/2026/11/SZ-2611-0001.yaml", plain | {"id": "SZ-2610-0001"}, None, policy,
                         datetime.now(tz))
    assert [f.rule for f in receipts.check(wrong)] == ["R-IN-5"]


def test_renumberings_keep_office_year_and_month(office: Office) -> None:
    policy, _cal = _policy(office)
    data = _case("2026-11-20T09:00:00+08:00")
    data["timeline"].append({"at": "2026-11-20T10:00:00+08:00", "by": "张敏", "action": "renumber",
                             "old_id": "SZ-2611-0001", "new_id": "SZ-2611-0002"})
    ctx = CheckContext("x", data, None, policy, datetime.now(policy.tz))
    assert list(receipts.check(ctx)) == []
    data["timeline"][-1]["new_id"] = "SZ-2510-0002"
    assert [(f.field, f.rule) for f in receipts.check(ctx)] == [("timeline[1].new_id", "R-IN-5")]


def test_moved_dues_are_the_passed_ones_a_correction_changes(office: Office) -> None:
    policy, cal = _policy(office)
    tz = policy.tz
    before = Case.from_data(_case("2026-11-20T09:00:00+08:00"), tz)
    after = Case.from_data(_case("2026-11-20T10:00:00+08:00"), tz)
    received = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
    assert receipts.moved_dues(before, after, policy, cal, received + timedelta(hours=2)) == []
    passed = receipts.moved_dues(before, after, policy, cal, received + timedelta(hours=25))
    assert [m.name for m in passed] == ["intake"]
    assert passed[0].was == received + timedelta(hours=24) and passed[0].would_be == received + timedelta(hours=25)
    # a correction earlier moves a passed due too: refused as well
    earlier = Case.from_data(_case("2026-11-20T08:00:00+08:00"), tz)
    assert [m.name for m in receipts.moved_dues(before, earlier, policy, cal, received + timedelta(hours=25))] == \
        ["intake"]
