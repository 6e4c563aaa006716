"""Sending webhook deliveries: signed POSTs, retried with backoff, dead-lettered, every attempt logged.

A step of the scheduler's sweep, safe in any number of schedulers at once. Due deliveries (pending, their
``next_attempt_at`` reached, their subscription active) are *claimed* in a short transaction that sets a
lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent schedulers take disjoint deliveries). The
POST is made outside any transaction, and its answer is written only while the lease is still ours. The
lease covers a whole batch at the longest timeout, so no other scheduler sends a delivery still in flight;
one whose scheduler died is sent again when its lease expires — delivery is at least once, so receivers
drop repeats by ``X-Servflow-Delivery``.

Each attempt is ``POST <url>`` with ``Content-Type: application/json`` and

* ``X-Servflow-Event``: the kind (``stage_entered`` …), ``X-Servflow-Delivery``: the delivery's id,
* ``X-Servflow-Timestamp``: Unix seconds when it was sent,
* ``X-Servflow-Signature``: ``sha256=`` and the hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with the
  subscription's secret — a receiver recomputes it, compares in constant time and refuses old timestamps;

the body is ``{"id", "event", "occurred_at", "locality", "instance_id", "task_id", "data"}`` (UTF-8 JSON).
Any 2xx answer delivers it; anything else (another status, a redirect — never followed —, a refused
connection, a timeout) is retried after ``retry_seconds``·2ⁿ⁻¹ (at most ``max_retry_seconds``) and given up
(``dead``) after ``max_attempts``. The last status, the first 2 kB of the last answer and the last error
stay on the row; a person sends a delivered or dead one again (``engine.commands.webhooks.resend``).
Requests go straight to the receiver, never through a proxy from the environment.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload, sessionmaker

from ..store.models import (
    DELIVERY_DEAD,
    DELIVERY_DELIVERED,
    DELIVERY_PENDING,
    WebhookDelivery,
    WebhookSubscription,
)
from ..store.unit_of_work import UnitOfWork

log = logging.getLogger("servflow.webhooks")

MAX_RESPONSE_BYTES = 2048
MAX_ERROR = 1000


@dataclass(frozen=True)
class WebhookSettings:
    """How deliveries are sent; ``from_env`` reads ``SERVFLOW_WEBHOOK_*``."""

    max_attempts: int = 8
    timeout: float = 5.0
    retry_seconds: float = 60.0
    max_retry_seconds: float = 3600.0
    batch: int = 20

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebhookSettings:
        env = os.environ if environ is None else environ
        return cls(
            max_attempts=max(1, int(env.get("SERVFLOW_WEBHOOK_MAX_ATTEMPTS") or cls.max_attempts)),
            timeout=float(env.get("SERVFLOW_WEBHOOK_TIMEOUT") or cls.timeout),
            retry_seconds=float(env.get("SERVFLOW_WEBHOOK_RETRY_SECONDS") or cls.retry_seconds),
        )

    @property
    def lease(self) -> timedelta:
        """Long enough to send a whole claimed batch, each at the longest timeout."""
        return timedelta(seconds=self.batch * self.timeout + 30)

    def backoff(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt."""
        return timedelta(seconds=min(self.retry_seconds * 2 ** (attempts - 1), self.max_retry_seconds))


