"""One case as the office's printable handling form (客户投诉处理登记表, 001-1 §1.4, 001-4 §9).

`build` is pure: a case document, the policy, the clocks as read at `now` → a frozen `Form`
(intake, assessment and dispatch, plan, handling, revisit, closing, time limits, the record
of every step, signature lines), every word in the office's language. `render` fills the
HTML template in the sandbox (`templates/form/form.html.j2`, the office's copy first, like the
bulletin's); `write` saves it as HTML, or as PDF through headless Chromium (reporting.browser).

The form is the office's own file copy of the case: the complainant appears as `show` shows
them to the person printing it, unmasked (R-RT-5 limits who may see it, not how it is filed).
"""

from __future__ import annotations

import errno
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

from complaintctl import labels
from complaintctl.errors import BadValue, InvalidInput
from complaintctl.i18n import _, _p, translations
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.model.snapshot import Case
from complaintctl.policy.policy import Policy
from complaintctl.repo.transaction import write_bytes_atomic
from complaintctl.reporting import browser, sandbox

FORMATS = ("html", "pdf")
TEMPLATE_FOLDER = "form"
TEMPLATE = "form.html.j2"

# (context "form", English msgid): the form's own words; zh offices get the catalog's Chinese.
_LABELS: dict[str, tuple[str, str]] = {
    "title": _p("form", "Customer complaint handling form"), "form_no": _p("form", "Case No.:"),
    "status": _p("form", "Status:"), "printed": _p("form", "Printed:"), "page": _p("form", "Page"),
    "confidential": _p("form", "Internal record: holds the complainant's personal data; show it to no one not "
                               "involved in the case (R-RT-5)."),
    # sections
    "intake": _p("form", "1. Intake"), "assessment": _p("form", "2. Assessment and dispatch"),
    "plan": _p("form", "3. Handling plan"), "handling": _p("form", "4. Handling and result"),
    "revisit": _p("form", "5. Revisit"), "closing": _p("form", "6. Closing"),
    "clocks": _p("form", "7. Time limits"), "timeline": _p("form", "8. Handling record"),
    "signatures": _p("form", "Signatures"),
    # fields
    "received_at": _p("form", "Received at"), "recorded_at": _p("form", "Recorded at"),
    "channel": _p("form", "Channel"), "first_receiver": _p("form", "First receiver"),
    "complainant": _p("form", "Complainant"), "complainant_class": _p("form", "Complainant class"),
    "contact": _p("form", "Contact"), "address": _p("form", "Address"), "location": _p("form", "Location"),
    "accused": _p("form", "Complained about"), "subject": _p("form", "Subject"),
    "details": _p("form", "Details (the customer's account)"), "materials": _p("form", "Materials kept"),
    "source": _p("form", "Imported from"), "category": _p("form", "Category"), "severity": _p("form", "Severity"),
    "valid": _p("form", "Valid"), "repeat_of": _p("form", "Repeat of"), "incident": _p("form", "Incident"),
    "unit": _p("form", "Responsible unit"), "handler": _p("form", "Handler"), "copied": _p("form", "Heads copied"),
    "escalation": _p("form", "Escalation level"), "invalid_reason": _p("form", "Why invalid"),
    "reply": _p("form", "Reply to the customer"), "resolver": _p("form", "Resolver"),
    "measures": _p("form", "Measures"), "due": _p("form", "Time limit"), "resolved_at": _p("form", "Resolved at"),
    "resolved_by": _p("form", "Resolved by"), "outcome": _p("form", "Outcome"),
    "summary": _p("form", "What was done"), "compensation": _p("form", "Compensation"),
    "responsible": _p("form", "Responsible party"), "share": _p("form", "Share of responsibility"),
    "loss": _p("form", "Loss"), "revisited_at": _p("form", "Revisited at"),
    "revisited_by": _p("form", "Revisited by"), "satisfaction": _p("form", "Satisfaction"),
    "comment": _p("form", "Customer's comment"), "confirmed": _p("form", "Confirmed by the customer"),
    "closed_at": _p("form", "Closed at"), "closed_by": _p("form", "Closed by"),
    "root_cause": _p("form", "Root cause"), "preventive_action": _p("form", "Preventive action"),
    "lesson": _p("form", "Lesson"), "late_reason": _p("form", "Why late"), "clock": _p("form", "Clock"),
    "until": _p("form", "Until"), "done": _p("form", "Done"), "state": _p("form", "State"),
    "time": _p("form", "Time"), "no_clocks": _p("form", "The policy sets no time limits for this case."),
    "when": _p("form", "When"), "who": _p("form", "By"), "action": _p("form", "Action"),
    "moved": _p("form", "Status change"), "note": _p("form", "Note"), "yes": _p("form", "Yes"),
    "no": _p("form", "No"),
    # signature lines
    "role": _p("form", "Role"), "name": _p("form", "Name"), "signature": _p("form", "Signature"),
    "date": _p("form", "Date"), "date_blank": _p("form", "YYYY / MM / DD"),
    "sign_receiver": _p("form", "Received by (first receiver)"), "sign_handler": _p("form", "Handled by"),
    "sign_head": _p("form", "Reviewed by (head of the unit)"),
    "sign_customer": _p("form", "Customer's confirmation"), "sign_closer": _p("form", "Closed and filed by"),
    # why a complaint is invalid (R-AS-1)
    "reason_unverifiable": _p("form", "Too unclear to verify"),
    "reason_contrary-to-fact": _p("form", "Seriously contrary to fact"),
    "reason_out-of-scope": _p("form", "Outside our service commitments"),
    "reason_unlawful": _p("form", "Not in conformity with the law"),
    # escalation levels (R-ES-1)
    "role_staff": _p("form", "Staff"), "role_head": _p("form", "Head of department"),
    "role_vp": _p("form", "Vice-president in charge"), "role_gm": _p("form", "General manager"),
}


