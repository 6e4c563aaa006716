"""Writing to the notification outbox, once per person and occurrence, from any command's transaction.

A command that must tell someone (a credit breach to finance) and the scheduler's reminders write the same
rows; ``engine.jobs.notifications`` reads them, marks them read and e-mails them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import Notification


@dataclass(frozen=True)
class Notice:
    """What to tell people, before it is addressed to each of them."""

    kind: str
    subject: str
    body: str
    key: str
    instance_id: int | None = None
    human_task_id: int | None = None


def notify(session: Session, recipients: Iterable[str], notice: Notice, now: datetime) -> int:
    """Queue ``notice`` for each recipient once (per ``notice.key``); returns how many rows were new.

    0 means nothing was written (nobody to tell, or everyone already had it): callers count that as
    no notice sent.
    """
    rows = [
        {
            "recipient": user,
            "kind": notice.kind,
            "subject": notice.subject[:300],
            "body": notice.body,
            "instance_id": notice.instance_id,
            "human_task_id": notice.human_task_id,
            "dedupe_key": f"{notice.key}:{user}"[:200],
            "created_at": now,
        }
        for user in sorted(set(recipients))
    ]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Notification).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return len(session.execute(statement.returning(Notification.id)).all())
