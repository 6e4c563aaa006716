"""BPMN timers fire at their time (the engine's clock) through the scheduler's leased sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clocks import Clock
from sqlalchemy import select

from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from engine.store.models import TimerJob
from support import fixture_bytes


@pytest.fixture
def deployed(flow: Engine) -> Engine:
    flow.deploy(fixture_bytes("bpmn/timers.bpmn", "bpmn/timer_cycle.bpmn", "bpmn/timer_script.bpmn"), "650000")
    return flow


def open_elements(engine: Engine, instance_id: int) -> list[str]:
    return [task.element_id for task in engine.open_tasks(instance_id)]


def fired_events(engine: Engine, instance_id: int) -> int:
    return sum(1 for event in engine.history(instance_id) if event.action == "timer_fired")


def jobs(engine: Engine, instance_id: int) -> list[TimerJob]:
    with engine.unit_of_work() as uow:
        return list(
            uow.session.scalars(select(TimerJob).where(TimerJob.instance_id == instance_id).order_by(TimerJob.id))
        )


def test_intermediate_then_boundary_timer_fire_at_their_time(
    deployed: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    instance = deployed.start("timers", locality="650000", business_key="T-1")
    (job,) = jobs(deployed, instance.id)
    assert job.due_at == clock.now + timedelta(hours=1)

    clock.advance(minutes=59)
    assert scheduler.sweep().fired == 0
    assert open_elements(deployed, instance.id) == []

    clock.advance(minutes=2)
    assert scheduler.sweep().fired == 1
    assert open_elements(deployed, instance.id) == ["answer"]
    answer_ready = clock.now

    clock.advance(hours=23, minutes=58)
    assert scheduler.sweep().fired == 0
    clock.advance(minutes=3)
    assert scheduler.sweep().fired == 1
    assert open_elements(deployed, instance.id) == ["chase"]  # the boundary timer interrupted 答复质疑
    first, boundary = jobs(deployed, instance.id)
    assert boundary.due_at == answer_ready + timedelta(days=1)
    assert first.done_at is not None and boundary.done_at == clock.now
    assert fired_events(deployed, instance.id) == 2


def test_completing_the_task_in_time_cancels_its_boundary_timer(
    deployed: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    instance = deployed.start("timers", locality="650000", business_key="T-2")
    clock.advance(hours=1, seconds=1)
    scheduler.sweep()
    (answer,) = deployed.open_tasks(instance.id)
    deployed.complete(answer.id, {"reply": "已答复"}, actor="provider_region")
    clock.advance(days=2)
    assert scheduler.sweep().fired == 0
    assert deployed.get_instance(instance.id).status == "completed"
    assert [job.done_at is not None for job in jobs(deployed, instance.id)] == [True]  # boundary job removed


def test_timer_cycle_fires_each_of_its_cycles(deployed: Engine, scheduler: Scheduler, clock: Clock) -> None:
    instance = deployed.start("timer_cycle", locality="650000", business_key="C-1")
    for expected_reports in (1, 2, 3, 3):
        clock.advance(hours=1, seconds=1)
        scheduler.sweep()
        assert open_elements(deployed, instance.id) == ["deliver"] + ["report"] * expected_reports
    assert fired_events(deployed, instance.id) == 3


def test_a_scheduler_that_was_down_catches_up_all_cycles_in_one_sweep(
    deployed: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    instance = deployed.start("timer_cycle", locality="650000", business_key="C-2")
    clock.advance(hours=5)
    assert scheduler.sweep().fired >= 1
    assert open_elements(deployed, instance.id).count("report") == 3
    assert scheduler.sweep().fired == 0
    assert all(job.done_at is not None for job in jobs(deployed, instance.id))


def test_a_leased_job_is_left_alone_until_its_lease_expires(deployed: Engine, clock: Clock) -> None:
    first = Scheduler(deployed, owner="A", lease_seconds=2)
    second = Scheduler(deployed, owner="B", lease_seconds=2)
    instance = deployed.start("timers", locality="650000", business_key="T-3")
    clock.advance(hours=1, seconds=1)
    claimed = first.claim()
    assert len(claimed) == 1
    assert second.claim() == []  # A holds it (A "crashed" here without firing)

    clock.advance(seconds=3)
    assert second.claim() == claimed
    assert first.fire(claimed[0]) is None  # A's lease is gone: it must not fire
    assert second.fire(claimed[0]) is True
    assert open_elements(deployed, instance.id) == ["answer"]
    assert jobs(deployed, instance.id)[0].lease_owner == "B"
    assert fired_events(deployed, instance.id) == 1


def test_a_failing_timer_records_the_error_and_retries_with_backoff(
    deployed: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    instance = deployed.start("timer_script", locality="650000", business_key="S-1", data={"divisor": 0})
    clock.advance(hours=1, seconds=1)
    assert scheduler.sweep().failed == 1
    (job,) = jobs(deployed, instance.id)
    assert (job.attempts, job.done_at) == (1, None)
    assert "division by zero" in job.last_error
    assert deployed.get_instance(instance.id).error["element_id"] == "compute"

    clock.advance(seconds=30)
    assert scheduler.sweep().failed == 0  # backing off (60 s after the first failure)
    clock.advance(seconds=31)
    assert scheduler.sweep().failed == 1
    assert jobs(deployed, instance.id)[0].attempts == 2

    assert open_elements(deployed, instance.id) == []  # the project stays at its last wait state


def test_suspended_projects_keep_their_timers_until_resumed(
    deployed: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    instance = deployed.start("timers", locality="650000", business_key="T-4")
    deployed.suspend(instance.id, actor="manager_region")
    clock.advance(hours=2)
    assert scheduler.sweep().fired == 0
    deployed.resume(instance.id, actor="manager_region")
    assert scheduler.sweep().fired == 1
    assert open_elements(deployed, instance.id) == ["answer"]
