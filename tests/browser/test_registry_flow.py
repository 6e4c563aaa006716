"""A finance reviewer blacklists a provider by clicks in Chromium: a period ending before it starts is shown
on its field with what was typed kept; the ban then shows on the provider's entry, on the public
disclosure page without signing in, and to the provider's own people."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

BOGEDA = "新疆博格达检验检测有限公司"
BOGEDA_CODE = "91650100MA4128147W"


def test_finance_blacklists_a_provider_and_the_public_sees_it(live_app, page: Page) -> None:
    live_app.login(page, "finance_reviewer_urumqi")
    page.click("nav >> text=承接主体名录")
    page.wait_for_url("**/providers/")
    page.locator("input[name=q]").fill("博格达")
    page.locator("form.filters button[type=submit]").click()
    page.locator("#providers a", has_text=BOGEDA).click()
    assert "正常" in page.locator("#standing").inner_text()

    form = page.locator("#ban-form")
    form.locator("input[name=reason]").fill("围标串标")
    form.locator("input[name=source]").fill("乌财采处〔2026〕9号")
    form.locator("input[name=starts_on]").fill("2026-06-01")
    form.locator("input[name=ends_on]").fill("2026-05-01")
    form.locator("button[type=submit]").click()
    assert "结束日期不能早于开始日期" in page.locator('#ban-form [data-field="ends_on"]').inner_text()
    assert page.locator("#ban-form input[name=reason]").input_value() == "围标串标"

    page.locator("#ban-form input[name=starts_on]").fill("2026-01-01")
    page.locator("#ban-form input[name=ends_on]").fill("2099-12-31")
    page.locator("#ban-form button[type=submit]").click()
    assert "黑名单中（至2099-12-31）" in page.locator("#standing").inner_text()
    assert "围标串标" in page.locator("#blacklist").inner_text()

    live_app.logout(page)
    page.goto(f"{live_app.url}/public/")
    row = page.locator("#blacklist tr", has_text=BOGEDA)
    assert BOGEDA_CODE in row.inner_text() and "围标串标" in row.inner_text()
    assert "2026-01-01 至 2099-12-31" in row.inner_text()

    live_app.login(page, "provider2_urumqi")  # 博格达's own staff
    page.click("nav >> text=承接主体名录")
    assert page.locator("#providers tbody tr").count() == 1
    page.locator("#providers a", has_text=BOGEDA).click()
    assert "围标串标" in page.locator("#standing").inner_text()
    assert page.locator("#ban-form").count() == 0
    assert [e for e in page.console_errors if "422" not in e] == []
