"""The bell: each person sees only their own notifications, the unread count, and marks them read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.calendars import calendar_store
from engine.service import Engine
from engine.store.models import Notification
from support import csrf_token, login, queue_sample_notices
from web import cli

NOW = datetime(2025, 10, 11, 1, 0, tzinfo=UTC)


@pytest.fixture
def noticed(app: Flask, engine: Engine) -> Engine:
    queue_sample_notices(engine)
    return engine


def ids_of(engine: Engine, user: str) -> list[int]:
    with engine.unit_of_work() as uow:
        return list(uow.session.scalars(select(Notification.id).where(Notification.recipient == user)))


def test_unread_count_list_and_mark_read(client: FlaskClient, noticed: Engine) -> None:
    login(client, "manager_region")
    assert client.get("/notifications/unread").get_json() == {"unread": 2}
    page = client.get("/notifications/").get_data(as_text=True)
    assert "【逾期督办】「财政审核」已超过办理期限2025-10-10" in page and "2 条未读" in page
    assert page.count('class="project-link"') == 1  # the escalation opens its project
    assert 'href="/projects/41" class="project-link">查看项目</a>' in page

    first = ids_of(noticed, "manager_region")[0]
    token = csrf_token(client, "/notifications/")
    answer = client.post(f"/notifications/{first}/read", headers={"X-CSRFToken": token})
    assert answer.get_json() == {"unread": 1}
    assert client.get("/notifications/?unread=1").get_data(as_text=True).count('class="notice unread"') == 1
    client.post("/notifications/read-all", data={"csrf_token": token})
    assert client.get("/notifications/unread").get_json() == {"unread": 0}


def test_nobody_reads_or_marks_another_persons_notifications(client: FlaskClient, noticed: Engine) -> None:
    login(client, "manager_karamay")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "签订合同" not in page  # manager_region's reminder
    other = ids_of(noticed, "manager_region")[0]
    token = csrf_token(client, "/notifications/")
    assert client.post(f"/notifications/{other}/read", headers={"X-CSRFToken": token}).status_code == 404
    assert client.post(f"/notifications/{other}/read", data={}).status_code == 400  # no CSRF token
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/notifications/unread").status_code == 302  # to the sign-in page


def test_english_labels(client: FlaskClient, noticed: Engine) -> None:
    login(client, "manager_region")
    client.get("/lang/en")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Mark all as read" in page and "2 unread" in page


def test_calendar_cli_seeds_and_adds_a_local_day(engine: Engine, database_url: str, monkeypatch) -> None:
    monkeypatch.setenv("SERVFLOW_DATABASE_URL", database_url)
    runner = CliRunner()
    seeded = runner.invoke(cli.main, ["calendar", "seed", "--years", "2025", "2026"])
    assert seeded.exit_code == 0, seeded.output
    assert "650000 2026:" in seeded.output
    added = runner.invoke(
        cli.main, ["calendar", "add-day", "--locality", "650200", "2025-06-06", "--off", "--note", "古尔邦节"]
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli.main, ["calendar", "list", "--locality", "650200"])
    assert listed.output.strip() == "2025-06-06\toff\t古尔邦节"
    with engine.unit_of_work() as uow:
        assert not calendar_store.load_calendar(uow.session, "650204").is_working(datetime(2025, 6, 6).date())