class ClockLike(Protocol):
    """A clock as read at a moment (handling.deadlines.ClockView)."""

    @property
    def clock(self) -> str: ...
    @property
    def due(self) -> datetime: ...
    @property
    def done(self) -> datetime | None: ...
    @property
    def state(self) -> str: ...
    @property
    def left(self) -> str: ...


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str
    wide: bool = False  # a whole row: free text


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...]

    @property
    def rows(self) -> tuple[tuple[Field, ...], ...]:
        """The fields as a paper form lays them out: two short ones a row, free text alone."""
        out: list[tuple[Field, ...]] = []
        pending: list[Field] = []
        for f in self.fields:
            if f.wide:
                if pending:
                    out.append(tuple(pending))
                    pending = []
                out.append((f,))
                continue
            pending.append(f)
            if len(pending) == 2:
                out.append(tuple(pending))
                pending = []
        if pending:
            out.append(tuple(pending))
        return tuple(out)


@dataclass(frozen=True)
class ClockRow:
    name: str
    due: str
    done: str
    state: str
    left: str


@dataclass(frozen=True)
class Step:
    when: str
    who: str
    action: str
    moved: str
    note: str


@dataclass(frozen=True)
class Signature:
    key: str
    role: str
    name: str  # printed beside the line; the signature and the date are written by hand


@dataclass(frozen=True)
class Form:
    language: str
    office: str
    title: str
    case_id: str
    status: str
    printed_at: str
    sections: tuple[Section, ...]
    clocks: tuple[ClockRow, ...]
    timeline: tuple[Step, ...]
    signatures: tuple[Signature, ...]
    labels: Mapping[str, str]


def words(language: str) -> dict[str, str]:
    t = translations(language)
    return {k: t.pgettext(*v) for k, v in _LABELS.items()}


