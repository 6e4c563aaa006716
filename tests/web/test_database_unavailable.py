"""When the database goes away: a clear 503 to retry (not a crash page), and recovery without a restart."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from engine.identity import users
from engine.service import Engine
from support import csrf_token
from web import create_app

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/servflow"  # nothing listens on port 1


@pytest.fixture
def unreachable() -> FlaskClient:
    app = create_app({"TESTING": True, "DATABASE_URL": NOWHERE, "SECRET_KEY": "test"})
    return app.test_client()


def test_an_api_call_without_a_database_gets_503_with_retry_after(unreachable: FlaskClient) -> None:
    response = unreachable.get("/api/v1/tasks", headers={"Authorization": "Bearer some-token"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["code"] == "database_unavailable"
    assert "数据库暂时无法访问" in response.json["message"]


def test_signing_in_without_a_database_shows_the_reason_in_chinese_and_english(unreachable: FlaskClient) -> None:
    form = {"username": "admin", "password": "demo123", "csrf_token": csrf_token(unreachable)}
    response = unreachable.post("/login", data=form)
    assert response.status_code == 503
    assert "数据库暂时无法访问" in response.get_data(as_text=True)

    unreachable.get("/lang/en")
    response = unreachable.post("/login", data=form)
    assert response.status_code == 503
    assert "The database cannot be reached" in response.get_data(as_text=True)


def test_the_service_recovers_by_itself_when_its_connections_are_killed(
    app: Flask, engine: Engine, database_url: str
) -> None:
    """A database restart or failover kills every open connection; the next requests must just work."""
    if not database_url.startswith("postgresql"):
        pytest.skip("killing server connections needs PostgreSQL")
    with engine.unit_of_work(write=True) as uow:
        token = users.issue_token(uow.session, users.get_user(uow.session, "admin"), "tests")
        uow.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200

    name = make_url(database_url).database
    admin = create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        ).scalar()
    admin.dispose()
    assert killed >= 1  # the app's pooled connection was among them

    assert [client.get("/api/v1/tasks", headers=headers).status_code for _ in range(3)] == [200, 200, 200]
