"""Reading webhook subscriptions and their delivery log, for the people who keep them.

Scoped before anything else by ``webhook.manage``: a manager reads the subscriptions of their locality and
the places below it (administrators all), and only those subscriptions' deliveries — what was sent,
when, how many attempts, the last answer — whatever filter or id the caller gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..commands.webhooks import ACTION, managed
from ..errors import NotFoundError
from ..identity import access
from ..identity.users import Principal
from ..store.models import WebhookDelivery, WebhookSubscription


def _scope(session: Session, principal: Principal, locality: str | None) -> set[str] | None:
    return access.allowed_localities(
        session,
        principal,
        ACTION,
        locality,
        refused="你不能管理事件订阅 / you may not manage webhooks",
        outside="你不能管理该地区的事件订阅 / you may not manage the webhooks of locality",
    )


def subscriptions(session: Session, principal: Principal, locality: str | None = None) -> list[WebhookSubscription]:
    """The subscriptions kept in ``locality`` (a code or a name), or everywhere the person keeps them."""
    scope = _scope(session, principal, locality)
    query = select(WebhookSubscription).order_by(WebhookSubscription.locality_code, WebhookSubscription.id)
    return list(session.scalars(query.where(access.in_localities(WebhookSubscription.locality_code, scope))))


@dataclass(frozen=True)
class DeliveryPage:
    rows: list[WebhookDelivery]
    total: int
    page: int
    per_page: int


def deliveries(
    session: Session,
    principal: Principal,
    *,
    locality: str | None = None,
    subscription_id: int | None = None,
    state: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> DeliveryPage:
    """Deliveries newest first, each with its event, narrowed by locality, subscription and state."""
    scope = _scope(session, principal, locality)
    query = (
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(access.in_localities(WebhookSubscription.locality_code, scope))
    )
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(joinedload(WebhookDelivery.event))
        .order_by(WebhookDelivery.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return DeliveryPage(list(rows), total, page, per_page)


def delivery(session: Session, principal: Principal, delivery_id: int) -> WebhookDelivery:
    """One delivery with its event, if the person keeps its subscription."""
    found = session.get(WebhookDelivery, delivery_id, options=[joinedload(WebhookDelivery.event)])
    if found is None:
        raise NotFoundError(f"delivery {delivery_id} does not exist")
    managed(session, principal, found.subscription_id, what=f"delivery {delivery_id}")
    return found
