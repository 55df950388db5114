"""`complaintctl new`: record a complaint (R-IN-1), prompting in a terminal for what is missing."""

from __future__ import annotations

import sys
from typing import Any

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws, report, result_json
from complaintctl.commands.params import VocabularyOption, check_text, vocabulary_key
from complaintctl.errors import BadValue, InvalidInput
from complaintctl.handling import lifecycle, steps
from complaintctl.i18n import N_, _
from complaintctl.model.timeparse import parse_when
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.intake import anonymous_refused, contact_problem

# option name -> (prompt, policy vocabulary or None)
REQUIRED: dict[str, tuple[str, str | None]] = {
    "channel": (N_("Channel"), "channels"),
    "name": (N_("Complainant name"), None),
    "contact": (N_("Contact (phone/email)"), None),
    "complainant_class": (N_("Complainant class"), "complainant_classes"),
    "category": (N_("Category"), "categories"),
    "subject": (N_("Subject"), None),
    "details": (N_("Details"), None),
}


# R-AS-5: why an earlier case looks like this one (reporting.knowledge), in the office's words
REPEAT_REASONS = {"same-contact": N_("same contact"), "same-name": N_("same name"),
                  "similar-subject": N_("similar subject")}
ANONYMOUS_OMITS = frozenset({"name", "contact"})


def _anonymity(ws: Workspace, values: dict[str, Any], interactive: bool) -> None:
    """R-IN-1: a name and a contact that reaches the customer, or, where the policy takes
    them, an explicit anonymous complaint with its reason and neither."""
    if not values["anonymous"]:
        if values.get("anonymous_reason"):
            raise BadValue(_("--anonymous-reason goes with --anonymous"))
        if (values.get("contact") or "").strip() and (problem := contact_problem(values["contact"])) is not None:
            raise BadValue(f"--contact: R-IN-1: {problem}")
        return
    if not ws.policy.anonymous:
        raise InvalidInput(anonymous_refused())
    given = [f"--{k}" for k in sorted(ANONYMOUS_OMITS) if values.get(k)]
    if given:
        raise BadValue(_("{options}: an anonymous complaint records no name and no contact (R-IN-1)").format(
            options=", ".join(given)))
    if not (values.get("anonymous_reason") or "").strip():
        if not interactive:
            raise BadValue(_("--anonymous-reason is required with --anonymous (R-IN-1): why the complainant gave "
                             "no name or contact"))
        values["anonymous_reason"] = check_text(click.prompt(_("Why anonymous (R-IN-1)?")), "anonymous_reason")


def _complete(ws: Workspace, values: dict[str, Any], interactive: bool) -> None:
    """Ask in a terminal for each missing field, in the office's language; a vocabulary answer
    may be the key or its label in either language (`电话`, `Phone`, `phone`), and the question
    is asked again, listing the choices, until it is one."""
    for key, (prompt, vocab) in REQUIRED.items():
        if values.get(key) or (values.get("anonymous") and key in ANONYMOUS_OMITS):
            continue  # given as an option (pass_ws has resolved it already), or anonymous
        flag = "--" + key.replace("_", "-")
        if not interactive:
            raise InvalidInput(_("{option} is required (R-IN-1); run in a terminal to be asked for it").format(
                option=flag))
        if vocab is None:
            values[key] = check_text(click.prompt(_(prompt)), key)
            while key == "contact" and (problem := contact_problem(values[key])) is not None:
                click.echo(_("error: {message}").format(message=problem), err=True)
                values[key] = check_text(click.prompt(_(prompt)), key)
            continue
        shown = ws.policy.labels(vocab)
        question = f"{_(prompt)} ({' / '.join(shown.values())})"

        while True:
            try:
                values[key] = vocabulary_key(ws.policy, vocab, check_text(click.prompt(question), key), key)
                break
            except BadValue as exc:  # said in the office's language; the question comes again
                click.echo(_("error: {message}").format(message=exc), err=True)


def stdin_is_terminal() -> bool:
    """Whether `new` may prompt; a seam so tests can drive the prompts."""
    return sys.stdin.isatty()


@click.command("new")
@click.option("--channel", cls=VocabularyOption, vocabulary="channels", help="How it came in (R-DEF-4).")
@click.option("--name", help="Complainant's name.")
@click.option("--contact", help="A phone number (mobile, or landline with its area code) or an e-mail (R-IN-1).")
@click.option("--anonymous", is_flag=True,
              help="No name, no contact (only where the policy says `anonymous: true`; with --anonymous-reason).")
