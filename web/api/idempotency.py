"""``Idempotency-Key`` for commands a client may retry (start a project, complete a task).

The first request with a key reserves it (a row committed before the command runs, so two concurrent
retries cannot both run it), then stores the answer — success or a 4xx refusal — in that row. A retry
with the same key by the same user gets the stored status and body back and runs nothing. The same
key with a different request (other endpoint or body) is refused with 422; a retry while the first
is still running gets 409. A reservation left by a crashed request expires after ``STALE_AFTER``; even
then the command itself refuses to run twice (a business key is unique, a completed task stays
completed), so a retry never creates a second project nor completes twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, request
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from engine.errors import ConflictError, InvalidDataError, ServflowError
from engine.store.models import IdempotencyRecord

from ..engine_ext import get_engine
from ..errors import error_body
from .common import json_response, status_of

HEADER = "Idempotency-Key"
PENDING = 0
STALE_AFTER = timedelta(minutes=5)
MAX_KEY = 200

HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "A client-chosen key; a retry with the same key replays the first answer instead of acting again.",
}


def run(endpoint: str, user_id: int, payload: Any, command: Callable[[], tuple[dict[str, Any], int]]) -> Response:
    """Run ``command`` (which returns a JSON body and status) at most once per idempotency key."""
    key = request.headers.get(HEADER)
    if key is None:
        return json_response(*_outcome(command))
    if not key or len(key) > MAX_KEY or not all(33 <= ord(c) <= 126 for c in key):
        raise InvalidDataError(
            f"{HEADER} must be 1–{MAX_KEY} visible ASCII characters",
            errors={HEADER: [f"1–{MAX_KEY} visible ASCII characters"]},
        )
    fingerprint = hashlib.sha256(
        json.dumps([endpoint, payload], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    replay = _reserve(key, user_id, endpoint, fingerprint)
    if replay is not None:
        return replay
    try:
        body, status = _outcome(command)
    except BaseException:
        _release(key, user_id)
        raise
    _store(key, user_id, status, body, fingerprint)
    return json_response(body, status)


def _outcome(command: Callable[[], tuple[dict[str, Any], int]]) -> tuple[dict[str, Any], int]:
    """The command's answer; refusals (4xx) are answers too and are replayed like successes."""
    try:
        return command()
    except ServflowError as exc:
        status = status_of(exc)
        if status >= 500:
            raise
        return error_body(exc), status


def _reserve(key: str, user_id: int, endpoint: str, fingerprint: str) -> Response | None:
    """Claim the key, or return the stored answer to replay; refuses reuse for another request."""
    now = datetime.now(UTC)
    with get_engine().unit_of_work(write=True) as uow:
        record = uow.session.get(IdempotencyRecord, (key, user_id))
        if record is not None:
            stored = record.response or {}
            if record.endpoint != endpoint or stored.get("fingerprint") != fingerprint:
                raise InvalidDataError(
                    f"{HEADER} {key!r} was already used for a different request; use a new key",
                    errors={HEADER: ["already used for a different request"]},
                )
            if record.status != PENDING:
                response = json_response(stored.get("body") or {}, record.status)
                response.headers["Idempotent-Replayed"] = "true"
                return response
            if record.created_at > now - STALE_AFTER:
                raise ConflictError(f"a request with {HEADER} {key!r} is still being processed; retry shortly")
            uow.session.delete(record)
            uow.session.flush()
        uow.session.add(
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
            uow.commit()
        except IntegrityError:
            raise ConflictError(f"a request with {HEADER} {key!r} is still being processed; retry shortly") from None
    return None


def _store(key: str, user_id: int, status: int, body: dict[str, Any], fingerprint: str) -> None:
    with get_engine().unit_of_work(write=True) as uow:
        record = uow.session.get(IdempotencyRecord, (key, user_id))
        if record is not None:
            record.status = status
            record.response = {"fingerprint": fingerprint, "body": body}
            uow.commit()


def _release(key: str, user_id: int) -> None:
    with get_engine().unit_of_work(write=True) as uow:
        uow.session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.key == key, IdempotencyRecord.user_id == user_id)
        )
        uow.commit()
