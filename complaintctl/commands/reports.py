"""Reports for management: `report`, `register`, `bulletin` (R-RP-1..4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from complaintctl.commands.common import json_option, now, pass_ws, say_skipped, screen_width, wide_option
from complaintctl.i18n import _
from complaintctl.labels import label
from complaintctl.model.timeparse import parse_when
from complaintctl.output import Col
from complaintctl.policy import periods
from complaintctl.repo import index
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import bulletin, export, register, reportdata

F = TypeVar("F", bound=Callable[..., Any])


def as_of(ws: Workspace, text: str | None) -> datetime:
    return parse_when(text, ws.policy.tz, "--as-of") if text else now(ws)


def output_options(f: F) -> F:
    f = click.option("--as-of", "as_of_text", help="Judge the figures as at this time (default: now).")(f)
    f = click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write an Excel workbook, one sheet per table.")(f)
    f = click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write CSV (UTF-8 with BOM, opens in Excel).")(f)
    return json_option(f)


def emit(sections: list[export.Section], title: str, as_json_text: str | None, as_json: bool,
         csv_path: Path | None, xlsx: Path | None, width: int | None = None,
         cols: tuple[Col, ...] | None = None, on_screen: list[export.Section] | None = None) -> None:
    """`on_screen`: the sections as the text table shows them, when they differ from the files'."""
    if csv_path:
        export.write_csv(sections, csv_path)
        click.echo(_("wrote {file}").format(file=csv_path))
    if xlsx:
        export.write_xlsx(sections, xlsx, title)
        click.echo(_("wrote {file}").format(file=xlsx))
    if as_json:
        click.echo(as_json_text)
    elif not (csv_path or xlsx):
        click.echo(export.to_text(on_screen or sections, title, width, cols))


@click.command("report")
@click.option("--period", "period_text", required=True,
              help=f"A month, ISO week, quarter, year or date range: {periods.EXAMPLES}.")
@output_options
@wide_option
@pass_ws
def report_cmd(ws: Workspace, period_text: str, as_json: bool, csv_path: Path | None, xlsx: Path | None,
               as_of_text: str | None, wide: bool) -> None:
    """Statistics for a period, against the previous one (R-RP-1, R-RP-2)."""
    period = periods.parse_period(period_text)
    skipped: list[index.Skipped] = []
    rep = reportdata.build_report(ws, period, as_of(ws, as_of_text), skipped)
    say_skipped(skipped)
    title = f"{ws.policy.name} {label(ws.policy.language, 'report_title')} {period.label} " \
            f"({period.first.isoformat()} – {period.last.isoformat()})"
    emit(export.report_sections(rep), title, export.report_json(rep) if as_json else None, as_json,
         csv_path, xlsx, report_width(wide), on_screen=export.report_sections(rep, working_days_text(ws)))


REPORT_WIDTH = 80  # a report is read on paper and in mail too: never wider, however wide the terminal


def report_width(wide: bool) -> int | None:
    """`report`'s tables fit 80 columns (fewer on a narrower terminal); --wide: every table whole."""
    return None if wide else min(screen_width() or REPORT_WIDTH, REPORT_WIDTH)


def working_days_text(ws: Workspace) -> Callable[[float], str]:
    """A working-day figure (a median, a P90) as the one duration format (i18n.duration)."""
    from complaintctl.i18n import duration
    from complaintctl.policy.calendar import WorkCalendar

    cal = WorkCalendar.from_policy(ws.policy)
    return lambda days: duration(*cal.days_parts(days), working=True)


@click.command("register")
@click.option("--week", "week_text", required=True, help="An ISO week (2026-W43) or any date in it.")
@output_options
@wide_option
@pass_ws
def register_cmd(ws: Workspace, week_text: str, as_json: bool, csv_path: Path | None, xlsx: Path | None,
                 as_of_text: str | None, wide: bool) -> None:
    """The weekly complaint register, one row per case received that week (R-RP-1)."""
    week = periods.parse_week(week_text)
    skipped: list[index.Skipped] = []
    section = reportdata.build_register(ws, week, as_of(ws, as_of_text), skipped)
    say_skipped(skipped)
    rows = [dict(zip(register.COLUMNS, row, strict=True)) for row in section.rows]
    emit([section], "", export.dumps({"week": week.label, "rows": rows}) if as_json else None, as_json,
         csv_path, xlsx, screen_width(wide), register.COLS)


@click.command("bulletin")
@click.option("--period", "period_text", required=True, help=f"The period: {periods.EXAMPLES}.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write bulletin-PERIOD.md and .html into (default: here).")
@click.option("--format", "formats", type=click.Choice(sorted(bulletin.FORMATS)), multiple=True,
              help="Only this format (repeatable; default: md and html).")
@click.option("--commit", is_flag=True, help="Write under bulletins/ in the repository and commit (R-RP-3).")
@click.option("--as-of", "as_of_text", help="Judge the figures as at this time (default: now).")
@json_option
@pass_ws
def bulletin_cmd(ws: Workspace, period_text: str, out_dir: Path | None, formats: tuple[str, ...], commit: bool,
                 as_of_text: str | None, as_json: bool) -> None:
    """A case bulletin (案例通报) as Markdown and self-contained HTML, complainants masked (R-RP-4)."""
    period = periods.parse_period(period_text)
    skipped: list[index.Skipped] = []
    b = reportdata.build_bulletin(ws, period, as_of(ws, as_of_text), skipped)
    say_skipped(skipped)
    texts = {fmt: bulletin.render(b, fmt, ws.root) for fmt in (formats or ("md", "html"))}
    paths, sha = bulletin.publish(ws, texts, period, out_dir, commit)
    if as_json:
        click.echo(export.dumps({"period": period.label, "files": [str(p) for p in paths], "commit": sha or None}))
        return
    for p in paths:
        click.echo(_("wrote {file}").format(file=p))
    if commit:
        click.echo(_("committed {commit}").format(commit=sha[:10]) if sha else _("unchanged: nothing to commit"))


@click.command("export")
@click.option("--period", "period_text", required=True, help=f"Cases received in this period: {periods.EXAMPLES}.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an Excel workbook (what `import` reads back by default).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write CSV (UTF-8 with BOM, opens in Excel).")
@json_option
@pass_ws
def export_cmd(ws: Workspace, period_text: str, xlsx: Path | None, csv_path: Path | None, as_json: bool) -> None:
    """Every case's intake fields, UNMASKED, for moving or archiving cases (internal)."""
    if not (xlsx or csv_path):
        raise click.UsageError("give --xlsx FILE or --csv FILE")
    period = periods.parse_period(period_text)
    section = reportdata.build_intake_export(ws, period)
    if csv_path:  # one table, no title line: `import` reads the header from the first row
        export.write_table_csv(section, csv_path)
    if xlsx:
        export.write_xlsx([section], xlsx, section.title)
    written = [p for p in (csv_path, xlsx) if p]
    if as_json:
        click.echo(export.dumps({"period": period.label, "cases": len(section.rows),
                                 "files": [str(p) for p in written]}))
    else:
        for p in written:
            click.echo(_("wrote {file}").format(file=p))
    click.echo(_("{n} case(s) received in {period}; the file holds complainants' personal data (internal use "
                 "only)").format(n=len(section.rows), period=period.label), err=True)
