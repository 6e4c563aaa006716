"""Cost of one task completion in servflow vs SpiffWorkflow's own round trip, at 5 and 500 tasks of history.

servflow: lock the instance, load state, complete the task, run to the next wait state, save state,
task rows and audit, commit — through ``Engine.complete`` on a real database.
Raw SpiffWorkflow: the same step in memory the way the library is used on its own — deserialize the
stored JSON (spec included), complete, run, serialize.

Targets (issue "Benchmarks"): servflow ≥ 0.5 of the raw rate; 500-task step ≤ 1.5× the 5-task step.
Run: ``make bench`` or ``python -m bench.bench_engine [--database-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench.common import median_ms, print_table, time_each
from engine.compose import build_engine
from engine.service import Engine
from engine.store.migrate import upgrade

LOOP = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "bpmn" / "loop.bpmn"
PAYLOAD = {"comment": "x" * 200}  # what a person may send to a task without a form
SAMPLES = 30
HISTORIES = (5, 300, 500)


class Stalled(Exception):
    """SpiffWorkflow's iterator no longer sees the ready task (its depth limit, ~333 loop turns)."""


class RawSpiff:
    """One workflow advanced with SpiffWorkflow alone, stored as the stock serializer's JSON."""

    def __init__(self) -> None:
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_file(str(LOOP))
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        workflow = BpmnWorkflow(parser.get_spec("report_loop"))
        workflow.get_tasks(state=TaskState.READY)[0].data["total"] = 10**9
        workflow.do_engine_steps()
        self.state = self.serializer.serialize_json(workflow)

    done = 0

    def step(self) -> None:
        workflow = self.serializer.deserialize_json(self.state)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            raise Stalled
        task = ready[0]
        task.data.update(PAYLOAD)
        task.run()
        workflow.do_engine_steps()
        self.state = self.serializer.serialize_json(workflow)


class ServflowInstance:
    """Times ``Engine.complete`` alone; finding the next task id (an inbox read) is done untimed."""

    done = 0

    def __init__(self, engine: Engine, key: str) -> None:
        self.engine = engine
        self.instance = engine.start("report_loop", locality="650000", business_key=key, data={"total": 10**9})
        self.prepare()

    def prepare(self) -> None:
        (task,) = self.engine.open_tasks(self.instance.id)
        self.task_id = task.id

    def step(self) -> None:
        self.engine.complete(self.task_id, PAYLOAD, actor="bench")


def measure(subject: RawSpiff | ServflowInstance, history: int) -> float | None:
    """Median ms of one step once ``history`` tasks are completed; None if the workflow stalled."""
    prepare = getattr(subject, "prepare", None)
    try:
        while subject.done < history:
            subject.step()
            subject.done += 1
            if prepare:
                prepare()
        samples = time_each(subject.step, SAMPLES, prepare)
    except Stalled:
        return None
    subject.done += SAMPLES
    return median_ms(samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("SERVFLOW_BENCH_DATABASE_URL"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        upgrade(url)
        engine = build_engine(url, deadlines=False)
        engine.ensure_localities()
        engine.deploy({LOOP.name: LOOP.read_bytes()}, "650000")
        raw, ours = RawSpiff(), ServflowInstance(engine, f"bench-{os.getpid()}")
        rows, ours_ms = [], {}
        for history in HISTORIES:
            raw_ms = measure(raw, history)
            ours_ms[history] = measure(ours, history)
            ratio = f"{raw_ms / ours_ms[history]:.2f}" if raw_ms else "raw stalled (depth limit)"
            raw_text = f"{raw_ms:.2f}" if raw_ms else "stalled"
            rows.append((str(history), raw_text, f"{ours_ms[history]:.2f}", ratio))
        print_table(
            f"Task completion, {engine.db.dialect.name} (median of {SAMPLES})",
            rows,
            ("completed tasks", "raw spiff ms", "servflow ms", "servflow rate / raw rate (target >= 0.5)"),
        )
        growth = ours_ms[500] / ours_ms[5]
        print(f"servflow 500-task step / 5-task step: {growth:.2f} (target <= 1.5)")
        engine.dispose()


if __name__ == "__main__":
    main()
