"""Browser-test fixtures shared by every page's tests: a live server and headless Chromium.

* ``browser`` (session): Debian's ``/usr/bin/chromium`` driven by Playwright; never a downloaded one.
* ``live_app`` (per test): ``create_app`` on the test's own database (the ``engine``/``database_url``
  fixtures, so SQLite and PostgreSQL), demo users seeded, served by werkzeug on a free local port in a
  background thread. ``live_app.login(page, username)`` signs in through the real form.
* ``page`` (per test): a fresh browser context (own cookies) at laptop size, Chinese locale; console
  errors of the page are collected in ``page.console_errors`` for tests that want to assert on them.

Use ``pytestmark = pytest.mark.browser`` in browser test modules.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from engine.demo.seed import DEMO_PASSWORD, seed_calendars, seed_users
from engine.service import Engine
from web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LAPTOP = {"width": 1366, "height": 800}
TABLET = {"width": 768, "height": 1024}


@dataclass
class LiveApp:
    """A running app: its base ``url``, the Flask ``app`` and the test's ``engine`` on the same database."""

    url: str
    app: Flask
    engine: Engine

    def login(self, page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
        page.goto(f"{self.url}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)

    def logout(self, page: Page) -> None:
        page.context.clear_cookies()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """One Playwright per session: a second sync driver in the same process is refused."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browser)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    instance = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def live_app(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[LiveApp]:
    seed_calendars(engine)
    seed_users(engine)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "browser-test"})
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApp(url=f"http://127.0.0.1:{server.server_port}", app=app, engine=engine)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["servflow_engine"].dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    new_page.console_errors = errors  # type: ignore[attr-defined]
    yield new_page
    context.close()
