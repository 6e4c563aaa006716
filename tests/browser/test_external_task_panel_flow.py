"""A service task is done by a worker of another system; the designer sets its topic and limits in the
properties panel's 外部任务 group. A new service task opens the group and asks for its topic; a topic
or a duration the engine would refuse is flagged as it is typed, in the engine's own words; what the
panel writes is what the engine reads; validating a service task still without a topic shows the
engine's refusal on that element. In English the group speaks English, and a Camunda model's
``camunda:topic`` counts as the topic."""

from __future__ import annotations

import re
from typing import Any

import pytest
from designer_page import drop_from_palette, open_modeler, replace_with, screen_box, selected
from lxml import etree
from playwright.sync_api import Locator, Page, expect

from engine.demo.seed import shipped_bundle
from engine.spiff.service_tasks import read_external
from support import FIXTURES

pytestmark = pytest.mark.browser

REGION, URUMQI = "650000", "650100"
REVIEW = f"/designer/{URUMQI}/process/review"
OTHER_OUTCOMES = "Flow_gw_review_outcome_to_gw_review_join"  # the review's default way on
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
MISSING_TOPIC = "服务任务没有主题：请在属性面板填写“外部任务主题”(servflow:topic)"


def _open_review(live_app: Any, page: Page, path: str = REVIEW) -> None:
    live_app.engine.deploy(shipped_bundle(), REGION, "test")
    live_app.login(page, "designer_urumqi")
    open_modeler(page, f"{live_app.url}{path}")


def _new_service_task(page: Page) -> str:
    """Drop a task from the palette on the review's 其他 flow (bpmn-js puts it into the flow), type its
    name, change it into a service task; its id (from the name: he_dui_zi_jin)."""
    flow = screen_box(page, OTHER_OUTCOMES)
    drop_from_palette(page, "create.task", (flow["x"] + flow["width"] * 0.3, flow["y"] + flow["height"] / 2))
    page.keyboard.type("核对资金")  # the new task's label is being edited
    page.keyboard.press("Enter")
    replace_with(page, "replace-with-service-task")
    [task] = selected(page)
    assert _neighbours(page, task) == {"from": ["gw_review_outcome"], "to": ["gw_review_join"]}
    return task


def _neighbours(page: Page, element_id: str) -> dict[str, list[str]]:
    return page.evaluate(
        """(id) => {
            const node = window.servflowDesigner.bpmn.modeler.get('elementRegistry').get(id).businessObject;
            const ends = (flows, end) => flows.map((flow) => flow[end].id);
            return { from: ends(node.get('incoming'), 'sourceRef'), to: ends(node.get('outgoing'), 'targetRef') };
        }""",
        element_id,
    )


def _entry(page: Page, name: str) -> Locator:
    return page.locator(f"[data-entry-id='servflow-{name}']")


def _problem_of(page: Page, name: str) -> Locator:
    return _entry(page, name).locator(".bio-properties-panel-error")


def _exported_task(page: Page, element_id: str) -> Any:
    """The service task in the XML the designer page validates and deploys (the modeler's saveXML)."""
    xml = page.evaluate("() => window.servflowDesigner.bpmn.getXML()")
    [node] = [n for n in etree.fromstring(xml.encode("utf-8")).iter(f"{BPMN}serviceTask") if n.get("id") == element_id]
    return node


def _validate(page: Page) -> None:
    page.click("#validate-btn")
    expect(page.locator("#status")).not_to_have_text("正在校验…")
    expect(page.locator("#status")).not_to_be_empty()


