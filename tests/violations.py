"""Hand edits that break a foundation rule, and the ways a change can enter the record.

Routes: `edit` is the CLI (`complaintctl edit` with $EDITOR), `commit` a plain `git commit`
through the installed pre-commit hook, `push` a `git commit --no-verify` pushed to a bare
repository whose pre-receive hook comes from hooks/ (test_hooks pushes every violation at
once). Each must refuse, name file, field and rule, and leave the record as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.model.case import dump_document, load_document, put, timeline_entry
from tests.conftest import ACCUSED, NOW, Office

AT = datetime.fromisoformat(NOW)
TOMORROW = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
BEFORE_RECEIPT = datetime.fromisoformat("2026-11-19T09:00:00+08:00")
LATER = datetime.fromisoformat("2027-01-02T18:00:00+08:00")  # about 40 days after the plan's due


@dataclass(frozen=True)
class Violation:
    state: str  # which case of the every-state office it edits
    change: Callable[[CommentedMap], Any]
    expect: tuple[str, ...]  # lines (after "<path>: ") every route must print
    routes: tuple[str, ...] = ("edit", "commit", "push")
    edit_expect: tuple[str, ...] = ()  # what `edit` says instead, if it judges earlier


def _skip_to_resolved(d: CommentedMap) -> None:
    d["status"] = "resolved"
    d["resolution"] = CommentedMap(at=AT, by="张敏", outcome="repair", summary="修好了")
    d["timeline"].append(timeline_entry(AT, "张敏", "resolve", src="received", dst="resolved"))


def _invalid_without_reason(d: CommentedMap) -> None:
    d["status"] = "invalid"
    d["assessment"]["valid"] = False
    d["timeline"].append(timeline_entry(AT, "张敏", "invalid", src="received", dst="invalid"))


def _close_by_hand(satisfaction: str | None) -> Callable[[CommentedMap], None]:
    def change(d: CommentedMap) -> None:
        if satisfaction:
            d["revisit"] = CommentedMap(at=AT, by="张敏", satisfaction=satisfaction)
        d["status"] = "closed"
        d["closing"] = CommentedMap(at=AT, by="张敏", root_cause="x")
        d["timeline"].append(timeline_entry(AT, "张敏", "close", src="resolved", dst="closed"))
    return change


def _two_vocabularies(d: CommentedMap) -> None:
    d["assessment"]["category"] = "elevator"
    d["intake"]["channel"] = "pigeon"


def _append(d: CommentedMap, action: str, by: str = "张敏", src: str | None = None, dst: str | None = None,
            note: str | None = None, **extra: Any) -> None:
    d["timeline"].append(timeline_entry(AT, by, action, src=src, dst=dst, note=note, extra=extra))


def _forged_extension(d: CommentedMap) -> None:
    # R-DL-2: an extension "approved" by the vice-president, written and committed by 张敏
    _append(d, "extend", by="刘洋", note="批准延期", clock="resolution", until=LATER)


def _replan(due: Any) -> Callable[[CommentedMap], None]:
    def change(d: CommentedMap) -> None:
        d["plan"]["due"] = due
        _append(d, "replan", resolver=d["plan"]["resolver"], measures=d["plan"]["measures"], due=due)
    return change


def _invalid_blank_reply(d: CommentedMap) -> None:
    a = d["assessment"]
    a["valid"], a["invalid_reason"], a["reply"], a["decided_by"] = False, "out-of-scope", "   ", "张敏"
    d["status"] = "invalid"
    _append(d, "invalid", src="received", dst="invalid", note="   ", reason="out-of-scope")


def _escalate_jump(d: CommentedMap) -> None:
    d["routing"]["escalation_level"] = "gm"
    _append(d, "escalate", note="直接找总经理", level="gm")


def _resolve_with(**amounts: Any) -> Callable[[CommentedMap], None]:
    def change(d: CommentedMap) -> None:
        values = {"outcome": "compensation", "summary": "赔偿业主损失", **amounts}
        d["resolution"] = CommentedMap(at=AT, by="张敏", **{k: values.get(k) for k in (
            "outcome", "summary", "compensation", "responsible", "share", "loss")})
        d["status"] = "resolved"
        _append(d, "resolve", src="in_progress", dst="resolved", **values)
    return change


def _correct_accused_by_staff(d: CommentedMap) -> None:
    d["accused"]["person"] = None
    _append(d, "correct", note="投诉对象有误", field="accused.person", old=ACCUSED, value=None)


def _remove_entries(d: CommentedMap) -> None:
    del d["timeline"][1:]
    d["timeline"].append(timeline_entry(AT, "张敏", "plan", src="received", dst="in_progress"))


VIOLATIONS: dict[str, Violation] = {
    # required fields per state (R-IN-1, R-IN-4, R-AS-1)
    "required-field": Violation("in_progress", lambda d: d["plan"].pop("resolver"),
                                ("plan.resolver: R-IN-4: 案件状态为“处理中”时必填",)),
    "blank-intake-field": Violation("received", lambda d: put(d, "intake.complainant.contact", ""),
                                    ("intake.complainant.contact: R-IN-1: 案件状态为“已受理”时必填",)),
    "invalid-without-reason": Violation("received", _invalid_without_reason, (
        "assessment.invalid_reason: R-AS-1: 案件状态为“无效”时必填",
        "assessment.reply: R-AS-1: 案件状态为“无效”时必填")),
    # vocabularies (R-DEF-3, R-DEF-4): both findings, not just the first
    "unknown-vocabulary": Violation("assigned", _two_vocabularies, (
        "assessment.category: R-DEF-3: 'elevator' 不在制度规定的投诉类别中",
        "intake.channel: R-DEF-4: 'pigeon' 不在制度规定的投诉渠道中")),
    # legal transitions only
    "skip-state": Violation("received", _skip_to_resolved,
                            ("timeline[1].to: R-WF: received → resolved 不是允许的状态变更",),
                            # `edit` refuses it earlier, in handling/, naming the statuses by their words
                            edit_expect=("status: R-WF: 已受理 → 已处理 不是允许的状态变更",)),
    "status-without-entry": Violation("in_progress", lambda d: d.__setitem__("status", "waiting"), (
        "status: R-WF: 为 'waiting',但时间线最后一次状态变更的结果是 'in_progress'",),
        routes=("commit", "push")),  # `edit` records the status change itself (test_edit)
    # fields fixed after intake (R-IN-2)
    "fixed-received_at": Violation("assigned", lambda d: d["intake"].__setitem__("received_at", AT),
                                   ("intake.received_at: R-IN-2: 受理后不得修改",)),
    "fixed-first_receiver": Violation("assigned", lambda d: d["intake"].__setitem__("first_receiver", "李工"),
                                      ("intake.first_receiver: R-IN-2: 受理后不得修改",)),
    "fixed-id": Violation("assigned", lambda d: d.__setitem__("id", "SZ-2611-0099"), (
        "id: R-IN-2: 受理后不得修改",
        "id: R-IN-5: 案件 SZ-2611-0099 须存放在 cases/2026/11/SZ-2611-0099.yaml")),
    # the timeline is append-only; 无效投诉已终结 (R-AS-1)
    "timeline-rewrite": Violation("in_progress", lambda d: d["timeline"][1].__setitem__("by", "王建国"),
                                  ("timeline: R-WF: 只能追加",)),
    "timeline-remove": Violation("in_progress", _remove_entries, ("timeline: R-WF: 只能追加",)),
    "invalid-is-final": Violation("invalid", lambda d: d["assessment"].__setitem__("reply", "改了回复"),
                                  ("status: R-AS-1: 无效投诉已终结,不得再作修改",)),
    # recusal (R-RT-3)
    "accused-handler": Violation("in_progress", lambda d: d["routing"].__setitem__("handler", ACCUSED),
                                 (f"routing.handler: R-RT-3: {ACCUSED} 是被投诉人",)),
    "handler-accused": Violation("in_progress", lambda d: d["accused"].__setitem__("person", "李工"), (
        "routing.handler: R-RT-3: 李工 是被投诉人,不得处理本案件",
        "plan.resolver: R-RT-3: 李工 是被投诉人,不得负责办结本案件")),
    # closed loop (R-CL-1)
    "close-without-revisit": Violation("resolved", _close_by_hand(None), (
        "revisit.satisfaction: R-CL-1: 须回访客户后方可结案",)),
    "close-dissatisfied": Violation("resolved", _close_by_hand("dissatisfied"), (
        "revisit.satisfaction: R-CL-1: 客户不满意:请重新处理,不得结案",)),
    # dates in order, not in the future (R-IN-1)
    "future-entry": Violation("assigned", lambda d: d["timeline"].append(
        timeline_entry(TOMORROW, "张敏", "contact", note="明天的电话")),
        ("timeline[2].at: R-IN-1: 2026-11-23T09:00:00+08:00 在将来",)),
    "out-of-order": Violation("resolved", lambda d: d["resolution"].__setitem__("at", BEFORE_RECEIPT), (
        "resolution.at: R-IN-1: 2026-11-19T09:00:00+08:00 早于 intake.received_at",)),
    # ---- the ledger (issue 9): every change explained, every actor real, every rule unbypassable ----
    "forged-extension": Violation("in_progress", _forged_extension, (
        "timeline[3].by: R-WF: 记为 '刘洋',但提交人是 张敏",
        "timeline[3].by: R-DL-2: 张敏 无权执行 extend")),
    "silent-severity": Violation("assigned", lambda d: d["assessment"].__setitem__("severity", "major"), (
        "assessment.severity: R-AS-2: 已被修改('general' → 'major'),但没有说明该修改的新时间线记录",)),
    "silent-escalation": Violation("assigned", lambda d: d["routing"].__setitem__("escalation_level", "gm"), (
        "routing.escalation_level: R-ES-1: 已被修改('staff' → 'gm'),但没有说明该修改的新时间线记录",)),
    "silent-repeat-link": Violation("assigned", lambda d: d["assessment"]["repeat_of"].append("SZ-2611-0001"), (
        "assessment.repeat_of: R-AS-5: 已被修改([] → ['SZ-2611-0001']),但没有说明该修改的新时间线记录",)),
    "silent-accused": Violation("assigned", lambda d: d["accused"].__setitem__("person", None), (
        f"accused.person: R-RT-3: 已被修改('{ACCUSED}' → none),但没有说明该修改的新时间线记录",)),
    "correct-accused-by-staff": Violation("received", _correct_accused_by_staff, (
        "timeline[1].by: R-RT-3: 张敏 无权更正 accused.person:须具有 head 或 vp 或 gm 角色",)),
    "replan-40-days": Violation("in_progress", _replan(LATER.date()), (
        "timeline[3].due: R-DL-2: 2027-01-02 23:59:59+08:00 晚于处理时限(2026-11-25 23:59:59+08:00)",)),
    "plan-before-receipt": Violation("in_progress", _replan(BEFORE_RECEIPT.date()), (
        "timeline[3].due: R-DL-2: 2026-11-19 23:59:59+08:00 早于投诉受理时间",)),
    "invalid-blank-reply": Violation("received", _invalid_blank_reply, (
        "assessment.reply: R-AS-1: 案件状态为“无效”时必填",)),
    "escalate-jump": Violation("assigned", _escalate_jump, (
        "timeline[2].level: R-ES-1: 须逐级升级:staff 的上一级是 head,不是 gm",
        "timeline[2].by: R-ES-1: 张敏 既不是处理人,也不高于案件当前层级(staff)")),
    "compensation-above-limit": Violation("in_progress", _resolve_with(compensation=8000.0), (
        "timeline[3].compensation: R-ES-2: 8000 超出 张敏 的审批额度(500)",)),
    "bad-amounts": Violation("in_progress", _resolve_with(share=1.5, loss=-20.0), (
        "resolution.share: R-CL-2: 1.5 须在 0 到 1 之间",
        "resolution.loss: R-CL-2: -20.0 须不小于 0")),
    "blank-text": Violation("received", lambda d: d["intake"].update(subject="   ", details="  "), (
        "intake.subject: R-IN-1: 案件状态为“已受理”时必填",
        "intake.details: R-IN-1: 案件状态为“已受理”时必填")),
}


def rel(office: Office, case_id: str) -> str:
    return office.path(case_id).relative_to(office.root).as_posix()


def edited(office: Office, case_id: str, change: Callable[[CommentedMap], Any]) -> str:
    """The case file's text after `change` (which edits the round-trip document in place)."""
    path = office.path(case_id)
    doc = load_document(path.read_text(encoding="utf-8"), str(path))
    change(doc)
    return dump_document(doc)


