"""Static checks of the shipped processes: they parse, and they keep servflow's conventions.

These are the rules the engine relies on when it deploys a bundle (form keys that exist, lanes
that name known roles, gateways that cannot dead-end on a missing condition, data that some form
or script actually writes), checked on the shipped files so a bad edit fails in CI, not in use.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.calendars.deadlines import DeadlineRule
from engine.definitions.shipped import shipped_bundle
from engine.identity.roles import ROLES
from engine.spiff.parsing import ServflowBpmnParser, parse_bundle
from engine.spiff.scripting import check_code

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BPMN = sorted(p.name for p in PROCESSES.glob("*.bpmn"))
DMN = sorted(p.name for p in PROCESSES.glob("*.dmn"))
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "servflow": "http://servflow.org/schema/bpmn/1.0",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
}
STAGES = ("apply", "review", "procure", "sign", "supervise", "accept", "evaluate", "pay")
ROLE_LABELS = {role.zh for role in ROLES if role.code != "designer"}
DISCLOSE_KINDS = {"intent", "result", "contract", "acceptance", "single_source"}
FLOW_NODES = (
    "startEvent", "endEvent", "userTask", "scriptTask", "serviceTask", "businessRuleTask", "callActivity",
    "boundaryEvent", "exclusiveGateway", "parallelGateway",
)  # fmt: skip
# Set by the engine when it starts a project, not by a form.
ENGINE_VARIABLES = {"locality"}


def xpath(doc: etree._ElementTree, query: str) -> list[Any]:
    return doc.xpath(query, namespaces=NS)


def form_components(forms: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every keyed component of every form (dynamic lists by path), by key."""
    found: dict[str, dict[str, Any]] = {}

    def walk(components: list[dict[str, Any]]) -> None:
        for component in components:
            if component.get("key"):
                found[component["key"]] = component
            if component.get("path"):
                found[component["path"]] = component
            walk(component.get("components", []))

    for form in forms.values():
        walk(form["components"])
    return found