def test_a_new_service_task_asks_for_its_topic_and_its_settings_are_what_the_engine_reads(
    live_app: Any, page: Page
) -> None:
    _open_review(live_app, page)
    task = _new_service_task(page)

    group = page.locator(".bio-properties-panel-group[data-group-id='group-externalTask']")
    expect(group.locator(".bio-properties-panel-group-header-title")).to_have_text("外部任务")
    expect(group.locator(".bio-properties-panel-group-entries")).to_have_class(re.compile(r"\bopen\b"))
    expect(_entry(page, "topic").locator("label")).to_have_text("外部任务主题")
    expect(_entry(page, "retries").locator("label")).to_have_text("重试次数")
    expect(_problem_of(page, "topic")).to_contain_text(MISSING_TOPIC)  # asked for before anything is typed

    topic = page.locator("#bio-properties-panel-servflow-topic")
    topic.fill("budget check")
    expect(_problem_of(page, "topic")).to_contain_text("外部任务主题 'budget check' 只能含字母、数字和 . _ - :")
    topic.fill("budget.check")
    expect(_problem_of(page, "topic")).to_have_count(0)
    retries = page.locator("#bio-properties-panel-servflow-retries")
    retries.fill("0")
    expect(_problem_of(page, "retries")).to_contain_text("重试次数 '0' 应为 1–100 的整数")
    retries.fill("5")
    expect(_problem_of(page, "retries")).to_have_count(0)
    lock = page.locator("#bio-properties-panel-servflow-lockDuration")
    lock.fill("5 minutes")
    expect(_problem_of(page, "lockDuration")).to_contain_text("lockDuration '5 minutes' 不是 ISO 8601 时长（如 PT5M）")
    lock.fill("PT10M")
    expect(_problem_of(page, "lockDuration")).to_have_count(0)
    page.locator("#bio-properties-panel-servflow-retryBackoff").fill("PT2M")
    page.locator("#bio-properties-panel-servflow-outputs").fill("budget_available:boolean, budget_line:string")
    page.locator("#bio-properties-panel-servflow-outputs").press("Tab")

    _validate(page)
    expect(page.locator("#problems li.problem.error")).to_have_count(0)
    expect(page.locator("#scenario-results li").first).to_be_visible()  # scenarios ran: the bundle parsed
    assert read_external(_exported_task(page, task)) == {
        "topic": "budget.check",
        "retries": "5",
        "lockDuration": "PT10M",
        "retryBackoff": "PT2M",
        "outputs": "budget_available:boolean, budget_line:string",
    }


def test_validating_a_service_task_without_a_topic_shows_the_engines_refusal_on_it(live_app: Any, page: Page) -> None:
    _open_review(live_app, page)
    task = _new_service_task(page)
    asked = _problem_of(page, "topic").inner_text()

    _validate(page)
    problem = page.locator(f"#problems li.problem.error[data-element='{task}']")
    expect(problem).to_contain_text(MISSING_TOPIC)
    expect(problem).to_contain_text(asked)  # the panel asked in the engine's words
    expect(problem.get_by_role("button")).to_have_text(task)
    expect(page.locator(f"g.djs-element.sf-problem[data-element-id='{task}']")).to_have_count(1)
    assert "topic" not in _exported_task(page, task).attrib


def test_in_english_the_group_reads_english_and_a_camunda_topic_is_the_topic(live_app: Any, page: Page) -> None:
    _open_review(live_app, page, f"/lang/en?next={REVIEW}")
    page.set_input_files("#open-file", str(FIXTURES / "designer" / "external_tasks.bpmn"))
    page.wait_for_function("() => !!window.servflowDesigner.bpmn.modeler.get('elementRegistry').get('pay')")

    page.locator(".djs-element[data-element-id='check_budget']").first.click()
    group = page.locator(".bio-properties-panel-group[data-group-id='group-externalTask']")
    expect(group.locator(".bio-properties-panel-group-header-title")).to_have_text("External task")
    expect(_entry(page, "topic").locator("label")).to_have_text("External task topic")
    expect(_entry(page, "lockDuration").locator("label")).to_have_text("Lock duration")
    shown = {"topic": "budget.check", "retries": "2", "lockDuration": "PT1M", "retryBackoff": "PT2M"}
    for name, value in shown.items():
        expect(page.locator(f"#bio-properties-panel-servflow-{name}")).to_have_value(value)

    # cam:type="external" cam:topic="treasury.pay": Camunda's namespace under another prefix
    page.locator(".djs-element[data-element-id='pay']").first.click()
    expect(_entry(page, "topic")).to_contain_text("Empty: the Camunda/Flowable topic treasury.pay applies")
    expect(_problem_of(page, "topic")).to_have_count(0)
