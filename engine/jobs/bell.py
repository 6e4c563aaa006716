"""The bell: what a person does with their own notifications — read the list, mark one or all read.

The pages (``web/notifications_page.py``) run these through ``Engine.read`` and ``Engine.write``; every
look-up is by the signed-in username, so nobody sees or marks another person's notices. The rows
themselves are written by the scheduler (:mod:`engine.jobs.notifications`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..store.models import Notification
from . import notifications


@dataclass(frozen=True)
class Inbox:
    """The person's notifications, newest first, and how many are unread."""

    rows: list[Notification]
    unread: int


def inbox(session: Session, username: str, *, unread_only: bool = False) -> Inbox:
    rows = notifications.for_user(session, username, unread_only=unread_only)
    return Inbox(rows, notifications.unread_count(session, username))


def mark_one_read(session: Session, username: str, notification_id: int, now: datetime) -> int | None:
    """Mark one of the person's notices read; how many stay unread, or ``None`` if it is not theirs."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient != username:
        return None
    notifications.mark_read(session, username, now, [notification_id])
    return notifications.unread_count(session, username)