def written_by_scripts_and_decisions(documents: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for name in BPMN:
        for script in xpath(documents[name], "//bpmn:scriptTask/bpmn:script/text()"):
            for node in ast.walk(ast.parse(script)):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    for name in DMN:
        names.update(xpath(documents[name], "//dmn:output/@name"))
    return names


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("name", BPMN)
def test_each_bpmn_file_parses_alone_or_with_its_callees(name: str, parser: ServflowBpmnParser) -> None:
    stem = name.removesuffix(".bpmn")
    single = ServflowBpmnParser(validator=VALIDATOR)
    single.add_bpmn_file(str(PROCESSES / name))
    single.add_dmn_files([str(PROCESSES / d) for d in DMN])
    assert single.get_process_ids() == [stem], "one executable process, id = file stem"
    spec = parser.get_spec(stem)
    assert spec.name == stem
    assert set(parser.get_subprocess_specs(stem)) == (set(STAGES) if stem == "lifecycle" else set())


@pytest.mark.parametrize("name", DMN)
def test_each_decision_table_parses(name: str) -> None:
    single = ServflowBpmnParser(validator=VALIDATOR)
    single.add_dmn_file(str(PROCESSES / name))  # validates against the DMN 1.3 schema
    stem = name.removesuffix(".dmn")
    assert stem in single.dmn_parsers, "decision id = file stem"
    single.get_engine(stem, None)


def test_all_files_are_there() -> None:
    assert sorted(f"{s}.bpmn" for s in (*STAGES, "lifecycle")) == BPMN
    assert DMN == ["procurement_method.dmn", "tender_threshold.dmn"]


def test_lifecycle_calls_every_stage(documents: dict[str, Any]) -> None:
    called = xpath(documents["lifecycle.bpmn"], "//bpmn:callActivity/@calledElement")
    assert sorted(called) == sorted(STAGES)


def test_business_rule_tasks_name_shipped_decisions(documents: dict[str, Any]) -> None:
    decisions = {d.removesuffix(".dmn") for d in DMN}
    used = {
        ref
        for name in BPMN
        for ref in xpath(documents[name], "//bpmn:businessRuleTask//spiffworkflow:calledDecisionId/text()")
    }
    assert used == decisions


def test_the_engine_accepts_the_shipped_bundle() -> None:
    """What ``deploy`` does with these files: forms, processes and decisions parse together."""
    bundle = parse_bundle(shipped_bundle())
    assert sorted(bundle.processes) == sorted((*STAGES, "lifecycle"))
    config = bundle.processes["sign"].task_config["announce_contract"]
    assert (config["role"], config["form_key"], config["disclose"]["kind"]) == (
        "purchaser",
        "contract_announcement",
        "contract",
    )


# --------------------------------------------------------------------------- conventions


@pytest.mark.parametrize("name", BPMN)
def test_user_tasks_declare_forms_and_deadlines(name: str, documents: dict[str, Any], forms: dict[str, Any]) -> None:
    components = form_components(forms)
    dates = {k for k, c in components.items() if c["type"] == "datetime"}
    for task in xpath(documents[name], "//bpmn:userTask"):
        where = f"{name}:{task.get('id')}"
        settings = xpath(task, "bpmn:extensionElements/servflow:task")
        assert len(settings) == 1, f"{where}: one servflow:task"
        attrs = settings[0].attrib
        assert attrs["formKey"] in forms, f"{where}: form {attrs['formKey']} exists"
        assert attrs["dueUnit"] in ("days", "workingDays"), where
        assert int(attrs["dueIn"]) > 0, where
        assert 0 <= int(attrs["remindBefore"]) < int(attrs["dueIn"]), where
        assert int(attrs["escalateAfter"]) >= 0, where
        assert attrs.get("dueFrom", "") in dates | {""}, f"{where}: dueFrom names a date field"
        assert DeadlineRule.from_attributes(attrs, element_id=task.get("id")) is not None
        for disclose in xpath(task, "bpmn:extensionElements/servflow:disclose"):
            assert disclose.get("kind") in DISCLOSE_KINDS, where
            fields = disclose.get("fields").split(",")
            unknown = set(fields) - set(components) - {"procurement_method"}
            assert not unknown, f"{where}: disclosed fields {unknown} are written by no form"


def test_every_form_is_used(documents: dict[str, Any], forms: dict[str, Any]) -> None:
    used = {key for name in BPMN for key in xpath(documents[name], "//servflow:task/@formKey")}
    assert used == set(forms)


def test_each_disclosure_kind_is_published_somewhere(documents: dict[str, Any]) -> None:
    kinds = {kind for name in BPMN for kind in xpath(documents[name], "//servflow:disclose/@kind")}
    assert kinds == DISCLOSE_KINDS


def test_statutory_deadlines(settings: dict[str, Any]) -> None:
    def deadline(task_id: str) -> tuple[str, str, str]:
        attrs = settings[task_id]["task"]
        return attrs["dueIn"], attrs["dueUnit"], attrs["dueFrom"]

    assert deadline("sign_contract") == ("30", "days", "award_date")  # 法 Art.46
    assert deadline("announce_contract") == ("2", "workingDays", "signed_date")  # 条例 Art.50
    assert deadline("file_contract") == ("7", "workingDays", "signed_date")  # 法 Art.47
    assert deadline("evaluate_bids")[:2] == ("2", "workingDays")  # 条例 Art.43
    assert deadline("confirm_winner") == ("5", "workingDays", "bid_evaluation_date")  # 条例 Art.43
    assert deadline("publish_award")[:2] == ("2", "workingDays")  # 条例 Art.43
    assert deadline("record_payment") == ("30", "days", "acceptance_date")  # 支付条例 Art.9


@pytest.mark.parametrize("name", [n for n in BPMN if n != "lifecycle.bpmn"])
def test_lanes_name_roles_and_hold_every_user_task(name: str, documents: dict[str, Any]) -> None:
    doc = documents[name]
    lanes = xpath(doc, "//bpmn:lane")
    assert lanes, "stage diagrams draw their lanes"
    assert {lane.get("name") for lane in lanes} <= ROLE_LABELS
    in_lanes = set(xpath(doc, "//bpmn:lane/bpmn:flowNodeRef/text()"))
    assert set(xpath(doc, "//bpmn:userTask/@id")) <= in_lanes
    nodes = {n.get("id") for tag in FLOW_NODES for n in xpath(doc, f"//bpmn:{tag}")}
    assert nodes == in_lanes, "every flow node sits in exactly the lanes drawn"


@pytest.mark.parametrize("name", BPMN)
def test_exclusive_gateways_cannot_dead_end(name: str, documents: dict[str, Any]) -> None:
    doc = documents[name]
    for gateway in xpath(doc, "//bpmn:exclusiveGateway"):
        outgoing = xpath(doc, f"//bpmn:sequenceFlow[@sourceRef='{gateway.get('id')}']")
        if len(outgoing) < 2:
            continue
        for flow in outgoing:
            has_condition = bool(xpath(flow, "bpmn:conditionExpression/text()"))
            is_default = gateway.get("default") == flow.get("id")
            assert has_condition != is_default, f"{flow.get('id')}: a condition or the default, not both"


@pytest.mark.parametrize("name", BPMN)
def test_code_passes_the_sandbox(name: str, documents: dict[str, Any]) -> None:
    doc = documents[name]
    for condition in xpath(doc, "//bpmn:conditionExpression/text()"):
        check_code(condition.strip(), "eval")
    for script in xpath(doc, "//bpmn:scriptTask/bpmn:script/text()"):
        check_code(script, "exec")


def test_gateways_read_only_data_someone_writes(documents: dict[str, Any], forms: dict[str, Any]) -> None:
    """The data contract: every name in a condition comes from a form, a script, a DMN output or the engine."""
    known = set(form_components(forms)) | written_by_scripts_and_decisions(documents) | ENGINE_VARIABLES
    read: set[str] = set()
    for name in BPMN:
        for condition in xpath(documents[name], "//bpmn:conditionExpression/text()"):
            tree = ast.parse(condition.strip(), mode="eval")
            read |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - {"len"}
    assert read - known == set()


@pytest.mark.parametrize("name", BPMN)
def test_diagram_interchange_is_complete(name: str, documents: dict[str, Any]) -> None:
    doc = documents[name]
    shapes = set(xpath(doc, "//bpmndi:BPMNShape/@bpmnElement"))
    edges = set(xpath(doc, "//bpmndi:BPMNEdge/@bpmnElement"))
    nodes = {n.get("id") for tag in FLOW_NODES for n in xpath(doc, f"//bpmn:{tag}")}
    assert nodes | set(xpath(doc, "//bpmn:lane/@id")) | set(xpath(doc, "//bpmn:participant/@id")) == shapes
    assert set(xpath(doc, "//bpmn:sequenceFlow/@id")) == edges
    for waypoint in xpath(doc, "//bpmndi:BPMNEdge"):
        points = [(w.get("x"), w.get("y")) for w in waypoint.iterfind("{*}waypoint")]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            assert x1 == x2 or y1 == y2, f"{waypoint.get('bpmnElement')}: orthogonal edges"


def test_element_ids_are_unique_across_files(documents: dict[str, Any]) -> None:
    """The engine keys task settings by element id; a clash between stages would mix them up."""
    seen: dict[str, str] = {}
    for name in BPMN:
        for element in xpath(documents[name], "//bpmn:process//*[@id]"):
            element_id = element.get("id")
            assert element_id not in seen, f"{element_id} in {name} and {seen.get(element_id)}"
            seen[element_id] = name
    assert all(re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", i) for i in seen)
