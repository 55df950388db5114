"""The ledger (issue 9): a hand edit can do exactly what the CLI could have done, by the person
who commits it, and nothing else. Each bypass of the issue, tried the ways a person would —
the CLI, a hand edit committed with plain git, a `--no-verify` commit pushed to the server
repository — and refused with the rule's ID at every layer; the honest path still works.

The hand edits of tests/violations.py (the ledger's block) also go through `git commit` and
`git push` all at once in test_hooks (one hook run each); here each goes through `edit`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.model.case import timeline_entry
from tests.conftest import NOW, Office, set_identity
from tests.violations import AT, cases_for, check_violation, edited, refused, rel

States = tuple[Office, dict[str, str]]
LEDGER = ("forged-extension", "silent-severity", "silent-escalation", "silent-repeat-link", "silent-accused",
          "correct-accused-by-staff", "replan-40-days", "plan-before-receipt", "invalid-blank-reply",
          "escalate-jump", "compensation-above-limit", "bad-amounts", "blank-text")

PEOPLE = {"张敏": "zhangmin@example.com", "李工": "ligong@example.com", "王建国": "wangjianguo@example.com",
          "陈静": "chenjing@example.com", "刘洋": "liuyang@example.com", "赵磊": "zhaolei@example.com",
          "孙总": "sunzong@example.com", "值班系统": "system@example.com"}


def as_(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    set_identity(monkeypatch, name, PEOPLE[name])


@pytest.mark.parametrize("name,route", cases_for(*LEDGER))
def test_hand_edit_is_refused(name: str, route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    check_violation(name, route, office, ids, monkeypatch)


def every_layer(office: Office, case_id: str, change: Callable[[CommentedMap], Any], expect: list[str],
                monkeypatch: pytest.MonkeyPatch, routes: tuple[str, ...] = ("edit", "commit", "push")) -> None:
    """The same hand change through `edit`, `git commit` and `git commit --no-verify` + push."""
    text = edited(office, case_id, change)
    for route in routes:
        out = refused(route, office, case_id, text, monkeypatch)
        for line in expect:
            assert f"{rel(office, case_id)}: {line}" in out, (route, out)
        office.git("reset", "-q", "--hard", "origin/main" if route == "push" else "HEAD")


def entry(action: str, by: str, src: str | None = None, dst: str | None = None, note: str | None = None,
          **extra: Any) -> Callable[[CommentedMap], None]:
    return lambda d: d["timeline"].append(timeline_entry(AT, by, action, src=src, dst=dst, note=note, extra=extra))


# ---- R-RT-3: the accused takes no action; only a head or above changes `accused` ----

def test_the_accused_closes_by_a_colleagues_name_at_every_layer(states: States,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = office.new("--accused", "赵磊", subject="保安夜间巡逻睡觉", details="夜班保安在岗亭睡觉")
    office.run("assign", case_id, "--handler", "李工")
    office.git("push", "-q", "origin", "main")
    # the accused, by the CLI: refused as himself
    as_(monkeypatch, "赵磊")
    out = office.run("note", case_id, "已向业主解释", ok=False).output
    assert "timeline[2].by: R-RT-3: 赵磊 是被投诉人,不得对本案件进行任何操作" in out
    # …and by hand, writing a colleague's name as the actor
    every_layer(office, case_id, entry("contact", "李工", note="已回电"), [
        "timeline[2].by: R-WF: 记为 '李工',但提交人是 赵磊",
        "timeline[2].by: R-RT-3: 赵磊 是被投诉人,不得对本案件进行任何操作"], monkeypatch)
    # the honest path: the handler contacts the customer himself
    as_(monkeypatch, "李工")
    office.run("note", case_id, "已回电", "--contact")


def test_only_a_head_changes_accused_and_the_accused_may_not_help_himself(states: States,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = office.new("--accused", "李工", subject="维修工态度差", details="李工上门维修时态度恶劣")
    office.git("push", "-q", "origin", "main")
    refusal = office.run("correct", case_id, "--field", "accused.person", "--value", "", "--reason", "记错了",
                         ok=False)
    assert "R-RT-3: 张敏 无权更正 accused.person:须具有 head 或 vp 或 gm 角色" in refusal.output
    # clearing accused by hand, then the accused assigning the case to himself
    every_layer(office, case_id, lambda d: d["accused"].__setitem__("person", None),
                ["accused.person: R-RT-3: 已被修改('李工' → none),但没有说明该修改的新时间线记录"], monkeypatch,
                routes=("commit", "push"))
    as_(monkeypatch, "王建国")  # a head, with a reason: the honest path
    office.run("correct", case_id, "--field", "accused.person", "--value", "赵磊", "--reason", "核实为当班保安")
    assert office.show_json(case_id)["accused"]["person"] == "赵磊"
    history = office.run("history", case_id).output
    assert "更正 — 被投诉人:李工 → 赵磊(核实为当班保安)" in history and "王建国" in history


# ---- R-AS-1: the dispatcher decides invalidity, with a real reply ----

def test_invalid_by_plain_staff_is_refused_at_every_layer(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["received"]
    as_(monkeypatch, "李工")
    out = office.run("invalid", case_id, "--reason", "out-of-scope", "--reply", "不属于服务范围", ok=False).output
    assert "timeline[1].by: R-AS-1: 李工 无权执行 invalid:须具有制度规定的 dispatcher 角色" in out
    blank = office.run("invalid", case_id, "--reason", "out-of-scope", "--reply", "   ", ok=False).output
    assert "--reply: R-AS-1: 必填" in blank

    def invalid(d: CommentedMap) -> None:
        a = d["assessment"]
        a["valid"], a["invalid_reason"], a["reply"], a["decided_by"] = False, "out-of-scope", "不属于服务范围", "李工"
        d["status"] = "invalid"
        entry("invalid", "李工", "received", "invalid", "不属于服务范围", reason="out-of-scope")(d)

    every_layer(office, case_id, invalid, ["timeline[1].by: R-AS-1: 李工 无权执行 invalid:须具有制度规定的 dispatcher"],
                monkeypatch, routes=("commit", "push"))
    as_(monkeypatch, "张敏")  # the dispatcher
    office.run("invalid", case_id, "--reason", "out-of-scope", "--reply", "不属于服务范围,已电话说明")


# ---- R-DL-2: deadlines move only by an approver; never before receipt ----

def test_plan_and_extend_by_cli_need_the_approver(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    as_(monkeypatch, "李工")
    late = office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", "2027-01-02",
                      ok=False)
    assert "timeline[3].due: R-DL-2: 2027-01-02 23:59:59+08:00 晚于处理时限" in late.output
    early = office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-19",
                       ok=False)
    assert "R-DL-2: 2026-11-19 23:59:59+08:00 早于投诉受理时间" in early.output
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板并调试", "--due", "2026-11-24")
    as_(monkeypatch, "刘洋")  # the vice-president approves a later limit: an extension
    office.run("extend", case_id, "--until", "2026-12-10", "--reason", "厂家配件延期到货")
    as_(monkeypatch, "李工")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "配件到货后更换", "--due", "2026-12-10")


# ---- R-ES-2: compensation limits per role, in every preset that sets them ----

@pytest.mark.parametrize("preset,staff,amount,approver", [
    ("hotel", ("马兰", "malan@example.com"), "8000", ("钱总", "qianzong@example.com")),
    ("factory", ("田工", "tiangong@example.com"), "500000", ("陆总", "luzong@example.com")),
])
def test_compensation_above_the_handlers_limit_needs_approval(preset: str, staff: tuple[str, str], amount: str,
                                                              approver: tuple[str, str], tmp_path: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from complaintctl.cli import cli
    from complaintctl.policy.policy import load_policy

    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    root = tmp_path / preset
    assert CliRunner().invoke(cli, ["init", str(root), "--preset", preset, "--office", "HQ"]).exit_code == 0
    office = Office(root)
    office.git("config", "core.hooksPath", ".no-hooks")  # the CLI's own validator judges
    policy = load_policy(root)
    dispatcher = next(p for p in policy.people if "dispatcher" in p.roles)
    set_identity(monkeypatch, dispatcher.name, dispatcher.email)
    case_id = office.new(channel=next(iter(policy.channels)), complainant_class=next(iter(policy.complainant_classes)),
                         category=next(iter(policy.categories)))
    handler = policy.person(staff[0])
    assert handler is not None
    office.run("assign", case_id, "--handler", staff[0], "--unit", handler.unit)  # R-RT-1: the handler's unit
    set_identity(monkeypatch, *staff)
    office.run("plan", case_id, "--resolver", staff[0], "--measures", "赔偿", "--due", "2026-11-25 18:00")
    args = ("resolve", case_id, "--outcome", next(iter(policy.outcomes)), "--summary", "赔偿客户损失",
            "--compensation", amount)
    out = office.run(*args, ok=False).output
    assert f"R-ES-2: {amount} 超出 {staff[0]} 的审批额度(500)" in out
    refused_self = office.run("approve", case_id, "--compensation", amount, "--reason", "我批", ok=False).output
    assert f"R-ES-2: {amount} 超出 {staff[0]} 本人的审批额度(500)" in refused_self
    set_identity(monkeypatch, *approver)  # the general manager: no limit
    office.run("approve", case_id, "--compensation", amount, "--reason", "客户损失属实,同意赔付")
    set_identity(monkeypatch, *staff)
    office.run(*args)
    assert office.run("validate").exit_code == 0


# ---- R-ES-1 by the CLI; R-AS-2 lowering severity; R-AS-5 senior staff; R-RT-2 heads copied ----

def test_escalate_straight_to_gm_by_an_unrelated_person_is_refused(states: States,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    as_(monkeypatch, "赵磊")
    out = office.run("escalate", ids["assigned"], "--level", "gm", "--reason", "直接找总经理", ok=False).output
    assert "timeline[2].level: R-ES-1: 须逐级升级:staff 的上一级是 head,不是 gm" in out
    assert "timeline[2].by: R-ES-1: 赵磊 既不是处理人,也不高于案件当前层级(staff)" in out


def test_lowering_severity_needs_a_head_and_a_reason(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = office.new("--severity", "major", subject="消防通道被占", details="消防通道长期堆放杂物")
    office.git("push", "-q", "origin", "main")
    out = office.run("correct", case_id, "--field", "assessment.severity", "--value", "general", "--reason", "误判",
                     ok=False).output
    assert "R-AS-2: 张敏 无权更正 assessment.severity:须具有 head 或 vp 或 gm 角色" in out

    def lower(d: CommentedMap) -> None:
        d["assessment"]["severity"] = "general"
        entry("correct", "张敏", note="误判", field="assessment.severity", old="major", value="general")(d)

    every_layer(office, case_id, lower, ["timeline[1].by: R-AS-2: 张敏 无权更正 assessment.severity"],
                monkeypatch, routes=("commit", "push"))
    as_(monkeypatch, "陈静")  # a head, with a reason
    office.run("correct", case_id, "--field", "assessment.severity", "--value", "general",
               "--reason", "现场核实影响轻微")
    assert office.show_json(case_id)["assessment"]["severity"] == "general"


def test_repeat_complaints_go_to_senior_staff(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    first = office.new(subject="地下车库漏水", details="车位上方漏水", contact="13912345678")
    again = office.new(subject="地下车库又漏水", details="车位上方仍漏水", contact="13912345678")
    assert office.show_json(again)["assessment"]["repeat_of"] == [first]
    office.git("push", "-q", "origin", "main")
    out = office.run("assign", again, "--handler", "李工", ok=False).output
    assert "timeline[1].handler: R-AS-5: 重复投诉须由资深人员(head 或 vp 或 gm)处理" in out

    def to_staff(d: CommentedMap) -> None:
        d["status"] = "assigned"
        d["routing"].update(unit="engineering", handler="李工")
        entry("assign", "张敏", "received", "assigned", handler="李工", unit="engineering", copied=[])(d)

    every_layer(office, again, to_staff, ["timeline[1].handler: R-AS-5: 重复投诉须由资深人员"],
                monkeypatch, routes=("commit", "push"))
    office.run("assign", again, "--handler", "王建国")


def test_a_major_dispatch_copies_the_heads(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = office.new("--severity", "major", subject="电梯频繁停运", details="一周内停运三次")
    office.git("push", "-q", "origin", "main")

    def no_heads(d: CommentedMap) -> None:
        d["status"] = "assigned"
        d["routing"].update(unit="engineering", handler="李工")
        entry("assign", "张敏", "received", "assigned", handler="李工", unit="engineering", copied=[])(d)

    every_layer(office, case_id, no_heads, ["timeline[1].copied: R-RT-2: major 级投诉派单时须抄送"
                                            "相关负责人"], monkeypatch)
    office.run("assign", case_id, "--handler", "李工")  # the CLI copies the unit's heads itself
    assert office.show_json(case_id)["routing"]["copied"] == ["王建国"]


# ---- the system account records only what the clocks make due ----

def test_the_system_account_writes_only_what_the_clocks_make_due(states: States,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    as_(monkeypatch, "值班系统")
    out = office.run("note", ids["assigned"], "系统备注", ok=False).output
    assert "timeline[2].action: R-WF: 值班系统 是系统账号:只能记载" in out
    every_layer(office, ids["assigned"], entry("upgrade", "值班系统", note="R-DL-6", severity="major"),
                ["timeline[2].action: R-WF: 值班系统 是系统账号"], monkeypatch, routes=("commit", "push"))
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-27T09:00:00+08:00")  # past the plans' due (25 Nov)
    swept = office.run("sweep").output
    assert "升级为重大 一般投诉 → 重大投诉" in swept
    office.git("push", "-q", "origin", "main")  # the server accepts what the clocks made due


# ---- R-AS-3: incidents proposed at intake ----

def test_an_incident_is_recorded_or_declined_at_intake(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    fire = office.new(subject="楼道起火冒烟", details="3栋楼道杂物着火")
    data = office.show_json(fire)
    assert (data["assessment"]["incident"], data["assessment"]["severity"]) == ("fire", "emergency")
    as_(monkeypatch, "陈静")  # declining is a head's decision, with its reason (tests/test_decisions.py)
    declined = office.new("--no-incident", "--reason", "消防演练,非真实火情", subject="厨房起火演练噪音",
                          details="物业组织起火演练,噪音太大")
    assert office.show_json(declined)["assessment"]["incident"] == "none"
    as_(monkeypatch, "张敏")
    chosen = office.new("--incident", "flooding", subject="地下室进水", details="暴雨后地下室积水")
    assert office.show_json(chosen)["assessment"]["severity"] == "major"
    bad = office.new_result("--incident", "meteor", subject="天降陨石", details="x")
    assert bad.exit_code == 1 and "--incident: 'meteor' is not one of the policy's incidents" in bad.output
    # a case written by hand that reads as an incident but records none is refused by the hooks
    path = "cases/2026/11/SZ-2611-0500.yaml"
    text = office.path(ids["received"]).read_text(encoding="utf-8").replace(ids["received"], "SZ-2611-0500")
    text = text.replace("subject: 楼道灯不亮", "subject: 电梯困人半小时")
    for route in ("commit", "push"):
        out = refused(route, office, "SZ-2611-0500", text, monkeypatch, path)
        assert f"{path}: assessment.incident: R-AS-3: 该投诉像是一起事件(lift-entrapment)" in out
        office.git("reset", "-q", "--hard", "origin/main" if route == "push" else "HEAD")


# ---- time: the hooks' clock, the offline window ----

def test_hooks_ignore_a_pinned_clock_unless_git_config_allows_it(states: States,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    office, ids = states
    case_id = ids["assigned"]
    future = datetime.fromisoformat("2030-01-02T10:00:00+08:00")  # ahead of any real clock this test meets
    text = edited(office, case_id, lambda d: d["timeline"].append(
        timeline_entry(future, "张敏", "contact", note="已回电")))
    office.path(case_id).write_text(text, encoding="utf-8")
    office.git("add", rel(office, case_id))
    monkeypatch.setenv("COMPLAINTCTL_NOW", future.isoformat())
    office.git("config", "complaintctl.allowPinnedNow", "false")
    proc = office.git("commit", "-q", "-m", "contact", check=False)  # the real clock judges
    assert proc.returncode == 1 and "timeline[2].at: R-IN-1: 2030-01-02T10:00:00+08:00 在将来" in proc.stderr
    office.git("config", "complaintctl.allowPinnedNow", "true")  # a test repository may pin it
    office.git("commit", "-q", "-m", "contact")


def test_authority_comes_from_the_policy_before_the_change(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit that makes its author a vice-president cannot use that in the same commit or push."""
    office, ids = states
    case_id = ids["in_progress"]
    as_(monkeypatch, "李工")
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace(
        "email: ligong@example.com, unit: engineering, roles: [staff]",
        "email: ligong@example.com, unit: engineering, roles: [staff, vp]"), encoding="utf-8")
    office.path(case_id).write_text(edited(office, case_id, entry(
        "extend", "李工", note="自己批准", clock="resolution", until=AT.replace(month=12))), encoding="utf-8")
    office.git("add", "complaintctl.yaml", rel(office, case_id))
    expect = f"{rel(office, case_id)}: timeline[3].by: R-DL-2: 李工 无权执行 extend"
    proc = office.git("commit", "-q", "-m", "promote myself and extend", check=False)
    assert proc.returncode == 1 and expect in proc.stderr
    office.git("commit", "-q", "--no-verify", "-m", "promote myself and extend")
    proc = office.git("push", "-q", "origin", "main", check=False)
    assert proc.returncode != 0 and expect in proc.stderr


