"""A message from another system, handed to the workflow task waiting for it (or refused)."""

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


def catch(workflow: Any, name: str, payload: dict[str, Any]) -> None:
    """Hand the message to the workflow; refuse it if nothing is waiting for that name."""
    waiting = waiting_messages(workflow)
    task = waiting.get(name)
    if task is None:
        expected = ", ".join(sorted(waiting)) or "no message"
        raise ConflictError(
            f"the project is not waiting for message {name!r} (it is waiting for: {expected})",
            waiting_for=sorted(waiting),
        )
    definition = task.task_spec.event_definition
    workflow.catch(BpmnEvent(definition, payload=dict(payload)))
    if getattr(definition, "message_var", None) is None:
        # Plain BPMN messages carry no variable name: put the payload in the catching task's data.
        task.data.update(payload)
