"""Calendars stored per locality: seeding from the package, inheritance, local days, unknown years."""

from __future__ import annotations

from datetime import date

import pytest

from engine.calendars import calendar_store
from engine.errors import CalendarError, NotFoundError
from engine.service import Engine


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with engine.unit_of_work(write=True) as uow:
        results = calendar_store.seed_years(uow.session, [2025])
        uow.commit()
    assert [(r.year, r.kept) for r in results] == [(2025, 0)] and results[0].added > 20
    return engine


def test_children_inherit_the_region_and_add_their_own_days(seeded: Engine) -> None:
    with seeded.unit_of_work(write=True) as uow:
        calendar_store.set_day(uow.session, "克拉玛依市", date(2025, 6, 6), working=False, note="古尔邦节")
        uow.commit()
    with seeded.unit_of_work() as uow:
        district = calendar_store.load_calendar(uow.session, "650204")
        urumqi = calendar_store.load_calendar(uow.session, "650100")
    assert district.name == "白碱滩区" and district.parent.name == "克拉玛依市"
    assert not district.is_working(date(2025, 6, 6)) and urumqi.is_working(date(2025, 6, 6))
    assert district.entry_for(date(2025, 6, 6)).note == "古尔邦节"
    assert district.is_working(date(2025, 9, 28))  # the region's 调休 Sunday
    assert not urumqi.is_working(date(2025, 10, 1))
    with pytest.raises(CalendarError, match="2024"):
        district.is_working(date(2024, 12, 31))


def test_seeding_again_keeps_hand_entered_corrections(seeded: Engine) -> None:
    with seeded.unit_of_work(write=True) as uow:
        calendar_store.set_day(uow.session, "650000", date(2025, 10, 8), working=True, note="本地调整")
        (again,) = calendar_store.seed_years(uow.session, [2025])
        uow.commit()
    assert again.added == 0
    with seeded.unit_of_work() as uow:
        assert calendar_store.load_calendar(uow.session, "650000").is_working(date(2025, 10, 8))


def test_removing_a_local_day_lets_the_parent_decide_again(seeded: Engine) -> None:
    with seeded.unit_of_work(write=True) as uow:
        calendar_store.set_day(uow.session, "650200", date(2025, 10, 1), working=True, note="值班")
        assert calendar_store.remove_day(uow.session, "650200", date(2025, 10, 1)) is True
        assert calendar_store.remove_day(uow.session, "650200", date(2025, 10, 1)) is False
        uow.commit()
        assert not calendar_store.load_calendar(uow.session, "650200").is_working(date(2025, 10, 1))


def test_years_the_package_does_not_know_and_unknown_localities_are_refused(engine: Engine) -> None:
    with engine.unit_of_work(write=True) as uow:
        with pytest.raises(CalendarError, match="2031"):
            calendar_store.seed_years(uow.session, [2026, 2031])
        assert calendar_store.uncovered(uow.session, [2026]) == [("650000", 2026)]  # nothing half-written
        with pytest.raises(NotFoundError):
            calendar_store.load_calendar(uow.session, "999999")
