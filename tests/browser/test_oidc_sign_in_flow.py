"""A person signs in through the OpenID provider's own page in Chromium and lands in servflow."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from identity.directory_samples import RULES
from identity.oidc_server import available, running_provider
from identity.slapd_server import free_port
from playwright.sync_api import Page
from werkzeug.serving import make_server

from engine.demo.seed import seed_calendars, seed_users
from engine.service import Engine
from web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in_app(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[str]:
    if not available():
        pytest.skip("node's oidc-provider is not installed (make identity-servers)")
    seed_calendars(engine)
    seed_users(engine)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES, ensure_ascii=False), encoding="utf-8")
    with running_provider(tmp_path) as provider:
        base = f"http://127.0.0.1:{free_port()}"
        client = provider.register(f"{base}/login/oidc/gov/callback", f"{base}/login")
        config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "browser-test"}
        app = create_app(config | {"IDENTITY_RULES": str(rules)} | provider.app_settings(client))
        server = make_server("127.0.0.1", int(base.rsplit(":", 1)[1]), app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield base
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            app.extensions["servflow_engine"].dispose()


def test_sign_in_through_the_providers_page(page: Page, signed_in_app: str) -> None:
    page.goto(f"{signed_in_app}/login")
    page.click("text=使用政务统一身份认证登录")
    page.fill("input[name=login]", "chenjing")  # the provider's page, not servflow's
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")
    page.click("button[type=submit]")  # the provider's consent page
    page.wait_for_url(lambda url: url.startswith(signed_in_app) and "/login" not in url)
    assert "陈静" in page.content()