def test_the_ledger_starts_where_the_policy_says(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An existing repository without `ledger:` keeps validating as before; from the commit that
    adds it, every change is held to the ledger."""
    from click.testing import CliRunner

    from complaintctl.cli import cli

    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    root = tmp_path / "old"
    assert CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"]).exit_code == 0
    office = Office(root)
    policy = root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    start = text.index("ledger: {since:")
    policy.write_text(text[:start] + text[text.index("\n", start) + 1:], encoding="utf-8")
    office.git("commit", "-qam", "a policy from before the ledger")
    case_id = office.new()
    office.hand_edit(case_id, "severity: general", "severity: major")
    office.git("commit", "-qam", "the old way: a hand edit the old rules allow")
    policy.write_text(text, encoding="utf-8")
    office.git("commit", "-qam", "the ledger starts")
    office.hand_edit(case_id, "severity: major", "severity: general")
    proc = office.git("commit", "-qam", "silently lowered", check=False)
    assert proc.returncode == 1
    assert "assessment.severity: R-AS-2: 已被修改('major' → 'general'),但没有说明该修改的新时间线记录" in proc.stderr


def test_cli_refuses_bad_amounts_and_blank_text(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    as_(monkeypatch, "李工")
    out = office.run("resolve", ids["in_progress"], "--outcome", "repair", "--summary", "已修",
                     "--share", "1.5", "--loss", "-20", ok=False).output
    assert "R-CL-2" in out and "须在 0 到 1 之间" in out
    out = office.run("resolve", ids["in_progress"], "--outcome", "repair", "--summary", "已修", "--loss", "-20",
                     ok=False).output
    assert "--loss: R-CL-2: -20.0 须不小于 0" in out
    as_(monkeypatch, "张敏")
    blank = office.new_result(name="   ", contact=" ", subject="  ", details=" ")
    assert blank.exit_code == 1
    for field in ("intake.complainant.name", "intake.complainant.contact", "intake.subject", "intake.details"):
        assert f"{field}: R-IN-1: 案件状态为“已受理”时必填" in blank.output


def test_new_asks_in_a_terminal_whether_it_is_an_incident(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    from complaintctl.commands import intake

    office, ids = states
    monkeypatch.setattr(intake, "stdin_is_terminal", lambda: True)
    as_(monkeypatch, "陈静")  # a head declines, and is asked why (R-AS-3)
    declined = office.run("new", "--channel", "phone", "--name", "周先生", "--contact", "13711112222",
                          "--complainant-class", "owner", "--category", "other", "--subject", "起火演练太吵",
                          "--details", "物业组织消防起火演练", input="n\n消防演练,非真实火情\n")
    assert "这像是一起事件(火灾,紧急抢险抢修,R-AS-3)" in declined.output
    assert "为什么不按事件处理(R-AS-3)?" in declined.output
    case_id = re.search(r"(SZ-\d{4}-\d{4}) 已登记", declined.output)
    assert case_id is not None and office.show_json(case_id[1])["assessment"]["incident"] == "none"


def test_the_server_refuses_entries_older_than_the_offline_window(states: States,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    backdated = "2026-11-21T10:00:00+08:00"  # after receipt, but four days before the push
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-25T10:00:00+08:00")

    def late_resolve(d: CommentedMap) -> None:
        from datetime import datetime
        at = datetime.fromisoformat(backdated)
        d["resolution"] = CommentedMap(at=at, by="张敏", outcome="repair", summary="已修好", compensation=None,
                                       responsible=None, share=None, loss=None)
        d["status"] = "resolved"
        d["timeline"].append(timeline_entry(at, "张敏", "resolve", src="in_progress", dst="resolved",
                                            extra={"outcome": "repair", "summary": "已修好"}))

    text = edited(office, case_id, late_resolve)
    out = refused("push", office, case_id, text, monkeypatch)
    assert f"{rel(office, case_id)}: timeline[3].at: R-IN-1: 2026-11-21 10:00:00+08:00 已超出" \
           "离线补录期限(72h" in out


def test_a_late_entry_needs_an_approver_and_a_reason(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    as_(monkeypatch, "李工")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-25T10:00:00+08:00")
    args = ("resolve", case_id, "--outcome", "repair", "--summary", "纸质工单补录", "--at", "2026-11-21 10:00")
    out = office.run(*args, ok=False).output
    assert "timeline[3].at: R-IN-1: 2026-11-21 10:00:00+08:00 已超出离线补录期限(72h" in out
    out = office.run(*args, "--late-reason", "离线工单补录", ok=False).output
    assert "timeline[3].late_reason: R-IN-1: 李工 无权补录:须具有 head" in out
    as_(monkeypatch, "王建国")  # a head records it late, with the reason: the server accepts it
    office.run(*args, "--late-reason", "停网期间的纸质工单,今日补录")
    office.git("push", "-q", "origin", "main")
    assert office.show_json(case_id)["timeline"][-1]["late_reason"] == "停网期间的纸质工单,今日补录"


def test_the_consolidated_opinion_clock_follows_the_investigation_report(tmp_path: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """R-DL-4 (factory): investigation report within 3 days, the consolidated opinion 1 day after it."""
    from click.testing import CliRunner

    from complaintctl.cli import cli

    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    root = tmp_path / "factory"
    assert CliRunner().invoke(cli, ["init", str(root), "--preset", "factory", "--office", "PCB"]).exit_code == 0
    office = Office(root)
    office.git("config", "core.hooksPath", ".no-hooks")  # the CLI's own validator judges
    set_identity(monkeypatch, "魏敏", "weimin@example.com")
    case_id = office.new(complainant_class="domestic-customer", category="quality-defect", channel="phone")
    assert "opinion" not in office.show_json(case_id)["clocks"]  # starts with the investigation report
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-23T10:00:00+08:00")
    office.run("report-filed", case_id, "调查报告 QA-2026-031")
    assert office.show_json(case_id)["clocks"]["opinion"]["due"] == "2026-11-24T10:00:00+08:00"
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-23T16:00:00+08:00")
    office.run("report-filed", case_id, "综合处理意见", "--clock", "opinion")
    assert office.show_json(case_id)["clocks"]["opinion"]["done"] == "2026-11-23T16:00:00+08:00"


def test_no_written_procedure_needs_the_procedure_to_create(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-RT-6: a root cause that says no written procedure or training covered the matter names
    the procedure or training to create — by the CLI, by hand, and on the server."""
    office, ids = states
    case_id = ids["resolved"]
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    office.git("push", "-q", "origin", "main")
    cause = "夜班交接无书面流程,无相关制度"
    out = office.run("close", case_id, "--root-cause", cause, ok=False).output
    assert "closing.preventive_action: R-RT-6: 原因分析表明此事没有书面制度" in out

    def close(d: CommentedMap) -> None:
        d["status"] = "closed"
        d["closing"] = CommentedMap(at=AT, by="张敏", root_cause=cause, preventive_action=None, lesson=None,
                                    late_reason=None)
        entry("close", "张敏", "resolved", "closed", root_cause=cause)(d)

    every_layer(office, case_id, close, ["closing.preventive_action: R-RT-6: 原因分析表明此事没有书面"],
                monkeypatch, routes=("commit", "push"))
    office.run("close", case_id, "--root-cause", cause, "--preventive-action", "制定夜班交接流程并培训")
