"""The Engine's door for other systems' workers and for the incidents people resolve.

A part of :class:`engine.service.Engine` (it is mixed in there): every method is one command or query in
its own unit of work, like the rest of the door. Workers act as a signed-in ``Principal`` holding the
``worker`` role (``external_task.work``: their locality and the ones below), or as a trusted caller
(a username string: tests, benchmarks, the demo). ``worker_id`` is the worker process's own name, the
holder of a lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from .commands import external_tasks, instances, worker_results
from .commands.external_tasks import TopicRequest
from .commands.tasks import Actor, username_of
from .definitions.topics import TopicCache
from .errors import InvalidDataError, NotFoundError, PermissionDeniedError
from .identity import access
from .observability import metrics
from .store.models import ExternalTask, Incident, ProcessInstance
from .store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .commands.instances import Context

MAX_WAIT = 60.0
POLL_INTERVAL = 0.25


class ExternalTaskDoor:
    """Fetch and lock, complete, fail, throw, extend; list, retry and cancel incidents."""

    # Provided by Engine: its context and clock, its units of work and its error-recording command runner.
    ctx: Context
    clock: Callable[[], datetime]
    _topics: TopicCache
    unit_of_work: Callable[..., UnitOfWork]
    _command: Callable[..., Any]

    def fetch_and_lock(
        self,
        worker_id: str,
        topics: list[TopicRequest],
        *,
        max_tasks: int = 10,
        wait_seconds: float = 0,
        actor: Actor,
    ) -> list[dict[str, Any]]:
        """Lock up to ``max_tasks`` tasks of ``topics`` for ``worker_id``; with ``wait_seconds`` wait that long
        (at most a minute) for one to come. Each task is answered as a plain dict (its variables as asked).

        The worker's reach and the topics are checked in the first poll's transaction, so a fetch that finds
        work is one transaction (a worker fetches once per batch, and the batch is its throughput)."""
        if not topics:
            raise InvalidDataError("topics: name at least one topic", errors={"topics": ["at least one topic"]})
        if not 0 <= wait_seconds <= MAX_WAIT:
            message = f"asyncResponseTimeout: from 0 to {int(MAX_WAIT * 1000)} ms"
            raise InvalidDataError(message, errors={"asyncResponseTimeout": [message]})
        deadline = time.monotonic() + wait_seconds
        wanted = {topic.name: topic.variables for topic in topics}
        localities: set[str] | None = None
        first = True
        while True:
            with self.unit_of_work(write=True) as uow:
                if first:
                    localities = self._worker_localities(uow.session, actor)
                    self._require_deployed(uow.session, topics)
                    first = False
                rows = external_tasks.fetch_and_lock(
                    uow.session,
                    worker_id=worker_id,
                    topics=topics,
                    max_tasks=max_tasks,
                    localities=localities,
                    now=self.clock(),
                )
                answer = [locked_task(row, wanted[row.topic]) for row in rows]
                uow.commit()
            if answer or time.monotonic() >= deadline:
                return answer
            time.sleep(min(POLL_INTERVAL, max(deadline - time.monotonic(), 0)))

    @metrics.counted("complete_external")
    def complete_external(
        self, task_id: int, worker_id: str, variables: dict[str, Any] | None = None, *, actor: Actor
    ) -> ExternalTask:
        """Complete the service task ``worker_id`` holds; the project runs on to its next wait."""

        def step(session: Session) -> ExternalTask:
            return worker_results.complete(
                session,
                self.ctx,
                self._locked_for(session, actor, task_id),
                worker_id=worker_id,
                variables=dict(variables or {}),
                actor=username_of(actor),
            )

        return self._command(step, instance_of=lambda s: _instance_of_task(s, task_id), actor=username_of(actor))

    @metrics.counted("fail_external")
    def fail_external(
        self,
        task_id: int,
        worker_id: str,
        *,
        message: str,
        details: str | None = None,
        retries: int | None = None,
        retry_timeout: timedelta | None = None,
        actor: Actor,
    ) -> ExternalTask:
        """A worker could not do the task: retries left (an incident at none) and when to offer it again."""
        with self.unit_of_work(write=True) as uow:
            now = self.clock()
            row = external_tasks.check_lock(self._row_for(uow.session, actor, task_id), worker_id, now)
            external_tasks.fail(
                uow.session,
                row,
                worker_id=worker_id,
                message=message,
                details=details,
                retries=retries,
                retry_timeout=retry_timeout,
                now=now,
            )
            uow.commit()
            return row

    @metrics.counted("throw_external_error")
    def throw_external_error(
        self,
        task_id: int,
        worker_id: str,
        code: str,
        *,
        message: str = "",
        variables: dict[str, Any] | None = None,
        actor: Actor,
    ) -> ExternalTask:
        """A business error (``NO_BUDGET``) for the task's error boundary event to take the project on."""

        def step(session: Session) -> ExternalTask:
            return worker_results.throw_error(
                session,
                self.ctx,
                self._locked_for(session, actor, task_id),
                worker_id=worker_id,
                code=code,
                message=message,
                variables=dict(variables or {}),
                actor=username_of(actor),
            )

        return self._command(step, instance_of=lambda s: _instance_of_task(s, task_id), actor=username_of(actor))

    @metrics.counted("extend_external_lock")
    def extend_external_lock(
        self, task_id: int, worker_id: str, new_duration: timedelta, *, actor: Actor
    ) -> ExternalTask:
        with self.unit_of_work(write=True) as uow:
            now = self.clock()
            row = self._row_for(uow.session, actor, task_id)
            row = external_tasks.extend_lock(external_tasks.check_lock(row, worker_id, now), new_duration, now)
            uow.commit()
            return row

    def release_expired_locks(self) -> int:
        """Free the locks that ran out (the scheduler's sweep): their tasks are offered again."""
        with self.unit_of_work(write=True) as uow:
            released = external_tasks.release_expired(uow.session, self.clock())
            uow.commit()
        return released

    @metrics.counted("retry_incident")
    def retry_incident(
        self, incident_id: int, *, retries: int = 1, variables: dict[str, Any] | None = None, actor: Actor
    ) -> Incident:
        """Offer the incident's task again (``retries`` attempts) or run its project again, after writing
        the corrected ``variables``; a manager of the locality (or above) or an administrator."""

        def step(session: Session) -> Incident:
            self._require_incident_manager(session, actor, incident_id)
            return worker_results.retry_incident(
                session,
                self.ctx,
                incident_id=incident_id,
                retries=retries,
                variables=variables,
                actor=username_of(actor),
            )

        return self._command(
            step, instance_of=lambda s: _instance_of_incident(s, incident_id), actor=username_of(actor)
        )

    @metrics.counted("cancel_incident")
    def cancel_incident(self, incident_id: int, *, reason: str, actor: Actor) -> Incident:
        """Give the incident's project up: cancelled with ``reason``, the incident resolved with it."""

        def step(session: Session) -> Incident:
            self._require_incident_manager(session, actor, incident_id)
            return worker_results.cancel_incident(
                session, self.ctx, incident_id=incident_id, reason=reason, actor=username_of(actor)
            )

        return self._command(
            step, instance_of=lambda s: _instance_of_incident(s, incident_id), actor=username_of(actor)
        )

    def _require_deployed(self, session: Session, topics: list[TopicRequest]) -> None:
        unknown = sorted({topic.name for topic in topics} - self._topics.deployed(session))
        if unknown:
            message = "no deployed service task uses topic " + ", ".join(repr(name) for name in unknown)
            raise InvalidDataError(message, errors={"topics": [message]})

    def _worker_localities(self, session: Session, actor: Actor) -> set[str] | None:
        if isinstance(actor, str):
            return None
        localities = access.localities_for(session, actor, "external_task.work")
        if localities is not None and not localities:
            raise PermissionDeniedError("only workers of other systems (role worker) may fetch external tasks")
        return localities

    def _locked_for(self, session: Session, actor: Actor, task_id: int) -> instances.Locked[ExternalTask]:
        """The task's project locked and the task read under the lock, for a worker who may work on it."""
        self._require_worker(actor)
        locked = instances.lock_for_task(session, task_id, ExternalTask)
        self._require_worker_on(session, actor, locked.task)
        return locked

    def _row_for(self, session: Session, actor: Actor, task_id: int) -> ExternalTask:
        """The task's row as it is now, for a worker who may work on it."""
        self._require_worker(actor)
        row = external_tasks.read(session, task_id)
        self._require_worker_on(session, actor, row)
        return row

    @staticmethod
    def _require_worker(actor: Actor) -> None:
        if not isinstance(actor, str) and not access.may_anywhere(actor, "external_task.work"):
            raise PermissionDeniedError("only workers of other systems (role worker) may fetch external tasks")

    @staticmethod
    def _require_worker_on(session: Session, actor: Actor, row: ExternalTask) -> None:
        """A task of a locality outside the worker's reach is, to it, a task that does not exist."""
        if not isinstance(actor, str) and not access.allowed(session, actor, "external_task.work", row.locality_code):
            raise NotFoundError(f"external task {row.id} does not exist")

    def _require_incident_manager(self, session: Session, actor: Actor, incident_id: int) -> None:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFoundError(f"incident {incident_id} does not exist")
        if not isinstance(actor, str) and not access.allowed(session, actor, "incident.manage", incident.locality_code):
            if not access.can_read_instance(session, actor, session.get(ProcessInstance, incident.instance_id)):
                raise NotFoundError(f"incident {incident_id} does not exist")
            raise PermissionDeniedError(f"you may not resolve incident {incident_id}")


def locked_task(row: ExternalTask, variables: tuple[str, ...] | None) -> dict[str, Any]:
    """A locked task as the worker receives it (Camunda's field names, so its clients feel at home)."""
    values = row.variables if variables is None else {k: row.variables[k] for k in variables if k in row.variables}
    return {
        "id": row.id,
        "topicName": row.topic,
        "workerId": row.worker_id,
        "lockExpirationTime": row.lock_expires_at.isoformat() if row.lock_expires_at else None,
        "processInstanceId": row.instance_id,
        "businessKey": row.business_key,
        "processDefinitionKey": row.process_key,
        "activityId": row.element_id,
        "activityName": row.name,
        "locality": row.locality_code,
        "retries": row.retries,
        "errorMessage": row.error_message,
        "priority": row.priority,
        "variables": values,
    }


def _instance_of_task(session: Session, task_id: int) -> int:
    row = session.get(ExternalTask, task_id)
    if row is None:
        raise NotFoundError(f"external task {task_id} does not exist")
    return row.instance_id


def _instance_of_incident(session: Session, incident_id: int) -> int:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError(f"incident {incident_id} does not exist")
    return incident.instance_id
