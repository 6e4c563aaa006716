"""API fixtures: an app on the per-test database with the demo users, approval + bids processes
deployed for the whole region, and bearer tokens for any demo user."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from api_client import Api
from flask import Flask
from flask.testing import FlaskClient

from engine.identity import users
from engine.service import Engine
from support import fixture_bytes, running_app

BUNDLE = ("bpmn/approval.bpmn", "forms/application.form.json", "bpmn/bids.bpmn")


@pytest.fixture
def app(engine: Engine, database_url: str) -> Iterator[Flask]:
    with running_app(engine, database_url) as application:
        engine.deploy(fixture_bytes(*BUNDLE), "650000")
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def token(engine: Engine, app: Flask) -> Callable[[str], dict[str, str]]:
    """``token("purchaser_urumqi")`` → headers with a fresh bearer token of that user."""
    cache: dict[str, dict[str, str]] = {}

    def make(username: str) -> dict[str, str]:
        if username not in cache:
            with engine.unit_of_work(write=True) as uow:
                value = users.issue_token(uow.session, users.get_user(uow.session, username), "tests")
                uow.commit()
            cache[username] = {"Authorization": f"Bearer {value}"}
        return cache[username]

    return make


@pytest.fixture
def api(client: FlaskClient, token: Callable[[str], dict[str, str]]) -> Api:
    return Api(client, token)
