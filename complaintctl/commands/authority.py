"""Authorised corrections and approvals (docs/authority.md): `correct`, `approve`."""

from __future__ import annotations

import click

from complaintctl.commands.common import actor, now, pass_ws, report, step_json
from complaintctl.commands.params import AMOUNT
from complaintctl.handling import lifecycle, steps
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.effects import CORRECTABLE

case_arg = click.argument("case_id", metavar="ID")


@click.command("correct")
@case_arg
@click.option("--field", required=True, type=click.Choice(list(CORRECTABLE)), help="The field to correct.")
@click.option("--value", required=True, help="Its right value ('' clears accused or repeat links).")
@click.option("--reason", required=True, help="Why it was wrong (recorded in the timeline).")
@step_json
@pass_ws
def correct_cmd(ws: Workspace, case_id: str, field: str, value: str, reason: str) -> None:
    """Correct a field rules depend on, as the policy allows (approvals: correct, lower-severity, accused)."""
    typed = steps.correction_value(ws.policy, field, value)
    report(lifecycle.correct(ws, case_id, field, typed, reason, now(ws), actor(ws)))


@click.command("approve")
@case_arg
@click.option("--compensation", required=True, type=AMOUNT, help="The amount approved (R-ES-2).")
@click.option("--reason", required=True, help="Why (recorded in the timeline).")
@step_json
@pass_ws
def approve_cmd(ws: Workspace, case_id: str, compensation: float, reason: str) -> None:
    """Approve compensation above the handler's limit, within your own (R-ES-2)."""
    report(lifecycle.approve(ws, case_id, compensation, reason, now(ws), actor(ws)))
