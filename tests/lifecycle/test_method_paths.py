"""One project per procurement method, from 项目申报 to the last 经费兑付, through the Engine API only.

Each run checks what a finance bureau would audit afterwards: the project is completed with the right
figures, every task was done by the party the rules name, in the order the rules require, with the
data that person submitted, and the announcements the law requires were published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from lifecycle_helpers import (
    CLEAN_CODE,
    ROLE_OF,
    application,
    assert_actors_hold_roles,
    completed_events,
    contract,
    disclosures,
    elements,
    indicator,
    instalment,
    winner,
)
from sqlalchemy import select

from engine.demo.driver import Driver
from engine.demo.seed import demo_username, seed_users
from engine.service import Engine
from engine.store.models import CreditRecord, Notification, Organization


@dataclass(frozen=True)
class MethodPath:
    method: str
    locality: str
    budget: int
    category: str
    proposed: str
    bids: int
    needs_approval: bool = False
    public_service: bool = False
    third_party: bool = False


PATHS = [
    MethodPath("open_tender", "650100", 3_500_000, "technical", "auto", 3, third_party=True),
    MethodPath("invited_tender", "650200", 2_500_000, "technical", "invited_tender", 3, needs_approval=True),
    MethodPath("negotiation", "650000", 900_000, "technical", "negotiation", 3),
    MethodPath("consultation", "650100", 600_000, "basic_public", "auto", 2, public_service=True),
    MethodPath("inquiry", "650200", 300_000, "auxiliary", "auto", 3),
    MethodPath("single_source", "650000", 1_500_000, "other", "single_source", 1),
]


def expected_tasks(path: MethodPath) -> list[str]:
    """The user tasks of this path in order, as the rules require them."""
    return [
        "submit_application",
        *(["solicit_public_comment"] if path.public_service else []),
        "review_application",
        *(["approve_method"] if path.needs_approval else []),
        "publish_intent",
        *(["publicize_single_source"] if path.method == "single_source" else []),
        "publish_notice", "record_bids", "evaluate_bids", "confirm_winner", "review_qualification", "publish_award",
        "confirm_signing", "sign_contract", "announce_contract", "file_contract",
        "submit_report", "review_report", "submit_report", "review_report",
        "collect_recipient_opinions", "inspect_service", "announce_acceptance",
        "plan_evaluation", "third_party_evaluation" if path.third_party else "self_evaluation", "confirm_evaluation",
        "submit_invoice", "request_payment", "record_payment",
        "submit_invoice", "request_payment", "record_payment",
    ]  # fmt: skip


def scenario(path: MethodPath, award: float) -> dict[str, Any]:
    evaluation = {"indicators": [indicator(60, 55), indicator(40, 32, "satisfaction")]}  # 87 → 良
    return {
        "submit_application": application(
            budget=path.budget, category=path.category, proposed_method=path.proposed,
            method_reason=None if path.proposed == "auto" else "专业性强，潜在供应商有限",
            public_service=path.public_service,
        ),
        "approve_method": {"method_decision": "approve", "approval_doc_no": "新财购〔2025〕12号"},
        "publicize_single_source": {"single_source_supplier": "新疆天山社会工作服务中心"},
        "record_bids": {"bid_count": path.bids},
        "confirm_winner": winner(amount=award),
        "sign_contract": contract(award, plan=[instalment("首期款", "none", round(award * 0.4, 2)),
                                               instalment("验收款", "acceptance_passed", round(award * 0.6, 2))]),
        "plan_evaluation": {"evaluation_mode": "third_party" if path.third_party else "self",
                            "evaluator_name": "新疆绩效评价中心" if path.third_party else None},
        "self_evaluation": evaluation,
        "third_party_evaluation": evaluation,
    }  # fmt: skip


@pytest.mark.parametrize("path", PATHS, ids=[p.method for p in PATHS])
def test_procurement_method_path_end_to_end(shipped: Engine, driver: Driver, path: MethodPath) -> None:
    award = round(path.budget * 0.95, 2)
    key = f"E2E-{path.method}"
    instance = shipped.start(
        "lifecycle", locality=path.locality, business_key=key, actor=demo_username("purchaser", path.locality)
    )
    answers = scenario(path, award)
    steps = driver.run(instance.id, answers, stop_at={"confirm_evaluation"})
    (confirm,) = shipped.open_tasks(instance.id)
    shown = shipped.task_data(confirm.id)
    assert (shown["total_score"], shown["evaluation_grade"]) == (87, "良"), "the grade the purchaser confirms"
    steps += driver.run(instance.id, answers)

    assert elements(steps) == expected_tasks(path)
    done = shipped.get_instance(instance.id)
    assert (done.status, done.stage, done.error) == ("completed", None, None)
    summary = done.summary
    assert (summary["project_name"], done.department) == ("社区居家养老服务", "乌鲁木齐市民政局")
    assert summary["budget"] == path.budget
    assert summary["procurement_method"] == path.method
    assert summary["contract_amount"] == award
    assert summary["total_score"] == 87
    assert summary["evaluation_grade"] == "良"

    history = shipped.history(instance.id)
    assert [e.action for e in history][:1] == ["started"] and history[-1].action == "completed"
    events = completed_events(shipped, instance.id)
    assert [e.element_id for e in events] == expected_tasks(path)
    assert [e.actor for e in events] == [demo_username(ROLE_OF[e.element_id], path.locality) for e in events]
    assert [e.human_task_id for e in events] == [s.task_id for s in steps]
    submitted = events[0].data
    assert (submitted["budget"], submitted["proposed_method"]) == (path.budget, path.proposed)
    signing = next(e for e in events if e.element_id == "sign_contract")
    assert signing.data["contract_amount"] == award and len(signing.data["payment_plan"]) == 2
    assert_actors_hold_roles(shipped, steps, path.locality)

    published = disclosures(shipped, instance.id)
    kinds = ["intent", *(["single_source"] if path.method == "single_source" else []), "result", "contract",
             "acceptance"]  # fmt: skip
    assert [d.kind for d in published] == kinds
    assert all(d.locality_code == path.locality and d.data["business_key"] == key for d in published)
    by_kind = {d.kind: d.data for d in published}
    assert by_kind["intent"]["budget"] == path.budget
    assert by_kind["result"]["procurement_method"] == path.method
    assert (by_kind["result"]["winner_name"], by_kind["result"]["award_amount"]) == ("新疆天山社会工作服务中心", award)
    assert by_kind["contract"]["contract_amount"] == award
    assert by_kind["acceptance"]["acceptance_result"] == "pass"
    assert shipped.open_tasks(instance.id) == []

    with shipped.unit_of_work() as uow:  # the evaluation entered the winner's credit record, once
        records = uow.session.scalars(select(CreditRecord).where(CreditRecord.instance_id == instance.id)).all()
        winner_id = uow.session.scalar(select(Organization.id).where(Organization.credit_code == CLEAN_CODE))
        assert [(r.organization_id, r.grade, r.score, r.source) for r in records] == [(winner_id, "良", 87, "evaluate")]


def test_a_breach_grade_enters_the_credit_record_and_tells_the_finance_bureau(shipped: Engine, driver: Driver) -> None:
    seed_users(shipped)  # the demo people and organizations: 克拉玛依市财政局 and its reviewers
    path = next(p for p in PATHS if p.method == "inquiry")  # 克拉玛依
    instance = shipped.start("lifecycle", locality=path.locality, business_key="E2E-BREACH",
                             actor=demo_username("purchaser", path.locality))  # fmt: skip
    answers = scenario(path, 280_000)
    answers["self_evaluation"] = {"indicators": [indicator(60, 30), indicator(40, 20, "satisfaction")]}  # 50 → 差
    driver.run(instance.id, answers, stop_at={"submit_invoice"})

    with shipped.unit_of_work() as uow:
        (record,) = uow.session.scalars(select(CreditRecord).where(CreditRecord.instance_id == instance.id)).all()
        assert (record.grade, record.score) == ("差", 50)
        told = uow.session.scalars(select(Notification).where(Notification.instance_id == instance.id)).all()
    breach = sorted(n.recipient for n in told if n.kind == "credit_breach")
    assert breach == ["finance_reviewer2_karamay", "finance_reviewer_karamay", "manager_karamay"]  # 克拉玛依市财政局
    subject = next(n.subject for n in told if n.kind == "credit_breach")
    assert "新疆天山社会工作服务中心" in subject and "社区居家养老服务" in subject and "差" in subject


def test_an_acceptance_failed_again_after_rectifying_tells_the_finance_bureau(shipped: Engine, driver: Driver) -> None:
    seed_users(shipped)
    path = next(p for p in PATHS if p.method == "inquiry")  # 克拉玛依
    instance = shipped.start("lifecycle", locality=path.locality, business_key="E2E-RECTIFY",
                             actor=demo_username("purchaser", path.locality))  # fmt: skip
    answers = scenario(path, 280_000)
    failed = {"acceptance_result": "fail", "rectification_requirements": "台账不全，服务人次不足。"}
    answers["inspect_service"] = [failed]
    driver.run(instance.id, answers, stop_at={"inspect_service"}, limit=200)
    driver.run(instance.id, answers, limit=1)  # the first failed acceptance: the provider rectifies
    driver.run(instance.id, answers, stop_at={"inspect_service"})

    def told() -> list[Notification]:
        with shipped.unit_of_work() as uow:
            return list(uow.session.scalars(select(Notification).where(Notification.kind == "credit_breach")))

    assert told() == []
    driver.run(instance.id, {"inspect_service": failed}, limit=1)  # failed again after the rectification
    notices = told()
    assert sorted(n.recipient for n in notices) == ["finance_reviewer2_karamay", "finance_reviewer_karamay",
                                                    "manager_karamay"]  # fmt: skip
    assert "整改后验收仍不合格" in notices[0].subject and "新疆天山社会工作服务中心" in notices[0].subject
