"""A daily report for three years: 1,000 loop turns keep working, and the last costs what the fifth did.

Naively stored SpiffWorkflow state grows with every turn and its task iterator stops seeing the ready
task after ~333 turns (see shared/DESIGN.md); servflow compacts the tree after every step.

The cost comparison: the stored state after turn 5 and after a late turn are each loaded, advanced by
one completion and saved, and the Python calls each step makes are counted. A state that kept history
makes the late step walk more tasks; counting calls, unlike timing, does not fail when the machine is
busy (``bench/`` times the same steps against each other).
"""

from __future__ import annotations

import pytest

from engine.commands import instances
from engine.service import Engine
from engine.spiff import runtime
from engine.store.models import ProcessInstance
from support import fixture_bytes, python_calls

TURNS = 1000
LATE = TURNS - 10  # a late turn that still loops (the very last one ends the process instead)


def _step_cost(engine: Engine, instance: ProcessInstance, state: str, task_uuid: str) -> int:
    with engine.unit_of_work() as uow:
        specs = instances.spec_set(uow.session, engine.ctx, instance)

    def step() -> None:
        workflow = runtime.load(state, specs)
        runtime.complete(workflow, task_uuid, {"report": "again", "note": "x" * 200})
        runtime.ready_tasks(workflow)
        runtime.save(workflow)

    return python_calls(step)


@pytest.mark.slow
def test_thousand_turn_loop_finishes_with_flat_state_and_cost(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/loop.bpmn"), "650000")
    instance = engine.start("report_loop", locality="650000", business_key="DAILY", data={"total": TURNS})
    snapshots: dict[int, tuple[str, str]] = {}
    for turn in range(1, TURNS + 1):
        (task,) = engine.open_tasks(instance.id)
        if turn in (5, LATE):
            snapshots[turn] = (engine.get_instance(instance.id).state, task.task_uuid)
        instance = engine.complete(task.id, {"report": f"day {turn}", "note": "x" * 200}, actor="provider")

    assert instance.status == "completed"
    assert engine.open_tasks(instance.id) == []
    reports = [e for e in engine.history(instance.id) if e.action == "task_completed"]
    assert len(reports) == TURNS
    assert reports[-1].data["report"] == f"day {TURNS}"

    early_state, late_state = snapshots[5][0], snapshots[LATE][0]
    assert len(late_state) <= len(early_state) * 1.1, (len(early_state), len(late_state))
    early, late = _step_cost(engine, instance, *snapshots[5]), _step_cost(engine, instance, *snapshots[LATE])
    assert late <= early * 1.1, (early, late)
