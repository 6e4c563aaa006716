"""Working-day calendars: real 2025/2026 schedules, locality inheritance, and refusing unknown years.

Expected dates come from the State Council's published holiday schedules, not from the code:
2025 — 元旦 1/1; 春节 1/28–2/4 (work Sun 1/26, Sat 2/8); 清明 4/4–6; 劳动节 5/1–5 (work Sun 4/27);
端午 5/31–6/2; 国庆+中秋 10/1–8 (work Sun 9/28, Sat 10/11).
2026 — 元旦 1/1–3 (work Sun 1/4); 春节 2/15–23 (work Sat 2/14, Sat 2/28); 清明 4/4–6;
劳动节 5/1–5 (work Sat 5/9); 端午 6/19–21; 中秋 9/25–27; 国庆 10/1–7 (work Sun 9/20, Sat 10/10).
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.calendars.calendar import CalendarDay, WorkingCalendar, seed_from_package
from engine.errors import CalendarError, ServflowError

D = date


@pytest.fixture(scope="module")
def region() -> WorkingCalendar:
    return WorkingCalendar.from_package([2025, 2026], name="自治区本级")


# 古尔邦节 2025 as a Xinjiang locality would enter it (illustrative: the real extra days are data [Q]).
KURBAN_2025 = CalendarDay(D(2025, 6, 6), working=False, note="古尔邦节")


@pytest.fixture
def karamay(region: WorkingCalendar) -> WorkingCalendar:
    return WorkingCalendar(overrides=[KURBAN_2025], parent=region, name="克拉玛依")


class TestSeedFromPackage:
    def test_2025_holidays_on_weekdays_are_exactly_the_published_ones(self) -> None:
        off = {entry.day for entry in seed_from_package(2025) if not entry.working}
        assert off == {
            D(2025, 1, 1),
            *(D(2025, 1, d) for d in (28, 29, 30, 31)), D(2025, 2, 3), D(2025, 2, 4),
            D(2025, 4, 4),
            D(2025, 5, 1), D(2025, 5, 2), D(2025, 5, 5),
            D(2025, 6, 2),
            *(D(2025, 10, d) for d in (1, 2, 3, 6, 7, 8)),
        }  # fmt: skip

    def test_2025_tiaoxiu_weekends_are_working(self) -> None:
        worked = {entry.day for entry in seed_from_package(2025) if entry.working}
        assert worked == {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)}
        assert all(day.weekday() >= 5 for day in worked)

    def test_spring_festival_2026(self) -> None:
        seeded = {entry.day: entry for entry in seed_from_package(2026)}
        weekday_holidays = [D(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
        assert all(not seeded[day].working and seeded[day].note == "春节" for day in weekday_holidays)
        assert seeded[D(2026, 2, 14)].working and seeded[D(2026, 2, 28)].working
        # Weekend days inside the holiday do not differ from the Mon–Fri rule, so are not rows.
        assert D(2026, 2, 21) not in seeded and D(2026, 2, 22) not in seeded

    def test_notes_are_chinese_holiday_names(self) -> None:
        seeded = {entry.day: entry for entry in seed_from_package(2025)}
        assert seeded[D(2025, 10, 1)].note == "国庆节"
        assert seeded[D(2025, 10, 6)].note == "中秋"
        assert "国庆节" in seeded[D(2025, 9, 28)].note and "调休" in seeded[D(2025, 9, 28)].note

    @pytest.mark.parametrize("year", [2003, 2027])
    def test_years_outside_the_package_raise(self, year: int) -> None:
        with pytest.raises(CalendarError, match=str(year)):
            seed_from_package(year)


class TestNationalCalendar:
    def test_national_day_2025(self, region: WorkingCalendar) -> None:
        assert D(2025, 9, 28).weekday() == 6  # a Sunday, worked
        assert region.is_working(D(2025, 9, 28))
        assert not any(region.is_working(D(2025, 10, d)) for d in range(1, 9))
        assert region.is_working(D(2025, 10, 9))
        assert region.is_working(D(2025, 10, 11))  # Saturday, worked
        assert not region.is_working(D(2025, 10, 12))

    def test_plain_weekdays_and_weekends(self, region: WorkingCalendar) -> None:
        assert region.is_working(D(2025, 11, 14))  # Friday
        assert not region.is_working(D(2025, 11, 15))  # Saturday
        assert not region.is_working(D(2025, 11, 16))  # Sunday

    def test_next_working_day_skips_the_whole_holiday(self, region: WorkingCalendar) -> None:
        assert region.next_working_day(D(2025, 9, 30)) == D(2025, 10, 9)
        assert region.next_working_day(D(2025, 10, 10)) == D(2025, 10, 11)
        assert region.next_working_day(D(2026, 2, 14)) == D(2026, 2, 24)

    def test_previous_working_day(self, region: WorkingCalendar) -> None:
        assert region.previous_working_day(D(2025, 10, 9)) == D(2025, 9, 30)

    def test_working_day_on_or_after(self, region: WorkingCalendar) -> None:
        assert region.working_day_on_or_after(D(2025, 10, 9)) == D(2025, 10, 9)
        assert region.working_day_on_or_after(D(2025, 10, 5)) == D(2025, 10, 9)

    def test_add_working_days_after_a_friday(self, region: WorkingCalendar) -> None:
        assert region.add_working_days(D(2025, 11, 14), 2) == D(2025, 11, 18)
        # Sun 9/28 is worked: Fri 9/26 + 2 working days = Sun 9/28, Mon 9/29.
        assert region.add_working_days(D(2025, 9, 26), 2) == D(2025, 9, 29)
        assert region.add_working_days(D(2025, 9, 26), 0) == D(2025, 9, 26)

    def test_add_working_days_backwards(self, region: WorkingCalendar) -> None:
        assert region.add_working_days(D(2025, 10, 14), -2) == D(2025, 10, 11)

    def test_working_days_between(self, region: WorkingCalendar) -> None:
        assert region.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
        # 9/28, 9/29, 9/30, 10/9, 10/10, 10/11
        assert region.working_days_between(D(2025, 9, 26), D(2025, 10, 12)) == 6
        assert region.working_days_between(D(2025, 10, 12), D(2025, 9, 26)) == -6
        assert region.working_days_between(D(2025, 10, 9), D(2025, 10, 9)) == 0


class TestCoverage:
    def test_uncovered_year_raises_naming_year_and_locality(self, region: WorkingCalendar) -> None:
        with pytest.raises(CalendarError) as raised:
            region.is_working(D(2027, 1, 4))
        assert "2027" in str(raised.value) and "自治区本级" in str(raised.value)
        assert raised.value.details == {"year": 2027, "locality": "自治区本级"}
        assert isinstance(raised.value, ServflowError)

    def test_walking_into_an_uncovered_year_raises(self, region: WorkingCalendar) -> None:
        with pytest.raises(CalendarError, match="2027"):
            region.add_working_days(D(2026, 12, 30), 5)

    def test_an_override_alone_does_not_make_a_year_known(self) -> None:
        early = WorkingCalendar([2025], [CalendarDay(D(2027, 3, 20), working=False)], name="克拉玛依")
        with pytest.raises(CalendarError, match="克拉玛依"):
            early.is_working(D(2027, 3, 22))

    def test_empty_calendar_knows_nothing(self) -> None:
        with pytest.raises(CalendarError):
            WorkingCalendar().is_working(D(2025, 11, 14))


class TestInheritance:
    def test_locality_inherits_parent_years_and_holidays(self, karamay: WorkingCalendar) -> None:
        assert karamay.covered_years == {2025, 2026}
        assert not karamay.is_working(D(2025, 10, 1))
        assert karamay.is_working(D(2025, 9, 28))

    def test_locality_override_applies_only_to_the_locality(
        self, region: WorkingCalendar, karamay: WorkingCalendar
    ) -> None:
        assert region.is_working(D(2025, 6, 6))
        assert not karamay.is_working(D(2025, 6, 6))
        assert karamay.entry_for(D(2025, 6, 6)) == KURBAN_2025

    def test_locality_override_beats_the_parent(self, region: WorkingCalendar) -> None:
        district = WorkingCalendar(overrides=[CalendarDay(D(2025, 10, 11), working=False)], parent=region)
        assert not district.is_working(D(2025, 10, 11))
        assert region.is_working(D(2025, 10, 11))

    def test_grandchild_sees_every_ancestor(self, karamay: WorkingCalendar) -> None:
        baijiantan = WorkingCalendar(parent=karamay, name="白碱滩区")
        assert not baijiantan.is_working(D(2025, 6, 6))  # from 克拉玛依
        assert not baijiantan.is_working(D(2026, 2, 16))  # from 自治区本级

    def test_locality_may_cover_a_year_its_parent_does_not(self, region: WorkingCalendar) -> None:
        ahead = WorkingCalendar([2027], [CalendarDay(D(2027, 1, 1), working=False)], parent=region)
        assert not ahead.is_working(D(2027, 1, 1))
        assert ahead.is_working(D(2027, 1, 4))  # Monday, Mon–Fri rule
        with pytest.raises(CalendarError):
            region.is_working(D(2027, 1, 4))


class TestOverrideData:
    def test_mapping_of_overrides_is_accepted(self) -> None:
        calendar = WorkingCalendar([2025], {KURBAN_2025.day: KURBAN_2025})
        assert not calendar.is_working(D(2025, 6, 6))

    def test_mapping_key_must_match_the_entry(self) -> None:
        with pytest.raises(ValueError, match="2025-06-06"):
            WorkingCalendar([2025], {D(2025, 6, 5): KURBAN_2025})

    def test_contradicting_entries_are_refused(self) -> None:
        with pytest.raises(ValueError, match="2025-06-06"):
            WorkingCalendar([2025], [KURBAN_2025, CalendarDay(D(2025, 6, 6), working=True)])

    def test_repeated_identical_entries_are_fine(self) -> None:
        calendar = WorkingCalendar([2025], [KURBAN_2025, KURBAN_2025])
        assert calendar.own_overrides == {KURBAN_2025.day: KURBAN_2025}
