"""Incidents as the operations page, the project page and the dashboard read them.

Managers see the incidents of their locality and the ones below, administrators all
(``incident.manage``); the project page shows a project's own to whoever may read the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from ..errors import PermissionDeniedError
from ..identity import access
from ..identity.users import Principal
from ..store.models import ExternalTask, Incident, ProcessInstance

MAX_LISTED = 500


@dataclass(frozen=True)
class IncidentRow:
    id: int
    instance_id: int
    business_key: str
    title: str
    kind: str
    process_key: str
    locality_code: str
    element_id: str | None
    message: str
    details: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    topic: str | None
    variables: dict[str, Any] | None


@dataclass(frozen=True)
class IncidentFilter:
    state: str = "open"
    locality: str | None = None
    process: str | None = None
    error: str | None = None
    instance: int | None = None


def _rows() -> Select[Any]:
    return (
        select(
            Incident, ProcessInstance.business_key, ProcessInstance.title, ExternalTask.topic, ExternalTask.variables
        )
        .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
        .outerjoin(ExternalTask, ExternalTask.id == Incident.external_task_id)
    )


def _row(incident: Incident, business_key: str, title: str, topic: str | None, variables: Any) -> IncidentRow:
    return IncidentRow(
        **{name: getattr(incident, name) for name in _INCIDENT_FIELDS},
        business_key=business_key,
        title=title,
        topic=topic,
        variables=variables,
    )


_INCIDENT_FIELDS = [
    "id",
    "instance_id",
    "kind",
    "process_key",
    "locality_code",
    "element_id",
    "message",
    "details",
    "attempts",
    "created_at",
    "updated_at",
    "resolved_at",
    "resolved_by",
    "resolution",
]


def managed_scope(session: Session, principal: Principal) -> ColumnElement[bool]:
    """Incidents the person may resolve; refused for anyone who manages none."""
    codes = access.localities_for(session, principal, "incident.manage")
    if codes is not None and not codes:
        raise PermissionDeniedError("only managers and administrators handle incidents")
    return access.in_localities(Incident.locality_code, codes)


def incident_list(session: Session, principal: Principal, wanted: IncidentFilter) -> list[IncidentRow]:
    query = _rows().where(managed_scope(session, principal))
    if wanted.state == "open":
        query = query.where(Incident.resolved_at.is_(None))
    elif wanted.state == "resolved":
        query = query.where(Incident.resolved_at.is_not(None))
    if wanted.locality:
        query = query.where(Incident.locality_code == wanted.locality)
    if wanted.process:
        query = query.where(Incident.process_key == wanted.process)
    if wanted.instance:
        query = query.where(Incident.instance_id == wanted.instance)
    if wanted.error:
        pattern = f"%{wanted.error}%"
        query = query.where(or_(Incident.message.ilike(pattern), Incident.element_id.ilike(pattern)))
    query = query.order_by(Incident.updated_at.desc(), Incident.id.desc()).limit(MAX_LISTED)
    return [_row(*found) for found in session.execute(query)]


def filter_choices(session: Session, principal: Principal) -> tuple[list[str], list[str]]:
    """The localities and processes that have incidents the person handles (the page's filter lists)."""
    scope = managed_scope(session, principal)
    localities = session.scalars(
        select(Incident.locality_code).where(scope).distinct().order_by(Incident.locality_code)
    )
    processes = session.scalars(select(Incident.process_key).where(scope).distinct().order_by(Incident.process_key))
    return list(localities), list(processes)


def incident(session: Session, principal: Principal, incident_id: int) -> IncidentRow | None:
    found = session.execute(_rows().where(Incident.id == incident_id, managed_scope(session, principal))).first()
    return _row(*found) if found else None


def of_project(session: Session, instance_id: int) -> list[IncidentRow]:
    """A project's incidents, open first (the caller has checked the person may read the project)."""
    query = _rows().where(Incident.instance_id == instance_id)
    query = query.order_by(Incident.resolved_at.is_not(None), Incident.id.desc())
    return [_row(*found) for found in session.execute(query)]


def open_count(session: Session, principal: Principal) -> int | None:
    """Open incidents the person handles (the dashboard's count); ``None`` for someone who handles none."""
    codes = access.localities_for(session, principal, "incident.manage")
    if codes is not None and not codes:
        return None
    query = select(func.count(Incident.id)).where(
        Incident.resolved_at.is_(None), access.in_localities(Incident.locality_code, codes)
    )
    return session.scalar(query) or 0


def waiting_on_systems(session: Session, instance_id: int) -> list[ExternalTask]:
    """The project's service tasks still waiting for another system (the project page's "who acts next")."""
    query = select(ExternalTask).where(ExternalTask.instance_id == instance_id, ExternalTask.state == "open")
    return list(session.scalars(query.order_by(ExternalTask.id)))
