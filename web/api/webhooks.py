"""Webhook subscriptions of each locality and their delivery log (outbound events).

A locality's managers (also those of the places above it) and administrators subscribe other systems'
addresses to its events, read what was delivered and send a delivery again. The rules — which addresses,
kinds and secrets are taken, who may — are the engine's (``engine.commands.webhooks``), the same as the
page's; how deliveries are signed is described in ``engine.jobs.webhooks`` and the README.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate

from engine.commands import webhooks
from engine.queries import webhooks as webhook_log
from engine.store.events import KINDS
from engine.store.models import (
    DELIVERY_DEAD,
    DELIVERY_DELIVERED,
    DELIVERY_PENDING,
    WebhookDelivery,
    WebhookSubscription,
)

from ..engine_ext import get_engine
from .common import blueprint, json_response, me, page_of
from .schemas import MAX_ID, PageQuery, PageSchema, Text

bp = blueprint(
    "webhooks",
    "/webhooks",
    "Webhook subscriptions of each locality: signed POSTs of its events, retried, with a delivery log.",
)
SUBSCRIPTION_URL = f"/<int(max={MAX_ID}):subscription_id>"
DELIVERY_URL = f"/deliveries/<int(max={MAX_ID}):delivery_id>"
STATES = (DELIVERY_PENDING, DELIVERY_DELIVERED, DELIVERY_DEAD)


class SubscriptionQuery(Schema):
    locality = Text(validate=validate.Length(max=40), metadata={"description": "code or name; default: all yours"})


class SubscriptionSchema(Schema):
    id = fields.Integer(dump_only=True)
    locality = Text(required=True, attribute="locality_code", validate=validate.Length(min=1, max=40))
    url = Text(required=True, metadata={"description": "an http:// or https:// address", "format": "uri"})
    events = fields.List(
        Text(metadata={"enum": list(KINDS)}), required=True, metadata={"description": "the event kinds to send"}
    )
    secret = Text(
        load_only=True,
        metadata={"description": f"{webhooks.MIN_SECRET}–{webhooks.MAX_SECRET} characters; made when not given"},
    )
    description = Text(load_default="")
    active = fields.Boolean(load_default=True)
    created_by = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_by = fields.String(dump_only=True, allow_none=True)
    updated_at = fields.DateTime(dump_only=True, allow_none=True)


class SubscriptionChangeSchema(SubscriptionSchema):
    """The fields to change (the rest stay); a subscription's locality never changes."""

    class Meta:
        exclude = ("locality",)


class SubscribedSchema(SubscriptionSchema):
    secret = fields.String(dump_only=True, metadata={"description": "signs every delivery; shown only now"})


class DeliveryQuery(PageQuery):
    locality = Text(validate=validate.Length(max=40))
    subscription = fields.Integer(validate=validate.Range(1, MAX_ID))
    state = Text(validate=validate.OneOf(STATES))


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    subscription_id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    event = fields.String(required=True, attribute="event.kind", metadata={"enum": list(KINDS)})
    locality = fields.String(required=True, attribute="event.locality_code")
    instance_id = fields.Integer(allow_none=True, attribute="event.instance_id")
    task_id = fields.Integer(allow_none=True, attribute="event.human_task_id")
    occurred_at = fields.DateTime(required=True, attribute="event.occurred_at")
    data = fields.Dict(attribute="event.payload", metadata={"description": "the event's data as sent"})
    state = fields.String(required=True, metadata={"enum": list(STATES)})
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(required=True)
    last_attempt_at = fields.DateTime(allow_none=True)
    last_status = fields.Integer(allow_none=True, metadata={"description": "the receiver's last HTTP status"})
    last_response = fields.String(allow_none=True, metadata={"description": "the first 2 kB of its last answer"})
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    resent_by = fields.String(allow_none=True)
    resent_at = fields.DateTime(allow_none=True)


class DeliveryPageSchema(PageSchema):
    items = fields.List(fields.Nested(DeliverySchema), required=True)


@bp.route("", methods=["GET"])
@bp.arguments(SubscriptionQuery, location="query")
@bp.response(200, SubscriptionSchema(many=True))
def list_subscriptions(args: dict[str, Any]) -> list[WebhookSubscription]:
    """The subscriptions of a locality, or of every locality the caller keeps (never their secrets)."""
    return get_engine().read(webhook_log.subscriptions, me(), args.get("locality"))


@bp.route("", methods=["POST"])
@bp.arguments(SubscriptionSchema)
@bp.response(201, SubscribedSchema)
def subscribe(args: dict[str, Any]) -> WebhookSubscription:
    """Subscribe an address to events of a locality and the places below it; keep the secret it answers."""
    engine = get_engine()
    locality = args.pop("locality_code")
    return engine.write(webhooks.subscribe, me(), locality=locality, now=engine.clock(), **args)


@bp.route(SUBSCRIPTION_URL, methods=["GET"])
@bp.response(200, SubscriptionSchema)
def read_subscription(subscription_id: int) -> WebhookSubscription:
    return get_engine().read(webhooks.managed, me(), subscription_id)


@bp.route(SUBSCRIPTION_URL, methods=["PATCH"])
@bp.arguments(SubscriptionChangeSchema(partial=True))
@bp.response(200, SubscriptionSchema)
def change_subscription(args: dict[str, Any], subscription_id: int) -> WebhookSubscription:
    """Change the fields given: the address, the kinds, the secret, the description, whether it is active
    (an inactive subscription's deliveries wait until it is active again)."""
    engine = get_engine()
    return engine.write(webhooks.change, me(), subscription_id, args, now=engine.clock())


@bp.route(SUBSCRIPTION_URL, methods=["DELETE"])
@bp.response(204)
def remove_subscription(subscription_id: int) -> None:
    """Delete a subscription and its delivery log."""
    engine = get_engine()
    engine.write(webhooks.remove, me(), subscription_id, now=engine.clock())


@bp.route("/deliveries", methods=["GET"])
@bp.arguments(DeliveryQuery, location="query")
@bp.response(200, DeliveryPageSchema)
def list_deliveries(args: dict[str, Any]) -> Response:
    """Deliveries of the caller's subscriptions, newest first: by locality, subscription and state."""
    found = get_engine().read(
        webhook_log.deliveries,
        me(),
        locality=args.get("locality"),
        subscription_id=args.get("subscription"),
        state=args.get("state"),
        page=args["page"],
        per_page=args["per_page"],
    )
    items = DeliverySchema(many=True).dump(found.rows)
    return json_response(page_of(items, found.total, found.page, found.per_page))


@bp.route(DELIVERY_URL, methods=["GET"])
@bp.response(200, DeliverySchema)
def read_delivery(delivery_id: int) -> WebhookDelivery:
    return get_engine().read(webhook_log.delivery, me(), delivery_id)


@bp.route(f"{DELIVERY_URL}/resend", methods=["POST"])
@bp.response(200, DeliverySchema)
@bp.alt_response(409, description="the delivery is already waiting to be sent")
def resend(delivery_id: int) -> WebhookDelivery:
    """Send a delivered or dead-lettered delivery again, from now, with a fresh count of attempts."""
    engine = get_engine()
    principal = me()
    engine.write(webhooks.resend, principal, delivery_id, now=engine.clock())
    return engine.read(webhook_log.delivery, principal, delivery_id)
