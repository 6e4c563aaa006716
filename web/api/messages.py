"""Messages from other systems (the procurement platform, the treasury) to a waiting project.

The sender names the project by business key (and locality when the key exists in several of
theirs) and the message by its BPMN name; the project must be waiting for it, else 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.commands import messages
from engine.errors import NotFoundError
from engine.store.models import ProcessInstance

from ..engine_ext import get_engine
from .common import allowed_localities, blueprint, json_response, me, reading, writing
from .instances import detail
from .schemas import InstanceDetailSchema, MessageSchema

bp = blueprint("messages", "/messages", "Deliver a message to the project waiting for it, by business key.")


@bp.route("", methods=["POST"])
@bp.arguments(MessageSchema)
@bp.response(200, InstanceDetailSchema)
@bp.alt_response(409, description="the project is not waiting for this message, or is not running")
def correlate(args: dict[str, Any]) -> Response:
    """Correlate a message to the project with this business key (agents, finance, purchasers of its locality)."""
    principal = me()
    with reading() as session:
        allowed = allowed_localities(
            session,
            principal,
            "message.correlate",
            args.get("locality"),
            refused="you may not send messages to projects",
            outside="you may not send messages to projects of locality",
        )
        try:
            instance = messages.find_instance(session, args["business_key"], allowed)
        except NotFoundError:
            raise NotFoundError("no project with this business key that you may send messages to") from None
    engine = get_engine()
    writing(
        lambda session: messages.correlate(
            session,
            engine.ctx,
            instance=instance,
            message=args["message"],
            payload=args["payload"],
            actor=principal.username,
        )
    )
    with reading() as session:
        return json_response(detail(session, session.get(ProcessInstance, instance.id), with_history=False))
