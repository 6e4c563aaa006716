"""Conditions and scripts are edited in the properties panel with the names they can use listed — the
fields of the forms filled before that point, then the rest of the project's data — and a name nothing
provides is flagged as it is typed; a script task's Python shows in its own field."""

from __future__ import annotations

from typing import Any

import pytest
from designer_page import open_group, open_modeler, select
from playwright.sync_api import Page, expect

from engine.demo.seed import shipped_bundle

pytestmark = pytest.mark.browser

URUMQI = "650100"


def test_a_condition_lists_its_names_and_flags_a_typo(live_app: Any, page: Page) -> None:
    live_app.engine.deploy(shipped_bundle(), "650000", "test")
    live_app.login(page, "designer_urumqi")
    open_modeler(page, f"{live_app.url}/designer/{URUMQI}/process/review")
    select(page, "Flow_gw_review_outcome_to_approve_outside_catalogue")
    open_group(page, "condition")
    help_text = page.locator(".sf-variables")
    expect(help_text.locator("div").first).to_contain_text("review_decision")  # the review form, just before
    expect(help_text.locator("div").nth(1)).to_contain_text("in_catalogue")  # the application, another stage
    field = page.locator("#bio-properties-panel-servflow-condition")
    field.fill("review_decision == 'approve' and not in_catalog")
    expect(page.locator("[data-entry-id='servflow-condition'] .bio-properties-panel-error")).to_contain_text(
        "in_catalog"
    )
    field.fill("review_decision == 'approve' and not in_catalogue")
    expect(page.locator("[data-entry-id='servflow-condition'] .bio-properties-panel-error")).to_have_count(0)

    open_modeler(page, f"{live_app.url}/designer/{URUMQI}/process/procure")
    select(page, "use_open_tender")
    open_group(page, "script")
    expect(page.locator("#bio-properties-panel-servflow-script")).to_have_value("procurement_method = 'open_tender'")
