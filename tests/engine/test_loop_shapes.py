"""Every loop shape keeps a flat cost per turn, and its joins still wait for the right branches.

The shapes (``bench/loop_shapes.py``, models in ``tests/fixtures/bpmn/loops``) put in a loop body what made
compaction keep history: parallel and inclusive split/join, multi-instance tasks, sub-processes, boundary
events, an event sub-process, a nested loop, a join fed by joins, a loop in one branch. Each turn checks
after every step which tasks wait, with the state saved and loaded between steps as a command does, so a
join that fires early or waits forever fails the turn. The cost comparison is as in ``test_long_loop``: one
turn from an early and one from a late stored state of the same phase (``EARLY``, ``LATE``), counted in
Python calls made (``bench/bench_loop_shapes`` times them).
"""

from __future__ import annotations

import json

import pytest

from bench.loop_shapes import EARLY, LATE, SHAPES, Run, Shape
from engine.definitions.validation import validate_bundle
from engine.service import Engine
from support import fixture_bytes, python_calls

TURNS = 1000


def _turn_cost(snapshot: Run, turn: int) -> int:
    def turn_once() -> None:
        run = snapshot.copy()
        run.shape.turn(run, turn)

    return python_calls(turn_once)


@pytest.mark.parametrize("shape", SHAPES, ids=[s.key for s in SHAPES])
def test_every_phase_of_a_shape_keeps_its_joins(shape: Shape) -> None:
    run = Run.start(shape, 61)
    for turn in range(1, 62):
        shape.turn(run, turn)
    assert run.finished()


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES, ids=[s.key for s in SHAPES])
def test_a_thousand_turns_end_with_flat_state_and_cost(shape: Shape) -> None:
    run = Run.start(shape, TURNS)
    snapshots: dict[int, Run] = {}
    for turn in range(1, TURNS + 1):
        if turn in (EARLY, LATE, TURNS):
            snapshots[turn] = run.copy()
        shape.turn(run, turn)
    assert run.finished()

    early_size, last_size = len(snapshots[EARLY].state), len(snapshots[TURNS].state)
    assert last_size <= early_size * 1.1, (early_size, last_size)
    early, late = _turn_cost(snapshots[EARLY], EARLY), _turn_cost(snapshots[LATE], LATE)
    assert late <= early * 1.1, (early, late)


def _open(engine: Engine, instance_id: int) -> list[str]:
    return sorted(task.element_id for task in engine.open_tasks(instance_id))


def _complete(engine: Engine, instance_id: int, element_id: str) -> None:
    task = next(t for t in engine.open_tasks(instance_id) if t.element_id == element_id)
    engine.complete(task.id, {"comment": element_id}, actor="provider")


def test_a_parallel_join_in_a_loop_waits_for_this_turns_other_branch(engine: Engine) -> None:
    """Stock SpiffWorkflow 3.2 counts last turn's arrival at the join again and fires without the report."""
    engine.deploy(fixture_bytes("bpmn/loops/parallel.bpmn"), "650000")
    instance = engine.start("loop_parallel", locality="650000", business_key="WEEKLY", data={"total": 3})
    for first, second in (("report", "spot_check"), ("spot_check", "report"), ("report", "spot_check")):
        assert _open(engine, instance.id) == ["report", "spot_check"]
        _complete(engine, instance.id, first)
        assert _open(engine, instance.id) == [second]  # one branch done, the other not, after save and load
        _complete(engine, instance.id, second)
    assert engine.get_instance(instance.id).status == "completed"


