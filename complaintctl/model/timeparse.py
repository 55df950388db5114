"""Reading times typed by a person: dates, local times, ISO stamps — only real ones, between
2000-01-01 and 2100-12-31 with a real UTC offset (what case files may hold, model/reader)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from complaintctl.errors import BadValue
from complaintctl.model.reader import FIRST_YEAR, LAST_YEAR, check_moment


def parse_when(text: str, tz: tzinfo, option: str = "time") -> datetime:
    """`2026-11-22`, `2026-11-22 10:05`, `2026-11-22T10:05:00+08:00` → aware datetime."""
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise BadValue(f"{option}: {clip(text)!r} is not a date or time (e.g. 2026-11-22 or "
                       "2026-11-22 10:05)") from None
    _in_range(moment, option)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_day_or_when(text: str, tz: tzinfo, option: str) -> date | datetime:
    """A bare date stays a date (the whole day); anything with a time becomes a moment."""
    raw = text.strip()
    if len(raw) == 10:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            _in_range(day, option)
            return day
    return parse_when(raw, tz, option)


def check_year(year: int, option: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadValue(f"{option}: year {year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    return year


def _in_range(moment: date, option: str) -> None:
    why = check_moment(moment)
    if why:
        raise BadValue(f"{option}: {why}")


def clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width] + "…"
