"""The sweep's reminded/escalated counts are the notices it actually wrote (issue #11).

Deduplication (a UNIQUE ``dedupe_key`` written with ON CONFLICT DO NOTHING) keeps a second scheduler
from telling anyone twice; the counts it reports must say so too, not count notices it dropped.
Three claimed ``review`` tasks of deadlines.bpmn, started Fri 2025-09-26: each is reminded on 9/30
(its assignee only) and escalated on Sat 10/11 (manager_region only), so one notice is one row.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from clocks import Clock
from sqlalchemy import func, select, update

from engine.jobs.scheduler import Scheduler, SweepReport
from engine.service import Engine
from engine.store.models import HumanTask, Notification
from support import fixture_bytes

TASKS = 3


@pytest.fixture
def due(people: Engine, clock: Clock) -> list[int]:
    people.deploy(fixture_bytes("bpmn/deadlines.bpmn"), "650000")
    clock.at(2025, 9, 26)
    ids = []
    for n in range(TASKS):
        instance = people.start("deadlines", locality="650000", business_key=f"CNT-{n}", title=f"计数项目{n}")
        (task,) = people.open_tasks(instance.id)
        people.claim(task.id, actor="finance_reviewer_region")
        ids.append(task.id)
    clock.at(2025, 10, 11, 9)  # reminders (due 9/30) and first escalations (10/11) both due now
    return ids


def rows(engine: Engine) -> list[tuple[str, str, int | None]]:
    with engine.unit_of_work() as uow:
        query = select(Notification.kind, Notification.recipient, Notification.human_task_id)
        return sorted(tuple(row) for row in uow.session.execute(query.order_by(Notification.id)))


def duplicates(engine: Engine) -> list[tuple[str, str, int | None, int]]:
    with engine.unit_of_work() as uow:
        query = (
            select(Notification.kind, Notification.recipient, Notification.human_task_id, func.count())
            .group_by(Notification.kind, Notification.recipient, Notification.human_task_id)
            .having(func.count() > 1)
        )
        return [tuple(row) for row in uow.session.execute(query)]


def count(written: list[tuple[str, str, int | None]], kind: str) -> int:
    return sum(1 for row_kind, _, _ in written if row_kind == kind)


def back_to_due(engine: Engine, task_ids: list[int]) -> None:
    """The tasks as a second scheduler read them: before the first one's sweep was committed."""
    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(task_ids))
            .values(reminded_at=None, escalated_at=None, escalate_on=date(2025, 10, 11))
        )
        uow.commit()


def test_a_second_sweep_at_the_same_time_reports_and_writes_nothing(
    flow: Engine, people: Engine, due: list[int], scheduler: Scheduler
) -> None:
    first = scheduler.sweep()
    written = rows(flow)
    assert (first.reminded, first.escalated) == (TASKS, TASKS)
    assert (first.reminded, first.escalated) == (count(written, "reminder"), count(written, "escalation"))
    assert {(kind, user) for kind, user, _ in written} == {
        ("reminder", "finance_reviewer_region"),
        ("escalation", "manager_region"),
    }

    again = scheduler.sweep()  # same time, nothing new is due
    assert (again.reminded, again.escalated) == (0, 0)

    # Another scheduler that picked the same due tasks: every notice is already there.
    back_to_due(flow, due)
    other = Scheduler(flow, owner="second-scheduler", lease_seconds=30).sweep()
    assert (other.reminded, other.escalated) == (0, 0)
    assert rows(flow) == written
    assert duplicates(flow) == []


def test_two_schedulers_sweeping_at_once_count_each_notice_once(flow: Engine, people: Engine, due: list[int]) -> None:
    schedulers = [Scheduler(flow, owner=f"scheduler-{n}", lease_seconds=30) for n in range(2)]
    reports: list[SweepReport] = []
    start = threading.Barrier(len(schedulers))

    def sweep(scheduler: Scheduler) -> None:
        start.wait()
        reports.append(scheduler.sweep())

    threads = [threading.Thread(target=sweep, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(reports) == 2
    written = rows(flow)
    assert sum(r.reminded for r in reports) == count(written, "reminder") == TASKS
    assert sum(r.escalated for r in reports) == count(written, "escalation") == TASKS
    assert duplicates(flow) == []
