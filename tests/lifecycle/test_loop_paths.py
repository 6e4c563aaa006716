"""Every loop and exit of the lifecycle, driven through the Engine API on persisted state.

Each test runs a project up to the loop, takes it round, and checks what a person would see: which
task is waiting for whom, what the project's figures say, and what the audit trail and the public
announcements recorded.
"""

from __future__ import annotations

from typing import Any

import pytest
from lifecycle_helpers import (
    SECOND_CODE,
    application,
    completed_events,
    contract,
    disclosures,
    elements,
    indicator,
    instalment,
    winner,
)

from engine.demo.driver import Driver
from engine.demo.seed import demo_username
from engine.service import Engine

AWARD = 760_000


def start(engine: Engine, key: str, locality: str = "650100") -> int:
    return engine.start("lifecycle", locality=locality, business_key=key, actor=demo_username("purchaser", locality)).id


def waiting(engine: Engine, instance_id: int) -> list[tuple[str, str | None]]:
    return [(t.element_id, t.role) for t in engine.open_tasks(instance_id)]


def through_signing(**extra: Any) -> dict[str, Any]:
    """A consultation project (800,000, below the threshold) that gets as far as it is allowed to."""
    return {
        "submit_application": application(),
        "record_bids": {"bid_count": 2},
        "confirm_winner": winner(amount=AWARD),
        "sign_contract": contract(AWARD),
        **extra,
    }


