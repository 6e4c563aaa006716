"""克拉玛依's designer makes every approval go to the leader on the review stage's own page: the review's
scenarios, edited there, pass; the region's lifecycle scenarios that the change breaks are shown as
warnings, and one more click acknowledges them and deploys — no other page, no copy of the lifecycle."""

from __future__ import annotations

import json
from typing import Any

import pytest
from designer_page import add_answer, expect_tasks
from playwright.sync_api import Page, expect

from engine.demo.seed import shipped_bundle

pytestmark = pytest.mark.browser

KARAMAY = "650200"


def test_a_city_deploys_a_stage_change_acknowledging_the_lifecycle_warnings(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    live_app.login(page, "designer_karamay")
    page.goto(f"{live_app.url}/designer/{KARAMAY}/process/review")
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")
    page.evaluate(
        """() => {
            const modeler = window.servflowDesigner.bpmn.modeler;
            const flow = modeler.get('elementRegistry').get('Flow_gw_review_outcome_to_approve_outside_catalogue');
            const body = "review_decision == 'approve'";
            const condition = modeler.get('moddle').create('bpmn:FormalExpression', { body });
            modeler.get('modeling').updateProperties(flow, { conditionExpression: condition });
        }"""
    )
    page.click("#tabbtn-scenarios")  # the first scenario, in the table: now the leader approves too
    add_answer(page, 0, "approve_outside_catalogue")
    expect_tasks(page, 0, ["review_application", "approve_outside_catalogue"])
    own = json.loads(page.locator("#scenarios-text").input_value())["scenarios"][0]
    assert own["answers"]["approve_outside_catalogue"] == [{}]
    assert own["expect"]["tasks"] == ["review_application", "approve_outside_catalogue"]

    expect(page.locator("#acknowledge-btn")).to_be_hidden()  # only once there is something to acknowledge
    page.click("#deploy-btn")
    expect(page.locator("#status")).to_contain_text("其他流程的场景")
    expect(page.locator("#acknowledge-btn")).to_be_visible()
    expect(page.locator("#scenario-results li.warn").first).to_contain_text("lifecycle")
    expect(page.locator("#scenario-results li.fail")).to_have_count(0)
    assert engine.current_version("review", KARAMAY).locality_code == "650000"  # nothing deployed yet

    expect(page.locator("#version-note")).to_contain_text("继承")
    page.click("#acknowledge-btn")
    expect(page.locator("#status")).to_contain_text("review")
    version = engine.current_version("review", KARAMAY).version
    expect(page.locator("#version-note")).to_contain_text(str(version))  # the header follows the deploy
    expect(page.locator("#version-note")).not_to_contain_text("继承")
    assert engine.current_version("review", KARAMAY).locality_code == KARAMAY
