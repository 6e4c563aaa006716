"""The bell: each person sees only their own notifications, the unread count, and marks them read."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server

from engine import calendar_store, notifications
from engine.models import Notification
from engine.notifications import Notice
from engine.service import Engine
from support import csrf_token, login
from web import cli

NOW = datetime(2025, 10, 11, 1, 0, tzinfo=UTC)


def queue(engine: Engine, recipients: list[str], key: str, subject: str) -> None:
    kind = notifications.REMINDER if key.startswith("remind") else notifications.ESCALATION
    with engine.unit_of_work(write=True) as uow:
        notice = Notice(kind, subject, "项目：社区养老服务项目（R-1）\n任务：财政审核", key=key)
        notifications.notify(uow.session, recipients, notice, NOW)
        uow.commit()


@pytest.fixture
def noticed(app: Flask, engine: Engine) -> Engine:
    queue(
        engine,
        ["manager_region", "manager_karamay"],
        "escalate:1:2025-10-11",
        "【逾期督办】「财政审核」已超过办理期限2025-10-10",
    )
    queue(engine, ["manager_region"], "remind:2", "【待办提醒】「签订合同」将于2025-10-09到期")
    return engine


def ids_of(engine: Engine, user: str) -> list[int]:
    with engine.unit_of_work() as uow:
        return list(uow.session.scalars(select(Notification.id).where(Notification.recipient == user)))


def test_unread_count_list_and_mark_read(client: FlaskClient, noticed: Engine) -> None:
    login(client, "manager_region")
    assert client.get("/notifications/unread").get_json() == {"unread": 2}
    page = client.get("/notifications/").get_data(as_text=True)
    assert "【逾期督办】「财政审核」已超过办理期限2025-10-10" in page and "2 条未读" in page

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


@pytest.mark.browser
def test_screenshot_of_the_notifications_page(app: Flask, noticed: Engine, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 900, "height": 700})
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "manager_region")
            page.fill("input[name=password]", "demo123")
            page.click("button[type=submit]")
            page.goto(f"{base}/notifications/")
            assert page.locator("#notification-bell .bell-count").inner_text() == "2"
            page.screenshot(path=str(Path("/tmp/notifications_page.png")), full_page=True)
            page.locator(".notice.unread form button").first.click()
            assert page.locator("#notification-bell .bell-count").inner_text() == "1"
            browser.close()
    finally:
        server.shutdown()