def test_review_returns_for_revision_then_approves(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-RETURN")
    scenario = {
        "submit_application": [application(budget=900_000), application(budget=850_000)],
        "review_application": [{"review_decision": "return", "review_opinion": "请补充绩效目标并核减预算"}, {}],
    }
    steps = driver.run(instance_id, scenario, stop_at={"publish_intent"})

    assert elements(steps) == ["submit_application", "review_application"] * 2
    assert waiting(shipped, instance_id) == [("publish_intent", "purchaser")]
    project = shipped.get_instance(instance_id)
    assert (project.stage, project.summary["budget"]) == ("procure", 850_000), "the revised application counts"
    events = completed_events(shipped, instance_id)
    assert events[1].data["review_opinion"] == "请补充绩效目标并核减预算"
    assert [e.data["budget"] for e in events if e.element_id == "submit_application"] == [900_000, 850_000]


def test_rejected_application_ends_the_project(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-REJECT")
    reject = {"review_decision": "reject", "review_opinion": "不属于政府购买服务范围"}
    steps = driver.run(instance_id, {"submit_application": application(), "review_application": reject})

    assert elements(steps) == ["submit_application", "review_application"]
    project = shipped.get_instance(instance_id)
    assert (project.status, project.stage) == ("completed", None)
    assert "procurement_method" not in project.summary
    assert disclosures(shipped, instance_id) == [], "nothing is announced for a rejected project"
    assert shipped.history(instance_id)[-1].action == "completed"


def test_outside_catalogue_needs_the_manager(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-OUTSIDE")
    steps = driver.run(
        instance_id,
        {"submit_application": application(in_catalogue=False, catalogue_code=None)},
        stop_at={"publish_intent"},
    )
    assert elements(steps) == ["submit_application", "review_application", "approve_outside_catalogue"]
    assert steps[-1].actor == "manager_urumqi"


def test_too_few_bids_then_reprocured(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-REPROCURE")
    scenario = through_signing(
        record_bids=[{"bid_count": 1}, {"bid_count": 3}],
        handle_failure={"failure_action": "reprocure", "failure_reason": "响应供应商不足两家"},
    )
    steps = driver.run(instance_id, scenario, stop_at={"confirm_signing"})

    assert elements(steps)[2:] == [
        "publish_intent", "publish_notice", "record_bids", "handle_failure",
        "publish_notice", "record_bids", "evaluate_bids", "confirm_winner", "review_qualification", "publish_award",
    ]  # fmt: skip
    assert waiting(shipped, instance_id) == [("confirm_signing", "provider")]
    assert [d.kind for d in disclosures(shipped, instance_id)] == ["intent", "result"], "intent announced once"


def test_failed_procurement_switches_method_only_with_approval(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-SWITCH")
    switch = {"failure_action": "switch_method", "new_method": "negotiation", "failure_reason": "公开招标流标"}
    scenario = through_signing(
        submit_application=application(budget=2_500_000, category="technical"),
        record_bids=[{"bid_count": 2}, {"bid_count": 3}],
        handle_failure=switch,
        approve_method_change=[{"method_decision": "deny", "method_opinion": "理由不充分"},
                               {"method_decision": "approve", "approval_doc_no": "乌财购〔2025〕8号"}],
    )  # fmt: skip
    steps = driver.run(instance_id, scenario, stop_at={"evaluate_bids"})

    assert elements(steps)[2:] == [
        "publish_intent", "publish_notice", "record_bids",
        "handle_failure", "approve_method_change", "handle_failure", "approve_method_change",
        "publish_notice", "record_bids",
    ]  # fmt: skip
    assert [s.actor for s in steps if s.element_id == "approve_method_change"] == ["finance_reviewer_urumqi"] * 2
    assert shipped.task_data(shipped.open_tasks(instance_id)[0].id)["procurement_method"] == "negotiation"
    driver.run(instance_id, scenario, stop_at={"confirm_signing"})
    assert shipped.get_instance(instance_id).summary["procurement_method"] == "negotiation"
    (result,) = [d for d in disclosures(shipped, instance_id) if d.kind == "result"]
    assert result.data["procurement_method"] == "negotiation"


@pytest.mark.parametrize("action", ["next_candidate", "reprocure"])
def test_winner_refuses_to_sign(driver: Driver, shipped: Engine, action: str) -> None:
    instance_id = start(shipped, f"LOOP-REFUSE-{action}")
    second = {"winner_name": "新疆丝路社会服务有限公司", "winner_credit_code": SECOND_CODE, "award_amount": 780_000}
    scenario = through_signing(
        confirm_signing=[{"signing_response": "refuse", "refusal_reason": "人员无法到位"}, {}],
        handle_refusal={"refusal_action": action, "credit_check_date": "2025-04-02",
                        **(second if action == "next_candidate" else {})},
        sign_contract=contract(780_000),
    )  # fmt: skip
    steps = driver.run(instance_id, scenario, stop_at={"submit_report"})

    names = elements(steps)
    assert names[names.index("handle_refusal") - 1 :].count("confirm_signing") == 2
    if action == "next_candidate":
        assert names.count("publish_award") == 1
        (announced,) = [d for d in disclosures(shipped, instance_id) if d.kind == "contract"]
        assert (announced.data["winner_name"], announced.data["contract_amount"]) == (second["winner_name"], 780_000)
    else:
        assert names.count("publish_award") == 2, "a new procurement round follows the refusal"
        assert names[names.index("handle_refusal") + 1] == "publish_intent"
    assert shipped.get_instance(instance_id).stage == "supervise"


def test_supervision_reports_with_a_rework(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-REPORTS")
    scenario = through_signing(
        sign_contract=contract(AWARD, reports=3),
        submit_report=[{"report_period": f"第{n}期"} for n in (1, 2, 2, 3)],
        review_report=[{}, {"report_review_result": "rework", "report_review_opinion": "台账不全"}, {}, {}],
    )
    driver.run(instance_id, scenario, stop_at={"submit_report"})
    steps = driver.run(instance_id, scenario, stop_at={"collect_recipient_opinions"})

    assert elements(steps) == ["submit_report", "review_report"] * 4
    assert [s.actor for s in steps[:2]] == ["provider_urumqi", "purchaser_urumqi"]
    periods = [
        e.data["report_period"] for e in completed_events(shipped, instance_id) if e.element_id == "submit_report"
    ]
    assert periods == ["第1期", "第2期", "第2期", "第3期"]
    assert shipped.get_instance(instance_id).stage == "accept"


def test_failed_acceptance_is_rectified_and_inspected_again(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-RECTIFY")
    fail = {"acceptance_result": "fail", "rectification_requirements": "补齐服务台账"}
    scenario = through_signing(inspect_service=[fail, {"acceptance_result": "pass", "acceptance_date": "2025-12-20"}])
    driver.run(instance_id, scenario, stop_at={"collect_recipient_opinions"})
    steps = driver.run(instance_id, scenario, stop_at={"plan_evaluation"})

    assert elements(steps) == [
        "collect_recipient_opinions", "inspect_service", "rectify", "inspect_service", "announce_acceptance",
    ]  # fmt: skip
    assert steps[2].actor == "provider_urumqi", "the provider rectifies"
    (announced,) = [d for d in disclosures(shipped, instance_id) if d.kind == "acceptance"]
    assert (announced.data["acceptance_result"], announced.data["acceptance_date"]) == ("pass", "2025-12-20")


def test_instalments_paid_by_condition_with_one_withheld(driver: Driver, shipped: Engine) -> None:
    instance_id = start(shipped, "LOOP-PAY")
    plan = [instalment("预付款", "none", 228_000), instalment("验收款", "acceptance_passed", 380_000),
            instalment("尾款", "evaluation_passed", 152_000)]  # fmt: skip
    scenario = through_signing(
        sign_contract=contract(AWARD, plan=plan),
        self_evaluation={"indicators": [indicator(100, 55)]},  # 55 → 差: the last instalment is withheld
        record_payment=[{"paid_amount": 228_000}, {"paid_amount": 380_000}],
        withhold_instalment={"withhold_reason": "绩效评价为差", "withheld_amount": 152_000},
    )
    driver.run(instance_id, scenario, stop_at={"submit_invoice"})
    steps = driver.run(instance_id, scenario)

    assert elements(steps) == ["submit_invoice", "request_payment", "record_payment"] * 2 + ["withhold_instalment"]
    assert [s.actor for s in steps[:3]] == ["provider_urumqi", "purchaser_urumqi", "finance_reviewer_urumqi"]
    project = shipped.get_instance(instance_id)
    assert project.status == "completed"
    events = completed_events(shipped, instance_id)
    assert sum(e.data["paid_amount"] for e in events if e.element_id == "record_payment") == 608_000
    assert events[-1].data["withheld_amount"] == 152_000


def test_three_year_monthly_supervision(driver: Driver, shipped: Engine) -> None:
    """36 monthly reports: the project moves on, and month 36 costs no more state than month 2."""
    instance_id = start(shipped, "LOOP-36")
    scenario = through_signing(sign_contract={**contract(AWARD, reports=36), "report_frequency": "monthly"})
    driver.run(instance_id, scenario, stop_at={"submit_report"})
    sizes = []
    for _ in range(36):
        driver.run(instance_id, scenario, limit=2)
        sizes.append(len(shipped.get_instance(instance_id).state))
    assert waiting(shipped, instance_id) == [("collect_recipient_opinions", "recipient")]
    assert len([e for e in completed_events(shipped, instance_id) if e.element_id == "review_report"]) == 36
    assert max(sizes[1:-1]) <= sizes[1] * 1.1, f"state grew with history: {sizes}"
