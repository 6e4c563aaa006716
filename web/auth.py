"""Sign-in with local users (session cookie) or API tokens (``Authorization: Bearer``).

Every request loads the signed-in ``Principal`` into ``g.principal``; views ask for it with
``login_required`` and never trust a user id from the request.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for

from engine.identity import users

from .engine_ext import get_engine
from .i18n import t
from .rate_limit import SlidingWindowLimiter
from .redirects import local_target

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
LOGIN_IP_MAX_ATTEMPTS = 20  # failed sign-ins per remote address and window (app config overrides both)
LOGIN_IP_WINDOW_SECONDS = 300


def init_app(app: Flask) -> None:
    app.extensions["login_limiter"] = SlidingWindowLimiter()
    app.before_request(_load_principal)
    app.jinja_env.globals["current_principal"] = lambda: g.get("principal")


def _load_principal() -> None:
    g.principal = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        _load_token_principal(header[7:].strip())
        return
    user_id = session.get("user_id")
    if user_id is None:
        return
    with get_engine().unit_of_work() as uow:
        from engine.store.models import User

        user = uow.session.get(User, user_id)
        if user is None or not user.is_active:
            session.clear()
            return
        g.principal = users.principal(uow.session, user)


def _load_token_principal(value: str) -> None:
    """Sign in with a bearer token: one read, outside a transaction (``Engine.single_read``);
    ``last_used_at`` is written only when it is stale (see ``users.TOKEN_TOUCH_INTERVAL``), so API calls
    do not each pay a commit."""
    now = datetime.now(UTC)
    engine = get_engine()
    with engine.single_read() as uow:
        use = users.find_token(uow.session, value, now)
    if use is None or not use.is_active:
        abort(401, description="invalid or revoked API token")
    g.principal = use.principal
    g.api_token_user = True
    if use.stale:
        with engine.unit_of_work(write=True) as uow:
            users.touch_token(uow.session, use.token_id, now)
            uow.commit()


def current_principal() -> users.Principal:
    principal = g.get("principal")
    if principal is None:
        abort(401)
    return principal


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("principal") is None:
            if request.path.startswith("/api/"):
                abort(401, description="sign in or send an API token")
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        wait = _address_wait()
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            page = render_template("auth/login.html", error=t("auth.too_many_attempts", minutes=minutes))
            return page, 429, {"Retry-After": str(math.ceil(wait))}
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        with get_engine().unit_of_work(write=True) as uow:
            user = users.authenticate(
                uow.session,
                username,
                password,
                datetime.now(UTC),
                max_attempts=current_app.config["LOGIN_MAX_ATTEMPTS"],
                lock_seconds=current_app.config["LOGIN_LOCK_SECONDS"],
            )
            uow.commit()
        if user is not None:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            session["user_id"] = user.id
            return redirect(local_target(request.args.get("next"), url_for("home.index")))
        _address_failed()
        error = t("auth.invalid")
    return render_template("auth/login.html", error=error), (401 if error else 200)


def _ip_limits() -> tuple[int, float]:
    config = current_app.config
    return (
        int(config.get("LOGIN_IP_MAX_ATTEMPTS", LOGIN_IP_MAX_ATTEMPTS)),
        float(config.get("LOGIN_IP_WINDOW_SECONDS", LOGIN_IP_WINDOW_SECONDS)),
    )


def _address_wait() -> float:
    """Seconds this remote address must wait before signing in again (0: go ahead)."""
    limit, window = _ip_limits()
    return current_app.extensions["login_limiter"].retry_after(request.remote_addr or "-", limit, window)


def _address_failed() -> None:
    current_app.extensions["login_limiter"].record(request.remote_addr or "-", _ip_limits()[1])


@bp.post("/logout")
def logout() -> Any:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))

