"""Working-day calendars held in the database: load a locality's calendar, seed years, edit days.

The rows are the truth (``calendar_year``: the years a locality vouches for; ``calendar_entry``: the days
that differ from Mon–Fri); :mod:`engine.calendars.calendar` does the arithmetic. A locality's calendar is built
over its parent's (克拉玛依 → 自治区本级), so the region seeds the national schedule once and a city only
enters its own days. Every function takes the caller's session; the caller frames the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..identity.localities import REGION, get_locality, lineage
from ..store.models import CalendarEntry, CalendarYear, Locality
from .calendar import CalendarDay, WorkingCalendar, seed_from_package


def _package_source() -> str:
    try:
        return f"chinese_calendar {version('chinesecalendar')}"
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return "chinese_calendar"


def load_calendar(session: Session, locality: str) -> WorkingCalendar:
    """The locality's calendar with its ancestors' under it; raises NotFoundError for an unknown locality."""
    chain = lineage(session, locality)  # nearest first
    names = dict(session.execute(select(Locality.code, Locality.name_zh).where(Locality.code.in_(chain))).all())
    years: dict[str, list[int]] = {code: [] for code in chain}
    for code, year in session.execute(
        select(CalendarYear.locality_code, CalendarYear.year).where(CalendarYear.locality_code.in_(chain))
    ):
        years[code].append(year)
    days: dict[str, list[CalendarDay]] = {code: [] for code in chain}
    for row in session.scalars(select(CalendarEntry).where(CalendarEntry.locality_code.in_(chain))):
        days[row.locality_code].append(CalendarDay(row.day, row.working, row.note))
    calendar: WorkingCalendar | None = None
    for code in reversed(chain):
        calendar = WorkingCalendar(years[code], days[code], parent=calendar, name=names.get(code, code))
    assert calendar is not None  # lineage always holds the locality itself
    return calendar


@dataclass(frozen=True)
class SeedResult:
    year: int
    added: int
    kept: int


def seed_years(session: Session, years: Iterable[int], locality: str = REGION) -> list[SeedResult]:
    """Enter the national holidays and 调休 days of ``years`` from the package for ``locality``.

    Idempotent, and it never overwrites a day the locality already has: someone's hand-entered
    correction beats the package. A year the package does not know raises CalendarError before
    anything is written.
    """
    code = get_locality(session, locality).code
    seeded = {year: seed_from_package(year) for year in sorted(set(years))}
    source = _package_source()
    results = []
    for year, days in seeded.items():
        existing = set(
            session.scalars(
                select(CalendarEntry.day).where(
                    CalendarEntry.locality_code == code,
                    CalendarEntry.day >= date(year, 1, 1),
                    CalendarEntry.day <= date(year, 12, 31),
                )
            )
        )
        fresh = [day for day in days if day.day not in existing]
        session.add_all(
            CalendarEntry(locality_code=code, day=day.day, working=day.working, note=day.note) for day in fresh
        )
        if session.get(CalendarYear, (code, year)) is None:
            session.add(CalendarYear(locality_code=code, year=year, source=source))
        results.append(SeedResult(year, len(fresh), len(days) - len(fresh)))
    session.flush()
    return results


def cover_year(session: Session, locality: str, year: int, source: str) -> None:
    """Vouch for a year entered by hand (e.g. next year's schedule before the package has it)."""
    code = get_locality(session, locality).code
    row = session.get(CalendarYear, (code, year))
    if row is None:
        session.add(CalendarYear(locality_code=code, year=year, source=source))
    else:
        row.source = source
    session.flush()


def set_day(session: Session, locality: str, day: date, *, working: bool, note: str = "") -> CalendarEntry:
    """Make ``day`` a working day or a day off in ``locality`` (e.g. 古尔邦节 in Xinjiang), replacing any entry."""
    code = get_locality(session, locality).code
    row = session.get(CalendarEntry, (code, day))
    if row is None:
        row = CalendarEntry(locality_code=code, day=day, working=working, note=note)
        session.add(row)
    else:
        row.working, row.note = working, note
    session.flush()
    return row


def remove_day(session: Session, locality: str, day: date) -> bool:
    """Drop the locality's own entry for ``day`` (the parent's or the Mon–Fri rule decides again)."""
    code = get_locality(session, locality).code
    result = session.execute(delete(CalendarEntry).where(CalendarEntry.locality_code == code, CalendarEntry.day == day))
    return bool(result.rowcount)


def own_days(session: Session, locality: str, year: int | None = None) -> list[CalendarEntry]:
    """The days the locality entered itself, in date order (optionally one year)."""
    code = get_locality(session, locality).code
    query = select(CalendarEntry).where(CalendarEntry.locality_code == code).order_by(CalendarEntry.day)
    if year is not None:
        query = query.where(CalendarEntry.day >= date(year, 1, 1), CalendarEntry.day <= date(year, 12, 31))
    return list(session.scalars(query))


def uncovered(session: Session, years: Iterable[int]) -> list[tuple[str, int]]:
    """(root locality, year) pairs nobody vouches for: what the scheduler warns administrators about.

    Only root localities are checked: a child inherits its parent's years, so a gap shows at the root.
    """
    wanted = sorted(set(years))
    roots = list(session.scalars(select(Locality.code).where(Locality.parent_code.is_(None)).order_by(Locality.code)))
    covered = set(session.execute(select(CalendarYear.locality_code, CalendarYear.year)).all())
    return [(code, year) for code in roots for year in wanted if (code, year) not in covered]
