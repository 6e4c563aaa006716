"""Helpers shared by tests (importable as ``support``; ``tests/`` is on pytest's python path)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from engine.demo.driver import Driver, Scenario
from engine.demo.seed import DEMO_PASSWORD, seed_calendars, seed_users
from engine.service import Engine
from web import create_app

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def python_calls(action: Callable[[], object], runs: int = 3) -> int:
    """How many Python functions ``action`` calls: the work a step does, unlike its time, free of machine noise.

    A state that keeps history makes every load, iteration and save walk more tasks, so the count grows
    with it; timing the same comparison on a shared machine fails whenever a neighbour is busy. The fewest
    of a few runs is kept: a first run also fills caches (compiled patterns, parsed expressions).
    """
    counts = []
    for _ in range(runs):
        calls = 0

        def count(_frame: object, event: str, _arg: object) -> None:
            nonlocal calls
            if event == "call":
                calls += 1

        sys.setprofile(count)
        try:
            action()
        finally:
            sys.setprofile(None)
        counts.append(calls)
    return min(counts)


@contextmanager
def scratch_database(server_url: str, name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database ``name`` on the server of ``server_url``; dropped afterwards."""
    admin = create_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def running_app(engine: Engine, database_url: str) -> Iterator[Flask]:
    """The web app on the test's database, with the demo calendars and users; disposed afterwards."""
    seed_calendars(engine)
    seed_users(engine)
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    try:
        yield application
    finally:
        application.extensions["servflow_engine"].dispose()


def fixture_bytes(*parts: str) -> dict[str, bytes]:
    """A bundle made of files under tests/fixtures."""
    return {Path(p).name: (FIXTURES / p).read_bytes() for p in parts}


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form (with its CSRF token)."""
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def queue_sample_notices(engine: Engine) -> None:
    """Two notices for manager_region (an escalation of project 41 and a reminder), one for manager_karamay."""
    from datetime import UTC, datetime

    from engine.jobs import notifications
    from engine.store.outbox import Notice, notify

    at = datetime(2025, 10, 11, 1, 0, tzinfo=UTC)
    samples = [
        (
            ["manager_region", "manager_karamay"],
            "escalate:1:2025-10-11",
            "【逾期督办】「财政审核」已超过办理期限2025-10-10",
        ),
        (["manager_region"], "remind:2", "【待办提醒】「签订合同」将于2025-10-09到期"),
    ]
    with engine.unit_of_work(write=True) as uow:
        for recipients, key, subject in samples:
            kind = notifications.REMINDER if key.startswith("remind") else notifications.ESCALATION
            project = 41 if kind == notifications.ESCALATION else None
            notice = Notice(
                kind, subject, "项目：社区养老服务项目（R-1）\n任务：财政审核", key=key, instance_id=project
            )
            notify(uow.session, recipients, notice, at)
        uow.commit()


def systems_agree(engine: Engine, instance_id: int) -> None:
    """The budget system, treasury and procurement platform answer the project's waiting service tasks as
    they do when all is well (through fetch-and-lock and completion, as a worker would), until the
    project waits on people again."""
    while Driver(engine).answer_systems(instance_id, Scenario()):
        pass
