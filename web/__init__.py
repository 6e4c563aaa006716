"""The Flask app: pages for reviewers, designers and managers, and the HTTP API.

``create_app`` layers configuration — defaults, then ``SERVFLOW_*`` environment variables, then the
test's mapping — so tests, ``make run`` and Docker run the same code with different inputs. The engine
is attached in ``engine_ext.init_app``; importing this package opens no connection.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from . import (
    api,
    auth,
    csrf,
    directory,
    engine_ext,
    errors,
    i18n,
    json_depth,
    metrics,
    oidc_config,
    request_log,
    security_headers,
)
from .blueprints import BLUEPRINTS
from .labels import locality_label, nav_links, role_label, stage_label


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.urandom(32).hex(),
        DATABASE_URL=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,  # `make run` is plain http; behind HTTPS: SERVFLOW_SESSION_COOKIE_SECURE=true
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        SMTP_HOST=None,
        SMTP_PORT=25,
        SMTP_SENDER="servflow@localhost",
        SCHEDULER_ENABLED=False,
        LOGIN_MAX_ATTEMPTS=5,
        LOGIN_LOCK_SECONDS=300,
    )
    app.config.from_prefixed_env("SERVFLOW")
    if test_config:
        app.config.from_mapping(test_config)
    app.config["SESSION_COOKIE_SECURE"] = _flag(app.config["SESSION_COOKIE_SECURE"])
    engine_ext.init_app(app)
    i18n.init_app(app)
    json_depth.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    directory.init_app(app)
    oidc_config.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    for blueprint in BLUEPRINTS():
        app.register_blueprint(blueprint)
    api.init_app(app)
    metrics.init_app(app)
    request_log.init_app(app)  # last: its hooks run first, so every request has its id and is logged
    app.jinja_env.globals.update(
        nav_links=nav_links, role_label=role_label, locality_label=locality_label, stage_label=stage_label
    )
    return app


def _flag(value: Any) -> bool:
    """A yes/no setting as the environment spells it: ``true``/``1``/``yes``/``on`` (any case) are yes."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
