"""Event sub-processes still listening when their scope's own work is done stop listening, as BPMN says.

An event sub-process started by a timer (or, in a called or embedded process, any event) is part of its
scope's tree from the start: SpiffWorkflow keeps it waiting for its start event, and the scope's end join
waits for it. So a process whose main flow reached its end never completed while a cycle timer (``R/P1D``)
or a timer not yet due could still start its event sub-process. In BPMN a scope ends when its last token
is consumed; an event sub-process that has not started by then never will. :func:`stop_idle_listeners`
cancels those, once nothing else in the scope is active — a started event sub-process is left to finish.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING


def _not_started(workflow: BpmnWorkflow, task: Task) -> bool:
    """An event sub-process task whose sub-workflow waits for its start event and does nothing else (a cycle
    timer's earlier rounds may have ended at its end join, which waits for the next)."""
    # Event sub-processes hang from the scope's root: the only sub-workflow tasks there (once stored and
    # loaded again they are plain SubWorkflowTasks).
    below_root = task.parent is not None and task.parent.task_spec is workflow.spec.start
    if not (below_root and isinstance(task.task_spec, SubWorkflowTask)) or task.state != TaskState.STARTED:
        return False
    sub = workflow.top_workflow.get_subprocess(task)
    if sub is None:
        return True
    active = [t for t in sub.get_tasks(state=ACTIVE) if t.workflow is sub]
    starts = sub.spec.start.outputs
    return all(isinstance(t.task_spec, _EndJoin) or (t.state == TaskState.WAITING and t.task_spec in starts)
               for t in active)  # fmt: skip


def _stop_idle(scope: BpmnWorkflow) -> bool:
    """Cancel the scope's listening event sub-processes when they and its end join are all that is active in
    it, and let the end join look again at what it waits for; whether any was cancelled."""
    active = [t for t in scope.get_tasks(state=ACTIVE) if t.workflow is scope]
    listening = [t for t in active if _not_started(scope, t)]
    ends = [t for t in active if isinstance(t.task_spec, _EndJoin)]
    if not listening or len(listening) + len(ends) != len(active):
        return False
    for task in listening:
        task.cancel()
    for end in ends:
        end.task_spec._update(end)
    return True


def stop_idle_listeners(workflow: BpmnWorkflow) -> bool:
    """Stop the idle listeners of the process and of each running sub-process; whether any was stopped."""
    return any([_stop_idle(scope) for scope in (workflow, *workflow.subprocesses.values())])
