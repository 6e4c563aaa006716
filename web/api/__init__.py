"""The /api/v1 HTTP API: flask-smorest blueprints, one per resource, described by OpenAPI.

The document is at ``/api/v1/openapi.json``; ``/api/v1/docs`` shows it with Swagger UI from the
bundled frontend build (``static/dist/swagger-ui/``, never a CDN). Clients authenticate with
``Authorization: Bearer <token>`` (see ``/api/v1/tokens``) or a signed-in session (+ ``X-CSRFToken``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, render_template, request, session
from flask_smorest import Api

from .common import PREFIX
from .schemas import ErrorSchema

DESCRIPTION = """servflow's HTTP API for other systems (budget systems, the procurement platform, the treasury).

Authenticate with `Authorization: Bearer <token>`; create tokens at `POST /api/v1/tokens` (signed in).
Every error is `{code, message, errors: {field: [messages]}}`: 400 malformed JSON, 401 not signed in,
403 not allowed, 404 unknown or not visible, 409 conflict, 413 too large, 422 invalid data.
`POST /instances` and `POST /tasks/{id}/complete` accept an `Idempotency-Key` header."""


class ServflowApi(Api):
    """smorest's Api with servflow's error shape; errors are handled per API blueprint (see common)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Leave the app's page error handlers alone; API blueprints register their own."""


docs = Blueprint("api_docs", __name__, template_folder="templates", static_folder="static", url_prefix=PREFIX)


@docs.get("/docs")
def docs_page() -> Any:
    return render_template("api/docs.html")


def _refuse_anonymous_writes() -> None:
    """An API write with neither token nor session is 401, not the CSRF check's 400 (which runs first)."""
    if (
        request.path.startswith(PREFIX + "/")
        and request.method not in ("GET", "HEAD", "OPTIONS")
        and not request.headers.get("Authorization")
        and "user_id" not in session
    ):
        abort(401, description="sign in or send an API token")


def init_app(app: Flask) -> None:
    """Attach the API to the app."""
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_anonymous_writes)
    from . import (
        audit,
        catalogue,
        dashboard,
        documents,
        external_tasks,
        incidents,
        instances,
        messages,
        migrations,
        organizations,
        providers,
        tasks,
        tokens,
        versions,
        webhooks,
    )

    app.config.setdefault("API_TITLE", "servflow")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    api = ServflowApi(app)
    modules = (versions, instances, tasks, documents, messages, dashboard, audit, tokens, organizations, providers)
    for module in (*modules, catalogue, webhooks, external_tasks, incidents, migrations):
        api.register_blueprint(module.bp)
    api.register_blueprint(providers.bans)
    app.register_blueprint(docs)
