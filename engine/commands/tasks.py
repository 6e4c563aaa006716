"""The human-task projection: one row per READY user task, the inbox's only source.

``sync`` is called inside every command after the workflow reached its wait state: new READY tasks get
a row (role from the lane, form key and deadline from the task's servflow settings), rows whose task
is no longer READY (cancelled by a boundary event, the instance cancelled) are closed. Assignment
commands (claim, unclaim, assign, delegate) change only these rows, never the workflow state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendars.deadline_hook import DeadlineFn
from ..errors import ConflictError, InvalidStateError, NotFoundError
from ..identity import access
from ..identity.roles import role_for_lane
from ..identity.users import Principal
from ..spiff.runtime import ReadyTask
from ..store.models import CANCELLED, COMPLETED, OPEN, HumanTask, ProcessInstance
from .parties import named_candidates, party_of

#: Who runs a task command: a signed-in person, checked against the task's rules, or the username of a
#: trusted caller inside the process (the CLI, the scheduler, the demo seeder), which is not checked.
Actor = Principal | str


def username_of(actor: Actor) -> str:
    """The name an actor is recorded under (audit events, locks, claims), unchecked."""
    return actor if isinstance(actor, str) else actor.username


def acting(session: Session, row: HumanTask, actor: Actor, action: str) -> str:
    """The username doing ``action``; a person is checked on the row as read under the instance lock."""
    if isinstance(actor, str):
        return actor
    access.require_task(session, actor, row, action)
    return actor.username


def open_tasks(session: Session, instance_id: int) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.state == OPEN)
            .order_by(HumanTask.id)
        )
    )


@dataclass(frozen=True)
class Synced:
    """What ``sync`` left open (kept and new rows, new ones not yet flushed) and which rows it created."""

    open: list[HumanTask]
    created: list[HumanTask]


def sync(
    session: Session,
    instance: ProcessInstance,
    ready: list[ReadyTask],
    stage_of: Callable[[str], str],
    now: datetime,
    deadline: DeadlineFn | None = None,
    *,
    known_open: Sequence[HumanTask] | None = None,
) -> Synced:
    """Bring the instance's open rows in line with its READY user tasks.

    ``known_open`` is every row of the instance that was open when read under the instance lock (a command
    that already read them saves a query); rows it closed since are skipped.
    """
    rows = open_tasks(session, instance.id) if known_open is None else known_open
    existing = {row.task_uuid: row for row in rows if row.state == OPEN}
    ready_ids = {task.task_uuid for task in ready}
    kept = []
    for uuid, row in existing.items():
        if uuid in ready_ids:
            kept.append(row)
        else:
            row.state = CANCELLED
            row.completed_at = now
    created = []
    for task in ready:
        if task.task_uuid in existing:
            continue
        settings = task.extensions.get("servflow:task", {})
        due, remind, escalate = deadline(task, now, instance.locality_code) if deadline else (None, None, None)
        candidates = named_candidates(session, instance, task, settings, now)
        role = candidates.role or role_for_lane(task.lane)
        row = HumanTask(
            instance_id=instance.id,
            task_uuid=task.task_uuid,
            process_key=stage_of(task.spec_name),
            element_id=task.element_id,
            name=task.name,
            form_key=settings.get("formKey") or None,
            role=role,
            locality_code=instance.locality_code,
            department=instance.department,
            organization_id=candidates.organization_id or party_of(instance, role),
            assignee=candidates.username,
            state=OPEN,
            priority=_priority(settings),
            created_at=now,
            due_date=due,
            remind_on=remind,
            escalate_on=escalate,
        )
        session.add(row)
        created.append(row)
    return Synced(kept + created, created)


def _priority(settings: dict[str, Any]) -> int:
    try:
        return int(settings.get("priority", 0))
    except (TypeError, ValueError):
        return 0


def get_task(session: Session, task_id: int) -> HumanTask:
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFoundError(f"task {task_id} does not exist")
    return row


def require_open(row: HumanTask) -> None:
    if row.state == COMPLETED:
        raise ConflictError(
            f"task {row.id} was already completed by {row.completed_by}",
            completed_by=row.completed_by,
            completed_at=row.completed_at.isoformat() if row.completed_at else None,
        )
    if row.state != OPEN:
        raise ConflictError(f"task {row.id} is no longer open ({row.state})")


def claim(row: HumanTask, user: str, now: datetime) -> None:
    require_open(row)
    if row.assignee and row.assignee != user:
        raise ConflictError(f"task {row.id} is already claimed by {row.assignee}", assignee=row.assignee)
    row.assignee = user
    row.claimed_at = now


def unclaim(row: HumanTask) -> None:
    """Give the task back to its group; a lead may release a colleague's claim (``acting`` checked that)."""
    require_open(row)
    if row.assignee is None:
        raise InvalidStateError(f"task {row.id} is not claimed")
    row.assignee = None
    row.claimed_at = None
    row.delegated_from = None


def assign(session: Session, row: HumanTask, assignee: str | None, now: datetime) -> None:
    require_open(row)
    if assignee is not None:
        access.require_colleague(session, row, assignee)
    row.assignee = assignee
    row.claimed_at = now if assignee else None


def delegate(session: Session, row: HumanTask, user: str, to: str, now: datetime) -> None:
    require_open(row)
    if row.assignee != user:
        raise InvalidStateError(f"only the assignee can delegate task {row.id}")
    access.require_colleague(session, row, to)
    row.delegated_from = user
    row.assignee = to
    row.claimed_at = now


def take_back(row: HumanTask, user: str, now: datetime) -> None:
    require_open(row)
    if row.delegated_from != user:
        raise InvalidStateError(f"task {row.id} was not delegated by {user}")
    row.assignee = user
    row.delegated_from = None
    row.claimed_at = now
