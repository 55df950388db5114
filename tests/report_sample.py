"""A small office for the report, bulletin and knowledge tests (issue 4).

Four October cases go through the real CLI, step by step, each step by its actor at a
pinned time (COMPLAINTCTL_NOW and the git dates agree). The rest are written with the
real step functions and committed in one go (the pre-commit hook validates them). Clocks
are hand-made, in the contract's shape, and committed like a hand edit.

Times are whole working days apart at 10:00 on ordinary weekdays, so the time to
resolve is the same under any working-day calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.handling import steps
from complaintctl.model.case import dump_document
from complaintctl.model.ids import parse_case_id
from complaintctl.policy.policy import load_policy
from complaintctl.repo import stamps
from complaintctl.repo.git import Identity
from tests.conftest import Office, set_identity

PEOPLE = {"张敏": "zhangmin@example.com", "李工": "ligong@example.com", "陈静": "chenjing@example.com",
          "王建国": "wangjianguo@example.com"}
REPORT_NOW = "2026-11-10T09:00:00+08:00"
# Complainants' identities: none of these may appear in a bulletin or report.
SECRETS = ("王小明", "小明", "13800138000", "138-0013-8000", "陈美玲", "13911112222", "3栋2单元",
           "深南大道1001号", "赵大海", "13566667777", "wang@example.org", "1502室", "刘芳", "13700001111")


def t(day: str, hm: str = "10:00") -> str:
    return f"2026-{day}T{hm}:00+08:00"


class Driver:
    def __init__(self, office: Office, mp: pytest.MonkeyPatch) -> None:
        self.office, self.mp = office, mp

    def at(self, when: str, who: str = "张敏") -> Driver:
        for var in ("COMPLAINTCTL_NOW", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
            self.mp.setenv(var, when)
        set_identity(self.mp, who, PEOPLE[who])
        return self

    def run(self, *args: str) -> str:
        return self.office.run(*args).output


def _cli_cases(d: Driver) -> dict[str, str]:
    o = d.office
    ids: dict[str, str] = {}
    d.at(t("10-12"))
    ids["A"] = o.new(name="王小明", contact="13800138000", subject="电梯故障三天未修", severity="major",
                     details="王小明（13800138000）反映3栋2单元电梯停运三天，老人无法下楼", location="3栋2单元",
                     address="深南大道1001号")
    d.at(t("10-12", "10:05")).run("assign", ids["A"], "--handler", "李工", "--unit", "engineering")
    d.at(t("10-12", "10:30"), "李工").run("plan", ids["A"], "--resolver", "李工", "--measures", "更换电梯主板",
                                           "--due", "2026-10-14")
    d.at(t("10-14"), "李工").run("resolve", ids["A"], "--outcome", "repair",
                                 "--summary", "已更换主板并试运行，电话13800138000告知王小明")
    # R-DL-5: the unit's completion report within 2 h, the verification within 8 h
    d.at(t("10-14", "10:30"), "李工").run("report-filed", ids["A"], "完工报告", "--clock", "completion")
    d.at(t("10-14", "15:00"), "王建国").run("report-filed", ids["A"], "现场验证合格", "--clock", "verification")
    d.at(t("10-15")).run("revisit", ids["A"], "--satisfaction", "satisfied")
    d.at(t("10-15", "11:00")).run("close", ids["A"], "--root-cause", "电梯主板备件库存不足，等待厂家发货",
                                  "--lesson", "电梯主板等关键备件列入常备件清单",
                                  "--preventive-action", "每季度盘点电梯备件")
    d.at(t("10-13"))
    ids["B"] = o.new(name="陈美玲", contact="13911112222", complainant_class="tenant", channel="in-person",
                     category="staff-conduct", subject="保安态度恶劣", details="陈美玲在1502室门口与保安争执",
                     location="")
    d.at(t("10-13", "10:10")).run("assign", ids["B"], "--handler", "陈静", "--unit", "hr")
    d.at(t("10-13", "11:00"), "陈静").run("plan", ids["B"], "--resolver", "陈静", "--measures", "约谈当班保安",
                                           "--due", "2026-10-16")
    d.at(t("10-19"), "陈静").run("resolve", ids["B"], "--outcome", "explanation", "--summary", "当面致歉")
    d.at(t("10-20")).run("revisit", ids["B"], "--satisfaction", "neutral")
    d.at(t("10-20", "11:00")).run("close", ids["B"], "--root-cause", "新入职保安未经服务礼仪培训",
                                  "--late-reason", "当班保安休假，约谈推迟",
                                  "--preventive-action", "新员工上岗前完成服务礼仪培训")  # R-RT-6
    d.at(t("10-14"))
    ids["C"] = o.new(name="赵大海", contact="13566667777", complainant_class="supplier", channel="web",
                     category="resident-disputes", subject="货款结算纠纷", details="供应商催要货款")
    d.at(t("10-14", "11:00"), "陈静").run("invalid", ids["C"], "--reason", "out-of-scope",
                                           "--reply", "货款事宜请联系财务部")
    d.at(t("10-20"))
    result = o.run("new", "--channel", "phone", "--name", "王小明", "--contact", "138-0013-8000",
                   "--complainant-class", "owner", "--category", "work-efficiency", "--subject", "电梯又坏了",
                   "--details", "同一部电梯再次停运，业主很不满")
    ids["D"] = result.output.split()[0]
    ids["D_warning"] = result.output
    # R-AS-5: a repeat complaint goes to senior staff — the engineering head
    d.at(t("10-20", "10:30")).run("assign", ids["D"], "--handler", "王建国", "--unit", "engineering")
    d.at(t("10-20", "11:00"), "王建国").run("plan", ids["D"], "--resolver", "王建国", "--measures", "联系厂家检修",
                                           "--due", "2026-10-22")
    return ids


Mutator = Callable[[CommentedMap], None]


def _life(policy_root: Path, case_id: str, intake: steps.Intake, plan: list[tuple[str, str, steps.StepFor]],
          ) -> CommentedMap:
    policy = load_policy(policy_root)
    who = Identity("张敏", PEOPLE["张敏"])
    doc = steps.build_case(policy, case_id, intake, intake.received_at, who)
    for when, actor, step_for in plan:
        me = Identity(actor, PEOPLE[actor])
        doc, _, _ = steps.apply(doc, step_for(doc), datetime.fromisoformat(when), me, policy)
    return doc


def _written_cases(office: Office) -> dict[str, str]:
    """September's cases, two more for October and one for November, via the step functions."""
    policy = load_policy(office.root)
    me = Identity("李工", PEOPLE["李工"])

    def intake(when: str, **kw: str) -> steps.Intake:
        base = dict(channel="phone", name="刘芳", contact="13700001111", complainant_class="owner",
                    category="work-efficiency", subject="", details="")
        base.update(kw)
        return steps.Intake(received_at=datetime.fromisoformat(when), **base)  # type: ignore[arg-type]

    specs = {
        "S1": ("SZ-2609-0001", intake(t("09-14"), subject="地下车库漏水", details="B2车库顶板漏水，刘芳的车被淋"),
               [(t("09-14", "10:30"), "张敏", steps.assign(policy, "李工", "engineering", ())),
                (t("09-14", "11:00"), "李工", steps.plan("李工", "修补防水层", datetime.fromisoformat(t("09-16")))),
                (t("09-16"), "李工", steps.resolve("repair", "已修补", datetime.fromisoformat(t("09-16")), me)),
                (t("09-17"), "张敏", steps.revisit("satisfied", "", True, datetime.fromisoformat(t("09-17")),
                                                   Identity("张敏", PEOPLE["张敏"]))),
                (t("09-17", "11:00"), "张敏", steps.close("防水层老化", "雨季前检查车库防水", "", "",
                                                        datetime.fromisoformat(t("09-17", "11:00")),
                                                        Identity("张敏", PEOPLE["张敏"])))]),
        "S2": ("SZ-2609-0002", intake(t("09-21"), name="访客甲", contact="wang@example.org",
                                      complainant_class="visitor", channel="web", category="other",
                                      subject="门口广告牌难看", details="路过时觉得广告牌难看"),
               [(t("09-21", "11:00"), "陈静", steps.mark_invalid("unverifiable", "无法核实，已回复",
                                                                Identity("陈静", PEOPLE["陈静"])))]),
        "E": ("SZ-2610-0005", intake(t("10-21"), name="员工乙", contact="13622223333", complainant_class="employee",
                                     channel="email", category="other", subject="食堂卫生差",
                                     details="员工反映食堂有异味"),
              [(t("10-21", "10:30"), "张敏", steps.assign(policy, "陈静", "coordination-centre", ())),
               (t("10-21", "11:00"), "陈静",
                steps.plan("陈静", "督促承包商整改", datetime.fromisoformat(t("11-20"))))]),
        "F": ("SZ-2610-0006", intake(t("10-29"), channel="sms", category="management-responsibility",
                                     subject="楼道灯不亮", details="5号楼12层楼道灯坏了一周，业主漏水也没人管"),
              [(t("10-29", "10:30"), "张敏", steps.assign(policy, "刘洋", "management-office", ())),
               (t("10-29", "11:00"), "李工", steps.plan("李工", "更换灯具", datetime.fromisoformat(t("11-05")))),
               (t("11-03"), "李工", steps.resolve("repair", "已更换", datetime.fromisoformat(t("11-03")), me))]),
        "N1": ("SZ-2611-0001", intake(t("11-02"), subject="快递柜故障", details="快递柜屏幕不亮"), []),
    }
    paths = []
    ids = {}
    for key, (cid, it, plan) in specs.items():
        doc = _life(office.root, cid, it, plan)
        path = office.root / parse_case_id(cid).relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_document(doc), encoding="utf-8")
        paths.append(str(path.relative_to(office.root)))
        ids[key] = cid
    office.git("add", *paths)
    # An import of many people's steps in one commit: no one committer (the ledger's actor rule,
    # issue 9) — each step was made by the step functions as its own actor.
    office.git("commit", "-q", "--no-verify", "-m", "import cases written with the step functions")
    return ids


