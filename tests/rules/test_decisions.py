"""Decisions that set a rule aside need a role and a reason, both recorded (rules.decisions):
reopening a closed case (R-CL-3) and declining an incident (R-AS-3); a re-closing keeps the
preventive action (R-RT-6); and a first plan is held to the same limit as a replan (R-DL-1,
R-DL-2). Each bypass is tried through the CLI, a hand edit committed with plain git (the
pre-commit hook) and a `--no-verify` commit pushed to the server by an identified pusher (the
pre-receive hook); each honest twin passes all three."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.handling import steps
from complaintctl.model.case import dump_document, load_document
from complaintctl.policy.policy import load_policy
from complaintctl.repo.git import Identity
from tests.conftest import Office
from tests.rules.test_ledger import PEOPLE, as_
from tests.violations import edited, refused, rel, remote_refs

States = tuple[Office, dict[str, str]]
HEADS = "head 或 vp 或 gm 或 hq"


def push_as(office: Office, name: str) -> subprocess.CompletedProcess[str]:
    """A push whose pusher the server knows (COMPLAINTCTL_PUSHER, as a forced ssh command sets it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("GL_USER", "GITEA_PUSHER_NAME", "GL_USERNAME")}
    env["COMPLAINTCTL_PUSHER"] = PEOPLE[name]
    return subprocess.run(["git", "push", "-q", "origin", "main"], cwd=office.root, capture_output=True, text=True,
                          env=env, timeout=120)


def pushed_refused(office: Office, relpath: str, text: str, name: str) -> str:
    """`text` committed by `name` with --no-verify, pushed by `name`: refused, the server unchanged."""
    (office.root / relpath).parent.mkdir(parents=True, exist_ok=True)
    (office.root / relpath).write_text(text, encoding="utf-8")
    office.git("add", "--", relpath)
    office.git("commit", "-q", "--no-verify", "-m", "hand edit")
    refs = remote_refs(office)
    proc = push_as(office, name)
    assert proc.returncode != 0 and "推送被拒绝" in proc.stderr, proc.stderr
    assert remote_refs(office) == refs
    office.git("reset", "-q", "--hard", "origin/main")
    return proc.stderr


def committed_and_pushed(office: Office, relpath: str, text: str, name: str) -> None:
    """The honest twin by hand: plain `git commit` (the pre-commit hook) and a push by `name`."""
    (office.root / relpath).write_text(text, encoding="utf-8")
    office.git("add", "--", relpath)
    office.git("commit", "-q", "-m", "by hand")
    proc = push_as(office, name)
    assert proc.returncode == 0, proc.stderr


def by_step(office: Office, case_id: str, name: str, step_for: steps.StepFor, at: str) -> str:
    """The case file as `name` taking this step by hand would write it (the steps' own effects)."""
    policy = load_policy(office.root)

    def change(d: CommentedMap) -> None:
        steps.apply(d, step_for(d), datetime.fromisoformat(at), Identity(name, PEOPLE[name]), policy)

    return edited(office, case_id, change)


def every_hook(office: Office, case_id: str, text: str, name: str, monkeypatch: pytest.MonkeyPatch,
               *expect: str) -> None:
    """`text` committed by `name` with plain git, then with --no-verify and pushed by `name`."""
    as_(monkeypatch, name)
    out = refused("commit", office, case_id, text, monkeypatch)
    office.git("reset", "-q", "--hard", "HEAD")
    pushed = pushed_refused(office, rel(office, case_id), text, name)
    for line in expect:
        assert f"{rel(office, case_id)}: {line}" in out, out
        assert f"{rel(office, case_id)}: {line}" in pushed, pushed


def entries(office: Office, case_id: str) -> list[Any]:
    return list(load_document(office.path(case_id).read_text(encoding="utf-8"), "case")["timeline"])


# ---- R-CL-3: reopening a closed case ----

LATER = "2026-11-23T10:00:00+08:00"  # the day after the case was closed (fixture: NOW)


