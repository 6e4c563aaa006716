"""Reminders before the due date and escalation after it: to whom, exactly once, and again while open.

The ``review`` task of deadlines.bpmn (lane 财政部门) started on Fri 2025-09-26 is due 10/10, reminded
on 9/30 and escalated on Sat 10/11 (a 调休 working day); it escalates again every working day after.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from clocks import Clock
from sqlalchemy import select

from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from engine.store.models import Notification
from support import fixture_bytes

REGION_REVIEWERS = ["finance_reviewer2_region", "finance_reviewer_region"]


@pytest.fixture
def started(people: Engine, clock: Clock) -> tuple[Engine, int]:
    people.deploy(fixture_bytes("bpmn/deadlines.bpmn"), "650000")
    clock.at(2025, 9, 26)
    instance = people.start("deadlines", locality="650000", business_key="R-1", title="社区养老服务项目")
    (task,) = people.open_tasks(instance.id)
    return people, task.id


def inbox(engine: Engine, kind: str | None = None) -> list[tuple[str, str]]:
    with engine.unit_of_work() as uow:
        query = select(Notification).order_by(Notification.recipient, Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [(n.recipient, n.subject) for n in uow.session.scalars(query)]


def test_reminder_goes_once_to_every_role_member_of_an_unclaimed_task(
    started: tuple[Engine, int], scheduler: Scheduler, clock: Clock
) -> None:
    engine, task_id = started
    clock.at(2025, 9, 29, 18)
    assert scheduler.sweep().reminded == 0
    assert inbox(engine, "reminder") == []

    clock.at(2025, 9, 30, 8)
    assert scheduler.sweep().reminded == 1
    assert scheduler.sweep().reminded == 0  # the second sweep sends nothing new
    clock.advance(hours=5)
    scheduler.sweep()
    subject = "【待办提醒】「财政审核」将于2025-10-10到期"
    assert inbox(engine, "reminder") == [(user, subject) for user in REGION_REVIEWERS]
    assert engine.get_task(task_id).reminded_at == clock.now - timedelta(hours=5)


def test_reminder_of_a_claimed_task_goes_to_the_assignee_only(
    started: tuple[Engine, int], scheduler: Scheduler, clock: Clock
) -> None:
    engine, task_id = started
    engine.claim(task_id, actor="finance_reviewer_region")
    clock.at(2025, 9, 30, 9)
    scheduler.sweep()
    scheduler.sweep()
    assert [user for user, _ in inbox(engine, "reminder")] == ["finance_reviewer_region"]
    with engine.unit_of_work() as uow:  # the notice names the person holding it, not only a username
        body = uow.session.scalar(select(Notification.body).where(Notification.kind == "reminder"))
    assert "办理人：自治区财政部门（finance_reviewer_region）" in body
    # The reminder did not bump the task's optimistic lock: the assignee completes it without a conflict.
    engine.complete(task_id, {"award_date": "2025-10-01"}, actor="finance_reviewer_region")


def test_overdue_task_escalates_to_managers_and_again_each_working_day_while_open(
    started: tuple[Engine, int], scheduler: Scheduler, clock: Clock
) -> None:
    engine, task_id = started
    clock.at(2025, 10, 10, 20)  # the due day lasts until 24:00
    assert scheduler.sweep().escalated == 0

    clock.at(2025, 10, 11, 9)  # Saturday, but a 调休 working day
    assert scheduler.sweep().escalated == 1
    assert scheduler.sweep().escalated == 0
    assert inbox(engine, "escalation") == [("manager_region", "【逾期督办】「财政审核」已超过办理期限2025-10-10")]
    task = engine.get_task(task_id)
    assert (task.escalate_on, task.escalated_at) == (date(2025, 10, 13), clock.now)  # next: Monday

    clock.at(2025, 10, 12, 9)  # Sunday: not yet
    assert scheduler.sweep().escalated == 0
    clock.at(2025, 10, 13, 9)
    assert scheduler.sweep().escalated == 1
    assert len(inbox(engine, "escalation")) == 2

    clock.at(2025, 10, 24, 9)  # the scheduler was down for a week: one catch-up escalation, not nine
    assert scheduler.sweep().escalated == 1
    assert engine.get_task(task_id).escalate_on == date(2025, 10, 27)
    assert len(inbox(engine, "escalation")) == 3

    engine.complete(task_id, {"award_date": "2025-10-01"}, actor="finance_reviewer_region")
    clock.at(2025, 10, 27, 9)
    assert scheduler.sweep().escalated == 0  # done tasks stop escalating


def test_district_without_managers_escalates_to_the_city(people: Engine, scheduler: Scheduler, clock: Clock) -> None:
    people.deploy(fixture_bytes("bpmn/deadlines.bpmn"), "650000")
    clock.at(2025, 9, 26)
    people.start("deadlines", locality="650204", business_key="BJT-1")
    clock.at(2025, 9, 30, 9)
    scheduler.sweep()
    # Nobody is a 财政部门 reviewer in 白碱滩区: the reminder goes to 克拉玛依's.
    assert sorted({user for user, _ in inbox(people, "reminder")}) == [
        "finance_reviewer2_karamay",
        "finance_reviewer_karamay",
    ]
    clock.at(2025, 10, 11, 9)
    scheduler.sweep()
    assert [user for user, _ in inbox(people, "escalation")] == ["manager_karamay"]


def test_administrators_are_warned_once_before_the_year_without_calendar(
    people: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    clock.at(2026, 9, 1)
    assert scheduler.sweep().warned == 0
    clock.at(2026, 11, 15)
    assert scheduler.sweep().warned == 1
    assert scheduler.sweep().warned == 0
    assert inbox(people, "calendar_missing") == [("admin", "【工作日历缺失】自治区本级2027年工作日历尚未录入")]
