"""A reviewer's day in headless Chromium: inbox, claim, form errors, completion, the next role's task."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from inbox_support import KARAMAY, URUMQI, deploy_approval, start
from playwright.sync_api import Page, expect

from support import fixture_bytes

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 800}
TABLET = {"width": 768, "height": 1024}


def open_form(page: Page) -> None:
    page.wait_for_function("document.body.dataset.formReady === 'true'")


def assert_no_horizontal_overflow(page: Page, shot: Path) -> None:
    page.screenshot(path=str(shot), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the window ({shot.name})"


def test_purchaser_claims_fixes_and_submits_then_finance_sees_the_review(
    live_app: Any, page: Page, tmp_path: Path
) -> None:
    deploy_approval(live_app.engine)
    mine = start(live_app.engine, URUMQI, "WLMQ-2026-001", "乌鲁木齐市社区居家养老服务项目")
    other = start(live_app.engine, KARAMAY, "KLMY-2026-001", "克拉玛依市社区居家养老服务项目")

    live_app.login(page, "purchaser_urumqi")
    page.goto(f"{live_app.url}/inbox/?tab=group")
    rows = page.locator("#inbox-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("WLMQ-2026-001")
    expect(page.locator("body")).not_to_contain_text("KLMY-2026-001")
    expect(page.locator("#tab-group .count")).to_have_text("1")

    page.fill("input[name=q]", "不存在的项目")
    page.click(".filters button[type=submit]")
    expect(page.locator("#inbox-empty")).to_be_visible()
    assert "q=" in page.url  # bookmarkable
    page.fill("input[name=q]", "WLMQ-2026")
    page.click(".filters button[type=submit]")
    expect(rows).to_have_count(1)

    rows.first.get_by_role("button", name=re.compile("认领")).click()
    expect(page.locator(".flash")).to_contain_text("已认领")
    expect(page.locator("#tab-mine .count")).to_have_text("1")
    page.click("#tab-mine")
    page.locator(f"tr[data-task-id='{mine.id}'] a.button.primary").click()
    page.wait_for_url(f"**/tasks/{mine.id}")
    open_form(page)

    page.fill("input[name=budget], .fjs-form-field-number input", "12.345")
    page.click("#submit-task")
    status = page.locator("#task-status")
    expect(status).to_contain_text("提交的内容有误")
    errors = page.locator(".fjs-form-field-error")
    expect(errors.filter(has_text="必填")).to_have_count(1)
    expect(errors.filter(has_text="最多 2 位小数")).to_have_count(1)
    expect(page.locator(".fjs-form-field-number input")).to_have_value("12.345")  # nothing typed is lost
    assert_no_horizontal_overflow(page, tmp_path / "task-laptop.png")

    page.locator(".fjs-form-field-textfield input").fill("乌鲁木齐市社区居家养老服务项目（二期）")
    page.locator(".fjs-form-field-number input").fill("3000000.50")
    expect(page.locator(".fjs-form-field-number input")).to_have_value("3000000.50")
    with page.expect_response(lambda r: r.request.method == "POST" and f"/tasks/{mine.id}" in r.url) as answer:
        page.click("#submit-task")
    assert answer.value.status == 200, (answer.value.status, page.locator("#task-status").inner_text())
    page.wait_for_url("**/projects/*")
    expect(page.locator(".flash")).to_contain_text("任务已办结：项目申报。下一步：大额项目审定")
    expect(page.locator("#next-steps")).to_contain_text("大额项目审定")
    expect(page.locator("#project-tasks tr[data-state='completed']")).to_contain_text("项目申报")
    page.goto(f"{live_app.url}/inbox/")
    expect(page.locator(f"tr[data-task-id='{mine.id}']")).to_have_count(0)
    expect(page.locator("#tab-mine .count")).to_have_text("0")
    expect(page.locator("#tab-done .count")).to_have_text("1")

    live_app.logout(page)
    live_app.login(page, "finance_reviewer_urumqi")
    page.goto(f"{live_app.url}/inbox/?tab=group")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("大额项目审定")
    expect(rows.first).to_contain_text("WLMQ-2026-001")
    assert_no_horizontal_overflow(page, tmp_path / "inbox-laptop.png")
    page.set_viewport_size(TABLET)
    assert_no_horizontal_overflow(page, tmp_path / "inbox-tablet.png")
    rows.first.locator("a.project").click()  # the project page, then its waiting task
    page.locator("#next-steps a", has_text="大额项目审定").click()
    expect(page.locator("#task-summary, .summary")).to_contain_text("¥3,000,000.50")
    expect(page.locator("#task-history")).to_contain_text("办结任务：项目申报")
    assert_no_horizontal_overflow(page, tmp_path / "review-tablet.png")

    page.goto(f"{live_app.url}/tasks/{other.id}")
    expect(page.locator("h1")).to_contain_text("出错了")  # 克拉玛依's task stays hidden
    page.set_viewport_size(LAPTOP)


def test_diagram_marks_done_and_current_steps(live_app: Any, page: Page, tmp_path: Path) -> None:
    live_app.engine.deploy(fixture_bytes("bpmn/approval_diagram.bpmn", "forms/application.form.json"), "650000")
    instance = live_app.engine.start("approval", locality="650000", business_key="XJ-2026-009", actor="seed")
    (apply,) = live_app.engine.open_tasks(instance.id)
    live_app.engine.complete(apply.id, {"project_name": "自治区非遗保护传承项目", "budget": 500000}, actor="seed")
    (review,) = live_app.engine.open_tasks(instance.id)

    live_app.login(page, "finance_reviewer_region")
    page.goto(f"{live_app.url}/tasks/{review.id}")
    page.wait_for_function("document.body.dataset.diagramReady === 'true'")
    expect(page.locator("#task-diagram [data-element-id='review_small'].sf-current")).to_have_count(1)
    expect(page.locator("#task-diagram [data-element-id='apply'].sf-done")).to_have_count(1)
    expect(page.locator("#task-comment")).to_be_visible()  # no form key: a comment and a button
    page.fill("#task-comment", "同意立项")
    page.screenshot(path=str(tmp_path / "diagram.png"), full_page=True)
    page.click("#submit-task")
    page.wait_for_url("**/projects/*")
    assert live_app.engine.get_instance(instance.id).status == "completed"
    expect(page.locator("#next-heading + p")).to_contain_text("项目已办结")
    page.wait_for_function("document.body.dataset.diagramReady === 'true'")
    expect(page.locator("#project-diagram-0 [data-element-id='review_small'].sf-done")).to_have_count(1)
    assert [e for e in page.console_errors if "favicon" not in e and "404" not in e] == []  # type: ignore[attr-defined]
