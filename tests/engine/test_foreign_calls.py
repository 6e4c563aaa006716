"""Call activities' ``camunda:in``/``out``, the start event's ``camunda:initiator`` and ``camunda:decisionRef``
run as in Camunda 7.

``camunda7_loan_application.bpmn`` and ``camunda7_credit_check.bpmn`` were written for these tests after
Camunda's call activity examples (camunda-bpm-examples' job announcement maps ``camunda:in source`` the same
way; the Spring Boot Twitter demo's start event names ``camunda:initiator``): the caller passes a renamed
variable, an expression and the business key, and takes two outputs back. ``camunda7_invoice_routing.bpmn``
and ``camunda7_invoice_decisions.dmn`` follow the invoice example of camunda-bpm-examples: a classification
(two outputs, hit policy UNIQUE) and an approver-group decision (one output, COLLECT) called by
``camunda:decisionRef``, a gateway branching on the result.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.definitions.validation import validate_bundle
from engine.errors import DefinitionError, ExecutionError
from engine.identity.users import create_user
from engine.service import Engine
from support import FIXTURES

REGION = "650000"
CALLER = "camunda7_loan_application.bpmn"
CALLED = "camunda7_credit_check.bpmn"
ROUTING = "camunda7_invoice_routing.bpmn"
DECISIONS = "camunda7_invoice_decisions.dmn"
LOAN = {"amount": 25000, "customer": "Ma Lin", "score": 1}


def _text(name: str) -> str:
    return (FIXTURES / "foreign" / name).read_text(encoding="utf-8")


def _loans(caller: str | None = None, called: str | None = None) -> dict[str, bytes]:
    return {CALLER: (caller or _text(CALLER)).encode(), CALLED: (called or _text(CALLED)).encode()}


def _open(engine: Engine, instance_id: int) -> dict[str, Any]:
    return {task.element_id: task for task in engine.open_tasks(instance_id)}


def _apply(engine: Engine, files: dict[str, bytes], *, actor: str = "li.wei") -> tuple[int, Any]:
    engine.deploy(files, REGION)
    instance = engine.start("loan_application", locality=REGION, business_key="LOAN-7", data=LOAN, actor=actor)
    return instance.id, _open(engine, instance.id)["assess"]


def _with_mappings(*mappings: str) -> str:
    text = _text(CALLER)
    start, end = text.index("<camunda:in "), text.index("</bpmn:extensionElements>")
    return text[:start] + "".join(mappings) + text[end:]


def test_the_called_process_sees_only_what_is_mapped_in(engine: Engine) -> None:
    _, assess = _apply(engine, _loans())
    assert engine.task_data(assess.id) == {"requestedAmount": 25000, "large": True, "business_key": "LOAN-7"}


def test_the_caller_gets_only_the_mapped_outputs_back_and_keeps_its_own_data(engine: Engine) -> None:
    instance_id, assess = _apply(engine, _loans())
    engine.complete(assess.id, {"score": 640, "notes": "steady income"}, actor="analyst")
    data = engine.task_data(_open(engine, instance_id)["review"].id)
    assert (data["creditScore"], data["creditworthy"]) == (640, True)
    assert (data["amount"], data["customer"], data["score"]) == (25000, "Ma Lin", 1)  # the caller's own score
    assert not {"notes", "requestedAmount", "large"} & set(data)


def test_variables_all_passes_everything_both_ways(engine: Engine) -> None:
    caller = _with_mappings('<camunda:in variables="all" />', '<camunda:out variables="all" />')
    instance_id, assess = _apply(engine, _loans(caller))
    seen = engine.task_data(assess.id)
    assert (seen["amount"], seen["customer"], seen["business_key"]) == (25000, "Ma Lin", "LOAN-7")
    engine.complete(assess.id, {"score": 580, "notes": "thin file"}, actor="analyst")
    data = engine.task_data(_open(engine, instance_id)["review"].id)
    assert (data["score"], data["notes"], data["customer"]) == (580, "thin file", "Ma Lin")


def test_without_the_business_key_idiom_the_called_process_does_not_see_it(engine: Engine) -> None:
    caller = _with_mappings('<camunda:in source="customer" target="name" />')
    instance_id, assess = _apply(engine, _loans(caller))
    assert engine.task_data(assess.id) == {"name": "Ma Lin"}
    engine.complete(assess.id, {"score": 700}, actor="analyst")
    data = engine.task_data(_open(engine, instance_id)["review"].id)
    assert "creditScore" not in data and data["score"] == 1  # no camunda:out: nothing comes back


def test_local_in_passes_the_call_activitys_own_inputs(engine: Engine) -> None:
    caller = _with_mappings(
        '<camunda:in variables="all" local="true" />',
        '<camunda:inputOutput><camunda:inputParameter name="product">mortgage</camunda:inputParameter>'
        "</camunda:inputOutput>",
    )
    _, assess = _apply(engine, _loans(caller))
    assert engine.task_data(assess.id) == {"product": "mortgage"}


def test_flowable_in_and_out_map_alike(engine: Engine) -> None:
    caller = _with_mappings(
        '<flowable:in source="customer" target="name" xmlns:flowable="http://flowable.org/bpmn" />',
        '<flowable:out source="score" target="creditScore" xmlns:flowable="http://flowable.org/bpmn" />',
    )
    instance_id, assess = _apply(engine, _loans(caller))
    assert engine.task_data(assess.id) == {"name": "Ma Lin"}
    engine.complete(assess.id, {"score": 610}, actor="analyst")
    assert engine.task_data(_open(engine, instance_id)["review"].id)["creditScore"] == 610


@pytest.fixture
def applicant(engine: Engine) -> str:
    """A person who exists, so that a task assigned to them is theirs."""
    with engine.unit_of_work(write=True) as uow:
        create_user(uow.session, "li.wei", "a-long-password", "Li Wei")
        uow.commit()
    return "li.wei"


def test_the_initiator_is_the_person_who_started_the_project(engine: Engine, applicant: str) -> None:
    instance_id, assess = _apply(engine, _loans(), actor="li.wei")
    engine.complete(assess.id, {"score": 640}, actor="analyst")
    review = _open(engine, instance_id)["review"]
    assert review.assignee == "li.wei"  # camunda:assignee="${applicant}"
    assert engine.task_data(review.id)["applicant"] == "li.wei"


def test_the_initiator_cannot_be_given_in_the_start_data(engine: Engine, applicant: str) -> None:
    engine.deploy(_loans(), REGION)
    instance = engine.start("loan_application", locality=REGION, data={**LOAN, "applicant": "boss"}, actor="li.wei")
    (assess,) = engine.open_tasks(instance.id)
    engine.complete(assess.id, {"score": 640}, actor="analyst")
    assert _open(engine, instance.id)["review"].assignee == "li.wei"


@pytest.mark.parametrize(
    ("mapping", "said"),
    [
        ('<camunda:in businessKey="${orderId}" />', "businessKey='${orderId}'"),
        ('<camunda:in variables="some" />', "variables='some'"),
        ('<camunda:in source="amount" />', "needs a target"),
        ('<camunda:in sourceExpression="${customer.getName()}" target="name" />', "customer.getName"),
        ('<camunda:in source="amount" target="type" />', "target='type'"),
        ('<camunda:out source="score" target="s" local="true" />', 'local="true"'),
        ('<camunda:in source="amount" target="a" local="true" />', "declares none"),
    ],
)
def test_a_mapping_servflow_cannot_run_is_refused_naming_the_call_activity(
    engine: Engine, mapping: str, said: str
) -> None:
    files = _loans(_with_mappings(mapping))
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(files, REGION)
    assert refused.value.element_id == "check_credit" and said in refused.value.reason
    assert "camunda:" in refused.value.reason and " / " in refused.value.reason
    assert any(p.element_id == "check_credit" and said in p.en for p in validate_bundle(files).errors)
    assert engine.versions(locality=REGION) == []


def test_a_java_variable_mapping_class_is_refused(engine: Engine) -> None:
    java = 'calledElement="credit_check" camunda:variableMappingClass="org.example.Map"'
    caller = _text(CALLER).replace('calledElement="credit_check"', java)
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(_loans(caller), REGION)
    assert "camunda:variableMappingClass='org.example.Map'" in refused.value.reason


def test_an_initiator_on_a_called_process_is_refused(engine: Engine) -> None:
    called = _text(CALLED).replace('name="Check requested"', 'name="Check requested" camunda:initiator="starter"')
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(_loans(called=called), REGION)
    assert refused.value.element_id == "credit_check"
    assert "camunda:initiator='starter'" in refused.value.reason and 'target="starter"' in refused.value.reason


def _route(engine: Engine, data: dict[str, Any], routing: str | None = None) -> tuple[str, dict[str, Any]]:
    engine.deploy({ROUTING: (routing or _text(ROUTING)).encode(), DECISIONS: _text(DECISIONS).encode()}, REGION)
    instance = engine.start("invoice_routing", locality=REGION, data=data)
    (task,) = engine.open_tasks(instance.id)
    return task.element_id, engine.task_data(task.id)


@pytest.mark.parametrize(
    ("invoice", "after", "classification", "groups"),
    [
        ({"amount": 120, "invoiceCategory": "Misc"}, "approve_invoice", "day-to-day expense", ["accounting"]),
        ({"amount": 900, "invoiceCategory": "Misc"}, "approve_budget", "budget", ["accounting", "management"]),
        ({"amount": 9, "invoiceCategory": "Software License Costs"}, "approve_invoice", "exceptional", ["management"]),
    ],
)
def test_decisions_run_and_the_gateway_branches_on_the_result(
    engine: Engine, invoice: dict[str, Any], after: str, classification: str, groups: list[str]
) -> None:
    element, data = _route(engine, invoice)
    assert element == after
    assert data["classification"]["invoiceClassification"] == classification  # singleResult: one dict
    assert data["approverGroups"] == groups  # collectEntries: the one output of every matched rule
    assert "invoiceClassification" not in data  # the task's input parameter is gone


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("resultList", [{"approverGroups": "accounting"}]),
        ("singleResult", {"approverGroups": "accounting"}),
        ("singleEntry", "accounting"),
        ("collectEntries", ["accounting"]),
    ],
)
def test_each_map_decision_result_shape(engine: Engine, shape: str, expected: Any) -> None:
    routing = _text(ROUTING).replace('"collectEntries"', f'"{shape}"')
    _, data = _route(engine, {"amount": 120, "invoiceCategory": "Misc"}, routing)
    assert data["approverGroups"] == expected


def test_the_default_shape_is_a_result_list_and_no_match_is_empty(engine: Engine) -> None:
    routing = _text(ROUTING).replace(' camunda:mapDecisionResult="singleResult"', "")
    routing = routing.replace("${classification.invoiceClassification}", "${classification[0].invoiceClassification}")
    routing = routing.replace("${classification.invoiceClassification == 'budget'}", "${false}")
    element, data = _route(engine, {"amount": 120, "invoiceCategory": "Misc"}, routing)
    assert element == "approve_invoice"
    assert data["classification"] == [{"invoiceClassification": "day-to-day expense", "approvalDays": 2}]
    unmatched = _text(ROUTING).replace('"collectEntries"', '"singleEntry"')
    _, data = _route(engine, {"amount": 120, "invoiceCategory": "Food"}, unmatched)
    assert data["classification"] is None and data["approverGroups"] is None


def test_a_single_entry_of_several_matched_rules_stops_with_a_clear_error(engine: Engine) -> None:
    routing = _text(ROUTING).replace('"collectEntries"', '"singleEntry"')
    with pytest.raises(ExecutionError) as failed:
        _route(engine, {"amount": 900, "invoiceCategory": "Misc"}, routing)
    assert failed.value.element_id == "assign_approver"
    assert "2 rules of decision 'invoice-assign-approver' matched" in str(failed.value)


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('camunda:decisionRef="invoiceClassification"', 'camunda:decisionRef="invoiceRisk"', "'invoiceRisk'"),
        ('camunda:mapDecisionResult="singleResult"', 'camunda:mapDecisionResult="singleEntry"', "has 2"),
        ('camunda:mapDecisionResult="singleResult"', 'camunda:mapDecisionResult="singleValue"', "'singleValue'"),
        (' camunda:resultVariable="classification"', "", "no camunda:resultVariable"),
        ('camunda:decisionRef="invoiceClassification"', 'camunda:decisionRef="${which}"', "'${which}'"),
        ('camunda:decisionRef="invoiceClassification"',
         'camunda:decisionRef="invoiceClassification" camunda:decisionRefBinding="version"', "'version'"),
    ],
)  # fmt: skip
def test_a_decision_reference_servflow_cannot_run_is_refused_naming_the_task(
    engine: Engine, old: str, new: str, said: str
) -> None:
    text = _text(ROUTING)
    assert old in text
    files = {ROUTING: text.replace(old, new, 1).encode(), DECISIONS: _text(DECISIONS).encode()}
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(files, REGION)
    assert refused.value.element_id == "classify" and said in refused.value.reason
    assert "camunda:" in refused.value.reason
    assert any(p.element_id == "classify" and said in p.en for p in validate_bundle(files).errors)
    assert engine.versions(locality=REGION) == []
