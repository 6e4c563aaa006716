"""Projects as a reader sees them: the ones they may read, paged and searched, and one whole project.

Every query starts from ``access.readable_instances`` / ``access.readable_instance``, so a filter or a
guessed id never widens what a person reads; a project they may not read "does not exist".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ..commands.tasks import open_tasks
from ..errors import NotFoundError
from ..identity import access
from ..identity.users import Principal
from ..store import audit
from ..store.models import AuditEvent, HumanTask, ProcessInstance
from ..store.search import any_contains


@dataclass(frozen=True)
class ProjectPage:
    items: list[ProcessInstance]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class Project:
    """One project with its open tasks and, when asked for, its history."""

    instance: ProcessInstance
    open_tasks: list[HumanTask]
    history: list[AuditEvent] | None


def title_or_key_contains(text: str) -> ColumnElement[bool]:
    """SQL condition on ``ProcessInstance``: ``text`` (taken literally, ``%`` and ``_`` too) in the
    project's title or business key — the search of the project list and of the inbox."""
    return any_contains(text, ProcessInstance.title, ProcessInstance.business_key)


def list_projects(
    session: Session,
    principal: Principal,
    *,
    locality: str | None = None,
    status: str | None = None,
    text: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> ProjectPage:
    """Projects the person may read, newest first; ``text`` is searched in title and business key."""
    query = select(ProcessInstance).where(access.readable_instances(session, principal))
    if locality:
        query = query.where(ProcessInstance.locality_code == locality)
    if status:
        query = query.where(ProcessInstance.status == status)
    if text:
        query = query.where(title_or_key_contains(text))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ProcessInstance.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return ProjectPage(list(rows), total, page, per_page)


def project(session: Session, principal: Principal | None, instance_id: int, *, with_history: bool = True) -> Project:
    """One project the person may read, its open tasks and history.

    ``principal=None`` skips the reading rule, for answering a command the caller was allowed to run on
    it (a message sender may deliver to a project without being one of its readers).
    """
    if principal is not None:
        instance = access.readable_instance(session, principal, instance_id)
    elif (found := session.get(ProcessInstance, instance_id)) is not None:
        instance = found
    else:
        raise NotFoundError(f"project (instance) {instance_id} does not exist")
    return Project(
        instance,
        open_tasks(session, instance.id),
        audit.history(session, instance.id) if with_history else None,
    )
