"""Web fixtures: an app on the per-test database, demo users, and a signed-in test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.service import Engine
from support import running_app


@pytest.fixture
def app(engine: Engine, database_url: str) -> Iterator[Flask]:
    with running_app(engine, database_url) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
