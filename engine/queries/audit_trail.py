"""The audit trail as the API serves it: the global trail for auditors and administrators, paged and
filtered, and one project's history for whoever may read the project.

Both start from the access rules (``access.audit_scope``, ``access.readable_instance``), so a filter or a
guessed id never widens what a person reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..identity import access
from ..identity.users import Principal
from ..store import audit
from ..store.models import AuditEvent


@dataclass(frozen=True)
class TrailPage:
    items: list[AuditEvent]
    total: int
    page: int
    per_page: int


def trail(
    session: Session,
    principal: Principal,
    *,
    instance_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> TrailPage:
    """Events within the person's audit scope, newest first, equal to each filter given."""
    query = select(AuditEvent).where(access.audit_scope(session, principal))
    if instance_id is not None:
        query = query.where(AuditEvent.instance_id == instance_id)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return TrailPage(list(rows), int(total), page, per_page)


def project_history(session: Session, principal: Principal, instance_id: int) -> list[AuditEvent]:
    """One project's history, oldest first; a project the person may not read "does not exist"."""
    access.readable_instance(session, principal, instance_id)
    return audit.history(session, instance_id)
