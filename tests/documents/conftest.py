"""Documents fixtures: the shipped processes on the per-test database, demo users, and a 乌鲁木齐 project
whose application (with its file field 申报材料) is open for the purchaser of 乌鲁木齐市民政局."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.demo.seed import seed_calendars, seed_users, shipped_bundle
from engine.formats.forms import example_submission
from engine.service import Engine
from support import REPO
from web import create_app

_FORM = json.loads((REPO / "forms" / "project_application.form.json").read_text(encoding="utf-8"))
APPLICATION = example_submission(_FORM) | {
    "project_name": "社区居家养老服务",
    "department": "乌鲁木齐市民政局",
    "budget": 800_000,
    "category": "basic_public",
    "in_catalogue": True,
    "catalogue_code": "A0101",
    "proposed_method": "auto",
    "public_service": False,
}
#: The smallest files of each kind the tests need: a PDF, a PNG, and a Windows program.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)


@pytest.fixture
def app(engine: Engine, database_url: str) -> Iterator[Flask]:
    seed_calendars(engine)
    seed_users(engine)
    engine.deploy(shipped_bundle(), "650000", "test")
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    yield application
    application.extensions["servflow_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def application_task(engine: Engine, app: Flask) -> int:
    """The open application of a new 乌鲁木齐 project (its id)."""
    instance = engine.start("lifecycle", locality="650100", business_key="UR-DOC-1", actor="purchaser_urumqi")
    (task,) = engine.open_tasks(instance.id)
    return task.id
