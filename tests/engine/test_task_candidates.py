"""A designer names a user task's candidates by expression (``servflow:task candidateOrganization`` and
``candidateUser``) over the project's data: the task goes to that organization's people, or to that person;
an expression that is not a valid safe expression is refused at deploy, naming the element."""

from __future__ import annotations

import pytest

from engine.definitions.validation import validate_bundle
from engine.demo.seed import seed_users
from engine.errors import DefinitionError
from engine.identity import organizations, users
from engine.service import Engine

EVALUATOR_CODE = "52650000MJ7000010H"

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:servflow="http://servflow.org/schema/bpmn/1.0" id="defs_candidates" targetNamespace="http://servflow.org/test">
  <bpmn:process id="candidates" name="指定办理" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_evaluator" name="第三方评价机构"><bpmn:flowNodeRef>evaluate</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="lane_purchaser" name="购买主体"><bpmn:flowNodeRef>check</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="evaluate" name="第三方评价">
      <bpmn:extensionElements><servflow:task candidateOrganization="ORGANIZATION"/></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="check" name="抽查">
      <bpmn:extensionElements><servflow:task candidateUser="USER"/></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="evaluate"/>
    <bpmn:sequenceFlow id="f2" sourceRef="evaluate" targetRef="check"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def bundle(organization: str = "evaluator_code", user: str = "spot_checker") -> dict[str, bytes]:
    text = BPMN.replace("ORGANIZATION", organization).replace("USER", user)
    return {"candidates.bpmn": text.encode()}


def test_the_task_goes_to_the_organization_and_the_person_its_expressions_name(engine: Engine) -> None:
    seed_users(engine)
    with engine.unit_of_work(write=True) as uow:
        named = organizations.create_organization(uow.session, "evaluator", "650100", "新疆某评估中心", EVALUATOR_CODE)
        uow.commit()
        named_id = named.id
    engine.deploy(bundle(), "650000")
    data = {"evaluator_code": EVALUATOR_CODE.lower(), "spot_checker": "purchaser2_urumqi"}
    instance = engine.start("candidates", locality="650100", business_key="CAND-1", data=data)
    (evaluate,) = engine.open_tasks(instance.id)
    assert evaluate.organization_id == named_id, "the evaluator the data names, not every evaluator"
    engine.complete(evaluate.id, {}, actor="system")
    (check,) = engine.open_tasks(instance.id)
    assert check.assignee == "purchaser2_urumqi"


def test_a_name_that_finds_nobody_leaves_the_task_to_its_lane_and_says_why(engine: Engine) -> None:
    engine.deploy(bundle(), "650000")
    data = {"evaluator_code": "91650100MA7000026Q", "spot_checker": "nobody_at_all"}
    instance = engine.start("candidates", locality="650100", business_key="CAND-2", data=data)
    (evaluate,) = engine.open_tasks(instance.id)
    assert evaluate.organization_id is None and evaluate.role == "evaluator"
    unresolved = [e for e in engine.history(instance.id) if e.action == "candidates_unresolved"]
    assert unresolved and "no active organization" in unresolved[0].data["candidateOrganization"]


@pytest.mark.parametrize(
    ("organization", "user"),
    [("evaluator_code +", "spot_checker"), ("evaluator_code", "__import__('os')"), ("open('x')", "spot_checker")],
)
def test_a_wrong_candidate_expression_is_refused_at_deploy(engine: Engine, organization: str, user: str) -> None:
    seed_users(engine)
    with engine.unit_of_work() as uow:
        designer = users.principal(uow.session, users.get_user(uow.session, "designer_region"))
    report = validate_bundle(bundle(organization, user))
    assert [p.element_id for p in report.problems if p.code == "expression"] in (["evaluate"], ["check"])
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(bundle(organization, user), "650000", deployed_by=designer)
    assert refused.value.element_id in ("evaluate", "check")
    assert "candidate" in refused.value.message
    assert engine.versions() == []
