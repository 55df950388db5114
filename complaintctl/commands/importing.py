"""`complaintctl import`: complaints from spreadsheets and e-mail (issue 14 §2-3)."""

from __future__ import annotations

from pathlib import Path

import click

from complaintctl.commands.common import actor, now, pass_ws
from complaintctl.commands.intake import stdin_is_terminal
from complaintctl.commands.params import VocabularyOption
from complaintctl.errors import ComplaintError
from complaintctl.handling import imports
from complaintctl.output import clip, table
from complaintctl.repo.workspace import Workspace


def _ask(where: str, prompt: str, choices: list[str]) -> str:
    click.echo(f"{where}:", err=True)
    return str(click.prompt(prompt, type=click.Choice(choices) if choices else str, err=True))


def _state(c: imports.Candidate) -> str:
    if c.problems:
        return "BAD"
    return f"exists {c.existing}" if c.existing else "new"


@click.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--mapping", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="YAML `column header: field` for a spreadsheet (default: the columns `export --xlsx` writes).")
@click.option("--yes", is_flag=True, help="Commit without asking (required when not in a terminal).")
@click.option("--dry-run", is_flag=True, help="Show what would be imported; commit nothing.")
@click.option("--channel", default="", cls=VocabularyOption, vocabulary="channels",
              help="Channel when the source gives none (e-mail: email).")
@click.option("--complainant-class", default="", cls=VocabularyOption, vocabulary="complainant_classes",
              help="Complainant class when the source gives none (R-DEF-2).")
@click.option("--category", default="", cls=VocabularyOption, vocabulary="categories",
              help="Category when the source gives none (R-DEF-3).")
@click.option("--severity", default="", cls=VocabularyOption, vocabulary="severities",
              help="Severity when the source gives none (default general).")
@click.option("--skip-disallowed", is_flag=True,
              help="Record an attachment over the policy's materials limits by name only, instead of refusing.")
@pass_ws
def import_cmd(ws: Workspace, sources: tuple[Path, ...], mapping: Path | None, yes: bool, dry_run: bool,
               channel: str, complainant_class: str, category: str, severity: str, skip_disallowed: bool) -> None:
    """Record complaints from an .xlsx/.csv register, an .eml, an mbox or a Maildir: one commit per source."""
    from complaintctl.handling import import_mail, import_table  # heavy readers load only here

    interactive = stdin_is_terminal()
    moment, who = now(ws), actor(ws)
    defaults = imports.Defaults(channel, complainant_class, category, severity)
    columns = import_table.load_mapping(mapping)
    records = imports.load_records(ws)
    refused = 0
    for path in sources:
        if imports.source_kind(path) == "table":
            plan = import_table.plan(path, columns, ws.policy, defaults, moment)
        else:
            plan = import_mail.plan(path, ws.policy, defaults, moment, _ask if interactive else None,
                                    skip_disallowed)
        plan = imports.settle(ws, plan, records)
        rows = [[c.where, _state(c), c.intake.received_at.strftime("%Y-%m-%d %H:%M") if c.intake else "",
                 clip(c.intake.name, 12) if c.intake else "", c.intake.category if c.intake else "",
                 clip(c.intake.subject, 30) if c.intake else "", len(c.files) or ""] for c in plan.candidates]
        if rows:
            click.echo(table(rows, ["from", "state", "received", "complainant", "category", "subject", "files"]))
        for c in plan.candidates:
            for note in c.notes:
                click.echo(f"note: {c.where}: {note}", err=True)
        if plan.bad:
            click.echo(f"error: {path}: nothing imported — {len(plan.bad)} problem(s):", err=True)
            for line in plan.bad:
                click.echo(f"  {line}", err=True)
            refused += 1
            continue
        todo = plan.new
        if not todo:
            click.echo(f"{path.name}: nothing new to import")
            continue
        if dry_run:
            click.echo(f"{path.name}: {len(todo)} case(s) would be imported (dry run)")
            continue
        if not yes:
            if not interactive:
                click.echo(f"{path.name}: nothing committed — give --yes to import {len(todo)} case(s)", err=True)
                continue
            if not click.confirm(f"Import {len(todo)} case(s) from {path.name}?", default=False):
                continue
        results = imports.commit(ws, plan, moment, who)
        click.echo(f"{path.name}: imported {len(results)} case(s) {results[0].case_id} … {results[-1].case_id}, "
                   f"commit {results[0].commit[:10]}")
        records = imports.load_records(ws)
    if refused:
        raise ComplaintError(f"{refused} source(s) not imported (each problem is listed above)")
