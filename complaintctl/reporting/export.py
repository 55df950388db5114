"""Writing reports out: a text table, JSON, CSV (UTF-8 with BOM, for Excel) and XLSX.

A report is first laid out as `Section`s (title, headers, rows); every format prints the
same sections, so the table on screen and the spreadsheet never disagree.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.labels import CLOCK_STATES, label, words
from complaintctl.output import Col, one_line, split, table
from complaintctl.policy.clocks import IMPORTED, RECORDED_LATE, VOUCHED
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


DAYS = ("median_days", "p90_days")  # working days: a figure in CSV and XLSX, a duration on screen


def headline_rows(report: Report, days_text: Callable[[float], str] | None = None) -> tuple[tuple[Any, ...], ...]:
    """The headline's rows; with `days_text` (the screen), working-day figures written as
    durations (i18n.duration), a change with its sign."""
    lang = report.language
    rows = []
    for f in dataclasses.fields(Headline):
        now: Any = getattr(report.headline, f.name)
        before: Any = getattr(report.previous, f.name)
        change: Any = report.change(f.name)
        name = label(lang, f.name)
        if f.name in RATES:
            name += " (%)"
            now, before, change = pct(now), pct(before), pct(change)
        elif f.name in DAYS and days_text is not None:
            now, before = (None if v is None else days_text(v) for v in (now, before))
            change = None if change is None else ("-" if change < 0 else "+") + days_text(abs(change))
        rows.append((name, now, before, change))
    return tuple(rows)


def report_sections(report: Report, days_text: Callable[[float], str] | None = None) -> list[Section]:
    lang = report.language
    states = words(lang, CLOCK_STATES)

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
                headline_rows(report, days_text)),
        # R-RP-2: the classification table counts customer complaints; non-customer ones apart (R-DEF-2)
        Section("classification", L("classification"), (L("category"), *(u.label for u in t.units), L("total")),
                classification(t)),
        Section("non_customer_classification", L("non_customer_classification"),
                (L("category"), *(u.label for u in n.units), L("total")), classification(n)),
        Section("by_severity", L("by_severity"), (L("severity"), L("count")), counts(report.by_severity)),
        Section("by_channel", L("by_channel"), (L("channel"), L("count")), counts(report.by_channel)),
        Section("by_class", L("by_class"), (L("complainant_class"), L("count")),
                counts(report.by_class) + ((L("customer"), report.headline.customer),
                                           (L("non_customer"), report.headline.non_customer),
                                           (L("anonymous"), report.headline.anonymous))),
        Section("clocks", L("clocks"), (L("clock"), L("on_time"), L("late"), L("rate") + " (%)"),
                tuple((L(c.clock), c.on_time, c.late, pct(c.rate)) for c in report.clocks)),
        Section("satisfaction", L("satisfaction"), (L("satisfaction"), L("count")),
                tuple((L(c.key), c.count) for c in report.satisfaction)),
        Section("people", L("people"), (L("person"), L("p_received"), L("p_handled"), L("p_closed"),
                                        L("p_on_time")),
                tuple((p.name, p.received, p.handled, p.closed, p.on_time) for p in report.people)),
        # recorded time: a claim the record does not prove counts late; a vouch names who gave it (history)
        Section("against_record", L("against_record"), (L("case_id"), L("how")),
                tuple((cid, states[RECORDED_LATE]) for cid in report.recorded_late_ids)
                + tuple((cid, states[VOUCHED]) for cid in report.vouched_ids)
                + tuple((cid, states[IMPORTED]) for cid in report.imported_ids)
                + tuple((cid, L("upgraded")) for cid in report.upgraded_ids)),
    ]


def _cell(value: Any) -> Any:
    """A value as the text table and the CSV show it (a time: the office's wall clock, as given)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    return value


def to_text(sections: Sequence[Section], title: str = "", width: int | None = None,
            cols: Sequence[Col] | None = None) -> str:
    """The sections as text tables; with `width`, fitted to that many display columns
    (output.fit: by `cols`; a table of figures — no `cols` — is split into narrower tables
    repeating its row labels, output.split, so no count is ever cut)."""
    parts = [title] if title else []
    for s in sections:
        rows = [[_cell(v) for v in row] for row in s.rows]
        if not rows:
            body = "—"
        elif width is not None and (cols is None or len(cols) != len(s.headers)):
            body = split([[one_line(c) for c in r] for r in rows], [one_line(h) for h in s.headers], width)
        else:
            body = table(rows, list(s.headers), width, cols)
        parts.append(f"{s.title}\n{body}")
    return "\n\n".join(parts)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return _cell(value)  # a table's office-local time (the register's), as the table shows it
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
    """One sheet per section: headers bold and frozen, dates as real date cells, columns sized
    to their text (CJK characters count double), sheet names Excel accepts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for s in sections:
        ws = wb.create_sheet(sheet_name(s.title, used))
        ws.append(list(s.headers))
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"  # the header row stays in view while scrolling
        for row in s.rows:
            ws.append([_xlsx_cell(v) for v in row])
            for c in ws[ws.max_row]:
                if isinstance(c.value, datetime):
                    c.number_format = DATETIME_FORMAT if c.value.second == 0 else DATETIME_SECONDS_FORMAT
                elif isinstance(c.value, date):
                    c.number_format = DATE_FORMAT
        for col in ws.columns:
            width = max(_width(c.value) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    if title:
        wb.properties.title = title
    _write(path, lambda: wb.save(str(path)))


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATETIME_SECONDS_FORMAT = "yyyy-mm-dd hh:mm:ss"
MIN_WIDTH, MAX_WIDTH = 6, 60
SHEET_NAME_MAX = 31  # Excel's limit, in UTF-16 code units
SHEET_NAME_BANNED = frozenset("[]:*?/\\")


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel keeps no time zone: the wall-clock time as written (a case's times are the office's)
        return value.replace(tzinfo=None)
    return "" if value is None else value


def sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts, unique in the workbook: at most 31 characters, none of
    []:*?/\\, no apostrophe at either end; a long title loses its trailing parenthesis, then
    whole words — never half a word or half a character ("投诉登记周报 2026-W43")."""
    name = _fit("".join(ch for ch in title if ch not in SHEET_NAME_BANNED).strip().strip("'").strip(),
                SHEET_NAME_MAX) or "sheet"
    base, n = name, 2
    while name.casefold() in {u.casefold() for u in used} or name.casefold() == "history":
        suffix = f" ({n})"
        name, n = _fit(base, SHEET_NAME_MAX - len(suffix)) + suffix, n + 1
    used.add(name)
    return name


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> str:
    if _units(text) <= limit:
        return text
    while True:  # drop a trailing "(…)" as long as the rest still says something
        head, sep, tail = text.rpartition(" (")
        if not sep or not head.strip() or not tail.endswith(")"):
            break
        text = head.rstrip()
        if _units(text) <= limit:
            return text
    words = text.split(" ")
    kept = ""
    for w in words:
        candidate = f"{kept} {w}" if kept else w
        if _units(candidate) > limit:
            break
        kept = candidate
    kept = kept.rstrip(" -–—,;.")
    if kept:
        return kept
    # one long word (Chinese has no spaces): cut between characters, keeping combining marks,
    # joiners and variation selectors with the character they belong to
    out = ""
    for ch in text:
        if _units(out + ch) > limit:
            break
        out += ch
    while out and len(out) < len(text) and _joins(text[len(out)]):
        out = out[:-1]
    return out.rstrip()


def _joins(ch: str) -> bool:
    return bool(unicodedata.combining(ch)) or ch in "\u200d\ufe0e\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 19 if value.second else 16
    if isinstance(value, date):
        return 10
    from wcwidth import wcswidth

    text = "" if value is None else str(value)
    return max((max(wcswidth(line), len(line)) for line in text.splitlines()), default=0)


def _write(path: Path, writer: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write: {exc.strerror or exc}") from exc
