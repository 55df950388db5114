"""Working days and business hours: the `holidays` library plus the office's own overrides.

China moves working days around its holidays (调休): some Saturdays and Sundays are
working days. `holidays` lists those per year in `weekend_workdays` and answers
`is_working_day`; the office adds what is not (yet) published in its policy's
`calendar:` section (`extra_holidays`, `extra_working_days`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import chain, repeat
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaintctl.errors import PolicyError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(18)),)
_SEARCH_DAYS = 3 * 366  # a working day is never further away than this (else the calendar is broken)

Interval = tuple[time, time]


@dataclass(frozen=True)
class CalendarSpec:
    """The policy's `calendar:` section, checked."""

    timezone: str = "Asia/Shanghai"
    country: str = ""
    subdivision: str = ""
    weekend: tuple[int, ...] = ()  # empty: the country's weekend (Saturday and Sunday without one)
    hours: tuple[tuple[int, tuple[Interval, ...]], ...] = ()  # weekday -> intervals, overriding default
    default_hours: tuple[Interval, ...] = DEFAULT_HOURS
    extra_holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()


class HasCalendar(Protocol):
    """What the calendar needs of a policy: its checked `calendar:` section (the policy holds the
    spec; the calendar does not import the policy)."""

    @property
    def calendar_spec(self) -> CalendarSpec: ...


def _fail(source: str, key: str, msg: str) -> PolicyError:
    return PolicyError(f"{source}: calendar.{key}: {msg}")


def parse_hours(text: Any, source: str, key: str) -> tuple[Interval, ...]:
    """`09:00-18:00` or `09:00-12:00, 13:30-18:00` (a lunch break) → intervals."""
    if not isinstance(text, str) or not text.strip():
        raise _fail(source, key, "expected opening hours like \"09:00-18:00\" or \"09:00-12:00, 13:30-18:00\"")
    out: list[Interval] = []
    for part in text.split(","):
        try:
            a, b = (time.fromisoformat(x.strip()) for x in part.split("-"))
        except ValueError:
            raise _fail(source, key, f"{part.strip()!r} is not HH:MM-HH:MM") from None
        if b <= a or (out and a < out[-1][1]):
            raise _fail(source, key, f"{part.strip()!r}: intervals must run forward and not overlap")
        out.append((a, b))
    return tuple(out)


def _dates(value: Any, source: str, key: str) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _fail(source, key, "expected a list of dates (YYYY-MM-DD)")
    out = set()
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            out.add(item)
            continue
        try:
            out.add(date.fromisoformat(str(item)))
        except ValueError:
            raise _fail(source, key, f"{item!r} is not a date (YYYY-MM-DD)") from None
    return frozenset(out)


_KEYS = {"country", "subdivision", "timezone", "weekend", "business_hours", "extra_holidays",
         "extra_working_days"}


