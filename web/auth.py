"""Sign-in with a name and password (local users or the LDAP directory, ``web.directory``), through an
OpenID provider (``web.oidc``), or with API tokens (``Authorization: Bearer``).

Every request loads the signed-in ``Principal`` into ``g.principal``; views ask for it with
``login_required`` and never trust a user id from the request. The session cookie carries only a random
session id that the database knows (``engine.identity.sessions``): signing out deletes it there, so a copy
of the cookie stops working at once. ``SESSION_COOKIE_SECURE`` (``SERVFLOW_SESSION_COOKIE_SECURE=true``)
marks the cookie ``Secure`` behind HTTPS.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for

from engine.identity import sessions, users

from . import directory, rate_limit
from .engine_ext import get_engine
from .i18n import t
from .oidc_config import OIDC_KEY, oidc_logout_url, oidc_providers
from .redirects import local_target

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = "sid"  # the session id in Flask's cookie; the database says whose it is and whether it still counts


def init_app(app: Flask) -> None:
    app.before_request(_load_principal)
    app.jinja_env.globals["current_principal"] = lambda: g.get("principal")


def _load_principal() -> None:
    g.principal = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        _load_token_principal(header[7:].strip())
        return
    session_id = session.get(SESSION_KEY)
    if session_id is None:
        return
    g.principal = get_engine().read_once(
        sessions.session_principal, str(session_id), datetime.now(UTC), current_app.permanent_session_lifetime
    )
    if g.principal is None:
        _forget_sign_in()


def _load_token_principal(value: str) -> None:
    """Sign in with a bearer token: one read, outside a transaction (``Engine.read_once``);
    ``last_used_at`` is written only when it is stale (see ``users.TOKEN_TOUCH_INTERVAL``), so API calls
    do not each pay a commit."""
    now = datetime.now(UTC)
    engine = get_engine()
    use = engine.read_once(users.find_token, value, now)
    if use is None:
        abort(401, description="invalid or revoked API token")
    if not use.is_active:
        abort(401, description=_stopped_account(use.source))
    g.principal = use.principal
    g.api_token_user = True
    if use.stale:
        engine.write(users.touch_token, use.token_id, now)


def _stopped_account(source: str | None) -> str:
    """Why a live token of an account that was stopped is refused, for the system that sent it."""
    if source is None:
        return "API 令牌所属账户已停用 / The API token's account is disabled"
    if source.startswith("oidc:"):
        return (
            f"身份认证服务（{source}）已不再允许此人登录（账户停用或授权撤销），其 API 令牌停用；"
            "经该服务重新登录后恢复 / "
            f"The identity provider ({source}) no longer lets this person in (account disabled or access "
            "withdrawn there): their API tokens are refused until they sign in through it again"
        )
    return (
        f"统一身份认证目录（{source}）已停用或删除此人，其 API 令牌停用 / "
        f"The directory ({source}) has disabled or removed this person: their API tokens are refused"
    )


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
        attempt = rate_limit.begin_sign_in()  # counted (in the database) before the password is checked
        if attempt.retry_after:
            wait = attempt.retry_after
            minutes = max(1, math.ceil(wait / 60))
            page, status = login_page(t("auth.too_many_attempts", minutes=minutes), 429)
            return page, status, {"Retry-After": str(math.ceil(wait))}
        username = request.form.get("username", "").strip()
        outcome = directory.sign_in_with_password(username, request.form.get("password", ""))
        if outcome.signed_in is not None:
            rate_limit.signed_in(attempt)
            start_session(outcome.signed_in)
            return redirect(local_target(request.args.get("next"), url_for("home.index")))
        assert outcome.refusal is not None
        error = outcome.detail or t(outcome.refusal.value)
    return login_page(error)


def login_page(error: str | None = None, status: int | None = None) -> Any:
    """The sign-in page: the password form (local accounts or the directory) and a button per OpenID provider."""
    page = render_template(
        "auth/login.html", error=error, password_form=directory.password_form(), providers=oidc_providers()
    )
    return page, status or (401 if error else 200)


def start_session(signed_in: sessions.SignedIn) -> None:
    """Put a new server-side session's id in the cookie (after emptying it: no fixation)."""
    _forget_sign_in()
    session[SESSION_KEY] = signed_in.session_id
    session["user_id"] = signed_in.user_id  # a hint only (the API's 401-before-CSRF check)


def _forget_sign_in() -> None:
    """Empty the cookie's session but keep the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.post("/logout")
def logout() -> Any:
    """End the servflow session; a person who came through an OpenID provider is signed out there too."""
    session_id = session.get(SESSION_KEY)
    if session_id is not None:
        get_engine().write(sessions.close_session, str(session_id))
    provider_logout = oidc_logout_url(session.get(OIDC_KEY))
    _forget_sign_in()
    return redirect(provider_logout or url_for("auth.login"))
