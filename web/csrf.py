"""CSRF protection for every state-changing request made with the session cookie.

Pages put ``csrf_token()`` in a hidden ``csrf_token`` field (or send it as ``X-CSRFToken`` from
JavaScript). Requests authenticated with an API token carry no cookie and are exempt.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, g, request, session

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _check() -> None:
        if request.method in SAFE_METHODS or g.get("api_token_user") or not app.config.get("CSRF_ENABLED", True):
            return
        if request.authorization and request.authorization.type == "bearer":
            return
        sent = request.headers.get("X-CSRFToken", "")
        if not sent and request.mimetype in FORM_TYPES:  # an upload's body is a file, never parsed as a form
            sent = request.form.get("csrf_token", "")
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(sent, expected):
            abort(400, description="CSRF token missing or invalid / 表单已过期，请刷新页面后重试")
