"""Notices to group robots: `complaintctl notify` posts to WeCom (企业微信) and DingTalk (钉钉)
robots in their documented webhook shapes — against a local stand-in that checks each request
and answers as the services do (tests/robotserver.py) — chosen per person or unit in the policy,
keys and secrets from the environment or git config only; a refused notice stays pending and a
later run sends it; 20 messages a minute per robot."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintctl.errors import InvalidInput, PolicyError
from complaintctl.handling import notify, robots
from complaintctl.policy.policy import parse_policy_text
from complaintctl.repo.git import Identity
from complaintctl.repo.office import policy_text
from complaintctl.repo.workspace import open_workspace
from tests.conftest import NOW, Office, set_identity
from tests.robotserver import RobotServer
from tests.rules.test_ledger import PEOPLE

States = tuple[Office, dict[str, str]]
DESK_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"  # WeCom key (the vendor's example's shape)
ENG_TOKEN = "ff6cd723bdb4455fe18ba30dbeff007f5"  # DingTalk access_token
ENG_SECRET = "SEC19dd84be8c7f3cf71761974f1ed3ef77c1451906ae8ba18acf56103ee"
LI, ZHANG = "13800000001", "13900000002"  # staff mobiles: 李工, 张敏
ROBOTS = "  robots:\n    desk: {kind: wecom}\n    eng: {kind: dingtalk}\n"


def as_(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    set_identity(monkeypatch, name, PEOPLE[name])


def with_robots(text: str) -> str:
    """The property preset with the customer-service desk on WeCom, engineering on DingTalk,
    two staff mobiles, and the engineering head kept on e-mail by his own choice."""
    smtp = "  smtp: {host: smtp.example.com, port: 587, starttls: true}\n"
    replaced = (text.replace(smtp, smtp + ROBOTS)
                .replace("customer-service: {zh: 客户服务中心, en: Customer service centre}",
                         "customer-service: {zh: 客户服务中心, en: Customer service centre, notify: desk}")
                .replace("engineering: {zh: 工程维修部, en: Engineering and repairs}",
                         "engineering: {zh: 工程维修部, en: Engineering and repairs, notify: eng}")
                .replace("email: ligong@example.com,", f"email: ligong@example.com, mobile: '{LI}',")
                .replace("email: zhangmin@example.com,", f"email: zhangmin@example.com, mobile: {ZHANG},")
                .replace("email: wangjianguo@example.com,", "email: wangjianguo@example.com, notify: email,"))
    assert replaced.count("notify:") == text.count("notify:") + 3 and ROBOTS in replaced, "the preset changed"
    return replaced


def configure(office: Office, robotserver: RobotServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy names the robots; the notify job's environment and git config hold the secrets."""
    policy = office.root / "complaintctl.yaml"
    policy.write_text(with_robots(policy.read_text(encoding="utf-8")), encoding="utf-8")
    office.git("commit", "-qam", "notices to the desk's WeCom group and engineering's DingTalk group")
    # on a shared server only hq changes the policy: here the test stands in for hq's push
    hook = Path(office.git("remote", "get-url", "origin").stdout.strip()) / "hooks" / "pre-receive"
    hook.rename(hook.with_suffix(".off"))
    office.git("push", "-q", "origin", "main")
    hook.with_suffix(".off").rename(hook)
    robotserver.wecom.add(DESK_KEY)
    robotserver.dingtalk[ENG_TOKEN] = ENG_SECRET
    monkeypatch.setenv("COMPLAINTCTL_ROBOT_DESK_KEY", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={DESK_KEY}")
    office.git("config", "complaintctl.robot.eng.key", ENG_TOKEN)  # the clone's own config: never pushed
    monkeypatch.setenv("COMPLAINTCTL_ROBOT_ENG_SECRET", ENG_SECRET)
    as_(monkeypatch, "值班系统")


def due(office: Office) -> list[dict[str, str]]:
    return list(json.loads(office.run("notify", "--dry-run", "--json").output))


COMPLAINANT = {"name": "钱多多", "contact": "13912345678", "address": "滨江路88号", "location": "9栋1单元1801",
               "subject": "钱多多家门口电梯停运", "details": "电梯停运两天,老人无法下楼"}
OTHER = {"name": "周围", "contact": "zhouwei@example.org", "address": "江南大道1号", "location": "会所前台",
         "subject": "前台接待态度差", "details": "周围女士在前台被冷落半小时"}


def flush_by_mail(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fixture's cases had due goes by e-mail first: each test sees only its own notices."""
    as_(monkeypatch, "值班系统")
    office.run("notify")


def notices(office: Office, robotserver: RobotServer, monkeypatch: pytest.MonkeyPatch,
            ids: dict[str, str]) -> dict[str, str]:
    """Three fresh notices: a major dispatch to 李工 (DingTalk, @-mentioned) copied to his head
    王建国 (e-mail, his own choice); a completion to 张敏 (WeCom text, @-mentioned); a major
    dispatch in customer service copied to its head 陈静 (WeCom markdown: she has no mobile)."""
    configure(office, robotserver, monkeypatch)
    as_(monkeypatch, "张敏")
    major = office.new("--severity", "major", **COMPLAINANT)
    office.run("assign", major, "--handler", "李工", "--unit", "engineering")
    desk = office.new("--severity", "major", **OTHER)
    office.run("assign", desk, "--handler", "张敏", "--unit", "customer-service")
    as_(monkeypatch, "李工")
    office.run("resolve", ids["in_progress"], "--outcome", "repair", "--summary", "已修复")  # R-IN-2
    as_(monkeypatch, "值班系统")
    return {"major": major, "desk": desk, "completion": ids["in_progress"]}


def test_notices_reach_wecom_and_dingtalk_in_their_documented_shape(
        states: States, robotserver: RobotServer, mailserver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    flush_by_mail(office, monkeypatch)
    made = notices(office, robotserver, monkeypatch, ids)
    mailserver.inbox.clear()
    # the dry run shows each notice's channel, and sends nothing
    listed = {(r["id"], r["notice"], r["to"], r["channel"]) for r in due(office)}
    assert listed == {(made["major"], "dispatch", f"李工 @{LI}", "dingtalk:eng"),
                      (made["major"], "dispatch", "王建国 <wangjianguo@example.com>", "email"),
                      (made["desk"], "dispatch", "陈静", "wecom:desk"),
                      (made["completion"], "completion", f"张敏 @{ZHANG}", "wecom:desk")}, listed
    table = office.run("notify", "--dry-run").output
    assert "渠道" in table and "dingtalk:eng" in table and "wecom:desk" in table and "将发送" in table
    assert not robotserver.received and not mailserver.inbox

    out = office.run("notify").output
    assert "已发送并记录 4 条消息" in out, out
    got = {r.text.split("]")[0].split("[")[-1]: r for r in robotserver.received}
    assert sorted(got) == sorted([made["major"], made["desk"], made["completion"]]) and len(robotserver.received) == 3
    # DingTalk: signed (the server checked timestamp and sign), markdown, @李工 by mobile, named in the text
    ding = got[made["major"]]
    assert ding.kind == "dingtalk" and set(ding.query) == {"access_token", "timestamp", "sign"}
    assert ding.body["msgtype"] == "markdown" and ding.body["at"] == {"atMobiles": [LI], "isAtAll": False}
    assert ding.body["markdown"]["title"] == f"[{made['major']}] 派单通知" and f"@{LI}" in ding.body["markdown"]["text"]
    assert "处理人 李工" in ding.text and "致:李工" in ding.text and "王建国" not in ding.text  # he is told by mail
    # WeCom: markdown when nobody can be @-mentioned by mobile, text with mentioned_mobile_list when someone can
    markdown, text = got[made["desk"]], got[made["completion"]]
    assert markdown.kind == text.kind == "wecom" and markdown.query == {"key": DESK_KEY}
    assert set(markdown.body) == {"msgtype", "markdown"} and markdown.body["msgtype"] == "markdown"
    assert markdown.body["markdown"]["content"].startswith(f"**[{made['desk']}] 派单通知**\n致:陈静")
    assert text.body["msgtype"] == "text" and text.body["text"]["mentioned_mobile_list"] == [ZHANG]
    assert text.body["text"]["content"].startswith(f"[{made['completion']}] 处理完成通知\n致:张敏")
    # the e-mail channel still works beside them
    assert [m.subject.split("]")[0] for m in mailserver.to("wangjianguo@example.com")] == [f"[{made['major']}"]
    # R-RT-5: a group reads these; nothing of the complainant's goes to it, not even masked
    for r in robotserver.received:
        sent = json.dumps(r.body, ensure_ascii=False)
        for value in (*COMPLAINANT.values(), *OTHER.values(), "钱", "周", "13912345", "zhouwei", "***"):
            assert value not in sent, (value, sent)
    # recorded once per notice, with every recipient whatever the channel; a second run sends nothing
    last = office.show_json(made["major"])["timeline"][-1]
    assert (last["action"], last["notice"], sorted(last["recipients"])) == ("notify", "dispatch", ["李工", "王建国"])
    assert office.git("rev-parse", "HEAD").stdout == office.git("rev-parse", "origin/main").stdout
    assert "没有到期的通知" in office.run("notify").output and len(robotserver.received) == 3


def test_a_refused_notice_stays_pending_and_a_later_run_sends_it(
        states: States, robotserver: RobotServer, mailserver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    flush_by_mail(office, monkeypatch)
    made = notices(office, robotserver, monkeypatch, ids)
    before = office.git("rev-parse", "HEAD").stdout
    monkeypatch.setenv("COMPLAINTCTL_ROBOT_ENG_SECRET", "SEC-not-the-robots-secret")  # a bad signature
    robotserver.fail[DESK_KEY] = (502, -1)  # WeCom's gateway fails once
    result = office.run("notify", ok=False)
    assert result.exit_code == 1 and "stay pending" in result.output, result.output
    assert "未发送:errcode 310000 sign not match" in result.output and "未发送:HTTP 502" in result.output
    assert ("dingtalk", 310000) in robotserver.refused
    assert [r.kind for r in robotserver.received] == ["wecom"]  # the desk's second notice went
    # the e-mail and the one post that went are recorded; the refused ones are not
    assert office.git("rev-parse", "HEAD").stdout != before
    major = office.show_json(made["major"])["timeline"][-1]
    assert major["action"] == "notify" and major["recipients"] == ["王建国"]
    pending = {(r["id"], r["to"].split()[0]) for r in due(office)}
    assert (made["major"], "李工") in pending and len(pending) == 2, pending

    monkeypatch.setenv("COMPLAINTCTL_ROBOT_DESK_KEY", "not-a-key")  # WeCom: 93000 invalid webhook url
    monkeypatch.setenv("COMPLAINTCTL_ROBOT_ENG_SECRET", ENG_SECRET)
    result = office.run("notify", ok=False)
    assert result.exit_code == 1 and "未发送:errcode 93000 invalid webhook url" in result.output
    assert "not-a-key" not in result.output  # a key is never printed
    monkeypatch.setenv("COMPLAINTCTL_ROBOT_DESK_KEY", DESK_KEY)
    office.run("notify")
    assert "没有到期的通知" in office.run("notify").output
    told = sorted(r.text.split("]")[0].split("[")[-1] for r in robotserver.received)
    assert told == sorted(made.values()), told  # each notice posted exactly once in the end


def test_a_stale_dingtalk_timestamp_is_refused_and_the_notice_stays_pending(
        states: States, robotserver: RobotServer, mailserver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    flush_by_mail(office, monkeypatch)
    made = notices(office, robotserver, monkeypatch, ids)
    ws = open_workspace(office.root)
    stale = notify.sender(ws.policy, os.environ, ws.git.get_config,
                          clock=lambda: time.time() - 2 * 3600)  # DingTalk refuses a timestamp over an hour off
    result = notify.run(ws, datetime.fromisoformat(NOW), Identity("值班系统", "system@example.com"), stale)
    refused = [(o.recipient, why) for o, why in result.failed]
    assert refused == [("李工", "errcode 310000 invalid timestamp")], refused
    assert (made["major"], "dispatch", f"李工 @{LI}", "dingtalk:eng") in {
        (r["id"], r["notice"], r["to"], r["channel"]) for r in due(office)}


def test_the_rate_limit_leaves_the_rest_pending(states: States, robotserver: RobotServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture's 28 dispatch notices to 李工 all go to engineering's DingTalk robot."""
    office, _ = states
    configure(office, robotserver, monkeypatch)
    waiting = len(due(office))
    assert waiting > robots.PER_MINUTE
    result = office.run("notify", ok=False)
    assert result.exit_code == 1 and result.output.count("20 messages a minute") == waiting - 20, result.output
    assert len(robotserver.received) == 20 and not robotserver.refused  # no more than 20 were tried
    assert len(due(office)) == waiting - 20
    # a run a moment later (the post-receive recipe wakes notify on every push) remembers them
    result = office.run("notify", ok=False)
    assert result.output.count("20 messages a minute") == waiting - 20 and not robotserver.refused
    # without that memory (it was lost), the service itself says stop: one refusal, nothing more tried
    memory = office.root / ".git" / "complaintctl" / notify.ROBOTS_POSTED
    memory.unlink()
    result = office.run("notify", ok=False)
    assert "errcode 130101 send too fast" in result.output and robotserver.refused == [("dingtalk", 130101)]
    assert len(robotserver.received) == 20 and len(due(office)) == waiting - 20
    office.run("notify", ok=False)  # and for a minute after that answer, nothing is tried
    assert robotserver.refused == [("dingtalk", 130101)]
    # a minute later
    robotserver.sent_at.clear()
    memory.write_text(json.dumps({n: [t - 61 for t in ts] for n, ts in json.loads(memory.read_text()).items()}))
    office.run("notify")
    assert len(robotserver.received) == waiting and "没有到期的通知" in office.run("notify").output
    assert len({r.text.split("]")[0] for r in robotserver.received}) == waiting  # nobody told twice


def test_channels_and_secrets_in_the_policy(states: States, robotserver: RobotServer, mailserver: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from jsonschema import Draft202012Validator
    from ruamel.yaml import YAML

    from tests.policy.test_case_schema import SCHEMA, plain

    text = with_robots(policy_text("property", "SZ", None, None))
    policy = parse_policy_text(text)
    assert [policy.channel_of(n) for n in ("李工", "王建国", "张敏", "赵磊")] == ["eng", "email", "desk", "email"]
    assert [p.mobile for p in policy.people if p.mobile] == [ZHANG, LI]
    validator = Draft202012Validator(SCHEMA)
    assert not list(validator.iter_errors(plain(YAML(typ="safe", pure=True).load(text))))
    bad = {  # the loader and the editor's schema refuse the same mistakes
        "a key in the policy": (ROBOTS, ROBOTS.replace("{kind: wecom}", "{kind: wecom, key: abc}"),
                                "COMPLAINTCTL_ROBOT_DESK_KEY"),
        "an unknown kind": (ROBOTS, ROBOTS.replace("dingtalk", "slack"), "wecom, dingtalk"),
        "an unknown robot": ("notify: eng", "notify: engineering", "'engineering' is not a channel"),
        "a bad mobile": (f"mobile: '{LI}'", "mobile: '1380000'", "is not a mobile number"),
    }
    for what, (old, new, message) in bad.items():
        broken = text.replace(old, new, 1)
        with pytest.raises(PolicyError, match=message):
            parse_policy_text(broken)
        if what != "an unknown robot":  # the schema does not know the robots' names
            assert list(validator.iter_errors(plain(YAML(typ="safe", pure=True).load(broken)))), what
    # a robot without its key refuses the run before anything goes, e-mail included
    office, ids = states
    configure(office, robotserver, monkeypatch)
    office.git("config", "--unset", "complaintctl.robot.eng.key")
    result = office.run("notify", ok=False)
    assert result.exit_code == 1 and "COMPLAINTCTL_ROBOT_ENG_KEY" in result.output
    assert "git config complaintctl.robot.eng.key" in result.output
    assert not robotserver.received and not mailserver.inbox
    with pytest.raises(InvalidInput, match="only DingTalk robots sign"):
        robots.config(policy.notifications.robots["desk"], {"COMPLAINTCTL_ROBOT_DESK_KEY": "k",
                                                            "COMPLAINTCTL_ROBOT_DESK_SECRET": "s"}, lambda key: None)
    # the real hosts by default; a pasted webhook URL gives its key
    cfg = robots.config(policy.notifications.robots["eng"], {}, {
        "complaintctl.robot.eng.key": f"https://oapi.dingtalk.com/robot/send?access_token={ENG_TOKEN}"}.get)
    assert (cfg.endpoint, cfg.token, cfg.secret) == ("https://oapi.dingtalk.com/robot/send", ENG_TOKEN, "")
    assert robots.config(policy.notifications.robots["desk"], {"COMPLAINTCTL_ROBOT_DESK_KEY": DESK_KEY},
                         lambda key: None).endpoint == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
