"""Each stage process, run on its own in memory, reaches its end along every branch.

User tasks are completed with data built from their own forms (see ``conftest.Run.complete``), so
these runs also prove that the forms write the keys the gateways read.
"""

from __future__ import annotations

from typing import Any

import pytest

CLEAN_CODE = "91650100MA7AB1C2DQ"  # not on the sample blacklist
BANNED_CODE = "91650100MA77XY8124"  # banned 2024-03-01 .. 2027-02-28 in conftest.SAMPLE_BANS
EXPIRED_CODE = "91650200MA79ABC341"  # ban ended 2024-12-31

PROJECT = {
    "locality": "650000",
    "project_name": "社区居家养老服务",
    "budget": 500000,
    "category": "basic_public",
    "proposed_method": "auto",
}


def finished(run: Any, end: str) -> None:
    assert run.workflow.is_completed(), f"still waiting at {run.ready()}"
    assert end in run.ended_at()


# --------------------------------------------------------------------------- apply


@pytest.mark.parametrize(("public_service", "tasks"), [(True, 2), (False, 1)])
def test_apply(start: Any, public_service: bool, tasks: int) -> None:
    run = start("apply", locality="650000")
    run.complete("submit_application", public_service=public_service)
    if public_service:
        run.complete("solicit_public_comment")
    finished(run, "apply_end")
    assert len(run.done) == tasks
    assert run.data["budget_confirmed"] is True


# --------------------------------------------------------------------------- review


@pytest.mark.parametrize("decision", ["approve", "return", "reject"])
def test_review_in_catalogue(start: Any, decision: str) -> None:
    run = start("review", in_catalogue=True)
    run.complete("review_application", review_decision=decision)
    finished(run, "review_end")
    assert run.data["review_decision"] == decision


@pytest.mark.parametrize("leader", ["approve", "return", "reject"])
def test_review_outside_catalogue_needs_the_leader(start: Any, leader: str) -> None:
    run = start("review", in_catalogue=False)
    run.steps(("review_application", {"review_decision": "approve"}),
              ("approve_outside_catalogue", {"review_decision": leader}))  # fmt: skip
    finished(run, "review_end")
    assert run.data["review_decision"] == leader


def test_review_returned_outside_catalogue_skips_the_leader(start: Any) -> None:
    run = start("review", in_catalogue=False)
    run.complete("review_application", review_decision="return")
    finished(run, "review_end")


# --------------------------------------------------------------------------- procure

AWARD_STEPS: tuple[Any, ...] = (
    "evaluate_bids",
    ("confirm_winner", {"winner_credit_code": CLEAN_CODE}),
    "review_qualification",
    "publish_award",
)


@pytest.mark.parametrize(
    ("locality", "proposed", "budget", "category", "method", "needs_approval"),
    [
        ("650000", "auto", 500000, "basic_public", "consultation", False),
        ("650000", "auto", 500000, "auxiliary", "inquiry", False),
        ("650100", "auto", 2000000, "technical", "open_tender", False),
        ("650204", "auto", 3500000.5, "auxiliary", "open_tender", False),
        ("999999", "open_tender", 10000, "other", "open_tender", False),
        ("650000", "negotiation", 300000, "technical", "negotiation", False),
        ("650200", "invited_tender", 2500000, "technical", "invited_tender", True),
        ("650000", "single_source", 1999999.99, "other", "single_source", False),
    ],
)
def test_procurement_method_decision(
    start: Any, locality: str, proposed: str, budget: float, category: str, method: str, needs_approval: bool
) -> None:
    run = start(
        "procure", **{**PROJECT, "locality": locality, "budget": budget, "category": category,
                      "proposed_method": proposed},
    )  # fmt: skip
    assert run.data == {} and run.ready() == ["approve_method" if needs_approval else "publish_intent"]
    task_data = run.workflow.get_tasks(spec_name=run.ready()[0])[0].data
    assert task_data["tender_threshold"] == 2000000
    assert task_data["procurement_method"] == method


def test_procure_below_threshold(start: Any) -> None:
    run = start("procure", **PROJECT)
    run.steps("publish_intent", "publish_notice", ("record_bids", {"bid_count": 2}), *AWARD_STEPS)
    finished(run, "procure_end")
    assert run.data["procurement_method"] == "consultation"
    assert run.data["min_bidders"] == 2
    assert run.data["provider_banned"] is False
    assert run.data["winner_credit_code"] == CLEAN_CODE


