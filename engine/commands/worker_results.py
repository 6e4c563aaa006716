"""What a worker's answer does to its project: complete the service task, or throw a BPMN error at it,
and what a person's retry of an incident does.

A worker's answer runs in the caller's unit of work on what ``instances.lock_for_task(…, ExternalTask)``
read: the project row locked first, then the task row and the project's other open ones read under that
lock, so two workers answering for the same task are serialized: the second finds the task completed
(the same worker: done, nothing more happens; another: 409).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..errors import InvalidDataError, InvalidStateError, NotFoundError
from ..spiff import runtime
from ..store import audit
from ..store.models import ExternalTask, Incident
from . import external_tasks, incidents, instances, parties
from .instances import Context


def complete(
    session: Session,
    ctx: Context,
    locked: instances.Locked[ExternalTask],
    *,
    worker_id: str,
    variables: dict[str, Any],
    actor: str,
) -> ExternalTask:
    """Complete the service task ``worker_id`` holds (``locked``: ``lock_for_task``'s reading of it) with
    its ``variables`` and run the project on."""
    instance, row = locked.instance, locked.task
    if external_tasks.already_completed(row, worker_id):
        return row
    now = ctx.now()
    external_tasks.check_lock(row, worker_id, now)
    data = external_tasks.check_variables(row, variables)
    instances.require_running(instance)
    specs = instances.spec_set(session, ctx, instance)
    workflow = runtime.load(instance.state, specs)
    before = instances.waits_of(workflow)
    with parties.scripts_read_registry(session):
        latest = runtime.complete_external(workflow, row.task_uuid, data, now=now)
    if row.error_message is not None:  # only a task that failed before can have an incident open
        incidents.resolve_for_task(session, row.id, incidents.RETRIED, actor, now)
    external_tasks.record_completion(row, worker_id, now)
    audit.record(
        session,
        "external_task_completed",
        actor,
        now,
        instance_id=instance.id,
        element_id=row.element_id,
        data={"external_task": row.id, "worker": worker_id, "variables": data},
    )
    instances.write_back(
        session, ctx, instance, workflow, specs, now, latest=latest, actor=actor, known_external=locked.open_tasks,
        **before,
    )
    return row


def throw_error(
    session: Session,
    ctx: Context,
    locked: instances.Locked[ExternalTask],
    *,
    worker_id: str,
    code: str,
    message: str,
    variables: dict[str, Any],
    actor: str,
) -> ExternalTask:
    """Raise BPMN error ``code`` on the task: its error boundary event takes the project on; without one
    that catches the code nothing changes and the worker is told (422) to report a failure instead."""
    instance, row = locked.instance, locked.task
    now = ctx.now()
    external_tasks.check_lock(row, worker_id, now)
    if not code.strip() or len(code) > 200:
        raise InvalidDataError("errorCode: 1 to 200 characters", errors={"errorCode": ["1 to 200 characters"]})
    data = external_tasks.check_variables(row, variables) if variables else {}
    instances.require_running(instance)
    specs = instances.spec_set(session, ctx, instance)
    workflow = runtime.load(instance.state, specs)
    with parties.scripts_read_registry(session):
        caught = runtime.throw_error(workflow, row.task_uuid, code, message, data, now=now)
    if not caught:
        reason = f"no error boundary event on {row.element_id} catches error code {code!r}; report a failure instead"
        raise InvalidDataError(reason, errors={"errorCode": [reason]})
    external_tasks.record_completion(row, worker_id, now)
    row.state = "error"
    row.error_message = f"{code}: {message}"[:1000]
    audit.record(
        session,
        "external_task_error",
        actor,
        now,
        instance_id=instance.id,
        element_id=row.element_id,
        data={"external_task": row.id, "worker": worker_id, "error_code": code, "message": message},
    )
    instances.write_back(session, ctx, instance, workflow, specs, now, actor=actor, known_external=locked.open_tasks)
    return row


def retry_incident(
    session: Session,
    ctx: Context,
    *,
    incident_id: int,
    retries: int,
    variables: dict[str, Any] | None,
    actor: str,
) -> Incident:
    """Offer an external task again (with ``retries`` attempts), or run a failed step's project again,
    after writing ``variables`` (edited by a person) into the data of the work the project waits on."""
    instance = instances.lock(session, _open_incident(session, incident_id).instance_id)
    incident = _open_incident(session, incident_id, again=True)  # as it is under the project's lock
    instances.require_running(instance)
    if not 0 < retries <= 100:
        raise InvalidDataError("retries: from 1 to 100", errors={"retries": ["from 1 to 100"]})
    now = ctx.now()
    specs = instances.spec_set(session, ctx, instance)
    workflow = runtime.load(instance.state, specs)
    row = session.get(ExternalTask, incident.external_task_id) if incident.external_task_id else None
    if variables:
        checked = _plain_names(variables)  # the task's inputs, which a person corrects: not only its outputs
        runtime.set_waiting_data(workflow, checked)
        if row is not None:
            row.variables = {**row.variables, **checked}
    if row is not None:
        external_tasks.offer_again(row, retries)
    incidents.resolve(incident, incidents.RETRIED, actor, now)
    audit.record(
        session,
        "incident_retried",
        actor,
        now,
        instance_id=instance.id,
        element_id=incident.element_id,
        data={"incident": incident.id, "retries": retries, "variables": variables or {}},
    )
    with parties.scripts_read_registry(session):
        runtime.advance(workflow, now=now)
    instances.write_back(session, ctx, instance, workflow, specs, now, actor=actor)
    return incident


def cancel_incident(session: Session, ctx: Context, *, incident_id: int, reason: str, actor: str) -> Incident:
    """Cancel the incident's project (its tasks and external tasks withdrawn) and resolve the incident."""
    instances.lock(session, _open_incident(session, incident_id).instance_id)
    incident = _open_incident(session, incident_id, again=True)
    instances.cancel(session, ctx, instance_id=incident.instance_id, actor=actor, reason=reason)
    incidents.resolve(incident, incidents.CANCELLED, actor, ctx.now())
    return incident


def _open_incident(session: Session, incident_id: int, *, again: bool = False) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is not None and again:
        session.refresh(incident)
    if incident is None:
        raise NotFoundError(f"incident {incident_id} does not exist")
    if incident.resolved_at is not None:
        raise InvalidStateError(f"incident {incident_id} was already resolved ({incident.resolution})")
    return incident


def _plain_names(variables: dict[str, Any]) -> dict[str, Any]:
    bad = [name for name in variables if not external_tasks.is_variable_name(name)]
    if bad:
        message = "not variable names: " + ", ".join(sorted(map(str, bad)))
        raise InvalidDataError(message, errors={str(name): ["not a variable name"] for name in bad})
    return dict(variables)

