"""R-DL-6 whether or not `sweep` ran (rules.due, rules.ledger, handling.lifecycle): the step
that records a general complaint's late resolution — or the closing of one resolved late —
records its upgrade to major first, exactly the entry sweep would have written; a hand-made
late resolution without it is refused by the pre-commit hook and by the server (pushed by an
authenticated pusher); and an upgrade another clone's sweep already made stays one upgrade
when sync merges the two."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintctl.handling import steps
from complaintctl.model.case import load_document, load_plain
from complaintctl.repo.git import Identity
from tests.conftest import Office, make_bare_remote
from tests.remotes import clone, git, group_fixture  # noqa: F401 (fixtures)
from tests.rules.test_decisions import by_step, every_hook, push_as
from tests.rules.test_ledger import as_

RECEIVED = "2026-11-13 09:00"  # a Friday: the general limit is 3 working days, the plan says Monday
LATE = "2026-11-20T10:00:00+08:00"  # four days after the plan's due


RESOLVE = steps.resolve("repair", "已更换主板", datetime.fromisoformat(LATE), Identity("李工", "ligong@example.com"))


def timeline(office: Office, case_id: str) -> list[Any]:
    return list(load_document(office.path(case_id).read_text(encoding="utf-8"), "case")["timeline"])


def planned_case(office: Office, monkeypatch: pytest.MonkeyPatch) -> str:
    """A general case recorded, dispatched and planned on the day it came in, as a desk works."""
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-13T09:05:00+08:00")
    as_(monkeypatch, "张敏")
    case_id = office.new("--received-at", RECEIVED)
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    pushed = push_as(office, "张敏")  # each person's commits pushed by that person
    assert pushed.returncode == 0, pushed.stderr
    as_(monkeypatch, "李工")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-16")
    pushed = push_as(office, "李工")
    assert pushed.returncode == 0, pushed.stderr
    monkeypatch.setenv("COMPLAINTCTL_NOW", LATE)
    return case_id


@pytest.fixture
def served(office: Office, tmp_path: Path) -> Office:
    make_bare_remote(tmp_path / "remote.git", office)
    return office


def test_a_late_resolution_records_its_upgrade(served: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    office = served
    case_id = planned_case(office, monkeypatch)
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板")
    upgrade, resolve = timeline(office, case_id)[-2:]
    assert (upgrade["action"], upgrade["severity"], upgrade["by"]) == ("upgrade", "major", "李工")
    assert str(upgrade["missed"]).startswith("2026-11-16") and resolve["action"] == "resolve"
    shown = office.show_json(case_id)
    assert shown["assessment"]["severity"] == "major"
    assert "(R-DL-6: 一般投诉 → 重大投诉)" in office.run("history", case_id, "--wide").output  # the office's words
    pushed = push_as(office, "李工")
    assert pushed.returncode == 0, pushed.stderr
    # nothing is left for sweep to do
    assert "upgrade" not in office.run("sweep", "--dry-run").output


def test_a_late_resolution_without_its_upgrade_is_refused(served: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    office = served
    case_id = planned_case(office, monkeypatch)
    n = len(timeline(office, case_id))
    text = by_step(office, case_id, "李工", RESOLVE, LATE)
    every_hook(office, case_id, text, "李工", monkeypatch,
               f"timeline[{n}].action: R-DL-6: 处理完毕晚于时限(2026-11-16")


def test_closing_a_case_resolved_late_records_the_upgrade(served: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    office = served
    case_id = planned_case(office, monkeypatch)
    # resolved late by an older complaintctl (committed past the hooks, never pushed)
    text = by_step(office, case_id, "李工", RESOLVE, LATE)
    office.path(case_id).write_text(text, encoding="utf-8")
    office.git("commit", "-qam", "resolve", "--no-verify")
    as_(monkeypatch, "张敏")
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    office.run("close", case_id, "--root-cause", "备件库存不足", "--lesson", "主板列入常备件",
               "--late-reason", "备件缺货")
    actions = [e["action"] for e in timeline(office, case_id)]
    assert actions[-2:] == ["upgrade", "close"], actions
    assert office.show_json(case_id)["assessment"]["severity"] == "major"


def test_an_upgrade_both_clones_made_merges_as_one(group: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Clone A's sweep upgrades the late case and syncs; clone B, offline, resolves it late and
    records the same upgrade. sync merges the two: the server's merge rules accept it and the
    second upgrade changes nothing (severity, the resolution clock's missed limit)."""
    monkeypatch.setenv("COMPLAINTCTL_PUSHER", "zhangmin")  # what the server authenticates
    a = clone(str(group), tmp_path / "a")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-13T09:05:00+08:00")
    case_id = a.new("--received-at", RECEIVED)
    a.run("assign", case_id, "--handler", "张敏", "--unit", "customer-service")
    a.run("plan", case_id, "--resolver", "张敏", "--measures", "上门查看", "--due", "2026-11-16")
    a.run("sync")
    b = clone(str(group), tmp_path / "b")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-19T08:00:00+08:00")
    assert "升级为重大 一般投诉 → 重大投诉" in a.run("sweep").output
    a.run("sync")
    monkeypatch.setenv("COMPLAINTCTL_NOW", LATE)  # B never saw A's sweep
    b.run("resolve", case_id, "--outcome", "repair", "--summary", "已上门修好")
    result = b.run("sync")
    assert result.output.startswith("同步:已合并"), result.output
    merged = load_plain(git(group, "show", f"main:cases/2026/11/{case_id}.yaml"), case_id)
    kinds = [e["action"] for e in merged["timeline"]]
    assert kinds.count("upgrade") == 2 and kinds[-1] == "resolve", kinds  # both kept: the log is append-only
    assert merged["assessment"]["severity"] == "major" and merged["status"] == "resolved"
    upgrades = [e for e in merged["timeline"] if e["action"] == "upgrade"]
    assert {str(e["missed"]) for e in upgrades} == {str(upgrades[0]["missed"])}  # one missed limit
    assert str(merged["clocks"]["resolution"]["due"]).startswith("2026-11-16")
    assert b.run("validate").output.strip() == "1 个案件文件全部有效"
    assert a.run("sync").exit_code == 0 and a.show_json(case_id)["assessment"]["severity"] == "major"
