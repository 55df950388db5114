"""The words of the notices `complaintctl notify` sends (issue 14), in the office's language.

Every text is here, as (zh, en) templates, so issue 13's message catalogs can take them over
whole. A message says the case ID, what is due and by when, and no more personal data than
the recipient needs: the complainant's name, contact and address are masked (R-RP-4,
R-RT-5), the recipient opens the case for the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl.model.case import as_datetime, get
from complaintctl.policy.policy import Policy
from complaintctl.reporting.masking import Masker, identifying
from complaintctl.rules.notices import Notice

# key -> (zh, en); placeholders in braces
TEXTS: dict[str, tuple[str, str]] = {
    "subject": ("[{id}] {what}:{subject}", "[{id}] {what}: {subject}"),
    "greeting": ("{name}:", "Dear {name},"),
    "incident": ("突发事件上报", "Incident reported"),
    "incident.body": ("投诉 {id} 受理时记录为突发事件({incident}),请立即知悉并跟进(R-AS-3)。",
                      "Complaint {id} was recorded at intake as an incident ({incident}): you are informed "
                      "at once (R-AS-3)."),
    "dispatch": ("派单通知", "Dispatched"),
    "dispatch.body": ("投诉 {id} 已派单:处理人 {handler},责任部门 {unit}(R-RT-2)。",
                      "Complaint {id} is dispatched: handler {handler}, unit {unit} (R-RT-2)."),
    "completion": ("处理完成通知", "Handling completed"),
    "completion.body": ("您首问受理的投诉 {id} 已处理完毕(R-IN-2 首问负责制),请跟进回访。",
                        "Complaint {id}, which you first received, has been resolved (R-IN-2): please "
                        "follow it up."),
    "reminder": ("催办单", "Reminder"),
    "reminder.body": ("投诉 {id} 的{clock}时限已于 {due} 超时,请尽快处理(R-DL-7 催办)。",
                      "Complaint {id}: its {clock} time limit passed at {due}; please act now (R-DL-7)."),
    "escalation": ("投诉升级", "Escalated"),
    "escalation.body": ("投诉 {id} 已升级至 {level} 层级(R-ES-1),请您督办。",
                        "Complaint {id} has been escalated to level {level} (R-ES-1) and needs your attention."),
    "revisit": ("回访提醒", "Revisit due"),
    "revisit.body": ("投诉 {id} 的回访时限为 {due},请按时回访客户并记录满意度(R-CL-1)。",
                     "Complaint {id} is due for its revisit by {due}: please call the customer and record "
                     "their satisfaction (R-CL-1)."),
    "facts": ("类别:{category}|级别:{severity}|状态:{status}", "Category: {category} | Severity: {severity} | "
              "Status: {status}"),
    "subject_line": ("事由:{subject}", "Subject: {subject}"),
    "clocks": ("时限:", "Time limits:"),
    "clock_line": ("  {clock}:{due}", "  {clock}: {due}"),
    "none": ("无", "none"),
    "look": ("查看详情:complaintctl show {id}", "Details: complaintctl show {id}"),
    "footer": ("—— {office} 投诉管理系统自动发送,请勿直接回复。", "— sent by {office}'s complaint system; "
               "please do not reply."),
}
CLOCK_NAMES: dict[str, tuple[str, str]] = {
    "intake": ("录入", "intake"), "response": ("响应", "response"), "dispatch": ("派单", "dispatch"),
    "notice": ("无法按时告知", "notice"), "resolution": ("处理", "resolution"),
    "completion": ("完成报告", "completion"),
    "verification": ("验证", "verification"), "revisit": ("回访", "revisit"), "report": ("书面报告", "report"),
    "board-report": ("董事会报告", "board report"), "opinion": ("综合意见", "opinion"),
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def text(language: str, key: str, **values: Any) -> str:
    zh, en = TEXTS[key]
    return (zh if language == "zh" else en).format(**values)


def clock_name(language: str, clock: str) -> str:
    zh, en = CLOCK_NAMES.get(clock, (clock, clock))
    return zh if language == "zh" else en


def _when(moment: datetime | None, policy: Policy) -> str:
    return moment.astimezone(policy.tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


def render(notice: Notice, data: Mapping[str, Any], policy: Policy, recipient: str) -> Message:
    """One recipient's message: the complainant's own data masked (R-RP-4)."""
    lang = policy.language
    mask = Masker(identifying(data))
    cid = notice.case_id
    subject = mask(get(data, "intake.subject"))
    incident = str(get(data, "assessment.incident") or "")
    incident_label = policy.authority.incidents[incident].text(lang) if incident in policy.authority.incidents \
        else incident
    body = text(lang, f"{notice.kind}.body", id=cid, incident=incident_label,
                handler=get(data, "routing.handler") or text(lang, "none"),
                unit=policy.label("units", str(get(data, "routing.unit") or "")) or text(lang, "none"),
                clock=clock_name(lang, notice.clock), due=_when(notice.due, policy), level=notice.level)
    running = []
    clocks = data.get("clocks") if isinstance(data.get("clocks"), Mapping) else {}
    for name, c in (clocks or {}).items():
        if isinstance(c, Mapping) and c.get("done") is None and c.get("due") is not None:
            due = as_datetime(c.get("due"), policy.tz)
            running.append(text(lang, "clock_line", clock=clock_name(lang, str(name)), due=_when(due, policy)))
    lines = [
        text(lang, "greeting", name=recipient), "", body, "",
        text(lang, "subject_line", subject=subject),
        text(lang, "facts", category=policy.label("categories", str(get(data, "assessment.category") or "")),
             severity=policy.label("severities", str(get(data, "assessment.severity") or "")),
             status=str(data.get("status") or "")),
        text(lang, "clocks"), *(running or [text(lang, "clock_line", clock=text(lang, "none"), due="—")]), "",
        text(lang, "look", id=cid), "", text(lang, "footer", office=policy.name),
    ]
    return Message(text(lang, "subject", id=cid, what=text(lang, notice.kind), subject=subject), "\n".join(lines))
