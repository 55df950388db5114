"""Reading cases for people: filters, summaries, a case rendered as text, history from git."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, tzinfo
from typing import TYPE_CHECKING, Any

from complaintctl import labels
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.case import as_datetime, get, load_plain, to_plain
from complaintctl.model.snapshot import Case, CaseRecord
from complaintctl.model.stamp import CaseStamps
from complaintctl.output import FIXED, Col, table
from complaintctl.policy.policy import Policy
from complaintctl.repo import lineage, store
from complaintctl.repo.git import LogEntry
from complaintctl.repo.workspace import Workspace

if TYPE_CHECKING:
    from complaintctl.repo.index import Index, Skipped

__all__ = ["CaseRecord", "Filter", "LogEntry", "all_records", "case_data", "history", "render_case", "select",
           "summary"]


@dataclass(frozen=True)
class Filter:
    statuses: frozenset[str] = frozenset()
    category: str | None = None
    unit: str | None = None
    handler: str | None = None
    severity: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def all_records(ws: Workspace) -> list[CaseRecord]:
    from complaintctl.repo import index  # not for `show`, which reads one file

    return index.load_records(ws)


def _narrow(flt: Filter, due_before: datetime | None) -> tuple[str, list[object]]:
    """SQL over the read index's columns selecting a superset of `select`'s cases."""
    from complaintctl.repo import index

    where: list[str] = ["1"]
    params: list[object] = []
    wanted = set(flt.statuses)
    if "open" in wanted:
        wanted = (wanted - {"open"}) | workflow.OPEN_STATES
    if wanted:
        where.append(f"status IN ({','.join('?' * len(wanted))})")
        params.extend(sorted(wanted))
    for column, value in (("category", flt.category), ("unit", flt.unit), ("handler", flt.handler),
                          ("severity", flt.severity)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if flt.since:
        where.append("received_ts >= ?")
        params.append(flt.since.timestamp() - index.DAY)
    if flt.until:
        where.append("received_ts <= ?")
        params.append(flt.until.timestamp() + 2 * index.DAY)
    if due_before is not None:
        sql, args = index.due_where(due_before, due_before)
        where.append(sql)
        params.extend(args)
    return " AND ".join(where), params


def find(ws: Workspace, flt: Filter, tz: tzinfo, due_before: datetime | None = None,
         skipped: list[Skipped] | None = None, idx: Index | None = None) -> list[CaseRecord]:
    """`select` over the read index: SQL narrows by indexed columns (a superset), then `select`
    decides exactly as it does over every record. `due_before`: only cases with a running clock
    due by then (`list --overdue`), their documents fetched when read (memory)."""
    from complaintctl.repo import index

    where, params = _narrow(flt, due_before)
    idx = idx or index.open_index(ws)  # stays open while the records' documents may be read
    if skipped is not None:
        skipped.extend(idx.skipped())
    # --overdue reads every candidate's document once, in turn: only the last few stay decoded
    return select(idx.records(where, params, transient=due_before is not None), flt, tz)


def find_iter(ws: Workspace, flt: Filter, tz: tzinfo, skipped: list[Skipped] | None = None
              ) -> Iterator[CaseRecord]:
    """`find`'s records one at a time, in `select`'s order (SQL sorts): a `list` of 100,000
    cases keeps none of them. The files left out go to `skipped` at once."""
    from complaintctl.repo import index

    where, params = _narrow(flt, None)
    idx = index.open_index(ws)
    if skipped is not None:
        skipped.extend(idx.skipped())
    found = idx.iter_records(where, params, docs=False, order=index.BY_RECEIVED)
    return (r for r in found if select([r], flt, tz))


def select(records: Iterable[CaseRecord], flt: Filter, tz: tzinfo) -> list[CaseRecord]:
    wanted = set(flt.statuses)
    if "open" in wanted:
        wanted = (wanted - {"open"}) | workflow.OPEN_STATES
    until = flt.until
    if until is not None and until.hour == 0 and until.minute == 0:
        until = until.replace(hour=23, minute=59, second=59)  # a date means the whole day
    out = []
    for r in records:
        if wanted and r.status not in wanted:
            continue
        if flt.category and r.category != flt.category or flt.unit and r.unit != flt.unit:
            continue
        if flt.handler and r.handler != flt.handler or flt.severity and r.severity != flt.severity:
            continue
        if flt.since or until:
            received = r.received(tz)
            if flt.since and received < flt.since or until and received > until:
                continue
        out.append(r)
    return sorted(out, key=lambda r: (r.received_at, r.id))


def summary(r: CaseRecord) -> dict[str, Any]:
    return {"id": r.id, "status": r.status, "received_at": r.received_at, "category": r.category,
            "severity": r.severity, "unit": r.unit, "handler": r.handler, "subject": r.subject,
            "path": r.path}


def case_data(ws: Workspace, case_id: str) -> dict[str, Any]:
    """One case as the person reading it sees it (`show`, `form`): its file by ID, strictly read,
    as plain values."""
    cid, text = store.case_text(ws, case_id)
    data = to_plain(load_plain(text, cid.relpath, ws.policy.limits))
    if "ENC[" not in text:  # nothing sealed: no keyring to open (a one-case `show` stays light)
        return dict(data)
    from complaintctl.privacy.document import reveal

    # R-RT-5: protected fields as this user may read them: plaintext, or [encrypted]
    return dict(reveal(data, ws.keyring))


# How `show` gives way in a narrow terminal: long values and notes wrap.
CASE_COLS = (FIXED, Col(shrink=20, wrap=True, main=True))
TIMELINE_COLS = (FIXED, Col(shrink=6), Col(shrink=8), Col(shrink=12, wrap=True), Col(shrink=16, wrap=True, main=True))


def minutes_on(tz: tzinfo) -> Callable[[str], str]:
    """ISO text -> "YYYY-MM-DD HH:MM" on the office's clock, for a list of many rows: text already
    at one of the zone's offsets (all that complaintctl writes) is cut, not parsed."""
    year = datetime.now(tz).year
    own = {_offset(datetime(year, m, 1, tzinfo=tz)) for m in (1, 7)}

    def short(text: str) -> str:
        if text[-6:] in own or len(text) < 17:
            return text[:16].replace("T", " ")
        try:
            return datetime.fromisoformat(text).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return text[:16].replace("T", " ")

    return short


