"""The OpenAPI document and the interactive API page, served from bundled assets under a strict CSP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

SWAGGER = Path(__file__).resolve().parents[2] / "web" / "static" / "dist" / "swagger-ui" / "swagger-ui-bundle.js"


def test_openapi_document_describes_every_resource_and_the_error_shape(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    doc = spec.json
    paths = set(doc["paths"])
    for path in (
        "/api/v1/versions",
        "/api/v1/instances",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/messages",
        "/api/v1/figures",
        "/api/v1/audit",
        "/api/v1/tokens",
    ):
        assert path in paths
    assert set(doc["components"]["schemas"]["Error"]["properties"]) >= {"code", "message", "errors"}
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    start = doc["paths"]["/api/v1/instances"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in start["parameters"])


def test_docs_page_uses_bundled_assets_only(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/dist/swagger-ui/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html and "<script>" not in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.mark.browser
@pytest.mark.skipif(not SWAGGER.exists(), reason="frontend not built (cd web/frontend && npm ci && npm run build)")
def test_docs_page_renders_in_a_browser_without_csp_violations(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
        page.goto(f"{server}/api/v1/docs")
        page.wait_for_selector(".opblock-tag", timeout=15000)
        tags = page.locator(".opblock-tag").all_inner_texts()
        assert any("api_instances" in tag for tag in tags) and any("api_tasks" in tag for tag in tags)
        page.locator(".opblock-tag", has_text="api_instances").first.click()
        page.wait_for_selector(".opblock-summary-path", timeout=5000)
        page.screenshot(path=str(tmp_path / "api-docs.png"), full_page=False)
        browser.close()
    assert outside == []
    assert [m for m in problems if "Content Security Policy" in m or "Refused" in m] == []
