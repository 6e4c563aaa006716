"""A purchaser starts a project in Chromium by picking a service of the guidance catalogue: the list shows
the items in effect for the chosen locality, narrowed by what is typed, and the application opens with the
catalogue fields and the service category filled in from the item."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engine.demo.catalogue import seed_catalogue
from engine.demo.seed import shipped_bundle

pytestmark = pytest.mark.browser


def test_a_purchaser_starts_from_a_catalogue_item_and_lands_on_the_prefilled_application(
    live_app: Any, page: Page
) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    seed_catalogue(engine)

    live_app.login(page, "purchaser_urumqi")
    page.goto(f"{live_app.url}/projects/new")
    page.wait_for_function("() => document.body.dataset.startReady === 'true'")
    services = page.locator("#catalogue-select")
    expect(services.locator("option", has_text="E0304 老旧小区物业托管服务")).to_have_count(1)  # Urumqi's own
    expect(services.locator("option", has_text="A0104")).to_have_count(0)  # ended in 2024

    page.fill("#catalogue-search", "托管")
    expect(services.locator("option:not([hidden])")).to_have_count(2)  # the item, and 目录外服务 always
    services.select_option(label="E0304 老旧小区物业托管服务")
    page.fill("input[name=title]", "天山区老旧小区物业托管服务")
    page.click("#start-form button[type=submit]")

    page.wait_for_url("**/tasks/*")
    expect(page.locator(".flash, .notice").first).to_contain_text("请填写申报表")
    page.wait_for_function("() => document.body.dataset.formReady === 'true'")
    form = page.locator("#task-form")
    expect(form.get_by_label("项目名称")).to_have_value("天山区老旧小区物业托管服务")
    expect(form.get_by_label("属于政府购买服务指导性目录")).to_be_checked()
    expect(form.get_by_label("目录编码")).to_have_value("E0304")
    expect(form.get_by_label("服务类别（目录大类）")).to_have_value("政府履职辅助性服务")  # from category E
    assert [e for e in page.console_errors if "favicon" not in e] == []
