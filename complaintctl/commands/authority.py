"""Authorised corrections and approvals (docs/authority.md): `correct`, `approve`."""

from __future__ import annotations

from typing import Any

import click

from complaintctl.commands.common import actor, now, pass_ws, report, step_json
from complaintctl.commands.params import AMOUNT, vocabulary_key
from complaintctl.errors import InvalidInput
from complaintctl.handling import lifecycle
from complaintctl.model.case import stamp
from complaintctl.model.ids import parse_case_id
from complaintctl.model.timeparse import parse_when
from complaintctl.policy.policy import Policy
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.effects import CORRECTABLE

case_arg = click.argument("case_id", metavar="ID")
_VOCABULARY = {"assessment.category": "categories", "assessment.severity": "severities",
               "intake.complainant.class": "complainant_classes", "intake.channel": "channels"}


def parse_value(policy: Policy, field: str, text: str) -> Any:
    """The typed value a correction records, checked against the policy's vocabularies."""
    raw = text.strip()
    if field in _VOCABULARY:  # the key or its label in either language, as every vocabulary option
        return vocabulary_key(policy, _VOCABULARY[field], raw, "value")
    if field == "intake.received_at":
        return stamp(parse_when(raw, policy.tz, "--value"))
    if field == "assessment.repeat_of":
        return [str(parse_case_id(x)) for x in raw.replace(",", " ").split()]
    if field == "intake.first_receiver" and not raw:
        raise InvalidInput("--value: R-IN-2: the first receiver is a person")
    return raw or None


@click.command("correct")
@case_arg
@click.option("--field", required=True, type=click.Choice(list(CORRECTABLE)), help="The field to correct.")
@click.option("--value", required=True, help="Its right value ('' clears accused or repeat links).")
@click.option("--reason", required=True, help="Why it was wrong (recorded in the timeline).")
@step_json
@pass_ws
def correct_cmd(ws: Workspace, case_id: str, field: str, value: str, reason: str) -> None:
    """Correct a field rules depend on, as the policy allows (approvals: correct, lower-severity, accused)."""
    report(lifecycle.correct(ws, case_id, field, parse_value(ws.policy, field, value), reason, now(ws), actor(ws)))


@click.command("approve")
@case_arg
@click.option("--compensation", required=True, type=AMOUNT, help="The amount approved (R-ES-2).")
@click.option("--reason", required=True, help="Why (recorded in the timeline).")
@step_json
@pass_ws
def approve_cmd(ws: Workspace, case_id: str, compensation: float, reason: str) -> None:
    """Approve compensation above the handler's limit, within your own (R-ES-2)."""
    report(lifecycle.approve(ws, case_id, compensation, reason, now(ws), actor(ws)))