def build(data: Mapping[str, Any], policy: Policy, now: datetime, clock_views: Iterable[ClockLike] = ()) -> Form:
    """The form for one case document (as `show` reads it), judged at `now`."""
    lang, tz = policy.language, policy.tz
    L = words(lang)  # noqa: N806
    sep = "：" if lang == "zh" else ": "
    listed = "、" if lang == "zh" else ", "

    def when(value: Any) -> str:
        return _when(value, tz)

    def text(path: str) -> str:
        value = get(data, path)
        return "" if value is None else str(value).strip()

    def vocab(vocabulary: str, path: str) -> str:
        value = get(data, path)
        return policy.label(vocabulary, str(value)) if value not in (None, "") else ""

    def yes_no(value: Any) -> str:
        return L["yes"] if value is True else L["no"] if value is False else ""

    def number(value: Any) -> str:
        return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, int | float) else ""

    def field(key: str, value: str, wide: bool = False) -> Field:
        return Field(key, L[key], value, wide)

    satisfaction = labels.words(lang, labels.SATISFACTION)
    incident = policy.authority.incidents.get(text(F.ASSESSMENT_INCIDENT))
    level = text(F.ROUTING_ESCALATION_LEVEL)
    share = get(data, F.RESOLUTION_SHARE)
    case = Case.from_data(data, tz)
    repeat = get(data, F.ASSESSMENT_REPEAT_OF) or []
    invalid = get(data, F.ASSESSMENT_VALID) is False
    sections = [
        Section("intake", L["intake"], (
            field("received_at", when(get(data, F.INTAKE_RECEIVED_AT))),
            field("channel", vocab("channels", F.INTAKE_CHANNEL)),
            field("first_receiver", text(F.INTAKE_FIRST_RECEIVER)),
            field("recorded_at", when(get(data, F.INTAKE_RECORDED_AT))),
            field("complainant", text(F.INTAKE_COMPLAINANT_NAME)),
            field("complainant_class", vocab("complainant_classes", F.INTAKE_COMPLAINANT_CLASS)),
            field("contact", text(F.INTAKE_COMPLAINANT_CONTACT)),
            field("address", text(F.INTAKE_COMPLAINANT_ADDRESS)),
            field("location", text(F.INTAKE_LOCATION)),
            field("accused", " / ".join(x for x in (text(F.ACCUSED_PERSON), vocab("units", F.ACCUSED_UNIT)) if x)),
            field("subject", text(F.INTAKE_SUBJECT), wide=True),
            field("details", text(F.INTAKE_DETAILS), wide=True),
            field("materials", listed.join(str(m) for m in get(data, F.INTAKE_MATERIALS) or []), wide=True),
            *([field("source", _source(data))] if get(data, F.INTAKE_SOURCE) else []),
        )),
        Section("assessment", L["assessment"], (
            field("category", vocab("categories", F.ASSESSMENT_CATEGORY)),
            field("severity", vocab("severities", F.ASSESSMENT_SEVERITY)),
            field("valid", yes_no(get(data, F.ASSESSMENT_VALID))),
            field("repeat_of", listed.join(str(r) for r in repeat) if repeat else yes_no(
                get(data, F.ASSESSMENT_REPEAT) is True)),
            field("unit", vocab("units", F.ROUTING_UNIT)),
            field("handler", text(F.ROUTING_HANDLER)),
            field("copied", listed.join(str(c) for c in get(data, F.ROUTING_COPIED) or [])),
            field("escalation", L.get(f"role_{level}", level)),
            *([field("incident", incident.text(lang) if incident else text(F.ASSESSMENT_INCIDENT))]
              if text(F.ASSESSMENT_INCIDENT) and text(F.ASSESSMENT_INCIDENT) != "none" else []),
            *([field("invalid_reason", L.get("reason_" + text(F.ASSESSMENT_INVALID_REASON),
                                               text(F.ASSESSMENT_INVALID_REASON)), wide=True),
               field("reply", text(F.ASSESSMENT_REPLY), wide=True)] if invalid else []),
        )),
        Section("plan", L["plan"], (
            field("resolver", text(F.PLAN_RESOLVER)),
            # the plan's due as it stands: an approved extension moved it (R-DL-2)
            field("due", _day_or_time(get(data, F.PLAN_DUE), tz) if case.plan_due == case.plan.due
                  else _when(case.plan_due, tz)),
            field("measures", text(F.PLAN_MEASURES), wide=True),
        )),
        Section("handling", L["handling"], (
            field("resolved_at", when(get(data, F.RESOLUTION_AT))),
            field("resolved_by", text(F.RESOLUTION_BY)),
            field("outcome", vocab("outcomes", F.RESOLUTION_OUTCOME)),
            field("compensation", number(get(data, F.RESOLUTION_COMPENSATION))),
            field("responsible", text(F.RESOLUTION_RESPONSIBLE)),
            field("share", f"{share * 100:g}%" if isinstance(share, int | float) else ""),
            field("loss", number(get(data, F.RESOLUTION_LOSS))),
            field("summary", text(F.RESOLUTION_SUMMARY), wide=True),
        )),
        Section("revisit", L["revisit"], (
            field("revisited_at", when(get(data, F.REVISIT_AT))),
            field("revisited_by", text(F.REVISIT_BY)),
            field("satisfaction", satisfaction.get(text(F.REVISIT_SATISFACTION), text(F.REVISIT_SATISFACTION))),
            field("confirmed", yes_no(get(data, F.REVISIT_CONFIRMED_BY_CUSTOMER))),
            field("comment", text(F.REVISIT_COMMENT), wide=True),
        )),
        Section("closing", L["closing"], (
            field("closed_at", when(get(data, F.CLOSING_AT))),
            field("closed_by", text(F.CLOSING_BY)),
            field("late_reason", text(F.CLOSING_LATE_REASON)),  # R-DL-7: a late close says why
            field("root_cause", text(F.CLOSING_ROOT_CAUSE), wide=True),
            field("preventive_action", text(F.CLOSING_PREVENTIVE_ACTION), wide=True),
            field("lesson", text(F.CLOSING_LESSON), wide=True),
        )),
    ]
    states = labels.words(lang, labels.CLOCK_STATES)
    clock_rows = tuple(ClockRow(labels.label(lang, v.clock), when(v.due), when(v.done), states.get(v.state, v.state),
                                v.left) for v in clock_views)
    statuses, actions = labels.words(lang, labels.STATUSES), labels.words(lang, labels.ACTIONS)
    steps = []
    for e in data.get("timeline") or []:
        if not isinstance(e, Mapping):
            continue
        src, dst = e.get("from"), e.get("to")
        to = statuses.get(str(dst), str(dst)) if dst else ""
        moved = f"{statuses.get(str(src), src)} → {to}" if src and dst else to
        steps.append(Step(when(e.get("at")), str(e.get("by") or ""), actions.get(str(e.get("action")),
                          str(e.get("action") or "")), moved, _step_note(e, policy, L, sep, satisfaction)))
    closer = text(F.CLOSING_BY) or (text(F.ASSESSMENT_DECIDED_BY) if invalid else "")
    signatures = (
        Signature("receiver", L["sign_receiver"], text(F.INTAKE_FIRST_RECEIVER)),
        Signature("handler", L["sign_handler"], text(F.ROUTING_HANDLER) or text(F.RESOLUTION_BY)),
        Signature("head", L["sign_head"], ""),
        Signature("customer", L["sign_customer"], text(F.INTAKE_COMPLAINANT_NAME)),
        Signature("closer", L["sign_closer"], closer),
    )
    status = str(data.get("status") or "")
    return Form(lang, policy.name, L["title"], str(data.get("id") or ""), statuses.get(status, status),
                now.astimezone(tz).strftime("%Y-%m-%d %H:%M"), tuple(sections), clock_rows, tuple(steps),
                signatures, L)


