"""Driving the designer page in Chromium: open it, select a diagram element, open a properties group."""

from __future__ import annotations

from playwright.sync_api import Page


def open_modeler(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")


def select(page: Page, element_id: str) -> None:
    page.evaluate(
        """(id) => {
            const modeler = window.servflowDesigner.bpmn.modeler;
            modeler.get('selection').select(modeler.get('elementRegistry').get(id));
        }""",
        element_id,
    )


def open_group(page: Page, group: str) -> None:
    """Expand a properties-panel group (the panel keeps only "General" open by default)."""
    box = page.locator(f".bio-properties-panel-group[data-group-id='group-{group}']")
    if "open" not in (box.locator(".bio-properties-panel-group-entries").get_attribute("class") or ""):
        box.locator(".bio-properties-panel-group-header").click()
