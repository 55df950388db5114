"""The step forms on a case page: each field a step takes, and the same core step the command
calls (handling.lifecycle), committed by the person running the UI and judged by the same
validator. The words a vocabulary field takes are resolved as the command line resolves them
(policy.vocabularies)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from complaintctl import labels
from complaintctl.errors import InvalidInput
from complaintctl.handling import deadlines, lifecycle
from complaintctl.handling.lifecycle import Result
from complaintctl.i18n import N_, _
from complaintctl.model.timeparse import parse_day_or_when
from complaintctl.policy import vocabularies
from complaintctl.policy.sla import WRITTEN
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace

TEXT, AREA, CHOICE, CHECK, NUMBER = "text", "area", "choice", "check", "number"
CLOCK_CHOICES = ("running_clocks", "written_clocks")


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # English msgid, shown translated
    kind: str = TEXT
    vocabulary: str = ""  # CHOICE: a policy vocabulary, or `satisfaction`
    required: bool = True


FORMS: dict[str, tuple[Field, ...]] = {
    "assign": (Field("handler", N_("Handler")), Field("unit", N_("Unit"), CHOICE, "units", False),
               Field("copy", N_("Heads copied (comma-separated)"), required=False)),
    "plan": (Field("resolver", N_("Resolver")), Field("measures", N_("Measures"), AREA),
             Field("due", N_("Due (date or date and time)"))),
    "note": (Field("text", N_("Note"), AREA),
             Field("contact", N_("A contact with the customer"), CHECK, required=False)),
    "wait": (Field("reason", N_("Waiting for")),),
    "resume": (Field("note", N_("What came back"), required=False),),
    "resolve": (Field("outcome", N_("Outcome"), CHOICE, "outcomes"), Field("summary", N_("Summary"), AREA),
                Field("compensation", N_("Compensation"), NUMBER, required=False)),
    "revisit": (Field("satisfaction", N_("Satisfaction"), CHOICE, "satisfaction"),
                Field("comment", N_("Comment"), required=False),
                Field("confirmed", N_("The customer confirmed the record"), CHECK, required=False)),
    "close": (Field("root_cause", N_("Root cause"), AREA), Field("lesson", N_("Lesson"), AREA, required=False),
              Field("preventive_action", N_("Preventive action"), required=False),
              Field("late_reason", N_("Why late"), required=False)),
    "reopen": (Field("reason", N_("Reason")),),
    "invalid": (Field("reason", N_("Reason"), CHOICE, "invalid_reasons"), Field("reply", N_("Reply"), AREA)),
    # steps that leave the status where it is (handling/offered.py offers them)
    "extend": (Field("clock", N_("Clock"), CHOICE, "running_clocks"),
               Field("until", N_("New due (date or date and time)")), Field("reason", N_("Reason"))),
    "escalate": (Field("reason", N_("Reason")),),
    "report-filed": (Field("clock", N_("Report"), CHOICE, "written_clocks"),
                     Field("text", N_("Reference or summary"), AREA)),
}


def choices(ws: Workspace, vocabulary: str, running: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(key, label in the office's language) of a vocabulary a field takes; the clocks a step
    may name are the case's `running` ones (a written report: those that are reports)."""
    if vocabulary in CLOCK_CHOICES:
        return [(c, labels.label(ws.policy.language, c)) for c in running
                if vocabulary == "running_clocks" or c in WRITTEN]
    if vocabulary == "invalid_reasons":
        return [(r, r) for r in lifecycle.INVALID_REASONS]
    if vocabulary in labels.FIXED:
        return list(labels.words(ws.policy.language, labels.FIXED[vocabulary]).items())
    return list(ws.policy.labels(vocabulary).items())


def _text(values: Mapping[str, str], name: str) -> str:
    return values.get(name, "").replace("\r\n", "\n").strip()


def _amount(text: str, label: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(_("{field}: {value!r} is not a number").format(field=_(label), value=text)) from None


def _read(ws: Workspace, action: str, values: Mapping[str, str]) -> dict[str, str]:
    """The form's values, checked for presence; vocabulary words turned into keys."""
    out: dict[str, str] = {}
    for f in FORMS[action]:
        text = _text(values, f.name)
        if f.required and not text and f.kind != CHECK:
            raise InvalidInput(_("{field} is required").format(field=_(f.label)))
        if f.kind == CHOICE and text and f.vocabulary not in ("invalid_reasons", *CLOCK_CHOICES):
            text = vocabularies.key_for(ws.policy, f.vocabulary, text, _(f.label))
        out[f.name] = text
    return out


Runner = Callable[[Workspace, str, dict[str, str], datetime, Identity], Result]


def run(ws: Workspace, action: str, case_id: str, values: Mapping[str, str], now: datetime,
        actor: Identity) -> Result:
    """Take `action` on the case with the form's values: the command's own core step."""
    if action not in FORMS:
        raise InvalidInput(_("{action}: no such step").format(action=action))
    v = _read(ws, action, values)
    tz = ws.policy.tz
    if action == "assign":
        copied = tuple(c.strip() for c in v["copy"].replace("，", ",").split(",") if c.strip())
        return lifecycle.assign(ws, case_id, v["handler"], v["unit"] or None, copied, now, actor)
    if action == "plan":
        due = parse_day_or_when(v["due"], tz, _("Due (date or date and time)"))
        return lifecycle.plan(ws, case_id, v["resolver"], v["measures"], due, now, actor)
    if action == "note":
        return lifecycle.note(ws, case_id, v["text"], bool(v["contact"]), now, actor)
    if action == "wait":
        return lifecycle.wait(ws, case_id, v["reason"], now, actor)
    if action == "resume":
        return lifecycle.resume(ws, case_id, v["note"], now, actor)
    if action == "resolve":
        return lifecycle.resolve(ws, case_id, v["outcome"], v["summary"], now, actor,
                                 _amount(v["compensation"], "Compensation"))
    if action == "revisit":
        return lifecycle.revisit(ws, case_id, v["satisfaction"], v["comment"], bool(v["confirmed"]), now, actor)
    if action == "close":
        return lifecycle.close(ws, case_id, v["root_cause"], v["lesson"], v["preventive_action"], v["late_reason"],
                               now, actor)
    if action == "reopen":
        return lifecycle.reopen(ws, case_id, v["reason"], now, actor)
    if action == "extend":
        until = parse_day_or_when(v["until"], tz, _("New due (date or date and time)"))
        return lifecycle.change(ws, case_id, now, actor, deadlines.extend(ws.policy, actor, v["clock"], until,
                                                                          v["reason"], now))
    if action == "escalate":
        return lifecycle.change(ws, case_id, now, actor, deadlines.escalate(ws.policy, v["reason"]))
    if action == "report-filed":  # deadlines.report_filed refuses a clock that is not a written report
        return lifecycle.change(ws, case_id, now, actor, deadlines.report_filed(v["text"], v["clock"]))
    return lifecycle.mark_invalid(ws, case_id, v["reason"], v["reply"], now, actor)
