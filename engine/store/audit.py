"""Append-only history of every command, written in the command's own transaction.

Each event carries the id of the HTTP request or scheduler sweep at work (``observability.context``), so
an operator finds the log lines of the request that made a change, and the changes a request made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..observability import context
from .models import AuditEvent

# A plain INSERT, sent at once: events are never read back or changed in the command that writes them,
# so they need no ORM object, identity or RETURNING of their id (one is written on every command).
_INSERT = AuditEvent.__table__.insert()


def record(
    session: Session,
    action: str,
    actor: str,
    at: datetime,
    *,
    instance_id: int | None = None,
    human_task_id: int | None = None,
    element_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.execute(
        _INSERT,
        {
            "action": action,
            "actor": actor,
            "at": at,
            "instance_id": instance_id,
            "human_task_id": human_task_id,
            "element_id": element_id,
            "data": data,
            "request_id": context.request_id(),
        },
    )


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id))
    )
