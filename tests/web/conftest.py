"""Web fixtures: an app on the per-test database, demo users, and a signed-in test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.demo.seed import seed_calendars, seed_users
from engine.service import Engine
from web import create_app


@pytest.fixture
def app(engine: Engine, database_url: str) -> Iterator[Flask]:
    seed_calendars(engine)
    seed_users(engine)
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    yield application
    application.extensions["servflow_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
