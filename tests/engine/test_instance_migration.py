"""Moving running projects to a new version: 200 projects of one city on review v1, v2 adds an expert
step after the first review. Those still at the first review get the step; those past it move as they
are (reported as having passed it); the other city's projects stay on v1; one moved project goes back.
Bad plans and projects that cannot move are refused with nothing half-written."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from migration_models import V1, V2, V3, bundle
from sqlalchemy import select

from engine.commands.migration_plan import Plan
from engine.errors import ConflictError, InvalidDataError, InvalidStateError, ServflowError
from engine.service import Engine
from engine.store.models import MigrationBatch, TimerJob

URUMQI, KARAMAY, REGION = "650100", "650200", "650000"


def _start(engine: Engine, locality: str, n: int, *, past_review: bool) -> list[int]:
    ids = []
    for i in range(n):
        instance = engine.start("mreview", locality=locality, business_key=f"{locality}-{past_review}-{i}", data={})
        if past_review:
            (task,) = engine.open_tasks(instance.id)
            engine.complete(task.id, {}, actor="system")
        ids.append(instance.id)
    return ids


def _elements(engine: Engine, instance_id: int) -> list[str]:
    return [row.element_id for row in engine.open_tasks(instance_id)]


def _timers(engine: Engine, instance_id: int) -> list[tuple[str | None, datetime]]:
    with engine.unit_of_work() as uow:
        open_jobs = select(TimerJob).where(TimerJob.instance_id == instance_id, TimerJob.done_at.is_(None))
        jobs = uow.session.scalars(open_jobs)
        return [(job.task_uuid, job.due_at) for job in jobs]


def test_two_hundred_projects_move_to_v2_and_one_goes_back(engine: Engine) -> None:
    engine.deploy(bundle(V1), REGION)
    v1 = engine.current_version("mreview", URUMQI).id
    at_review = _start(engine, URUMQI, 100, past_review=False)
    past = _start(engine, URUMQI, 100, past_review=True)
    elsewhere = _start(engine, KARAMAY, 5, past_review=False)
    claimed = engine.open_tasks(at_review[0])[0]
    engine.claim(claimed.id, actor="reviewer_a")
    engine.save_draft(claimed.id, {"opinion": "半"}, actor="reviewer_a")
    timers_before = _timers(engine, at_review[0])
    assert timers_before, "the boundary timer of the first review waits"
    engine.deploy(bundle(V2), URUMQI)
    v2 = engine.current_version("mreview", URUMQI).id
    plan = Plan(sources=(v1,), target=v2, locality=URUMQI)

    verdicts = {v.instance_id: v for v in engine.migration_dry_run(plan, actor="system")}
    assert set(verdicts) == set(at_review + past), "only the city the plan names"
    assert all(v.can_move for v in verdicts.values())
    assert {tuple(verdicts[i].ahead) for i in at_review} == {("expert_review",)}
    assert {tuple(verdicts[i].passed) for i in past} == {("expert_review",)}
    assert engine.get_instance(at_review[0]).bound_versions["mreview"] == v1, "a dry run writes nothing"

    batch = engine.migrate(plan, actor="designer_urumqi")
    assert (batch.total, batch.moved, batch.failed, batch.results) == (200, 200, 0, [])
    assert batch.finished_at is not None

    row = engine.get_task(claimed.id)
    kept = (row.state, row.assignee, row.draft, row.due_date)
    assert kept == ("open", "reviewer_a", {"opinion": "半"}, claimed.due_date)
    assert _timers(engine, at_review[0]) == timers_before, "a waiting timer keeps its due time"
    migrated = engine.history(at_review[0])[-1]
    assert (migrated.action, migrated.actor) == ("migrated", "designer_urumqi")
    assert (migrated.data["from_version"], migrated.data["to_version"], migrated.data["mapping"]) == (v1, v2, {})

    engine.complete(claimed.id, {"opinion": "同意"}, actor="reviewer_a")
    assert _elements(engine, at_review[0]) == ["expert_review"], "the new step, after the first review"
    assert _elements(engine, past[0]) == ["APPROVE"]
    engine.complete(engine.open_tasks(past[0])[0].id, {}, actor="system")
    assert engine.get_instance(past[0]).status == "completed"
    for instance_id in elsewhere:
        assert engine.get_instance(instance_id).bound_versions["mreview"] == v1
        assert all(event.action != "migrated" for event in engine.history(instance_id))

    back = at_review[1]
    engine.revert_migration(back, actor="system")
    assert engine.get_instance(back).bound_versions["mreview"] == v1
    engine.complete(engine.open_tasks(back)[0].id, {}, actor="system")
    assert _elements(engine, back) == ["APPROVE"], "back on v1: no expert step"
    with pytest.raises(InvalidStateError, match="last thing"):
        engine.revert_migration(at_review[0], actor="system")


def test_a_renamed_step_needs_a_mapping_and_a_failing_project_does_not_stop_the_batch(engine: Engine) -> None:
    engine.deploy(bundle(V2), URUMQI)
    v2 = engine.current_version("mreview", URUMQI).id
    waiting = _start(engine, URUMQI, 2, past_review=False)
    at_approve = _start(engine, URUMQI, 1, past_review=True)
    engine.complete(engine.open_tasks(at_approve[0])[0].id, {}, actor="system")  # now at APPROVE
    engine.deploy(bundle(V3), URUMQI)
    v3 = engine.current_version("mreview", URUMQI).id
    state_before = engine.get_instance(at_approve[0]).state

    batch = engine.migrate(Plan(sources=(v2,), target=v3), actor="system")
    assert (batch.moved, batch.failed) == (2, 1)
    (failure,) = batch.results
    assert failure["instance_id"] == at_approve[0] and failure["code"] == "invalid_state"
    assert failure["reasons"][0]["code"] == "removed" and failure["reasons"][0]["element_id"] == "APPROVE"
    assert engine.get_instance(at_approve[0]).state == state_before, "left as it was"
    assert {engine.get_instance(i).bound_versions["mreview"] for i in waiting} == {v3}

    moved = engine.migrate(Plan(sources=(v2,), target=v3, mapping={"APPROVE": "approve"}), actor="system")
    assert (moved.moved, moved.failed) == (1, 0)
    assert _elements(engine, at_approve[0]) == ["approve"]


def test_bad_plans_and_finished_projects_are_refused_with_nothing_written(engine: Engine) -> None:
    engine.deploy(bundle(V1), URUMQI)
    v1 = engine.current_version("mreview", URUMQI).id
    done, cancelled = _start(engine, URUMQI, 2, past_review=True)
    engine.complete(engine.open_tasks(done)[0].id, {}, actor="system")
    engine.cancel(cancelled, actor="system")
    engine.deploy(bundle(V2), URUMQI)
    v2 = engine.current_version("mreview", URUMQI).id

    with pytest.raises(InvalidDataError, match="no_such_step") as refused:
        engine.start_migration(Plan(sources=(v1,), target=v2, mapping={"APPROVE": "no_such_step"}), actor="system")
    assert "mapping.APPROVE" in refused.value.details["errors"]
    with pytest.raises(InvalidDataError):
        engine.migration_dry_run(Plan(sources=(v2,), target=v2), actor="system")
    with engine.unit_of_work() as uow:
        assert uow.session.scalars(select(MigrationBatch)).all() == []
    for instance_id in (done, cancelled):
        with pytest.raises(InvalidStateError, match=r"completed|cancelled"):
            engine.migrate_instance(instance_id, Plan(sources=(v1,), target=v2), actor="system")
        assert engine.get_instance(instance_id).bound_versions["mreview"] == v1
    everything = Plan(sources=(v1,), target=v2, statuses=("running", "completed", "cancelled"))
    verdicts = engine.migration_dry_run(everything, actor="system")
    assert sorted((v.status, v.can_move) for v in verdicts) == [("cancelled", False), ("completed", False)]


def test_two_migrations_of_the_same_project_at_once_one_wins(engine: Engine) -> None:
    engine.deploy(bundle(V1), URUMQI)
    v1 = engine.current_version("mreview", URUMQI).id
    (instance_id,) = _start(engine, URUMQI, 1, past_review=False)
    engine.deploy(bundle(V2), URUMQI)
    v2 = engine.current_version("mreview", URUMQI).id
    plan = Plan(sources=(v1,), target=v2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def designer() -> None:
        barrier.wait()
        try:
            engine.migrate_instance(instance_id, plan, actor="designer_urumqi")
            outcomes.append("moved")
        except ServflowError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=designer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [ConflictError.__name__, "moved"]
    assert [e.action for e in engine.history(instance_id)].count("migrated") == 1
    assert datetime.now(UTC) >= engine.history(instance_id)[-1].at
