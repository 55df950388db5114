"""Reading times typed by a person: dates, local times, ISO stamps."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from complaintctl.errors import InvalidInput


def parse_when(text: str, tz: tzinfo, option: str = "time") -> datetime:
    """`2026-11-22`, `2026-11-22 10:05`, `2026-11-22T10:05:00+08:00` → aware datetime."""
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{option}: {text!r} is not a date or time (e.g. 2026-11-22 or "
                           "2026-11-22 10:05)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_day_or_when(text: str, tz: tzinfo, option: str) -> date | datetime:
    """A bare date stays a date (the whole day); anything with a time becomes a moment."""
    raw = text.strip()
    if len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return parse_when(raw, tz, option)
