"""Shared fixtures for the shipped-process tests: the parsed definitions and an in-memory driver.

The driver completes user tasks the way a person would through the engine (and answers service tasks as
their systems would when all is well): it builds a valid
submission from the task's own form (``example_submission``), applies the scenario's overrides and
passes the result through ``validate_submission``. A process that reads a key no form writes, or a
scenario value a form would refuse, therefore fails here and not in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.util.task import TaskState

from engine.formats.forms import example_submission, load_form, validate_submission
from engine.spiff import runtime
from engine.spiff.parsing import ServflowBpmnParser
from engine.spiff.registry_lookup import bans_from, listed_bans
from engine.spiff.scripting import make_script_engine

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "servflow": "http://servflow.org/schema/bpmn/1.0",
}
STAGES = ("apply", "review", "procure", "sign", "supervise", "accept", "evaluate", "pay")


def bpmn_files() -> list[Path]:
    return sorted(PROCESSES.glob("*.bpmn"))


def dmn_files() -> list[Path]:
    return sorted(PROCESSES.glob("*.dmn"))


def parse_xml(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))


def servflow_settings() -> dict[str, dict[str, dict[str, str]]]:
    """``{task id: {"task": {...}, "disclose": {...}}}`` read from the XML (SpiffWorkflow ignores them)."""
    settings: dict[str, dict[str, dict[str, str]]] = {}
    for path in bpmn_files():
        for task in parse_xml(path).iterfind(".//bpmn:userTask", NS):
            entry = {
                etree.QName(el).localname: dict(el.attrib)
                for el in task.iterfind("bpmn:extensionElements/servflow:*", NS)
            }
            settings[task.get("id")] = entry
    return settings


@pytest.fixture(scope="session")
def parser() -> ServflowBpmnParser:
    result = ServflowBpmnParser(validator=VALIDATOR)
    result.add_bpmn_files([str(p) for p in bpmn_files()])
    result.add_dmn_files([str(p) for p in dmn_files()])
    return result


@pytest.fixture(scope="session")
def forms() -> dict[str, dict[str, Any]]:
    return {
        p.name.removesuffix(".form.json"): load_form(p.read_bytes(), source=p.name)
        for p in sorted(FORMS.glob("*.form.json"))
    }


@pytest.fixture(scope="session")
def documents() -> dict[str, etree._ElementTree]:
    """Every shipped BPMN and DMN document, parsed safely, by file name."""
    return {p.name: parse_xml(p) for p in [*bpmn_files(), *dmn_files()]}


@pytest.fixture(scope="session")
def settings() -> dict[str, dict[str, dict[str, str]]]:
    return servflow_settings()


@dataclass
class Run:
    """One in-memory workflow plus the list of user tasks completed so far (for assertions)."""

    workflow: BpmnWorkflow
    forms: dict[str, dict[str, Any]]
    settings: dict[str, dict[str, dict[str, str]]]
    done: list[str] = field(default_factory=list)

    def ready(self) -> list[str]:
        return [t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    def complete(self, task_id: str, **overrides: Any) -> dict[str, Any]:
        """Complete the READY user task ``task_id`` with its form's example data plus ``overrides``."""
        tasks = [
            t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == task_id
        ]
        assert tasks, f"{task_id} is not ready; ready: {self.ready()}"
        form = self.forms[self.settings[task_id]["task"]["formKey"]]
        submitted = validate_submission(form, {**example_submission(form), **overrides})
        task = tasks[0]
        task.data.update(submitted)
        task.run()
        self.workflow.do_engine_steps()
        systems_agree(self.workflow)
        self.done.append(task_id)
        return submitted

    def steps(self, *steps: str | tuple[str, dict[str, Any]]) -> Run:
        """Complete tasks in order; a step is a task id or ``(task id, overrides)``."""
        for step in steps:
            task_id, overrides = (step, {}) if isinstance(step, str) else step
            self.complete(task_id, **overrides)
        return self

    @property
    def data(self) -> dict[str, Any]:
        return self.workflow.data

    def ended_at(self) -> list[str]:
        """Ids of the end events reached (in the top-level process and any called process)."""
        return [
            t.task_spec.bpmn_id
            for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
            if type(t.task_spec).__name__ == "EndEvent"
        ]

    def count(self, task_id: str) -> int:
        return self.done.count(task_id)


def systems_agree(workflow: BpmnWorkflow) -> None:
    """Answer every service task the run waits on as its system would when all is well (the budget line
    is there, the treasury pays): these tests are about the people's paths; tests/engine has the systems'."""
    while waiting := runtime.waiting_external(workflow):
        for task in waiting:
            runtime.complete_external(workflow, task.task_uuid, {})


#: The registry's blacklist as these in-memory runs see it (``provider_ban`` in the credit checks).
SAMPLE_BANS = (
    {"credit_code": "91650100MA77XY8124", "starts_on": "2024-03-01", "ends_on": "2027-02-28", "reason": "严重违法失信"},
    {"credit_code": "91650200MA79ABC341", "starts_on": "2022-01-01", "ends_on": "2024-12-31", "reason": "重大税收违法"},
)


@pytest.fixture(autouse=True)
def sample_blacklist() -> Iterator[None]:
    with bans_from(listed_bans(SAMPLE_BANS)):
        yield


@pytest.fixture
def start(parser: ServflowBpmnParser, forms: dict[str, Any], settings: dict[str, Any]) -> Any:
    """``start(process_id, **data)``: a running workflow stopped at its first wait state."""

    def _start(process_id: str, **data: Any) -> Run:
        spec = parser.get_spec(process_id)
        workflow = BpmnWorkflow(spec, parser.get_subprocess_specs(process_id), script_engine=make_script_engine())
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        workflow.do_engine_steps()
        systems_agree(workflow)
        return Run(workflow, forms, settings)

    return _start
