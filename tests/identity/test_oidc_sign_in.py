"""OpenID Connect sign-in against a real provider (node's oidc-provider over HTTP), driven as a browser would."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from identity.oidc_server import OpenIdProvider
from identity.slapd_server import free_port
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine.demo.seed import seed_calendars, seed_users
from engine.identity import users
from engine.identity.organizations import organizations_of
from engine.service import Engine
from engine.store.models import User, WebSession
from web import create_app
from web.oidc_tokens import IdTokenRefused, verified_claims

APP = "http://localhost"


def _app(database_url: str, rules_file: Path, settings: dict[str, str]) -> Flask:
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test", "IDENTITY_RULES": str(rules_file)}
    return create_app(config | settings)


@pytest.fixture
def app(engine: Engine, database_url: str, provider: OpenIdProvider, rules_file: Path) -> Iterator[Flask]:
    seed_calendars(engine)
    seed_users(engine)
    client = provider.register(f"{APP}/login/oidc/gov/callback", f"{APP}/login")
    application = _app(database_url, rules_file, provider.app_settings(client))
    yield application
    application.extensions["servflow_engine"].dispose()


class ProviderBrowser:
    """The provider's side of a browser: its cookies, following its redirects and filling its own pages."""

    def __init__(self) -> None:
        self.http = requests.Session()

    def visit(self, url: str, app: FlaskClient, person: str) -> TestResponse:
        """Follow ``url`` through the provider's login and consent pages until it sends the browser back
        to the app, and return the app's answer there."""
        response = self.http.get(url, allow_redirects=False, timeout=5)
        for _ in range(20):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if target.startswith(APP):
                    parts = urlsplit(target)
                    return app.get(parts.path + ("?" + parts.query if parts.query else ""))
                response = self.http.get(target, allow_redirects=False, timeout=5)
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert form is not None, re.sub(r"(?s)<style>.*</style>", "", response.text)
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
            if fields.get("prompt") == "login":  # the provider's own sign-in page
                fields |= {"login": person, "password": "anything"}
            if "xsrf" in fields:  # its "sign out?" page
                fields["logout"] = "yes"
            response = self.http.post(urljoin(response.url, form.group(1)), data=fields, allow_redirects=False)
        raise AssertionError("the provider never sent the browser back")


def _sign_in(app: FlaskClient, person: str, browser: ProviderBrowser | None = None) -> TestResponse:
    start = app.get("/login/oidc/gov")
    assert start.status_code == 302, start.get_data(as_text=True)[:500]
    return (browser or ProviderBrowser()).visit(start.headers["Location"], app, person)


def _organizations(engine: Engine, username: str) -> list[str]:
    return [o.name for o in engine.read_once(lambda s: organizations_of(s, users.get_user(s, username)))]


def _count(engine: Engine, model: type) -> int:
    return engine.read_once(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_the_login_page_offers_the_provider_in_both_languages(app: Flask) -> None:
    client = app.test_client()
    assert "使用政务统一身份认证登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en")
    assert "Sign in with Government single sign-on" in client.get("/login").get_data(as_text=True)


def test_sign_in_maps_claims_and_logout_ends_the_provider_session(app: Flask, engine: Engine) -> None:
    client, browser = app.test_client(), ProviderBrowser()
    landed = _sign_in(client, "chenjing", browser)
    assert landed.status_code == 302 and "/login" not in landed.headers["Location"]
    assert _organizations(engine, "chenjing") == ["乌鲁木齐市民政局"]
    assert "陈静" in client.get("/").get_data(as_text=True)

    out = client.post("/logout", data={"csrf_token": _csrf(client)})
    end_session = out.headers["Location"]
    assert end_session.startswith(app.config["OIDC_GOV_ISSUER"] + "/session/end?")
    assert client.get("/").status_code == 302  # signed out of servflow at once
    back = browser.visit(end_session, client, "chenjing")  # the provider's "sign out?" page, confirmed
    assert back.status_code == 200 and 'name="username"' in back.get_data(as_text=True)
    # The provider's session is over too: the next sign-in asks for the login again.
    again = browser.http.get(client.get("/login/oidc/gov").headers["Location"], timeout=5)
    assert 'name="login"' in again.text