def test_an_inclusive_join_waits_for_a_person_when_a_script_branch_arrives_at_once(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/loops/inclusive_mi.bpmn"), "650000")
    instance = engine.start("loop_inclusive_mi", locality="650000", business_key="VISITS", data={"total": 4})
    for turn in range(1, 5):
        done = turn - 1
        branches = ["report", "visit"] if done % 2 == 0 else ["report"]
        assert _open(engine, instance.id) == branches, turn  # auto_check (turns 1 and 4) already arrived
        for element_id in branches:
            _complete(engine, instance.id, element_id)
        assert _open(engine, instance.id) == ["review", "review"]
        _complete(engine, instance.id, "review")
        _complete(engine, instance.id, "review")
    assert engine.get_instance(instance.id).status == "completed"


def test_a_message_starts_the_event_subprocess_with_its_payload(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/loops/event_subprocess.bpmn"), "650000")
    instance = engine.start("loop_event_subprocess", locality="650000", business_key="MONTHLY", data={"total": 2})
    engine.correlate("MONTHLY", "supervisor_query", {"question": "进度如何?"}, actor="system")
    (answer,) = [t for t in engine.open_tasks(instance.id) if t.element_id == "answer"]
    assert engine.task_data(answer.id)["question"] == "进度如何?"
    for element_id in ("report", "answer", "report"):
        _complete(engine, instance.id, element_id)
    assert engine.get_instance(instance.id).status == "completed"


def _stored_tasks(engine: Engine, instance_id: int) -> list[str]:
    state = json.loads(engine.get_instance(instance_id).state)
    return sorted(f"{task['task_spec']}:{task['state']}" for task in state["tasks"].values())


def test_a_project_started_after_an_event_subprocess_ran_has_the_same_tasks_as_one_before(engine: Engine) -> None:
    """SpiffWorkflow links the event sub-process into the cached spec when it first starts one."""
    engine.deploy(fixture_bytes("bpmn/loops/event_subprocess.bpmn"), "650000")
    first = engine.start("loop_event_subprocess", locality="650000", business_key="M-1", data={"total": 2})
    at_start = _stored_tasks(engine, first.id)
    engine.correlate("M-1", "supervisor_query", {"question": "进度如何?"}, actor="system")
    second = engine.start("loop_event_subprocess", locality="650000", business_key="M-2", data={"total": 2})
    assert _stored_tasks(engine, second.id) == at_start


def test_a_project_ends_when_no_event_starts_its_event_subprocess_and_waits_for_one_that_runs(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/loops/event_subprocess.bpmn"), "650000")
    quiet = engine.start("loop_event_subprocess", locality="650000", business_key="M-Q", data={"total": 1})
    asked = engine.start("loop_event_subprocess", locality="650000", business_key="M-A", data={"total": 1})
    engine.correlate("M-A", "supervisor_query", {"question": "进度如何?"}, actor="system")
    for instance in (quiet, asked):
        _complete(engine, instance.id, "report")
    assert engine.get_instance(quiet.id).status == "completed"  # nothing listens once the reports are done
    assert engine.get_instance(asked.id).status == "running"  # the query still has to be answered
    _complete(engine, asked.id, "answer")
    assert engine.get_instance(asked.id).status == "completed"
    another = engine.start("loop_event_subprocess", locality="650000", business_key="M-B", data={"total": 1})
    _complete(engine, another.id, "report")  # after a query ran in this process, the spec is still the same
    assert engine.get_instance(another.id).status == "completed"


def test_a_project_ends_with_its_main_flow_though_a_cycle_timer_could_start_its_event_subprocess_again(
    engine: Engine,
) -> None:
    engine.deploy(fixture_bytes("bpmn/loops/timer_event_subprocess.bpmn"), "650000")
    instance = engine.start("loop_timer_esp", locality="650000", business_key="D-1", data={"total": 2})
    _complete(engine, instance.id, "report")
    _complete(engine, instance.id, "report")
    assert engine.get_instance(instance.id).status == "completed"
    assert engine.open_tasks(instance.id) == []


def test_the_designer_is_warned_when_a_parallel_gateway_is_also_the_loops_entry() -> None:
    """BPMN's parallel gateway waits for every incoming flow; the two models that merge first are not warned."""

    def warned(name: str) -> list[str]:
        report = validate_bundle(fixture_bytes(f"bpmn/loops/{name}"), scenarios=False)
        return [p.element_id for p in report.problems if p.code == "parallel_loop_entry"]

    assert warned("parallel.bpmn") == ["split"]
    assert warned("joins.bpmn") == warned("branch_loop.bpmn") == []
