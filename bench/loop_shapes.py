"""Loop shapes turned one turn at a time the way servflow runs them, for the tests and ``make bench``.

Each shape is a model under ``tests/fixtures/bpmn/loops`` whose loop body has one of the structures that
made compaction keep history (issue 18): parallel and inclusive split/join, multi-instance tasks,
embedded and called sub-processes, boundary events, an event sub-process, a loop inside a loop, a join
fed by joins, a loop inside one parallel branch beside a message and a timer. A
``Run`` drives it through ``engine.spiff`` exactly as a command does — load the stored state, act, run to
the next wait state, compact and save — so the state between two steps is what the database would hold.

A turn does what people and systems would do in one pass through the loop and checks, after every step,
which tasks are waiting: a join that fired before all the branches that can reach it arrived shows up as
a task too many, one that waits forever as a task too few (``ShapeError``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from engine.spiff import messages, parsing, runtime

LOOPS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "bpmn" / "loops"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOTE = {"note": "x" * 200}  # what a person may write on a task
# Two turns of the same phase (every shape's pattern repeats every 60 turns) whose costs are compared.
EARLY, LATE = 65, 965


class ShapeError(AssertionError):
    """The tasks waiting after a step are not the ones the model says must wait."""


@dataclass(frozen=True)
class Shape:
    name: str
    key: str
    files: tuple[str, ...]
    turn: Callable[[Run, int], None]
    data: dict[str, Any] = field(default_factory=dict)

    def specs(self) -> runtime.SpecSet:
        return _specs(self.key, self.files)


@cache
def _specs(key: str, files: tuple[str, ...]) -> runtime.SpecSet:
    bundle = parsing.parse_bundle({name: (LOOPS / name).read_bytes() for name in files})
    versions = {k: (index, parsed.spec) for index, (k, parsed) in enumerate(bundle.processes.items())}
    return runtime.build_spec_set(key, versions)


class Run:
    """One instance of a shape: its stored state and the engine clock, one load-act-save per step."""

    def __init__(self, shape: Shape, turns: int, state: str, now: datetime) -> None:
        self.shape, self.turns, self.state, self.now = shape, turns, state, now
        self.specs = shape.specs()

    @classmethod
    def start(cls, shape: Shape, turns: int) -> Run:
        workflow = runtime.new_workflow(shape.specs(), {"total": turns, **shape.data})
        runtime.advance(workflow, now=START)
        return cls(shape, turns, runtime.save(workflow), START)

    def copy(self) -> Run:
        return Run(self.shape, self.turns, self.state, self.now)

    def waiting(self) -> list[str]:
        """Element ids of the tasks people can complete now, sorted (one per instance of each)."""
        workflow = runtime.load(self.state, self.specs)
        return sorted(task.element_id for task in runtime.ready_tasks(workflow))

    def expect(self, *element_ids: str) -> None:
        found = self.waiting()
        if found != sorted(element_ids):
            raise ShapeError(f"{self.shape.name}: waiting {found}, expected {sorted(element_ids)}")

    def complete(self, element_id: str, data: dict[str, Any] | None = None) -> None:
        workflow = runtime.load(self.state, self.specs)
        task = next((t for t in runtime.ready_tasks(workflow) if t.element_id == element_id), None)
        if task is None:
            raise ShapeError(f"{self.shape.name}: {element_id} is not waiting")
        runtime.complete(workflow, task.task_uuid, {**NOTE, **(data or {})}, now=self.now)
        self.state = runtime.save(workflow)

    def send(self, message: str, payload: dict[str, Any]) -> None:
        workflow = runtime.load(self.state, self.specs)
        messages.catch(workflow, message, payload)
        runtime.advance(workflow, now=self.now)
        self.state = runtime.save(workflow)

    def wait(self, duration: timedelta) -> None:
        """Let time pass and fire what is due, as the scheduler would."""
        self.now += duration
        workflow = runtime.load(self.state, self.specs)
        runtime.advance(workflow, now=self.now)
        self.state = runtime.save(workflow)

    def finished(self) -> bool:
        return runtime.is_completed(runtime.load(self.state, self.specs))


def _both(run: Run, turn: int, first: str, second: str, then: tuple[str, ...]) -> None:
    """Two parallel branches finished in an order that alternates by turn; the join waits for the second."""
    if turn % 2 == 0:
        first, second = second, first
    run.expect(first, second)
    run.complete(first)
    run.expect(second)
    run.complete(second)
    if then:
        run.expect(*then)


def parallel_turn(run: Run, turn: int) -> None:
    _both(run, turn, "report", "spot_check", ())


def inclusive_mi_turn(run: Run, turn: int) -> None:
    done = turn - 1  # the model's count at the start of this turn
    branches = ["report", *(["visit"] if done % 2 == 0 else [])]  # auto_check (done % 3 == 0) runs alone
    if len(branches) == 2:
        _both(run, turn, "report", "visit", ("review", "review"))
    else:
        run.expect("report")
        run.complete("report")
        run.expect("review", "review")
    run.complete("review")
    run.expect("review")
    run.complete("review")


def sequential_mi_turn(run: Run, turn: int) -> None:
    for _signer in run.shape.data["signers"]:
        run.expect("sign")
        run.complete("sign", {"signature": f"turn {turn}"})
    run.expect(*["confirm"] * run.shape.data["reviewers"])
    for left in range(run.shape.data["reviewers"], 0, -1):
        run.expect(*["confirm"] * left)
        run.complete("confirm")


def subprocesses_turn(run: Run, turn: int) -> None:
    _both(run, turn, "report", "check", ("inspect",))
    run.complete("inspect")


def boundary_events_turn(run: Run, turn: int) -> None:
    run.expect("report")
    if turn % 3 == 0:
        run.wait(timedelta(hours=2))  # the reminder fires beside the report, which still waits
        run.expect("report")
    if turn % 5 == 0:
        run.send("report_withdrawn", {"reason": f"turn {turn}"})
        run.expect("explain")
        run.complete("explain")
    else:
        run.complete("report")


def event_subprocess_turn(run: Run, turn: int) -> None:
    if turn % 4 != 0:
        run.complete("report")
        return
    run.send("supervisor_query", {"question": f"turn {turn}"})
    run.expect("answer", "report")
    run.complete("report")
    if turn < run.turns:
        run.expect("answer", "report")
    run.complete("answer")


def nested_turn(run: Run, turn: int) -> None:
    for _day in range(3):
        run.expect("daily")
        run.complete("daily")
    _both(run, turn, "review", "countersign", ())


def joins_turn(run: Run, turn: int) -> None:
    """Three checks meet at a join fed by a parallel join and an exclusive merge; then sign-off, and every
    third turn an audit beside it (inclusive split/join). The order of completion alternates by turn."""
    done = turn - 1
    checks = ["finance_check", "quality_check", "site_visit" if done % 2 == 0 else "desk_review"]
    if turn % 2 == 0:
        checks.reverse()
    for finished in range(len(checks)):
        run.expect(*checks[finished:])  # the outer join waits until the last of the three is done
        run.complete(checks[finished])
    closing = ["sign_off", *(["audit"] if done % 3 == 0 else [])]
    run.expect(*closing)
    for element_id in closing if turn % 2 else closing[::-1]:
        run.complete(element_id)


def branch_loop_turn(run: Run, turn: int) -> None:
    """Two daily logs (a loop inside one branch) beside the platform's acknowledgement, which arrives first
    on odd turns and last on even ones; then a day's timer before the next turn."""
    if turn % 2:
        run.send("platform_ack", {"receipt": f"turn {turn}"})
    for _day in range(2):
        run.expect("log")
        run.complete("log")
    if turn % 2 == 0:
        run.expect()  # the logs are done, the join waits for the acknowledgement
        run.send("platform_ack", {"receipt": f"turn {turn}"})
    if turn < run.turns:
        run.expect()  # the timer runs
        run.wait(timedelta(days=1, minutes=1))


