"""What is waiting, read from the database when ``/metrics`` is scraped: open and overdue tasks, open
incidents, due timers, webhook deliveries, unsent e-mail and external tasks per topic.

Read at scrape time rather than counted as things happen, so every app server reports the same numbers
and a restart loses nothing. Each figure is one aggregate over an index (or the open-task tally, which
region-wide dashboards read too): a scrape every 15 s costs a few milliseconds, however big the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..calendars.deadlines import local_date
from ..commands.external_tasks import OPEN as EXTERNAL_OPEN
from ..commands.instances import BPMN_TIMER
from ..store.models import (
    DELIVERY_DEAD,
    DELIVERY_PENDING,
    ExternalTask,
    Incident,
    Notification,
    OpenTaskTally,
    TimerJob,
    WebhookDelivery,
)


@dataclass(frozen=True)
class Backlog:
    """The figures; ``oldest_*`` are seconds since the oldest waiting item fell due (0 when none waits)."""

    open_tasks: int
    overdue_tasks: int
    open_incidents: dict[str, int]
    timers_due: int
    oldest_timer_due: float
    webhooks: dict[str, int]
    oldest_webhook_due: float
    unsent_emails: int | None
    external_tasks: dict[str, int]


def backlog(session: Session, now: datetime, *, mailing: bool) -> Backlog:
    """The backlog at ``now``; ``mailing``: whether SMTP is set up (else no e-mail is ever sent, and an
    unsent count would only grow)."""
    today = local_date(now)
    tally = OpenTaskTally.__table__.c
    open_tasks, overdue = session.execute(
        select(func.coalesce(func.sum(tally.n), 0), func.coalesce(func.sum(tally.n).filter(tally.due_date < today), 0))
    ).one()
    incidents = session.execute(
        select(Incident.kind, func.count()).where(Incident.resolved_at.is_(None)).group_by(Incident.kind)
    ).all()
    due = (TimerJob.kind == BPMN_TIMER, TimerJob.done_at.is_(None), TimerJob.due_at < now)
    timers, first_timer = session.execute(select(func.count(), func.min(TimerJob.due_at)).where(*due)).one()
    deliveries = session.execute(
        select(WebhookDelivery.state, func.count())
        .where(WebhookDelivery.state.in_((DELIVERY_PENDING, DELIVERY_DEAD)))
        .group_by(WebhookDelivery.state)
    ).all()
    first_delivery = session.scalar(
        select(func.min(WebhookDelivery.next_attempt_at)).where(
            WebhookDelivery.state == DELIVERY_PENDING, WebhookDelivery.next_attempt_at < now
        )
    )
    unsent = None
    if mailing:
        unsent = session.scalar(
            select(func.count()).where(Notification.email_sent_at.is_(None), Notification.email_error.is_(None))
        )
    topics = session.execute(
        select(ExternalTask.topic, func.count()).where(ExternalTask.state == EXTERNAL_OPEN).group_by(ExternalTask.topic)
    ).all()
    return Backlog(
        open_tasks=int(open_tasks),
        overdue_tasks=int(overdue),
        open_incidents={kind: count for kind, count in incidents},
        timers_due=timers,
        oldest_timer_due=_age(now, first_timer),
        webhooks={DELIVERY_PENDING: 0, DELIVERY_DEAD: 0} | {state: count for state, count in deliveries},
        oldest_webhook_due=_age(now, first_delivery),
        unsent_emails=unsent,
        external_tasks={topic: count for topic, count in topics},
    )


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0
