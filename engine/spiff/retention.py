"""Which finished tasks SpiffWorkflow 3.2 still reads: everything else in a tree is history.

``compaction`` removes every finished task not named here. The list comes from the library's own code:

* the root (``path_complete`` and event sub-processes hang from it) and each workflow's ``last_task``
  (a called process's data is copied out of it; servflow shows it as the project's data);
* the parent of every live task: a predicted task inherits its parent's data, a waiting join reads its
  parent's state and spec, a multi-instance child merges into its parent;
* the calling task of every sub-workflow still running;
* the arrivals at an unstructured join (``ParallelGateway``, ``InclusiveGateway``) that the join has not
  consumed yet. When a branch reaches a join that must still wait, SpiffWorkflow cancels the task the
  previous branch left waiting there: that cancelled task and its (completed) parent are the only record
  that the branch arrived, and ``_check_threshold_unstructured`` counts it. Once the join fires, the
  arrivals it merged are spent: left in the tree, SpiffWorkflow would count them again in the next turn
  of a loop and fire before that turn's branches are done (its own behaviour without compaction). An
  arrival is unconsumed when it finished after the join last completed in that workflow;
* for a live unstructured join, its nearest ancestor of each of the join's input specs: a parallel
  gateway that is also the entry of a loop (one flow from before the loop, one back from its end) counts
  an input as arrived when it finds it walking up from a predicted later turn through its own ancestors;
* a process's end join (``_EndJoin``) waits for every live task and reads its arrivals only for their
  data, which it merges oldest first when the process ends. Paths that end beside a loop (a
  non-interrupting event's path, each turn) would pile up there, so ``fold_end_arrivals`` merges the
  older arrivals' data into the newest one's parent, and only the newest is kept;
* the split under a structured join that is still live (``BoundaryEventJoin``, ``StartEventJoin``) and
  the split's children: the join finds the split among its ancestors and reads which of the main task and
  its events finished.

A join that has fired (``COMPLETED``) is never kept for its data, as ``last_task`` or as a live task's
parent: its children took its data when it completed, and an inclusive gateway searching the tree stops
at the first task of its own spec, so a spent join left above the next turn would hide that turn's
branches from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState


def is_live(task: Task) -> bool:
    return not task.has_state(TaskState.FINISHED_MASK)


def retained(wf: BpmnWorkflow, top: BpmnWorkflow) -> set[UUID]:
    """Ids of the tasks of ``wf`` (one workflow of ``top``) that must stay in its tree, live ones included."""
    keep: set[UUID] = {wf.task_tree.id}
    if wf.last_task is not None:
        keep.add(wf.last_task.id)
    live = [task for task in wf.tasks.values() if is_live(task)]
    keep.update(task._parent for task in live if task._parent is not None)
    keep.difference_update(t.id for t in wf.tasks.values() if _spent_join(t))
    keep.update(task.id for task in live)
    keep.update(task.id for task in wf.tasks.values() if _runs_subworkflow(task, top))
    keep.update(_with_parents(_unconsumed_arrivals(wf.tasks.values())))
    for task in live:
        keep.update(_structured_split(task))
        keep.update(_input_ancestors(task))
    return keep


def fold_end_arrivals(wf: BpmnWorkflow) -> None:
    """Merge the data of the older paths that reached the end join into the newest one's parent, in the
    order the end join itself merges them; ``retained`` then keeps the newest arrival only."""
    *older, newest = _end_arrivals(wf.tasks.values()) or [None]
    if newest is None or not older:
        return
    merged: dict[str, Any] = {}
    for arrival in older:
        DeepMerge.merge(merged, arrival.parent.data)
    newest.parent.data = DeepMerge.merge(merged, newest.parent.data)


def _end_arrivals(tasks: Collection[Task]) -> list[Task]:
    ends = [t for t in tasks if isinstance(t.task_spec, _EndJoin)]
    if not any(is_live(t) for t in ends):
        return []
    arrived = TaskState.CANCELLED | TaskState.WAITING  # the newest arrival is the one left waiting
    return sorted((t for t in ends if t.has_state(arrived)), key=lambda t: t.last_state_change)


def _spent_join(task: Task) -> bool:
    return isinstance(task.task_spec, UnstructuredJoin) and task.state == TaskState.COMPLETED


def _runs_subworkflow(task: Task, top: BpmnWorkflow) -> bool:
    sub = top.subprocesses.get(task.id)
    return sub is not None and not sub.completed


def _unconsumed_arrivals(tasks: Collection[Task]) -> list[Task]:
    by_join: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        if isinstance(task.task_spec, UnstructuredJoin) and not isinstance(task.task_spec, _EndJoin):
            by_join[task.task_spec.name].append(task)
    arrivals: list[Task] = _end_arrivals(tasks)[-1:]
    for instances in by_join.values():
        if not any(is_live(task) for task in instances):
            continue  # nothing waits here; a token that comes later starts afresh
        fired = max((t.last_state_change for t in instances if t.state == TaskState.COMPLETED), default=None)
        arrivals.extend(
            task
            for task in instances
            if task.state == TaskState.CANCELLED and (fired is None or task.last_state_change > fired)
        )
    return arrivals


def _with_parents(tasks: list[Task]) -> set[UUID]:
    ids = {task.id for task in tasks}
    ids.update(task._parent for task in tasks if task._parent is not None)
    return ids


def _structured_split(task: Task) -> set[UUID]:
    spec = task.task_spec
    if not isinstance(spec, Join) or isinstance(spec, UnstructuredJoin) or spec.split_task is None:
        return set()
    split = task.find_ancestor(spec.split_task)
    if split is None:
        return set()
    return {split.id, *split._children}


def _input_ancestors(task: Task) -> set[UUID]:
    spec = task.task_spec
    if not isinstance(spec, UnstructuredJoin):
        return set()
    wanted = {input_spec.name for input_spec in spec.inputs}
    found: set[UUID] = set()
    ancestor = task.parent
    while ancestor is not None and wanted:
        if ancestor.task_spec.name in wanted:
            wanted.discard(ancestor.task_spec.name)
            found.add(ancestor.id)
        ancestor = ancestor.parent
    return found
