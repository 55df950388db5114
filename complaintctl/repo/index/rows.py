"""Building rows: one `cases` row from one case file's text, through the strict reader — the
indexed columns, the record, the document, its search tokens and vector, the report's facts.
Pure functions of the text (and the policy's limits), run in the fill's worker processes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, decode, get, load_plain, to_plain
from complaintctl.model.reader import DEFAULT_LIMITS, Limits
from complaintctl.model.snapshot import Case, CaseRecord
from complaintctl.model.stamp import FACT_DIGEST, entry_digest
from complaintctl.model.text import case_tokens, contact_key, sealed, tokens, vector
from complaintctl.policy import clocks
from complaintctl.repo.index.schema import COLUMNS, RECORD_FIELDS


def _ts(value: Any) -> float | None:
    moment = as_datetime(value, UTC) if value not in (None, "") else None
    return moment.timestamp() if moment is not None else None


def _last_transition(data: Mapping[str, Any]) -> tuple[str | None, float | None]:
    timeline = data.get("timeline")
    for entry in reversed(timeline if isinstance(timeline, list) else []):
        if isinstance(entry, Mapping) and entry.get("to"):
            return str(entry["to"]), _ts(entry.get("at"))
    return None, None


def _next_due(case: Case) -> float | None:
    """The earliest due time of a clock still running (policy.clocks.open_dues)."""
    dues = [due.timestamp() for _, due in clocks.open_dues(case)]
    return min(dues) if dues else None


def _last_done(case: Case) -> float | None:
    """The latest time a clock was met: a clock met after a past moment was still running then."""
    done = [c.done.timestamp() for c in case.clocks if c.done is not None]
    return max(done) if done else None


def row(path: str, blob: str | None, sig: str | None, text: str | None, error: str = "",
        limits: Limits = DEFAULT_LIMITS) -> tuple[Any, ...]:
    """One `cases` row from a file's text, through the strict reader (or its read error)."""
    data = None
    if text is not None:
        try:
            data = to_plain(load_plain(text, path, limits))
        except InvalidInput as exc:
            error = str(exc)
    if data is None:
        return (path, blob, sig, error or f"{path}: cannot read", *([None] * (len(COLUMNS) - 4)))
    case = Case.from_data(data, UTC)
    rec = CaseRecord.from_case(case, path)
    last_to, last_to_ts = _last_transition(data)
    record = json.dumps([getattr(rec, f) for f in RECORD_FIELDS], ensure_ascii=False)
    subject = " ".join(sorted(set(tokens(rec.subject))))
    return (path, blob, sig, None, rec.id, rec.status, _ts(rec.received_at), _ts(rec.resolved_at),
            _ts(rec.closed_at), _ts(get(data, F.REVISIT_AT)), last_to, last_to_ts, _next_due(case), _last_done(case),
            rec.category, rec.unit, rec.handler, rec.severity,
            "" if sealed(rec.complainant_name) else rec.complainant_name.strip(),
            contact_key(rec.complainant_contact) if rec.complainant_contact.strip() else "",
            " ".join(rec.complainant_lookup),  # R-AS-5: matched by equality (reporting.knowledge)
            record, json.dumps(data, ensure_ascii=False), " ".join(sorted(case_tokens(data))), subject,
            json.dumps(vector(data), ensure_ascii=False), json.dumps(report_facts(data), ensure_ascii=False))


def _fact_entry(e: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: e[k] for k in ("at", "to", "action", "by", "of") if k in e}
    out[FACT_DIGEST] = entry_digest(e)
    return out


def report_facts(data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a case document the report's figures read (reporting.reports: the status
    changes of the timeline in order, the clocks, the plan's due time, the revisit, the repeat
    flag; the bulletin's lesson) — a report over a month of 100,000 cases decodes these, not
    whole documents."""
    timeline = data.get("timeline")
    return {"id": data.get("id"), "status": data.get("status"),
            # every entry, cut down: the status changes, what met each clock, vouches, and the
            # whole entry's digest, which the record's stamps are keyed by (model.stamp)
            "timeline": [_fact_entry(e) for e in (timeline if isinstance(timeline, list) else ())
                         if isinstance(e, Mapping)],
            "clocks": data.get("clocks"), "plan": {"due": get(data, F.PLAN_DUE)},
            # an imported case (intake.source) is judged apart; R-DL-6 reads severity and validity;
            # R-IN-1: the report counts anonymous complaints apart
            "intake": {"received_at": get(data, F.INTAKE_RECEIVED_AT), "source": bool(get(data, F.INTAKE_SOURCE)),
                       "complainant": {"anonymous": get(data, F.INTAKE_COMPLAINANT_ANONYMOUS)}},
            # the current resolution and revisit (model.snapshot) need the resolution's time
            "resolution": {"at": get(data, F.RESOLUTION_AT)} if isinstance(data.get("resolution"), Mapping) else None,
            "revisit": {"at": get(data, F.REVISIT_AT), "satisfaction": get(data, F.REVISIT_SATISFACTION)},
            # R-AS-3: the report counts incidents declined
            "assessment": {"repeat": get(data, F.ASSESSMENT_REPEAT), "repeat_of": get(data, F.ASSESSMENT_REPEAT_OF),
                           "incident": get(data, F.ASSESSMENT_INCIDENT), "severity": get(data, F.ASSESSMENT_SEVERITY),
                           "valid": get(data, F.ASSESSMENT_VALID)},
            "closing": {"lesson": get(data, F.CLOSING_LESSON)}}


def build_rows(items: list[tuple[str, str | None, str | None, bytes | str]],
          limits: Limits = DEFAULT_LIMITS) -> list[tuple[Any, ...]]:
    """Rows from (path, blob, sig, content or the reason it was not read)."""
    out = []
    for path, blob, sig, raw in items:
        if isinstance(raw, str):
            out.append(row(path, blob, sig, None, raw))
            continue
        try:
            text = decode(raw, path)  # UTF-8 only, as every reader (R-WF)
        except InvalidInput as exc:
            out.append(row(path, blob, sig, None, str(exc)))
            continue
        out.append(row(path, blob, sig, text, limits=limits))
    return out
