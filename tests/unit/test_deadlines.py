"""Deadlines counted per 民法典 Art.201/203 on real 2025/2026 calendars.

Expected dates are worked out by hand from the published schedules (see test_calendar.py):
2025 国庆 10/1–8 off with Sun 9/28 and Sat 10/11 worked; 2026 春节 2/15–23 off with Sat 2/14 and
Sat 2/28 worked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from engine.calendars.calendar import CalendarDay, WorkingCalendar
from engine.calendars.deadlines import (
    Deadline,
    DeadlineDataError,
    DeadlineRule,
    due_date,
    earliest_allowed,
    escalation_date,
    is_overdue,
    local_date,
    reminder_date,
)
from engine.errors import CalendarError, DefinitionError, ExecutionError

D = date


@pytest.fixture(scope="module")
def region() -> WorkingCalendar:
    return WorkingCalendar.from_package([2025, 2026], name="自治区本级")


@pytest.fixture
def karamay(region: WorkingCalendar) -> WorkingCalendar:
    # 古尔邦节 2025 as Xinjiang data (illustrative date; the real extra days are locality data [Q]).
    kurban = CalendarDay(D(2025, 6, 6), working=False, note="古尔邦节")
    return WorkingCalendar(overrides=[kurban], parent=region, name="克拉玛依")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class TestDueDate:
    def test_30_days_landing_in_national_day_moves_past_it(self, region: WorkingCalendar) -> None:
        # 9/1 + 30 = 10/1, a holiday; 10/2–10/8 are too, so the period ends Thu 10/9.
        assert due_date(D(2025, 9, 1), 30, "days", region) == D(2025, 10, 9)

    def test_30_days_landing_on_a_sunday_moves_to_monday(self, region: WorkingCalendar) -> None:
        assert due_date(D(2025, 11, 14), 30, "days", region) == D(2025, 12, 15)

    def test_30_days_landing_on_a_worked_saturday_stays(self, region: WorkingCalendar) -> None:
        assert due_date(D(2025, 9, 11), 30, "days", region) == D(2025, 10, 11)

    def test_start_day_is_not_counted(self, region: WorkingCalendar) -> None:
        assert due_date(D(2025, 11, 17), 1, "days", region) == D(2025, 11, 18)
        assert due_date(D(2025, 11, 17), 1, "workingDays", region) == D(2025, 11, 18)

    def test_two_working_days_after_a_friday(self, region: WorkingCalendar) -> None:
        assert due_date(D(2025, 11, 14), 2, "workingDays", region) == D(2025, 11, 18)

    def test_working_days_across_national_day(self, region: WorkingCalendar) -> None:
        # 10/9, 10/10, Sat 10/11 (worked), 10/13, 10/14
        assert due_date(D(2025, 9, 30), 5, "workingDays", region) == D(2025, 10, 14)

    def test_working_days_across_spring_festival_2026(self, region: WorkingCalendar) -> None:
        # Fri 2/13, Sat 2/14 (worked), 2/24, 2/25, 2/26, 2/27, Sat 2/28 (worked)
        assert due_date(D(2026, 2, 12), 7, "workingDays", region) == D(2026, 2, 28)

    def test_zero_is_the_start_day_moved_to_a_working_day(self, region: WorkingCalendar) -> None:
        assert due_date(D(2025, 11, 15), 0, "days", region) == D(2025, 11, 17)
        assert due_date(D(2025, 11, 15), 0, "workingDays", region) == D(2025, 11, 17)

    def test_locality_holiday_shifts_the_due_date_only_there(
        self, region: WorkingCalendar, karamay: WorkingCalendar
    ) -> None:
        # 5/7 + 30 = Fri 6/6: a working day for the region, 古尔邦节 in 克拉玛依 → Mon 6/9.
        assert due_date(D(2025, 5, 7), 30, "days", region) == D(2025, 6, 6)
        assert due_date(D(2025, 5, 7), 30, "days", karamay) == D(2025, 6, 9)
        assert due_date(D(2025, 6, 5), 2, "workingDays", region) == D(2025, 6, 9)
        assert due_date(D(2025, 6, 5), 2, "workingDays", karamay) == D(2025, 6, 10)

    def test_due_date_in_an_uncovered_year_raises(self, region: WorkingCalendar) -> None:
        with pytest.raises(CalendarError, match="2027"):
            due_date(D(2026, 12, 15), 30, "days", region)

    def test_bad_arguments(self, region: WorkingCalendar) -> None:
        with pytest.raises(ValueError, match="weeks"):
            due_date(D(2025, 11, 14), 2, "weeks", region)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="negative"):
            due_date(D(2025, 11, 14), -1, "days", region)


class TestEarliestAllowed:
    def test_minimum_gap_is_not_moved_off_a_holiday(self, region: WorkingCalendar) -> None:
        # ≥ 20 days from 9/11: the gap has run on 10/1 even though 10/1 is a holiday …
        assert earliest_allowed(D(2025, 9, 11), 20, "days", region) == D(2025, 10, 1)
        # … whereas a 20-day *due date* would move to 10/9.
        assert due_date(D(2025, 9, 11), 20, "days", region) == D(2025, 10, 9)

    def test_minimum_gap_in_working_days(self, region: WorkingCalendar) -> None:
        assert earliest_allowed(D(2025, 9, 30), 5, "workingDays", region) == D(2025, 10, 14)


class TestReminder:
    def test_calendar_day_reminder_moves_earlier_off_a_holiday(self, region: WorkingCalendar) -> None:
        # 10/9 − 2 = 10/7, a holiday; the last working day before it is 9/30.
        assert reminder_date(D(2025, 10, 9), 2, "days", region) == D(2025, 9, 30)

    def test_working_day_reminder_counts_worked_saturdays(self, region: WorkingCalendar) -> None:
        assert reminder_date(D(2025, 10, 14), 2, "workingDays", region) == D(2025, 10, 11)

    def test_reminder_never_before_start(self, region: WorkingCalendar) -> None:
        start = D(2025, 11, 17)
        assert reminder_date(D(2025, 11, 18), 5, "days", region, not_before=start) == start
        assert reminder_date(D(2025, 11, 18), 5, "workingDays", region, not_before=start) == start

    def test_clamped_reminder_does_not_ask_about_days_before_start(self) -> None:
        only_2025 = WorkingCalendar.from_package([2025])
        # Start on 元旦 2025: rolling back from 1/1 would need 2024, which this calendar lacks.
        assert reminder_date(D(2025, 1, 2), 1, "days", only_2025, not_before=D(2025, 1, 1)) == D(2025, 1, 1)
        assert reminder_date(D(2025, 1, 2), 3, "workingDays", only_2025, not_before=D(2025, 1, 1)) == D(2025, 1, 1)


class TestEscalation:
    def test_one_working_day_after_due(self, region: WorkingCalendar) -> None:
        assert escalation_date(D(2025, 9, 26), 1, "workingDays", region) == D(2025, 9, 28)

    def test_calendar_day_escalation_moves_off_a_holiday(self, region: WorkingCalendar) -> None:
        assert escalation_date(D(2025, 9, 30), 1, "days", region) == D(2025, 10, 9)


class TestOverdue:
    def test_due_day_lasts_until_midnight_in_china(self) -> None:
        due = D(2025, 10, 9)
        assert not is_overdue(due, utc(2025, 10, 9, 15, 59, 59))  # 23:59:59 in Shanghai
        assert is_overdue(due, utc(2025, 10, 9, 16, 0, 0))  # 00:00 on 10/10 in Shanghai

    def test_other_zones_are_converted(self) -> None:
        new_york = timezone(timedelta(hours=-4))
        assert is_overdue(D(2025, 10, 9), datetime(2025, 10, 9, 12, 0, tzinfo=new_york))

    def test_naive_datetime_is_refused(self) -> None:
        with pytest.raises(ValueError, match="time zone"):
            is_overdue(D(2025, 10, 9), datetime(2025, 10, 10, 12, 0))

    def test_local_date(self) -> None:
        assert local_date(utc(2025, 9, 30, 17, 0)) == D(2025, 10, 1)


class TestRuleParsing:
    def test_full_definition(self) -> None:
        attrs = {
            "dueIn": "30",
            "dueUnit": "workingDays",
            "dueFrom": "award_date",
            "remindBefore": "2",
            "escalateAfter": "1",
            "name": "sign contract",
        }
        assert DeadlineRule.from_attributes(attrs, element_id="sign") == DeadlineRule(
            amount=30,
            unit="workingDays",
            due_from="award_date",
            remind_before=2,
            escalate_after=1,
            element_id="sign",
        )

    def test_unit_defaults_to_calendar_days(self) -> None:
        rule = DeadlineRule.from_attributes({"dueIn": " 7 "}, element_id="t")
        assert rule is not None and (rule.amount, rule.unit, rule.due_from) == (7, "days", None)

    @pytest.mark.parametrize("attrs", [{}, {"name": "x"}, {"dueIn": "", "dueUnit": "  "}])
    def test_no_deadline(self, attrs: dict[str, str]) -> None:
        assert DeadlineRule.from_attributes(attrs, element_id="t") is None

    @pytest.mark.parametrize(
        ("attrs", "fragment"),
        [
            ({"dueIn": "-1"}, "dueIn"),
            ({"dueIn": "3.5"}, "dueIn"),
            ({"dueIn": "thirty"}, "dueIn"),
            ({"dueIn": "３"}, "dueIn"),  # full-width digit
            ({"dueIn": "99999"}, "dueIn"),
            ({"dueIn": "3", "dueUnit": "weeks"}, "dueUnit"),
            ({"dueIn": "3", "dueUnit": "WorkingDays"}, "dueUnit"),
            ({"dueIn": "3", "remindBefore": "x"}, "remindBefore"),
            ({"dueIn": "3", "escalateAfter": "-2"}, "escalateAfter"),
            ({"remindBefore": "2"}, "without dueIn"),
            ({"dueIn": "2", "remindBefore": "3"}, "remindBefore"),
        ],
    )
    def test_invalid_definitions_name_the_element(self, attrs: dict[str, str], fragment: str) -> None:
        with pytest.raises(DefinitionError, match=fragment) as raised:
            DeadlineRule.from_attributes(attrs, element_id="Task_sign")
        assert raised.value.element_id == "Task_sign"
        assert "Task_sign" in str(raised.value)


class TestRuleCompute:
    RULE = DeadlineRule(
        amount=30, unit="days", due_from="award_date", remind_before=2, escalate_after=1, element_id="sign"
    )

    def test_counts_from_the_named_field(self, region: WorkingCalendar) -> None:
        deadline = self.RULE.compute(utc(2025, 9, 5, 2, 0), {"award_date": "2025-09-01"}, region)
        # due 9/1 + 30 = 10/1 → 10/9; remind 10/7 → back to 9/30; escalate 10/10.
        assert deadline == Deadline(due=D(2025, 10, 9), remind_on=D(2025, 9, 30), escalate_on=D(2025, 10, 10))

    def test_date_objects_are_accepted(self, region: WorkingCalendar) -> None:
        deadline = self.RULE.compute(utc(2025, 9, 5, 2, 0), {"award_date": D(2025, 9, 1)}, region)
        assert deadline.due == D(2025, 10, 9)

    @pytest.mark.parametrize("data", [{}, {"award_date": None}, {"award_date": ""}])
    def test_missing_field_counts_from_creation(self, region: WorkingCalendar, data: dict) -> None:
        # Created Mon 11/17 (Shanghai) + 30 = Wed 12/17.
        assert self.RULE.compute(utc(2025, 11, 17, 1, 0), data, region).due == D(2025, 12, 17)

    @pytest.mark.parametrize("value", ["2025-02-30", "20250901", "next week", "2025-09-01T08:00:00", 20250901])
    def test_invalid_field_value_names_the_field(self, region: WorkingCalendar, value: object) -> None:
        with pytest.raises(DeadlineDataError, match="award_date") as raised:
            self.RULE.compute(utc(2025, 9, 5), {"award_date": value}, region)
        assert isinstance(raised.value, ExecutionError)
        assert raised.value.details["field"] == "award_date"
        assert raised.value.element_id == "sign"

    def test_creation_day_is_taken_in_china(self, region: WorkingCalendar) -> None:
        # 9/25 17:00 UTC is Fri 9/26 01:00 in Shanghai: +2 working days = Sun 9/28 (worked), Mon 9/29.
        rule = DeadlineRule(amount=2, unit="workingDays")
        deadline = rule.compute(utc(2025, 9, 25, 17, 0), {}, region)
        assert deadline == Deadline(due=D(2025, 9, 29))

    def test_locality_calendar_is_used(self, region: WorkingCalendar, karamay: WorkingCalendar) -> None:
        rule = DeadlineRule(amount=30, unit="days", due_from="award_date")
        data = {"award_date": "2025-05-07"}
        assert rule.compute(utc(2025, 5, 8), data, region).due == D(2025, 6, 6)
        assert rule.compute(utc(2025, 5, 8), data, karamay).due == D(2025, 6, 9)