def _step_note(e: Mapping[str, Any], policy: Policy, L: Mapping[str, str], sep: str,  # noqa: N803
               satisfaction: Mapping[str, str]) -> str:
    """What a step recorded, in words: the intake's channel, a dispatch's handler and unit, a
    plan's measures, a resolution's outcome, … then the note."""
    note = str(e.get("note") or "").strip()
    if e.get("action") == "received":
        return policy.label("channels", note) if note else ""
    tz = policy.tz
    shown: dict[str, Callable[[Any], str]] = {
        "handler": str, "unit": lambda v: policy.label("units", str(v)), "resolver": str, "measures": str,
        "due": lambda v: _day_or_time(v, tz), "outcome": lambda v: policy.label("outcomes", str(v)), "summary": str,
        "satisfaction": lambda v: satisfaction.get(str(v), str(v)), "root_cause": str,
        "clock": lambda v: labels.label(policy.language, str(v)), "until": lambda v: _when(v, tz)}
    bits = [f"{L[key]}{sep}{how(e[key])}" for key, how in shown.items() if e.get(key) not in (None, "", [])]
    if e.get("level"):
        bits.append(f"{L['escalation']}{sep}{L.get('role_' + str(e['level']), str(e['level']))}")
    if note:
        bits.append(note)
    return ("；" if policy.language == "zh" else "; ").join(bits)


