"""Everything a person sees in a form is in the page's language: in Chinese form-js's widgets and its own
messages (请选择, 必填, 添加一行) and dates written yyyy-MM-dd, the date picker's months in Chinese; after
switching to English, form-js's English words."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engine.demo.seed import shipped_bundle

pytestmark = pytest.mark.browser


def test_the_application_form_speaks_the_pages_language(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-LANG-1", actor="purchaser_urumqi")
    (task,) = engine.open_tasks(instance.id)
    engine.save_draft(task.id, {"period_start": "2026-03-01"}, actor="purchaser_urumqi")

    live_app.login(page, "purchaser_urumqi")
    page.goto(f"{live_app.url}/tasks/{task.id}")
    page.wait_for_function("() => document.body.dataset.formReady === 'true'")
    form = page.locator("#task-form")
    expect(form.locator(".fjs-form-field-select").first).to_contain_text("请选择")
    start = form.locator(".fjs-form-field-datetime").filter(has_text="服务期限（起）").locator("input").first
    expect(start).to_have_value("2026-03-01")  # not 2026/3/1
    start.click()
    expect(page.locator(".flatpickr-calendar.open .flatpickr-weekday").first).to_have_text("周日")
    page.keyboard.press("Escape")
    page.locator("#submit-task").click()  # the browser's own check first: required fields
    expect(form.locator(".fjs-form-field-error").first).to_contain_text("必填")
    assert "Field is required" not in form.inner_text()

    page.goto(f"{live_app.url}/lang/en?next=/tasks/{task.id}")
    page.wait_for_function("() => document.body.dataset.formReady === 'true'")
    expect(page.locator("#task-form .fjs-form-field-select").first).to_contain_text("Select")
    expect(page.locator("#task-form .fjs-form-field-datetime input").first).to_have_value("2026-03-01")
