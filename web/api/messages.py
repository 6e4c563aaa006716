"""Messages from other systems (the procurement platform, the treasury) to a waiting project.

The sender names the project by business key (and locality when the key exists in several of
theirs) and the message by its BPMN name; the project must be waiting for it, else 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from ..engine_ext import get_engine
from .common import blueprint, json_response, me
from .instances import detail_of
from .schemas import InstanceDetailSchema, MessageSchema

bp = blueprint("messages", "/messages", "Deliver a message to the project waiting for it, by business key.")


@bp.route("", methods=["POST"])
@bp.arguments(MessageSchema)
@bp.response(200, InstanceDetailSchema)
@bp.alt_response(409, description="the project is not waiting for this message, or is not running")
def correlate(args: dict[str, Any]) -> Response:
    """Correlate a message to the project with this business key (agents, finance, purchasers of its locality)."""
    principal = me()
    instance = get_engine().correlate(
        args["business_key"], args["message"], args["payload"], actor=principal, locality=args.get("locality")
    )
    return json_response(detail_of(None, instance.id, with_history=False))