def snapshot(office: Office) -> tuple[str, str]:
    return office.git("rev-parse", "HEAD").stdout.strip(), office.git("status", "--porcelain").stdout


def remote_refs(office: Office) -> str:
    return office.git("ls-remote", "origin").stdout


def use_editor_copying(office: Office, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    replacement = office.root.parent / "replacement.yaml"
    replacement.write_text(text, encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"cp {replacement}")


def refused(route: str, office: Office, case_id: str, text: str, monkeypatch: pytest.MonkeyPatch,
            relpath: str = "") -> str:
    """Try to record `text` for the case by `route`; assert it is refused; return what was said."""
    before = snapshot(office)
    if route == "edit":
        use_editor_copying(office, text, monkeypatch)
        result = office.run("edit", case_id, ok=False)
        assert result.exit_code == 1, result.output
        assert "未提交" in result.output, result.output  # the CLI's own validator, not the hook
        assert snapshot(office) == before, "a refused edit must leave the repository as it was"
        return result.output
    relpath = relpath or rel(office, case_id)
    path = office.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    office.git("add", "--", relpath)
    if route == "commit":
        proc = office.git("commit", "-q", "-m", "hand edit", check=False)
        assert proc.returncode != 0, "the pre-commit hook let a bad case file through"
        assert "提交被拒绝" in proc.stderr, proc.stderr
        assert office.git("rev-parse", "HEAD").stdout.strip() == before[0]
        return proc.stderr
    assert route == "push", route
    office.git("commit", "-q", "--no-verify", "-m", "hand edit")
    refs = remote_refs(office)
    proc = office.git("push", "-q", "origin", "main", check=False)
    assert proc.returncode != 0, "the pre-receive hook let a bad case file through"
    assert "推送被拒绝" in proc.stderr, proc.stderr
    assert remote_refs(office) == refs
    return proc.stderr


def check_violation(name: str, route: str, office: Office, ids: dict[str, str],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    v = VIOLATIONS[name]
    case_id = ids[v.state]
    out = refused(route, office, case_id, edited(office, case_id, v.change), monkeypatch)
    for line in (v.edit_expect if route == "edit" and v.edit_expect else v.expect):
        assert f"{rel(office, case_id)}: {line}" in out, out


def cases_for(*names: str) -> list[Any]:
    """pytest params (name, route) for the CLI route of these violations; test_hooks sends every
    violation through `git commit` and `git push` at once (one hook run each)."""
    return [pytest.param(n, r, id=f"{n}-{r}") for n in names for r in VIOLATIONS[n].routes if r == "edit"]


def break_every_rule(office: Office, ids: dict[str, str]) -> list[str]:
    """Apply each violation to its own spare case (see conftest.clone_cases), plus a case stored away
    from its ID and a deleted case; stage it all. Returns the finding lines each hook must print."""
    used: dict[str, int] = {}
    expected: list[str] = []
    for v in VIOLATIONS.values():
        used[v.state] = used.get(v.state, 0) + 1
        case_id = ids[f"{v.state}#{used[v.state]}"]
        office.path(case_id).write_text(edited(office, case_id, v.change), encoding="utf-8")
        expected += [f"{rel(office, case_id)}: {line}" for line in v.expect]
    stray = "cases/2026/10/SZ-2611-0001.yaml"
    (office.root / "cases/2026/10").mkdir()
    (office.root / stray).write_text(office.path(ids["received"]).read_text(encoding="utf-8"), encoding="utf-8")
    expected.append(f"{stray}: id: R-IN-5: 案件 SZ-2611-0001 须存放在 cases/2026/11/SZ-2611-0001.yaml")
    deleted = rel(office, ids["closed"])
    office.git("rm", "-q", deleted)
    expected.append(f"{deleted}: (file): R-CL-3: 案件文件不得删除")
    office.git("add", "cases")
    return expected


def hooks_off(office: Office) -> Office:
    """For tests of the CLI itself: its own validator judges; skipping the hook's process saves time."""
    office.git("config", "core.hooksPath", ".no-hooks")
    return office
