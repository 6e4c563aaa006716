"""A manager registers a provider by clicks in Chromium; a wrong credit code is shown on its field first."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from engine.formats.credit_code import compose_credit_code

pytestmark = pytest.mark.browser

CODE = compose_credit_code("52650100", "MA7GK3L2")


def test_a_manager_registers_a_provider_in_the_browser(live_app, page: Page) -> None:
    live_app.login(page, "manager_urumqi")
    page.click("nav >> text=机构名录")
    page.wait_for_url("**/organizations/")
    form = page.locator("#register-form")
    form.locator("select[name=kind]").select_option("provider")
    form.locator("select[name=locality]").select_option("650100")
    form.locator("input[name=name]").fill("乌鲁木齐市助老服务中心")
    form.locator("input[name=credit_code]").fill(CODE[:-1] + ("0" if CODE[-1] != "0" else "1"))
    form.locator("button[type=submit]").click()
    assert "校验位错误" in page.locator('[data-field="credit_code"]').inner_text()
    assert page.locator("#register-form input[name=name]").input_value() == "乌鲁木齐市助老服务中心"

    page.locator("#register-form input[name=credit_code]").fill(CODE.lower())
    page.locator("#register-form button[type=submit]").click()
    row = page.locator("#organizations tr", has_text="乌鲁木齐市助老服务中心")
    assert CODE in row.inner_text() and "承接主体" in row.inner_text()
    # the refused form came back as a 422 page, which Chromium logs; nothing else may have failed
    assert [e for e in page.console_errors if "422" not in e] == []
