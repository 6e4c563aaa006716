"""A manager sees a task become overdue when time moves on, reassigns it, and the new assignee's inbox has it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import TABLET, LiveApp
from dashboard_seed import NOW, TODAY, seed, set_due
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def test_manager_reassigns_a_task_that_became_overdue(
    live_app: LiveApp, page: Page, browser: Browser, tmp_path: Path
) -> None:
    engine = live_app.engine
    seeded = seed(engine)
    review = seeded.tasks["P2"]  # 乌鲁木齐's finance review
    set_due(engine, seeded.tasks["P1"], TODAY + timedelta(days=20))
    set_due(engine, review, TODAY + timedelta(days=5))
    engine.claim(review, actor="finance_reviewer_urumqi")
    clock = live_app.app.extensions["servflow_engine"]
    clock.clock = lambda: NOW

    live_app.login(page, "manager_urumqi")
    page.goto(f"{live_app.url}/dashboard/")
    expect(page.locator("#total-overdue .number")).to_have_text("0")

    clock.clock = lambda: NOW + timedelta(days=6)  # the review was due five days after TODAY
    page.reload()
    expect(page.locator("#total-overdue .number")).to_have_text("1")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.click("#total-overdue")
    row = page.locator(f"#task-{review}")
    expect(row).to_contain_text("财政审定")
    expect(row.locator(".assignee")).to_contain_text("finance_reviewer_urumqi")
    expect(row).to_contain_text("逾期 1 天")
    row.locator('input[name="task_id"]').check()
    page.select_option("#assignee", "finance_reviewer2_urumqi")
    page.click("#reassign-submit")
    expect(page.locator(".flash.success")).to_contain_text("已将 1 个任务改派给")
    expect(page.locator(f"#task-{review} .assignee")).to_contain_text("finance_reviewer2_urumqi")
    assert engine.get_task(review).assignee == "finance_reviewer2_urumqi"

    # the heatmap marks the waiting step, overdue in red, on the bpmn-js diagram
    page.goto(f"{live_app.url}/dashboard/heatmap?process=apply")
    expect(page.locator("#heat-diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator(".sf-heat-overdue")).to_have_text("1")
    script_errors = [e for e in page.console_errors if "Failed to load resource" not in e]  # type: ignore[attr-defined]
    assert script_errors == []  # (the browser's own /favicon.ico request is a 404 that is not ours)

    tablet = browser.new_context(viewport=TABLET, locale="zh-CN")
    reviewer = tablet.new_page()
    live_app.login(reviewer, "finance_reviewer2_urumqi")
    reviewer.goto(f"{live_app.url}/inbox/")
    expect(reviewer.locator(f'[data-task-id="{review}"]').first).to_be_visible()
    expect(reviewer.locator(f'[data-task-id="{review}"]').first).to_contain_text("困难群众走访慰问")
    reviewer.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    tablet.close()