def _when(value: Any, tz: tzinfo) -> str:
    """A moment as the office reads it: local time to the minute (as `show` prints it)."""
    moment = as_datetime(value, tz) if value else None
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day_or_time(value: Any, tz: tzinfo) -> str:
    """plan.due: a date stands for the whole day (R-IN-4) and is printed as the date."""
    return str(value) if isinstance(value, str) and len(value) == 10 else _when(value, tz)


def _source(data: Mapping[str, Any]) -> str:
    src = get(data, F.INTAKE_SOURCE)
    if not isinstance(src, Mapping):
        return ""
    where = src.get("message_id") or src.get("key") or src.get("row") or ""
    return f"{src.get('file')} ({where})" if where else str(src.get("file") or "")


def render(form: Form, office_root: Path | None = None) -> str:
    """The form as one self-contained HTML page (A4 when printed)."""
    env = sandbox.environment(office_root, TEMPLATE_FOLDER)
    return sandbox.render(env, TEMPLATE_FOLDER, TEMPLATE, f=form, L=form.labels)


def format_for(out: Path | None, fmt: str | None) -> str:
    """html or pdf: `--format`, else the output file's suffix, else html."""
    suffix = out.suffix.lower().lstrip(".") if out is not None and str(out) != "-" else ""
    if fmt is not None and suffix and suffix != fmt and suffix in FORMATS:
        raise BadValue(_("--out {file} does not end in .{format} (--format {format})").format(file=out, format=fmt))
    if fmt is not None:
        return fmt
    if suffix in FORMATS:
        return suffix
    if suffix:
        raise BadValue(_("--out {file}: give a file ending in .html or .pdf, or --format").format(file=out))
    return "html"


def write(html: str, out: Path, fmt: str) -> None:
    """Save the rendered form: the HTML itself, or Chromium's print of it to PDF."""
    with tempfile.TemporaryDirectory(prefix="complaintctl-form-") as tmp:
        if fmt == "html":
            data = html.encode("utf-8")
        else:
            page, pdf = Path(tmp) / "form.html", Path(tmp) / "form.pdf"
            page.write_text(html, encoding="utf-8")
            browser.print_pdf(page, pdf)
            data = pdf.read_bytes()
        try:
            write_bytes_atomic(out, data)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise  # the command line's own message for a full disk
            raise InvalidInput(_("{file}: cannot write: {error}").format(file=out, error=exc.strerror or exc)) \
                from None