def test_a_claim_change_at_the_provider_applies_at_next_sign_in(
    app: Flask, engine: Engine, provider: OpenIdProvider
) -> None:
    assert _sign_in(app.test_client(), "chenjing").status_code == 302
    provider.set_groups("chenjing", ["chengguan-purchasers"])
    assert _sign_in(app.test_client(), "chenjing").status_code == 302
    assert _organizations(engine, "chenjing") == ["乌鲁木齐市城市管理委员会"]


def test_a_wrong_nonce_is_refused_and_nothing_written(app: Flask, engine: Engine) -> None:
    client = app.test_client()
    start = client.get("/login/oidc/gov")
    with client.session_transaction() as cookie:
        cookie["oidc_pending"] = {**cookie["oidc_pending"], "nonce": "another-sign-in"}
    landed = ProviderBrowser().visit(start.headers["Location"], client, "chenjing")
    assert landed.status_code == 401 and "未通过校验" in landed.get_data(as_text=True)
    assert engine.read_once(lambda s: s.scalar(select(User).where(User.username == "chenjing"))) is None
    assert _count(engine, WebSession) == 0


def test_wrong_signature_or_audience_of_a_real_token_is_refused(provider: OpenIdProvider) -> None:
    """Tokens the provider really issued, checked as the callback checks them."""
    issuer = provider.issuer
    jwks = requests.get(f"{issuer}/jwks", timeout=5).json()
    client = provider.register("http://localhost/cb", "http://localhost/")
    raw, nonce = _token_for(provider, client, "zhaolei")
    assert verified_claims(raw, jwks, issuer=issuer, client_id=client["client_id"], nonce=nonce)["sub"] == "zhaolei"

    with pytest.raises(IdTokenRefused):  # issued to another client
        verified_claims(raw, jwks, issuer=issuer, client_id="servflow-other", nonce=nonce)
    header, payload, _ = raw.split(".")
    forged_key = RSAKey.generate_key(2048, parameters={"kid": json.loads(_b64(header))["kid"]})
    forged = jwt.encode({"alg": "RS256", "kid": forged_key.kid}, json.loads(_b64(payload)), forged_key)
    with pytest.raises(IdTokenRefused):  # same claims, signed by a key the provider never published
        verified_claims(forged, jwks, issuer=issuer, client_id=client["client_id"], nonce=nonce)
    with pytest.raises(IdTokenRefused):  # the provider's header and claims with a signature cut off
        verified_claims(f"{header}.{payload}.", jwks, issuer=issuer, client_id=client["client_id"], nonce=nonce)


def test_the_provider_unreachable_is_a_clear_message_and_nothing_written(
    engine: Engine, database_url: str, rules_file: Path
) -> None:
    seed_users(engine)
    settings = OpenIdProvider(f"http://127.0.0.1:{free_port()}", Path("-")).app_settings(
        {"client_id": "c", "client_secret": "s"}
    )
    application = _app(database_url, rules_file, settings)
    try:
        before = _count(engine, User)
        response = application.test_client().get("/login/oidc/gov")
        assert response.status_code == 503 and "暂时无法连接「政务统一身份认证」" in response.get_data(as_text=True)
        assert _count(engine, User) == before and _count(engine, WebSession) == 0
    finally:
        application.extensions["servflow_engine"].dispose()


def _token_for(provider: OpenIdProvider, client: dict[str, str], person: str) -> tuple[str, str]:
    """An ID token the provider issues to ``client`` through the code flow with PKCE (no servflow involved)."""
    from authlib.integrations.requests_client import OAuth2Session

    oauth = OAuth2Session(
        client["client_id"],
        client["client_secret"],
        scope="openid groups",
        redirect_uri="http://localhost/cb",
        code_challenge_method="S256",
    )
    verifier, nonce = "v" * 64, "n-123"
    url, _ = oauth.create_authorization_url(f"{provider.issuer}/auth", code_verifier=verifier, nonce=nonce)
    catcher = Flask("catcher")
    codes: list[str] = []

    @catcher.get("/cb")
    def cb() -> str:
        from flask import request

        codes.append(request.args["code"])
        return "ok"

    ProviderBrowser().visit(url, catcher.test_client(), person)
    tokens = oauth.fetch_token(f"{provider.issuer}/token", code=codes[0], code_verifier=verifier)
    return tokens["id_token"], nonce


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _csrf(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]
