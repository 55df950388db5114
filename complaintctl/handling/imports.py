"""`complaintctl import`: complaints from the channels an office already has (R-IN-1).

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

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.handling import lifecycle, steps
from complaintctl.handling.steps import Intake
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import get
from complaintctl.model.ids import CASE_ID_RE
from complaintctl.model.snapshot import CaseRecord
from complaintctl.repo import index
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace
from complaintctl.reporting import knowledge

TABLES = (".xlsx", ".xlsm", ".csv")
MAIL = (".eml", ".mbox")
# What became of a source (`import --json` prints the key)
REFUSED, NOTHING_NEW, DRY_RUN = "refused", "nothing new", "dry run"
NOT_CONFIRMED, IMPORTED = "not confirmed", "imported"
Ask = Callable[[str, str, list[str]], str]  # (where, prompt, choices) -> the answer


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
        src = get(r.data, F.INTAKE_SOURCE)
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
        repeats = knowledge.find_repeats(records, intake.name, intake.contact, intake.subject, intake.received_at,
                                         caller=lifecycle.repeat_caller(ws, intake))
        notes = c.notes
        if intake.incident and not c.intake.incident:
            notes += (_("recorded as incident {incident} ({severity}, R-AS-3)").format(
                incident=intake.incident, severity=intake.severity),)
        if repeats:
            intake = replace(intake, repeat_of=tuple(m.id for m in repeats))
            notes += (_("repeat complaint (R-AS-5): {cases}").format(
                cases=", ".join(f"{m.id} ({m.reason})" for m in repeats)),)
        out.append(replace(c, intake=intake, notes=notes))
    return replace(plan, candidates=tuple(out))


def commit(ws: Workspace, plan: Plan, now: datetime, actor: Identity) -> list[lifecycle.Result]:
    """All of the source's new cases in one commit, or none (a finding names its row)."""
    if plan.bad:
        raise InvalidInput(_refusal(plan) + "\n" + "\n".join(plan.bad))
    todo = plan.new
    items = [lifecycle.NewCase(c.intake, c.files, c.where) for c in todo if c.intake is not None]
    return lifecycle.create_many(ws, items, now, actor, plan.source.name)


@dataclass(frozen=True)
class Options:
    """How `import` takes its sources (its options)."""

    mapping: Path | None = None  # a spreadsheet's `column header: field` (default: export's columns)
    defaults: Defaults = field(default_factory=Defaults)
    dry_run: bool = False
    yes: bool = False  # commit without asking
    skip_disallowed: bool = False  # an attachment over the materials limits: recorded by name only


@dataclass(frozen=True)
class Outcome:
    """What became of one source: its plan, the result (REFUSED…IMPORTED), the cases made, and
    what to tell the user in the office's language — `warning` on stderr, even beside --json."""

    plan: Plan
    result: str
    imported: tuple[lifecycle.Result, ...] = ()
    message: str = ""
    warning: bool = False


def run(ws: Workspace, sources: Iterable[Path], options: Options, now: datetime, actor: Identity, *,
        show: Callable[[Plan], None], ask: Ask | None = None,
        confirm: Callable[[str], bool] | None = None) -> Iterator[Outcome]:
    """Each source in turn: read it, settle it against the cases recorded so far, `show` what it
    would bring, then commit its new cases in one commit — unless a candidate is bad (nothing from
    that source), there is nothing new, it is a dry run, or it is not confirmed (`--yes`, else
    `confirm(question)`; None: no one to ask). `ask` puts a question an e-mail leaves open."""
    from complaintctl.handling import import_mail, import_table  # heavy readers load only here

    columns = import_table.load_mapping(options.mapping)
    records = load_records(ws)
    for path in sources:
        if source_kind(path) == "table":
            plan = import_table.plan(path, columns, ws.policy, options.defaults, now)
        else:
            plan = import_mail.plan(path, ws.policy, options.defaults, now, ask, options.skip_disallowed)
        plan = settle(ws, plan, records)
        show(plan)
        if plan.bad:
            said = _("error: {message}").format(message=_refusal(plan))
            yield Outcome(plan, REFUSED, message="\n".join([said, *(f"  {line}" for line in plan.bad)]), warning=True)
            continue
        todo = plan.new
        if not todo:
            yield Outcome(plan, NOTHING_NEW, message=_("{file}: nothing new to import").format(file=path.name))
            continue
        if options.dry_run:
            yield Outcome(plan, DRY_RUN, message=_("{file}: {n} case(s) would be imported (dry run)").format(
                file=path.name, n=len(todo)))
            continue
        if not options.yes:
            if confirm is None:
                yield Outcome(plan, NOT_CONFIRMED, warning=True, message=_(
                    "{file}: nothing committed — give --yes to import {n} case(s)").format(file=path.name, n=len(todo)))
                continue
            if not confirm(_("Import {n} case(s) from {file}?").format(n=len(todo), file=path.name)):
                yield Outcome(plan, NOT_CONFIRMED)
                continue
        results = commit(ws, plan, now, actor)
        said = _("{file}: imported {n} case(s) {first} … {last}, commit {commit}").format(
            file=path.name, n=len(results), first=results[0].case_id, last=results[-1].case_id,
            commit=results[0].commit[:10])
        yield Outcome(plan, IMPORTED, tuple(results), said)
        records = load_records(ws)


def refused(outcomes: Iterable[Outcome]) -> ComplaintError | None:
    """The error `import` ends with when a source was refused (each problem said already)."""
    n = sum(1 for o in outcomes if o.result == REFUSED)
    return ComplaintError(_("{n} source(s) not imported (each problem is listed above)").format(n=n)) if n else None


def _refusal(plan: Plan) -> str:
    return _("{source}: nothing imported — {n} problem(s):").format(source=plan.source, n=len(plan.bad))


def load_records(ws: Workspace) -> list[CaseRecord]:
    return index.load_records(ws)


def is_blank_text(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
