"""Shared fixtures: a migrated database per test, on SQLite and on the real PostgreSQL.

SQLite: the migrations run once into a template file, which each test copies (fast, isolated).
PostgreSQL: one database per test session (``servflow_test_<pid>``) migrated once; each test starts
from truncated tables. ``SERVFLOW_TEST_PG`` overrides the server URL; ``SERVFLOW_TEST_BACKENDS=sqlite``
skips PostgreSQL on a machine without one (CI always runs both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.compose import build_engine
from engine.identity.localities import ensure_default_localities
from engine.service import Engine
from engine.store.migrate import upgrade
from engine.store.models import Base
from support import scratch_database

PG_SERVER = os.environ.get("SERVFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
BACKENDS = os.environ.get("SERVFLOW_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with scratch_database(f"{PG_SERVER}/postgres", f"servflow_test_{os.getpid()}") as url:
        upgrade(url)
        yield url


def _truncate(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "servflow.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    _truncate(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    instance = build_engine(database_url, deadlines=False)
    with instance.unit_of_work(write=True) as uow:
        ensure_default_localities(uow.session)
        uow.commit()
    yield instance
    instance.dispose()


@pytest.fixture
def blank_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on the test's backend, for migrating up and down."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/blank.sqlite"
        return
    with scratch_database(database_url, f"servflow_test_blank_{os.getpid()}") as url:
        yield url
