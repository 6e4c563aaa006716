"""The per-address sign-in limit, as the login view uses it; the counting is the engine's, in the database.

The per-account lockout (``engine.identity.users.authenticate``) stops guessing one account's password; it does
not stop one address trying a few passwords on each of many accounts. After ``LOGIN_IP_MAX_ATTEMPTS`` failed
sign-ins within ``LOGIN_IP_WINDOW_SECONDS`` an address is refused (429) until the window moves on. The tries
are kept in the database (``engine.identity.sign_in_limit``), so every worker and app server shares the count.
"""

from __future__ import annotations

from flask import current_app, request

from engine.identity.sign_in_limit import SignInTry

from .engine_ext import get_engine

LOGIN_IP_MAX_ATTEMPTS = 20  # failed sign-ins per remote address and window (app config overrides both)
LOGIN_IP_WINDOW_SECONDS = 300


def begin_sign_in() -> SignInTry:
    """Count this request's sign-in try against its remote address; ``retry_after`` > 0 means refuse it."""
    config = current_app.config
    return get_engine().try_sign_in(
        request.remote_addr or "-",
        limit=int(config.get("LOGIN_IP_MAX_ATTEMPTS", LOGIN_IP_MAX_ATTEMPTS)),
        window=float(config.get("LOGIN_IP_WINDOW_SECONDS", LOGIN_IP_WINDOW_SECONDS)),
    )


def signed_in(attempt: SignInTry) -> None:
    """The password was right: the try does not count against the address."""
    get_engine().forget_sign_in(attempt.attempt_id)
