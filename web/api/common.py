"""What every /api/v1 blueprint shares: its construction, the caller, units of work, JSON errors.

Errors are always ``{code, message, errors: {field: [...]}}``. Request validation (webargs) becomes
422 with the offending fields, malformed JSON 400, a body over ``MAX_CONTENT_LENGTH`` 413. An unsafe
upload is 413 only when it is too large; entity declarations or a path that escapes the bundle are
422 — the content, not the size, is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Response, jsonify
from flask_smorest import Blueprint
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from engine.errors import PermissionDeniedError, ServflowError, UnsafeInputError
from engine.identity import access
from engine.identity.localities import get_locality
from engine.identity.users import Principal
from engine.store.unit_of_work import conflicts_reported

from ..auth import current_principal
from ..engine_ext import get_engine
from ..errors import error_body, status_for

T = TypeVar("T")
PREFIX = "/api/v1"
_SIZE_WORDS = ("bytes", "limit", "larger", "zip bomb", "files;")


def blueprint(name: str, path: str, description: str) -> Blueprint:
    """A smorest blueprint under /api/v1 whose errors all answer in the API's JSON shape."""
    blp = Blueprint(f"api_{name}", __name__, url_prefix=f"{PREFIX}{path}", description=description)
    blp.register_error_handler(HTTPException, http_error)
    blp.register_error_handler(ServflowError, servflow_error)
    return blp


def http_error(exc: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors") or {}
    errors: dict[str, Any] = {}
    if isinstance(messages, dict):
        for location, fields in messages.items():
            if isinstance(fields, dict):
                errors.update(fields)
            else:
                errors[location] = fields if isinstance(fields, list) else [str(fields)]
    code = exc.code or 500
    message = data.get("message") or exc.description or exc.name
    if code == 422 and errors:
        message = "invalid request: " + ", ".join(sorted(errors))
    elif code == 400 and "json" in errors:
        message = "malformed JSON body"
    body = {"code": exc.name.lower().replace(" ", "_"), "message": message, "errors": errors}
    return body, code, data.get("headers") or {}


def status_of(exc: ServflowError) -> int:
    if isinstance(exc, UnsafeInputError) and not any(word in exc.message for word in _SIZE_WORDS):
        return 422
    return status_for(exc)


def servflow_error(exc: ServflowError) -> tuple[dict[str, Any], int]:
    return error_body(exc), status_of(exc)


def me() -> Principal:
    """The caller (token or session); 401 when nobody is signed in."""
    return current_principal()


@contextmanager
def reading() -> Iterator[Session]:
    with get_engine().unit_of_work() as uow:
        yield uow.session


def writing(change: Callable[[Session], T]) -> T:
    """Run ``change`` in one write transaction; a concurrent change becomes a 409, never a 500."""
    with get_engine().unit_of_work(write=True) as uow:
        result = change(uow.session)
        with conflicts_reported():
            uow.commit()
        return result


def locality_code(session: Session, value: str) -> str:
    """A locality's code from its code or name; unknown ones are 404."""
    return get_locality(session, value).code


def allowed_localities(
    session: Session, principal: Principal, action: str, locality: str | None, *, refused: str, outside: str
) -> set[str] | None:
    """Where ``principal`` may do ``action`` (None: everywhere), narrowed to the ``locality`` asked for.

    403 with ``refused`` when nowhere, or with ``outside`` and the code when the asked-for locality is
    not among them; an unknown locality is 404.
    """
    allowed = access.localities_for(session, principal, action)
    if allowed is not None and not allowed:
        raise PermissionDeniedError(refused)
    if locality:
        code = locality_code(session, locality)
        if allowed is not None and code not in allowed:
            raise PermissionDeniedError(f"{outside} {code}")
        allowed = {code}
    return allowed


def json_response(body: Any, status: int = 200) -> Response:
    """An already serialized body, passed through smorest untouched."""
    response = jsonify(body)
    response.status_code = status
    return response


def page_of(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "per_page": per_page}