def test_procure_single_source_above_threshold_approved(start: Any) -> None:
    run = start("procure", **{**PROJECT, "budget": 3000000, "proposed_method": "single_source"})
    run.steps(("approve_method", {"method_decision": "approve"}), "publish_intent",
              "publicize_single_source", "publish_notice", ("record_bids", {"bid_count": 1}), *AWARD_STEPS)  # fmt: skip
    finished(run, "procure_end")
    assert run.data["procurement_method"] == "single_source"


def test_procure_non_tender_above_threshold_denied_means_open_tender(start: Any) -> None:
    run = start("procure", **{**PROJECT, "budget": 3000000, "proposed_method": "negotiation"})
    run.steps(("approve_method", {"method_decision": "deny"}), "publish_intent", "publish_notice",
              ("record_bids", {"bid_count": 3}), *AWARD_STEPS)  # fmt: skip
    finished(run, "procure_end")
    assert run.data["procurement_method"] == "open_tender"


def test_procure_failed_then_reprocured(start: Any) -> None:
    run = start("procure", **PROJECT)
    run.steps("publish_intent", "publish_notice", ("record_bids", {"bid_count": 1}),
              ("handle_failure", {"failure_action": "reprocure"}),
              "publish_notice", ("record_bids", {"bid_count": 2}), *AWARD_STEPS)  # fmt: skip
    finished(run, "procure_end")
    assert run.count("publish_notice") == 2


def test_procure_failed_then_method_switched(start: Any) -> None:
    run = start("procure", **{**PROJECT, "budget": 2500000})
    switch = ("handle_failure", {"failure_action": "switch_method", "new_method": "single_source"})
    run.steps("publish_intent", "publish_notice", ("record_bids", {"bid_count": 2}),
              switch, ("approve_method_change", {"method_decision": "deny"}),
              switch, ("approve_method_change", {"method_decision": "approve"}),
              "publicize_single_source", "publish_notice", ("record_bids", {"bid_count": 1}),
              *AWARD_STEPS)  # fmt: skip
    finished(run, "procure_end")
    assert run.data["procurement_method"] == "single_source"
    assert run.count("handle_failure") == 2


def test_procure_banned_winner_goes_to_next_candidate(start: Any) -> None:
    run = start("procure", **PROJECT)
    run.steps("publish_intent", "publish_notice", ("record_bids", {"bid_count": 3}), "evaluate_bids",
              ("confirm_winner", {"winner_credit_code": BANNED_CODE}),
              ("review_qualification", {"credit_check_date": "2025-06-30"}))  # fmt: skip
    assert run.ready() == ["handle_failure"]
    assert run.workflow.get_tasks(spec_name="handle_failure")[-1].data["provider_banned"] is True
    run.steps(("handle_failure", {"failure_action": "next_candidate"}), *AWARD_STEPS[1:])
    finished(run, "procure_end")
    assert run.count("confirm_winner") == 2


@pytest.mark.parametrize(
    ("code", "check_date", "banned"),
    [
        (BANNED_CODE, "2024-02-29", False),
        (BANNED_CODE, "2024-03-01", True),
        (BANNED_CODE, "2027-02-28", True),
        (BANNED_CODE, "2027-03-01", False),
        (EXPIRED_CODE, "2024-12-31", True),
        (EXPIRED_CODE, "2025-01-01", False),
        (CLEAN_CODE, "2025-01-01", False),
    ],
)
def test_blacklist_ban_periods(start: Any, code: str, check_date: str, banned: bool) -> None:
    run = start("procure", **PROJECT)
    run.steps("publish_intent", "publish_notice", ("record_bids", {"bid_count": 3}), "evaluate_bids",
              ("confirm_winner", {"winner_credit_code": code}),
              ("review_qualification", {"credit_check_date": check_date}))  # fmt: skip
    assert run.ready() == (["handle_failure"] if banned else ["publish_award"])


def test_procure_unqualified_winner(start: Any) -> None:
    run = start("procure", **PROJECT)
    run.steps("publish_intent", "publish_notice", ("record_bids", {"bid_count": 3}), "evaluate_bids",
              "confirm_winner", ("review_qualification", {"qualification_result": "fail"}),
              ("handle_failure", {"failure_action": "next_candidate"}), *AWARD_STEPS[1:])  # fmt: skip
    finished(run, "procure_end")


# --------------------------------------------------------------------------- sign

AWARD = {"award_date": "2025-03-03", "winner_name": "某社会组织", "winner_credit_code": CLEAN_CODE}
SIGNED = ("sign_contract", "announce_contract", "file_contract")


