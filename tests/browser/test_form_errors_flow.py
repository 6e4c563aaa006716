"""An error the server finds in a repeating list is marked on its row: the panel ranks two candidates, the
second with a 统一社会信用代码 whose check character is wrong (the pattern passes in the browser, the GB 32100
check on the server does not); the answer marks that row's code field — not the first row's — and says so."""

from __future__ import annotations

from typing import Any

import pytest
from document_samples import APPLICATION
from playwright.sync_api import Page, expect
from stage_drives import award_answers, drive

from engine.demo.driver import Driver
from engine.demo.seed import party_actor, shipped_bundle

pytestmark = pytest.mark.browser


def test_a_bad_code_in_the_second_candidate_is_marked_on_that_row(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-ROWS-1", actor="purchaser_urumqi")
    drive(engine, instance.id, award_answers(engine, APPLICATION), stop_at={"evaluate_bids"})
    (task,) = engine.open_tasks(instance.id)
    good = Driver(engine).answer(task)
    first = good["candidates"][0]
    code = first["credit_code"]
    wrong = {
        **first,
        "candidate_rank": 2,
        "supplier_name": "第二候选人",
        "credit_code": code[:-1] + ("0" if code[-1] != "0" else "1"),
    }
    engine.save_draft(task.id, {**good, "candidates": [first, wrong]}, actor=party_actor(engine)(task))

    live_app.login(page, party_actor(engine)(task))
    page.goto(f"{live_app.url}/tasks/{task.id}")
    page.wait_for_function("() => document.body.dataset.formReady === 'true'")
    page.locator("#submit-task").click()
    rows = page.locator("#task-form .fjs-repeat-row-container")
    expect(rows.nth(1).locator(".fjs-form-field-error")).to_contain_text("校验")
    expect(rows.nth(0).locator(".fjs-form-field-error")).to_have_count(0)
    assert engine.get_task(task.id).state == "open"
