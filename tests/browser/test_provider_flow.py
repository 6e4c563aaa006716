"""A provider in headless Chromium: it sees only the tasks of the contracts it won — not another provider's
of the same city — and submits its progress report (履约报告) through the form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engine.demo.driver import Driver
from engine.demo.seed import party_actor, shipped_bundle
from engine.service import Engine

pytestmark = pytest.mark.browser

WINNERS = {
    "WLMQ-P-001": ("社区助餐服务", "乌鲁木齐市爱心养老服务有限公司", "91650100MA8892759U"),  # provider_urumqi
    "WLMQ-P-002": ("食品抽检服务", "新疆博格达检验检测有限公司", "91650100MA4128147W"),  # provider2_urumqi
}


def _contract_at_report(engine: Engine, key: str) -> int:
    """A 乌鲁木齐 project awarded to the key's winner, driven by the demo people to the first progress report."""
    title, winner, code = WINNERS[key]
    instance = engine.start("lifecycle", locality="650100", business_key=key, actor="purchaser_urumqi", title=title)
    answers = {
        "submit_application": {"project_name": title, "department": "乌鲁木齐市民政局", "budget": 500_000,
                               "category": "basic_public", "in_catalogue": True, "catalogue_code": "A0101",
                               "proposed_method": "auto", "public_service": False},
        "record_bids": {"bid_count": 3},
        "confirm_winner": {"winner_name": winner, "winner_credit_code": code, "award_amount": 480_000},
        "sign_contract": {"contract_number": f"{key}-HT", "contract_amount": 480_000, "report_count": 2,
                          "payment_plan": [{"instalment_name": "全款", "pay_condition": "acceptance_passed",
                                            "amount": 480_000}]},
    }  # fmt: skip
    Driver(engine, actor=party_actor(engine)).run(instance.id, answers, stop_at={"submit_report"})
    (report,) = engine.open_tasks(instance.id)
    assert report.element_id == "submit_report"
    return report.id


def test_a_provider_sees_only_its_own_contracts_and_submits_a_progress_report(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    mine = _contract_at_report(engine, "WLMQ-P-001")
    theirs = _contract_at_report(engine, "WLMQ-P-002")

    live_app.login(page, "provider_urumqi")
    page.goto(f"{live_app.url}/inbox/?tab=group")
    rows = page.locator("#inbox-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("社区助餐服务")
    expect(page.locator("body")).not_to_contain_text("食品抽检服务")
    assert page.goto(f"{live_app.url}/tasks/{theirs}").status == 404
    page.goto(f"{live_app.url}/dashboard/register")
    expect(page.locator("body")).not_to_contain_text("食品抽检服务")

    page.goto(f"{live_app.url}/inbox/?tab=group")
    rows.first.get_by_role("button", name=re.compile("认领")).click()
    expect(page.locator(".flash")).to_contain_text("已认领")
    page.goto(f"{live_app.url}/tasks/{mine}")
    page.wait_for_function("document.body.dataset.formReady === 'true'")
    page.locator("#task-form .fjs-form-field-textfield input").first.fill("2026-03")
    areas = page.locator("#task-form .fjs-form-field-textarea textarea")
    areas.nth(0).fill("本期为辖区老人提供助餐服务3200人次，配送准时率98%。")
    areas.nth(1).fill("助餐台账：3200人次，回访120户。")
    page.locator("#task-form .fjs-form-field-checkbox input").check()
    with page.expect_response(lambda r: r.request.method == "POST" and f"/tasks/{mine}" in r.url) as answer:
        page.click("#submit-task")
    assert answer.value.status == 200, page.locator("#task-status").inner_text()
    page.wait_for_url("**/projects/*")  # the answer names who acts next, on the project's page
    expect(page.locator(".flash")).to_contain_text("任务已办结")
    expect(page.locator("#next-steps")).to_contain_text("乌鲁木齐市民政局")  # the purchaser reviews it

    done = engine.get_task(mine)
    assert (done.state, done.completed_by) == ("completed", "provider_urumqi")
    assert engine.task_data(mine)["progress_summary"].startswith("本期为辖区老人提供助餐服务")
    assert engine.get_task(theirs).state == "open", "the other provider's report is untouched"

    live_app.logout(page)
    live_app.login(page, "provider2_urumqi")
    page.goto(f"{live_app.url}/inbox/?tab=group")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("食品抽检服务")
