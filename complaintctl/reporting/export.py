"""Writing reports out: a text table, JSON, CSV (UTF-8 with BOM, for Excel) and XLSX.

A report is first laid out as `Section`s (title, headers, rows); every format prints the
same sections, so the table on screen and the spreadsheet never disagree.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.labels import label
from complaintctl.output import FIXED, Col, table
from complaintctl.reporting.reports import ClassificationTable, Headline, Report

RATES = ("on_time_rate", "satisfaction_rate")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def headline_rows(report: Report) -> tuple[tuple[Any, ...], ...]:
    lang = report.language
    rows = []
    for f in dataclasses.fields(Headline):
        now, before, change = getattr(report.headline, f.name), getattr(report.previous, f.name), \
            report.change(f.name)
        name = label(lang, f.name)
        if f.name in RATES:
            name += " (%)"
            now, before, change = pct(now), pct(before), pct(change)
        rows.append((name, now, before, change))
    return tuple(rows)


def report_sections(report: Report) -> list[Section]:
    lang = report.language

    def L(key: str) -> str:  # noqa: N802 - short on purpose, read like a label
        return label(lang, key)

    def classification(t: ClassificationTable) -> tuple[tuple[Any, ...], ...]:
        return tuple((r.label, *r.counts, r.total) for r in t.rows) + \
            ((L("total"), *(u.count for u in t.units), t.total),)

    t, n = report.table, report.non_customer_table

    def counts(items: Sequence[Any]) -> tuple[tuple[Any, ...], ...]:
        return tuple((c.label, c.count) for c in items)

    return [
        Section("headline", L("headline"), (L("figure"), f"{L('value')} {report.period.label}",
                                            f"{L('previous')} {report.previous_period.label}", L("change")),
                headline_rows(report)),
        # R-RP-2: the classification table counts customer complaints; non-customer ones apart (R-DEF-2)
        Section("classification", L("classification"), (L("category"), *(u.label for u in t.units), L("total")),
                classification(t)),
        Section("non_customer_classification", L("non_customer_classification"),
                (L("category"), *(u.label for u in n.units), L("total")), classification(n)),
        Section("by_severity", L("by_severity"), (L("severity"), L("count")), counts(report.by_severity)),
        Section("by_channel", L("by_channel"), (L("channel"), L("count")), counts(report.by_channel)),
        Section("by_class", L("by_class"), (L("complainant_class"), L("count")),
                counts(report.by_class) + ((L("customer"), report.headline.customer),
                                           (L("non_customer"), report.headline.non_customer))),
        Section("clocks", L("clocks"), (L("clock"), L("on_time"), L("late"), L("rate") + " (%)"),
                tuple((L(c.clock), c.on_time, c.late, pct(c.rate)) for c in report.clocks)),
        Section("satisfaction", L("satisfaction"), (L("satisfaction"), L("count")),
                tuple((L(c.key), c.count) for c in report.satisfaction)),
        Section("people", L("people"), (L("person"), L("p_received"), L("p_handled"), L("p_closed"),
                                        L("p_on_time")),
                tuple((p.name, p.received, p.handled, p.closed, p.on_time) for p in report.people)),
    ]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def to_text(sections: Sequence[Section], title: str = "", width: int | None = None,
            cols: Sequence[Col] | None = None) -> str:
    """The sections as text tables; with `width`, fitted to that many display columns
    (output.fit: by `cols`, or else only the headers' padding gives way)."""
    parts = [title] if title else []
    for s in sections:
        how = cols if cols is not None and len(cols) == len(s.headers) else (FIXED,) * len(s.headers)
        body = table([[_cell(v) for v in row] for row in s.rows], list(s.headers), width, how) if s.rows else "—"
        parts.append(f"{s.title}\n{body}")
    return "\n\n".join(parts)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, indent=2, allow_nan=False)  # valid JSON only


def report_json(report: Report) -> str:
    data = _plain(dataclasses.asdict(report))
    data["change"] = {f.name: report.change(f.name) for f in dataclasses.fields(Headline)}
    data["clocks"] = [dict(c, rate=r.rate) for c, r in zip(data["clocks"], report.clocks, strict=True)]
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


def csv_text(sections: Sequence[Section]) -> str:
    """All sections one after another, a title line and a blank line between them."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for i, s in enumerate(sections):
        if i:
            w.writerow([])
        w.writerow([s.title])
        w.writerow(s.headers)
        for row in s.rows:
            w.writerow([_cell(v) for v in row])
    return buf.getvalue()


def write_csv(sections: Sequence[Section], path: Path) -> None:
    # UTF-8 with a BOM: Excel opens Chinese text correctly only with it.
    _write(path, lambda: path.write_text(csv_text(sections), encoding="utf-8-sig", newline=""))


def write_table_csv(section: Section, path: Path) -> None:
    """One table: the header row, then the rows (what `import` reads)."""
    def text() -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(section.headers)
        for row in section.rows:
            w.writerow([v.isoformat(sep=" ") if isinstance(v, datetime) else _cell(v) for v in row])
        return buf.getvalue()

    _write(path, lambda: path.write_text(text(), encoding="utf-8-sig", newline=""))


def write_xlsx(sections: Sequence[Section], path: Path, title: str = "") -> None:
    """One sheet per section, headers bold, columns sized to their text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for s in sections:
        name = _sheet_name(s.title, used)
        ws = wb.create_sheet(name)
        ws.append(list(s.headers))
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in s.rows:
            ws.append([_cell(v) for v in row])
        for col in ws.columns:
            width = max(_width(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, width + 2)
    if title:
        wb.properties.title = title
    _write(path, lambda: wb.save(str(path)))


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base} {n}", n + 1
    used.add(name)
    return name


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write(path: Path, writer: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write: {exc.strerror or exc}") from exc
