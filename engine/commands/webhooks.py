"""Keeping a locality's webhook subscriptions, and sending a delivery again by hand.

A locality's managers (and those of the places above it) and administrators keep its subscriptions
(``webhook.manage``). Every change is checked here, whoever asks (the API, the page): an unknown locality,
an address that is not http(s), an unknown event kind or a weak secret is refused naming its field, and
nothing is written. The secret signs each delivery (``engine.jobs.webhooks``); it is shown once, when the
subscription is made or the secret changed, and never written to the audit trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from ..errors import InvalidDataError, InvalidStateError, NotFoundError, PermissionDeniedError
from ..identity import access
from ..identity.localities import get_locality
from ..identity.users import Principal
from ..store import audit
from ..store.events import KINDS
from ..store.models import DELIVERY_PENDING, OutboundEvent, WebhookDelivery, WebhookSubscription

ACTION = "webhook.manage"
SCHEMES = ("http", "https")
MAX_URL = 2000
MIN_SECRET, MAX_SECRET = 16, 200
MAX_DESCRIPTION = 200
CHANGEABLE = ("url", "events", "secret", "description", "active")


def may_manage(session: Session, principal: Principal, locality: str) -> bool:
    """Whether the person keeps the subscriptions of ``locality`` (a code or a name)."""
    return access.allowed(session, principal, ACTION, get_locality(session, locality).code)


def subscribe(
    session: Session,
    principal: Principal,
    *,
    locality: str,
    url: Any,
    events: Any,
    secret: Any = None,
    description: Any = "",
    active: Any = True,
    now: datetime,
) -> WebhookSubscription:
    """Subscribe ``url`` to the ``events`` of ``locality`` and the places below it; without a ``secret`` one
    is made (read it from the result: it is not shown again)."""
    try:
        code = get_locality(session, locality).code
    except NotFoundError:
        message = f"未知地区 {locality!r} / unknown locality {locality!r}"
        raise InvalidDataError(message, {"locality": [message]}) from None
    _require(session, principal, code)
    values = _checked(
        {
            "url": url,
            "events": events,
            "secret": secrets.token_hex(32) if secret is None else secret,
            "description": description,
            "active": active,
        }
    )
    subscription = WebhookSubscription(locality_code=code, created_by=principal.username, created_at=now, **values)
    session.add(subscription)
    session.flush()
    _audit(session, "webhook_subscribed", principal, subscription, now)
    return subscription


def change(
    session: Session, principal: Principal, subscription_id: int, values: Mapping[str, Any], *, now: datetime
) -> WebhookSubscription:
    """Change the given fields of a subscription (the others stay); the locality never changes."""
    subscription = managed(session, principal, subscription_id)
    unknown = sorted(set(values) - set(CHANGEABLE))
    if unknown:
        message = f"不能修改 / cannot be changed: {', '.join(unknown)}"
        raise InvalidDataError(message, {name: [message] for name in unknown})
    for name, value in _checked(values).items():
        setattr(subscription, name, value)
    subscription.updated_by = principal.username
    subscription.updated_at = now
    _audit(session, "webhook_changed", principal, subscription, now, secret_changed="secret" in values)
    return subscription


def remove(session: Session, principal: Principal, subscription_id: int, *, now: datetime) -> None:
    """Delete a subscription with its deliveries, and the events no other subscription still waits on."""
    subscription = managed(session, principal, subscription_id)
    event_ids = select(WebhookDelivery.event_id).where(WebhookDelivery.subscription_id == subscription.id)
    orphans = list(session.scalars(event_ids.distinct()))
    _audit(session, "webhook_removed", principal, subscription, now)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
    session.delete(subscription)
    if orphans:
        still_wanted = exists().where(WebhookDelivery.event_id == OutboundEvent.id)
        session.execute(delete(OutboundEvent).where(OutboundEvent.id.in_(orphans), ~still_wanted))


def resend(session: Session, principal: Principal, delivery_id: int, *, now: datetime) -> WebhookDelivery:
    """Send a delivered or dead-lettered delivery again from now, with a fresh count of attempts; its last
    answer stays on it until the next attempt replaces it."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFoundError(f"delivery {delivery_id} does not exist")
    managed(session, principal, delivery.subscription_id, what=f"delivery {delivery_id}")
    if delivery.state == DELIVERY_PENDING:
        raise InvalidStateError(f"该投递正在等待发送 / delivery {delivery_id} is already waiting to be sent")
    delivery.state = DELIVERY_PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.lease_owner = delivery.lease_expires_at = delivery.delivered_at = None
    delivery.resent_by = principal.username
    delivery.resent_at = now
    audit.record(session, "webhook_resent", principal.username, now, data={"delivery_id": delivery_id})
    return delivery


