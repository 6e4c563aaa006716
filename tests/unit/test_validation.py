"""Validating a bundle before deploy: every problem at once, tied to files and elements; scenario checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.definitions.validation import validate_bundle
from engine.errors import DefinitionError
from engine.spiff.scenarios import load_scenarios, run_scenario
from support import FIXTURES, fixture_bytes

APPROVAL = (FIXTURES / "bpmn" / "approval.bpmn").read_text(encoding="utf-8")
FORM = (FIXTURES / "forms" / "application.form.json").read_bytes()
CORPUS = Path("/work/shared/bpmn-corpus/miwg/reference")


def bundle(bpmn: str, **extra: bytes) -> dict[str, bytes]:
    return {"approval.bpmn": bpmn.encode(), "application.form.json": FORM, **extra}


def codes(files: dict[str, bytes]) -> set[tuple[str, str | None]]:
    return {(p.code, p.element_id) for p in validate_bundle(files).problems}


def test_a_clean_bundle_has_no_problems_and_parses() -> None:
    report = validate_bundle(bundle(APPROVAL))
    assert report.problems == [] and report.deployable
    assert report.to_dict()["processes"] == ["approval"]


def test_all_problems_are_reported_together_with_element_and_both_languages() -> None:
    broken = (
        APPROVAL.replace(' default="f_small"', "")
        .replace('formKey="application" dueIn="5" dueUnit="workingDays"', 'formKey="missing" dueIn="5" dueUnit="weeks"')
        .replace("budget &gt;= 2000000", "budget &gt;=")
        .replace("<bpmn:flowNodeRef>review_small</bpmn:flowNodeRef>", "")
        .replace('<bpmn:lane id="lane_purchaser" name="购买主体">', '<bpmn:lane id="lane_purchaser" name="街道办">')
    )
    report = validate_bundle(bundle(broken))
    assert {(p.code, p.element_id) for p in report.problems} == {
        ("unknown_form", "apply"),
        ("deadline", "apply"),
        ("expression", "f_large"),
        ("missing_condition", "by_budget"),
        ("no_lane", "review_small"),
        ("unknown_role", "apply"),
    }
    unknown_role = next(p for p in report.problems if p.code == "unknown_role")
    assert unknown_role.severity == "warning" and "街道办" in unknown_role.zh
    assert all(p.file == "approval.bpmn" and p.zh and p.en for p in report.problems)
    assert not report.deployable and report.bundle is None


def test_unreachable_elements_and_unsafe_scripts() -> None:
    orphan = APPROVAL.replace(
        '<bpmn:endEvent id="end">',
        '<bpmn:scriptTask id="orphan" name="孤立脚本"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
        '<bpmn:endEvent id="end">',
    )
    assert codes(bundle(orphan)) == {("unreachable", "orphan"), ("expression", "orphan")}


def test_missing_called_process_and_decision() -> None:
    caller = (FIXTURES / "bpmn" / "caller.bpmn").read_bytes()
    rule = APPROVAL.replace(
        '<bpmn:userTask id="review_small" name="小额项目审定">',
        '<bpmn:businessRuleTask id="pick" name="选方式"><bpmn:extensionElements>'
        "<spiffworkflow:calledDecisionId>no_table</spiffworkflow:calledDecisionId></bpmn:extensionElements>"
        '</bpmn:businessRuleTask><bpmn:userTask id="review_small" name="小额项目审定">',
    ).replace("xmlns:servflow=", 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:servflow=')
    found = codes(bundle(rule, **{"caller.bpmn": caller}))
    assert ("missing_call", "call_stage") in found and ("missing_decision", "pick") in found


def test_every_file_is_checked_on_its_own() -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "x">]><d>&x;</d>'
    report = validate_bundle(
        {"a.bpmn": hostile, "b.bpmn": b"<bpmn:definitions", "bad.form.json": b'{"components": 3}', **bundle(APPROVAL)}
    )
    assert {p.file for p in report.errors} == {"a.bpmn", "b.bpmn", "bad.form.json"}
    assert "DOCTYPE" in next(p.en for p in report.errors if p.file == "a.bpmn")


def test_spiffworkflow_parse_errors_are_reported() -> None:
    report = validate_bundle(bundle(APPROVAL.replace('isExecutable="true"', 'isExecutable="false"')))
    # judged as a file of its own: nothing in it to deploy, said with its name
    assert [p.code for p in report.errors] == ["file"] and "isExecutable" in report.errors[0].en
    assert "approval.bpmn" in report.errors[0].en and report.errors[0].element_id == "approval"


@pytest.mark.parametrize("name", ["A.1.0.bpmn", "B.2.0.bpmn", "C.1.0.bpmn", "C.9.2.bpmn"])
def test_reference_models_get_a_list_of_problems_not_a_crash(name: str) -> None:
    report = validate_bundle({name: (CORPUS / name).read_bytes()})
    assert report.errors and all(p.message for p in report.problems)


SCENARIOS = {
    "scenarios": [
        {
            "name": "大额",
            "start": {"budget": 3000000},
            "answers": {"apply": {"budget": 3000000}, "review_large": [{}]},
            "expect": {"tasks": ["apply", "review_large"], "path": ["by_budget", "end"], "end": True},
        },
        {"name": "小额停在审定", "answers": {"apply": {"budget": 1000}}, "expect": {"tasks": ["apply"], "end": False}},
        {
            "name": "错的期望",
            "answers": {"apply": {"budget": 1000}, "review_small": {}},
            "expect": {"path": ["review_large"]},
        },
    ]
}


def test_scenarios_run_in_memory_and_report_the_actual_path() -> None:
    files = bundle(APPROVAL, **{"scenarios/approval.scenarios.json": json.dumps(SCENARIOS).encode()})
    report = validate_bundle(files)
    assert [s.passed for s in report.scenarios] == [True, True, False]
    big, waiting, wrong = report.scenarios
    assert big.path == ["start", "apply", "by_budget", "review_large", "end"] and big.ended
    assert waiting.waiting_at == ["review_small"]
    assert "review_large" in wrong.message and wrong.path[-2:] == ["review_small", "end"]
    assert not report.deployable and report.errors == []


def test_answers_go_through_the_task_form() -> None:
    approval = validate_bundle(bundle(APPROVAL)).bundle
    assert approval is not None
    [refused] = load_scenarios('{"scenarios": [{"name": "x", "answers": {"apply": {"budget": -5}}}]}', source="s")
    result = run_scenario(approval, "approval", refused)
    assert not result.passed and "budget" in result.message


def test_a_loop_takes_its_answers_in_turn_and_waits_when_they_run_out() -> None:
    parsed = validate_bundle(fixture_bytes("bpmn/loop.bpmn")).bundle
    assert parsed is not None
    scenario = {"name": "三次报告", "start": {"total": 3}, "answers": {"report": [{}, {}, {}]}}
    [done] = load_scenarios(json.dumps({"scenarios": [{**scenario, "expect": {"end": True}}]}), source="s")
    result = run_scenario(parsed, "report_loop", done)
    assert result.passed and result.tasks == ["report"] * 3
    [short] = load_scenarios(json.dumps([{**scenario, "start": {"total": 5}, "expect": {"end": True}}]), source="s")
    result = run_scenario(parsed, "report_loop", short)
    assert not result.passed and result.waiting_at == ["report"] and "report" in result.message


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"scenarios": {}}',
        b'{"scenarios": [{"answers": {}}]}',
        b'{"scenarios": [{"name": "x", "expect": {"foo": 1}}]}',
    ],
)
def test_malformed_scenario_files_are_refused_with_the_file_named(content: bytes) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_scenarios(content, source="scenarios/approval.scenarios.json")
    assert caught.value.file == "scenarios/approval.scenarios.json"
    report = validate_bundle(bundle(APPROVAL, **{"scenarios/approval.scenarios.json": content}))
    assert [p.file for p in report.errors] == ["scenarios/approval.scenarios.json"]


def test_scenarios_for_a_process_not_in_the_bundle() -> None:
    files = bundle(APPROVAL, **{"scenarios/ghost.scenarios.json": b'{"scenarios": []}'})
    assert codes(files) == {("scenario_process", None)}