def parse_calendar(data: Any, source: str, default_tz: str) -> CalendarSpec:
    """Check the `calendar:` section; every error names its key."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise PolicyError(f"{source}: calendar: expected a mapping")
    for key in data:
        if key not in _KEYS:
            raise _fail(source, str(key), f"unknown key (known: {', '.join(sorted(_KEYS))})")
    tzname = str(data.get("timezone") or default_tz)
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(source, "timezone", f"unknown timezone {tzname!r}") from None
    country = str(data.get("country") or "").upper()
    subdivision = str(data.get("subdivision") or "")
    if country:
        import holidays  # imported where used: ~80 ms; a cached policy skips this

        try:
            known = holidays.country_holidays(country).subdivisions
        except NotImplementedError:
            raise _fail(source, "country", f"{country!r} is not a country the holidays library knows") from None
        if subdivision and subdivision not in known:
            raise _fail(source, "subdivision", f"{subdivision!r} is not a subdivision of {country} "
                        f"(known: {', '.join(known)})")
    weekend: list[int] = []
    for name in data.get("weekend") or []:
        if str(name).lower()[:3] not in WEEKDAYS:
            raise _fail(source, "weekend", f"{name!r} is not a weekday (mon … sun)")
        weekend.append(WEEKDAYS.index(str(name).lower()[:3]))
    hours_data = data.get("business_hours") or {}
    if not isinstance(hours_data, Mapping):
        raise _fail(source, "business_hours", "expected a mapping: default, mon … sun")
    default_hours = DEFAULT_HOURS
    per_day: list[tuple[int, tuple[Interval, ...]]] = []
    for key, value in hours_data.items():
        k = str(key).lower()
        if k == "default":
            default_hours = parse_hours(value, source, "business_hours.default")
        elif k in WEEKDAYS:
            per_day.append((WEEKDAYS.index(k), parse_hours(value, source, f"business_hours.{k}")))
        else:
            raise _fail(source, f"business_hours.{key}", "unknown key (default, mon … sun)")
    return CalendarSpec(
        timezone=tzname, country=country, subdivision=subdivision, weekend=tuple(sorted(set(weekend))),
        hours=tuple(sorted(per_day)), default_hours=default_hours,
        extra_holidays=_dates(data.get("extra_holidays"), source, "extra_holidays"),
        extra_working_days=_dates(data.get("extra_working_days"), source, "extra_working_days"),
    )


TABLE_YEARS = (1990, 2060)  # the years a precomputed country table covers


@dataclass(frozen=True)
class CountryDays:
    """A country's public calendar for TABLE_YEARS, computed once from `holidays` and kept in the
    read cache (building the China calendar costs ~150 ms a process)."""

    country: str
    subdivision: str
    first_year: int
    last_year: int
    weekend: frozenset[int]
    holidays: frozenset[date]  # public holidays, any weekday
    weekend_workdays: frozenset[date]  # 调休: make-up working days on the weekend

    def covers(self, d: date) -> bool:
        return self.first_year <= d.year <= self.last_year


def _public_holidays(country: str, subdivision: str) -> Any:
    import holidays  # only here: a precomputed table needs no `holidays` import

    return holidays.country_holidays(country, subdiv=subdivision or None)


def country_days(country: str, subdivision: str = "", years: tuple[int, int] = TABLE_YEARS) -> CountryDays:
    public = _public_holidays(country, subdivision)
    for year in range(years[0], years[1] + 1):
        _ = date(year, 1, 1) in public  # loads the year, and with it its weekend_workdays
    return CountryDays(country, subdivision, years[0], years[1], frozenset(public.weekend),
                       frozenset(d for d in public if years[0] <= d.year <= years[1]),
                       frozenset(d for d in public.weekend_workdays if years[0] <= d.year <= years[1]))


_TABLES: dict[tuple[str, str], CountryDays] = {}


def preload(table: CountryDays) -> None:
    """Use a precomputed table (from the read cache) for calendars of that country."""
    _TABLES[(table.country, table.subdivision)] = table


def table_for(spec: CalendarSpec) -> CountryDays | None:
    """The table a calendar of `spec` uses, computed now if no cache preloaded it."""
    if not spec.country:
        return None
    key = (spec.country, spec.subdivision)
    if key not in _TABLES:
        _TABLES[key] = country_days(spec.country, spec.subdivision)
    return _TABLES[key]


class WorkCalendar:
    """Which days are working days, and when the office is open on them."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.tz = ZoneInfo(spec.timezone)
        self._hours = dict(spec.hours)
        self._table = table_for(spec)
        self._public: Any = None  # the live `holidays` calendar, for dates outside the table
        if spec.weekend:
            self._weekend = frozenset(spec.weekend)
        elif self._table is not None:
            self._weekend = self._table.weekend
        else:
            self._weekend = frozenset({5, 6})
        self._memo: dict[date, bool] = {}
        self._lengths: dict[int, float] = {}
        self._origin: date | None = None
        self._open_counts: list[int] = [0]

    @classmethod
    def from_policy(cls, policy: HasCalendar) -> WorkCalendar:
        return cached(policy.calendar_spec)

    def is_working_day(self, d: date) -> bool:
        known = self._memo.get(d)
        if known is not None:
            return known
        if d in self.spec.extra_holidays:
            result = False
        elif d in self.spec.extra_working_days:
            result = True
        elif self._table is None:
            result = d.weekday() not in self._weekend
        elif self._table.covers(d):
            # 调休: a make-up working Saturday/Sunday published with the holidays.
            result = d in self._table.weekend_workdays if d.weekday() in self._weekend \
                else d not in self._table.holidays
        else:
            public = self._live()
            result = self._make_up_day(d) if d.weekday() in self._weekend else d not in public
        self._memo[d] = result
        return result

    def _live(self) -> Any:
        if self._public is None:
            self._public = _public_holidays(self.spec.country, self.spec.subdivision)
        return self._public

    def _make_up_day(self, d: date) -> bool:
        public = self._live()
        _ = d in public  # loads d's year, and with it that year's weekend_workdays
        return d in public.weekend_workdays

    def intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The office's open hours on day `d` as aware moments (none on a day off)."""
        if not self.is_working_day(d):
            return []
        spans = self._hours.get(d.weekday(), self.spec.default_hours)
        return [(datetime.combine(d, a, self.tz), datetime.combine(d, b, self.tz)) for a, b in spans]

    def close_of_business(self, d: date) -> datetime:
        spans = self._hours.get(d.weekday(), self.spec.default_hours)
        return datetime.combine(d, spans[-1][1], self.tz)

    def next_working_day(self, d: date) -> date:
        for _ in range(_SEARCH_DAYS):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise PolicyError("calendar: no working day within three years — check calendar.weekend")

    def working_days(self, start: date) -> Iterator[date]:
        """Working days from `start` on (inclusive)."""
        d = start if self.is_working_day(start) else self.next_working_day(start)
        while True:
            yield d
            d = self.next_working_day(d)

    def _open_time(self, start: datetime, end: datetime) -> Iterator[tuple[float, float]]:
        """Per day from start to end: (seconds open that day, seconds open inside [start, end))."""
        first = day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        one = timedelta(days=1)
        while day <= last:
            if first < day < last:  # a whole day inside: open time is the weekday's hours
                if self.is_working_day(day):
                    length = self._day_length(day)
                    yield length, length
                else:
                    yield 0, 0
                day += one
                continue
            yield self._day_share(day, start, end)
            day += one

    def _day_length(self, d: date) -> float:
        """Seconds open on working day `d`, as `_open_time` sums them (one value per weekday: the
        spans are moments of one day in one time zone, so their differences are wall-clock)."""
        key = d.weekday()
        known = self._lengths.get(key)
        if known is None:
            known = self._lengths[key] = sum((b - a).total_seconds() for a, b in self.intervals(d))
        return known

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds of open business hours between two moments (0 if end <= start)."""
        if end <= start:
            return 0.0
        return sum(inside for _, inside in self._open_time(start, end))

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Working time between two moments in working days: each open day counts 1, a part
        of a day counts its share of that day's business hours."""
        if end <= start:
            return 0.0
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        if (last - first).days < 3:
            return sum(inside / length for length, inside in self._open_time(start, end) if length)
        # The same terms in the same order as the day-by-day sum (so the same float): the first
        # and the last day's shares, and 1.0 for each whole open day between (a prefix
        # count, not a walk over every day).
        lo = self._open_days_before(first + timedelta(days=1))  # the lower bound first: it may move the origin
        whole = self._open_days_before(last) - lo
        return sum(chain((inside / length for length, inside in [self._day_share(first, start, end)] if length),
                         repeat(1.0, whole),
                         (inside / length for length, inside in [self._day_share(last, start, end)] if length)))

    def working_parts(self, start: datetime, end: datetime) -> tuple[int, float]:
        """Working time between two moments as (whole working days, working seconds more): the
        open days wholly between them, plus the open time of the first and the last day (a full
        day's worth of those two carried into the days). What `i18n.duration` writes."""
        if end <= start:
            return 0, 0.0
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        length, seconds = self._day_share(first, start, end)
        if first == last:
            return 0, seconds
        whole = self._open_days_before(last) - self._open_days_before(first + timedelta(days=1))
        last_length, last_seconds = self._day_share(last, start, end)
        seconds += last_seconds
        day = max(length, last_length) or self.typical_day_seconds()
        if day and seconds >= day:
            whole, seconds = whole + 1, seconds - day
        return whole, seconds

    def typical_day_seconds(self) -> float:
        """Seconds open on the office's most usual working day (its longest weekday)."""
        monday = date(2026, 1, 5)
        return max(self._day_length(monday + timedelta(days=i)) for i in range(7))

    def days_parts(self, days: float) -> tuple[int, float]:
        """A working-day figure (a report's median) as (whole working days, working seconds more)."""
        whole = int(days)
        return whole, (days - whole) * self.typical_day_seconds()

    def _day_share(self, day: date, start: datetime, end: datetime) -> tuple[float, float]:
        """(seconds open on `day`, seconds open inside [start, end)), as `_open_time` gives them."""
        spans = self.intervals(day)
        return (sum((b - a).total_seconds() for a, b in spans),
                sum(max(0.0, (min(b, end) - max(a, start)).total_seconds()) for a, b in spans))

    def _open_days_before(self, d: date) -> int:
        """How many working days with open hours there are from an origin up to (not including) `d`:
        a prefix count, grown as needed, memoized per process."""
        if self._origin is None or d < self._origin:
            self._origin = d - timedelta(days=366)
            self._open_counts = [0]
        i = (d - self._origin).days
        counts = self._open_counts
        while len(counts) <= i:
            day = self._origin + timedelta(days=len(counts) - 1)
            counts.append(counts[-1] + (1 if self.is_working_day(day) and self._day_length(day) else 0))
        return counts[i]

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment when `seconds` of business hours have passed after `start`."""
        left = seconds
        day = start.astimezone(self.tz).date()
        for _ in range(_SEARCH_DAYS):
            for a, b in self.intervals(day):
                lo = max(a, start)
                if b <= lo:
                    continue
                span = (b - lo).total_seconds()
                if left <= span:
                    return (lo + timedelta(seconds=left)).astimezone(self.tz)
                left -= span
            day += timedelta(days=1)
        raise PolicyError("calendar: business hours never open — check calendar.business_hours")


@lru_cache(maxsize=16)
def cached(spec: CalendarSpec) -> WorkCalendar:
    return WorkCalendar(spec)
