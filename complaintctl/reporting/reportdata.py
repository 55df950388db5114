"""What reports and bulletins read from a repository: every case record (the cached index),
who did what (one `git log` pass) and the office's working-day calendar. The figures
themselves are pure (`reports`, `bulletin`); this module is their I/O edge."""

from __future__ import annotations

from datetime import datetime

from complaintctl.labels import label
from complaintctl.policy import periods
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.repo import index, lineage
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import bulletin, intake_export, register, reports
from complaintctl.reporting.export import Section
from complaintctl.reporting.masking import CachedNames


def elapsed_for(policy: Policy) -> reports.Elapsed:
    """Elapsed working days on the office's own calendar (holidays, make-up days, business hours)."""
    return WorkCalendar.from_policy(policy).working_days_between


def activities(ws: Workspace) -> list[reports.Activity]:
    """Who did what to which case, from one `git log` pass over cases/. A commit made before
    sync renumbered its case counts for the case it is now (repo.lineage), never for the
    complaint that holds the old number."""
    tz = ws.policy.tz
    now_named = lineage.resolver(ws.git)
    return [reports.Activity(c.author, now_named(c.sha, c.case_id), c.action,
                             datetime.fromisoformat(c.when).astimezone(tz))
            for c in ws.git.case_commits()]


def build_report(ws: Workspace, period: periods.Period, moment: datetime,
                 skipped: list[index.Skipped] | None = None) -> reports.Report:
    """`report`'s whole read path: records (cached index), git authorship, the figures.
    Files the reader refuses are left out and listed in `skipped`."""
    return reports.build_report(index.load_records(ws, skipped=skipped), period, ws.policy, moment,
                                elapsed_for(ws.policy), activities(ws), label(ws.policy.language, "unassigned"))


def name_cache(ws: Workspace) -> CachedNames:
    """R-RP-4: person names found in texts, cached per text under .git/complaintctl/."""
    return CachedNames(ws.git.git_dir / "complaintctl" / "masked-names.json")


def build_bulletin(ws: Workspace, period: periods.Period, moment: datetime,
                   skipped: list[index.Skipped] | None = None) -> bulletin.Bulletin:
    names = name_cache(ws)
    found = bulletin.find(index.load_records(ws, skipped=skipped), period, ws.policy, moment,
                          elapsed_for(ws.policy), activities(ws), names=names)
    names.save()
    return found


def build_register(ws: Workspace, week: periods.Period, moment: datetime,
                   skipped: list[index.Skipped] | None = None) -> Section:
    names = name_cache(ws)
    section = register.register(index.load_records(ws, skipped=skipped), week, ws.policy, moment, names)
    names.save()
    return section


def build_intake_export(ws: Workspace, period: periods.Period) -> Section:
    """`export`: the period's cases with their intake fields, unmasked (issue 14 §2)."""
    return intake_export.section(index.load_records(ws), ws.policy, period)
