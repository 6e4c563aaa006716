"""Map servflow's errors to HTTP answers: JSON for API/JSON clients, a page for people."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import (
    CalendarError,
    ConflictError,
    DefinitionError,
    ExecutionError,
    InvalidDataError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    ServflowError,
    UnsafeInputError,
)

STATUS: dict[type[ServflowError], int] = {
    NotFoundError: 404,
    PermissionDeniedError: 403,
    ConflictError: 409,
    InvalidStateError: 409,
    InvalidDataError: 422,
    UnsafeInputError: 413,
    DefinitionError: 422,
    ExecutionError: 422,
    CalendarError: 422,
}


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


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    @app.errorhandler(ServflowError)
    def _servflow_error(exc: ServflowError) -> Any:
        status = status_for(exc)
        if wants_json():
            return error_body(exc), status
        return render_template("error.html", status=status, message=exc.message), status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if wants_json():
            return {"code": exc.name.lower().replace(" ", "_"), "message": exc.description, "errors": {}}, exc.code
        return render_template("error.html", status=exc.code, message=exc.description), exc.code
