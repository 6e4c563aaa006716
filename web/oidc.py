"""Signing in through an OpenID provider: the authorization code flow with PKCE (Authlib's client).

``/login/oidc/<name>`` sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE
verifier kept in the cookie's session; the callback checks the state, trades the code (with the verifier)
for tokens, checks the ID token (``web.oidc_tokens``) and only then touches the database: the person's
account is brought in line with the provider's claims and the mapping rules (``engine.identity.external``).
A refused token or an unreachable provider writes nothing and shows a message on the login page.

With the provider's ``_CHECK_ACCESS`` on (the default) the sign-in also asks for ``offline_access`` (and sends
``_PROMPT``, e.g. ``consent``, when one is set) and keeps the refresh token, sealed, for the scheduler's check
that the provider still lets the person in (``engine.identity.openid``, ``engine.jobs.openid_access``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from requests import RequestException

from engine.identity import openid
from engine.identity.external import DirectoryPerson

from . import auth, directory, oidc_config
from .engine_ext import get_engine
from .i18n import t
from .oidc_config import OIDC_KEY, Provider, ProviderUnavailable
from .oidc_tokens import IdTokenRefused, verified_claims
from .redirects import local_target

bp = Blueprint("oidc", __name__)
PENDING = "oidc_pending"


def _chosen(name: str) -> Provider:
    found = oidc_config.provider(name)
    if found is None:
        abort(404)
    return found


def _client(chosen: Provider) -> OAuth2Session:
    return OAuth2Session(
        chosen.client_id,
        chosen.client_secret,
        scope=chosen.sign_in_scope(),
        redirect_uri=url_for("oidc.callback", name=chosen.name, _external=True),
        code_challenge_method="S256",
    )


@bp.get("/login/oidc/<name>")
def start(name: str) -> Any:
    chosen = _chosen(name)
    try:
        endpoint = oidc_config.metadata(chosen)["authorization_endpoint"]
    except (ProviderUnavailable, KeyError) as error:
        return _unavailable(chosen, error)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    extra = {"prompt": chosen.prompt} if chosen.prompt else {}
    url, _ = _client(chosen).create_authorization_url(
        endpoint, state=state, nonce=nonce, code_verifier=verifier, **extra
    )
    session[PENDING] = {
        "provider": name,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": local_target(request.args.get("next"), url_for("home.index")),
    }
    return redirect(url)


@bp.get("/login/oidc/<name>/callback")
def callback(name: str) -> Any:
    chosen = _chosen(name)
    pending = session.pop(PENDING, None)
    if request.args.get("error"):
        return auth.login_page(t("auth.oidc_refused"))
    if (
        not isinstance(pending, dict)
        or pending.get("provider") != name
        or pending.get("state") != request.args.get("state")
    ):
        return auth.login_page(t("auth.oidc_expired"), 400)
    try:
        document = oidc_config.metadata(chosen)
        tokens = _client(chosen).fetch_token(
            document["token_endpoint"], code=request.args.get("code", ""), code_verifier=pending["verifier"]
        )
        jwks = openid.fetch_json(document["jwks_uri"])
    except (ProviderUnavailable, RequestException, KeyError) as error:
        return _unavailable(chosen, error)
    except OAuthError as error:
        current_app.logger.warning("OpenID provider %s refused the code: %s", name, error)
        return auth.login_page(t("auth.oidc_refused"))
    try:
        claims = verified_claims(
            str(tokens.get("id_token", "")),
            jwks,
            issuer=chosen.issuer,
            client_id=chosen.client_id,
            nonce=pending["nonce"],
        )
    except IdTokenRefused as error:
        current_app.logger.warning("ID token from %s refused: %s", name, error)
        return auth.login_page(t("auth.oidc_bad_token"))
    outcome = directory.directory_sign_in(_person(chosen, claims))
    if outcome.signed_in is None:
        assert outcome.refusal is not None
        return auth.login_page(outcome.detail or t(outcome.refusal.value))
    _keep_refresh_token(chosen, outcome.signed_in.user_id, tokens.get("refresh_token"))
    auth.start_session(outcome.signed_in)
    session[OIDC_KEY] = {"provider": name, "id_token": tokens["id_token"]}
    return redirect(pending["next"])


def _keep_refresh_token(chosen: Provider, user_id: int, refresh_token: object) -> None:
    """Keep the refresh token, sealed, for the scheduler's access check (replacing an earlier one)."""
    sealed = None
    if chosen.check_access:
        if isinstance(refresh_token, str) and refresh_token:
            sealed = openid.seal(current_app.config["SECRET_KEY"], refresh_token)
        else:
            current_app.logger.warning(
                "OpenID provider %s issued no refresh token (offline_access): this person's access is not re-checked",
                chosen.name,
            )
    get_engine().write(openid.keep_grant, user_id, chosen.name, sealed, datetime.now(UTC))


def _person(chosen: Provider, claims: dict[str, Any]) -> DirectoryPerson:
    """The person the claims describe; the username is the provider's name for them (or its ``sub``)."""
    groups = claims.get(chosen.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    username = str(claims.get(chosen.username_claim) or claims["sub"])
    return DirectoryPerson(
        chosen.source,
        username,
        str(claims.get("name") or username),
        claims.get("email") if isinstance(claims.get("email"), str) else None,
        frozenset(str(g) for g in groups if isinstance(g, str | int)),
    )


def _unavailable(chosen: Provider, error: Exception) -> Any:
    current_app.logger.warning("OpenID provider %s unavailable: %s", chosen.name, error)
    return auth.login_page(t("auth.oidc_unavailable", provider=chosen.label()), 503)
