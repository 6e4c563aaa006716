"""Keep a workflow's task tree as small as its present, whatever its past.

SpiffWorkflow keeps every finished task in the live tree: state grows with history (load + save cost
rises linearly) and each loop iteration deepens the tree until its iterator's depth limit silently hides
the ready task (a loop stalls after ~333 turns). servflow records history in its audit table instead,
so after every command it removes what the engine no longer reads:

* a finished subtree with nothing live below it is dropped;
* a finished task on the path to a live task is spliced out (its children move up to its parent),
  which keeps ancestry between live tasks intact (parallel joins use it) while the depth stays flat.

What stays because SpiffWorkflow still reads it is decided in ``retention``. A completed sub-workflow
whose calling task was removed goes too.
"""

from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

from .retention import fold_end_arrivals, is_live, retained


def compact(workflow: BpmnWorkflow) -> int:
    """Prune the top workflow and every sub-workflow; returns how many tasks were removed."""
    removed = 0
    for sub in list(workflow.subprocesses.values()):
        removed += _compact_tree(sub, workflow)
    removed += _compact_tree(workflow, workflow)
    _drop_orphan_subprocesses(workflow)
    return removed


def _compact_tree(wf: BpmnWorkflow, top: BpmnWorkflow) -> int:
    if wf.is_completed():
        return 0
    fold_end_arrivals(wf)
    keep = retained(wf, top)
    has_live = _mark(wf.task_tree, keep)
    before = len(wf.tasks)
    stack = [wf.task_tree]
    while stack:
        task = stack.pop()
        _drop_dead_children(wf, task, has_live)
        for index, child_id in enumerate(list(task._children)):
            kept = _splice_chain(wf, task, wf.tasks[child_id], keep, has_live)
            task._children[index] = kept.id
            stack.append(kept)
    return before - len(wf.tasks)


def _mark(root: Task, keep: set[UUID]) -> dict[UUID, bool]:
    """For each task, whether it or a descendant must stay (post-order, without recursion)."""
    has_live: dict[UUID, bool] = {}
    stack: list[tuple[Task, bool]] = [(root, False)]
    while stack:
        task, visited = stack.pop()
        if visited:
            has_live[task.id] = is_live(task) or task.id in keep or any(has_live[c] for c in task._children)
            continue
        stack.append((task, True))
        stack.extend((child, False) for child in task.children)
    return has_live


def _drop_dead_children(wf: BpmnWorkflow, task: Task, has_live: dict[UUID, bool]) -> None:
    for child_id in [c for c in task._children if not has_live[c]]:
        _remove_subtree(wf, wf.tasks[child_id])
    task._children = [c for c in task._children if has_live[c]]


def _splice_chain(wf: BpmnWorkflow, parent: Task, child: Task, keep: set[UUID], has_live: dict[UUID, bool]) -> Task:
    """Remove finished, unprotected tasks between ``parent`` and the next task worth keeping."""
    current = child
    while current.id not in keep and not is_live(current):
        _drop_dead_children(wf, current, has_live)
        if len(current._children) != 1:
            break
        (grandchild_id,) = current._children
        grandchild = wf.tasks[grandchild_id]
        wf.tasks.pop(current.id)
        grandchild._parent = parent.id
        current = grandchild
    return current


def _remove_subtree(wf: BpmnWorkflow, task: Task) -> None:
    stack = [task]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        wf.tasks.pop(node.id, None)


def _drop_orphan_subprocesses(top: BpmnWorkflow) -> None:
    """Forget completed sub-workflows whose calling task is no longer in any tree (nested ones too)."""
    changed = True
    while changed:
        present = set(top.tasks).union(*(sub.tasks for sub in top.subprocesses.values()))
        orphans = [tid for tid, sub in top.subprocesses.items() if tid not in present and sub.completed]
        for task_id in orphans:
            del top.subprocesses[task_id]
        changed = bool(orphans)
