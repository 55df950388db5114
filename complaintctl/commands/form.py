"""The paper form: `form ID` writes the case as the office's handling form, HTML or PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from complaintctl.commands.common import json_option, now, pass_ws
from complaintctl.i18n import _
from complaintctl.model.timeparse import parse_when
from complaintctl.repo.workspace import Workspace


@click.command("form")
@click.argument("case_id", metavar="ID")
@click.option("--out", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="The file to write: FILE.html or FILE.pdf (default: ID.html here; - prints the HTML).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]),
              help="html, or pdf (printed by headless Chromium); default: from --out's ending, else html.")
@click.option("--as-of", "as_of", help="Judge the clocks as of this time (default: now).")
@json_option
@pass_ws
def form_cmd(ws: Workspace, case_id: str, out: Path | None, fmt: str | None, as_of: str | None,
             as_json: bool) -> None:
    """The case as the office's printable handling form (客户投诉处理登记表), HTML or PDF."""
    from complaintctl.handling.deadlines import views
    from complaintctl.policy.calendar import WorkCalendar
    from complaintctl.reporting import form, queries

    fmt = form.format_for(out, fmt)
    data = queries.case_data(ws, case_id)
    moment = parse_when(as_of, ws.policy.tz, "--as-of") if as_of else now(ws)
    clocks = views(data, ws.policy, WorkCalendar.from_policy(ws.policy), moment)
    html = form.render(form.build(data, ws.policy, moment, clocks), ws.root)
    if out is not None and str(out) == "-":
        if fmt != "html":
            raise click.UsageError(_("--out - prints HTML only; give a file for a PDF"))
        sys.stdout.write(html)
        return
    target = out or Path(f"{data.get('id')}.{fmt}")
    form.write(html, target, fmt)
    if as_json:
        from complaintctl.output import as_json as json_text

        click.echo(json_text({"id": data.get("id"), "file": str(target), "format": fmt}))
        return
    click.echo(_("wrote {file}").format(file=target))
