"""Working days on real 2026 dates (the State Council's 2026 schedule) and office overrides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintctl.errors import PolicyError
from complaintctl.policy.calendar import WorkCalendar, parse_calendar
from complaintctl.policy.policy import parse_policy_text
from complaintctl.policy.resources import template_path

SH = ZoneInfo("Asia/Shanghai")


def cn(**extra: object) -> WorkCalendar:
    return WorkCalendar(parse_calendar({"country": "CN", **extra}, "test", "Asia/Shanghai"))


def working(cal: WorkCalendar, first: date, last: date) -> list[date]:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if cal.is_working_day(d)]


# 2026 official schedule (国务院办公厅): holidays and make-up working days (调休上班).
def test_spring_festival_2026_nine_days_off_with_two_make_up_saturdays() -> None:
    cal = cn()
    assert cal.is_working_day(date(2026, 2, 14))  # Saturday, make-up working day
    assert not any(cal.is_working_day(date(2026, 2, d)) for d in range(15, 24))  # 15–23 off
    assert cal.is_working_day(date(2026, 2, 24))
    assert cal.is_working_day(date(2026, 2, 28))  # Saturday, make-up working day
    assert not cal.is_working_day(date(2026, 2, 21))  # an ordinary weekend inside the holiday


def test_labour_day_2026_five_days_off_and_saturday_9_may_worked() -> None:
    cal = cn()
    assert working(cal, date(2026, 4, 30), date(2026, 5, 10)) == [
        date(2026, 4, 30), date(2026, 5, 6), date(2026, 5, 7), date(2026, 5, 8), date(2026, 5, 9)]


def test_mid_autumn_and_national_day_2026() -> None:
    cal = cn()
    assert cal.is_working_day(date(2026, 9, 20))  # Sunday, make-up working day for National Day
    assert not cal.is_working_day(date(2026, 9, 25))  # Mid-Autumn Festival (Friday)
    assert not any(cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))  # 1–7 October off
    assert cal.is_working_day(date(2026, 10, 10))  # Saturday, make-up working day
    assert not cal.is_working_day(date(2026, 10, 11))


def test_new_year_2026_and_ordinary_weekends() -> None:
    cal = cn()
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 4))  # Sunday worked
    assert not cal.is_working_day(date(2026, 3, 7)) and cal.is_working_day(date(2026, 3, 9))


def test_working_days_between_counts_make_up_days_and_part_days() -> None:
    cal = cn()
    # Friday 13 Feb 13:30 → Tuesday 24 Feb 13:30: half of Fri, Sat 14 (make-up), half of Tue 24.
    a, b = datetime(2026, 2, 13, 13, 30, tzinfo=SH), datetime(2026, 2, 24, 13, 30, tzinfo=SH)
    assert cal.working_days_between(a, b) == pytest.approx(0.5 + 1 + 0.5)
    assert cal.working_days_between(b, a) == 0.0


def test_unpublished_year_office_adds_its_own_dates() -> None:
    # The holidays library has no 2027 make-up days until the State Council publishes them;
    # the office lists them (here: invented dates for the test) until a library update knows them.
    cal = cn(extra_holidays=["2027-02-08"], extra_working_days=["2027-02-20"])
    assert not cal.is_working_day(date(2027, 2, 8))  # a Monday made a holiday by the office
    assert cal.is_working_day(date(2027, 2, 20))  # a Saturday made a working day by the office
    assert not cn().is_working_day(date(2027, 2, 20))


def test_business_hours_per_weekday_and_lunch_break() -> None:
    cal = cn(business_hours={"default": "09:00-12:00, 13:00-18:00", "fri": "09:00-16:00"})
    mon = date(2026, 3, 9)
    assert [(a.hour, b.hour) for a, b in cal.intervals(mon)] == [(9, 12), (13, 18)]
    assert cal.close_of_business(date(2026, 3, 13)).hour == 16
    assert cal.working_seconds_between(datetime(2026, 3, 9, 11, tzinfo=SH),
                                       datetime(2026, 3, 9, 14, tzinfo=SH)) == 2 * 3600
    assert cal.intervals(date(2026, 3, 7)) == []  # Saturday


def test_no_country_means_monday_to_friday() -> None:
    cal = WorkCalendar(parse_calendar({}, "test", "Europe/Berlin"))
    assert cal.is_working_day(date(2026, 12, 25))  # no public holidays without a country
    assert not cal.is_working_day(date(2026, 12, 26))


@pytest.mark.parametrize(("section", "key"), [
    ({"country": "XX"}, "calendar.country"),
    ({"country": "DE", "subdivision": "ZZ"}, "calendar.subdivision"),
    ({"business_hours": {"default": "18:00-09:00"}}, "calendar.business_hours.default"),
    ({"business_hours": {"someday": "09:00-18:00"}}, "calendar.business_hours.someday"),
    ({"extra_holidays": ["2026-13-01"]}, "calendar.extra_holidays"),
    ({"timezone": "Mars/Olympus"}, "calendar.timezone"),
    ({"weekend": ["funday"]}, "calendar.weekend"),
    ({"holidays": []}, "calendar.holidays"),
])
def test_calendar_errors_name_the_key(section: dict[str, object], key: str) -> None:
    with pytest.raises(PolicyError, match=key.replace(".", r"\.")):
        parse_calendar(section, "complaintctl.yaml", "Asia/Shanghai")


def test_from_policy_reads_the_preset() -> None:
    policy = parse_policy_text(template_path("presets", "property.yaml").read_text(encoding="utf-8"))
    cal = WorkCalendar.from_policy(policy)
    assert cal.is_working_day(date(2026, 2, 28)) and not cal.is_working_day(date(2026, 2, 23))


# --- the precomputed country table (issue 12) answers like the live `holidays` calendar ----------

def test_precomputed_table_answers_like_the_live_calendar() -> None:
    from datetime import date, timedelta

    from complaintctl.policy import calendar

    spec = calendar.CalendarSpec(country="CN")
    table = calendar.country_days("CN")
    with_table = calendar.WorkCalendar(spec)
    assert with_table._table is not None
    live = calendar.WorkCalendar(spec)
    live._table = None  # the pre-issue-12 path: ask `holidays` for every day
    live._public = calendar._public_holidays("CN", "")
    live._weekend = frozenset(live._public.weekend)

    def live_answer(d: date) -> bool:
        if d.weekday() in live._weekend:
            return live._make_up_day(d)
        return d not in live._public

    d = date(table.first_year - 2, 1, 1)  # also past both ends: the live fallback
    while d <= date(table.last_year + 2, 12, 31):
        assert with_table.is_working_day(d) == live_answer(d), d
        d += timedelta(days=1)
    assert not with_table.is_working_day(date(2026, 10, 1))  # 国庆节
    make_up = sorted(x for x in table.weekend_workdays if x.year == 2026)
    assert make_up and all(with_table.is_working_day(x) and x.weekday() >= 5 for x in make_up)  # 调休


def _day_by_day(cal: WorkCalendar, start: datetime, end: datetime) -> tuple[float, float]:
    """The walk every day from start to end did before issue 12's prefix counts: the reference."""
    if end <= start:
        return 0.0, 0.0
    terms, seconds = [], []
    day, last = start.astimezone(cal.tz).date(), end.astimezone(cal.tz).date()
    while day <= last:
        spans = cal.intervals(day)
        length = sum((b - a).total_seconds() for a, b in spans)
        inside = sum(max(0.0, (min(b, end) - max(a, start)).total_seconds()) for a, b in spans)
        if length:
            terms.append(inside / length)
        seconds.append(inside)
        day += timedelta(days=1)
    return sum(terms), sum(seconds)


