"""A submission the task's form refuses changes nothing: the engine answers per field and keeps its state."""

from __future__ import annotations

import pytest
from lifecycle_helpers import application

from engine.demo.driver import Driver
from engine.errors import InvalidDataError
from engine.service import Engine
from support import systems_agree


def test_invalid_application_is_refused_per_field_and_changes_nothing(driver: Driver, shipped: Engine) -> None:
    project = shipped.start("lifecycle", locality="650200", business_key="BAD-1", actor="purchaser_karamay")
    (task,) = shipped.open_tasks(project.id)
    before = shipped.get_instance(project.id)
    events_before = shipped.history(project.id)
    bad = {
        **driver.answer(task, application()),
        "project_name": "",
        "budget": "一百万",
        "category": "not_a_category",
        "period_start": "2025-02-30",
        "target_satisfaction": 120,
    }

    with pytest.raises(InvalidDataError) as refused:
        shipped.complete(task.id, bad, actor="purchaser_karamay")

    errors = refused.value.errors
    assert set(errors) == {"project_name", "budget", "category", "period_start", "target_satisfaction"}
    assert errors["project_name"] == ["必填 / Required"]
    assert all(messages and all(" / " in m for m in messages) for messages in errors.values()), "zh / en per field"
    after = shipped.get_instance(project.id)
    assert (after.state, after.lock_version, after.stage, after.summary) == (
        before.state, before.lock_version, before.stage, before.summary,
    )  # fmt: skip
    still = shipped.get_task(task.id)
    assert (still.state, still.completed_by, still.lock_version) == ("open", None, task.lock_version)
    assert [t.id for t in shipped.open_tasks(project.id)] == [task.id]
    assert [e.id for e in shipped.history(project.id)] == [e.id for e in events_before], "no audit event"
    assert after.error is None, "a refused submission is the user's mistake, not a process failure"

    shipped.complete(task.id, driver.answer(task, application()), actor="purchaser_karamay")
    systems_agree(shipped, project.id)
    assert [t.element_id for t in shipped.open_tasks(project.id)] == ["review_application"]


def test_invalid_item_in_a_list_names_its_row(driver: Driver, shipped: Engine) -> None:
    project = shipped.start("lifecycle", locality="650100", business_key="BAD-2", actor="purchaser_urumqi")
    scenario = {"submit_application": application(), "record_bids": {"bid_count": 2}}
    driver.run(project.id, scenario, stop_at={"sign_contract"})
    (task,) = shipped.open_tasks(project.id)
    plan = [{"instalment_name": "首期款", "pay_condition": "none", "amount": 1000.005}, {"instalment_name": ""}]

    with pytest.raises(InvalidDataError) as refused:
        shipped.complete(task.id, {**driver.answer(task), "payment_plan": plan}, actor="purchaser_urumqi")

    errors = refused.value.errors
    assert "payment_plan[0].amount" in errors and "payment_plan[1].instalment_name" in errors
    assert shipped.get_task(task.id).state == "open"
    assert shipped.get_instance(project.id).stage == "sign"
