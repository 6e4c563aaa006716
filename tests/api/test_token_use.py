"""Signing in with a token stays cheap without loosening anything: revocation is immediate on every app
server, "last used" is kept to the nearest few minutes, and a completion answers in the order a person
fixes things (may not → wrong input → wrong state) with the project as ``GET /instances/<id>`` shows it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from api_client import Api
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from engine.identity.users import TOKEN_TOUCH_INTERVAL
from engine.service import Engine
from engine.store.models import ApiToken
from web import create_app


def _last_used(client: FlaskClient, headers: dict[str, str]) -> datetime:
    [token] = client.get("/api/v1/tokens", headers=headers).json
    return datetime.fromisoformat(token["last_used_at"])


def test_a_revoked_token_is_refused_at_once_by_every_app_server(
    app: Flask, database_url: str, token: Callable[[str], dict[str, str]]
) -> None:
    bearer = token("agent_urumqi")
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    try:
        first, second = app.test_client(), other.test_client()
        assert second.get("/api/v1/tasks", headers=bearer).status_code == 200
        [listed] = first.get("/api/v1/tokens", headers=bearer).json
        assert first.delete(f"/api/v1/tokens/{listed['id']}", headers=bearer).status_code == 204
        refused = second.get("/api/v1/tasks", headers=bearer)
        assert refused.status_code == 401 and refused.json["code"] == "unauthorized"
    finally:
        other.extensions["servflow_engine"].dispose()


def test_last_used_is_recorded_on_first_use_then_at_most_every_few_minutes(
    client: FlaskClient, engine: Engine, token: Callable[[str], dict[str, str]]
) -> None:
    bearer = token("agent_urumqi")
    before = datetime.now(UTC)
    first = _last_used(client, bearer)
    assert first >= before - timedelta(seconds=1)
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
    assert _last_used(client, bearer) == first  # a busy client does not write on every call

    long_ago = datetime.now(UTC) - TOKEN_TOUCH_INTERVAL - timedelta(seconds=5)
    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(update(ApiToken).values(last_used_at=long_ago))
        uow.commit()
    assert _last_used(client, bearer) >= before


def test_completion_refuses_in_order_and_answers_with_the_project_as_read(api: Api) -> None:
    started = api.start("purchaser_urumqi", "650100", "UR-ORDER-1", project_name="社区助餐")
    [apply] = started.json["tasks"]
    url = f"/tasks/{apply['id']}/complete"
    invalid = {"data": {"project_name": ""}}
    assert api.post("purchaser_karamay", url, invalid).status_code == 404
    assert api.post("purchaser_urumqi", f"/tasks/{apply['id']}/claim").status_code == 200
    held = api.post("admin", url, invalid)
    assert held.status_code == 409 and "purchaser_urumqi" in held.json["message"]  # held by someone else
    assert api.post("manager_urumqi", f"/instances/{started.json['id']}/suspend").status_code == 200
    assert api.post("purchaser_urumqi", url, invalid).status_code == 422  # input first, then the project's state
    suspended = api.post("purchaser_urumqi", url, {"data": {"project_name": "社区助餐", "budget": 300000}})
    assert suspended.status_code == 409
    assert api.post("manager_urumqi", f"/instances/{started.json['id']}/resume").status_code == 200

    done = api.post("purchaser_urumqi", url, {"data": {"project_name": "社区助餐", "budget": 300000}})
    assert done.status_code == 200, done.json
    task = done.json["task"]
    assert task["state"] == "completed" and task["completed_by"] == "purchaser_urumqi"
    unchanged = {k: v for k, v in apply.items() if k not in ("state", "assignee", "completed_at", "completed_by")}
    assert {k: task[k] for k in unchanged} == unchanged
    read = api.get("purchaser_urumqi", f"/instances/{started.json['id']}").json
    assert done.json["instance"] == {key: value for key, value in read.items() if key != "history"}
