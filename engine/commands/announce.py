"""What a project tells the systems subscribed to its locality's events, in the words of the event.

Every event about a project carries the same picture of it (number, title, process, stage, status,
department), and an event about a task adds the task as its inbox shows it; the scheduler's overdue
notices use the same shapes, so a receiver parses one format. The rows are written by
``engine.store.events.emit`` in the command's own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..store import events
from ..store.events import Listeners
from ..store.models import Disclosure, HumanTask, ProcessInstance


def project(instance: ProcessInstance) -> dict[str, Any]:
    return {
        "business_key": instance.business_key,
        "title": instance.title,
        "process_key": instance.process_key,
        "stage": instance.stage,
        "status": instance.status,
        "department": instance.department,
    }


def task(row: HumanTask) -> dict[str, Any]:
    return {
        "element_id": row.element_id,
        "name": row.name,
        "stage": row.process_key,
        "role": row.role,
        "assignee": row.assignee,
        "due_date": row.due_date.isoformat() if row.due_date else None,
    }


def project_event(
    session: Session,
    kind: str,
    instance: ProcessInstance,
    now: datetime,
    heard_by: Listeners | None = None,
    **extra: Any,
) -> int:
    """``kind`` happened to the project; ``extra`` adds what is particular to the event."""
    payload = {"project": project(instance), **extra}
    return events.emit(session, kind, instance.locality_code, payload, instance.id, now=now, heard_by=heard_by)


def task_event(
    session: Session,
    kind: str,
    instance: ProcessInstance,
    row: HumanTask,
    now: datetime,
    heard_by: Listeners | None = None,
) -> int:
    """``kind`` happened to one of the project's tasks (created, overdue)."""
    payload = {"project": project(instance), "task": task(row)}
    return events.emit(
        session, kind, instance.locality_code, payload, instance.id, now=now, task=row, heard_by=heard_by
    )


def disclosed(session: Session, instance: ProcessInstance, disclosure: Disclosure, now: datetime) -> int:
    """A public announcement (信息公开) the project just published, with the fields it made public."""
    published = {
        "kind": disclosure.kind,
        "title": disclosure.title,
        "element_id": disclosure.element_id,
        "data": disclosure.data,
    }
    return project_event(session, events.DISCLOSURE_PUBLISHED, instance, now, disclosure=published)


def step_taken(
    session: Session,
    instance: ProcessInstance,
    now: datetime,
    *,
    left: str | None,
    created: Sequence[HumanTask],
    completed: bool,
) -> None:
    """What one step of a project says, in the order it happened: the stage it entered (``left`` is the
    stage it was in), the tasks it opened, that it completed. Who listens is asked once for all of it."""
    entered = instance.stage is not None and instance.stage != left
    if not (entered or created or completed):
        return
    heard_by = events.listeners(session, instance.locality_code)
    if not heard_by:
        return
    if entered:
        project_event(session, events.STAGE_ENTERED, instance, now, heard_by, previous_stage=left)
    for row in created:
        task_event(session, events.TASK_CREATED, instance, row, now, heard_by)
    if completed:
        project_event(session, events.PROJECT_COMPLETED, instance, now, heard_by)