def _offset(moment: datetime) -> str:
    off = moment.strftime("%z")  # +0800
    return f"{off[:3]}:{off[3:]}"


def render_case(data: Mapping[str, Any], policy: Policy, width: int | None = None) -> str:
    """One case for a person: every label in the office's language, the same words the
    register and the reports print."""
    out = table(case_fields(data, policy), [_("field"), _("value")], width, CASE_COLS)
    return out + "\n\n" + table(timeline_rows(data, policy), timeline_headers(), width, TIMELINE_COLS)


def case_fields(data: Mapping[str, Any], policy: Policy) -> list[tuple[str, str]]:
    """(label, value) of each field `show` prints, in its order: what the person reading the case
    sees of it, in the office's words (the UI's case page shows exactly these)."""
    lang = policy.language

    def lab(vocab: str, path: str) -> str:
        value = get(data, path)
        return policy.label(vocab, str(value)) if value else ""

    statuses = labels.words(lang, labels.STATUSES)
    case = Case.from_data(data, policy.tz)
    # the case as it stands (model.snapshot): a reopened case shows no outcome, and the plan's
    # due is the one an approved extension set (R-DL-2)
    res, rev, closing = case.current_resolution, case.current_revisit, case.current_closing
    due = case.plan_due
    rows = [
        (_("ID"), case.id), (_("status"), statuses.get(case.status, case.status)),
        (_("received"), _when(case.intake.received_at, policy)),
        (_("channel"), lab("channels", F.INTAKE_CHANNEL)),
        (_("first receiver"), case.intake.first_receiver),
        (_("complainant"), f"{case.intake.complainant.name} "
                           f"({lab('complainant_classes', F.INTAKE_COMPLAINANT_CLASS)})"),
        (_("contact"), case.intake.complainant.contact), (_("location"), case.intake.location),
        (_("subject"), case.intake.subject), (_("details"), case.intake.details),
        (_("materials"), _materials(data)), (_("source"), _source(data)),
        (_("category"), lab("categories", F.ASSESSMENT_CATEGORY)),
        (_("severity"), lab("severities", F.ASSESSMENT_SEVERITY)),
        (_("accused"), case.accused.person or case.accused.unit),
        (_("unit"), lab("units", F.ROUTING_UNIT)), (_("handler"), case.routing.handler),
        (_("plan"), " / ".join((case.plan.resolver, case.plan.measures, _due(due, policy)))
         if case.plan.resolver or case.plan.measures else None),
        (_("resolution"), " / ".join((lab("outcomes", F.RESOLUTION_OUTCOME), res.summary)) if res else None),
        (_("revisit"), labels.label(lang, rev.satisfaction) if rev and rev.satisfaction else None),
        (_("root cause"), closing.root_cause if closing else None),
        (_("lesson"), closing.lesson if closing else None),
    ]
    return [(k, "" if v is None else str(v)) for k, v in rows if v not in (None, "", " /  / ", " / ")]