def timer_event_subprocess_turn(run: Run, turn: int) -> None:
    """A day passes: the daily check-in (a cycle timer's event sub-process) opens beside the report; the two
    are done in an order that alternates. After the last report the project ends: the timer stops."""
    run.expect("report")
    run.wait(timedelta(days=1, minutes=1))
    run.expect("check_in", "report")
    first, second = ("check_in", "report") if turn % 2 else ("report", "check_in")
    run.complete(first)
    if first == "report" and turn < run.turns:
        run.expect("check_in", "report")  # the next turn's report
    else:
        run.expect(second)  # on the last turn the check-in begun still holds the project open
    run.complete(second)


SHAPES: tuple[Shape, ...] = (
    Shape("parallel split/join", "loop_parallel", ("parallel.bpmn",), parallel_turn),
    Shape(
        "inclusive split/join + parallel multi-instance",
        "loop_inclusive_mi",
        ("inclusive_mi.bpmn",),
        inclusive_mi_turn,
    ),
    Shape(
        "sequential + parallel multi-instance",
        "loop_sequential_mi",
        ("sequential_mi.bpmn",),
        sequential_mi_turn,
        {"signers": ["甲", "乙", "丙"], "reviewers": 2},
    ),
    Shape(
        "embedded + called sub-process",
        "loop_subprocesses",
        ("subprocesses.bpmn", "inspection.bpmn"),
        subprocesses_turn,
    ),
    Shape("boundary timer + message", "loop_boundary_events", ("boundary_events.bpmn",), boundary_events_turn),
    Shape("event sub-process", "loop_event_subprocess", ("event_subprocess.bpmn",), event_subprocess_turn),
    Shape("loop in a loop", "loop_nested", ("nested.bpmn",), nested_turn),
    Shape("join fed by joins + inclusive split/join", "loop_joins", ("joins.bpmn",), joins_turn),
    Shape("loop in a branch + message + timer", "loop_branch", ("branch_loop.bpmn",), branch_loop_turn),
    Shape(
        "cycle-timer event sub-process",
        "loop_timer_esp",
        ("timer_event_subprocess.bpmn",),
        timer_event_subprocess_turn,
    ),
)
