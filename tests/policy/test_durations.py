"""Time limits: parsing and arithmetic, around real 2026 holidays and a DST office."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintctl.errors import InvalidInput
from complaintctl.policy.calendar import WorkCalendar, parse_calendar
from complaintctl.policy.durations import Duration, add, parse_duration, shift

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")


def cal(tz: str = "Asia/Shanghai", country: str = "CN", **extra: object) -> WorkCalendar:
    return WorkCalendar(parse_calendar({"country": country, **extra}, "test", tz))


def d(text: str) -> Duration:
    return parse_duration(text)


@pytest.mark.parametrize(("text", "amount", "unit"), [
    ("5min", 5, "minutes"), ("24h", 24, "hours"), ("2 working hours", 2, "working hours"),
    ("3 working days", 3, "working days"), ("13 days", 13, "days"), ("1 month", 1, "months"),
    ("1 working day", 1, "working days"), ("90 minutes", 90, "minutes"), ("1.5h", 1.5, "hours"),
])
def test_parse(text: str, amount: float, unit: str) -> None:
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize("text", ["", "soon", "3 weeks", "1.5 working days", "-2h", "5"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a time limit|whole number"):
        parse_duration(text, "deadlines.x")


def test_clock_minutes_and_hours() -> None:
    start = datetime(2026, 2, 13, 17, 58, tzinfo=SH)
    assert add(start, d("5min"), cal()) == datetime(2026, 2, 13, 18, 3, tzinfo=SH)
    assert add(start, d("24h"), cal()) == datetime(2026, 2, 14, 17, 58, tzinfo=SH)


def test_working_days_end_at_close_of_business_counting_make_up_saturday() -> None:
    # Received Friday 13 Feb 2026 17:30, just before the Spring Festival: Sat 14 is a make-up
    # working day, then nothing until Tue 24 Feb.
    start = datetime(2026, 2, 13, 17, 30, tzinfo=SH)
    assert add(start, d("1 working day"), cal()) == datetime(2026, 2, 14, 18, 0, tzinfo=SH)
    assert add(start, d("3 working days"), cal()) == datetime(2026, 2, 25, 18, 0, tzinfo=SH)
    # 14, 24, 25, 26, 27, Sat 28 (make-up), Mon 2 March.
    assert add(start, d("7 working days"), cal()) == datetime(2026, 3, 2, 18, 0, tzinfo=SH)


def test_received_just_before_national_day() -> None:
    # Wed 30 Sep 2026 → 1–7 Oct off → Thu 8, Fri 9, Sat 10 (make-up) are working days.
    start = datetime(2026, 9, 30, 16, 0, tzinfo=SH)
    assert add(start, d("3 working days"), cal()) == datetime(2026, 10, 10, 18, 0, tzinfo=SH)
    assert add(start, d("2 working hours"), cal()) == datetime(2026, 9, 30, 18, 0, tzinfo=SH)
    late = datetime(2026, 9, 30, 17, 0, tzinfo=SH)  # one hour today, one after the holiday
    assert add(late, d("2 working hours"), cal()) == datetime(2026, 10, 8, 10, 0, tzinfo=SH)


def test_labour_day_and_its_make_up_saturday() -> None:
    start = datetime(2026, 4, 30, 10, 0, tzinfo=SH)  # Thursday before 1–5 May
    assert add(start, d("1 working day"), cal()) == datetime(2026, 5, 6, 18, 0, tzinfo=SH)
    assert add(start, d("4 working days"), cal()) == datetime(2026, 5, 9, 18, 0, tzinfo=SH)  # Sat 9 May


def test_business_hours_across_a_weekend() -> None:
    fri = datetime(2026, 3, 6, 17, 0, tzinfo=SH)
    assert add(fri, d("2 working hours"), cal()) == datetime(2026, 3, 9, 10, 0, tzinfo=SH)
    sat = datetime(2026, 3, 7, 11, 0, tzinfo=SH)  # outside hours: the clock starts Monday 09:00
    assert add(sat, d("2 working hours"), cal()) == datetime(2026, 3, 9, 11, 0, tzinfo=SH)
    lunch = cal(business_hours={"default": "09:00-12:00, 13:30-18:00"})
    assert add(datetime(2026, 3, 9, 11, 0, tzinfo=SH), d("2 working hours"), lunch) == \
        datetime(2026, 3, 9, 14, 30, tzinfo=SH)


def test_calendar_days() -> None:
    start = datetime(2026, 9, 28, 10, 0, tzinfo=SH)
    assert add(start, d("13 days"), cal()) == datetime(2026, 10, 11, 10, 0, tzinfo=SH)  # holidays count
    assert add(datetime(2026, 1, 31, 9, 0, tzinfo=SH), d("1 month"), cal()) == datetime(2026, 2, 28, 9, 0, tzinfo=SH)


def test_dst_office_berlin() -> None:
    berlin = cal("Europe/Berlin", "DE", subdivision="BE")
    sat = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)  # clocks go forward on Sunday 29 March
    assert add(sat, d("24h"), berlin) == datetime(2026, 3, 29, 13, 0, tzinfo=BERLIN)  # 24 real hours
    assert add(sat, d("1 days"), berlin) == datetime(2026, 3, 29, 12, 0, tzinfo=BERLIN)  # same wall time
    fri = datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN)
    due = add(fri, d("2 working hours"), berlin)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN) and due.utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
    assert add(fri, d("1 working day"), berlin) == datetime(2026, 3, 30, 18, 0, tzinfo=BERLIN)
    # Good Friday 3 April and Easter Monday 6 April 2026 are Berlin holidays.
    assert add(datetime(2026, 4, 2, 10, 0, tzinfo=BERLIN), d("1 working day"), berlin) == \
        datetime(2026, 4, 7, 18, 0, tzinfo=BERLIN)


def test_dst_office_new_york_fall_back() -> None:
    ny = cal("America/New_York", "US", subdivision="NY")
    sat = datetime(2026, 10, 31, 12, 0, tzinfo=NY)  # clocks go back on Sunday 1 November
    assert add(sat, d("24h"), ny) == datetime(2026, 11, 1, 11, 0, tzinfo=NY)
    assert add(sat, d("1 days"), ny) == datetime(2026, 11, 1, 12, 0, tzinfo=NY)
    assert ny.working_days_between(datetime(2026, 10, 30, 9, 0, tzinfo=NY),
                                   datetime(2026, 11, 2, 13, 30, tzinfo=NY)) == pytest.approx(1.5)


def test_shift_by_a_pause() -> None:
    c = cal()
    due = datetime(2026, 3, 11, 18, 0, tzinfo=SH)
    # Waiting Fri 17:00 → Mon 10:00 is 2 working hours: a working-day limit moves 2 working hours.
    a, b = datetime(2026, 3, 6, 17, 0, tzinfo=SH), datetime(2026, 3, 9, 10, 0, tzinfo=SH)
    assert shift(due, a, b, d("3 working days"), c) == datetime(2026, 3, 12, 11, 0, tzinfo=SH)
    # A clock-time limit moves by the real time waited (65 hours).
    assert shift(due, a, b, d("24h"), c) == datetime(2026, 3, 14, 11, 0, tzinfo=SH)
