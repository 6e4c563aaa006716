"""Rules across fields and stages in Chromium: the purchaser signing a ¥760,000 award types a ¥1,500,000
contract with a ¥100 payment plan and a term that ends before it starts; the amount is marked as it is
typed, the answer to submitting marks it with both broken rules and the term's end, nothing is completed,
and the corrected contract goes through."""

from __future__ import annotations

from typing import Any

import pytest
from document_samples import APPLICATION
from playwright.sync_api import Page, expect
from stage_drives import award_answers, drive

from engine.demo.driver import Driver
from engine.demo.seed import party_actor, shipped_bundle

pytestmark = pytest.mark.browser


def test_the_contract_must_stay_within_the_award_and_its_plan_add_up(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-RULES-1", actor="purchaser_urumqi")
    drive(engine, instance.id, award_answers(engine, APPLICATION), stop_at={"sign_contract"})
    (task,) = engine.open_tasks(instance.id)
    assert task.element_id == "sign_contract"
    person = party_actor(engine)(task)
    example = Driver(engine).answer(task)
    instalment = example["payment_plan"][0]
    draft = example | {
        "contract_amount": 1_500_000,
        "term_start": "2026-05-01",
        "term_end": "2026-04-30",
        "payment_plan": [{**instalment, "amount": 100}],
    }
    engine.save_draft(task.id, draft, actor=person)

    live_app.login(page, person)
    page.goto(f"{live_app.url}/tasks/{task.id}")
    page.wait_for_function("() => document.body.dataset.formReady === 'true'")
    amount = page.locator("#task-form .fjs-form-field-number").filter(has_text="合同金额").first
    amount.locator("input").fill("1500001")  # while typing, before any submit, the rule is marked
    expect(amount.locator(".fjs-form-field-error")).to_contain_text("合同金额不能超过中标/成交金额")
    assert engine.get_task(task.id).draft["contract_amount"] == 1_500_000  # checking saved nothing
    page.locator("#submit-task").click()
    expect(amount.locator(".fjs-form-field-error")).to_contain_text("合同金额不能超过中标/成交金额")
    expect(amount.locator(".fjs-form-field-error")).to_contain_text("付款计划各期金额合计应等于合同金额")
    term_end = page.locator("#task-form .fjs-form-field-datetime").filter(has_text="履约期限（止）")
    expect(term_end.locator(".fjs-form-field-error")).to_contain_text("不能早于开始日期")
    assert engine.get_task(task.id).state == "open"

    corrected = {
        "contract_amount": 760_000,
        "term_end": "2027-04-30",
        "payment_plan": [{**instalment, "amount": 760_000}],
    }
    engine.save_draft(task.id, draft | corrected, actor=person)
    page.reload()
    page.wait_for_function("() => document.body.dataset.formReady === 'true'")
    page.locator("#submit-task").click()
    page.wait_for_url(f"**/projects/{instance.id}")
    assert engine.get_task(task.id).state == "completed"
