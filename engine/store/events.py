"""The outbound event outbox: what happened to a project, for the systems subscribed to its locality.

``emit`` is called inside the command that makes the change, so the event and its deliveries commit or
roll back with it: a subscriber never hears of a step that was not kept, and never misses one that was.
It writes one ``outbound_event`` row and one ``webhook_delivery`` row per active subscription that asked
for the kind — the subscriptions of the event's locality *and of every place above it* (a city's events
go to the city's subscriptions and to the region's; a district's also to its city's), because the
region's finance systems follow every city's projects while a city's systems see only their own. An
event nobody subscribed to writes nothing, so a locality without subscribers pays one small query a step.

``engine.jobs.webhooks`` sends the deliveries (signed, retried, dead-lettered).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .models import HumanTask, Locality, OutboundEvent, WebhookDelivery, WebhookSubscription

STAGE_ENTERED = "stage_entered"
TASK_CREATED = "task_created"
TASK_OVERDUE = "task_overdue"
DISCLOSURE_PUBLISHED = "disclosure_published"
PROJECT_COMPLETED = "project_completed"
PROJECT_CANCELLED = "project_cancelled"
INCIDENT_OPENED = "incident_opened"
KINDS = (
    STAGE_ENTERED,
    TASK_CREATED,
    TASK_OVERDUE,
    DISCLOSURE_PUBLISHED,
    PROJECT_COMPLETED,
    PROJECT_CANCELLED,
    INCIDENT_OPENED,
)

#: Event kind → ids of the subscriptions that hear it, for one locality (see ``listeners``).
Listeners = Mapping[str, Sequence[int]]


def _reach() -> Any:
    """Active subscriptions of the locality ``:locality`` and its ancestors, in one round trip.

    ``UNION`` (not ``UNION ALL``) ends the walk even if the tree were ever given a cycle."""
    up = (
        select(Locality.code, Locality.parent_code)
        .where(Locality.code == bindparam("locality"))
        .cte("up", recursive=True)
    )
    up = up.union(select(Locality.code, Locality.parent_code).join(up, Locality.code == up.c.parent_code))
    return (
        select(WebhookSubscription.id, WebhookSubscription.events)
        .where(WebhookSubscription.active.is_(True), WebhookSubscription.locality_code.in_(select(up.c.code)))
        .order_by(WebhookSubscription.id)
    )


_LISTENERS = _reach()  # built once: it runs on every step of every project


def listeners(session: Session, locality_code: str) -> Listeners:
    """Who hears each kind of event of ``locality_code``; a step that may emit several events asks once."""
    found: dict[str, list[int]] = {}
    for subscription_id, kinds in session.execute(_LISTENERS, {"locality": locality_code}):
        for kind in kinds or ():
            found.setdefault(kind, []).append(subscription_id)
    return found


def emit(
    session: Session,
    kind: str,
    locality_code: str,
    payload: dict[str, Any],
    instance_id: int | None = None,
    *,
    now: datetime,
    task: HumanTask | None = None,
    heard_by: Listeners | None = None,
) -> int:
    """Queue the event ``kind`` of ``locality_code`` for every subscription that asked for it, in the caller's
    transaction; returns how many deliveries were written (0: nobody listens, nothing written).

    ``payload`` must be JSON as it is (dates as ISO strings). ``now`` is the engine's clock: the deliveries
    are due from then. ``task`` names the task the event is about, even one created in this step (its id
    is filled in at the flush). ``heard_by``: the ``listeners`` of the locality, when the caller already
    asked.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    subscriptions = (listeners(session, locality_code) if heard_by is None else heard_by).get(kind, ())
    if not subscriptions:
        return 0
    event = OutboundEvent(
        kind=kind, locality_code=locality_code, instance_id=instance_id, task=task, payload=payload, occurred_at=now
    )
    session.add(event)
    session.add_all(
        WebhookDelivery(event=event, subscription_id=subscription_id, next_attempt_at=now, created_at=now)
        for subscription_id in subscriptions
    )
    return len(subscriptions)
