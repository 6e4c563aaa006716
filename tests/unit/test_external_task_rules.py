"""The properties panel checks an external service task's settings as the designer types
(web/frontend/src/properties/servflow/external-task-rules.js); that copy of the engine's deploy rules
must refuse exactly what the engine refuses, in the engine's words. Each case is parsed by the engine
and judged by the JavaScript (under Node) and the two answers compared."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.errors import DefinitionError
from engine.spiff.parsing import parse_bundle

FRONTEND = Path(__file__).resolve().parents[2] / "web" / "frontend"
RULES = FRONTEND / "src" / "properties" / "servflow" / "external-task-rules.js"

# One setting varied at a time; the others valid.
CASES = [
    *({"topic": topic} for topic in ["budget.check", "erp:budget-check_v2", "", "budget check", "a/b", "x" * 201]),
    *({"topic": "t", "retries": value} for value in ["1", "100", "0", "101", "2.5", "-1", "three"]),
    *(
        {"topic": "t", name: value}
        for name in ["lockDuration", "retryBackoff"]
        for value in ["PT5M", "pt5m", "P1DT2H", "PT0S", "P", "PT", "P1W", "5 minutes", "PT5M "]
    ),
]

JUDGE = """
import { durationProblem, retriesProblem, topicProblem } from %s;
const cases = JSON.parse(process.argv[1]);
const first = (c) => topicProblem(c.topic) || retriesProblem(c.retries)
  || durationProblem('lockDuration', c.lockDuration) || durationProblem('retryBackoff', c.retryBackoff);
console.log(JSON.stringify(cases.map(first)));
"""


def _engine_says(case: dict[str, str]) -> str | None:
    attributes = " ".join(f'servflow:{name}="{value}"' for name, value in case.items())
    bpmn = f"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
        xmlns:servflow="http://servflow.org/schema/bpmn/1.0" id="d" targetNamespace="http://servflow.org/tests">
      <bpmn:process id="p" isExecutable="true">
        <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
        <bpmn:serviceTask id="call" {attributes}/><bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
        <bpmn:endEvent id="end"/>
      </bpmn:process>
    </bpmn:definitions>"""
    try:
        parse_bundle({"p.bpmn": bpmn.encode()})
    except DefinitionError as exc:
        return exc.reason.strip().removesuffix(".")  # SpiffWorkflow's ValidationException adds ". "
    return None


def test_the_panel_refuses_what_the_engine_refuses_in_its_words() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the frontend is built with it)")
    script = JUDGE % json.dumps(RULES.as_uri())
    result = subprocess.run(
        [node, "--input-type=module", "-e", script, json.dumps(CASES)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    panel = json.loads(result.stdout)
    assert [(case, said) for case, said in zip(CASES, panel, strict=True)] == [
        (case, _engine_says(case)) for case in CASES
    ]
