"""`complaintctl new`: record a complaint (R-IN-1), prompting in a terminal for what is missing."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws, report, result_json
from complaintctl.commands.params import check_text
from complaintctl.errors import InvalidInput
from complaintctl.handling import lifecycle, steps
from complaintctl.model.timeparse import parse_when
from complaintctl.policy.authority import matching_incidents
from complaintctl.repo.workspace import Workspace

# option name -> (prompt, policy vocabulary or None)
REQUIRED: dict[str, tuple[str, str | None]] = {
    "channel": ("Channel", "channels"),
    "name": ("Complainant name", None),
    "contact": ("Contact (phone/email)", None),
    "complainant_class": ("Complainant class", "complainant_classes"),
    "category": ("Category", "categories"),
    "subject": ("Subject", None),
    "details": ("Details", None),
}


def _complete(ws: Workspace, values: dict[str, Any], interactive: bool) -> None:
    for key, (prompt, vocab) in REQUIRED.items():
        options: Mapping[str, Any] = getattr(ws.policy, vocab) if vocab else {}
        if not values.get(key):
            flag = "--" + key.replace("_", "-")
            if not interactive:
                raise InvalidInput(f"{flag} is required (R-IN-1); run in a terminal to be asked for it")
            choice = click.Choice(list(options)) if options else None
            values[key] = check_text(click.prompt(prompt, type=choice), key)
        if options and values[key] not in options:
            flag = "--" + key.replace("_", "-")
            raise InvalidInput(f"{flag}: {values[key]!r} is not in the policy's {vocab} "
                               f"({', '.join(options)})")


def stdin_is_terminal() -> bool:
    """Whether `new` may prompt; a seam so tests can drive the prompts."""
    return sys.stdin.isatty()


@click.command("new")
@click.option("--channel", help="How it came in (policy channels, R-DEF-4).")
@click.option("--name", help="Complainant's name.")
@click.option("--contact", help="Phone or email.")
@click.option("--complainant-class", help="Owner, tenant, supplier… (policy, R-DEF-2).")
@click.option("--category", help="Content category (policy, R-DEF-3).")
@click.option("--subject", help="One line: what the complaint is about.")
@click.option("--details", help="The complaint in the customer's words.")
@click.option("--severity", default="general", show_default=True, help="general or major (R-AS-2).")
@click.option("--location", default="", help="Where the matter is (building, unit, room).")
@click.option("--address", default="", help="Complainant's address.")
@click.option("--received-at", help="When it was received (default: now).")
@click.option("--first-receiver", default="", help="Who took it first (default: you, R-IN-2).")
@click.option("--accused", default="", help="The person complained about (R-RT-3).")
@click.option("--accused-unit", default="", help="The unit complained about.")
@click.option("--material", "materials", multiple=True, help="An original material kept (repeatable).")
@click.option("--incident", help="Record it as this incident kind (policy incidents, R-AS-3).")
@click.option("--no-incident", is_flag=True, help="It reads like an incident but is none (R-AS-3).")
@json_option
@pass_ws
def new_cmd(ws: Workspace, as_json: bool, **opts: Any) -> None:
    """Record a new complaint and commit it."""
    _complete(ws, opts, interactive=stdin_is_terminal())
    if opts["severity"] not in ws.policy.severities:
        raise InvalidInput(f"--severity: {opts['severity']!r} is not one of {', '.join(ws.policy.severities)}")
    moment = now(ws)
    received = parse_when(opts["received_at"], ws.policy.tz, "--received-at") if opts["received_at"] else moment
    intake = lifecycle.Intake(
        channel=opts["channel"], name=opts["name"], contact=str(opts["contact"]),
        complainant_class=opts["complainant_class"], category=opts["category"],
        subject=opts["subject"], details=opts["details"], received_at=received,
        severity=opts["severity"], location=opts["location"], address=opts["address"],
        first_receiver=opts["first_receiver"], accused_person=opts["accused"],
        accused_unit=opts["accused_unit"], materials=tuple(opts["materials"]),
    )
    kind, declined = opts["incident"], opts["no_incident"]
    hits = matching_incidents(ws.policy.authority.incidents, intake.subject, intake.details)
    if hits and kind is None and not declined and stdin_is_terminal():
        first = hits[0]
        label = first.text(ws.policy.language)
        if click.confirm(f"This reads as an incident ({label}, {first.severity}, R-AS-3): record it as one?",
                         default=True):
            kind = first.key
        else:
            declined = True
    intake = steps.incident_choice(ws.policy, intake, kind, declined)
    result, repeats = lifecycle.receive(ws, intake, moment, actor(ws))
    if as_json:  # the notes below still go to stderr
        from complaintctl.output import as_json as json_text

        click.echo(json_text({**result_json(result), "severity": intake.severity, "incident": intake.incident or None,
                              "repeat_of": [{"id": m.id, "reason": m.reason} for m in repeats]}))
    else:
        report(result)
    if intake.incident and intake.incident != "none" and kind is None:
        click.echo(f"note: recorded as incident {intake.incident} ({intake.severity}, R-AS-3); "
                   "`--no-incident` declines it", err=True)
    if repeats:  # after the ID line, which scripts read first
        listed = ", ".join(f"{m.id} ({m.reason})" for m in repeats)
        click.echo(f"warning: looks like a repeat complaint (R-AS-5): {listed}", err=True)
