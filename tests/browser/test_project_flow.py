"""A finance reviewer follows a project in Chromium: from the inbox to the project page (where it is, who
acts next, the lifecycle drawn with its stages marked), then to the review task, where the application is
shown in full, read-only, in its own form."""

from __future__ import annotations

from typing import Any

import pytest
from document_samples import APPLICATION
from playwright.sync_api import Page, expect

from engine.demo.driver import Driver
from engine.demo.seed import party_actor, shipped_bundle

pytestmark = pytest.mark.browser


def test_the_reviewer_follows_the_project_and_reads_the_application(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-FLOW-1", actor="purchaser_urumqi",
                            title="社区居家养老服务")  # fmt: skip
    Driver(engine, actor=party_actor(engine)).run(instance.id, {"submit_application": APPLICATION},
                                                  stop_at={"review_application"})  # fmt: skip

    live_app.login(page, "finance_reviewer_urumqi")
    page.goto(f"{live_app.url}/inbox/?tab=group")
    page.locator("a.project", has_text="社区居家养老服务").first.click()
    page.wait_for_url(f"**/projects/{instance.id}")
    expect(page.locator("#next-steps")).to_contain_text("乌鲁木齐市财政局")
    expect(page.locator("#project-stages [data-stage='review']")).to_contain_text("进行中")
    page.wait_for_function("() => document.body.dataset.diagramReady === 'true'")
    expect(page.locator("#project-diagram-0 [data-element-id='call_review'].sf-current")).to_have_count(1)
    expect(page.locator("#project-diagram-0 [data-element-id='call_apply'].sf-done")).to_have_count(1)

    page.locator("#next-steps a").first.click()
    page.wait_for_function("() => document.body.dataset.submissionsReady === 'true'")
    application = page.locator("details.submission").first
    expect(application.locator("summary")).to_contain_text("项目申报")
    name = application.locator("input[type=text]").first
    expect(name).to_have_value("社区居家养老服务")
    expect(name).not_to_be_editable()  # read-only: what was submitted stays as it was
    assert [e for e in page.console_errors if "favicon" not in e] == []
