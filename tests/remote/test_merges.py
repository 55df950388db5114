"""Issue 11 §4: two clones change the same case before syncing; numbers raced and renumbered.

Every test pushes to a real bare repository made by `complaintctl server init`, whose
pre-receive hook judges each push (the file transport runs it with our environment: the
pusher is COMPLAINTCTL_PUSHER) — so each of sync's merges passes the server's merge rules or
the test fails."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from complaintctl.model.case import load_plain
from complaintctl.model.ids import parse_case_id
from tests.conftest import Office
from tests.remotes import clone, git, group_fixture, remote_cases  # noqa: F401 (fixtures)


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """The clock, for complaintctl and for git's commit dates (reports read who did what when)."""
    for var in ("COMPLAINTCTL_NOW", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, f"2026-11-22T{moment}:00+08:00")


@pytest.fixture(autouse=True)
def pusher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_PUSHER", "zhangmin")  # what the server authenticates


def remote_case(bare: Path, case_id: str) -> dict[str, object]:
    rel = parse_case_id(case_id).relpath
    return load_plain(git(bare, "show", f"main:{rel}"), rel)


def actions(data: dict[str, object]) -> list[str]:
    return [e["action"] for e in data["timeline"]]  # type: ignore[attr-defined, index]


def planned(office: Office, monkeypatch: pytest.MonkeyPatch, subject: str) -> str:
    at(monkeypatch, "09:00")
    case_id = office.new(subject=subject)
    office.run("assign", case_id, "--handler", "张敏", "--unit", "customer-service")
    office.run("plan", case_id, "--resolver", "张敏", "--measures", "上门查看", "--due", "2026-11-25")
    return case_id


