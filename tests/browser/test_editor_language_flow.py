"""The designer's editors speak the page's language: in Chinese the modeler's palette and context pad
(bpmn-js-i18n), its properties panel, the form editor's palette and the decision table editor; after
switching, their own English."""

from __future__ import annotations

from typing import Any

import pytest
from designer_page import open_modeler
from playwright.sync_api import Page, expect

from support import fixture_bytes

pytestmark = pytest.mark.browser

REGION, URUMQI = "650000", "650100"


def test_the_modeler_panel_and_decision_tables_are_in_chinese(live_app: Any, page: Page) -> None:
    files = fixture_bytes("designer/intake.bpmn", "forms/application.form.json", "designer/threshold.dmn")
    live_app.engine.deploy(files, REGION, deployed_by="region_designer")
    live_app.login(page, "designer_urumqi")
    url = f"{live_app.url}/designer/{URUMQI}/process/intake"
    open_modeler(page, url)
    expect(page.locator(".djs-palette [data-action='hand-tool']")).to_have_attribute("aria-label", "启动手动工具")
    page.locator(".djs-element[data-element-id='apply']").first.click()
    expect(page.locator(".djs-context-pad [data-action='append.gateway']")).to_have_attribute("title", "添加网关")
    expect(page.locator(".bio-properties-panel-group-header-title").first).to_have_text("常规")
    header_type = page.locator("#properties .bio-properties-panel-header-type")
    expect(header_type).to_have_text("用户任务")  # the panel asks for "User Task"
    page.locator(".djs-context-pad [data-action='replace']").click()
    expect(page.locator(".djs-popup-title")).to_have_text("更改元素")
    page.keyboard.press("Escape")

    page.click("#tabbtn-forms")
    page.fill("#new-form-key", "site_visit")
    page.click("#new-form-btn")
    palette = page.locator("#form-editor .fjs-palette")
    expect(palette).to_contain_text("单行文本")
    expect(palette).to_contain_text("文件上传")
    expect(palette).to_contain_text("下拉选择")  # the field type, not the placeholder's 请选择
    assert "Text field" not in palette.inner_text()

    page.click("#tabbtn-dmn")
    page.select_option("#dmn-pick", "threshold.dmn")
    expect(page.locator("#dmn-editor .tjs-table")).to_be_visible()
    expect(page.locator("#dmn-editor")).to_contain_text("命中策略")

    page.goto(f"{live_app.url}/lang/en?next=/designer/{URUMQI}/process/intake")
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")
    expect(page.locator(".djs-palette [data-action='hand-tool']")).to_have_attribute("aria-label", "Activate hand tool")
