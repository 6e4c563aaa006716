"""Re-point a loaded workflow at the specs of another version, keeping every live task's id.

SpiffWorkflow 3.2 saves a task as the *name* of its spec, so a workflow moves to a new version when each
of its tasks is given the new version's spec of the same BPMN id (or the id a migration plan maps it to).
Its own ``migrate_workflow`` resets every ready and waiting task, which empties their internal data — a
waiting timer would forget its due time — so servflow does the re-pointing itself:

* a live task (ready, waiting, started) whose element is gone, or is now another kind of element, or a
  running call activity that now calls another process, cannot move: the project is left as it was;
* the predicted tasks below each live task (``FUTURE``/``LIKELY``/``MAYBE``) were laid out from the old
  version's flows; they are dropped and predicted again from the new version (SpiffWorkflow refuses to
  drop a definite child when the task completes, so stale predictions would stall the project);
* finished tasks the tree still keeps (parents whose data live tasks inherit) must have a counterpart.

The same function answers a dry run: the caller re-points a freshly loaded workflow and throws it away.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .runtime import SpecSet

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
PREDICTED = TaskState.FUTURE | TaskState.PREDICTED_MASK


@dataclass(frozen=True)
class Obstacle:
    """Why a project cannot move: a code for programs and a sentence for people."""

    code: str
    element_id: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "element_id": self.element_id, "message": self.message}


@dataclass
class Outcome:
    """What re-pointing found: obstacles (nothing may be saved then), the live elements and where they
    went, and the elements the new version adds ahead of the project or behind it (steps it has passed)."""

    obstacles: list[Obstacle] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)
    ahead: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        return not self.obstacles


def element_ids(spec: Any) -> set[str]:
    """The BPMN ids of a process spec's elements (not SpiffWorkflow's own start, end and join tasks)."""
    return {ts.bpmn_id for ts in spec.task_specs.values() if getattr(ts, "bpmn_id", None)}


def mapped_name(name: str, mapping: Mapping[str, str]) -> str:
    """A task spec's name in the new version: mapped by its BPMN id, also in the names SpiffWorkflow
    derives from it (``review.BoundaryEventSplit``)."""
    if name in mapping:
        return mapping[name]
    head, dot, tail = name.partition(".")
    if dot and head in mapping:
        return f"{mapping[head]}.{tail}"
    return name


def repoint(
    workflow: BpmnWorkflow, old: SpecSet, new: SpecSet, moving: set[str], mapping: Mapping[str, str]
) -> Outcome:
    """Move the (sub-)workflows whose process is in ``moving`` to ``new``'s specs. Save the workflow only
    when the outcome has no obstacles: one found after re-pointing began leaves it half moved."""
    new_specs = {new.spec.name: new.spec, **new.subprocess_specs}
    outcome = Outcome()
    pairs: list[tuple[Task, Any]] = []
    targets: list[tuple[BpmnWorkflow, Any]] = []
    for wf in _workflows(workflow):
        if wf.spec.name not in moving:
            continue
        target = new_specs.get(wf.spec.name)
        if target is None:
            outcome.obstacles.append(
                Obstacle("subprocess_removed", wf.spec.name, f"running sub-process {wf.spec.name} is not in the target")
            )
            continue
        targets.append((wf, target))
        for task in wf.tasks.values():
            pairs.extend(_pair(task, target, mapping, outcome))
    if outcome.obstacles:
        return outcome
    for task, spec in pairs:
        task.task_spec = spec
    for wf, target in targets:
        old_elements = {mapped_name(n, mapping) for n in element_ids(wf.spec)}
        wf.spec = target
        _predict_again(wf)
        stale = sorted(
            {t.task_spec.name for t in wf.tasks.values() if target.task_specs.get(t.task_spec.name) is not t.task_spec}
        )
        outcome.obstacles.extend(
            Obstacle("removed", name, f"a step its state still refers to, {name}, was removed") for name in stale
        )
        added = sorted(element_ids(target) - old_elements)
        reachable = _reachable(task.task_spec for task in wf.get_tasks(state=LIVE, skip_subprocesses=True))
        outcome.ahead.extend(a for a in added if a in reachable)
        outcome.passed.extend(a for a in added if a not in reachable)
    workflow.subprocess_specs = new.subprocess_specs
    return outcome


def _workflows(workflow: BpmnWorkflow) -> Iterator[Any]:
    yield workflow
    yield from workflow.subprocesses.values()


def _pair(task: Task, target: Any, mapping: Mapping[str, str], outcome: Outcome) -> list[tuple[Task, Any]]:
    """The new spec of one task, or the obstacle it raises (predicted tasks are predicted again later)."""
    old_spec = task.task_spec
    element = getattr(old_spec, "bpmn_id", None) or old_spec.name
    spec = target.task_specs.get(mapped_name(old_spec.name, mapping))
    if task.has_state(PREDICTED):
        return [(task, spec)] if spec is not None else []
    if spec is None:
        what = "its current task" if task.has_state(LIVE) else "a step its state still refers to"
        outcome.obstacles.append(Obstacle("removed", element, f"{what} {element} was removed"))
        return []
    if type(spec) is not type(old_spec):
        outcome.obstacles.append(
            Obstacle(
                "changed_type", element, f"{element} is now a {type(spec).__name__}, not a {type(old_spec).__name__}"
            )
        )
        return []
    if task.has_state(LIVE) and getattr(spec, "spec", None) != getattr(old_spec, "spec", None):
        outcome.obstacles.append(
            Obstacle(
                "subprocess_differs", element, f"running call {element} now calls {spec.spec}, not {old_spec.spec}"
            )
        )
        return []
    if task.has_state(LIVE) and getattr(old_spec, "bpmn_id", None):
        outcome.moved[old_spec.bpmn_id] = spec.bpmn_id
    return [(task, spec)]


def _predict_again(wf: Any) -> None:
    """Drop what was predicted below each innermost live task and predict it from the new spec."""
    live = [task for task in wf.tasks.values() if task.has_state(LIVE)]
    for task in live:
        if any(d is not task and d.has_state(LIVE) for d in task):
            continue
        for child in [c for c in task.children if c.has_state(PREDICTED)]:
            wf._remove_task(child.id)
        spec = task.task_spec
        spec._predict_hook(task)
        for child in task.children:
            if child.has_state(PREDICTED):
                child.task_spec._predict(child, mask=PREDICTED)


def _reachable(starts: Iterator[Any]) -> set[str]:
    """BPMN ids reachable along the flows from the given specs (themselves included)."""
    seen: set[str] = set()
    stack = list(starts)
    visited: set[int] = set()
    while stack:
        spec = stack.pop()
        if id(spec) in visited:
            continue
        visited.add(id(spec))
        if getattr(spec, "bpmn_id", None):
            seen.add(spec.bpmn_id)
        stack.extend(spec.outputs)
    return seen