def managed(session: Session, principal: Principal, subscription_id: int, *, what: str = "") -> WebhookSubscription:
    """The subscription if the person keeps its locality's; one they may not keep "does not exist", and who
    keeps none anywhere is refused outright."""
    if not access.may_anywhere(principal, ACTION):
        raise PermissionDeniedError("你不能管理事件订阅 / you may not manage webhooks")
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or not access.allowed(session, principal, ACTION, subscription.locality_code):
        raise NotFoundError(f"{what or f'webhook subscription {subscription_id}'} does not exist")
    return subscription


def _require(session: Session, principal: Principal, code: str) -> None:
    if not access.allowed(session, principal, ACTION, code):
        raise PermissionDeniedError(f"你不能管理{code}的事件订阅 / you may not manage the webhooks of locality {code}")


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as stored, or every wrong one refused at once, named by its field."""
    checks = {"url": _url, "events": _events, "secret": _secret, "description": _description, "active": _active}
    errors: dict[str, list[str]] = {}
    checked: dict[str, Any] = {}
    for name, value in values.items():
        try:
            checked[name] = checks[name](value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise InvalidDataError("invalid webhook subscription: " + ", ".join(sorted(errors)), errors)
    return checked


def _url(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise ValueError(f"须为不超过 {MAX_URL} 字符的网址 / must be an address of at most {MAX_URL} characters")
    parts = urlsplit(text)
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError("只接受 http:// 或 https:// 地址 / must be an http:// or https:// address")
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ValueError("端口无效 / the port is not valid") from None
    if not parts.hostname:
        raise ValueError("缺少主机名 / the address names no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("地址中不能含用户名或密码 / no user or password in the address: the secret signs each event")
    return text


def _events(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value or not all(isinstance(kind, str) for kind in value):
        raise ValueError(f"至少选择一种事件 / choose at least one of: {', '.join(KINDS)}")
    unknown = sorted(set(value) - set(KINDS))
    if unknown:
        raise ValueError(f"未知事件 / unknown event kind: {', '.join(unknown)} (known: {', '.join(KINDS)})")
    return [kind for kind in KINDS if kind in value]


def _secret(value: Any) -> str:
    if (
        not isinstance(value, str)
        or not MIN_SECRET <= len(value) <= MAX_SECRET
        or not value.isprintable()
        or value != value.strip()
    ):
        raise ValueError(
            f"密钥须为 {MIN_SECRET}–{MAX_SECRET} 个可见字符 / the secret must be {MIN_SECRET} to {MAX_SECRET} "
            "printable characters"
        )
    return value


def _description(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION or not value.isprintable():
        raise ValueError(f"说明不超过 {MAX_DESCRIPTION} 字 / at most {MAX_DESCRIPTION} characters of text")
    return value.strip()


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("须为 true 或 false / must be true or false")
    return value


def _audit(
    session: Session, action: str, principal: Principal, subscription: WebhookSubscription, now: datetime, **extra: Any
) -> None:
    data = {
        "subscription_id": subscription.id,
        "locality": subscription.locality_code,
        "url": subscription.url,
        "events": subscription.events,
        "active": subscription.active,
        **extra,
    }
    audit.record(session, action, principal.username, now, data=data)
