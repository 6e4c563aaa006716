"""Documents fixtures: the shipped processes on the per-test database, demo users, and a 乌鲁木齐 project
whose application (with its file field 申报材料) is open for the purchaser of 乌鲁木齐市民政局."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.demo.seed import shipped_bundle
from engine.service import Engine
from support import running_app


@pytest.fixture
def app(engine: Engine, database_url: str) -> Iterator[Flask]:
    with running_app(engine, database_url) as application:
        engine.deploy(shipped_bundle(), "650000", "test")
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def application_task(engine: Engine, app: Flask) -> int:
    """The open application of a new 乌鲁木齐 project (its id)."""
    instance = engine.start("lifecycle", locality="650100", business_key="UR-DOC-1", actor="purchaser_urumqi")
    (task,) = engine.open_tasks(instance.id)
    return task.id
