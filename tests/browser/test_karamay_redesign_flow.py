"""Issue 20's Karamay redesign, by clicks and typing alone, timed. 克拉玛依's designer opens the review
stage's page and, without any API call or XML: makes room after the first review and drops an expert
review (专家评审) onto its flow, makes it a user task with a 5-working-day deadline, draws its form
(专家意见, 同意审核结论) in the form editor and links it, adds a gateway after it with a return path
back to the review when the expert disagrees, brings the stage's scenarios along in the table (and adds
one for the return), validates, acknowledges the warnings of the region's lifecycle scenarios (which
know no expert) and deploys — in well under the 10 minutes the issue allows. The new version is
Karamay's alone."""

from __future__ import annotations

import time
from typing import Any

import pytest
from designer_page import (
    add_answer,
    between,
    connect,
    diagram,
    drag_to_form,
    drop_from_palette,
    expect_tasks,
    fill_entry,
    make_space,
    name_field,
    name_it,
    new_form,
    open_group,
    open_modeler,
    replace_with,
    scenario,
    screen_box,
    selected,
)
from diagram_geometry import flows_crossed, orthogonal
from playwright.sync_api import Page, expect

from engine.definitions.versions import effective_files
from engine.demo.seed import shipped_bundle

pytestmark = pytest.mark.browser

REGION, URUMQI, KARAMAY = "650000", "650100", "650200"
REVIEW = "review_application"
OUTCOME = "gw_review_outcome"
EXPERT = "zhuan_jia_ping_shen"  # 专家评审, the id the modeler gives the name
GATEWAY = "zhuan_jia_shi_fou_tong_yi"  # 专家是否同意
BACK = "tui_hui_chong_shen"  # 退回重审, the return path
TEN_MINUTES = 600


def _add_expert_review(page: Page) -> None:
    review = screen_box(page, REVIEW)
    make_space(page, (between(page, REVIEW, OUTCOME)[0], review["y"] + review["height"] + 30), 330)
    drop_from_palette(page, "create.task", between(page, REVIEW, OUTCOME))
    name_it(page, "专家评审")
    expect(page.locator(f"#canvas .djs-element[data-element-id='{EXPERT}']")).to_have_count(1)
    replace_with(page, "replace-with-user-task")
    open_group(page, "servflow")
    fill_entry(page, "servflow-dueIn", "5")
    page.locator("#bio-properties-panel-servflow-dueUnit").select_option("workingDays")


def _draw_and_link_its_form(page: Page) -> None:
    new_form(page, "expert_review")
    drag_to_form(page, "textarea")
    name_field(page, "专家意见", "expert_opinion")
    drag_to_form(page, "checkbox")
    name_field(page, "同意审核结论", "expert_agrees")
    expect(page.locator("#form-editor .sf-form-preview")).to_contain_text("同意审核结论")
    page.click("#attach-form-btn")  # to the task still selected on the diagram
    expect(page.locator("#status")).to_contain_text("expert_review")
    page.click("#tabbtn-diagram")


def _add_return_path(page: Page) -> None:
    drop_from_palette(page, "create.exclusive-gateway", between(page, EXPERT, OUTCOME))
    open_group(page, "general")  # the gateway dropped there is selected
    fill_entry(page, "name", "专家是否同意")
    expect(page.locator(f"#canvas .djs-element[data-element-id='{GATEWAY}']")).to_have_count(1)
    connect(page, GATEWAY, REVIEW)
    open_group(page, "general")
    fill_entry(page, "name", "退回重审")
    assert selected(page) == [BACK]
    open_group(page, "condition")
    fill_entry(page, "servflow-condition", "not expert_agrees")
    page.mouse.click(*between(page, GATEWAY, OUTCOME))  # the flow on towards the review's outcome
    replace_with(page, "replace-with-default-flow")


def _bring_the_scenarios_along(page: Page) -> None:
    page.click("#tabbtn-scenarios")
    count = page.locator("#scenario-table .sf-scenario").count()
    for index in range(count):  # every scenario through the review now meets the expert, who agrees
        tasks = scenario(page, index).locator(".sf-scenario-tasks").input_value().replace(" ", "").split(",")
        if REVIEW in tasks:
            add_answer(page, index, EXPERT)
            at = tasks.index(REVIEW) + 1
            expect_tasks(page, index, [*tasks[:at], EXPERT, *tasks[at:]])
    page.locator("#scenario-table .sf-scenario-add").click()
    added = scenario(page, count)
    added.locator(".sf-scenario-name").fill("专家不同意，退回重审 / the expert disagrees: reviewed again")
    added.locator(".sf-scenario-start").fill("in_catalogue = true")
    added.locator(".sf-scenario-start").press("Tab")
    add_answer(page, count, REVIEW, "review_decision = approve")
    add_answer(page, count, EXPERT, "expert_agrees = false\nexpert_opinion = 预算测算依据不足")
    add_answer(page, count, REVIEW, "review_decision = approve")
    add_answer(page, count, EXPERT)
    expect_tasks(page, count, [REVIEW, EXPERT, REVIEW, EXPERT])
    page.click("#tabbtn-diagram")


def test_karamays_designer_adds_an_expert_review_with_form_deadline_and_return_path_by_clicks(
    live_app: Any, page: Page
) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), REGION, "test")
    region_review = engine.current_version("review", REGION).id
    live_app.login(page, "designer_karamay")

    started = time.monotonic()
    open_modeler(page, f"{live_app.url}/designer/{KARAMAY}/process/review")
    _add_expert_review(page)
    _draw_and_link_its_form(page)
    _add_return_path(page)
    _bring_the_scenarios_along(page)

    page.click("#validate-btn")
    expect(page.locator("#status")).to_contain_text("可以部署")
    expect(page.locator("#scenario-results li.fail")).to_have_count(0)
    warnings = page.locator("#scenario-results li.warn").count()  # the lifecycle's, which knows no expert
    page.fill("#deploy-comment", "增加专家评审（5个工作日），专家不同意时退回重审")
    page.click("#deploy-btn")
    if warnings:
        expect(page.locator("#status")).to_contain_text("其他流程的场景")
        page.click("#acknowledge-btn")
    expect(page.locator("#status")).to_contain_text("部署成功")
    expect(page.locator("#version-note")).not_to_contain_text("继承")
    elapsed = time.monotonic() - started

    assert elapsed < TEN_MINUTES, f"{elapsed:.0f} s"
    mine = engine.current_version("review", KARAMAY)
    assert mine.locality_code == KARAMAY
    assert mine.task_config[EXPERT]["form_key"] == "expert_review"
    assert mine.task_config[EXPERT]["role"] == "finance_reviewer"  # from the lane it was dropped in
    assert mine.task_config[EXPERT]["deadline"]["dueIn"] == "5"
    assert mine.task_config[EXPERT]["deadline"]["dueUnit"] == "workingDays"
    assert [c["key"] for c in mine.forms["expert_review"]["components"]] == ["expert_opinion", "expert_agrees"]
    with engine.unit_of_work() as uow:
        assert "not expert_agrees" in effective_files(uow.session, KARAMAY)[mine.source_file]
    assert engine.current_version("review", URUMQI).id == region_review  # the others keep the region's
    assert engine.current_version("review", REGION).id == region_review

    drawn = diagram(page)  # and the return path, drawn by a click, runs clear of the rest
    others = {name: points for name, points in drawn["flows"].items() if name != BACK}
    ends = [drawn["shapes"][GATEWAY], drawn["shapes"][REVIEW]]
    assert orthogonal(drawn["flows"][BACK])
    assert flows_crossed(drawn["flows"][BACK], others, ends) == []
