"""The notification outbox: reminders, escalations and warnings for people, shown in the app and e-mailed.

Every notification carries a ``dedupe_key`` naming the occurrence it is about (``remind:<task>:<user>``,
``escalate:<task>:<date>:<user>`` …). The key is UNIQUE and written with ``ON CONFLICT DO NOTHING``, so
however many scheduler processes sweep, and however often, each person gets each notice once.

E-mail is a second, optional delivery of the same rows: :func:`send_pending` mails what has not been
mailed and records ``email_sent_at`` or ``email_error`` on the row, settings from ``SERVFLOW_SMTP_*``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..identity.localities import lineage
from ..store.models import Notification, RoleGrant, User
from ..store.unit_of_work import UnitOfWork

REMINDER, ESCALATION, CALENDAR_MISSING, UNDELIVERABLE = "reminder", "escalation", "calendar_missing", "undeliverable"


def role_holders(session: Session, role: str, locality: str) -> list[str]:
    """Active users holding ``role`` in the nearest locality up the tree where anyone holds it.

    A district without its own manager escalates to the city's, a city without one to the region's:
    a notice must reach somebody rather than go to an empty room.
    """
    for code in lineage(session, locality):
        users = list(
            session.scalars(
                select(User.username)
                .join(RoleGrant, RoleGrant.user_id == User.id)
                .where(RoleGrant.role == role, RoleGrant.locality_code == code, User.is_active.is_(True))
                .order_by(User.username)
                .distinct()
            )
        )
        if users:
            return users
    return []


def admins(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(User.username).where(User.is_admin.is_(True), User.is_active.is_(True)).order_by(User.username)
        )
    )


def unread_count(session: Session, username: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.recipient == username, Notification.read_at.is_(None))
        )
        or 0
    )


def for_user(session: Session, username: str, *, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """The person's notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.recipient == username)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query))


def mark_read(session: Session, username: str, now: datetime, ids: Sequence[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones without ``ids``); returns how many changed.

    Ids of other people's notifications are simply not matched, so nobody can touch someone else's.
    """
    query = update(Notification).where(Notification.recipient == username, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    return session.execute(query.values(read_at=now)).rowcount or 0


# --- e-mail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "servflow@localhost"
    starttls: bool = False
    timeout: float = 10.0
    #: The address people open servflow at (``SERVFLOW_BASE_URL``): mails then link to the task and project.
    base_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """Settings from ``SERVFLOW_SMTP_*``; ``None`` when no host is set (e-mail off)."""
        env = os.environ if environ is None else environ
        host = (env.get("SERVFLOW_SMTP_HOST") or "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=int(env.get("SERVFLOW_SMTP_PORT") or 25),
            user=env.get("SERVFLOW_SMTP_USER") or None,
            password=env.get("SERVFLOW_SMTP_PASSWORD") or None,
            sender=env.get("SERVFLOW_SMTP_SENDER") or cls.sender,
            starttls=(env.get("SERVFLOW_SMTP_STARTTLS") or "").strip().lower() in ("1", "true", "yes", "on"),
            base_url=(env.get("SERVFLOW_BASE_URL") or "").strip().rstrip("/") or None,
        )


@dataclass
class EmailReport:
    sent: int = 0
    failed: int = 0
    deferred: bool = False


def _message(settings: SmtpSettings, row: Notification, to: str, display_name: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = formataddr(("政府购买服务流程平台", settings.sender))
    message["To"] = formataddr((display_name, to))
    message.set_content((row.body or row.subject) + _links(settings, row))
    return message


def _links(settings: SmtpSettings, row: Notification) -> str:
    """Where to act: the task and the project, when the mail knows the address servflow is served at."""
    if not settings.base_url:
        return ""
    lines = []
    if row.human_task_id:
        lines.append(f"办理任务 / Open the task：{settings.base_url}/tasks/{row.human_task_id}")
    if row.instance_id:
        lines.append(f"查看项目 / Open the project：{settings.base_url}/projects/{row.instance_id}")
    return "\n\n" + "\n".join(lines) if lines else ""


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.starttls:
        client.starttls(context=ssl.create_default_context())
    if settings.user:
        client.login(settings.user, settings.password or "")
    return client


def send_pending(
    session_factory: sessionmaker,
    settings: SmtpSettings,
    now: Callable[[], datetime],
    *,
    batch: int = 50,
) -> EmailReport:
    """Mail queued notifications that were not mailed yet, one batch per transaction.

    The batch's rows are locked while they are sent (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the single
    writer lock on SQLite), so two schedulers never mail the same row. A refused recipient or a person
    without an address is recorded on the row and not retried; a server that cannot be reached leaves the
    rows untouched for the next sweep (``deferred``).
    """
    report = EmailReport()
    while True:
        with UnitOfWork(session_factory, write=True) as uow:
            rows = list(
                uow.session.execute(
                    select(Notification, User.email, User.display_name)
                    .join(User, User.username == Notification.recipient)
                    .where(Notification.email_sent_at.is_(None), Notification.email_error.is_(None))
                    .order_by(Notification.id)
                    .limit(batch)
                    .with_for_update(of=Notification, skip_locked=True)
                )
            )
            if not rows:
                return report
            try:
                client = _connect(settings)
            except (OSError, smtplib.SMTPException):
                report.deferred = True
                return report
            with client:
                for row, email, display_name in rows:
                    if not email:
                        row.email_error = "no e-mail address for this user"
                        report.failed += 1
                        continue
                    try:
                        client.send_message(_message(settings, row, email, display_name))
                    except smtplib.SMTPServerDisconnected:
                        report.deferred = True
                        break
                    except (smtplib.SMTPException, OSError) as exc:
                        row.email_error = f"{type(exc).__name__}: {exc}"[:1000]
                        report.failed += 1
                        continue
                    row.email_sent_at = now()
                    report.sent += 1
            uow.commit()
            if report.deferred or len(rows) < batch:
                return report
