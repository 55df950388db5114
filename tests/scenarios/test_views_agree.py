"""One case walked through reopen, extension, escalation and a second revisit: after every step
`show`, `list`, `register`, `report` (with its per-person table), `bulletin` and `history` tell
the same story (model.snapshot answers what the case is now; policy.clocks.state_at how each
clock stands)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Office, set_identity

PEOPLE = {"张敏": "zhangmin@example.com", "李工": "ligong@example.com", "刘洋": "liuyang@example.com",
          "王建国": "wangjianguo@example.com"}


def at(monkeypatch: pytest.MonkeyPatch, who: str, when: str) -> None:
    """Act as `who` at `when`: the CLI's clock and git's dates agree, as on a real day."""
    set_identity(monkeypatch, who, PEOPLE[who])
    monkeypatch.setenv("COMPLAINTCTL_NOW", when)
    monkeypatch.setenv("GIT_AUTHOR_DATE", when)
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)


def views(office: Office, case_id: str, out: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> dict[str, object]:
    """Every view's figures for the case, as a person would read them at `when`."""
    monkeypatch.setenv("COMPLAINTCTL_NOW", when)
    show = office.run("show", case_id).output
    shown = dict(re.findall(r"^(\S+)\s{2,}(.+?)\s*$", show.split("\n\n")[0], re.M))
    listed = {r["id"]: r for r in json.loads(office.run("list", "--json").output)}[case_id]
    week = json.loads(office.run("register", "--week", "2026-W45", "--json").output)["rows"]
    row = {r["id"]: r for r in week}[case_id]
    report = json.loads(office.run("report", "--period", "2026-11", "--json").output)
    office.run("bulletin", "--period", "2026-11", "--out", str(out), "--format", "md")
    bulletin = (out / "bulletin-2026-11.md").read_text(encoding="utf-8")
    history = json.loads(office.run("history", case_id, "--json").output)
    return {"show": shown, "list": listed, "register": row, "report": report, "bulletin": bulletin,
            "history": history}


def agree(v: dict[str, object], *, status: str, resolved: str | None, satisfaction: str | None,
          plan_due: str, closed: int, steps: int) -> None:
    show, listed, row, report = v["show"], v["list"], v["register"], v["report"]
    assert isinstance(show, dict) and isinstance(listed, dict) and isinstance(row, dict)
    assert isinstance(report, dict) and isinstance(v["bulletin"], str) and isinstance(v["history"], list)
    # the status, everywhere
    assert show["状态"] == row["status"] == status
    assert listed["status"] in {"已结案": "closed", "处理中": "in_progress", "已处理": "resolved"}[status]
    # the current resolution and revisit: none while reopened
    assert (row["resolved_at"] or "") == (resolved or "")
    assert ("处理结果" in show) == (resolved is not None)
    assert (row["satisfaction"] or "") == (satisfaction or "")
    assert show.get("回访") == satisfaction
    # the plan's due as it stands (an approved extension moves it)
    assert show["处理方案"].endswith(plan_due), show["处理方案"]
    # the report's closed count, its per-person table and the bulletin's headline agree
    headline = report["headline"]
    assert headline["closed"] == closed
    assert sum(p["closed"] for p in report["people"]) == closed, report["people"]
    assert re.search(rf"^\| 已结案 \| {closed} \|", v["bulletin"], re.M), v["bulletin"][:800]
    assert headline["open_at_end"] == (0 if status in ("已结案", "已处理") else 1)
    rate = headline["satisfaction_rate"]
    assert rate == (None if satisfaction is None else 1.0 if satisfaction == "满意" else 0.0)
    # history: one commit per step, by the person who took it
    assert len(v["history"]) == steps


def test_every_view_agrees_after_every_step(office: Office, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    at(monkeypatch, "张敏", "2026-11-02T09:00:00+08:00")
    case_id = office.new()
    at(monkeypatch, "张敏", "2026-11-02T10:00:00+08:00")
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    at(monkeypatch, "李工", "2026-11-02T11:00:00+08:00")
    # R-DL-1: received Monday, a first plan within 3 working days
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-05")
    at(monkeypatch, "李工", "2026-11-03T15:00:00+08:00")
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板")
    look = views(office, case_id, tmp_path, monkeypatch, "2026-11-03T15:30:00+08:00")
    agree(look, status="已处理", resolved="2026-11-03 15:00", satisfaction=None,
          plan_due="2026-11-05", closed=0, steps=4)

    at(monkeypatch, "张敏", "2026-11-04T10:00:00+08:00")  # R-CL-1: a dissatisfied revisit reopens it
    office.run("revisit", case_id, "--satisfaction", "dissatisfied", "--comment", "还是坏")
    look = views(office, case_id, tmp_path, monkeypatch, "2026-11-04T10:30:00+08:00")
    agree(look, status="处理中", resolved=None, satisfaction=None,
          plan_due="2026-11-05", closed=0, steps=5)

    at(monkeypatch, "刘洋", "2026-11-04T11:00:00+08:00")  # R-DL-2: an approved extension
    office.run("extend", case_id, "--until", "2026-11-12", "--reason", "备件未到")
    look = views(office, case_id, tmp_path, monkeypatch, "2026-11-04T11:30:00+08:00")
    agree(look, status="处理中", resolved=None, satisfaction=None,
          plan_due="2026-11-12 18:00", closed=0, steps=6)

    at(monkeypatch, "王建国", "2026-11-05T09:00:00+08:00")  # R-ES-1: one level up
    office.run("escalate", case_id, "--reason", "客户不满意")
    look = views(office, case_id, tmp_path, monkeypatch, "2026-11-05T09:30:00+08:00")
    agree(look, status="处理中", resolved=None, satisfaction=None,
          plan_due="2026-11-12 18:00", closed=0, steps=7)

    at(monkeypatch, "李工", "2026-11-06T15:00:00+08:00")
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "换了新主板")
    at(monkeypatch, "张敏", "2026-11-09T10:00:00+08:00")  # the second revisit
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    look = views(office, case_id, tmp_path, monkeypatch, "2026-11-09T10:30:00+08:00")
    agree(look, status="已处理", resolved="2026-11-06 15:00", satisfaction="满意",
          plan_due="2026-11-12 18:00", closed=0, steps=9)

    at(monkeypatch, "张敏", "2026-11-09T11:00:00+08:00")
    office.run("close", case_id, "--root-cause", "备件库存不足", "--lesson", "电梯主板列入常备件")
    look = views(office, case_id, tmp_path, monkeypatch, "2026-11-09T12:00:00+08:00")
    agree(look, status="已结案", resolved="2026-11-06 15:00", satisfaction="满意",
          plan_due="2026-11-12 18:00", closed=1, steps=10)

    at(monkeypatch, "王建国", "2026-11-10T09:00:00+08:00")  # reopening a closed case: no longer closed
    office.run("reopen", case_id, "--reason", "客户再次投诉")
    look = views(office, case_id, tmp_path, monkeypatch, "2026-11-10T09:30:00+08:00")
    agree(look, status="处理中", resolved=None, satisfaction=None,
          plan_due="2026-11-12 18:00", closed=0, steps=11)