def build(office: Office, mp: pytest.MonkeyPatch) -> dict[str, str]:
    d = Driver(office, mp)
    ids = _cli_cases(d)
    d.at(REPORT_NOW)
    # Cases from before the office stamped anything (recorded time): the clone's own witness
    # notes the import with no entries, so their steps keep their claims, unstamped.
    mp.setenv(stamps.BACKFILL_ENV, "1")
    ids.update(_written_cases(office))
    mp.delenv(stamps.BACKFILL_ENV)
    return ids


def isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    """What conftest's git_env does per test, for a fixture shared by a whole module."""
    import os
    import sys

    from tests.conftest import SRC

    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[complaintctl]\n\tallowPinnedNow = true\n",
                                     encoding="utf-8")
    mp.setenv("COMPLAINTCTL", f"{sys.executable} -m complaintctl")
    mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    set_identity(mp, "张敏", PEOPLE["张敏"])


def built_office(factory: pytest.TempPathFactory, mp: pytest.MonkeyPatch) -> tuple[Office, dict[str, str]]:
    """The sample office, built once per test session and copied for each module that asks."""
    import json
    import shutil

    from click.testing import CliRunner

    from complaintctl.cli import cli

    isolate(mp, factory.mktemp("home"))
    master = factory.getbasetemp() / "report-sample"
    if not (master / "ids.json").is_file():
        root = master / "office"
        result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"])
        assert result.exit_code == 0, result.output
        ids = build(Office(root), mp)
        (master / "ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
    dest = factory.mktemp("sample") / "office"
    shutil.copytree(master / "office", dest, symlinks=True)
    mp.setenv("COMPLAINTCTL_NOW", REPORT_NOW)
    return Office(dest), json.loads((master / "ids.json").read_text(encoding="utf-8"))
