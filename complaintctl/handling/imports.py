"""`complaintctl import`: complaints from the channels an office already has (issue 14 §2-3).

Each source (a spreadsheet, an .eml, an mbox, a Maildir) is read into candidates — an
`Intake` each, with where it came from — and every candidate is checked before anything is
written: a bad row or message is reported with its row number (or message number) and
nothing from that source is committed. The cases are plain `received` cases recorded through
the same core as `new` (lifecycle.create_many: numbered, built, judged like the hooks judge
them), in one commit per source, by the person running `import`; later steps are not
replayed. A case keeps its source (`intake.source`: file and row key, or Message-ID), so
importing the same thing again creates nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.handling import lifecycle, steps
from complaintctl.handling.steps import Intake
from complaintctl.model.case import get
from complaintctl.model.ids import CASE_ID_RE
from complaintctl.model.snapshot import CaseRecord
from complaintctl.repo import index
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import knowledge

TABLES = (".xlsx", ".xlsm", ".csv")
MAIL = (".eml", ".mbox")


@dataclass(frozen=True)
class Candidate:
    where: str  # "register.xlsx row 5", "inbox.mbox message 3"
    intake: Intake | None  # None when the row or message is bad
    problems: tuple[str, ...] = ()  # one line each, naming the column/header and the rule
    files: tuple[tuple[str, bytes], ...] = ()  # materials to keep (name, content)
    existing: str = ""  # the case already recorded from it (nothing new is made)
    notes: tuple[str, ...] = ()  # warnings that do not stop the import (repeats, skipped files)


@dataclass(frozen=True)
class Plan:
    """What one source would bring in."""

    source: Path
    kind: str  # table or email
    candidates: tuple[Candidate, ...]
    problems: tuple[str, ...] = ()  # about the source as a whole (unreadable, a column missing)

    @property
    def bad(self) -> list[str]:
        return [*self.problems, *(f"{c.where}: {p}" for c in self.candidates for p in c.problems)]

    @property
    def new(self) -> list[Candidate]:
        return [c for c in self.candidates if c.intake is not None and not c.existing and not c.problems]


@dataclass(frozen=True)
class Defaults:
    """Values for fields a source does not carry (e.g. an e-mail's category), from the options."""

    channel: str = ""
    complainant_class: str = ""
    category: str = ""
    severity: str = ""
    values: Mapping[str, str] = field(default_factory=dict)


def source_kind(path: Path) -> str:
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new")):
            return "email"
        raise InvalidInput(f"{path}: a folder is imported only as a Maildir (with cur/ and new/)")
    suffix = path.suffix.lower()
    if suffix in TABLES:
        return "table"
    if suffix in MAIL:
        return "email"
    raise InvalidInput(f"{path}: cannot import {suffix or 'a file without an extension'} "
                       f"(known: {', '.join(TABLES + MAIL)}, or a Maildir folder)")


def imported_sources(records: Iterable[CaseRecord]) -> dict[tuple[str, str], str]:
    """(kind of key, key) -> case ID, for every case that says where it came from."""
    out: dict[tuple[str, str], str] = {}
    for r in records:
        src = get(r.data, "intake.source")
        if not isinstance(src, Mapping):
            continue
        if src.get("message_id"):
            out[("message_id", str(src["message_id"]))] = r.id
        if src.get("key"):
            out[("row", f"{src.get('file')}\0{src.get('key')}")] = r.id
    return out


def already(records: list[CaseRecord], sources: Mapping[tuple[str, str], str], intake: Intake) -> str:
    """The case this intake was already recorded as, or "": by its source, or — for a file our own
    export wrote — by the original case ID in its key column, when that case is here."""
    src = intake.source
    if src.get("message_id") and ("message_id", str(src["message_id"])) in sources:
        return sources[("message_id", str(src["message_id"]))]
    found = sources.get(("row", f"{src.get('file')}\0{src.get('key')}"))
    if found:
        return found
    key = str(src.get("key") or "")
    if CASE_ID_RE.match(key):
        for r in records:
            if r.id == key and r.complainant_contact == intake.contact and r.subject == intake.subject:
                return r.id
    return ""


def settle(ws: Workspace, plan: Plan, records: list[CaseRecord]) -> Plan:
    """Mark what is already recorded, flag repeats (R-AS-5) and incidents (R-AS-3) as `new` does."""
    sources = imported_sources(records)
    seen: dict[tuple[str, str], str] = {}
    out = []
    for c in plan.candidates:
        if c.intake is None or c.problems:
            out.append(c)
            continue
        dup = already(records, sources, c.intake)
        if dup:
            out.append(replace(c, existing=dup))
            continue
        mark = (str(c.intake.source.get("message_id") or ""), str(c.intake.source.get("key") or ""))
        if mark in seen:
            out.append(replace(c, problems=(f"the same {'message' if mark[0] else 'key'} as {seen[mark]}",)))
            continue
        seen[mark] = c.where
        intake = steps.incident_choice(ws.policy, c.intake, None, False)  # R-AS-3, as `new` off a terminal
        repeats = knowledge.find_repeats(records, intake.name, intake.contact, intake.subject, intake.received_at)
        notes = c.notes
        if intake.incident and not c.intake.incident:
            notes += (f"recorded as incident {intake.incident} ({intake.severity}, R-AS-3)",)
        if repeats:
            intake = replace(intake, repeat_of=tuple(m.id for m in repeats))
            notes += (f"repeat complaint (R-AS-5): {', '.join(f'{m.id} ({m.reason})' for m in repeats)}",)
        out.append(replace(c, intake=intake, notes=notes))
    return replace(plan, candidates=tuple(out))


def commit(ws: Workspace, plan: Plan, now: datetime, actor: Identity) -> list[lifecycle.Result]:
    """All of the source's new cases in one commit, or none (a finding names its row)."""
    if plan.bad:
        raise InvalidInput(f"{plan.source}: nothing imported — {len(plan.bad)} problem(s):\n" + "\n".join(plan.bad))
    todo = plan.new
    items = [lifecycle.NewCase(c.intake, c.files, c.where) for c in todo if c.intake is not None]
    return lifecycle.create_many(ws, items, now, actor, f"import {plan.source.name}: {len(items)} case(s) — {{ids}}")


def load_records(ws: Workspace) -> list[CaseRecord]:
    return index.load_records(ws)


def is_blank_text(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
