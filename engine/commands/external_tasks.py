"""External tasks: service tasks published on a topic, fetched and locked by workers, completed once.

The rows mirror the workflow's waiting service tasks (``sync``, called with every write-back). A worker
fetches and locks some (``fetch_and_lock``: PostgreSQL's ``SKIP LOCKED`` gives concurrent workers disjoint
rows; SQLite's single writer does the same serially), then completes each (``complete``), reports a
failure (``fail``: retries left and a backoff; none left opens an incident), throws a BPMN error for a
boundary event (``throw_error``) or extends its lock. A lock that runs out is free again (``release_expired``,
and a fetch takes expired locks too), so a worker that dies after fetching delays its task by one lock:
delivery is at least once. The effect on the project is exactly once: a completion locks the project row,
checks the lock is still the caller's, and marks the row completed in the same transaction as the step;
the same worker completing again is answered as done.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.orm import Session

from ..errors import ConflictError, InvalidDataError, InvalidStateError, NotFoundError
from ..spiff import runtime
from ..spiff.service_tasks import DEFAULT_BACKOFF, DEFAULT_LOCK, DEFAULT_RETRIES, duration
from ..store import audit
from ..store.models import ExternalTask, ProcessInstance
from . import incidents

OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"
MAX_TASKS = 100
MAX_LOCK = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=1)
MAX_VARIABLES_BYTES = 256 * 1024
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
#: Set by servflow at start; a worker's answer may not overwrite them.
RESERVED = frozenset({"locality", "business_key"})
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


@dataclass(frozen=True)
class TopicRequest:
    """One topic a worker asks for, how long it wants the lock, which variables it needs (all: None), and
    optionally only the tasks of one project (``business_key`` as Camunda's filter, or ``instance_id``)."""

    name: str
    lock: timedelta
    variables: tuple[str, ...] | None = None
    business_key: str | None = None
    instance_id: int | None = None


def sync(
    session: Session,
    instance: ProcessInstance,
    waiting: list[runtime.WaitingExternal],
    stage_of: Callable[[str], str],
    now: datetime,
    known_open: list[ExternalTask] | None = None,
) -> list[ExternalTask]:
    """Make the instance's open rows match the workflow's waiting service tasks; returns the new rows.

    ``known_open``: the instance's open rows as read under its lock in this unit of work (read here
    otherwise). A row whose task no longer waits and was not completed here (a boundary timer took the
    other path, the project was cancelled) is cancelled, and an incident open on it is moot."""
    if known_open is None:
        known_open = list(
            session.scalars(
                select(ExternalTask).where(ExternalTask.instance_id == instance.id, ExternalTask.state == OPEN)
            )
        )
    rows = {row.task_uuid: row for row in known_open if row.state == OPEN}
    wanted = {task.task_uuid: task for task in waiting}
    for uuid, row in rows.items():
        if row.state == OPEN and uuid not in wanted:
            row.state = CANCELLED
            row.completed_at = now
            row.worker_id = row.lock_expires_at = None
            incidents.resolve_for_task(session, row.id, "moot", "engine", now)
    created = []
    for uuid, task in wanted.items():
        if uuid in rows:
            continue
        row = ExternalTask(
            instance_id=instance.id,
            task_uuid=uuid,
            process_key=stage_of(task.spec_name),
            element_id=task.element_id,
            name=task.name,
            topic=task.settings["topic"],
            locality_code=instance.locality_code,
            business_key=instance.business_key,
            variables=_plain(task.data),
            settings=task.settings,
            state=OPEN,
            priority=0,
            attempts=0,
            created_at=now,
        )
        session.add(row)
        created.append(row)
    return created


def fetch_and_lock(
    session: Session,
    *,
    worker_id: str,
    topics: list[TopicRequest],
    max_tasks: int,
    localities: Iterable[str] | None,
    now: datetime,
) -> list[ExternalTask]:
    """Lock up to ``max_tasks`` free tasks of the topics for ``worker_id`` (of running projects in
    ``localities``; ``None``: anywhere), highest priority and oldest first.

    One statement, ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …``: a worker
    fetches once per batch, and a read, then a flush of the locks, was a round trip and an ORM flush more
    per batch. Rows another fetch is locking at the same moment are skipped, not waited for."""
    if not worker_id.strip() or len(worker_id) > 200:
        raise InvalidDataError("workerId: 1 to 200 characters", errors={"workerId": ["1 to 200 characters"]})
    if not 0 < max_tasks <= MAX_TASKS:
        message = f"maxTasks: from 1 to {MAX_TASKS}"
        raise InvalidDataError(message, errors={"maxTasks": [message]})
    for topic in topics:
        if not timedelta(0) < topic.lock <= MAX_LOCK:
            message = f"lockDuration of {topic.name!r}: more than 0 and at most 24 hours"
            raise InvalidDataError(message, errors={"topics": [message]})
    chosen = (
        select(ExternalTask.id)
        .join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
        .where(
            ExternalTask.state == OPEN,
            or_(*(_asked(topic) for topic in topics)),
            ProcessInstance.status == "running",
            or_(ExternalTask.retry_at.is_(None), ExternalTask.retry_at <= now),
            or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now),
            or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0),
        )
        .order_by(ExternalTask.priority.desc(), ExternalTask.id)
        .limit(max_tasks)
        .with_for_update(of=ExternalTask, skip_locked=True)
    )
    if localities is not None:
        chosen = chosen.where(ExternalTask.locality_code.in_(list(localities)))
    locking = (
        update(ExternalTask)
        .where(ExternalTask.id.in_(chosen.scalar_subquery()))
        .values(worker_id=worker_id, lock_expires_at=_lock_ends(topics, now), attempts=ExternalTask.attempts + 1)
        .returning(ExternalTask)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return sorted(session.scalars(locking), key=lambda row: (-row.priority, row.id))


def _lock_ends(topics: list[TopicRequest], now: datetime) -> Any:
    """When the lock of a task runs out, by its topic's lock duration."""
    end_type = ExternalTask.lock_expires_at.type
    return case(*((ExternalTask.topic == topic.name, literal(now + topic.lock, end_type)) for topic in topics))


def _asked(topic: TopicRequest) -> Any:
    condition = ExternalTask.topic == topic.name
    if topic.business_key is not None:
        condition = condition & (ExternalTask.business_key == topic.business_key)
    if topic.instance_id is not None:
        condition = condition & (ExternalTask.instance_id == topic.instance_id)
    return condition


def read(session: Session, task_id: int) -> ExternalTask:
    """The task's row as it is in the database now; 404 unknown."""
    row = session.get(ExternalTask, task_id, populate_existing=True)
    if row is None:
        raise NotFoundError(f"external task {task_id} does not exist")
    return row


def check_lock(row: ExternalTask, worker_id: str, now: datetime) -> ExternalTask:
    """``row`` (as read now) if ``worker_id`` holds a live lock on it; 409 for any other holder or an
    expired lock."""
    task_id = row.id
    if row.state != OPEN:
        raise InvalidStateError(f"external task {task_id} is {row.state}")
    if row.worker_id != worker_id:
        holder = f"is locked by worker {row.worker_id!r}" if row.worker_id else "is not locked: fetch and lock it first"
        raise ConflictError(f"external task {task_id} {holder}", worker_id=row.worker_id)
    if row.lock_expires_at is None or row.lock_expires_at <= now:
        raise ConflictError(f"the lock of worker {worker_id!r} on external task {task_id} expired; fetch it again")
    return row


def is_variable_name(name: object) -> bool:
    return isinstance(name, str) and bool(_NAME.match(name)) and name not in RESERVED


def check_variables(row: ExternalTask, variables: dict[str, Any]) -> dict[str, Any]:
    """What a worker may hand back: JSON values under plain names, and where the task declares
    ``servflow:outputs="name:type, …"`` only those names, of those types."""
    if not isinstance(variables, dict):
        raise InvalidDataError("variables: an object of name → value", errors={"variables": ["an object"]})
    errors: dict[str, list[str]] = {}
    declared = outputs_of(row.settings)
    for name, value in variables.items():
        if not is_variable_name(name):
            errors[str(name)] = ["not a variable name a worker may set (letters, digits, _; not locality/business_key)"]
        elif declared is not None and name not in declared:
            errors[name] = [f"{row.element_id} declares only these outputs: {', '.join(sorted(declared))}"]
        elif declared is not None and declared[name] and not _TYPES[declared[name]](value):
            errors[name] = [f"must be of type {declared[name]}"]
    if errors:
        raise InvalidDataError("variables refused: " + ", ".join(sorted(errors)), errors=errors)
    text = json.dumps(variables, default=str)  # measured and made plain from one encoding
    if len(text) > MAX_VARIABLES_BYTES:
        raise InvalidDataError("variables: at most 256 kB", errors={"variables": ["at most 256 kB"]})
    return json.loads(text)


def outputs_of(settings: dict[str, Any]) -> dict[str, str] | None:
    """``"budget_available:boolean, budget_line"`` → {name: type or ''}; ``None`` when not declared."""
    text = str(settings.get("outputs") or "").strip()
    if not text:
        return None
    declared = {}
    for part in text.split(","):
        name, _, kind = part.strip().partition(":")
        if name.strip():
            declared[name.strip()] = kind.strip() if kind.strip() in _TYPES else ""
    return declared


def record_completion(row: ExternalTask, worker_id: str, now: datetime) -> None:
    row.state = COMPLETED
    row.completed_at = now
    row.completed_by = worker_id
    row.lock_expires_at = None


def already_completed(row: ExternalTask, worker_id: str) -> bool:
    """A completion repeated by its worker (a lost answer) is done; by another worker, a conflict."""
    if row.state != COMPLETED:
        return False
    if row.completed_by != worker_id:
        raise ConflictError(f"external task {row.id} was completed by worker {row.completed_by!r}")
    return True


def fail(
    session: Session,
    row: ExternalTask,
    *,
    worker_id: str,
    message: str,
    details: str | None,
    retries: int | None,
    retry_timeout: timedelta | None,
    now: datetime,
) -> ExternalTask:
    """Record a worker's failure on the task it holds: retries left (``None``: one fewer than before, from
    the model's ``retries``) and when it may be offered again; at none left, an incident on the project."""
    if retries is not None and retries < 0:
        raise InvalidDataError("retries: 0 or more", errors={"retries": ["0 or more"]})
    failures = row.attempts
    left = retries if retries is not None else (row.retries if row.retries is not None else _retries(row)) - 1
    backoff = retry_timeout if retry_timeout is not None else _backoff(row, failures)
    row.retries = max(left, 0)
    row.retry_at = now + min(backoff, MAX_BACKOFF)
    row.error_message = (message or "failed")[:1000]
    row.error_details = details
    row.worker_id = row.lock_expires_at = None
    audit.record(
        session,
        "external_task_failed",
        worker_id,
        now,
        instance_id=row.instance_id,
        element_id=row.element_id,
        data={"external_task": row.id, "message": row.error_message, "retries": row.retries},
    )
    if row.retries == 0:
        incidents.open_incident(
            session,
            instance_id=row.instance_id,
            kind=incidents.EXTERNAL_TASK,
            process_key=row.process_key,
            locality=row.locality_code,
            element_id=row.element_id,
            message=row.error_message,
            details=details,
            external_task_id=row.id,
            now=now,
        )
    return row


def extend_lock(row: ExternalTask, new_duration: timedelta, now: datetime) -> ExternalTask:
    if not timedelta(0) < new_duration <= MAX_LOCK:
        message = "newDuration: more than 0 and at most 24 hours"
        raise InvalidDataError(message, errors={"newDuration": [message]})
    row.lock_expires_at = now + new_duration
    return row


def offer_again(row: ExternalTask, retries: int) -> None:
    """Make the task fetchable at once with ``retries`` attempts (an incident retried by hand)."""
    row.retries = retries
    row.retry_at = None
    row.worker_id = row.lock_expires_at = None


def release_expired(session: Session, now: datetime) -> int:
    """Free the locks that ran out (the worker died or is slow): the tasks are offered again."""
    result = session.execute(
        update(ExternalTask)
        .where(ExternalTask.state == OPEN, ExternalTask.lock_expires_at <= now)
        .values(worker_id=None, lock_expires_at=None)
    )
    return result.rowcount or 0


def lock_of(settings: dict[str, Any]) -> timedelta:
    """The lock a model asks for its task (``servflow:lockDuration``), five minutes by default."""
    return duration(str(settings.get("lockDuration") or DEFAULT_LOCK)) or timedelta(minutes=5)


def _retries(row: ExternalTask) -> int:
    return int(row.settings.get("retries") or DEFAULT_RETRIES)


def _backoff(row: ExternalTask, failures: int) -> timedelta:
    base = duration(str(row.settings.get("retryBackoff") or DEFAULT_BACKOFF)) or timedelta(minutes=1)
    return base * (2 ** max(failures - 1, 0))


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=str))
