"""What reports and bulletins read from a repository: the case records a period can touch (the
read index narrows by indexed dates; the pure figures decide), who did what (one `git log`
pass) and the office's working-day calendar. The figures themselves are pure (`reports`,
`bulletin`); this module is their I/O edge."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from complaintctl.i18n import _
from complaintctl.labels import label
from complaintctl.model import workflow
from complaintctl.model.snapshot import CaseRecord
from complaintctl.model.stamp import CaseStamps
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


def period_activities(ws: Workspace, idx: index.Index, period: periods.Period) -> list[reports.Activity]:
    """`activities` that a report of `period` counts (commits authored in it; a superset, the
    figures decide), from the read index's copy of the log (no `git log` over the
    whole history per report)."""
    tz = ws.policy.tz
    now_named = lineage.resolver(ws.git, [lineage.Renumbered(*r) for r in idx.renumberings()])
    return [reports.Activity(c.author, now_named(c.sha, c.case_id), c.action,
                             datetime.fromisoformat(c.when).astimezone(tz))
            for c in idx.case_commits(period.start(tz), period.end(tz))]


def period_records(idx: index.Index, spans: Iterable[tuple[datetime, datetime]],
                   ids: Iterable[str] = (), facts: bool = False) -> list[CaseRecord]:
    """Every case a report over these (start, end) spans can count (a superset, from
    indexed columns, widened by a day for time zones): received, resolved, revisited or closed
    in a span, or possibly still open at a span's end (not finished before it, by the last
    status change of its timeline — `reports.status_at`), and the cases named in `ids`."""
    day = index.DAY
    finished = ",".join(f"'{s}'" for s in sorted(set(workflow.STATES) - workflow.OPEN_STATES))
    where: list[str] = []
    params: list[object] = []
    for start, end in spans:
        lo, hi = start.timestamp() - day, end.timestamp() + day
        for column in ("received_ts", "resolved_ts", "revisit_ts", "closed_ts"):
            where.append(f"({column} >= ? AND {column} <= ?)")
            params.extend((lo, hi))
        where.append(f"(received_ts < ? AND NOT (COALESCE(last_to IN ({finished}), 0) AND "
                     "COALESCE(last_to_ts < ?, 0)))")
        params.extend((hi, end.timestamp() - day))
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 500):
        part = wanted[i:i + 500]
        where.append(f"id IN ({','.join('?' * len(part))})")
        params.extend(part)
    # with `facts`, each record's facts are fetched when read and only the last few stay decoded:
    # reports.build_report reads each record once, in turn (memory)
    return idx.records(" OR ".join(where) or "0", params, docs=True, facts=facts, transient=facts)


def _spans(period: periods.Period, moment: datetime, policy: Policy) -> list[tuple[datetime, datetime]]:
    tz = policy.tz
    return [(p.start(tz), min(p.end(tz), moment)) for p in (period, period.previous())]


def _closed_in(acts: Sequence[reports.Activity], period: periods.Period, moment: datetime,
               policy: Policy) -> set[str]:
    """Cases whose closing commit falls in the period: the per-person table reads their records."""
    tz = policy.tz
    start, end = period.start(tz), min(period.end(tz), moment)
    return {a.case_id for a in acts if start <= a.at < end}


def _period_read(ws: Workspace, idx: index.Index, period: periods.Period, moment: datetime,
                 skipped: list[index.Skipped] | None) -> tuple[list[reports.Activity], list[CaseRecord]]:
    """The period's git activity and the records its figures count, each read as its report
    facts only (index.report_facts; a bulletin reads its featured cases whole);
    files the reader refuses go to `skipped`."""
    if skipped is not None:
        skipped.extend(idx.skipped())
    acts = period_activities(ws, idx, period)
    records = period_records(idx, _spans(period, moment, ws.policy), _closed_in(acts, period, moment, ws.policy),
                             facts=True)
    return acts, records


def build_report(ws: Workspace, period: periods.Period, moment: datetime,
                 skipped: list[index.Skipped] | None = None) -> reports.Report:
    """`report`'s whole read path: the records it can count, git authorship, the figures.
    Files the reader refuses are left out and listed in `skipped`."""
    idx = index.open_index(ws)
    try:
        acts, records = _period_read(ws, idx, period, moment, skipped)
        # the records read their facts from the index: the figures are made while it is open
        return reports.build_report(records, period, ws.policy, moment, elapsed_for(ws.policy), acts,
                                    label(ws.policy.language, "unassigned"), idx.recorded(r.id for r in records))
    finally:
        idx.close()


def name_cache(ws: Workspace) -> CachedNames:
    """R-RP-4: person names found in texts, cached per text under .git/complaintctl/."""
    return CachedNames(ws.git.git_dir / "complaintctl" / "masked-names.json")


def build_bulletin(ws: Workspace, period: periods.Period, moment: datetime,
                   skipped: list[index.Skipped] | None = None) -> bulletin.Bulletin:
    names = name_cache(ws)
    idx = index.open_index(ws)
    try:
        acts, records = _period_read(ws, idx, period, moment, skipped)
        # the cases the period's cases repeat: the bulletin masks their complainants too (R-RP-4)
        linked = {i for r in records for i in r.repeat_of} - {r.id for r in records}
        if linked:
            records += period_records(idx, [], linked, facts=True)
        found = bulletin.find(records, period, ws.policy, moment, elapsed_for(ws.policy), acts, names=names,
                              documents=opened_documents(ws, idx), stamps=idx.recorded(r.id for r in records))
    finally:
        idx.close()
    names.save()
    return found


def opened_documents(ws: Workspace, idx: index.Index) -> Callable[[list[str]], Mapping[str, Mapping[str, Any]]]:
    """The featured cases' documents as the bulletin masks them (R-RP-4): their sealed fields
    opened with this user's keys, since masking must know each case's own names and numbers.
    A featured case this user cannot open stops the bulletin (NoOfficeKey, naming the cases and
    the office whose key it takes): a bulletin is published, and it must say the same — and mask
    the same — whoever makes it, so no case is silently left out (R-RT-5)."""

    def documents(paths: list[str]) -> Mapping[str, Mapping[str, Any]]:
        from complaintctl.privacy.document import NoOfficeKey, key_id_of, office_of, readable, reveal

        docs = idx.documents(paths)
        if all(key_id_of(d) is None for d in docs.values()):
            return docs  # nothing sealed (privacy off, or erased)

        closed: dict[str, list[str]] = {}
        for d in docs.values():
            if not readable(d, ws.keyring):
                closed.setdefault(office_of(d) or "?", []).append(str(d.get("id") or "?"))
        if closed:
            raise NoOfficeKey(_("bulletin: cannot mask the complainants of {cases} without the key of office "
                                "{offices} (R-RP-4, R-RT-5) — run it as hq, or as someone holding that key").format(
                cases=", ".join(sorted(i for ids in closed.values() for i in ids)), offices=", ".join(sorted(closed))))
        return {p: reveal(d, ws.keyring) for p, d in docs.items()}

    return documents


def week_records(ws: Workspace, week: periods.Period, moment: datetime,
                 skipped: list[index.Skipped] | None = None,
                 stamps: dict[str, CaseStamps] | None = None) -> list[CaseRecord]:
    """The cases `register` can list: received in the week (a superset; the register decides);
    with `stamps`, each one's recorded times are added to it (the record's, as `report` reads)."""
    tz = ws.policy.tz
    idx = index.open_index(ws)
    try:
        if skipped is not None:
            skipped.extend(idx.skipped())
        lo = week.start(tz).timestamp() - index.DAY
        hi = min(week.end(tz), moment).timestamp() + index.DAY
        records = idx.records("received_ts >= ? AND received_ts <= ?", [lo, hi], docs=True)
        if stamps is not None:
            stamps.update(idx.recorded(r.id for r in records))
        return records
    finally:
        idx.close()


def build_register(ws: Workspace, week: periods.Period, moment: datetime,
                   skipped: list[index.Skipped] | None = None) -> Section:
    names = name_cache(ws)
    stamps: dict[str, CaseStamps] = {}
    records = week_records(ws, week, moment, skipped, stamps)
    section = register.register(records, week, ws.policy, moment, names, stamps)
    names.save()
    return section


def build_intake_export(ws: Workspace, period: periods.Period) -> Section:
    """`export`: the period's cases with their intake fields, unmasked where this user holds the
    key, `[encrypted]` where not (R-RT-5)."""
    from dataclasses import replace

    from complaintctl.privacy.document import Revealed

    records = [replace(r, data=Revealed(r.data, ws.keyring)) for r in index.load_records(ws)]
    return intake_export.section(records, ws.policy, period)