def test_a_note_here_and_a_resolution_there_are_merged_in_time_order(
        group: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = clone(str(group), tmp_path / "a")
    case_id = planned(a, monkeypatch, "电梯异响")
    a.run("sync")
    b, c = clone(str(group), tmp_path / "b"), clone(str(group), tmp_path / "c")
    at(monkeypatch, "10:20")
    b.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换导靴")
    assert b.run("sync").output.startswith("同步:已推送")
    assert c.run("sync").output.startswith("同步:快进合并")  # C has seen the resolution
    at(monkeypatch, "10:10")  # offline, before the resolution reached this clone
    a.run("note", case_id, "A: 已电话告知业主")
    at(monkeypatch, "10:30")
    result = a.run("sync")
    assert result.output.startswith("同步:已合并"), result.output
    merged = remote_case(group, case_id)
    assert actions(merged)[-2:] == ["note", "resolve"]  # time order: A's 10:10 note before B's 10:20 step
    assert merged["status"] == "resolved" and merged["resolution"]["summary"] == "已更换导靴"  # type: ignore[index]
    tip = git(group, "rev-list", "--parents", "-n", "1", "main").split()
    assert len(tip) == 3  # a merge commit, accepted by the server's merge rules
    assert "逐案合并" in git(group, "log", "-1", "--format=%s", "main")
    assert a.run("validate").stdout.strip() == "1 个案件文件全部有效"
    # C's note after the resolution meets a remote whose timeline A's note went *into*: replayed
    # whole, in time order, and the server agrees.
    at(monkeypatch, "10:40")
    c.run("note", case_id, "C: 业主确认已修好")
    assert c.run("sync").output.startswith("同步:已合并")
    merged = remote_case(group, case_id)
    assert [e.get("note") for e in merged["timeline"]][-3:] == [  # type: ignore[attr-defined, index]
        "A: 已电话告知业主", None, "C: 业主确认已修好"]
    assert merged["status"] == "resolved" and c.run("validate").stdout.strip() == "1 个案件文件全部有效"
    assert b.run("sync").output.startswith("同步:快进合并")
    assert "A: 已电话告知业主" in b.path(case_id).read_text(encoding="utf-8")
    subjects = [e["subject"] for e in json.loads(a.run("history", case_id, "--json").output)]
    assert any("已处理" in s for s in subjects) and any(s.endswith(": 备注 — A: 已电话告知业主") for s in subjects)


def test_a_conflict_sets_the_case_aside_syncs_the_rest_and_names_a_new_branch_each_time(
        group: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = clone(str(group), tmp_path / "a")
    case_id = planned(a, monkeypatch, "空调漏水")
    a.run("sync")
    b = clone(str(group), tmp_path / "b")
    at(monkeypatch, "11:00")
    b.run("resolve", case_id, "--outcome", "repair", "--summary", "已疏通排水管")
    b.run("sync")
    at(monkeypatch, "10:30")  # offline, A put the case on hold and recorded another complaint
    a.run("wait", case_id, "--reason", "等待配件")
    at(monkeypatch, "10:40")
    other = a.new(subject="门禁失灵")
    at(monkeypatch, "12:00")
    result = a.run("sync", ok=False)
    msg = result.output
    assert result.exit_code == 1
    assert f"{case_id} was changed both here and on origin, and the rules do not let sync combine" in msg
    assert "R-WF: 记为从 'in_progress' 变更,但案件当时的状态是 'waiting'" in msg  # B's resolve after A's wait
    saved = f"complaintctl/conflict/{case_id}-20261122T120000"
    assert f"kept on branch {saved}: 2026-11-22 10:30 张敏 wait (等待配件)" in msg
    assert "Everything else is synced" in msg and "git log -p origin/main.." in msg
    assert "reset --hard" not in msg  # the advice never throws away unpushed cases
    # the other complaint reached the server; the case is as B left it; the clone is clean, on origin/main
    assert remote_case(group, other)["intake"]["subject"] == "门禁失灵"  # type: ignore[index]
    assert remote_case(group, case_id)["status"] == "resolved"
    assert a.git("status", "--porcelain").stdout == ""
    assert a.git("rev-parse", "HEAD").stdout == a.git("rev-parse", "origin/main").stdout
    rel = parse_case_id(case_id).relpath
    assert "等待配件" in a.git("show", f"{saved}:{rel}").stdout  # A's step, kept
    # A second conflict on the same case, in the same second: a new branch, not "already exists".
    at(monkeypatch, "11:05")
    b.run("revisit", case_id, "--satisfaction", "satisfied")
    at(monkeypatch, "11:15")
    b.run("close", case_id, "--root-cause", "排水管堵塞", "--lesson", "定期清理")
    b.run("sync")
    at(monkeypatch, "11:10")
    a.run("reopen", case_id, "--reason", "业主说仍在漏水")
    at(monkeypatch, "12:00")
    msg = a.run("sync", ok=False).output
    assert f"kept on branch {saved}-2:" in msg and "R-WF" in msg, msg
    assert a.git("rev-parse", saved).stdout != a.git("rev-parse", f"{saved}-2").stdout
    assert remote_case(group, case_id)["status"] == "closed"


def race_hook(clone_: Office, others: list[Office], tmp_path: Path) -> None:
    """A pre-push hook: each time this clone is about to push, the next of `others` syncs first."""
    lines = ["#!/bin/sh", "cat >/dev/null"]
    for i, other in enumerate(others):
        flag = tmp_path / f"raced-{i}"
        lines += [f"if [ ! -e '{flag}' ]; then touch '{flag}'",
                  f"  env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE '{sys.executable}' -m complaintctl "
                  f"-C '{other.root}' sync >&2 || exit 1", "  exit 0", "fi"]
    hook = clone_.root / ".git" / "hooks" / "pre-push"
    hook.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hook.chmod(0o755)


def test_a_race_renumbers_a_case_three_times_and_history_and_reports_follow_it(
        group: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "09:00")
    a, b, c, d = (clone(str(group), tmp_path / n) for n in "abcd")
    subjects = {"a": ["甲-电梯"], "b": ["乙-停车", "乙-绿化"], "c": ["丙-漏水"], "d": ["丁-门禁", "丁-噪音", "丁-保洁"]}
    made = {n: [o.new(subject=s) for s in subjects[n]] for n, o in zip("abcd", (a, b, c, d), strict=True)}
    assert made["a"] == made["c"] == ["SZ-2611-0001"] and made["d"][-1] == "SZ-2611-0003"
    mine = made["c"][0]
    at(monkeypatch, "09:30")  # C takes its complaint through to the end, offline
    c.run("assign", mine, "--handler", "张敏", "--unit", "customer-service")
    c.run("plan", mine, "--resolver", "张敏", "--measures", "更换水管", "--due", "2026-11-25")
    c.run("resolve", mine, "--outcome", "repair", "--summary", "已更换水管")
    c.run("revisit", mine, "--satisfaction", "satisfied")
    c.run("close", mine, "--root-cause", "水管老化", "--lesson", "老旧管道列入巡检")
    at(monkeypatch, "10:00")
    a.run("sync")
    race_hook(c, [b, d], tmp_path)  # B, then D, push just before each of C's pushes
    out = c.run("sync").output
    assert re.findall(r"已重新编号 (\S+) → ([A-Z]+-\d+-\d+)", out) == [
        ("SZ-2611-0001", "SZ-2611-0002"), ("SZ-2611-0002", "SZ-2611-0004"), ("SZ-2611-0004", "SZ-2611-0007")], out
    assert "(尝试 3 次)" in out
    # every complaint is on the server, once, under its own number
    ids = sorted(Path(p).stem for p in remote_cases(group))
    assert ids == [f"SZ-2611-{n:04d}" for n in range(1, 8)]
    now = {cid: remote_case(group, cid)["intake"]["subject"] for cid in ids}  # type: ignore[index]
    assert sorted(now.values()) == sorted(s for group_ in subjects.values() for s in group_)
    assert now["SZ-2611-0007"] == "丙-漏水"
    # history: every commit of each case, under whichever number it had then — and no other's
    c.run("sync")
    trailer = {}
    for line in c.git("log", "--format=%H %(trailers:key=Case,valueonly,separator=%x2C)").stdout.splitlines():
        sha, _, case = line.partition(" ")
        trailer[sha] = case.strip()
    seen: dict[str, str] = {}
    for cid in ids:
        history = json.loads(c.run("history", cid, "--json").stdout)
        for entry in history:
            then = trailer.get(entry["sha"], "")
            if not then or "," in then:
                continue  # a merge (no Case: trailer)
            rel = parse_case_id(then).relpath
            was = load_plain(c.git("show", f"{entry['sha']}:{rel}").stdout, rel)
            assert was["intake"]["subject"] == now[cid], (cid, entry["subject"])  # the same complaint
            assert seen.setdefault(entry["sha"], cid) == cid
    # `history` reads the renumberings from the read index's copy of the log (issue 12): git's
    # answer, so each case's history is the one git's own log gives
    from complaintctl.repo import lineage
    from complaintctl.repo.workspace import open_workspace
    from complaintctl.reporting import queries

    ws = open_workspace(c.root)
    by_git = lineage.renumberings(ws.git)
    assert queries.renumberings(ws) == by_git and len(by_git) >= 3
    for cid in ids:
        assert queries.history(ws, cid, queries.renumberings(ws)) == queries.history(ws, cid, by_git), cid
    seven = json.loads(c.run("history", "SZ-2611-0007", "--json").stdout)
    assert [e["subject"].split(":")[0] for e in seven].count("SZ-2611-0001") == 6  # received … close
    assert sum(e["subject"].startswith("改号 ") for e in seven) == 3
    # `history` of the number's holder says the old trailers named someone else too
    result = c.run("history", "SZ-2611-0001")
    assert "编号 SZ-2611-0001 也曾指现在的 SZ-2611-0007" in result.stderr
    assert "也曾指现在的 SZ-2611-0003" in result.stderr  # B's, renumbered once
    # reports attribute each commit to the case it is now: 张敏 received seven complaints, not three
    at(monkeypatch, "12:00")
    report = json.loads(c.run("report", "--period", "2026-11", "--json").stdout)
    person = next(p for p in report["people"] if p["name"] == "张敏")
    assert person["received"] == 7 and person["closed"] == 1, person
    assert os.path.exists(c.root / ".git" / "complaintctl" / "renumbered.json")
