"""A daily report for three years: 1,000 loop turns keep working, and the last costs what the fifth did.

Naively stored SpiffWorkflow state grows with every turn and its task iterator stops seeing the ready
task after ~333 turns (see shared/DESIGN.md); servflow compacts the tree after every step.
"""

from __future__ import annotations

import statistics
import time

import pytest

from engine.service import Engine
from support import fixture_bytes

TURNS = 1000


@pytest.mark.slow
def test_thousand_turn_loop_finishes_with_flat_state_and_cost(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/loop.bpmn"), "650000")
    instance = engine.start("report_loop", locality="650000", business_key="DAILY", data={"total": TURNS})
    timings: dict[int, list[float]] = {}
    sizes: dict[int, int] = {}
    for turn in range(1, TURNS + 1):
        (task,) = engine.open_tasks(instance.id)
        start = time.perf_counter()
        instance = engine.complete(task.id, {"report": f"day {turn}", "note": "x" * 200}, actor="provider")
        elapsed = time.perf_counter() - start
        window = turn // 10
        if window in (1, 99):  # turns 10-19 vs 990-999
            timings.setdefault(window, []).append(elapsed)
        if turn in (5, TURNS - 1):
            sizes[turn] = len(instance.state)
    assert instance.status == "completed"
    assert engine.open_tasks(instance.id) == []
    assert sizes[TURNS - 1] <= sizes[5] * 1.1, sizes
    early, late = statistics.median(timings[1]), statistics.median(timings[99])
    assert late <= early * 1.5, (early, late)
    reports = [e for e in engine.history(instance.id) if e.action == "task_completed"]
    assert len(reports) == TURNS
    assert reports[-1].data["report"] == f"day {TURNS}"
