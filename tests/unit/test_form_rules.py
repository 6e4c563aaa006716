"""Rules across fields and stages, declared on the shipped forms' fields and made on the server: the five
inputs a new user got through — a service period ending before it starts, a deadline before the notice (or
sooner than the law allows), an award above the budget, a contract above the award, a payment plan that
does not add up to the contract — are refused on the field, with the message in Chinese and English."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.calendars.calendar import WorkingCalendar
from engine.commands.form_rules import check, prefilled
from engine.errors import DefinitionError, InvalidDataError
from engine.formats.forms import example_submission, load_form

FORMS = Path(__file__).resolve().parents[2] / "forms"
CALENDAR = WorkingCalendar.from_package([2026], name="自治区本级")


def form(name: str) -> dict[str, Any]:
    return load_form((FORMS / f"{name}.form.json").read_bytes(), source=name)


def refused(name: str, submitted: dict[str, Any], project: dict[str, Any] | None = None) -> dict[str, list[str]]:
    definition = form(name)
    with pytest.raises(InvalidDataError) as caught:
        check(definition, {**example_submission(definition), **submitted}, project or {}, lambda: CALENDAR)
    return caught.value.errors


def accepted(name: str, submitted: dict[str, Any], project: dict[str, Any] | None = None) -> None:
    definition = form(name)
    check(definition, {**example_submission(definition), **submitted}, project or {}, lambda: CALENDAR)


def test_a_service_period_cannot_end_before_it_starts() -> None:
    errors = refused("project_application", {"period_start": "2026-03-01", "period_end": "2026-02-28"})
    assert list(errors) == ["period_end"] and "不能早于开始日期" in errors["period_end"][0]
    accepted("project_application", {"period_start": "2026-03-01", "period_end": "2026-03-01"})


def test_a_deadline_is_after_the_notice_by_the_statutory_period_of_the_method() -> None:
    backwards = {"notice_date": "2026-03-10", "response_deadline": "2026-03-09"}
    (message,) = refused("procurement_notice", backwards)["response_deadline"]  # no method known yet
    assert "不能早于公告日期" in message
    assert len(refused("procurement_notice", backwards, {"procurement_method": "inquiry"})["response_deadline"]) == 2
    soon = {"notice_date": "2026-03-10", "response_deadline": "2026-03-25"}  # 15 days
    (message,) = refused("procurement_notice", soon, {"procurement_method": "open_tender"})["response_deadline"]
    assert "不得少于20日" in message and "at least 20 days" in message
    accepted("procurement_notice", soon, {"procurement_method": "consultation"})  # 10 days suffice
    accepted("procurement_notice", {**soon, "response_deadline": "2026-03-30"}, {"procurement_method": "open_tender"})
    weekend = {"notice_date": "2026-03-13", "response_deadline": "2026-03-16"}  # Friday to Monday: 1 working day
    (message,) = refused("procurement_notice", weekend, {"procurement_method": "inquiry"})["response_deadline"]
    assert "3个工作日" in message
    accepted("procurement_notice", {**weekend, "response_deadline": "2026-03-18"}, {"procurement_method": "inquiry"})


def test_an_award_cannot_exceed_the_budget_recorded_at_the_application() -> None:
    errors = refused("winner_confirmation", {"award_amount": 900_000}, {"budget": 800_000})
    assert list(errors) == ["award_amount"] and "不能超过项目预算" in errors["award_amount"][0]
    accepted("winner_confirmation", {"award_amount": 800_000}, {"budget": 800_000})
    accepted("winner_confirmation", {"award_amount": 900_000}, {})  # no budget recorded: nothing to compare


def test_a_contract_stays_within_the_award_and_its_payment_plan_adds_up() -> None:
    plan = [{"instalment_name": "首期", "pay_condition": "signing", "amount": 100}]
    errors = refused(
        "contract_signing", {"contract_amount": 1_500_000, "payment_plan": plan}, {"award_amount": 1_400_000}
    )
    assert [m.split(" / ")[0] for m in errors["contract_amount"]] == [
        "合同金额不能超过中标/成交金额",
        "付款计划各期金额合计应等于合同金额",
    ]
    halves = [{**plan[0], "amount": 700_000.5}, {**plan[0], "instalment_name": "尾款", "amount": 699_999.5}]
    accepted("contract_signing", {"contract_amount": 1_400_000, "payment_plan": halves}, {"award_amount": 1_400_000})
    ended = refused(
        "contract_signing",
        {"term_start": "2026-05-01", "term_end": "2026-04-30", "contract_amount": 1, "payment_plan": []},
    )
    assert list(ended) == ["term_end"]


def test_a_check_in_a_list_is_made_per_row_and_named_by_its_row() -> None:
    definition = {
        "components": [
            {"type": "number", "key": "budget"},
            {
                "type": "dynamiclist",
                "path": "bids",
                "components": [
                    {
                        "type": "number",
                        "key": "amount",
                        "properties": {"check": "amount <= budget", "checkMessage": "超出预算 / Over budget"},
                    }
                ],
            },
        ]
    }
    loaded = load_form(json.dumps(definition), source="t.form.json")
    with pytest.raises(InvalidDataError) as caught:
        check(loaded, {"budget": 10, "bids": [{"amount": 9}, {"amount": 11}]}, {})
    assert caught.value.errors == {"bids[1].amount": ["超出预算 / Over budget"]}


def test_a_check_that_is_no_expression_is_refused_when_the_form_is_deployed() -> None:
    broken = {"components": [{"type": "number", "key": "x", "properties": {"check": "x >= "}}]}
    with pytest.raises(DefinitionError, match="expression of 'x' is not an expression"):
        load_form(json.dumps(broken), source="t.form.json")


def test_a_check_that_cannot_be_evaluated_is_reported_on_its_field() -> None:
    definition = {"components": [{"type": "textfield", "key": "x", "properties": {"check": "x > 3"}}]}
    with pytest.raises(InvalidDataError) as caught:
        check(load_form(json.dumps(definition), source="t.form.json"), {"x": "abc"}, {})
    assert "规则无法计算" in caught.value.errors["x"][0]


def test_the_award_proposes_the_first_ranked_candidate_and_the_contract_the_award() -> None:
    ranked = {"candidates": [{"supplier_name": "爱心养老", "credit_code": "91650100MA7AB1C2D1", "bid_amount": 760_000}]}
    assert prefilled(form("winner_confirmation"), ranked) == {
        "winner_name": "爱心养老",
        "winner_credit_code": "91650100MA7AB1C2D1",
        "award_amount": 760_000,
    }
    assert prefilled(form("winner_confirmation"), {"candidates": []}) == {}  # nothing ranked: nothing proposed
    assert prefilled(form("contract_signing"), {"award_amount": 760_000}) == {"contract_amount": 760_000}
    assert prefilled(form("contract_signing"), {"award_amount": 760_000, "contract_amount": 700_000}) == {}
