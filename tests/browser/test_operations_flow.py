"""A manager finds a project stuck on a budget system that kept failing, corrects it and retries it from
the operations page; the project shows what it waits for, and the worker's next answer moves it on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import LiveApp
from playwright.sync_api import Page, expect

from engine.commands.external_tasks import TopicRequest
from support import fixture_bytes

pytestmark = pytest.mark.browser
CHECK = [TopicRequest("budget.check", timedelta(minutes=1))]


def stuck_project(live_app: LiveApp) -> int:
    engine = live_app.engine
    engine.deploy(fixture_bytes("bpmn/budget_check.bpmn"), "650000")
    project = engine.start(
        "budget_check", locality="650100", business_key="OPS-1", data={"amount": 1200, "divisor": 1}
    ).id
    (task,) = engine.fetch_and_lock("budget-1", CHECK, actor="budget-system")
    engine.fail_external(task["id"], "budget-1", message="预算系统无响应", details="HTTP 503", retries=0, actor="x")
    return project


def test_a_manager_retries_an_incident_with_corrected_variables(live_app: LiveApp, page: Page) -> None:
    project = stuck_project(live_app)
    live_app.login(page, "manager_urumqi")

    page.goto(f"{live_app.url}/dashboard/")
    expect(page.locator("#total-incidents .number")).to_have_text("1")
    page.click("#total-incidents")
    expect(page.locator("h1")).to_contain_text("运行事件")
    incident = page.locator("article.incident").first
    expect(incident).to_contain_text("预算系统无响应")
    expect(incident).to_contain_text("外部任务失败")
    expect(incident).to_contain_text("budget.check")

    expect(page.locator("#filter-locality option[value='650100']")).to_have_count(1)  # where incidents are
    expect(page.locator("#filter-process option[value='budget_check']")).to_have_count(1)
    page.fill("#filter-error", "没有这个错误")
    page.click(".ops-filters button[type=submit]")
    expect(page.locator("#no-incidents")).to_be_visible()
    page.goto(f"{live_app.url}/operations/")

    incident.locator("details.edit-variables summary").click()
    textarea = incident.locator("details.edit-variables textarea")
    expect(textarea).to_contain_text('"amount": 1200')
    textarea.fill("{not json")
    incident.locator("button.retry-with-variables").click()
    expect(page.locator(".flash.error")).to_contain_text("变量不是有效的 JSON")

    incident = page.locator("article.incident").first
    incident.locator("details.edit-variables summary").click()
    incident.locator("details.edit-variables textarea").fill('{"amount": 900}')
    incident.locator("button.retry-with-variables").click()
    expect(page.locator(".flash.success")).to_contain_text("已重试")
    expect(page.locator("#no-incidents")).to_be_visible()

    page.goto(f"{live_app.url}/projects/{project}")
    expect(page.locator("#waiting-systems")).to_contain_text("核对预算指标")
    expect(page.locator("#project-incidents")).to_have_count(0)

    (task,) = live_app.engine.fetch_and_lock("budget-1", CHECK, actor="budget-system")
    assert task["variables"]["amount"] == 900
    live_app.engine.complete_external(task["id"], "budget-1", {"budget_available": False}, actor="budget-system")
    page.reload()
    expect(page.locator("#next-steps")).to_contain_text("调整预算")
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_cancelling_needs_a_reason_and_other_cities_managers_see_nothing(live_app: LiveApp, page: Page) -> None:
    project = stuck_project(live_app)
    live_app.login(page, "manager_karamay")
    page.goto(f"{live_app.url}/operations/")
    expect(page.locator("#no-incidents")).to_be_visible()
    live_app.logout(page)

    live_app.login(page, "manager_urumqi")
    page.goto(f"{live_app.url}/operations/")
    incident = page.locator("article.incident").first
    incident.locator(".cancel-form input[name=reason]").fill("预算已撤销")
    incident.locator(".cancel-form button").click()
    expect(page.locator(".flash.success")).to_contain_text("已取消")
    assert live_app.engine.get_instance(project).status == "cancelled"
    page.goto(f"{live_app.url}/operations/?state=resolved")
    expect(page.locator("article.incident .resolution")).to_have_text("已取消项目")
