"""Time limits as the policy writes them, and the arithmetic that turns them into due times.

- `5min`, `24h`, `90 minutes`, `2 hours`: clock time — elapsed real time (a DST change
  does not stretch or shrink it).
- `2 working hours`: business hours of the office's calendar only.
- `3 working days`: close of business on the 3rd working day after the day of receipt
  (RULEBOOK §5).
- `13 days`, `1 month`: calendar days/months — the same local time that many days or
  months later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from complaintctl.errors import InvalidInput, PolicyError

MINUTES, HOURS, WORKING_HOURS, WORKING_DAYS, DAYS, MONTHS = (
    "minutes", "hours", "working hours", "working days", "days", "months")
WORKING_UNITS = frozenset({WORKING_HOURS, WORKING_DAYS})

_UNITS = {
    "m": MINUTES, "min": MINUTES, "mins": MINUTES, "minute": MINUTES, "minutes": MINUTES,
    "h": HOURS, "hr": HOURS, "hrs": HOURS, "hour": HOURS, "hours": HOURS,
    "working hour": WORKING_HOURS, "working hours": WORKING_HOURS,
    "working day": WORKING_DAYS, "working days": WORKING_DAYS,
    "d": DAYS, "day": DAYS, "days": DAYS, "calendar day": DAYS, "calendar days": DAYS,
    "month": MONTHS, "months": MONTHS,
}
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z][a-z ]*?)\s*$")


class Calendar(Protocol):
    """What the arithmetic needs from a working calendar (policy.calendar.WorkCalendar)."""

    tz: ZoneInfo

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime: ...

    def working_seconds_between(self, start: datetime, end: datetime) -> float: ...

    def is_working_day(self, d: date) -> bool: ...

    def next_working_day(self, d: date) -> date: ...

    def close_of_business(self, d: date) -> datetime: ...


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: str

    @property
    def in_working_time(self) -> bool:
        return self.unit in WORKING_UNITS

    def __str__(self) -> str:
        n = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{n} {self.unit}"


def parse_duration(text: object, key: str = "duration") -> Duration:
    """`5min`, `24h`, `2 working hours`, `3 working days`, `13 days`, `1 month`."""
    m = _RE.match(str(text).lower()) if isinstance(text, str | int) else None
    unit = _UNITS.get(" ".join(m.group(2).split())) if m else None
    if m is None or unit is None:
        raise InvalidInput(f"{key}: {text!r} is not a time limit (e.g. 5min, 24h, 2 working hours, "
                           "3 working days, 13 days)")
    amount = float(m.group(1))
    if unit in (WORKING_DAYS, DAYS, MONTHS) and amount != int(amount):
        raise InvalidInput(f"{key}: {text!r}: {unit} must be a whole number")
    return Duration(amount, unit)


def _local_shift(start: datetime, tz: ZoneInfo, days: int = 0, months: int = 0) -> datetime:
    local = start.astimezone(tz).replace(tzinfo=None)
    if months:
        month0 = local.month - 1 + months
        year, month = local.year + month0 // 12, month0 % 12 + 1
        day = local.day
        while True:
            try:
                local = local.replace(year=year, month=month, day=day)
                break
            except ValueError:
                day -= 1  # 31 January + 1 month = 28/29 February
    local += timedelta(days=days)
    return local.replace(tzinfo=tz)


def add(start: datetime, limit: Duration, cal: Calendar) -> datetime:
    """The due time for `limit` counted from `start`, in the calendar's timezone."""
    if start.tzinfo is None:
        raise ValueError("naive datetime")
    tz = cal.tz
    if limit.unit == MINUTES:
        return (start.astimezone(ZoneInfo("UTC")) + timedelta(minutes=limit.amount)).astimezone(tz)
    if limit.unit == HOURS:
        return (start.astimezone(ZoneInfo("UTC")) + timedelta(hours=limit.amount)).astimezone(tz)
    if limit.unit == WORKING_HOURS:
        return cal.add_working_seconds(start, limit.amount * 3600)
    if limit.unit == DAYS:
        return _local_shift(start, tz, days=int(limit.amount))
    if limit.unit == MONTHS:
        return _local_shift(start, tz, months=int(limit.amount))
    # WORKING_DAYS: close of business on the N-th working day after the day of receipt.
    day = start.astimezone(tz).date()
    n = int(limit.amount)
    if n == 0:
        day = day if cal.is_working_day(day) else cal.next_working_day(day)
    for _ in range(n):
        day = cal.next_working_day(day)
    return cal.close_of_business(day)


def shift(due: datetime, start: datetime, end: datetime, limit: Duration, cal: Calendar) -> datetime:
    """Move `due` later by the time between start and end, measured as `limit` measures time:
    business hours for working-time limits, real time otherwise (the pause rule)."""
    if end <= start:
        return due
    if limit.in_working_time:
        return cal.add_working_seconds(due, cal.working_seconds_between(start, end))
    return (due.astimezone(ZoneInfo("UTC")) + (end - start)).astimezone(cal.tz)


def parse_moment(value: Any, tz: tzinfo, source: str, key: str) -> datetime:
    """A moment the policy names (`ledger.since`, `notifications.since`): a date-time, or a
    date meaning its midnight, in the office's time zone when it names none."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tz)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise PolicyError(f"{source}: {key}: {value!r} is not a date or date-time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    raise PolicyError(f"{source}: {key}: expected a date or date-time (e.g. 2026-12-01T00:00:00+08:00)")