def test_sign_accepted(start: Any) -> None:
    run = start("sign", **AWARD)
    run.complete("confirm_signing", signing_response="accept")
    run.complete("sign_contract")
    assert sorted(run.ready()) == ["announce_contract", "file_contract"], "announced and filed in parallel"
    run.steps("file_contract", "announce_contract")
    finished(run, "sign_end")
    assert run.data["sign_outcome"] == "signed"


def test_sign_refused_then_next_candidate_signs(start: Any) -> None:
    run = start("sign", **AWARD)
    run.steps(("confirm_signing", {"signing_response": "refuse", "refusal_reason": "无法履约"}),
              ("handle_refusal", {"refusal_action": "next_candidate", "winner_name": "第二候选人",
                                  "winner_credit_code": EXPIRED_CODE, "credit_check_date": "2025-03-10"}),
              ("confirm_signing", {"signing_response": "accept"}), *SIGNED)  # fmt: skip
    finished(run, "sign_end")
    assert run.data["winner_name"] == "第二候选人"


@pytest.mark.parametrize("candidate", [{"winner_credit_code": BANNED_CODE}, {}])
def test_sign_banned_or_unnamed_candidate_then_reprocure(start: Any, candidate: dict[str, Any]) -> None:
    run = start("sign", **AWARD)
    run.steps(("confirm_signing", {"signing_response": "refuse"}),
              ("handle_refusal", {"refusal_action": "next_candidate", "credit_check_date": "2025-03-10",
                                  "winner_credit_code": None, **candidate}))  # fmt: skip
    assert run.ready() == ["handle_refusal"], "a banned or missing candidate is never offered the contract"
    run.complete("handle_refusal", refusal_action="reprocure")
    finished(run, "sign_end_reprocure")
    assert run.data["sign_outcome"] == "reprocure"


# --------------------------------------------------------------------------- supervise


def test_supervise_one_report_per_period_with_rework(start: Any) -> None:
    run = start("supervise", report_count=3)
    run.steps("submit_report", "review_report",
              "submit_report", ("review_report", {"report_review_result": "rework"}),
              "submit_report", "review_report",
              "submit_report", "review_report")  # fmt: skip
    finished(run, "supervise_end")
    assert run.data["report_index"] == 3
    assert run.count("submit_report") == 4


def test_supervise_three_year_monthly_contract(start: Any) -> None:
    run = start("supervise", report_count=36)
    for _ in range(36):
        run.steps("submit_report", "review_report")
    finished(run, "supervise_end")
    assert run.data["report_index"] == 36


# --------------------------------------------------------------------------- accept


def test_accept_first_time(start: Any) -> None:
    run = start("accept")
    run.steps("collect_recipient_opinions", ("inspect_service", {"acceptance_result": "pass"}),
              "announce_acceptance")  # fmt: skip
    finished(run, "accept_end")


def test_accept_after_rectification(start: Any) -> None:
    run = start("accept")
    fail = ("inspect_service", {"acceptance_result": "fail", "rectification_requirements": "补齐台账"})
    run.steps("collect_recipient_opinions", fail, "rectify", fail, "rectify",
              ("inspect_service", {"acceptance_result": "pass"}), "announce_acceptance")  # fmt: skip
    finished(run, "accept_end")
    assert run.count("rectify") == 2
    assert run.data["acceptance_result"] == "pass"


# --------------------------------------------------------------------------- evaluate


def indicator(weight: float, score: float, dimension: str = "output") -> dict[str, Any]:
    return {"indicator_name": "服务人次", "dimension": dimension, "weight": weight,
            "indicator_target": "1000", "indicator_actual": "980", "score": score}  # fmt: skip


@pytest.mark.parametrize(
    ("indicators", "total", "grade"),
    [
        ([indicator(100, 90)], 90, "优"),
        ([indicator(100, 89.99)], 89.99, "良"),
        ([indicator(50, 40, "output"), indicator(30, 25, "effect"), indicator(20, 15, "satisfaction")], 80, "良"),
        ([indicator(100, 79.99)], 79.99, "中"),
        ([indicator(100, 60)], 60, "中"),
        ([indicator(100, 59.99)], 59.99, "差"),
        ([indicator(50, 45)], 90, "优"),  # weights not adding up to 100 are scaled
        ([indicator(10, 30), indicator(90, 50)], 60, "中"),  # a score above its weight counts as the weight
    ],
)
def test_evaluate_grades(start: Any, indicators: list[dict[str, Any]], total: float, grade: str) -> None:
    run = start("evaluate")
    run.steps(("plan_evaluation", {"evaluation_mode": "self"}),
              ("self_evaluation", {"indicators": indicators}), "confirm_evaluation")  # fmt: skip
    finished(run, "evaluate_end")
    assert run.data["total_score"] == total
    assert run.data["evaluation_grade"] == grade


