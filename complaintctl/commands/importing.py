"""`complaintctl import`: complaints from spreadsheets and e-mail (R-IN-1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from complaintctl.commands.common import actor, json_option, now, pass_ws, screen_width
from complaintctl.commands.intake import stdin_is_terminal
from complaintctl.commands.params import VocabularyOption
from complaintctl.handling import imports
from complaintctl.i18n import N_, _
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
        return _("BAD")
    return _("exists {id}").format(id=c.existing) if c.existing else _("new")


HEADERS = [N_("from"), N_("state"), N_("received"), N_("complainant"), N_("category"), N_("subject"), N_("files")]


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
    interactive = stdin_is_terminal()
    options = imports.Options(mapping, imports.Defaults(channel, complainant_class, category, severity), dry_run,
                              yes, skip_disallowed)
    tz = ws.policy.tz

    def show(plan: imports.Plan) -> None:  # what the source would bring, before anything is committed
        if as_json:
            return
        rows = [[c.where, _state(c), c.intake.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if c.intake
                 else "", c.intake.name if c.intake else "", c.intake.category if c.intake else "",
                 c.intake.subject if c.intake else "", len(c.files) or ""] for c in plan.candidates]
        if rows:
            click.echo(table(rows, [_(h) for h in HEADERS], screen_width(), COLS))
        for c in plan.candidates:
            for note in c.notes:
                click.echo(_("note: {where}: {note}").format(where=c.where, note=note), err=True)

    def confirm(question: str) -> bool:
        return click.confirm(question, default=False)

    outcomes = []
    for o in imports.run(ws, sources, options, now(ws), actor(ws), show=show, ask=_ask if interactive else None,
                         confirm=confirm if interactive and not as_json else None):  # JSON leaves no room to ask
        outcomes.append(o)
        if o.message and (o.warning or not as_json):
            click.echo(o.message, err=o.warning)
    if as_json:
        from complaintctl.output import as_json as json_text

        click.echo(json_text([_source_json(o) for o in outcomes]))
    error = imports.refused(outcomes)
    if error:
        raise error


def _source_json(o: imports.Outcome) -> dict[str, Any]:
    return {"source": str(o.plan.source), "candidates": [_candidate_json(c) for c in o.plan.candidates],
            "problems": o.plan.bad, "imported": [r.case_id for r in o.imported],
            "commit": o.imported[0].commit if o.imported else None, "result": o.result}
