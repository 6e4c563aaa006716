"""Working-day calendars per locality: which days count when a deadline is measured in working days.

China's working days are not a rule but an annual announcement: the State Council publishes the
holidays and the 调休 weekends that are worked in exchange, and Xinjiang adds its own holidays
(肉孜节, 古尔邦节) that no package knows. So a calendar here is *data* — explicit days on top of a
Mon–Fri default — held per locality, inherited from the parent locality (克拉玛依 → 自治区本级), and
only trusted for the years someone has actually filled in. A day in a year nobody covers raises
:class:`CalendarError` instead of guessing, because a guessed deadline is a wrong deadline that looks
right.

Nothing here touches the database: the service layer loads the rows and builds these objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from chinese_calendar import get_holiday_detail
from chinese_calendar.constants import Holiday
from chinese_calendar.constants import holidays as _package_holidays

from engine.errors import CalendarError

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CalendarDay:
    """One explicit day that overrides the Mon–Fri rule: a holiday (working=False) or a 调休 workday."""

    day: date
    working: bool
    note: str = ""


# The service layer may hand over rows keyed by date or just a list of them.
Overrides = Mapping[date, CalendarDay] | Iterable[CalendarDay]


def _is_weekday(day: date) -> bool:
    return day.weekday() < 5


def _index_overrides(overrides: Overrides) -> dict[date, CalendarDay]:
    """Key the explicit days by date, refusing data that contradicts itself rather than picking one."""
    if isinstance(overrides, Mapping):
        for key, entry in overrides.items():
            if key != entry.day:
                raise ValueError(f"calendar override keyed {key} holds the entry for {entry.day}")
        return dict(overrides)
    indexed: dict[date, CalendarDay] = {}
    for entry in overrides:
        if entry.day in indexed and indexed[entry.day] != entry:
            raise ValueError(f"two different calendar entries for {entry.day}")
        indexed[entry.day] = entry
    return indexed


class WorkingCalendar:
    """A locality's working days: its parent's calendar with the locality's own explicit days on top.

    A year is usable when this calendar or any ancestor covers it; within a usable year a day is
    working Mon–Fri and off Sat/Sun unless the nearest calendar in the chain (own first, then the
    parent's) has an explicit entry for it. Overrides for a year nobody covers are kept but do not make
    the year usable: a locality may enter next year's 古尔邦节 before the national schedule is out, and
    the rest of that year is still unknown.
    """

    def __init__(
        self,
        covered_years: Iterable[int] = (),
        overrides: Overrides = (),
        parent: WorkingCalendar | None = None,
        *,
        name: str = "",
    ) -> None:
        self.name = name
        self.parent = parent
        self._own_years = frozenset(covered_years)
        self._overrides = _index_overrides(overrides)

    def __repr__(self) -> str:
        years = sorted(self.covered_years)
        return f"WorkingCalendar(name={self.name!r}, years={years}, parent={self.parent!r})"

    @classmethod
    def from_package(cls, years: Iterable[int], *, name: str = "") -> WorkingCalendar:
        """A calendar seeded from ``chinese_calendar`` for ``years``, e.g. the region-level root."""
        years = list(years)
        days = [entry for year in years for entry in seed_from_package(year)]
        return cls(years, days, name=name)

    @property
    def covered_years(self) -> frozenset[int]:
        """Every year this calendar can answer for, its own and its ancestors'."""
        inherited = self.parent.covered_years if self.parent else frozenset()
        return self._own_years | inherited

    @property
    def own_overrides(self) -> Mapping[date, CalendarDay]:
        """The explicit days this locality added itself (not the inherited ones)."""
        return dict(self._overrides)

    def covers(self, year: int) -> bool:
        return year in self._own_years or (self.parent is not None and self.parent.covers(year))

    def entry_for(self, day: date) -> CalendarDay | None:
        """The explicit entry that decides ``day``, searching this locality first, then its ancestors."""
        entry = self._overrides.get(day)
        if entry is None and self.parent is not None:
            return self.parent.entry_for(day)
        return entry

    def is_working(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises :class:`CalendarError` for a year with no data."""
        if not self.covers(day.year):
            raise self._missing_year(day.year)
        entry = self.entry_for(day)
        return entry.working if entry is not None else _is_weekday(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (start not counted); negative ``n`` counts backwards.

        ``add_working_days(d, 0)`` is ``d`` itself, working or not.
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        day, remaining = start, abs(n)
        while remaining:
            day += step
            if self.is_working(day):
                remaining -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        return self.add_working_days(day, -1)

    def working_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next one: the 民法典 Art.203 roll of a last day."""
        return day if self.is_working(day) else self.next_working_day(day)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b] — start excluded, end included, like deadline counting.

        So ``working_days_between(a, add_working_days(a, n)) == n``; negative when ``b`` is before ``a``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        days = (a + _ONE_DAY * offset for offset in range(1, (b - a).days + 1))
        return sum(1 for day in days if self.is_working(day))

    def _missing_year(self, year: int) -> CalendarError:
        where = f" for {self.name}" if self.name else ""
        return CalendarError(
            f"no working-day calendar for {year}{where}: enter that year's holidays and 调休 days "
            "before a deadline can be counted in it",
            year=year,
            locality=self.name or None,
        )


# The package names holidays in English; the calendar rows are read by Chinese-speaking staff.
_CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in Holiday}
_PACKAGE_YEARS = (min(_package_holidays).year, max(_package_holidays).year)


def _seed_note(name: str | None, working: bool) -> str:
    label = _CHINESE_NAMES.get(name, name) if name else ""
    return f"{label}（调休上班）" if working and label else label


def seed_from_package(year: int) -> list[CalendarDay]:
    """The national holidays and 调休 workdays of ``year`` from ``chinese_calendar``, as explicit days.

    Only days that differ from the Mon–Fri rule are returned (a holiday on a weekday, a worked weekend),
    with the holiday's Chinese name as the note, so that the seeded rows are exactly what a locality
    would have to type in by hand. Years outside the package's data raise :class:`CalendarError`: the
    package itself only knows years whose schedule has been announced.
    """
    first, last = _PACKAGE_YEARS
    if not first <= year <= last:
        raise CalendarError(
            f"chinese_calendar has no holiday schedule for {year} (it covers {first}–{last}); "
            "enter that year's holidays and 调休 days by hand or upgrade the package",
            year=year,
        )
    seeded = []
    day = date(year, 1, 1)
    while day.year == year:
        off, name = get_holiday_detail(day)
        working = not off
        if working != _is_weekday(day):
            seeded.append(CalendarDay(day, working, _seed_note(name, working)))
        day += _ONE_DAY
    return seeded