@dataclass
class WebhookReport:
    """What one round of sending did: deliveries received, attempts that failed, deliveries given up on."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0


@dataclass(frozen=True)
class Outgoing:
    """One attempt, as read under the lease: where to, signed with what, saying what."""

    delivery_id: int
    kind: str
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True)
class Answer:
    """What the receiver said: a status and the start of its body, or the error that stopped the request."""

    status: int | None = None
    body: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``"<timestamp>.<body>"`` keyed with the secret: the ``X-Servflow-Signature``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to log, not an address to follow (it could point anywhere)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def _text(raw: bytes) -> str:
    """The start of an answer's body as text both databases store (no NUL)."""
    return raw[:MAX_RESPONSE_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")


def post(outgoing: Outgoing, timestamp: str, timeout: float) -> Answer:
    """Send one attempt; every way it can fail becomes an ``Answer``, never an exception."""
    request = urllib.request.Request(
        outgoing.url,
        data=outgoing.body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "servflow-webhooks",
            "X-Servflow-Event": outgoing.kind,
            "X-Servflow-Delivery": str(outgoing.delivery_id),
            "X-Servflow-Timestamp": timestamp,
            "X-Servflow-Signature": signature(outgoing.secret, timestamp, outgoing.body),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, _text(response.read(MAX_RESPONSE_BYTES)))
    except urllib.error.HTTPError as exc:
        with exc:
            body = _text(exc.read(MAX_RESPONSE_BYTES)) if exc.fp is not None else None
        return Answer(exc.code, body, f"HTTP {exc.code} {exc.reason}"[:MAX_ERROR])
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return Answer(error=f"{type(exc).__name__}: {reason}"[:MAX_ERROR])


def _body(delivery: WebhookDelivery) -> bytes:
    event = delivery.event
    envelope = {
        "id": event.id,
        "event": event.kind,
        "occurred_at": event.occurred_at.isoformat(),
        "locality": event.locality_code,
        "instance_id": event.instance_id,
        "task_id": event.human_task_id,
        "data": event.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class WebhookSender:
    """Sends due deliveries for one scheduler (``owner`` names its leases)."""

    def __init__(
        self, session_factory: sessionmaker, clock: Callable[[], datetime], owner: str, settings: WebhookSettings
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.owner = owner
        self.settings = settings

    def send_due(self) -> WebhookReport:
        """Send every delivery due now, a batch at a time, until none is left that is due."""
        report = WebhookReport()
        while ids := self.claim():
            for delivery_id in ids:
                self._attempt(delivery_id, report)
        return report

    def claim(self) -> list[int]:
        """Lease up to ``batch`` due deliveries of active subscriptions that nobody else holds."""
        now = self.clock()
        with UnitOfWork(self.session_factory, write=True) as uow:
            ids = list(
                uow.session.scalars(
                    select(WebhookDelivery.id)
                    .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                    .where(
                        WebhookDelivery.state == DELIVERY_PENDING,
                        WebhookDelivery.next_attempt_at <= now,
                        or_(WebhookDelivery.lease_expires_at.is_(None), WebhookDelivery.lease_expires_at < now),
                        WebhookSubscription.active.is_(True),
                    )
                    .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                    .limit(self.settings.batch)
                    .with_for_update(of=WebhookDelivery, skip_locked=True)
                )
            )
            if ids:
                uow.session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_(ids))
                    .values(lease_owner=self.owner, lease_expires_at=now + self.settings.lease)
                )
            uow.commit()
        return ids

    def _attempt(self, delivery_id: int, report: WebhookReport) -> None:
        outgoing = self._outgoing(delivery_id)
        if outgoing is None:
            return
        answer = post(outgoing, str(int(self.clock().timestamp())), self.settings.timeout)
        state = self._record(delivery_id, answer)
        if state == DELIVERY_DELIVERED:
            report.delivered += 1
        elif state is not None:
            report.failed += 1
            report.dead += state == DELIVERY_DEAD
            log.warning("webhook delivery %s failed (%s): %s", delivery_id, state, answer.error)

    def _outgoing(self, delivery_id: int) -> Outgoing | None:
        with UnitOfWork(self.session_factory) as uow:
            found = uow.session.execute(
                select(WebhookDelivery, WebhookSubscription)
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.lease_owner == self.owner)
                .options(joinedload(WebhookDelivery.event))
            ).first()
            if found is None:
                return None
            delivery, subscription = found
            return Outgoing(delivery.id, delivery.event.kind, subscription.url, subscription.secret, _body(delivery))

    def _record(self, delivery_id: int, answer: Answer) -> str | None:
        """Write the attempt's outcome if the delivery is still ours; its new state, or None."""
        at = self.clock()
        with UnitOfWork(self.session_factory, write=True) as uow:
            delivery = uow.session.scalars(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.lease_owner == self.owner,
                    WebhookDelivery.state == DELIVERY_PENDING,
                )
                .with_for_update()
            ).first()
            if delivery is None:  # its lease expired and another scheduler took it, or it was deleted
                return None
            delivery.attempts += 1
            delivery.last_attempt_at = at
            delivery.last_status, delivery.last_response, delivery.last_error = answer.status, answer.body, answer.error
            delivery.lease_owner = delivery.lease_expires_at = None
            if answer.ok:
                delivery.state, delivery.delivered_at = DELIVERY_DELIVERED, at
            elif delivery.attempts >= self.settings.max_attempts:
                delivery.state = DELIVERY_DEAD
            else:
                delivery.next_attempt_at = at + self.settings.backoff(delivery.attempts)
            state = delivery.state
            uow.commit()
        return state
