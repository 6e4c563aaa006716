"""What every /api/v1 blueprint shares: its construction, the caller, units of work, JSON errors.

Errors are always ``{code, message, errors: {field: [...]}}``. Request validation (webargs) becomes
422 with the offending fields, malformed JSON 400, a body over ``MAX_CONTENT_LENGTH`` 413. Statuses
come from error types (``web.errors.STATUS``): an upload refused for its size (``InputTooLargeError``)
is 413, entity declarations or a path that escapes the bundle (other ``UnsafeInputError``s) 422.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Response, jsonify
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from engine.errors import ServflowError
from engine.identity.users import Principal

from ..auth import current_principal
from ..errors import error_body, status_for

T = TypeVar("T")
PREFIX = "/api/v1"


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


def servflow_error(exc: ServflowError) -> tuple[dict[str, Any], int]:
    return error_body(exc), status_for(exc)


def me() -> Principal:
    """The caller (token or session); 401 when nobody is signed in."""
    return current_principal()


def json_response(body: Any, status: int = 200) -> Response:
    """An already serialized body, passed through smorest untouched."""
    response = jsonify(body)
    response.status_code = status
    return response


def page_of(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "per_page": per_page}