def timeline_headers() -> list[str]:
    return [_("when"), _("who"), _("action"), _("status"), _("note")]


def timeline_rows(data: Mapping[str, Any], policy: Policy) -> list[list[str]]:
    """The timeline as `show` prints it: when, who, action, status change, note."""
    lang = policy.language
    statuses, actions = labels.words(lang, labels.STATUSES), labels.words(lang, labels.ACTIONS)
    timeline = data.get("timeline") or []

    def moved(e: Mapping[str, Any]) -> str:
        src = e.get("from")
        return f"{statuses.get(str(src), src) if src else ''} → {statuses.get(str(e.get('to')), e.get('to'))}"

    channels = policy.labels("channels")

    def note(e: Mapping[str, Any]) -> str:
        text = str(e.get("note") or e.get("reason") or "")  # intake's note is the channel's key; a vouch's reason
        return channels.get(text, text) if e.get("action") == "received" else text

    return [[_when(e.get("at"), policy), str(e.get("by", "")),
             str(actions.get(str(e.get("action", "")), e.get("action", ""))),
             moved(e) if e.get("to") else "", note(e)]
            for e in timeline if isinstance(e, Mapping)]


def _due(moment: datetime | None, policy: Policy) -> str:
    """A due time: the date alone when it is the end of that day (how a plan's bare date reads)."""
    if moment is None:
        return ""
    local = moment.astimezone(policy.tz)
    return local.date().isoformat() if local.time() == time(23, 59, 59) else local.strftime("%Y-%m-%d %H:%M")


def _when(value: Any, policy: Policy) -> str:
    """A moment as the tables print it: the office's local time to the minute."""
    moment = as_datetime(value, policy.tz) if value else None
    return moment.astimezone(policy.tz).strftime("%Y-%m-%d %H:%M") if moment else str(value or "")


def _materials(data: Mapping[str, Any]) -> str:
    """R-IN-1 materials; the kept files with where they are and their hash."""
    kept = {str(a.get("file")): a for a in get(data, F.INTAKE_ATTACHMENTS) or [] if isinstance(a, Mapping)}
    items = []
    for m in get(data, F.INTAKE_MATERIALS) or []:
        a = kept.get(str(m))
        items.append(f"{m} (kept, sha256 {str(a.get('sha256'))[:12]}…)" if a else str(m))
    return "; ".join(items)


def _source(data: Mapping[str, Any]) -> str:
    src = get(data, F.INTAKE_SOURCE)
    if not isinstance(src, Mapping):
        return ""
    where = src.get("message_id") or (f"row {src.get('row')}, key {src.get('key')}" if src.get("key") else "")
    return f"{src.get('file')}: {where}" if where else str(src.get("file") or "")


def renumberings(ws: Workspace) -> list[lineage.Renumbered]:
    """HEAD's renumberings (sync's), newest first: read once, passed to what follows a case.
    From the read index's copy of the log (`git log --grep … -- cases` over 100,000
    cases' history took 6.5 s per `history`); git answers when the index cannot be written."""
    from complaintctl.repo import index

    idx = index.open_log(ws)
    try:
        return [lineage.Renumbered(*r) for r in idx.renumberings()]
    finally:
        idx.close()


def history(ws: Workspace, case_id: str, known: list[lineage.Renumbered] | None = None) -> list[LogEntry]:
    """Each commit that touched the case, oldest first — under every number it had (sync's
    renumberings, repo.lineage)."""
    loaded = store.load_case(ws, case_id)
    tz = ws.policy.tz  # git keeps each author's own offset; the office reads its own
    return [replace(e, when=datetime.fromisoformat(e.when).astimezone(tz).isoformat())
            for e in reversed(lineage.log(ws.git, str(loaded.id), loaded.relpath, known))]


def other_holders(ws: Workspace, case_id: str,
                  known: list[lineage.Renumbered] | None = None) -> list[tuple[lineage.Renumbered, str]]:
    """Complaints that once had this number here, before sync renumbered them."""
    return lineage.other_holders(ws.git, case_id, known)


def recorded_times(ws: Workspace, case_id: str) -> CaseStamps:
    """When the record saw each of the case's entries (the witness's stamps, model.stamp)."""
    from complaintctl.repo import stamps

    return stamps.case_stamps(ws.git, case_id)
