"""Reporting periods: a month, an ISO week, a quarter, a year or a date range (R-RP-1).

`2026-10`, `2026-W43`, `2026-Q3`, `2026`, `2026-10-01..2026-10-15`. A period is a span of
whole days in the office's timezone; `previous()` is the span just before it, of the same
kind (the previous month, week, quarter, year, or a range of the same length).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from complaintctl.errors import InvalidInput
from complaintctl.model.timeparse import check_year, clip

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_LEADING_YEAR = re.compile(r"^(\d{4})")
EXAMPLES = "2026-10, 2026-W43, 2026-Q3, 2026 or 2026-10-01..2026-10-15"

@dataclass(frozen=True)
class Period:
    kind: str  # month, week, quarter, year, range
    label: str
    first: date  # first day, inclusive
    last: date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def start(self, tz: tzinfo) -> datetime:
        return datetime.combine(self.first, time(0), tz)

    def end(self, tz: tzinfo) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tz)

    def contains(self, moment: datetime, tz: tzinfo) -> bool:
        return self.start(tz) <= moment < self.end(tz)

    def previous(self) -> Period:
        if self.kind == "month":
            before = self.first - timedelta(days=1)
            return month(before.year, before.month)
        if self.kind == "week":
            iso = (self.first - timedelta(days=7)).isocalendar()
            return week(iso.year, iso.week)
        if self.kind == "quarter":
            before = self.first - timedelta(days=1)
            return quarter(before.year, (before.month - 1) // 3 + 1)
        if self.kind == "year":
            return year(self.first.year - 1)
        last = self.first - timedelta(days=1)
        first = last - timedelta(days=self.days - 1)
        return Period("range", f"{first.isoformat()}..{last.isoformat()}", first, last)

    @property
    def slug(self) -> str:
        """A file-name-safe form of the label (`2026-10-01_2026-10-15` for a range)."""
        return self.label.replace("..", "_")


def month(y: int, m: int) -> Period:
    first = date(y, m, 1)
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return Period("month", f"{y:04d}-{m:02d}", first, nxt - timedelta(days=1))


def week(y: int, w: int) -> Period:
    first = date.fromisocalendar(y, w, 1)
    return Period("week", f"{y:04d}-W{w:02d}", first, first + timedelta(days=6))


def quarter(y: int, q: int) -> Period:
    first = date(y, 3 * q - 2, 1)
    last = month(y, 3 * q).last
    return Period("quarter", f"{y:04d}-Q{q}", first, last)


def year(y: int) -> Period:
    return Period("year", f"{y:04d}", date(y, 1, 1), date(y, 12, 31))


def parse_period(text: str) -> Period:
    """Parse a period as typed on the command line; anything else is refused with examples."""
    raw = text.strip()
    if (y := _LEADING_YEAR.match(raw)) is not None:
        check_year(int(y[1]), f"period {clip(text)!r}")
    try:
        if m := _MONTH.match(raw):
            return month(int(m[1]), int(m[2]))
        if m := _WEEK.match(raw):
            return week(int(m[1]), int(m[2]))
        if m := _QUARTER.match(raw):
            return quarter(int(m[1]), int(m[2]))
        if m := _YEAR.match(raw):
            return year(int(m[1]))
        if m := _RANGE.match(raw):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            check_year(last.year, f"period {clip(text)!r}")
            if last < first:
                raise InvalidInput(f"period {text!r}: the range ends before it starts")
            return Period("range", f"{m[1]}..{m[2]}", first, last)
    except ValueError:
        raise InvalidInput(f"period {text!r} is not a real month, week or day (e.g. {EXAMPLES})") from None
    raise InvalidInput(f"period {text!r} is not understood (e.g. {EXAMPLES})")


def parse_week(text: str) -> Period:
    """`register --week`: an ISO week (`2026-W43`) or any day inside it (`2026-10-21`)."""
    raw = text.strip()
    if (y := _LEADING_YEAR.match(raw)) is not None:
        check_year(int(y[1]), f"--week {clip(text)!r}")
    if m := _WEEK.match(raw):
        try:
            return week(int(m[1]), int(m[2]))
        except ValueError:
            raise InvalidInput(f"--week {text!r}: no such ISO week") from None
    try:
        iso = date.fromisoformat(raw).isocalendar()
    except ValueError:
        raise InvalidInput(f"--week {text!r}: expected an ISO week like 2026-W43 or a date") from None
    return week(iso.year, iso.week)
