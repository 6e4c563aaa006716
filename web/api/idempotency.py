"""``Idempotency-Key`` for commands a client may retry (start a project, complete a task).

The first request with a key reserves it, then the command keeps its answer under the key in the
command's own transaction (``engine.store.idempotency``), so the answer exists exactly when what it
reports was committed. A retry with the same key by the same user gets the stored status and body back
and runs nothing — also after the worker died between committing and answering. A refusal (4xx) is
kept as the answer too. The same key with a different request (other endpoint or body) is refused
with 422; a retry while the first is still running gets 409; a reservation whose request died before
committing anything expires after ``STALE_AFTER`` and may then be run again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, request

from engine.errors import InvalidDataError, ServflowError
from engine.store.idempotency import HEADER, Receipt, Replay

from ..engine_ext import get_engine
from ..errors import error_body, status_for
from .common import json_response

MAX_KEY = 200

HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "A client-chosen key; a retry with the same key replays the first answer instead of acting again.",
}

#: Runs the command, keeping its successful answer under the receipt (``None``: no key was sent).
Command = Callable[[Receipt | None], tuple[dict[str, Any], int]]


def run(endpoint: str, user_id: int, payload: Any, command: Command) -> Response:
    """Run ``command`` (which returns a JSON body and status) at most once per idempotency key."""
    key = request.headers.get(HEADER)
    if key is None:
        return json_response(*_outcome(command, None))
    if not key or len(key) > MAX_KEY or not all(33 <= ord(c) <= 126 for c in key):
        raise InvalidDataError(
            f"{HEADER} must be 1–{MAX_KEY} visible ASCII characters",
            errors={HEADER: [f"1–{MAX_KEY} visible ASCII characters"]},
        )
    engine = get_engine()
    found = engine.reserve_key(key, user_id, endpoint, fingerprint(endpoint, payload))
    if isinstance(found, Replay):
        response = json_response(found.body, found.status)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    try:
        body, status = _outcome(command, found)
    except BaseException:
        engine.release_key(found)
        raise
    if status >= 400:
        engine.settle_key(found, status, body)
    return json_response(body, status)


def fingerprint(endpoint: str, payload: Any) -> str:
    """What makes two keyed requests "the same request": the endpoint and the parsed body."""
    return hashlib.sha256(
        json.dumps([endpoint, payload], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _outcome(command: Command, receipt: Receipt | None) -> tuple[dict[str, Any], int]:
    """The command's answer; refusals (4xx) are answers too and are replayed like successes."""
    try:
        return command(receipt)
    except ServflowError as exc:
        status = status_for(exc)
        if status >= 500:
            raise
        return error_body(exc), status
