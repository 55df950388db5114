"""The report and the bulletin pages: the figures `report` prints and the bulletin `bulletin`
writes (complainants masked, R-RP-4), built by the same functions, for a period the person picks."""

from __future__ import annotations

from datetime import datetime

from complaintctl.labels import label
from complaintctl.policy import periods
from complaintctl.repo import index
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import bulletin, export, reportdata


def default_period(now: datetime) -> str:
    """This month, as `report --period` takes it."""
    return f"{now.year:04d}-{now.month:02d}"


def report(ws: Workspace, period_text: str, now: datetime) -> tuple[str, list[export.Section]]:
    """The report's title and tables, as `report --period` prints them."""
    period = periods.parse_period(period_text)
    skipped: list[index.Skipped] = []
    rep = reportdata.build_report(ws, period, now, skipped)
    title = f"{ws.policy.name} {label(ws.policy.language, 'report_title')} {period.label} " \
            f"({period.first.isoformat()} – {period.last.isoformat()})"
    return title, export.report_sections(rep)


def bulletin_html(ws: Workspace, period_text: str, now: datetime) -> str:
    """The bulletin as `bulletin --period` would publish it (HTML, with its charts)."""
    period = periods.parse_period(period_text)
    skipped: list[index.Skipped] = []
    return bulletin.render(reportdata.build_bulletin(ws, period, now, skipped), "html", ws.root)
