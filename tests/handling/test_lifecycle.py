"""The issue's session, end to end, through the real CLI and real git."""

from __future__ import annotations

import pytest

from tests.conftest import Office, set_identity


def full_life(office: Office, monkeypatch: pytest.MonkeyPatch) -> str:
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    set_identity(monkeypatch, "李工", "ligong@example.com")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", office.soon(case_id))
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板,试运行正常")
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    office.run("close", case_id, "--root-cause", "备件库存不足", "--lesson", "电梯主板列入常备件")
    return case_id


def test_whole_life_is_one_commit_per_step_by_the_actor(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = full_life(office, monkeypatch)
    log = office.git("log", "--format=%an|%s", "--reverse").stdout.splitlines()
    assert [line.split("|")[0] for line in log[1:]] == ["张敏", "张敏", "李工", "李工", "张敏", "张敏"]
    subjects = [line.split("|")[1] for line in log[1:]]
    assert subjects[0].startswith(f"{case_id}: 已受理")  # the office's words (repo.messages)
    assert subjects[1].startswith(f"{case_id}: 已受理 → 已派单")
    assert subjects[2].startswith(f"{case_id}: 已派单 → 处理中")
    assert subjects[5].startswith(f"{case_id}: 已处理 → 已结案")
    body = office.git("log", "-1", "--format=%B").stdout
    assert f"Case: {case_id}" in body and "Transition: resolved → closed" in body
    assert "status: closed" in office.path(case_id).read_text(encoding="utf-8")
    assert office.run("validate").output.strip() == "1 个案件文件全部有效"


def test_a_step_recorded_late_cannot_have_happened_later(states: tuple[Office, dict[str, str]]) -> None:
    """`--at` dates a step in the past (handling.lifecycle); a moment to come is refused, nothing committed."""
    office, ids = states
    head = office.git("rev-parse", "HEAD").stdout
    for args in (("note", ids["in_progress"], "回访未接通"),
                 ("resolve", ids["in_progress"], "--outcome", "repair", "--summary", "已修")):
        refused = office.run(*args, "--at", "2099-01-01 10:00", ok=False)
        assert refused.exit_code == 1 and "--at:2099-01-01T10:00:00+08:00 在将来" in refused.output, refused.output
    assert office.git("rev-parse", "HEAD").stdout == head


def test_a_replan_that_changes_nothing_commits_nothing(office: Office) -> None:
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工")
    plan = ("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", office.soon(case_id))
    office.run(*plan)
    head = office.git("rev-parse", "HEAD").stdout
    again = office.run(*plan, ok=False)
    assert again.exit_code == 1 and case_id in again.output and "没有变化" in again.output
    assert office.git("rev-parse", "HEAD").stdout == head
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板并检修", "--due", office.soon(case_id))
    assert office.git("rev-parse", "HEAD").stdout != head  # a real change still commits
