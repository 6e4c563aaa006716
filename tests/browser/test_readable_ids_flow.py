"""An element the designer adds and names gets its id from its name (专家评审 → zhuan_jia_ping_shen), so
the scenarios, conditions and problems that name it read like the diagram; an id someone chose stays."""

from __future__ import annotations

from typing import Any

import pytest
from designer_page import open_group, open_modeler, select
from playwright.sync_api import Page, expect

from engine.demo.seed import shipped_bundle

pytestmark = pytest.mark.browser


def _ids(page: Page) -> list[str]:
    return page.evaluate(
        "() => window.servflowDesigner.bpmn.modeler.get('elementRegistry').filter((e) => e.type === 'bpmn:UserTask')"
        ".map((e) => e.id)"
    )


def test_a_named_new_task_takes_its_id_from_the_name(live_app: Any, page: Page) -> None:
    live_app.engine.deploy(shipped_bundle(), "650000", "test")
    live_app.login(page, "designer_karamay")
    open_modeler(page, f"{live_app.url}/designer/650200/process/review")
    new_id = page.evaluate(
        """() => {
            const modeler = window.servflowDesigner.bpmn.modeler;
            const registry = modeler.get('elementRegistry');
            const review = registry.get('review_application');
            const shape = modeler.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
            const at = { x: review.x + 60, y: review.y + 220 };
            return modeler.get('modeling').createShape(shape, at, review.parent).id;
        }"""
    )
    assert new_id.startswith("Activity_")
    select(page, new_id)
    open_group(page, "general")
    name = page.locator("#bio-properties-panel-name")
    name.fill("专家评审")
    name.press("Tab")
    expect(page.locator("#bio-properties-panel-id")).to_have_value("zhuan_jia_ping_shen")
    assert "zhuan_jia_ping_shen" in _ids(page)

    select(page, "review_application")  # an id chosen by someone keeps it, whatever the name becomes
    open_group(page, "general")
    page.locator("#bio-properties-panel-name").fill("财政审核（复核）")
    page.locator("#bio-properties-panel-name").press("Tab")
    expect(page.locator("#bio-properties-panel-id")).to_have_value("review_application")
