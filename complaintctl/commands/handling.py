"""Moving a case along: assign, plan, note, wait, resume, resolve, revisit, close, reopen, invalid, vouch, edit."""

from __future__ import annotations

import click

from complaintctl.commands.common import actor, late_options, now, pass_ws, report, step_json, when
from complaintctl.commands.params import AMOUNT, SHARE, VocabularyOption
from complaintctl.handling import editing, lifecycle
from complaintctl.i18n import _
from complaintctl.model.timeparse import parse_day_or_when
from complaintctl.repo.workspace import Workspace

case_arg = click.argument("case_id", metavar="ID")


@click.command("assign")
@case_arg
@click.option("--handler", required=True, help="Who handles the case (R-RT-2).")
@click.option("--unit", cls=VocabularyOption, vocabulary="units",
              help="Responsible unit (default: the category's, R-RT-1).")
@click.option("--copy", "copied", multiple=True, help="A head to copy (major cases, R-RT-2).")
@step_json
@pass_ws
def assign_cmd(ws: Workspace, case_id: str, handler: str, unit: str | None, copied: tuple[str, ...]) -> None:
    """Dispatch the case to a unit and handler."""
    report(lifecycle.assign(ws, case_id, handler, unit, copied, now(ws), actor(ws)))


@click.command("plan")
@case_arg
@click.option("--resolver", required=True, help="Who resolves it (R-IN-4).")
@click.option("--measures", required=True, help="What will be done.")
@click.option("--due", required=True, help="Time limit: a date or date and time.")
@step_json
@pass_ws
def plan_cmd(ws: Workspace, case_id: str, resolver: str, measures: str, due: str) -> None:
    """Record the handling plan; the case goes in progress."""
    when = parse_day_or_when(due, ws.policy.tz, "--due")
    report(lifecycle.plan(ws, case_id, resolver, measures, when, now(ws), actor(ws)))


@click.command("note")
@case_arg
@click.argument("text")
@click.option("--contact", is_flag=True, help="This note records a contact with the customer (R-RT-4).")
@late_options
@step_json
@pass_ws
def note_cmd(ws: Workspace, case_id: str, text: str, contact: bool, at_text: str | None, late_reason: str) -> None:
    """Add a note or a customer contact to the timeline."""
    report(lifecycle.note(ws, case_id, text, contact, now(ws), actor(ws), late_reason, when(ws, at_text)))


@click.command("wait")
@case_arg
@click.option("--reason", required=True, help="What the case waits for (e.g. the customer).")
@step_json
@pass_ws
def wait_cmd(ws: Workspace, case_id: str, reason: str) -> None:
    """Pause the case while waiting on the customer or a third party."""
    report(lifecycle.wait(ws, case_id, reason, now(ws), actor(ws)))


@click.command("resume")
@case_arg
@click.option("--note", "text", default="", help="What came back.")
@step_json
@pass_ws
def resume_cmd(ws: Workspace, case_id: str, text: str) -> None:
    """Resume a waiting case."""
    report(lifecycle.resume(ws, case_id, text, now(ws), actor(ws)))


@click.command("resolve")
@case_arg
@click.option("--outcome", required=True, cls=VocabularyOption, vocabulary="outcomes",
              help="What was done (R-CL-2).")
@click.option("--summary", required=True, help="What was done.")
@click.option("--compensation", type=AMOUNT, help="Amount paid or waived (≥ 0, R-CL-2).")
@click.option("--responsible", default="", help="Responsible unit or person.")
@click.option("--share", type=SHARE, help="Their share of responsibility (0-1, R-CL-2).")
@click.option("--loss", type=AMOUNT, help="Loss amount (≥ 0, R-CL-2).")
@late_options
@step_json
@pass_ws
def resolve_cmd(ws: Workspace, case_id: str, outcome: str, summary: str, compensation: float | None,
                responsible: str, share: float | None, loss: float | None, at_text: str | None,
                late_reason: str) -> None:
    """Record the resolution."""
    report(lifecycle.resolve(ws, case_id, outcome, summary, now(ws), actor(ws), compensation,
                             responsible, share, loss, late_reason, when(ws, at_text)))


@click.command("revisit")
@case_arg
@click.option("--satisfaction", required=True, cls=VocabularyOption, vocabulary="satisfaction",
              help="The customer's verdict (R-CL-1).")
@click.option("--comment", default="", help="What the customer said.")
@click.option("--confirmed", is_flag=True, help="The customer confirmed the record (R-CL-4).")
@step_json
@pass_ws
def revisit_cmd(ws: Workspace, case_id: str, satisfaction: str, comment: str, confirmed: bool) -> None:
    """Record the revisit; a dissatisfied customer reopens the case (R-CL-1)."""
    report(lifecycle.revisit(ws, case_id, satisfaction, comment, confirmed, now(ws), actor(ws)))


@click.command("close")
@case_arg
@click.option("--root-cause", required=True, help="Why it happened.")
@click.option("--lesson", default="", help="What the office learns (bulletins, R-RP-3).")
@click.option("--preventive-action", default="", help="Procedure or training to create (R-RT-6).")
@click.option("--late-reason", default="", help="Why it closes late (R-DL-7).")
@step_json
@pass_ws
def close_cmd(ws: Workspace, case_id: str, root_cause: str, lesson: str, preventive_action: str,
              late_reason: str) -> None:
    """Close a resolved, revisited case."""
    report(lifecycle.close(ws, case_id, root_cause, lesson, preventive_action, late_reason,
                           now(ws), actor(ws)))


@click.command("reopen")
@case_arg
@click.option("--reason", required=True, help="Why it is reopened (e.g. the customer is dissatisfied, R-CL-1).")
@step_json
@pass_ws
def reopen_cmd(ws: Workspace, case_id: str, reason: str) -> None:
    """Reopen a resolved or closed case."""
    report(lifecycle.reopen(ws, case_id, reason, now(ws), actor(ws)))


@click.command("vouch")
@case_arg
@click.option("--action", "action", default="resolve", show_default=True,
              help="The step vouched for: the case's last entry of this action.")
@click.option("--reason", required=True, help="Why it really was done when it says (e.g. the office was offline).")
@step_json
@pass_ws
def vouch_cmd(ws: Workspace, case_id: str, action: str, reason: str) -> None:
    """Vouch that a step the record saw late was done on time (approvals.late)."""
    report(lifecycle.vouch_late(ws, case_id, action, reason, now(ws), actor(ws)))


@click.command("invalid")
@case_arg
@click.option("--reason", required=True, type=click.Choice(lifecycle.INVALID_REASONS),
              help="Why it is invalid (R-AS-1).")
@click.option("--reply", required=True, help="The reasoned reply given to the customer (R-AS-1).")
@step_json
@pass_ws
def invalid_cmd(ws: Workspace, case_id: str, reason: str, reply: str) -> None:
    """Declare the complaint invalid (final)."""
    report(lifecycle.mark_invalid(ws, case_id, reason, reply, now(ws), actor(ws)))


@click.command("edit")
@case_arg
@step_json
@pass_ws
def edit_cmd(ws: Workspace, case_id: str) -> None:
    """Edit the case file in $EDITOR; it is validated and committed."""
    text = editing.current_text(ws, case_id)
    edited = click.edit(text, extension=".yaml", require_save=True)
    if edited is None or edited == text:
        click.echo(_("{id}: no change").format(id=case_id))
        return
    report(editing.apply_edit(ws, case_id, edited, now(ws), actor(ws)))