def test_evaluate_by_third_party(start: Any) -> None:
    run = start("evaluate")
    run.steps(("plan_evaluation", {"evaluation_mode": "third_party", "evaluator_name": "某评估中心"}),
              ("third_party_evaluation", {"indicators": [indicator(100, 92)]}),
              ("confirm_evaluation", {"total_score": 10, "evaluation_grade": "差"}))  # fmt: skip
    finished(run, "evaluate_end")
    assert (run.data["total_score"], run.data["evaluation_grade"]) == (92, "优"), "readonly fields are kept"


# --------------------------------------------------------------------------- pay


def instalment(name: str, condition: str, amount: float) -> dict[str, Any]:
    return {"instalment_name": name, "pay_condition": condition, "amount": amount}


def test_pay_instalments_by_condition(start: Any) -> None:
    plan = [instalment("预付款", "none", 30000), instalment("进度款", "acceptance_passed", 50000.5),
            instalment("尾款", "evaluation_passed", 19999.5)]  # fmt: skip
    run = start("pay", payment_plan=plan, acceptance_result="pass", evaluation_grade="差",
                acceptance_date="2025-12-01")  # fmt: skip
    paid = ("submit_invoice", "request_payment", "record_payment")
    run.steps(*paid, *paid, ("withhold_instalment", {"withheld_amount": 19999.5}))
    finished(run, "pay_end")
    assert run.data["instalment_index"] == 3
    assert run.count("record_payment") == 2


@pytest.mark.parametrize(("acceptance", "grade", "paid"), [("pass", "中", 2), ("fail", "优", 1)])
def test_pay_conditions(start: Any, acceptance: str, grade: str, paid: int) -> None:
    plan = [instalment("验收款", "acceptance_passed", 1000), instalment("尾款", "evaluation_passed", 1000)]
    run = start("pay", payment_plan=plan, acceptance_result=acceptance, evaluation_grade=grade)
    while run.ready():
        run.complete(run.ready()[0])
    finished(run, "pay_end")
    assert run.count("record_payment") == paid
    assert run.count("withhold_instalment") == 2 - paid


def test_pay_nothing_planned(start: Any) -> None:
    run = start("pay", payment_plan=[])
    finished(run, "pay_end")


# --------------------------------------------------------------------------- lifecycle


def test_lifecycle_rejected(start: Any) -> None:
    run = start("lifecycle", locality="650000")
    run.steps(("submit_application", {"public_service": False}),
              ("review_application", {"review_decision": "reject"}))  # fmt: skip
    finished(run, "lifecycle_end_rejected")
    assert "lifecycle_end" not in run.ended_at()


def test_lifecycle_end_to_end_with_return_and_reprocurement(start: Any) -> None:
    run = start("lifecycle", locality="650200")
    application = {"public_service": False, "budget": 800000, "category": "technical", "in_catalogue": True}
    procurement = ("publish_intent", "publish_notice", ("record_bids", {"bid_count": 3}), *AWARD_STEPS)
    run.steps(
        ("submit_application", application),
        ("review_application", {"review_decision": "return", "review_opinion": "补充绩效目标"}),
        ("submit_application", application),
        ("review_application", {"review_decision": "approve"}),
        *procurement,
        ("confirm_signing", {"signing_response": "refuse"}),
        ("handle_refusal", {"refusal_action": "reprocure"}),
        *procurement,
        ("confirm_signing", {"signing_response": "accept"}),
        ("sign_contract", {"report_count": 2, "payment_plan": [instalment("全款", "acceptance_passed", 800000)]}),
        "announce_contract", "file_contract",
        "submit_report", "review_report", "submit_report", "review_report",
        "collect_recipient_opinions", ("inspect_service", {"acceptance_result": "pass"}), "announce_acceptance",
        "plan_evaluation", ("self_evaluation", {"indicators": [indicator(100, 85)]}), "confirm_evaluation",
        "submit_invoice", "request_payment", "record_payment",
    )  # fmt: skip
    finished(run, "lifecycle_end")
    assert run.data["procurement_method"] == "consultation"
    assert run.data["evaluation_grade"] == "良"
    assert run.count("publish_notice") == 2
