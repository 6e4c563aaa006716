"""End-to-end runs of the shipped lifecycle through the Engine service API, on SQLite and PostgreSQL.

Every task is completed by the demo user of the role the domain says does that task (``ROLE_OF``,
written from the domain reference, not read from the BPMN): the actor function refuses a task whose
lane names another role, so a process that hands a task to the wrong party fails here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.demo.driver import Step
from engine.demo.seed import demo_username, seed_users
from engine.identity.users import get_user, principal
from engine.service import Engine
from engine.store.models import AuditEvent, Disclosure, HumanTask

#: The providers these tests award, registered by the ``shipped`` fixture (a code must be, to be awarded).
PROVIDERS = {
    "52650000MJ7000010H": "新疆天山社会工作服务中心",
    "91650100MA7000026Q": "新疆丝路社会服务有限公司",
    "91650100MA8892759U": "乌鲁木齐市爱心养老服务有限公司",  # the award forms' example code
}
CLEAN_CODE, SECOND_CODE, _ = PROVIDERS

#: Who does each task, from the domain reference (purchase-of-services.md).
ROLE_OF = {
    "submit_application": "purchaser",
    "solicit_public_comment": "purchaser",
    "review_application": "finance_reviewer",
    "approve_outside_catalogue": "manager",
    "countersign_review": "manager",  # 乌鲁木齐's extra step (tests/fixtures/bpmn/review_urumqi.bpmn)
    "approve_method": "finance_reviewer",
    "publish_intent": "purchaser",
    "publicize_single_source": "agent",
    "publish_notice": "agent",
    "record_bids": "agent",
    "evaluate_bids": "panel",
    "confirm_winner": "purchaser",
    "review_qualification": "panel",
    "handle_failure": "purchaser",
    "approve_method_change": "finance_reviewer",
    "publish_award": "agent",
    "confirm_signing": "provider",
    "handle_refusal": "purchaser",
    "sign_contract": "purchaser",
    "announce_contract": "purchaser",
    "file_contract": "purchaser",
    "submit_report": "provider",
    "review_report": "purchaser",
    "collect_recipient_opinions": "recipient",
    "inspect_service": "purchaser",
    "rectify": "provider",
    "announce_acceptance": "purchaser",
    "plan_evaluation": "purchaser",
    "self_evaluation": "purchaser",
    "third_party_evaluation": "evaluator",
    "confirm_evaluation": "purchaser",
    "submit_invoice": "provider",
    "request_payment": "purchaser",
    "record_payment": "finance_reviewer",
    "withhold_instalment": "purchaser",
}


def checked_actor(task: HumanTask) -> str:
    """The demo user who acts on ``task``, after checking the task went to the role the domain names."""
    expected = ROLE_OF.get(task.element_id)
    assert task.role == expected, f"{task.element_id} was given to {task.role!r}, expected {expected!r}"
    return demo_username(task.role, task.locality_code)


def application(**overrides: Any) -> dict[str, Any]:
    """A 项目申报书 with realistic values; ``overrides`` change single fields."""
    return {
        "project_name": "社区居家养老服务",
        "department": "乌鲁木齐市民政局",
        "budget": 800_000,
        "category": "basic_public",
        "in_catalogue": True,
        "catalogue_code": "A0101",
        "funding_source": "general_budget",
        "proposed_method": "auto",
        "public_service": False,
        "service_content": "为辖区80岁以上老人提供助餐、助洁、助医等居家养老服务",
        **overrides,
    }


def instalment(name: str, condition: str, amount: float) -> dict[str, Any]:
    return {"instalment_name": name, "pay_condition": condition, "amount": amount}


def indicator(weight: float, score: float, dimension: str = "output") -> dict[str, Any]:
    return {"indicator_name": "服务人次", "dimension": dimension, "weight": weight,
            "indicator_target": "1000", "indicator_actual": "980", "score": score}  # fmt: skip


def contract(amount: float, *, reports: int = 2, plan: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "contract_number": "WLMQ-HT-2025-001",
        "contract_amount": amount,
        "signed_date": "2025-04-01",
        "term_start": "2025-04-01",
        "term_end": "2026-03-31",
        "report_count": reports,
        "payment_plan": plan or [instalment("全款", "acceptance_passed", amount)],
    }


def winner(name: str = "新疆天山社会工作服务中心", code: str = CLEAN_CODE, amount: float = 760_000) -> dict[str, Any]:
    return {"winner_name": name, "winner_credit_code": code, "award_amount": amount, "confirm_date": "2025-03-20"}


def elements(steps: list[Step]) -> list[str]:
    return [step.element_id for step in steps]


def completed_events(engine: Engine, instance_id: int) -> list[AuditEvent]:
    return [e for e in engine.history(instance_id) if e.action == "task_completed"]


def disclosures(engine: Engine, instance_id: int) -> list[Disclosure]:
    with engine.unit_of_work() as uow:
        return list(
            uow.session.scalars(select(Disclosure).where(Disclosure.instance_id == instance_id).order_by(Disclosure.id))
        )


def assert_actors_hold_roles(engine: Engine, steps: list[Step], locality: str) -> None:
    """Each acting demo account really holds the task's role in the project's locality."""
    seed_users(engine)
    with engine.unit_of_work() as uow:
        for actor, role in {(s.actor, s.role) for s in steps}:
            person = principal(uow.session, get_user(uow.session, actor))
            assert person.has_role(role, locality), f"{actor} does not hold {role} in {locality}"
