"""LDAP sign-in over TLS against a real slapd holding a certificate of a CA made for the test: ldaps:// and
StartTLS with the CA trusted sign in; an untrusted certificate or a refused StartTLS signs nobody in, writes
nothing and sends no bind — the service account's password and the person's stay at home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from identity.certificates import ServerFiles, make_ca
from identity.slapd_server import Slapd
from sqlalchemy import func, select

from engine.demo.seed import seed_calendars, seed_users
from engine.service import Engine
from engine.store.models import User, WebSession
from support import csrf_token
from web import create_app

INSECURE = "无法与统一身份认证目录建立安全连接"


@pytest.fixture
def make_app(engine: Engine, database_url: str, rules_file: Path) -> Iterator:
    seed_calendars(engine)
    seed_users(engine)
    apps: list[Flask] = []

    def make(settings: dict[str, object]) -> Flask:
        config = {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "IDENTITY_RULES": str(rules_file),
        }
        apps.append(create_app(config | settings))
        return apps[-1]

    yield make
    for application in apps:
        application.extensions["servflow_engine"].dispose()


def _sign_in(app: Flask, username: str = "zhangwei", password: str = "zhang-pass") -> tuple[int, str]:
    client = app.test_client()
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )
    return response.status_code, response.get_data(as_text=True)


def _count(engine: Engine, model: type) -> int:
    return engine.read_once(lambda s: s.scalar(select(func.count()).select_from(model)))


def _ldaps(server: Slapd) -> dict[str, object]:
    assert server.ldaps_url is not None
    return {**server.settings(), "LDAP_URL": server.ldaps_url}


def _start_tls(server: Slapd) -> dict[str, object]:
    return {**server.settings(), "LDAP_START_TLS": "true"}


@pytest.mark.parametrize("tls", [_ldaps, _start_tls], ids=["ldaps", "starttls"])
def test_sign_in_over_tls_with_the_ca_configured(
    make_app, engine: Engine, tls_slapd: Slapd, certificates: ServerFiles, tls
) -> None:
    app = make_app({**tls(tls_slapd), "LDAP_CA_FILE": str(certificates.ca_file)})
    assert _sign_in(app)[0] == 302
    assert engine.read_once(lambda s: s.scalar(select(User.is_active).where(User.username == "zhangwei")))
    assert "uid=zhangwei,ou=people,dc=servflow,dc=test" in tls_slapd.binds()
    log = tls_slapd.log.read_text(encoding="utf-8", errors="replace")
    if tls is _start_tls:
        assert "EXT oid=1.3.6.1.4.1.1466.20037" in log  # every connection asked for TLS before binding


@pytest.mark.parametrize("tls", [_ldaps, _start_tls], ids=["ldaps", "starttls"])
@pytest.mark.parametrize("trusted", ["another CA", "no CA (system store)"])
def test_a_certificate_that_does_not_verify_signs_nobody_in_and_sends_no_bind(
    make_app, engine: Engine, tls_slapd: Slapd, tmp_path: Path, tls, trusted: str
) -> None:
    settings = tls(tls_slapd)
    if trusted == "another CA":
        settings["LDAP_CA_FILE"] = str(make_ca(tmp_path, "someone-else's-ca")[0])
    users_before = _count(engine, User)
    status, page = _sign_in(make_app(settings))
    assert status == 401 and INSECURE in page
    assert _count(engine, User) == users_before and _count(engine, WebSession) == 0
    assert tls_slapd.binds() == []  # neither the service account nor the person was sent


def test_start_tls_refused_by_the_server_is_no_plain_text_bind(make_app, engine: Engine, slapd: Slapd) -> None:
    """slapd without a certificate answers StartTLS with an error: servflow stops there, it does not carry
    on in the clear."""
    status, page = _sign_in(make_app(_start_tls(slapd)))
    assert status == 401 and INSECURE in page
    assert engine.read_once(lambda s: s.scalar(select(User).where(User.username == "zhangwei"))) is None
    assert slapd.binds() == []


def test_the_english_page_says_so_too(make_app, tls_slapd: Slapd) -> None:
    client = make_app(_ldaps(tls_slapd)).test_client()
    client.get("/lang/en")
    response = client.post(
        "/login", data={"username": "zhangwei", "password": "zhang-pass", "csrf_token": csrf_token(client)}
    )
    assert "No secure connection to the identity directory" in response.get_data(as_text=True)


def test_a_ca_file_without_tls_is_a_configuration_error(make_app, slapd: Slapd, certificates: ServerFiles) -> None:
    with pytest.raises(ValueError, match="LDAP_CA_FILE"):
        make_app({**slapd.settings(), "LDAP_CA_FILE": str(certificates.ca_file)})
    with pytest.raises(ValueError, match="LDAP_START_TLS"):
        make_app({**_start_tls(slapd), "LDAP_URL": "ldaps://127.0.0.1:1"})
