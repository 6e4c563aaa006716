"""No page runs inline script, so the CSP can refuse it (#12).

``script-src`` allows only the app's own files: an injected ``<script>`` or ``onerror=`` in some page would
not run. That only holds while no page needs inline script itself, so every main page is rendered here (as
the users who see it) and parsed: a ``<script>`` must have a ``src`` or be a JSON data block, and no
element may carry an ``on…`` handler or a ``javascript:`` link.
"""

from __future__ import annotations

import lxml.html
import pytest
from flask.testing import FlaskClient
from inbox_support import URUMQI, deploy_approval, start

from engine.service import Engine
from support import FIXTURES, fixture_bytes, login

REGION = "650000"


def _script_src(client: FlaskClient) -> list[str]:
    policy = client.get("/login").headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    return directives["script-src"]


def test_the_policy_allows_no_inline_script(client: FlaskClient) -> None:
    script_src = _script_src(client)
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


def inline_code(html: str) -> list[str]:
    """What in ``html`` would run as inline script (and so be blocked by the policy)."""
    tree = lxml.html.document_fromstring(html)
    found = []
    for script in tree.iter("script"):
        if script.get("src"):
            continue
        if (script.get("type") or "").strip().lower() == "application/json":
            continue
        found.append(f"<script> {(script.text or '')[:80]!r}")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{element.tag} {name}={value[:60]!r}>")
            if name.lower() in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                found.append(f"<{element.tag} {name}={value[:60]!r}>")
    return found


def test_the_inline_check_sees_inline_script() -> None:
    """The check itself: it would catch what this change removed."""
    assert inline_code("<html><body><script>alert(1)</script></body></html>")
    assert inline_code('<html><body><button onclick="go()">x</button></body></html>')
    assert inline_code('<html><body><a href="javascript:go()">x</a></body></html>')
    assert not inline_code(
        '<html><body><script type="application/json" id="d">{"a": 1}</script>'
        '<script src="/s.js"></script></body></html>'
    )


@pytest.fixture
def projects(engine: Engine) -> int:
    """A deployed approval process with an open task (a page with a form and a diagram), and a region bundle
    for the designer pages; returns the task's id."""
    deploy_approval(engine)
    files = fixture_bytes("designer/intake.bpmn", "forms/application.form.json", "designer/review.form.json")
    files["scenarios/intake.scenarios.json"] = (FIXTURES / "designer" / "intake.scenarios.json").read_bytes()
    engine.deploy(files, REGION, deployed_by="region_designer")
    return start(engine, URUMQI, "WLMQ-001", "乌鲁木齐市社区居家养老服务项目", budget=1234567).id


PAGES = {
    None: ["/login", "/public/", "/api/v1/docs"],
    "purchaser_urumqi": ["/", "/inbox/", "/notifications/", "/tasks/{task}"],
    "manager_region": [
        "/",
        "/dashboard/",
        "/dashboard/tasks",
        "/dashboard/heatmap",
        "/dashboard/durations",
        "/dashboard/register",
        "/public/",
        "/organizations/",
    ],
    "designer_urumqi": [
        "/designer/",
        f"/designer/{URUMQI}/process/intake",
        f"/designer/{URUMQI}/new?key=site_visit&name=现场检查",
        f"/designer/{URUMQI}/process/intake/versions",
    ],
}


@pytest.mark.parametrize("username", list(PAGES), ids=lambda u: u or "anonymous")
def test_every_main_page_renders_without_inline_script(
    client: FlaskClient, projects: int, username: str | None
) -> None:
    if username:
        login(client, username)
    for lang in ("zh", "en"):
        client.get(f"/lang/{lang}?next=/")
        for template in PAGES[username]:
            url = template.format(task=projects)
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            html = response.get_data(as_text=True)
            assert inline_code(html) == [], url
            assert "'unsafe-inline'" not in _directive(response.headers["Content-Security-Policy"], "script-src")
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and inline_code(missing.get_data(as_text=True)) == []


def test_the_designer_and_task_pages_load_their_scripts_from_files(client: FlaskClient, projects: int) -> None:
    login(client, "designer_urumqi")
    designer = lxml.html.document_fromstring(client.get(f"/designer/{URUMQI}/process/intake").get_data(as_text=True))
    sources = [s.get("src") for s in designer.iter("script") if s.get("src")]
    assert "/static/designer.js" in sources and "/static/bell.js" in sources
    assert client.get("/static/designer.js").status_code == 200
    assert client.get("/static/bell.js").status_code == 200
    bell = designer.get_element_by_id("notification-bell")
    assert bell.get("data-unread-url") == "/notifications/unread" and "__N__" in bell.get("data-label")


def _directive(policy: str, name: str) -> str:
    return next(part for part in policy.split(";") if part.strip().startswith(name))
