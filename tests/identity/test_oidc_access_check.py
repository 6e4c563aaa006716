"""A person disabled at the OpenID provider loses servflow too, API tokens included, without signing in again.

Against the real provider (node's oidc-provider): the sign-in asks for ``offline_access`` and servflow keeps
the refresh token, sealed; the scheduler's check spends it, and the provider's ``invalid_grant`` for a
disabled account stops the servflow account until the provider lets the person in again. A provider that
cannot be reached changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from identity.oidc_server import OpenIdProvider
from identity.slapd_server import free_port
from identity.test_oidc_sign_in import APP, ProviderBrowser, _sign_in
from prometheus_client import REGISTRY
from sqlalchemy import select

from engine.demo.seed import seed_calendars, seed_users
from engine.identity import openid, users
from engine.jobs.openid_access import OpenIdAccessCheck
from engine.jobs.scheduler import Scheduler, build
from engine.service import Engine
from engine.store.models import OidcGrant
from web import create_app, oidc_config

SECRET = "test-secret-key"


@pytest.fixture
def app(engine: Engine, database_url: str, provider: OpenIdProvider, rules_file: Path) -> Iterator[Flask]:
    seed_calendars(engine)
    seed_users(engine)
    client = provider.register(f"{APP}/login/oidc/gov/callback", f"{APP}/login")
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "IDENTITY_RULES": str(rules_file)}
    application = create_app(config | provider.app_settings(client))
    yield application
    application.extensions["servflow_engine"].dispose()


def _check(engine: Engine, app: Flask, **changes: str) -> OpenIdAccessCheck:
    """The scheduler's check as ``servflow scheduler`` builds it from the same settings (every grant due)."""
    providers = openid.providers_from_config({**app.config, **changes})
    return OpenIdAccessCheck(engine, providers, SECRET, every=timedelta(0))


def _checks(outcome: str) -> float:
    return REGISTRY.get_sample_value("servflow_oidc_access_checks_total", {"provider": "gov", "outcome": outcome}) or 0


def _api(app: Flask, token: str) -> tuple[int, str]:
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_data(as_text=True)


def test_a_person_disabled_at_the_provider_loses_api_tokens_and_sign_in(
    app: Flask, engine: Engine, provider: OpenIdProvider
) -> None:
    browser_session = app.test_client()
    assert _sign_in(browser_session, "chenjing").status_code == 302
    assert _sign_in(app.test_client(), "zhaolei").status_code == 302
    (sealed,) = engine.read_once(lambda s: list(s.scalars(select(OidcGrant.refresh_token))))[:1]
    assert openid.unseal(SECRET, sealed) and openid.unseal("another-key", sealed) is None  # never in the clear
    token = engine.write(lambda s: users.issue_token(s, users.get_user(s, "chenjing"), "script"))
    check = _check(engine, app)
    ok_before = _checks("ok")
    assert check.run() == 0 and _checks("ok") == ok_before + 2  # both still let in
    assert _api(app, token)[0] == 200

    provider.set_disabled("chenjing")
    withdrawn_before = _checks("withdrawn")
    assert check.run() == 1  # nobody signed in again: the provider's invalid_grant stopped her
    assert _checks("withdrawn") == withdrawn_before + 1
    status, body = _api(app, token)
    assert status == 401 and "no longer lets this person in" in body and "oidc:gov" in body
    assert browser_session.get("/").status_code == 302  # her open session no longer signs her in
    refused = _sign_in(app.test_client(), "chenjing")
    assert refused.status_code == 401 and "身份认证服务拒绝了本次登录" in refused.get_data(as_text=True)
    assert not engine.read_once(lambda s: users.get_user(s, "chenjing").is_active)
    assert engine.read_once(lambda s: users.get_user(s, "zhaolei").is_active)  # the others keep their access

    provider.set_disabled("chenjing", False)  # the provider lets her in again: so does servflow, at sign-in
    assert _sign_in(app.test_client(), "chenjing").status_code == 302
    assert _api(app, token)[0] == 200 and check.run() == 0


def test_the_scheduler_sweep_runs_the_check(app: Flask, engine: Engine, provider: OpenIdProvider) -> None:
    assert _sign_in(app.test_client(), "chenjing").status_code == 302
    provider.set_disabled("chenjing")
    report = Scheduler(engine, owner="test", openid_access=_check(engine, app)).sweep()
    assert report.openid_stopped == 1
    assert not engine.read_once(lambda s: users.get_user(s, "chenjing").is_active)


def test_a_provider_that_cannot_be_reached_changes_nothing(app: Flask, engine: Engine) -> None:
    assert _sign_in(app.test_client(), "chenjing").status_code == 302
    token = engine.write(lambda s: users.issue_token(s, users.get_user(s, "chenjing"), "script"))
    before = _checks("unavailable")
    down = _check(engine, app, OIDC_GOV_ISSUER=f"http://127.0.0.1:{free_port()}")
    assert down.run() == 0 and _checks("unavailable") == before + 1
    assert _api(app, token)[0] == 200
    grant = engine.read_once(lambda s: s.scalars(select(OidcGrant)).one())
    assert grant.lease_until is None  # handed back: the next round asks again
    assert _check(engine, app).run() == 0 and _checks("ok") >= 1


def test_no_refresh_token_is_asked_for_when_the_check_is_off(
    engine: Engine, database_url: str, provider: OpenIdProvider, rules_file: Path
) -> None:
    seed_users(engine)
    client = provider.register(f"{APP}/login/oidc/gov/callback", f"{APP}/login")
    settings = provider.app_settings(client) | {"OIDC_GOV_CHECK_ACCESS": "false"}
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "IDENTITY_RULES": str(rules_file)}
    application = create_app(config | settings)
    try:
        browser = application.test_client()
        start = browser.get("/login/oidc/gov").headers["Location"]
        assert "offline_access" not in start and "prompt=consent" not in start
        assert ProviderBrowser().visit(start, browser, "chenjing").status_code == 302
        assert engine.read_once(lambda s: s.scalars(select(OidcGrant)).all()) == []
    finally:
        application.extensions["servflow_engine"].dispose()


def test_servflow_scheduler_builds_the_check_from_the_environment(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in app.config.items():
        if key.startswith("OIDC_"):
            monkeypatch.setenv(f"SERVFLOW_{key}", str(value))
    monkeypatch.delenv("SERVFLOW_SECRET_KEY", raising=False)
    without_key = build(database_url)
    assert without_key.openid_access is None  # nothing it could unseal: warned, not checked
    without_key.engine.dispose()
    monkeypatch.setenv("SERVFLOW_SECRET_KEY", SECRET)
    scheduler = build(database_url)
    try:
        assert scheduler.openid_access is not None and list(scheduler.openid_access.providers) == ["gov"]
    finally:
        scheduler.engine.dispose()


def test_the_consent_prompt_is_sent_only_when_configured(app: Flask, provider: OpenIdProvider) -> None:
    """People see no consent page at each sign-in unless the provider needs ``prompt=consent`` for refresh tokens."""
    plain = app.test_client().get("/login/oidc/gov").headers["Location"]
    assert "offline_access" in plain and "prompt=" not in plain
    app.config["OIDC_GOV_PROMPT"] = "consent"
    oidc_config.init_app(app)  # the providers as read at start-up
    consent = app.test_client().get("/login/oidc/gov").headers["Location"]
    assert "prompt=consent" in consent
