"""Answers kept for a client's keyed requests (``Idempotency-Key``), so a retry replays instead of acting.

A key is *reserved* in its own small transaction before the command runs (two concurrent retries cannot
both run it). A command that succeeds writes its answer into the reservation **in its own transaction**
(``keep``), so the answer exists exactly when what it reports was committed: a retry after the worker
died mid-request finds the answer if the command was kept, and a stale reservation (nothing kept) if
not, which it may take over and run again. Refusals (4xx) are answers too and are settled afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import ConflictError, InvalidDataError
from .models import IdempotencyRecord

PENDING = 0
#: How long a reservation whose request is presumed dead blocks a retry.
STALE_AFTER = timedelta(minutes=5)
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Receipt:
    """A reserved key: what the command's transaction writes its answer under."""

    key: str
    user_id: int
    fingerprint: str


@dataclass(frozen=True)
class Replay:
    """The answer given the first time, to send again."""

    status: int
    body: dict[str, Any]


def reserve(
    session: Session, key: str, user_id: int, endpoint: str, fingerprint: str, now: datetime
) -> Receipt | Replay:
    """Reserve ``key`` for this request, or the stored answer to replay (the caller commits).

    The same key for a different request is refused; one still being worked on is a conflict.
    """
    record = session.get(IdempotencyRecord, (key, user_id))
    if record is not None:
        stored = record.response or {}
        if record.endpoint != endpoint or stored.get("fingerprint") != fingerprint:
            raise InvalidDataError(
                f"{HEADER} {key!r} was already used for a different request; use a new key",
                errors={HEADER: ["already used for a different request"]},
            )
        if record.status != PENDING:
            return Replay(record.status, stored.get("body") or {})
        if record.created_at > now - STALE_AFTER:
            raise _busy(key)
        session.delete(record)
        session.flush()
    session.add(
        IdempotencyRecord(
            key=key,
            user_id=user_id,
            endpoint=endpoint,
            status=PENDING,
            response={"fingerprint": fingerprint},
            created_at=now,
        )
    )
    try:
        session.flush()
    except IntegrityError:
        raise _busy(key) from None
    return Receipt(key, user_id, fingerprint)


def keep(session: Session, receipt: Receipt, status: int, body: dict[str, Any]) -> None:
    """Write the answer under the reservation, in the caller's transaction."""
    record = session.get(IdempotencyRecord, (receipt.key, receipt.user_id))
    if record is not None:
        record.status = status
        record.response = {"fingerprint": receipt.fingerprint, "body": body}


def release(session: Session, receipt: Receipt) -> None:
    """Drop a reservation whose command failed without an answer worth replaying (a 5xx, a crash)."""
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.key == receipt.key,
            IdempotencyRecord.user_id == receipt.user_id,
            IdempotencyRecord.status == PENDING,
        )
    )


def _busy(key: str) -> ConflictError:
    return ConflictError(f"a request with {HEADER} {key!r} is still being processed; retry shortly")
