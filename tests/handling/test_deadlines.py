"""Deadlines end to end: real repositories, real commits and hooks, the clock pinned to 2026 dates."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml import YAML

from tests.conftest import Office, set_identity

# A realestate-style office (R-IN-3, R-DL-1) on the property preset's people and calendar.
LIMITS = """
deadlines:
  clocks:
    response: [{within: 5min}]
    resolution:
      - {severity: major, within: 7 working days}
      - {within: 3 working days}
  escalation:
    - {from: due, head: 0min, vp: 2 working days}
  upgrade_open_after: 1 month
"""


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", when)


def use_limits(office: Office, limits: str = LIMITS) -> None:
    path = office.root / "complaintctl.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\ndeadlines:")] + limits, encoding="utf-8")
    office.git("commit", "-qam", "office limits")


def load(office: Office, case_id: str) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe", pure=True).load(office.path(case_id).read_text(encoding="utf-8"))


def due(office: Office, case_id: str, clock: str = "resolution") -> str:
    return load(office, case_id)["clocks"][clock]["due"].isoformat()


def head(office: Office) -> str:
    return office.git("rev-parse", "HEAD").stdout.strip()


def test_new_case_carries_the_preset_clocks(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "2026-02-13T17:30:00+08:00")
    cid = office.new()
    clocks = load(office, cid)["clocks"]
    # R-DL-5: staff pass it on within 24 h; the desk dispatches within 12 h of that.
    assert clocks["intake"]["due"].isoformat() == "2026-02-14T17:30:00+08:00"
    assert clocks["intake"]["done"].isoformat() == "2026-02-13T17:30:00+08:00"
    assert clocks["dispatch"] == {"due": clocks["dispatch"]["due"], "done": None}
    assert clocks["dispatch"]["due"].isoformat() == "2026-02-14T05:30:00+08:00"
    out = office.run("show", cid, "--as-of", "2026-02-14 06:00").output
    assert re.search(r"派单\s+2026-02-14 05:30\s+已超时\s+已超时30分钟", out), out
    out = office.run("show", cid, "--as-of", "2026-02-13 18:00").output
    assert re.search(r"派单 .* 计时中\s+剩余11小时30分", out), out


def test_emergency_runs_on_minute_timings(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "2026-02-13T17:30:00+08:00")
    cid = office.new("--severity", "emergency")
    clocks = load(office, cid)["clocks"]
    assert clocks["dispatch"]["due"].isoformat() == "2026-02-13T17:33:00+08:00"  # R-DL-5: 3 minutes
    assert clocks["report"]["due"].isoformat() == "2026-02-14T17:30:00+08:00"  # written report in 24 h
    # R-ES-1/R-DL-5: after 5 minutes the company leader has it, after 10 the board.
    at(monkeypatch, "2026-02-13T17:36:00+08:00")
    office.run("sweep")
    assert load(office, cid)["routing"]["escalation_level"] == "vp"
    at(monkeypatch, "2026-02-13T17:41:00+08:00")
    office.run("sweep")
    assert load(office, cid)["routing"]["escalation_level"] == "gm"


def test_sweep_upgrades_reminds_escalates_and_is_idempotent(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-02-13T17:30:00+08:00")  # Friday before the Spring Festival
    late = office.new()
    office.run("assign", late, "--handler", "李工")
    assert due(office, late) == "2026-02-25T18:00:00+08:00"  # Sat 14 (make-up), Tue 24, Wed 25
    at(monkeypatch, "2026-02-25T10:00:00+08:00")
    fine = office.new(subject="水压不足")
    office.run("note", fine, "回电说明处理安排", "--contact")

    at(monkeypatch, "2026-02-26T09:00:00+08:00")
    before = head(office)
    result = office.run("sweep")
    assert (f"{late}: 升级为重大 一般投诉 → 重大投诉; 催办 首次响应已超时; 催办 处理完成已超时; "
            "升级 一线员工 → 部门负责人") in result.output  # the office's words for the keys (issue 13)
    data = load(office, late)
    assert data["assessment"]["severity"] == "major"  # R-DL-6
    assert [e["action"] for e in data["timeline"][-4:]] == ["upgrade", "remind", "remind", "escalate"]
    assert data["timeline"][-3]["clock"] == "response"  # R-DL-7
    # R-DL-6: the general limit that was missed stays on record — the upgrade does not reset it
    assert data["timeline"][-4]["missed"].isoformat() == "2026-02-25T18:00:00+08:00"
    assert due(office, late) == "2026-02-25T18:00:00+08:00"
    assert office.git("rev-list", "--count", f"{before}..HEAD").stdout.strip() == "1"
    touched = office.git("show", "--name-only", "--format=", "HEAD").stdout.split()
    assert touched == [f"cases/2026/02/{late}.yaml"]
    assert load(office, fine)["assessment"]["severity"] == "general"

    tip = head(office)
    again = office.run("sweep")  # nothing new: no commit
    assert "无需处理" in again.output and head(office) == tip
    assert office.git("rev-list", "--count", f"{before}..HEAD").stdout.strip() == "1"

    at(monkeypatch, "2026-02-27T19:00:00+08:00")  # 2 working days past the deadline: the vp
    office.run("sweep")
    data = load(office, late)
    assert data["routing"]["escalation_level"] == "vp"
    reminders = [e for e in data["timeline"] if e["action"] == "remind"]
    assert [e["clock"] for e in reminders] == ["response", "resolution"]  # once per overdue clock
    tip = head(office)
    assert "无需处理" in office.run("sweep").output and head(office) == tip
    assert office.run("validate").exit_code == 0


def test_waiting_pauses_the_resolution_clock(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-03-02T10:00:00+08:00")  # Monday
    cid = office.new()
    office.run("assign", cid, "--handler", "李工")
    office.run("plan", cid, "--resolver", "李工", "--measures", "检修", "--due", "2026-03-05")
    assert due(office, cid) == "2026-03-05T18:00:00+08:00"
    at(monkeypatch, "2026-03-03T10:00:00+08:00")
    office.run("wait", cid, "--reason", "等业主提供照片")
    assert "等待客户期间暂停" in office.run("show", cid, "--as-of", "2026-03-10 10:00").output
    at(monkeypatch, "2026-03-04T10:00:00+08:00")  # one full working day (9 business hours) later
    office.run("resume", cid)
    assert due(office, cid) == "2026-03-06T18:00:00+08:00"

    # A general case that waits past a month is not overdue, but a valid complaint open over a
    # month becomes major all the same (R-DL-6).
    at(monkeypatch, "2026-03-05T10:00:00+08:00")
    office.run("wait", cid, "--reason", "等业主回国")
    at(monkeypatch, "2026-04-02T10:00:00+08:00")
    assert "升级为重大" not in office.run("sweep", "--dry-run").output
    at(monkeypatch, "2026-04-02T10:00:01+08:00")
    assert f"{cid}: 升级为重大 一般投诉 → 重大投诉" in office.run("sweep").output


def test_extension_only_by_an_approver(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-03-02T10:00:00+08:00")
    cid = office.new()
    before = head(office)
    refused = office.run("extend", cid, "--until", "2026-03-10", "--reason", "等配件", ok=False)
    assert refused.exit_code == 1 and "R-DL-2" in refused.output and "张敏 无权延长时限" in refused.output
    assert head(office) == before

    set_identity(monkeypatch, "刘洋", "liuyang@example.com")  # vp in the policy
    office.run("extend", cid, "--until", "2026-03-10", "--reason", "等厂家配件")
    assert due(office, cid) == "2026-03-10T18:00:00+08:00"
    entry = load(office, cid)["timeline"][-1]
    assert (entry["action"], entry["by"], entry["clock"]) == ("extend", "刘洋", "resolution")
    assert entry["note"] == "等厂家配件"

    # A hand edit adding an extension "by" a staff member: refused by the pre-commit hook.
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    path = office.path(cid)
    text = path.read_text(encoding="utf-8")
    forged = text.replace("2026-03-10 18:00:00+08:00", "2026-03-20 18:00:00+08:00") + (
        "  - at: 2026-03-02 10:00:00+08:00\n    by: 张敏\n    action: extend\n    clock: resolution\n"
        "    until: 2026-03-20 18:00:00+08:00\n    note: 自己延期\n")
    forged = forged.replace("timeline:\n", "timeline:\n", 1)
    path.write_text(forged, encoding="utf-8")
    proc = office.git("commit", "-qam", "extend by hand", check=False)
    assert proc.returncode != 0
    assert "R-DL-2" in proc.stderr and "张敏 无权延期" in proc.stderr, proc.stderr
    office.git("checkout", "--", ".")


def test_hand_edited_due_is_refused(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-03-02T10:00:00+08:00")
    cid = office.new()
    office.hand_edit(cid, "2026-03-05 18:00:00+08:00", "2026-03-09 18:00:00+08:00")
    proc = office.git("commit", "-qam", "more time", check=False)
    assert proc.returncode != 0
    assert "clocks.resolution.due: R-DL-2" in proc.stderr and "与制度规定不符" in proc.stderr
    assert "1 个案件文件中有 1 项问题" in office.run("validate", ok=False).output


def test_late_closing_needs_a_reason(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-03-02T10:00:00+08:00")
    cid = office.new()
    office.run("assign", cid, "--handler", "李工")
    office.run("plan", cid, "--resolver", "李工", "--measures", "检修", "--due", "2026-03-05")
    at(monkeypatch, "2026-03-09T10:00:00+08:00")
    office.run("resolve", cid, "--outcome", "repair", "--summary", "已修复")
    office.run("revisit", cid, "--satisfaction", "satisfied")
    refused = office.run("close", cid, "--root-cause", "备件不足", ok=False)
    assert refused.exit_code == 1 and "closing.late_reason: R-DL-7" in refused.output
    office.run("close", cid, "--root-cause", "备件不足", "--late-reason", "厂家缺货一周")
    show = office.run("show", cid).output
    assert re.search(r"处理完成\s+2026-03-05 18:00\s+2026-03-09 10:00\s+超时完成\s+超时1个工作日1小时", show), show


def test_due_and_list_overdue(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-03-02T10:00:00+08:00")
    a = office.new()
    office.run("note", a, "已回电", "--contact")
    at(monkeypatch, "2026-03-04T10:00:00+08:00")
    b = office.new(subject="噪音")
    office.run("note", b, "已回电", "--contact")
    out = office.run("due", "--within", "1d", "--as-of", "2026-03-05 09:00").output
    assert re.search(rf"{a}\s+处理完成\s+2026-03-05 18:00\s+计时中\s+剩余9小时0分\(工作时间\)", out), out
    assert b not in out
    out = office.run("list", "--overdue", "--as-of", "2026-03-06 09:00").output
    assert re.search(rf"{a} .* 处理完成\s+2026-03-05 18:00\s+已超时不足1分钟\(工作时间\)", out), out
    assert b not in out and "共 1 件超时" in out
    assert "共 0 件超时" in office.run("list", "--overdue", "--as-of", "2026-03-05 17:00").output


def test_escalate_by_hand(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "2026-03-02T10:00:00+08:00")
    cid = office.new()
    office.run("assign", cid, "--handler", "李工")
    # R-ES-1: by the handler or someone above, one level at a time
    set_identity(monkeypatch, "李工", "ligong@example.com")
    office.run("escalate", cid, "--reason", "业主仍不满意")
    assert load(office, cid)["routing"]["escalation_level"] == "head"
    head = office.git("rev-parse", "HEAD").stdout
    off_chain = office.run("escalate", cid, "--reason", "直接找董事长", "--level", "chairman", ok=False)
    assert off_chain.exit_code == 1 and "'chairman' 不在升级层级中" in off_chain.output
    jump = office.run("escalate", cid, "--reason", "要求见总经理", "--level", "gm", ok=False)
    assert jump.exit_code == 1 and "R-ES-1: 须逐级升级:head 的上一级是 vp,不是 gm" in jump.output
    set_identity(monkeypatch, "赵磊", "zhaolei@example.com")  # staff, not on the case
    stranger = office.run("escalate", cid, "--reason", "帮忙升级", ok=False)
    assert stranger.exit_code == 1 and "赵磊 既不是处理人,也不高于案件当前层级" in stranger.output
    assert office.git("rev-parse", "HEAD").stdout == head  # nothing committed
    set_identity(monkeypatch, "王建国", "wangjianguo@example.com")  # a head
    office.run("escalate", cid, "--reason", "部门无法解决")
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")  # the vp
    office.run("escalate", cid, "--reason", "要求见总经理")
    assert load(office, cid)["routing"]["escalation_level"] == "gm"
    refused = office.run("escalate", cid, "--reason", "再升", ok=False)
    assert refused.exit_code == 1 and "已在升级层级的最高一级" in refused.output


def test_edit_recomputes_clocks_unless_the_edit_changes_them(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-03-02T10:00:00+08:00")
    cid = office.new()
    monkeypatch.setenv("EDITOR", "sed -i 's/severity: general/severity: major/'")
    refused = office.run("edit", cid, ok=False)  # severity is no free text: `correct` changes it
    assert refused.exit_code == 1 and "assessment.severity: R-AS-2: 该项目是规则判定的依据" in refused.output
    office.run("correct", cid, "--field", "assessment.severity", "--value", "major", "--reason", "涉及多户")
    assert due(office, cid) == "2026-03-11T18:00:00+08:00"  # major: 7 working days
    monkeypatch.setenv("EDITOR", "sed -i 's/2026-03-11 18:00:00+08:00/2026-03-31 18:00:00+08:00/'")
    refused = office.run("edit", cid, ok=False)
    assert refused.exit_code == 1 and "clocks.resolution.due: R-DL-2" in refused.output


def test_report_filed_stops_the_report_clock(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "2026-02-13T17:30:00+08:00")
    cid = office.new("--severity", "emergency")
    at(monkeypatch, "2026-02-14T09:00:00+08:00")
    office.run("report-filed", cid, "书面报告 BG-2026-007")
    assert load(office, cid)["clocks"]["report"]["done"].isoformat() == "2026-02-14T09:00:00+08:00"
    assert re.search(r"书面报告\s+2026-02-14 17:30\s+2026-02-14 09:00\s+按时", office.run("show", cid).output)


def test_sweep_leaves_a_broken_case_alone_and_sweeps_the_rest(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_limits(office)
    at(monkeypatch, "2026-03-02T10:00:00+08:00")
    broken, good = office.new(), office.new(subject="噪音")
    office.hand_edit(broken, "category: work-efficiency", "category: bogus")
    office.git("commit", "-q", "--no-verify", "-am", "forced past the hook")
    at(monkeypatch, "2026-03-09T10:00:00+08:00")
    result = office.run("sweep")
    assert f"{good}: 升级为重大 一般投诉 → 重大投诉" in result.output
    assert "已跳过(请先修正)" in result.output
    assert f"{broken}.yaml: assessment.category: R-DEF-3" in result.output
    assert office.git("show", "--name-only", "--format=", "HEAD").stdout.split() == [f"cases/2026/03/{good}.yaml"]


def test_an_office_in_a_dst_timezone(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    path = office.root / "complaintctl.yaml"
    text = path.read_text(encoding="utf-8").replace("timezone: Asia/Shanghai", "timezone: Europe/Berlin")
    text = text.replace("  country: CN\n", "  country: DE\n  subdivision: BE\n")
    path.write_text(text[: text.index("\ndeadlines:")] + """
deadlines:
  clocks:
    response: [{within: 2 working hours}]
    resolution: [{within: 1 working day}]
""", encoding="utf-8")
    office.git("commit", "-qam", "Berlin office")
    at(monkeypatch, "2026-03-27T17:00:00+01:00")  # Friday; summer time starts on Sunday 29 March
    cid = office.new()
    assert due(office, cid, "response") == "2026-03-30T10:00:00+02:00"
    assert due(office, cid) == "2026-03-30T18:00:00+02:00"
    out = office.run("show", cid, "--as-of", "2026-03-30T09:30:00+02:00").output
    assert re.search(r"首次响应\s+2026-03-30 10:00\s+计时中\s+剩余30分钟\(工作时间\)", out), out
