"""Who is told what, as a pure function of the case and the moment.

Every notice answers one timeline entry (`ref`, its index — the timeline is append-only):
- `incident` — the intake of a case recorded as an incident: the responsible unit's heads
  (R-AS-3: reported to the manager at once);
- `dispatch` — the latest assign/reassign: the handler and the heads copied (R-RT-2);
- `completion` — the latest resolve, while the case is resolved: the first receiver (R-IN-2:
  told within 2 h when handling completes);
- `reminder` — each R-DL-7 reminder `sweep` recorded, while its clock is still open: the
  handler (the dispatchers while nobody handles it) and the unit's heads;
- `escalation` — each escalate entry: the people of the level it reached (R-ES-1);
- `revisit` — the revisit clock of the latest resolution is near (`notifications.revisit_before`
  ahead of its due): the first receiver, who follows the case to the end (R-IN-2, R-CL-1).

News of the handling (incident, dispatch, escalation) is due only while the case is open.
Nobody is told of their own step, the person complained about is never told (R-RT-3, R-RT-5),
no notice is due on a closed or invalid case, nor for a step before `notifications.since`.
A recipient already named by a `notify` entry for the same notice is not told again, which is
what makes `complaintctl notify` idempotent across runs and clones. The validator accepts a
`notify` entry only when it names recipients this module says are still due (rules.due).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.case import as_datetime, get, is_blank
from complaintctl.policy.policy import Policy

NOTIFY = "notify"  # the timeline action that records a notice sent
KINDS = {"incident": "R-AS-3", "dispatch": "R-RT-2", "completion": "R-IN-2", "reminder": "R-DL-7",
         "escalation": "R-ES-1", "revisit": "R-CL-1"}
STOPPED = frozenset({"closed", "invalid"})


@dataclass(frozen=True)
class Notice:
    case_id: str
    kind: str  # a key of KINDS
    ref: int  # the timeline entry it answers
    recipients: tuple[str, ...]  # the policy's names, not yet told
    since: datetime  # when it became due
    clock: str = ""  # the clock it is about (reminder, revisit)
    due: datetime | None = None  # that clock's due time
    level: str = ""  # escalation: the level reached

    @property
    def rule(self) -> str:
        return KINDS[self.kind]


def _entries(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    t = data.get("timeline")
    return [e if isinstance(e, Mapping) else {} for e in t] if isinstance(t, list) else []


def told(data: Mapping[str, Any]) -> dict[tuple[str, int], set[str]]:
    """(kind, ref) -> the people `notify` entries already name."""
    out: dict[tuple[str, int], set[str]] = {}
    for e in _entries(data):
        if e.get("action") == NOTIFY and isinstance(e.get("ref"), int):
            out.setdefault((str(e.get("notice")), int(e["ref"])), set()).update(
                str(r) for r in (e.get("recipients") or []))
    return out


def _clock(data: Mapping[str, Any], name: str, tz: Any) -> tuple[datetime | None, datetime | None]:
    c = get(data, "clocks")
    c = c.get(name) if isinstance(c, Mapping) else None
    if not isinstance(c, Mapping):
        return None, None
    return as_datetime(c.get("due"), tz), as_datetime(c.get("done"), tz)


def _level_people(policy: Policy, level: str, unit: str) -> list[str]:
    if level == "head":
        return policy.heads_for(unit)
    return policy.with_role(level)


def pending(data: Mapping[str, Any], policy: Policy, now: datetime) -> list[Notice]:
    """The notices due on this case at `now`, each with the recipients not yet told."""
    settings = policy.notifications
    since = settings.since
    if since is None or data.get("status") in STOPPED:
        return []
    tz = policy.tz
    entries = _entries(data)
    done = told(data)
    case_id = str(data.get("id") or "")
    accused = str(get(data, F.ACCUSED_PERSON) or "").strip()
    handler = str(get(data, F.ROUTING_HANDLER) or "")
    unit = str(get(data, F.ROUTING_UNIT) or "")
    first = str(get(data, F.INTAKE_FIRST_RECEIVER) or "")
    system = policy.system_names()
    last = {a: max((i for i, e in enumerate(entries) if e.get("action") in acts), default=-1)
            for a, acts in (("assign", ("assign", "reassign")), ("resolve", ("resolve",)))}
    is_open = data.get("status") in workflow.OPEN_STATES  # news of the handling is stale once resolved
    out: list[Notice] = []

    def add(kind: str, ref: int, people: list[str], at: datetime, by: str = "", **extra: Any) -> None:
        skip = {by, accused, *system, *done.get((kind, ref), set())}
        names = tuple(dict.fromkeys(p for p in people if p and p not in skip))
        if names:
            out.append(Notice(case_id, kind, ref, names, at, **extra))

    for i, e in enumerate(entries):
        at = as_datetime(e.get("at"), tz)
        if at is None or at < since or at > now:
            continue
        action, by = e.get("action"), str(e.get("by") or "")
        if action == "received" and is_open and not is_blank(get(data, F.ASSESSMENT_INCIDENT)) \
                and get(data, F.ASSESSMENT_INCIDENT) != "none":
            category = policy.categories.get(str(get(data, F.ASSESSMENT_CATEGORY)))
            add("incident", i, policy.heads_for(category.unit if category else policy.default_unit), at, by)
        elif action in ("assign", "reassign") and i == last["assign"] and is_open:
            add("dispatch", i, [str(e.get("handler") or ""), *[str(c) for c in e.get("copied") or []]], at, by)
        elif action == "resolve" and i == last["resolve"] and data.get("status") == "resolved":
            add("completion", i, [first], at, by)
        elif action == "remind":
            clock = str(e.get("clock") or "")
            due, finished = _clock(data, clock, tz)
            if finished is None:
                people = [handler] if handler else policy.with_role("dispatcher")
                add("reminder", i, [*people, *policy.heads_for(unit)] if unit else people, at, by,
                    clock=clock, due=as_datetime(e.get("due"), tz) or due)
        elif action == "escalate" and e.get("level") and is_open:
            level = str(e.get("level"))
            add("escalation", i, _level_people(policy, level, unit), at, by, level=level)
    ref = last["resolve"]
    if data.get("status") == "resolved" and ref >= 0:
        resolved = as_datetime(entries[ref].get("at"), tz)
        due, finished = _clock(data, "revisit", tz)
        if resolved is not None and resolved >= since and due is not None and finished is None:
            start = due - settings.revisit_before
            if now >= start:
                add("revisit", ref, [first], start, clock="revisit", due=due)
    return out


def matching(entry: Mapping[str, Any], due: list[Notice]) -> Notice | None:
    """The due notice this `notify` entry records, if it names only recipients still due."""
    names = [str(r) for r in (entry.get("recipients") or [])] if isinstance(entry.get("recipients"), list) else []
    for n in due:
        if n.kind == entry.get("notice") and n.ref == entry.get("ref"):
            ok = bool(names) and len(set(names)) == len(names) and set(names) <= set(n.recipients)
            return n if ok else None
    return None
