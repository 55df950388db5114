"""Intake from an office's spreadsheet register: .xlsx (openpyxl) or .csv.

Columns map to fields through a mapping (YAML: column header → field); the default is what
`complaintctl export --xlsx` writes (reporting.intake_export.COLUMNS, in zh or en). The first
row holds the headers. Every row is checked (R-IN-1's fields present, the policy's
vocabularies — a key or its zh/en label —, a real receipt time not in the future) and each
problem is named with its row number and column. A row's key is its key column (`key`:
our export's 编号/ID) or, without one, a hash of what the row says — so the same file
imported again creates nothing new.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.handling.imports import Candidate, Defaults, Plan
from complaintctl.handling.steps import Intake
from complaintctl.labels import resolve
from complaintctl.model import fields as F
from complaintctl.policy.policy import Policy
from complaintctl.reporting.intake_export import COLUMNS, KEY, LIST_SEPARATOR, VOCABULARY, default_mapping

FIELDS = tuple(f for f, _, _ in COLUMNS)
REQUIRED = {  # R-IN-1: what a row must give (or --channel/--complainant-class/--category)
    F.INTAKE_RECEIVED_AT: "R-IN-1", F.INTAKE_CHANNEL: "R-DEF-4", F.INTAKE_COMPLAINANT_NAME: "R-IN-1",
    F.INTAKE_COMPLAINANT_CLASS: "R-DEF-2", F.INTAKE_COMPLAINANT_CONTACT: "R-IN-1", F.INTAKE_SUBJECT: "R-IN-1",
    F.INTAKE_DETAILS: "R-IN-1", F.ASSESSMENT_CATEGORY: "R-DEF-3",
}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel in a Chinese locale saves CSV as GBK


def load_mapping(path: Path | None) -> dict[str, str]:
    """header -> field (None/empty: ignore the column); the default is the export's columns."""
    if path is None:
        return default_mapping()
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise InvalidInput(f"{path}: cannot read the mapping: {' '.join(str(exc).split())[:200]}") from None
    if not isinstance(data, Mapping) or not data:
        raise InvalidInput(f"{path}: a mapping file is YAML `column header: field` (fields: {', '.join(FIELDS)})")
    out: dict[str, str] = {}
    for header, target in data.items():
        if target in (None, ""):
            continue
        if str(target) not in FIELDS:
            raise InvalidInput(f"{path}: {header}: {target!r} is not a field an import fills "
                               f"(known: {', '.join(FIELDS)})")
        out[str(header).strip()] = str(target)
    return out


def read_rows(path: Path) -> list[list[Any]]:
    """Every row of the first sheet (or the CSV), cells as the file holds them."""
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for enc in CSV_ENCODINGS:
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput(f"{path}: not UTF-8 nor GB18030 text")
        return [list(r) for r in csv.reader(io.StringIO(text))]
    from openpyxl import load_workbook  # loaded only for a spreadsheet: it takes a while
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(str(path), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InvalidInput(f"{path}: not an Excel workbook ({' '.join(str(exc).split())[:120]})") from None
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number Excel stored as a number
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _when(value: Any, policy: Policy) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    else:
        text = _text(value).replace("/", "-").replace("T", " ")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{text!r} is not a date or time (e.g. 2026-11-22 10:05)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=policy.tz)


def vocabulary_key(policy: Policy, vocab: str, value: str) -> str | None:
    """A vocabulary's key from its key or its zh/en label (labels.resolve, as the options)."""
    return resolve(value, policy.names(vocab))


