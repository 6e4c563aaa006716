"""A message from another system, handed to the workflow task waiting for it (or refused).

A message may also start an event sub-process of the workflow (a message start event): SpiffWorkflow
starts those when it catches the event, without a task waiting beforehand, so they are looked up in the
process spec.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from ..errors import ConflictError


def waiting_messages(workflow: Any) -> dict[str, Any]:
    """Message name → one waiting task that catches it."""
    waiting: dict[str, Any] = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name:
            waiting.setdefault(definition.name, task)
    return waiting


def starting_messages(workflow: Any) -> dict[str, MessageEventDefinition]:
    """Message name → the start event definition of an event sub-process of the top process it starts."""
    starting: dict[str, MessageEventDefinition] = {}
    for spec_name in workflow.spec.start.trigger_specs:
        for start in workflow.subprocess_specs[spec_name].bpmn_start_events:
            definition = start.event_definition
            if isinstance(definition, MessageEventDefinition) and definition.name:
                starting.setdefault(definition.name, definition)
    return starting


def catch(workflow: Any, name: str, payload: dict[str, Any]) -> None:
    """Hand the message to the workflow; refuse it if nothing is waiting for that name."""
    waiting = waiting_messages(workflow)
    task = waiting.get(name)
    if task is None:
        _start_event_subprocess(workflow, name, payload, waiting)
        return
    definition = task.task_spec.event_definition
    workflow.catch(BpmnEvent(definition, payload=dict(payload)))
    if getattr(definition, "message_var", None) is None:
        # Plain BPMN messages carry no variable name: put the payload in the catching task's data.
        task.data.update(payload)


def _start_event_subprocess(workflow: Any, name: str, payload: dict[str, Any], waiting: dict[str, Any]) -> None:
    definition = starting_messages(workflow).get(name)
    if definition is None:
        expected = ", ".join(sorted(waiting)) or "no message"
        raise ConflictError(
            f"the project is not waiting for message {name!r} (it is waiting for: {expected})",
            waiting_for=sorted(waiting),
        )
    workflow.catch(BpmnEvent(definition, payload=dict(payload)))
    if getattr(definition, "message_var", None) is None:
        for sub in workflow.subprocesses.values():
            for started in sub.get_tasks(state=TaskState.READY):
                if getattr(started.task_spec, "event_definition", None) is definition:
                    started.data.update(payload)
