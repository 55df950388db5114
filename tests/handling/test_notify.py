"""Notifications (issue 14 §1): `complaintctl notify` e-mails what is due through a real SMTP
server on 127.0.0.1 (aiosmtpd), records each notice as a `notify` entry by the system
account, commits and pushes — so nothing is sent twice, here or from another clone; an SMTP
failure leaves the notice pending. The ledger accepts a notice exactly when it is due."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from complaintctl.errors import PolicyError
from complaintctl.model.case import timeline_entry
from complaintctl.policy.policy import parse_policy_text
from complaintctl.repo.office import policy_text
from tests.conftest import NOW, Office, set_identity
from tests.mailserver import MailServer, free_port
from tests.rules.test_ledger import PEOPLE, every_layer
from tests.violations import AT, edited, rel

States = tuple[Office, dict[str, str]]


def as_(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    set_identity(monkeypatch, name, PEOPLE[name])


def due(office: Office) -> list[tuple[str, str, str]]:
    rows = json.loads(office.run("notify", "--dry-run", "--json").output)
    return sorted((r["id"], r["notice"], r["to"].split(" <")[0]) for r in rows)


def head(office: Office, ref: str = "HEAD") -> str:
    return office.git("rev-parse", ref).stdout.strip()


def test_each_notice_goes_once_to_the_right_people_and_is_recorded(states: States, mailserver: MailServer,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Any) -> None:
    office, ids = states
    as_(monkeypatch, "李工")
    office.run("resolve", ids["in_progress"], "--outcome", "repair", "--summary", "已修复")  # R-IN-2
    as_(monkeypatch, "张敏")
    major = office.new("--severity", "major", subject="业主13912345678反映电梯停运", details="电梯停运两天")
    office.run("assign", major, "--handler", "李工")  # R-RT-2: the unit's head is copied
    as_(monkeypatch, "值班系统")
    expected = [(ids["assigned"], "dispatch", "李工"), (ids["in_progress"], "completion", "张敏"),
                (major, "dispatch", "李工"), (major, "dispatch", "王建国")]
    before = head(office)
    listed = due(office)
    for item in expected:
        assert item in listed, listed
    assert (ids["resolved"], "dispatch", "李工") not in listed  # stale once resolved
    assert not mailserver.inbox and head(office) == before  # a dry run sends and records nothing

    out = office.run("notify").output
    assert f"已发送并记录 {len(listed)} 条消息" in out, out
    assert len(mailserver.inbox) == len(listed)
    to_head = mailserver.to("wangjianguo@example.com")
    assert [m.subject for m in to_head] == [f"[{major}] 派单通知:业主【电话】反映电梯停运"]
    assert "处理人 李工" in to_head[0].body and "无法按时告知:2026-11-22 19:30" in to_head[0].body  # R-DL-5: 2 h
    told = mailserver.to("zhangmin@example.com")
    assert any(m.subject.startswith(f"[{ids['in_progress']}] 处理完成通知") for m in told)
    for m in mailserver.inbox:  # R-RP-4: the complainant's data stays in the repository
        assert "13912345678" not in m.subject + m.body and "王女士" not in m.body and "1380013" not in m.body
        assert m.message["Auto-Submitted"] == "auto-generated"
    # recorded by the system account, committed and pushed (the server's hook accepted it)
    assert office.git("log", "-1", "--format=%an").stdout.strip() == "值班系统"
    assert head(office) == head(office, "origin/main")
    last = office.show_json(major)["timeline"][-1]
    assert (last["action"], last["notice"], last["ref"], last["recipients"]) == ("notify", "dispatch", 1,
                                                                                 ["李工", "王建国"])
    # a second run, here or in another clone, sends nothing
    sent = len(mailserver.inbox)
    assert "没有到期的通知" in office.run("notify").output
    other = tmp_path / "service"
    subprocess.run(["git", "clone", "-q", office.git("remote", "get-url", "origin").stdout.strip(), str(other)],
                   check=True, timeout=60)
    assert "没有到期的通知" in Office(other).run("notify").output
    assert len(mailserver.inbox) == sent


def test_an_smtp_failure_leaves_the_notice_pending(states: States, mailserver: MailServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    as_(monkeypatch, "值班系统")
    before = head(office)
    monkeypatch.setenv("COMPLAINTCTL_SMTP_PORT", str(free_port()))  # nobody listens there
    result = office.run("notify", ok=False)
    assert result.exit_code == 1 and "stay pending" in result.output and "未发送" in result.output
    assert head(office) == before and not mailserver.inbox
    mailserver.env(monkeypatch)
    mailserver.refuse.add("ligong@example.com")  # the server refuses one mailbox
    result = office.run("notify", ok=False)
    assert result.exit_code == 1 and "未发送:550" in result.output, result.output
    assert not mailserver.to("ligong@example.com") and head(office) == before  # only 李工's notices were due
    assert "notify" not in [e["action"] for e in office.show_json(ids["assigned"])["timeline"]]
    mailserver.refuse.clear()
    office.run("notify")
    assert [m.subject.split("]")[0] for m in mailserver.to("ligong@example.com")].count(f"[{ids['assigned']}") == 1


def test_notify_runs_as_the_system_account_and_needs_the_policy(states: States, mailserver: MailServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    office, _ = states
    result = office.run("notify", ok=False)  # as 张敏
    assert result.exit_code == 1 and "as the system account" in result.output and "值班系统" in result.output
    with pytest.raises(PolicyError, match="COMPLAINTCTL_SMTP_PASSWORD"):
        parse_policy_text(policy_text("property", "SZ", None, None).replace(
            "smtp: {host: smtp.example.com,", "smtp: {password: hunter2, host: smtp.example.com,"))
    with pytest.raises(PolicyError, match="notifications.since"):
        parse_policy_text(policy_text("property", "SZ", None, None).replace(
            "  since: 2026-01-01T00:00:00+08:00\n  revisit_before", "  revisit_before"))
    monkeypatch.setenv("COMPLAINTCTL_SMTP_USER", "system@example.com")
    as_(monkeypatch, "值班系统")
    result = office.run("notify", ok=False)
    assert result.exit_code == 1 and "COMPLAINTCTL_SMTP_PASSWORD is not set" in result.output


def test_reminders_escalation_and_the_revisit_reach_their_people(states: States, mailserver: MailServer,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    as_(monkeypatch, "值班系统")
    office.run("notify")  # what was due at the fixture's time
    mailserver.inbox.clear()
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-24T13:00:00+08:00")  # revisit due 18:00: not yet near
    assert (ids["resolved"], "revisit", "张敏") not in due(office)
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-24T15:00:00+08:00")  # within revisit_before (4h)
    assert (ids["resolved"], "revisit", "张敏") in due(office)
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-27T09:00:00+08:00")  # past the plans' due (25 Nov)
    office.run("sweep")  # R-DL-6 upgrade, R-DL-7 reminder, R-ES-1 to head
    listed = due(office)
    case_id = ids["in_progress"]
    assert [(n, who) for c, n, who in listed if c == case_id] == [
        ("escalation", "王建国"), ("reminder", "李工"), ("reminder", "王建国")]
    office.run("notify")
    subjects = [m.subject for m in mailserver.to("wangjianguo@example.com") if case_id in m.subject]
    assert sorted(s.split("]")[1].split(":")[0].strip() for s in subjects) == ["催办单", "投诉升级"]
    assert "没有到期的通知" in office.run("notify").output


def _notice(kind: str, ref: int, recipients: list[str], by: str = "值班系统") -> Any:
    return lambda d: d["timeline"].append(timeline_entry(AT, by, "notify", extra={
        "notice": kind, "ref": ref, "recipients": recipients}, note="hand-made"))


def test_a_forged_or_premature_notice_is_refused_by_both_hooks(states: States,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    assigned, resolved = ids["assigned"], ids["resolved"]
    # 张敏 claims the system told 李工: only the system account records notices
    every_layer(office, assigned, _notice("dispatch", 1, ["李工"], by="张敏"),
                ["timeline[2].by: R-RT-2: 张敏 不是系统账号"], monkeypatch, routes=("commit", "push"))
    as_(monkeypatch, "值班系统")
    # the revisit is due 24 Nov 18:00: on 22 Nov no revisit notice is due yet
    every_layer(office, resolved, _notice("revisit", 3, ["张敏"]),
                ["timeline[4].notice: R-CL-1: 无应发给 张敏 的 revisit 通知(针对 timeline[3]"],
                monkeypatch, routes=("commit", "push"))
    # a dispatch notice to someone the dispatch did not name
    every_layer(office, assigned, _notice("dispatch", 1, ["孙总"]),
                ["timeline[2].notice: R-RT-2: 无应发给 孙总 的 dispatch 通知"], monkeypatch, routes=("commit", "push"))
    # what was due, recorded by the system account: accepted by both hooks; twice: refused
    office.path(assigned).write_text(edited(office, assigned, _notice("dispatch", 1, ["李工"])), encoding="utf-8")
    office.git("commit", "-q", "-am", "the dispatch notice, recorded by hand")
    office.git("push", "-q", "origin", "main")
    every_layer(office, assigned, _notice("dispatch", 1, ["李工"]),
                ["timeline[3].notice: R-RT-2: 无应发给 李工 的 dispatch 通知"], monkeypatch, routes=("commit", "push"))
    assert rel(office, assigned).startswith("cases/")


@pytest.mark.parametrize("step", [("note", "已电话联系业主", "--contact"),
                                  ("invalid", "--reason", "out-of-scope", "--reply", "不属于物业服务范围,已说明")])
def test_a_case_changed_on_the_remote_meanwhile_keeps_the_step_and_the_notices(
        step: tuple[str, ...], states: States, mailserver: MailServer, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Any) -> None:
    """Between notify's first sync and its push, someone records a step on a case it notified:
    sync merges the two (issue 11 §4: both entries, in time order); where the rules forbid that
    (the case was found invalid meanwhile), what is still due is recorded again on top. Nothing
    is sent twice or lost, no conflict branch is left."""
    import os
    from datetime import datetime

    from complaintctl.handling import notify
    from complaintctl.repo.git import Identity
    from complaintctl.repo.workspace import open_workspace
    from tests.remotes import cli_proc, clone

    office, ids = states
    url = office.git("remote", "get-url", "origin").stdout.strip()
    desk = tmp_path / "desk"
    clone(url, desk)
    as_(monkeypatch, "值班系统")
    ws = open_workspace(office.root)
    real = notify.smtp_sender(ws.policy, os.environ)
    env = {**os.environ, "GIT_AUTHOR_NAME": "张敏", "GIT_AUTHOR_EMAIL": "zhangmin@example.com",
           "GIT_COMMITTER_NAME": "张敏", "GIT_COMMITTER_EMAIL": "zhangmin@example.com",
           "COMPLAINTCTL_PUSHER": "zhangmin@example.com"}  # `invalid` is role-gated: the server must know her

    def send_while_the_desk_works(items: list[notify.Outgoing]) -> Any:
        for args in ((step[0], ids["assigned"], *step[1:]), ("sync",)):
            proc = cli_proc(desk, *args, env=env)
            assert proc.returncode == 0, proc.stderr
        return real(items)

    result = notify.run(ws, datetime.fromisoformat(NOW), Identity("值班系统", "system@example.com"),
                        send_while_the_desk_works)
    assert head(office) == head(office, "origin/main")
    timeline = office.show_json(ids["assigned"])["timeline"]
    if step[0] == "note":
        assert result.commit and result.synced == "merged" and not result.warnings, result
        assert [(e["by"], e["action"]) for e in timeline[-2:]] == [("张敏", "contact"), ("值班系统", "notify")]
    else:  # 无效投诉已终结: nothing more is recorded on it; the other notices are on the remote
        assert result.warnings and "recorded again on top of it" in result.warnings[0], result
        assert [(e["by"], e["action"]) for e in timeline[-1:]] == [("张敏", "invalid")]
        assert office.run("validate").stdout.strip().endswith("个案件文件全部有效")
    assert office.git("branch", "--list", "complaintctl/conflict/*").stdout.strip() == ""
    sent = len(mailserver.inbox)
    assert "没有到期的通知" in office.run("notify").output and len(mailserver.inbox) == sent