@pytest.mark.parametrize("extra", [{}, {"business_hours": {"default": "09:00-12:00, 13:30-18:00", "sat": "10:00-12:00"},
                                        "extra_holidays": ["2026-03-03"], "extra_working_days": ["2026-03-08"]}])
def test_working_time_between_equals_the_day_by_day_walk(extra: dict[str, object]) -> None:
    """issue 12: `due`, `list --overdue` and reports count whole days from memoized prefix
    counts; the figures are the very same floats as the walk over every day (R-DL-1)."""
    import random

    rng = random.Random(12)
    cal = cn(**extra)
    base = datetime(2025, 12, 1, tzinfo=SH)
    utc = ZoneInfo("UTC")
    for i in range(600):
        start = base + timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
        spread = 200 * 24 * 60 if i % 3 else 5000
        end = start + timedelta(minutes=rng.choice([0, 30, 600, 2000]) + rng.randrange(0, spread))
        if i % 5 == 0:
            start, end = start.astimezone(utc), end  # a moment in another zone
        days, seconds = _day_by_day(cal, start, end)
        assert cal.working_days_between(start, end) == days, (start, end)
        assert cal.working_seconds_between(start, end) == seconds, (start, end)
    assert cal.working_days_between(base + timedelta(days=3), base) == 0.0


@pytest.mark.parametrize(("end", "parts"), [
    (datetime(2026, 11, 23, 15, 30, tzinfo=SH), (0, 5.5 * 3600)),  # the same day: hours only
    (datetime(2026, 11, 24, 9, 30, tzinfo=SH), (0, 8.5 * 3600)),  # 8 h Monday + 0.5 h Tuesday
    (datetime(2026, 11, 25, 15, 0, tzinfo=SH), (2, 5 * 3600)),  # Tuesday whole, 8 h + 6 h carried: 1 day 5 h
    (datetime(2026, 11, 30, 10, 0, tzinfo=SH), (5, 0.0)),  # a week on: five working days
    (datetime(2026, 11, 23, 21, 0, tzinfo=SH), (0, 8 * 3600)),  # the evening adds no working time
])
def test_working_parts_are_whole_working_days_and_working_seconds(end: datetime, parts: tuple[int, float]) -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # Monday, open 09:00–18:00
    assert cn().working_parts(start, end) == parts
    assert cn().days_parts(2.5) == (2, 4.5 * 3600)
