"""The form editor explains more than names: in Chinese, what a field's 字段名 (key) is for, what the
validation entries do, what each palette item is for, and what servflow does with a custom property
(maxSizeMB, check, prefill …, or that it reads no such property); on English pages form-js's own words
and servflow's help in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from designer_page import FORM_PANEL, drag_to_form, new_form, open_group, open_modeler
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

KARAMAY = "650200"


def _open_file_field(page: Page) -> None:
    new_form(page, "site_visit")
    drag_to_form(page, "filepicker")
    open_group(page, "general", FORM_PANEL)


def _add_custom_property(page: Page, key: str) -> Any:
    custom = page.locator(f"{FORM_PANEL} [data-group-id='group-custom-values']")
    custom.locator(".bio-properties-panel-add-entry").click()
    name = page.locator(f"{FORM_PANEL} #bio-properties-panel-property-0-key")
    name.fill(key)
    name.press("Tab")
    return custom.locator("[data-entry-id='property-0-key'] .bio-properties-panel-description")


def test_the_form_editor_explains_the_key_validation_palette_and_servflow_properties(live_app: Any, page: Page) -> None:
    live_app.login(page, "designer_karamay")
    url = f"{live_app.url}/designer/{KARAMAY}/new?key=site_visit"
    open_modeler(page, url)
    _open_file_field(page)
    panel = page.locator(FORM_PANEL)

    key = panel.locator("[data-entry-id='key'] .bio-properties-panel-description")
    expect(key).to_contain_text("字段名：流程用这个名字保存填写的值")
    open_group(page, "validation", FORM_PANEL)
    expect(panel.locator("[data-entry-id='required'] .bio-properties-panel-description")).to_contain_text("必须填写")
    palette = page.locator("#form-editor .fjs-palette-field[data-field-type='filepicker']")
    expect(palette).to_have_attribute("title", re.compile("maxSizeMB、maxFiles"))
    picker = page.locator("#form-editor .fjs-form-field-filepicker")  # as the form will show it
    expect(picker.locator(".fjs-filepicker-button")).to_have_text("选择文件")
    expect(picker).to_contain_text("未选择文件")

    help_text = _add_custom_property(page, "colour")
    expect(help_text).to_contain_text("Servflow 不读取这个属性")  # and what it does read
    expect(help_text).to_contain_text("maxSizeMB")
    name = panel.locator("#bio-properties-panel-property-0-key")
    name.fill("maxSizeMB")
    name.press("Tab")
    expect(help_text).to_have_text("文件上传：每个文件最大多少 MB（默认 20，最多 200）")
    name.fill("check2")
    name.press("Tab")
    expect(help_text).to_contain_text("规则：提交时必须成立的表达式")

    page.goto(f"{live_app.url}/lang/en?next=/designer/{KARAMAY}/new?key=site_visit")
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")
    _open_file_field(page)
    key = panel.locator("[data-entry-id='key'] .bio-properties-panel-description")
    expect(key).to_have_text("Binds to a form variable")
    expect(page.locator("#form-editor .fjs-filepicker-button")).to_have_text("Browse")
    expect(_add_custom_property(page, "maxFiles")).to_contain_text("File picker: how many files at most")