def test_staff_cannot_reopen_a_colleagues_closed_case(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["closed"]  # handled by 李工, closed by 张敏 (tests/conftest.py build_every_state)
    monkeypatch.setenv("COMPLAINTCTL_NOW", LATER)
    n = len(entries(office, case_id))
    expect = f"timeline[{n}].by: R-CL-3: 李工 无权重开已结案的案件:须具有制度规定的 {HEADS} 角色(approvals.reopen)"
    as_(monkeypatch, "李工")
    result = office.run("reopen", case_id, "--reason", "业主再次来电", ok=False)
    assert result.exit_code == 1 and expect in result.output, result.output
    # by hand, claiming a role he does not hold
    text = by_step(office, case_id, "李工", steps.reopen("业主再次来电", "head"), LATER)
    every_hook(office, case_id, text, "李工", monkeypatch, expect)
    # a head by hand, without saying under which role or why
    text = re.sub(r"\n *note: x\n", "\n", by_step(office, case_id, "王建国", steps.reopen("x"), LATER))
    assert "role:" not in text
    every_hook(office, case_id, text, "王建国", monkeypatch,
               f"timeline[{n}].role: R-CL-3: '':该记录须注明 王建国 作出决定所依据的角色(head 之一)",
               f"timeline[{n}].note: R-CL-3: 须注明此决定的理由(重开已结案的案件)")


def test_a_head_reopens_a_closed_case_with_a_reason(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["closed"]
    monkeypatch.setenv("COMPLAINTCTL_NOW", LATER)
    as_(monkeypatch, "王建国")
    office.run("reopen", case_id, "--reason", "业主再次来电,仍有异响")
    last = entries(office, case_id)[-1]
    assert (last["action"], last["by"], last["role"], last["note"]) == \
        ("reopen", "王建国", "head", "业主再次来电,仍有异响")
    assert "已结案案件由部门负责人重新打开:业主再次来电,仍有异响" in office.run("history", case_id).output
    assert push_as(office, "王建国").returncode == 0
    # a dissatisfied revisit's reopening of a resolved case stays anyone's (R-CL-1)
    as_(monkeypatch, "张敏")
    office.run("revisit", ids["resolved"], "--satisfaction", "dissatisfied", "--comment", "仍有异味")
    assert office.show_json(ids["resolved"])["status"] == "in_progress"


def test_a_head_reopens_a_closed_case_by_hand(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["closed"]
    monkeypatch.setenv("COMPLAINTCTL_NOW", LATER)
    as_(monkeypatch, "王建国")
    text = by_step(office, case_id, "王建国", steps.reopen("业主再次来电", "head"), LATER)
    committed_and_pushed(office, rel(office, case_id), text, "王建国")


def test_a_reclosing_keeps_the_preventive_action(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-RT-6, R-CL-3: reopened, the case cannot be closed again under a root cause that calls
    for no preventive action, dropping the one it was closed with."""
    office, ids = states
    case_id = ids["resolved"]  # resolved at NOW (2026-11-22 17:30)
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-23T09:30:00+08:00")
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    office.run("close", case_id, "--root-cause", "地漏检修无书面操作规程",
               "--preventive-action", "制定地漏检修规程并培训")
    assert push_as(office, "张敏").returncode == 0
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-24T10:00:00+08:00")
    as_(monkeypatch, "王建国")
    office.run("reopen", case_id, "--reason", "业主反映仍有异味")
    as_(monkeypatch, "李工")
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "再次疏通")
    as_(monkeypatch, "张敏")
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    n = len(entries(office, case_id))
    expect = f"timeline[{n}].preventive_action: R-RT-6: 本案件已于 2026-11-23 09:30:00+08:00 结案并记有预防措施"
    result = office.run("close", case_id, "--root-cause", "住户使用不当", ok=False)
    assert result.exit_code == 1 and expect in result.output, result.output
    text = by_step(office, case_id, "张敏", steps.close("住户使用不当", "", "", "", datetime.now(), Identity("", "")),
                   "2026-11-24T10:00:00+08:00")
    as_(monkeypatch, "张敏")
    out = refused("commit", office, case_id, text, monkeypatch)
    assert f"{rel(office, case_id)}: {expect}" in out, out
    office.git("reset", "-q", "--hard", "HEAD")
    # the honest twin: the new root cause, the preventive action kept
    office.run("close", case_id, "--root-cause", "住户使用不当", "--preventive-action", "制定地漏检修规程并培训")


def test_a_reclosing_that_drops_the_preventive_action_is_refused_by_the_server(
        states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["resolved"]
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-23T09:30:00+08:00")
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    office.run("close", case_id, "--root-cause", "无书面操作规程", "--preventive-action", "制定规程")
    assert push_as(office, "张敏").returncode == 0, "the closing is 张敏's"
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-24T10:00:00+08:00")
    as_(monkeypatch, "王建国")
    office.run("reopen", case_id, "--reason", "业主反映仍有异味")
    assert push_as(office, "王建国").returncode == 0
    as_(monkeypatch, "张敏")
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "再次疏通")
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    assert push_as(office, "张敏").returncode == 0
    n = len(entries(office, case_id))
    text = by_step(office, case_id, "张敏", steps.close("住户使用不当", "", "", "", datetime.now(), Identity("", "")),
                   "2026-11-24T10:00:00+08:00")
    out = pushed_refused(office, rel(office, case_id), text, "张敏")
    assert f"{rel(office, case_id)}: timeline[{n}].preventive_action: R-RT-6:" in out, out


# ---- R-AS-3: declining an incident ----

TRAPPED = {"subject": "业主被困电梯二十分钟", "details": "3栋电梯困人,二十分钟后才有人来"}


def test_staff_cannot_decline_an_incident(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    result = office.new_result("--no-incident", "--reason", "电梯已自行恢复", **TRAPPED)
    assert result.exit_code == 1
    assert f"timeline[0].by: R-AS-3: 张敏 无权不按事件处理:须具有制度规定的 {HEADS} 角色(approvals.decline-incident)" \
        in result.output, result.output
    as_(monkeypatch, "陈静")
    result = office.new_result("--no-incident", **TRAPPED)  # a head, but no reason
    assert result.exit_code == 1 and "timeline[0].reason: R-AS-3: 须注明此决定的理由(不按事件处理)" in result.output
    # by hand: a new case file recording the decline, by a clerk
    policy = load_policy(office.root)
    intake = steps.Intake(channel="phone", name="周先生", contact="13711112222", complainant_class="owner",
                          category="work-efficiency", received_at=datetime.fromisoformat("2026-11-22T17:00:00+08:00"),
                          **TRAPPED)
    intake = steps.incident_choice(policy, intake, None, True, "电梯已自行恢复")
    case_id, relpath = "SZ-2611-0600", "cases/2026/11/SZ-2611-0600.yaml"
    text = dump_document(steps.build_case(policy, case_id, intake, datetime.fromisoformat("2026-11-22T17:20:00+08:00"),
                                          Identity("张敏", PEOPLE["张敏"])))
    assert "declined:" in text and "reason: 电梯已自行恢复" in text
    expect = f"{relpath}: timeline[0].by: R-AS-3: 张敏 无权不按事件处理"
    as_(monkeypatch, "张敏")
    assert expect in refused("commit", office, case_id, text, monkeypatch, relpath)
    office.git("reset", "-q", "--hard", "HEAD")
    assert expect in pushed_refused(office, relpath, text, "张敏")
    # …nor by listing no incident, or others than the text reads as
    as_(monkeypatch, "陈静")
    assert "- lift-entrapment" in text
    head = text.replace("by: 张敏", "by: 陈静").replace("reason: 电梯已自行恢复",
                                                      "role: head\n    reason: 电梯已自行恢复")
    forged = head.replace("- lift-entrapment", "- fire")
    assert f"{relpath}: timeline[0].declined: R-AS-3: 该记录须列明不按事件处理的事件类型:lift-entrapment" \
        in pushed_refused(office, relpath, forged, "陈静")
    # the honest twin by hand: the head's decline, with role and reason, passes both hooks
    committed_and_pushed(office, relpath, head, "陈静")


def test_a_head_declines_an_incident_with_a_reason_and_the_report_counts_it(
        states: States, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    office, ids = states
    as_(monkeypatch, "陈静")
    case_id = office.new("--no-incident", "--reason", "电梯未停运,业主误按警铃", **TRAPPED)
    first = entries(office, case_id)[0]
    assert (first["declined"], first["role"], first["reason"]) == \
        (["lift-entrapment"], "head", "电梯未停运,业主误按警铃")
    assert office.show_json(case_id)["assessment"]["incident"] == "none"
    assert "不按事件处理(电梯困人):电梯未停运,业主误按警铃" in office.run("history", case_id).output
    assert push_as(office, "陈静").returncode == 0
    monkeypatch.setenv("COMPLAINTCTL_NOW", LATER)  # the report, the next morning
    report = office.run("report", "--period", "2026-11").output
    row = next(line for line in report.splitlines() if "不按事件处理(R-AS-3)" in line)
    assert row.split()[1] == "1", row


# ---- R-DL-1, R-DL-2: the first plan is capped like a replan ----

def test_a_handlers_first_plan_cannot_set_a_due_a_year_out(states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["assigned"]  # received Friday 2026-11-20 09:00, general: 3 working days (R-DL-1)
    n = len(entries(office, case_id))
    expect = (f"timeline[{n}].due: R-DL-2: 2027-11-20 23:59:59+08:00 晚于处理时限(2026-11-25 18:00:00+08:00):"
              "推迟时限即为延期,须经 vp 或 gm 批准(complaintctl extend)")
    as_(monkeypatch, "李工")
    result = office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", "2027-11-20",
                        ok=False)
    assert result.exit_code == 1 and expect in result.output, result.output
    text = by_step(office, case_id, "李工", steps.plan("李工", "更换主板", datetime(2027, 11, 20).date()),
                   "2026-11-22T17:30:00+08:00")
    every_hook(office, case_id, text, "李工", monkeypatch, expect)
    # the honest twins: within the limit; and later only with the vice-president's approval
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-25")
    assert push_as(office, "李工").returncode == 0
    as_(monkeypatch, "刘洋")
    other = ids["assigned#1"]
    office.run("plan", other, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-12-18")
    assert push_as(office, "刘洋").returncode == 0
