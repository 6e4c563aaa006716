"""Failed sign-ins are limited per remote address as well as per account.

One address trying a few passwords on each of many accounts never trips the per-account lockout; after
``LOGIN_IP_MAX_ATTEMPTS`` failures within ``LOGIN_IP_WINDOW_SECONDS`` that address is answered 429 —
even with a right password — until the window has moved on, while other addresses sign in as usual.
The tries are counted in the database (``engine.identity.sign_in_limit``); the app's engine clock moves time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.demo.seed import DEMO_PASSWORD
from engine.store.models import SignInAttempt
from support import csrf_token

ATTACKER, OFFICE = "203.0.113.9", "198.51.100.20"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def sign_in(client: FlaskClient, username: str, password: str, address: str):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_many_accounts_from_one_address_are_slowed_down_with_a_clear_message(app: Flask, client: FlaskClient) -> None:
    clock = Clock()
    app.config.update(LOGIN_IP_MAX_ATTEMPTS=3, LOGIN_IP_WINDOW_SECONDS=300)
    app.extensions["servflow_engine"].clock = clock
    for username in ("purchaser_region", "agent_region", "panel_region"):  # one guess each: no account locks
        assert sign_in(client, username, "guess", ATTACKER).status_code == 401

    refused = sign_in(client, "manager_region", DEMO_PASSWORD, ATTACKER)
    assert refused.status_code == 429
    assert "登录失败次数过多，请 5 分钟后再试" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"] == "300"
    client.get("/lang/en?next=/login")
    english = sign_in(client, "manager_region", DEMO_PASSWORD, ATTACKER)
    assert english.status_code == 429
    assert "Too many failed sign-ins from this network address; try again in 5 minutes" in english.get_data(
        as_text=True
    )

    other = app.test_client()
    assert sign_in(other, "manager_region", DEMO_PASSWORD, OFFICE).status_code == 302, "other addresses sign in"

    clock.advance(299)
    assert sign_in(client, "manager_region", DEMO_PASSWORD, ATTACKER).status_code == 429
    clock.advance(2)
    assert sign_in(client, "manager_region", DEMO_PASSWORD, ATTACKER).status_code == 302, "the window moved on"


def test_successful_sign_ins_do_not_count(app: Flask, client: FlaskClient) -> None:
    """An office behind one address signs many people in; only failures count against it."""
    app.config.update(LOGIN_IP_MAX_ATTEMPTS=2)
    for username in ("purchaser_region", "agent_region", "panel_region", "manager_region"):
        assert sign_in(app.test_client(), username, DEMO_PASSWORD, OFFICE).status_code == 302
    assert sign_in(client, "purchaser_region", "typo", OFFICE).status_code == 401
    assert sign_in(client, "purchaser_region", DEMO_PASSWORD, OFFICE).status_code == 302


def test_tries_older_than_the_window_are_deleted_so_the_table_stays_small(app: Flask, client: FlaskClient) -> None:
    clock = Clock()
    engine = app.extensions["servflow_engine"]
    engine.clock = clock
    app.config.update(LOGIN_IP_MAX_ATTEMPTS=3, LOGIN_IP_WINDOW_SECONDS=60)
    for n in range(40):  # many addresses, one failed try each
        assert sign_in(client, "purchaser_region", "guess", f"192.0.2.{n}").status_code == 401
    clock.advance(61)
    assert sign_in(client, "agent_region", "guess", "192.0.2.200").status_code == 401
    with engine.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(SignInAttempt)) == 1
