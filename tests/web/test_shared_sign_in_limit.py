"""The per-address sign-in limit is one count for every worker and server (#13).

Two app instances on one database stand for two gunicorn workers (or two machines): failed sign-ins
spread over both are refused once the limit is reached — on either — with a clear message in Chinese and
in English and ``429``; an address that keeps its tries under the limit, and other addresses, sign in.
Concurrent tries get no more than the limit past the count either.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask

from engine.demo.seed import DEMO_PASSWORD
from support import csrf_token
from web import create_app

ATTACKER, OFFICE = "203.0.113.77", "198.51.100.5"
LIMIT = 4


@pytest.fixture
def second_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """Another app on the same database: its own process memory, its own engine and connection pool."""
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    yield other
    other.extensions["servflow_engine"].dispose()


def sign_in(app: Flask, username: str, password: str, address: str, lang: str | None = None):
    client = app.test_client()
    if lang:
        client.get(f"/lang/{lang}?next=/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_sign_ins_spread_over_two_app_servers_share_one_limit(app: Flask, second_app: Flask) -> None:
    for instance in (app, second_app):
        instance.config.update(LOGIN_IP_MAX_ATTEMPTS=LIMIT, LOGIN_IP_WINDOW_SECONDS=300)
    users = ("purchaser_region", "agent_region", "panel_region", "manager_region")
    for n in range(LIMIT):  # alternate servers; each server alone has seen only half the limit
        assert sign_in((app, second_app)[n % 2], users[n], "guess", ATTACKER).status_code == 401

    for instance in (app, second_app):
        refused = sign_in(instance, "purchaser_region", DEMO_PASSWORD, ATTACKER)
        assert refused.status_code == 429, "the limit is shared: both servers refuse"
        assert "该网络地址登录失败次数过多，请 5 分钟后再试" in refused.get_data(as_text=True)
        assert 0 < int(refused.headers["Retry-After"]) <= 300
        english = sign_in(instance, "purchaser_region", DEMO_PASSWORD, ATTACKER, lang="en")
        assert english.status_code == 429
        assert "Too many failed sign-ins from this network address; try again in 5 minutes" in english.get_data(
            as_text=True
        )

    assert sign_in(second_app, "purchaser_region", DEMO_PASSWORD, OFFICE).status_code == 302, "others sign in"


def test_concurrent_tries_across_servers_get_no_more_than_the_limit_through(app: Flask, second_app: Flask) -> None:
    for instance in (app, second_app):
        instance.config.update(LOGIN_IP_MAX_ATTEMPTS=LIMIT, LOGIN_IP_WINDOW_SECONDS=300)
    statuses: list[int] = []
    lock = threading.Lock()

    def attack(instance: Flask) -> None:
        status = sign_in(instance, "nobody", "guess", ATTACKER).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=attack, args=((app, second_app)[n % 2],)) for n in range(3 * LIMIT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 3 * LIMIT
    assert sorted(statuses) == [401] * LIMIT + [429] * (2 * LIMIT), "exactly the limit get a password checked"
    assert sign_in(app, "purchaser_region", DEMO_PASSWORD, ATTACKER).status_code == 429
