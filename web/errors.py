"""Map servflow's errors to HTTP answers: JSON for API/JSON clients, a page for people."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from engine.errors import (
    CalendarError,
    ConflictError,
    DefinitionError,
    ExecutionError,
    FileKindError,
    FileTooLargeError,
    InputTooLargeError,
    InvalidDataError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    ServflowError,
    UnsafeInputError,
)
from engine.store.db import DATABASE_UNAVAILABLE

from .i18n import t

STATUS: dict[type[ServflowError], int] = {
    NotFoundError: 404,
    PermissionDeniedError: 403,
    ConflictError: 409,
    InvalidStateError: 409,
    FileTooLargeError: 413,
    FileKindError: 415,
    InvalidDataError: 422,
    InputTooLargeError: 413,
    UnsafeInputError: 422,
    DefinitionError: 422,
    ExecutionError: 422,
    CalendarError: 422,
}


RETRY_AFTER_SECONDS = 5


def status_for(exc: ServflowError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(exc: ServflowError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message, "errors": {}}
    if isinstance(exc, InvalidDataError):
        body["errors"] = exc.errors
    details = {k: v for k, v in exc.details.items() if k != "errors"}
    if details:
        body["details"] = details
    return body


def allow_header(exc: HTTPException) -> dict[str, str]:
    """A 405's ``Allow`` header (the methods the URL does take), as werkzeug's own answer carries it."""
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        return {"Allow": ", ".join(exc.valid_methods)}
    return {}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    @app.errorhandler(ServflowError)
    def _servflow_error(exc: ServflowError) -> Any:
        status = status_for(exc)
        if wants_json():
            return error_body(exc), status
        return render_template("error.html", status=status, message=exc.message), status

    def _database_unavailable(exc: Exception) -> Any:
        """The database is down, restarting or refusing connections: a 503 saying when to retry, not a
        crash page. The pool drops the broken connections, so the service recovers by itself."""
        current_app.logger.warning("database unavailable: %s", exc)
        message, headers = t("error.database_unavailable"), {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if wants_json():
            return {"code": "database_unavailable", "message": message, "errors": {}}, 503, headers
        return render_template("error.html", status=503, message=message), 503, headers

    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, _database_unavailable)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        headers = allow_header(exc)
        if wants_json():
            body = {"code": exc.name.lower().replace(" ", "_"), "message": exc.description, "errors": {}}
            return body, exc.code, headers
        return render_template("error.html", status=exc.code, message=exc.description), exc.code, headers
