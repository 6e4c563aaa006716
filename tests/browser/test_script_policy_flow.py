"""Under ``script-src 'self'`` (no inline script) the pages still work in Chromium, and the policy bites (#12).

The task page with a form, the designer and the API page load with no console error and no CSP violation;
a script injected into a page as inline code does not run.
"""

from __future__ import annotations

from typing import Any

import pytest
from inbox_support import URUMQI, deploy_approval, start
from playwright.sync_api import Page, expect

from support import FIXTURES, fixture_bytes

pytestmark = pytest.mark.browser
REGION = "650000"


def script_problems(page: Page) -> list[str]:
    return [e for e in page.console_errors if "favicon" not in e]  # type: ignore[attr-defined]


def test_task_form_page_works_without_inline_script_and_injected_inline_script_is_refused(
    live_app: Any, page: Page
) -> None:
    deploy_approval(live_app.engine)
    task = start(live_app.engine, URUMQI, "WLMQ-CSP-1", "乌鲁木齐市社区居家养老服务项目")
    live_app.login(page, "purchaser_urumqi")
    response = page.goto(f"{live_app.url}/tasks/{task.id}")
    assert (
        response is not None
        and "'unsafe-inline'" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    page.wait_for_function("document.body.dataset.formReady === 'true'")
    expect(page.locator("#notification-bell")).to_be_visible()
    assert script_problems(page) == []

    ran = page.evaluate(
        """() => new Promise((resolve) => {
            const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true;';
            document.body.appendChild(s);
            setTimeout(() => resolve(window.__inlineRan === true), 200);
        })"""
    )
    assert ran is False, "an inline script must not run under the policy"
    assert any("Content Security Policy" in e for e in page.console_errors)  # type: ignore[attr-defined]


def test_designer_page_loads_its_editors_from_a_file_without_console_errors(live_app: Any, page: Page) -> None:
    files = fixture_bytes("designer/intake.bpmn", "forms/application.form.json", "designer/review.form.json")
    files["scenarios/intake.scenarios.json"] = (FIXTURES / "designer" / "intake.scenarios.json").read_bytes()
    live_app.engine.deploy(files, REGION, deployed_by="region_designer")
    live_app.login(page, "designer_urumqi")
    page.goto(f"{live_app.url}/designer/{URUMQI}/process/intake")
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")
    expect(page.locator("#tabbtn-scenarios")).to_be_visible()
    page.click("#tabbtn-scenarios")
    expect(page.locator("#scenario-table .sf-scenario").first).to_be_visible()  # the table, the JSON behind it
    assert script_problems(page) == []
