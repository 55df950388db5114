"""The words of the notices `complaintctl notify` sends, in the office's language.

Every text is here, its English marked for the message catalogs (context `notice`); the zh
text is the catalog's. An e-mail says the case ID, what is due and by when, and no more personal
data than the recipient needs: the complainant's name, contact and address are masked (R-RP-4,
R-RT-5), the recipient opens the case for the rest. A group robot's message (WeCom, DingTalk) is
read by the whole group: it carries nothing of the complainant at all, not even the masked
subject — the case ID, the notice, the staff it is for, the facts and the clocks (R-RT-5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl.i18n import _p, translations
from complaintctl.labels import STATUSES
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.policy.policy import Policy
from complaintctl.reporting.masking import Masker, identifying
from complaintctl.rules.notices import Notice

# key -> (context, English msgid): the zh text is the catalog's (docs/i18n.md); placeholders in braces
TEXTS: dict[str, tuple[str, str]] = {
    "subject": _p("notice", "[{id}] {what}: {subject}"),
    "greeting": _p("notice", "Dear {name},"),
    "incident": _p("notice", "Incident reported"),
    "incident.body": _p("notice", "Complaint {id} was recorded at intake as an incident ({incident}): you are "
                                  "informed at once (R-AS-3)."),
    "dispatch": _p("notice", "Dispatched"),
    "dispatch.body": _p("notice", "Complaint {id} is dispatched: handler {handler}, unit {unit} (R-RT-2)."),
    "completion": _p("notice", "Handling completed"),
    "completion.body": _p("notice", "Complaint {id}, which you first received, has been resolved (R-IN-2): "
                                    "please follow it up."),
    "reminder": _p("notice", "Reminder"),
    "reminder.body": _p("notice", "Complaint {id}: its {clock} time limit passed at {due}; please act now (R-DL-7)."),
    "escalation": _p("notice", "Escalated"),
    "escalation.body": _p("notice", "Complaint {id} has been escalated to level {level} (R-ES-1) and needs your "
                                    "attention."),
    "revisit": _p("notice", "Revisit due"),
    "revisit.body": _p("notice", "Complaint {id} is due for its revisit by {due}: please call the customer "
                                 "and record their satisfaction (R-CL-1)."),
    "facts": _p("notice", "Category: {category} | Severity: {severity} | Status: {status}"),
    "subject_line": _p("notice", "Subject: {subject}"),
    "clocks": _p("notice", "Time limits:"),
    "clock_line": _p("notice", "  {clock}: {due}"),
    "none": _p("notice", "none"),
    "look": _p("notice", "Details: complaintctl show {id}"),
    "footer": _p("notice", "— sent by {office}'s complaint system; please do not reply."),
    "robot.title": _p("notice", "[{id}] {what}"),
    "robot.for": _p("notice", "For: {names}"),
}
CLOCK_NAMES: dict[str, tuple[str, str]] = {
    "intake": _p("clock in a notice", "intake"),
    "response": _p("clock in a notice", "response"),
    "dispatch": _p("clock in a notice", "dispatch"),
    "notice": _p("clock in a notice", "notice"),
    "resolution": _p("clock in a notice", "resolution"),
    "completion": _p("clock in a notice", "completion"),
    "verification": _p("clock in a notice", "verification"),
    "revisit": _p("clock in a notice", "revisit"),
    "report": _p("clock in a notice", "report"),
    "board-report": _p("clock in a notice", "board report"),
    "opinion": _p("clock in a notice", "opinion"),
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def text(language: str, key: str, **values: Any) -> str:
    return translations(language).pgettext(*TEXTS[key]).format(**values)


def clock_name(language: str, clock: str) -> str:
    pair = CLOCK_NAMES.get(clock)
    return clock if pair is None else translations(language).pgettext(*pair)


def _when(moment: datetime | None, policy: Policy) -> str:
    return moment.astimezone(policy.tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _body(notice: Notice, data: Mapping[str, Any], policy: Policy) -> str:
    lang = policy.language
    incident = str(get(data, F.ASSESSMENT_INCIDENT) or "")
    incident_label = policy.authority.incidents[incident].text(lang) if incident in policy.authority.incidents \
        else incident
    return text(lang, f"{notice.kind}.body", id=notice.case_id, incident=incident_label,
                handler=get(data, F.ROUTING_HANDLER) or text(lang, "none"),
                unit=policy.label("units", str(get(data, F.ROUTING_UNIT) or "")) or text(lang, "none"),
                clock=clock_name(lang, notice.clock), due=_when(notice.due, policy), level=notice.level)


def _clock_lines(data: Mapping[str, Any], policy: Policy) -> list[str]:
    lang = policy.language
    running = []
    clocks = data.get("clocks") if isinstance(data.get("clocks"), Mapping) else {}
    for name, c in (clocks or {}).items():
        if isinstance(c, Mapping) and c.get("done") is None and c.get("due") is not None:
            due = as_datetime(c.get("due"), policy.tz)
            running.append(text(lang, "clock_line", clock=clock_name(lang, str(name)), due=_when(due, policy)))
    return running or [text(lang, "clock_line", clock=text(lang, "none"), due="—")]


def render_robot(notice: Notice, data: Mapping[str, Any], policy: Policy) -> Message:
    """A group robot's notice: a title and plain lines (handling.robots makes them markdown and
    adds whom it is for). Built only from the notice, the routing, the vocabularies and the clocks:
    no field of the complainant's is read (R-RT-5: the group is wider than the people involved)."""
    lang = policy.language
    status = str(data.get("status") or "")
    pair = STATUSES.get(status)
    lines = [
        _body(notice, data, policy),
        text(lang, "facts", category=policy.label("categories", str(get(data, F.ASSESSMENT_CATEGORY) or "")),
             severity=policy.label("severities", str(get(data, F.ASSESSMENT_SEVERITY) or "")),
             status=translations(lang).pgettext(*pair) if pair else status),
        text(lang, "clocks"), *(line.strip() for line in _clock_lines(data, policy)),
        text(lang, "look", id=notice.case_id),
    ]
    return Message(text(lang, "robot.title", id=notice.case_id, what=text(lang, notice.kind)), "\n".join(lines))


def for_line(language: str, names: Sequence[str]) -> str:
    return text(language, "robot.for", names="、".join(names) if language == "zh" else ", ".join(names))


def render(notice: Notice, data: Mapping[str, Any], policy: Policy, recipient: str) -> Message:
    """One recipient's message: the complainant's own data masked (R-RP-4)."""
    lang = policy.language
    mask = Masker(identifying(data), language=policy.language)
    cid = notice.case_id
    subject = mask(get(data, F.INTAKE_SUBJECT))
    body = _body(notice, data, policy)
    lines = [
        text(lang, "greeting", name=recipient), "", body, "",
        text(lang, "subject_line", subject=subject),
        text(lang, "facts", category=policy.label("categories", str(get(data, F.ASSESSMENT_CATEGORY) or "")),
             severity=policy.label("severities", str(get(data, F.ASSESSMENT_SEVERITY) or "")),
             status=str(data.get("status") or "")),
        text(lang, "clocks"), *_clock_lines(data, policy), "",
        text(lang, "look", id=cid), "", text(lang, "footer", office=policy.name),
    ]
    return Message(text(lang, "subject", id=cid, what=text(lang, notice.kind), subject=subject), "\n".join(lines))
