"""`complaintctl import`: complaints from spreadsheets and e-mail (issue 14 §2-3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws, screen_width
from complaintctl.commands.intake import stdin_is_terminal
from complaintctl.commands.params import VocabularyOption
from complaintctl.errors import ComplaintError
from complaintctl.handling import imports
from complaintctl.output import FIXED, Col, table
from complaintctl.repo.workspace import Workspace


def _ask(where: str, prompt: str, choices: list[str]) -> str:
    click.echo(f"{where}:", err=True)
    return str(click.prompt(prompt, type=click.Choice(choices) if choices else str, err=True))


COLS = (Col(shrink=16), FIXED, FIXED, Col(shrink=8, drop=2), Col(drop=1), Col(shrink=16, main=True), Col(drop=3))


def _candidate_json(c: imports.Candidate) -> dict[str, Any]:
    i = c.intake
    return {"from": c.where, "state": "bad" if c.problems else "exists" if c.existing else "new",
            "existing": c.existing or None, "received_at": i.received_at.isoformat() if i else None,
            "complainant": i.name if i else None, "category": i.category if i else None,
            "subject": i.subject if i else None, "files": [name for name, _ in c.files],
            "problems": list(c.problems), "notes": list(c.notes)}


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
@json_option
@pass_ws
def import_cmd(ws: Workspace, sources: tuple[Path, ...], mapping: Path | None, yes: bool, dry_run: bool,
               channel: str, complainant_class: str, category: str, severity: str, skip_disallowed: bool,
               as_json: bool) -> None:
    """Record complaints from an .xlsx/.csv register, an .eml, an mbox or a Maildir: one commit per source."""
    from complaintctl.handling import import_mail, import_table  # heavy readers load only here

    interactive = stdin_is_terminal()
    moment, who = now(ws), actor(ws)
    defaults = imports.Defaults(channel, complainant_class, category, severity)
    columns = import_table.load_mapping(mapping)
    records = imports.load_records(ws)
    refused = 0
    out: list[dict[str, Any]] = []  # --json: one entry per source
    say = (lambda text, err=False: None) if as_json else (lambda text, err=False: click.echo(text, err=err))
    for path in sources:
        if imports.source_kind(path) == "table":
            plan = import_table.plan(path, columns, ws.policy, defaults, moment)
        else:
            plan = import_mail.plan(path, ws.policy, defaults, moment, _ask if interactive else None,
                                    skip_disallowed)
        plan = imports.settle(ws, plan, records)
        entry: dict[str, Any] = {"source": str(path), "candidates": [_candidate_json(c) for c in plan.candidates],
                                 "problems": plan.bad, "imported": [], "commit": None}
        out.append(entry)
        tz = ws.policy.tz
        rows = [[c.where, _state(c), c.intake.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if c.intake else "",
                 c.intake.name if c.intake else "", c.intake.category if c.intake else "",
                 c.intake.subject if c.intake else "", len(c.files) or ""] for c in plan.candidates]
        if rows:
            say(table(rows, ["from", "state", "received", "complainant", "category", "subject", "files"],
                      screen_width(), COLS))
        for c in plan.candidates:
            for note in c.notes:
                say(f"note: {c.where}: {note}", err=True)
        if plan.bad:
            entry["result"] = "refused"
            click.echo(f"error: {path}: nothing imported — {len(plan.bad)} problem(s):", err=True)
            for line in plan.bad:
                click.echo(f"  {line}", err=True)
            refused += 1
            continue
        todo = plan.new
        if not todo:
            entry["result"] = "nothing new"
            say(f"{path.name}: nothing new to import")
            continue
        if dry_run:
            entry["result"] = "dry run"
            say(f"{path.name}: {len(todo)} case(s) would be imported (dry run)")
            continue
        if not yes:
            entry["result"] = "not confirmed"
            if not interactive or as_json:  # JSON on stdout leaves no room for a question
                click.echo(f"{path.name}: nothing committed — give --yes to import {len(todo)} case(s)", err=True)
                continue
            if not click.confirm(f"Import {len(todo)} case(s) from {path.name}?", default=False):
                continue
        results = imports.commit(ws, plan, moment, who)
        entry.update(result="imported", imported=[r.case_id for r in results], commit=results[0].commit)
        say(f"{path.name}: imported {len(results)} case(s) {results[0].case_id} … {results[-1].case_id}, "
            f"commit {results[0].commit[:10]}")
        records = imports.load_records(ws)
    if as_json:
        from complaintctl.output import as_json as json_text

        click.echo(json_text(out))
    if refused:
        raise ComplaintError(f"{refused} source(s) not imported (each problem is listed above)")
