"""Stored rows survive upgrades: frozen copies of the rows servflow stored before specs recorded their
format (``tests/fixtures/state/``: each process version's spec and each project's state, at a ready task,
a waiting timer, a running call) are loaded on every run and run on; a state of an older SpiffWorkflow
serializer version is migrated joined with its specs, as SpiffWorkflow's own migrations expect.

The fixtures were written once by ``write_fixtures`` (``python tests/engine/test_stored_state.py``), run
on the code of commit 35bc3de, before the formats were recorded; never rewrite them with newer code."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from engine.spiff import runtime
from engine.spiff.stored_format import LEGACY, spec_version

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "state"
PARENT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="defs_mparent" targetNamespace="http://servflow.org/test">
  <bpmn:process id="mparent" name="迁移测试总流程" isExecutable="true">
    <bpmn:startEvent id="p_start"><bpmn:outgoing>p1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="call_review" name="审核阶段" calledElement="mreview">
      <bpmn:incoming>p1</bpmn:incoming><bpmn:outgoing>p2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:userTask id="archive" name="归档"><bpmn:incoming>p2</bpmn:incoming><bpmn:outgoing>p3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="p_end"><bpmn:incoming>p3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="p1" sourceRef="p_start" targetRef="call_review"/>
    <bpmn:sequenceFlow id="p2" sourceRef="call_review" targetRef="archive"/>
    <bpmn:sequenceFlow id="p3" sourceRef="archive" targetRef="p_end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def write_fixtures(folder: Path) -> None:
    """Store today's rows as JSON: the versions' specs and three projects' states (run once)."""
    from migration_models import V1

    from engine.compose import build_engine
    from engine.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/fixtures.sqlite"
        upgrade(url)
        engine = build_engine(url, deadlines=False)
        engine.ensure_localities()
        engine.deploy({"mreview.bpmn": V1.encode(), "mparent.bpmn": PARENT.encode()}, "650100")
        at_review = engine.start("mreview", locality="650100", business_key="F-1", data={"amount": 10})
        at_approve = engine.start("mreview", locality="650100", business_key="F-2", data={"amount": 20})
        engine.complete(engine.open_tasks(at_approve.id)[0].id, {"opinion": "同意"}, actor="system")
        in_call = engine.start("mparent", locality="650100", business_key="F-3", data={"amount": 30})
        folder.mkdir(parents=True, exist_ok=True)
        for version in engine.versions():
            row = {"id": version.id, "process_key": version.process_key, "spec": version.spec, "calls": version.calls}
            _write(folder / f"version_{version.process_key}.json", row)
        for name, instance in (("at_review", at_review), ("at_approve", at_approve), ("in_call", in_call)):
            stored = engine.get_instance(instance.id)
            row = {
                "process_key": stored.process_key,
                "bound_versions": stored.bound_versions,
                "state_format": stored.state_format,
                "state": stored.state,
                "ready": [task.element_id for task in engine.open_tasks(instance.id)],
            }
            _write(folder / f"instance_{name}.json", row)
        engine.dispose()


def _write(path: Path, row: dict[str, Any]) -> None:
    path.write_text(json.dumps(row, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _read(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _specs(instance: dict[str, Any]) -> runtime.SpecSet:
    versions = {key: _read(f"version_{key}.json") for key in instance["bound_versions"]}
    return runtime.build_spec_set(instance["process_key"], {k: (v["id"], v["spec"]) for k, v in versions.items()})


@pytest.mark.parametrize(("name", "then"), [("at_review", ["APPROVE"]), ("at_approve", []), ("in_call", ["APPROVE"])])
def test_a_frozen_row_loads_and_runs_on(name: str, then: list[str]) -> None:
    instance = _read(f"instance_{name}.json")
    assert instance["state_format"] == 1
    specs = _specs(instance)
    workflow = runtime.load(instance["state"], specs)
    ready = runtime.ready_tasks(workflow)
    assert [task.element_id for task in ready] == instance["ready"]
    runtime.complete(workflow, ready[0].task_uuid, {"opinion": "同意"})
    assert [task.element_id for task in runtime.ready_tasks(workflow)] == then
    assert json.loads(runtime.save(workflow))["serializer_version"] == "1.5"


def test_the_frozen_specs_are_of_the_legacy_format() -> None:
    assert {spec_version(_read(f"version_{key}.json")["spec"]) for key in ("mreview", "mparent")} == {LEGACY}


def test_a_state_of_an_older_serializer_is_migrated_joined_with_its_specs() -> None:
    """SpiffWorkflow's 1.4 → 1.5 step reads each task's spec: given the state alone it fails (KeyError
    'spec'); joined with the stored specs it runs, and the saved state is of the current version."""
    instance = _read("instance_at_approve.json")
    older = {**json.loads(instance["state"]), "serializer_version": "1.4"}
    workflow = runtime.load(json.dumps(older), _specs(instance))
    assert [task.element_id for task in runtime.ready_tasks(workflow)] == ["APPROVE"]
    assert json.loads(runtime.save(workflow))["serializer_version"] == "1.5"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    write_fixtures(FIXTURES)
