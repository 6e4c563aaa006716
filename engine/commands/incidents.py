"""Incidents: what a project cannot get past without a person, opened, counted again and resolved.

An external task out of retries opens one (``external_tasks.fail``); so does a script, expression or
gateway that fails while a command runs the project (the failed step is rolled back, the incident is
written in the small transaction that records the error: ``Engine._record_error``). The same element
failing again adds to the open incident's ``attempts``. A new incident is an ``incident_opened`` event for
the locality's webhook subscribers. An incident is resolved by retrying it (the task
is offered again, optionally after its variables were edited), by cancelling its project, or when the
project gets past the element by itself (``moot``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..observability import metrics
from ..store import events
from ..store.models import Incident, ProcessInstance
from . import announce

EXTERNAL_TASK, STEP_FAILED = "external_task", "step_failed"
RETRIED, CANCELLED, MOOT = "retried", "cancelled", "moot"


def open_incident(
    session: Session,
    *,
    instance_id: int,
    kind: str,
    process_key: str,
    locality: str,
    element_id: str | None,
    message: str,
    details: str | None = None,
    external_task_id: int | None = None,
    now: datetime,
) -> Incident:
    """Open an incident, or count one more attempt on the one already open for this element."""
    found = session.scalars(
        select(Incident).where(
            Incident.instance_id == instance_id,
            Incident.kind == kind,
            Incident.element_id == element_id,
            Incident.resolved_at.is_(None),
        )
    ).first()
    if found is not None:
        found.attempts += 1
        found.message = message[:1000]
        found.details = details
        found.updated_at = now
        return found
    incident = Incident(
        instance_id=instance_id,
        external_task_id=external_task_id,
        kind=kind,
        process_key=process_key,
        locality_code=locality,
        element_id=element_id,
        message=message[:1000],
        details=details,
        attempts=1,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    announce.project_event(
        session,
        events.INCIDENT_OPENED,
        session.get(ProcessInstance, instance_id),
        now,
        incident={"id": incident.id, "kind": kind, "element_id": element_id, "message": incident.message},
    )
    # Counted before the caller commits: a transaction that then fails is rare and would fail loudly anyway.
    metrics.INCIDENTS_OPENED.labels(kind).inc()
    return incident


def resolve(incident: Incident, resolution: str, actor: str, now: datetime) -> None:
    incident.resolved_at = now
    incident.resolved_by = actor
    incident.resolution = resolution
    incident.updated_at = now


def resolve_for_task(session: Session, external_task_id: int, resolution: str, actor: str, now: datetime) -> None:
    session.execute(
        update(Incident)
        .where(Incident.external_task_id == external_task_id, Incident.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=actor, resolution=resolution, updated_at=now)
    )


def resolve_failed_steps(session: Session, instance_id: int, resolution: str, actor: str, now: datetime) -> None:
    """A project that ran past its failure (or was cancelled) leaves its failed-step incidents behind."""
    session.execute(
        update(Incident)
        .where(Incident.instance_id == instance_id, Incident.kind == STEP_FAILED, Incident.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=actor, resolution=resolution, updated_at=now)
    )