def row_candidate(where: str, file: str, row_no: int, values: Mapping[str, Any], policy: Policy,
                  defaults: Defaults, now: datetime, header_of: Mapping[str, str]) -> Candidate:
    problems: list[str] = []
    got: dict[str, str] = {}
    fallback = {F.INTAKE_CHANNEL: defaults.channel, F.INTAKE_COMPLAINANT_CLASS: defaults.complainant_class,
                F.ASSESSMENT_CATEGORY: defaults.category, F.ASSESSMENT_SEVERITY: defaults.severity or "general"}
    for field in FIELDS:
        got[field] = _text(values.get(field)) or fallback.get(field, "")

    def col(field: str) -> str:
        return f"{header_of[field]} ({field})" if field in header_of else field

    received: datetime | None = None
    if values.get(F.INTAKE_RECEIVED_AT) not in (None, ""):
        try:
            received = _when(values[F.INTAKE_RECEIVED_AT], policy)
            if received > now:
                problems.append(f"{col('intake.received_at')}: R-IN-1: {received.isoformat()} is in the future")
        except InvalidInput as exc:
            problems.append(f"{col('intake.received_at')}: R-IN-1: {exc}")
    for field, rule in REQUIRED.items():
        if field == F.INTAKE_RECEIVED_AT:
            if received is None and not any(p.startswith(col(field)) for p in problems):
                problems.append(f"{col(field)}: {rule}: required")
        elif not got[field]:
            problems.append(f"{col(field)}: {rule}: required")
    for field, vocab in VOCABULARY.items():
        if got[field]:
            key = vocabulary_key(policy, vocab, got[field])
            if key is None:
                known = ", ".join(getattr(policy, vocab))
                problems.append(f"{col(field)}: {REQUIRED.get(field, 'R-AS-2')}: {got[field]!r} is not in the "
                                f"policy's {vocab} ({known})")
            else:
                got[field] = key
    if problems or received is None:
        return Candidate(where, None, tuple(problems))
    said = "\0".join(got[f] for f in FIELDS if f != KEY)
    key = got[KEY] or "sha256:" + hashlib.sha256(said.encode()).hexdigest()[:16]
    materials = tuple(m.strip() for m in got[F.INTAKE_MATERIALS].split(LIST_SEPARATOR.strip()) if m.strip())
    intake = Intake(
        channel=got[F.INTAKE_CHANNEL], name=got[F.INTAKE_COMPLAINANT_NAME], contact=got[F.INTAKE_COMPLAINANT_CONTACT],
        complainant_class=got[F.INTAKE_COMPLAINANT_CLASS], category=got[F.ASSESSMENT_CATEGORY],
        subject=got[F.INTAKE_SUBJECT], details=got[F.INTAKE_DETAILS], received_at=received,
        severity=got[F.ASSESSMENT_SEVERITY], location=got[F.INTAKE_LOCATION], address=got[F.INTAKE_COMPLAINANT_ADDRESS],
        first_receiver=got[F.INTAKE_FIRST_RECEIVER], accused_person=got[F.ACCUSED_PERSON],
        accused_unit=got[F.ACCUSED_UNIT], materials=materials,
        source={"file": file, "row": row_no, "key": key})
    return Candidate(where, intake)


def plan(path: Path, mapping: Mapping[str, str], policy: Policy, defaults: Defaults, now: datetime) -> Plan:
    rows = read_rows(path)
    start = next((i for i, r in enumerate(rows) if any(_text(c) for c in r)), None)
    if start is None:
        return Plan(path, "table", (), (f"{path.name}: no rows",))
    headers = [_text(c) for c in rows[start]]
    columns = {i: mapping[h] for i, h in enumerate(headers) if h in mapping}
    header_of = {field: headers[i] for i, field in columns.items()}
    missing = [f for f, rule in REQUIRED.items() if f not in header_of and not {
        F.INTAKE_CHANNEL: defaults.channel, F.INTAKE_COMPLAINANT_CLASS: defaults.complainant_class,
        F.ASSESSMENT_CATEGORY: defaults.category}.get(f)]
    if missing:
        wanted = {field: h for h, field in mapping.items()}
        return Plan(path, "table", (), tuple(f"{path.name}: no column for {f} ({REQUIRED[f]}; e.g. "
                                             f"{wanted.get(f, f)!r}) — see --mapping" for f in missing))
    out = []
    for n, row in enumerate(rows[start + 1:], start + 2):  # spreadsheet row numbers start at 1
        if not any(_text(c) for c in row):
            continue
        values = {field: row[i] for i, field in columns.items() if i < len(row)}
        out.append(row_candidate(f"{path.name} row {n}", path.name, n, values, policy, defaults, now, header_of))
    return Plan(path, "table", tuple(out))