@click.option("--anonymous-reason", default="", help="Why the complainant gave no name or contact (R-IN-1).")
@click.option("--complainant-class", cls=VocabularyOption, vocabulary="complainant_classes",
              help="Owner, tenant, supplier… (R-DEF-2).")
@click.option("--category", cls=VocabularyOption, vocabulary="categories", help="Content category (R-DEF-3).")
@click.option("--subject", help="One line: what the complaint is about.")
@click.option("--details", help="The complaint in the customer's words.")
@click.option("--severity", default="general", show_default=True, cls=VocabularyOption, vocabulary="severities",
              help="How serious (R-AS-2).")
@click.option("--location", default="", help="Where the matter is (building, unit, room).")
@click.option("--address", default="", help="Complainant's address.")
@click.option("--received-at", help="When it was received (default: now).")
@click.option("--first-receiver", default="", help="Who took it first (default: you, R-IN-2).")
@click.option("--accused", default="", help="The person complained about (R-RT-3).")
@click.option("--accused-unit", default="", cls=VocabularyOption, vocabulary="units",
              help="The unit complained about.")
@click.option("--material", "materials", multiple=True, help="An original material kept (repeatable).")
@click.option("--incident", help="Record it as this incident kind (policy incidents, R-AS-3).")
@click.option("--no-incident", is_flag=True,
              help="It reads like an incident but is none (R-AS-3; approvals.decline-incident, with --reason).")
@click.option("--reason", default="", help="Why it is not an incident (with --no-incident, R-AS-3).")
@json_option
@pass_ws
def new_cmd(ws: Workspace, as_json: bool, **opts: Any) -> None:
    """Record a new complaint and commit it."""
    _anonymity(ws, opts, interactive=stdin_is_terminal())
    _complete(ws, opts, interactive=stdin_is_terminal())
    moment = now(ws)
    received = parse_when(opts["received_at"], ws.policy.tz, "--received-at") if opts["received_at"] else moment
    intake = lifecycle.Intake(
        channel=opts["channel"], name=opts["name"] or "", contact=str(opts["contact"] or ""),
        complainant_class=opts["complainant_class"], category=opts["category"],
        subject=opts["subject"], details=opts["details"], received_at=received,
        severity=opts["severity"], location=opts["location"], address=opts["address"],
        first_receiver=opts["first_receiver"], accused_person=opts["accused"],
        accused_unit=opts["accused_unit"], materials=tuple(opts["materials"]),
        anonymous=opts["anonymous"], anonymous_reason=opts["anonymous_reason"],
    )
    kind, declined = opts["incident"], opts["no_incident"]
    first = steps.suggested_incident(ws.policy, intake) if kind is None and not declined else None
    if first is not None and stdin_is_terminal():
        label = first.text(ws.policy.language)
        severity = ws.policy.label("severities", first.severity)
        if click.confirm(_("This reads as an incident ({label}, {severity}, R-AS-3): record it as one?").format(
                label=label, severity=severity), default=True):
            kind = first.key
        else:
            declined = True
            opts["reason"] = opts["reason"] or click.prompt(_("Why is it not an incident (R-AS-3)?"))
    intake = steps.incident_choice(ws.policy, intake, kind, declined, opts["reason"])
    result, repeats = lifecycle.receive(ws, intake, moment, actor(ws))
    if as_json:  # the notes below still go to stderr
        from complaintctl.output import as_json as json_text

        click.echo(json_text({**result_json(result), "severity": intake.severity, "incident": intake.incident or None,
                              "repeat_of": [{"id": m.id, "reason": m.reason} for m in repeats]}))
    else:
        report(result)
    if intake.incident and intake.incident != "none" and kind is None:
        click.echo(_("note: recorded as incident {incident} ({severity}, R-AS-3); `--no-incident` declines "
                     "it").format(incident=intake.incident, severity=intake.severity), err=True)
    if repeats:  # after the ID line, which scripts read first
        listed = ", ".join(f"{m.id} ({_(REPEAT_REASONS.get(m.reason, m.reason))})" for m in repeats)
        click.echo(_("warning: looks like a repeat complaint (R-AS-5): {cases}").format(cases=listed), err=True)
