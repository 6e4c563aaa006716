"""Due, reminder and escalation dates on human-task rows, counted per 民法典 on the stored calendars.

Dates come from the State Council's schedules: 2025 国庆+中秋 10/1–8 off, Sun 9/28 and Sat 10/11 worked;
端午 5/31–6/2. 古尔邦节 on Fri 2025-06-06 is entered as a Karamay day off (illustrative data).
"""

from __future__ import annotations

from datetime import date

import pytest
from clocks import Clock

from engine.calendars import calendar_store
from engine.errors import CalendarError
from engine.service import Engine
from support import fixture_bytes


@pytest.fixture
def deployed(flow: Engine) -> Engine:
    flow.deploy(fixture_bytes("bpmn/deadlines.bpmn"), "650000")
    return flow


def dates(engine: Engine, instance_id: int) -> tuple[date | None, date | None, date | None]:
    (task,) = engine.open_tasks(instance_id)
    return task.due_date, task.remind_on, task.escalate_on


def test_working_day_deadline_skips_the_national_day_holiday(deployed: Engine, clock: Clock) -> None:
    clock.at(2025, 9, 26)  # Friday; the next working days are Sun 9/28 (调休), 9/29, 9/30, then 10/9, 10/10
    instance = deployed.start("deadlines", locality="650000", business_key="D-1")
    assert dates(deployed, instance.id) == (date(2025, 10, 10), date(2025, 9, 30), date(2025, 10, 11))


def test_calendar_day_deadline_counted_from_process_data_moves_off_the_holiday(deployed: Engine, clock: Clock) -> None:
    clock.at(2025, 8, 20)
    instance = deployed.start("deadlines", locality="650000", business_key="D-2")
    (review,) = deployed.open_tasks(instance.id)
    deployed.complete(review.id, {"award_date": "2025-09-01"}, actor="reviewer")
    # 30 days after 9/1 is 10/1 (国庆): the period ends on the first working day after the holiday.
    # Reminder 3 days before 10/9 is 10/6, a holiday: it moves earlier to the last working day, 9/30.
    # Escalation 2 days after 10/9 is Sat 10/11, a 调休 working day.
    assert dates(deployed, instance.id) == (date(2025, 10, 9), date(2025, 9, 30), date(2025, 10, 11))


def test_karamay_local_holiday_shifts_its_deadlines_and_its_districts_but_not_urumqi(
    deployed: Engine, clock: Clock
) -> None:
    with deployed.unit_of_work(write=True) as uow:
        calendar_store.set_day(uow.session, "650200", date(2025, 6, 6), working=False, note="古尔邦节")
        uow.commit()
    clock.at(2025, 6, 3)  # Tuesday after 端午
    due = {}
    for code in ("650000", "650100", "650200", "650204"):
        instance = deployed.start("deadlines", locality=code, business_key=f"K-{code}")
        due[code] = dates(deployed, instance.id)[0]
    assert due == {
        "650000": date(2025, 6, 10),
        "650100": date(2025, 6, 10),
        "650200": date(2025, 6, 11),  # Fri 6/6 off in 克拉玛依: the fifth working day is Wed 6/11
        "650204": date(2025, 6, 11),  # 白碱滩区 inherits 克拉玛依's calendar
    }


def test_a_deadline_in_a_year_without_calendar_refuses_the_command_and_names_the_year(
    deployed: Engine, clock: Clock
) -> None:
    clock.at(2026, 12, 28)  # five working days later is in 2027, which nobody has entered
    with pytest.raises(CalendarError) as refused:
        deployed.start("deadlines", locality="650200", business_key="Y-2027")
    assert refused.value.details["year"] == 2027
    assert "2027" in refused.value.message and "review" in refused.value.message
    assert deployed.instances() == []  # rolled back: no project without its deadline

    with deployed.unit_of_work(write=True) as uow:  # the admin enters 2027 by hand
        calendar_store.cover_year(uow.session, "650000", 2027, "entered by hand")
        calendar_store.set_day(uow.session, "650000", date(2027, 1, 1), working=False, note="元旦")
        uow.commit()
    instance = deployed.start("deadlines", locality="650200", business_key="Y-2027")
    # 12/29, 12/30, 12/31, (1/1 元旦 off), 1/4, 1/5
    assert dates(deployed, instance.id)[0] == date(2027, 1, 5)


def test_a_task_without_deadline_settings_has_no_due_date(flow: Engine) -> None:
    flow.deploy(fixture_bytes("bpmn/timers.bpmn"), "650000")
    flow.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    instance = flow.start("approval", locality="650000", business_key="A-1")
    (apply,) = flow.open_tasks(instance.id)
    assert apply.due_date is not None  # approval's apply task says dueIn=5 workingDays
    flow.complete(apply.id, {"project_name": "p", "budget": 10}, actor="alice")
    assert dates(flow, instance.id) == (None, None, None)
