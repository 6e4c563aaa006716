"""Messages from other systems, delivered to the project waiting for them.

The procurement platform reports bids, the treasury reports a payment: each names the project by its
business key (项目编号) and the message by its BPMN name (``<bpmn:message name="bids_reported">``).
The project must be waiting for that message — at a message catch event, a receive task, an
event-based gateway, a message boundary event or the message start of an event sub-process — or the
message is refused with a clear conflict;
nothing is queued for later. Delivery is one command: the instance is locked, the message caught,
the workflow run to its next wait state, all in the caller's unit of work.

The payload lands in the catching task's data (and so in the project's data after it), or in the
``messageVariable`` the designer named on the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidDataError, NotFoundError
from ..spiff.messages import catch
from ..store.models import ProcessInstance
from . import instances


def find_instance(session: Session, business_key: str, localities: Iterable[str] | None) -> ProcessInstance:
    """The project with this business key among ``localities`` (``None``: anywhere).

    A business key is unique within a locality; when it exists in several the caller must say which.
    """
    query = select(ProcessInstance).where(ProcessInstance.business_key == business_key)
    if localities is not None:
        query = query.where(ProcessInstance.locality_code.in_(sorted(localities)))
    found = list(session.scalars(query.limit(2)))
    if not found:
        raise NotFoundError("no project with this business key that you may send messages to")
    if len(found) > 1:
        raise InvalidDataError(
            f"business key {business_key!r} exists in several localities; say which",
            errors={"locality": ["必填 / Required: the business key is not unique across your localities"]},
        )
    return found[0]


def correlate(
    session: Session,
    ctx: instances.Context,
    *,
    instance: ProcessInstance,
    message: str,
    payload: dict[str, Any],
    actor: str,
) -> ProcessInstance:
    """Deliver ``message`` with ``payload`` to ``instance`` and run it on (caller commits)."""
    return instances.deliver(
        session,
        ctx,
        instance_id=instance.id,
        change=lambda workflow: catch(workflow, message, payload),
        actor=actor,
        action="message_received",
        data={"message": message, "payload": payload},
    )
