"""Deploying versions per locality: immutability, no-op redeploys, fallback and pinning."""

from __future__ import annotations

import pytest

from engine.errors import DefinitionError
from engine.service import Engine
from support import fixture_bytes

APPROVAL = ("bpmn/approval.bpmn", "forms/application.form.json")


def test_identical_content_creates_no_new_version(engine: Engine) -> None:
    first = engine.deploy(fixture_bytes(*APPROVAL), "650000", "designer1")
    assert first.created == [("approval", 1)]
    again = engine.deploy(fixture_bytes(*APPROVAL), "650000", "designer1")
    assert again.created == [] and again.unchanged == ["approval"]
    assert [v.version for v in engine.versions(key="approval")] == [1]
    version = engine.current_version("approval", "650000")
    assert version.deployed_by == "designer1"
    assert len(version.content_hash) == 64
    assert version.task_config["apply"]["role"] == "purchaser"
    assert version.forms["application"]["components"][0]["key"] == "project_name"


def test_locality_override_fallback_and_pinned_running_instances(engine: Engine) -> None:
    engine.deploy(fixture_bytes(*APPROVAL), "650000")
    before = engine.start("approval", locality="650200", business_key="KLMY-1")
    override = fixture_bytes("bpmn/approval_karamay.bpmn")
    result = engine.deploy({"approval.bpmn": override["approval_karamay.bpmn"]}, "650200", "klmy-designer")
    assert result.created == [("approval", 1)]

    assert engine.current_version("approval", "650200").locality_code == "650200"
    assert engine.current_version("approval", "650100").locality_code == "650000"
    assert engine.current_version("approval", "650204").locality_code == "650200"

    after = engine.start("approval", locality="650200", business_key="KLMY-2")
    urumqi = engine.start("approval", locality="650100", business_key="URC-1")
    for instance in (before, after, urumqi):
        (task,) = engine.open_tasks(instance.id)
        engine.complete(task.id, {"project_name": "p", "budget": 100}, actor="u")
    paths = {}
    for instance in (before, after, urumqi):
        (task,) = engine.open_tasks(instance.id)
        engine.complete(task.id, {}, actor="u")
        paths[instance.business_key] = [t.element_id for t in engine.open_tasks(instance.id)]
    assert paths == {"KLMY-1": [], "KLMY-2": ["countersign"], "URC-1": []}
    assert engine.get_instance(before.id).process_version_id != engine.get_instance(after.id).process_version_id


def test_call_activity_runs_the_called_stage_and_reports_its_stage(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/caller.bpmn", "bpmn/stage_child.bpmn"), "650000")
    instance = engine.start("caller", locality="650100", business_key="CALL-1")
    assert instance.stage == "stage_child"
    (task,) = engine.open_tasks(instance.id)
    assert (task.process_key, task.role, task.locality_code) == ("stage_child", "finance_reviewer", "650100")
    instance = engine.complete(task.id, {"ok": True}, actor="u")
    (wrap,) = engine.open_tasks(instance.id)
    assert (wrap.element_id, wrap.process_key, instance.stage) == ("wrap_up", "caller", "caller")


def test_redeploying_a_called_stage_changes_new_projects_only(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/caller.bpmn", "bpmn/stage_child.bpmn"), "650000")
    old = engine.start("caller", locality="650000", business_key="OLD")
    original = fixture_bytes("bpmn/stage_child.bpmn")["stage_child.bpmn"].decode()
    child = original.replace('name="审核"', 'name="复核"').encode()
    assert engine.deploy({"stage_child.bpmn": child}, "650000").created == [("stage_child", 2)]
    new = engine.start("caller", locality="650000", business_key="NEW")
    assert [t.name for t in engine.open_tasks(old.id)] == ["审核"]
    assert [t.name for t in engine.open_tasks(new.id)] == ["复核"]


def test_missing_called_process_is_refused_naming_the_element(engine: Engine) -> None:
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(fixture_bytes("bpmn/caller.bpmn"), "650000")
    assert refused.value.file == "caller.bpmn"
    assert "stage_child" in refused.value.message
    assert engine.versions() == []


def test_unknown_form_key_is_refused_and_nothing_is_written(engine: Engine) -> None:
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(fixture_bytes("bpmn/approval.bpmn"), "650000")
    assert refused.value.element_id == "apply"
    assert "application" in refused.value.message
    assert engine.versions() == []


def test_unknown_locality_is_a_clear_error(engine: Engine) -> None:
    from engine.errors import NotFoundError

    with pytest.raises(NotFoundError, match="unknown locality"):
        engine.deploy(fixture_bytes(*APPROVAL), "999999")


def test_stages_called_again_and_again_leave_no_completed_subprocesses_behind(engine: Engine) -> None:
    """Regression: compaction removed a finished call activity and then tripped over its sub-workflow."""
    import json

    engine.deploy(fixture_bytes("bpmn/two_stages.bpmn", "bpmn/stage_child.bpmn"), "650000")
    instance = engine.start("two_stages", locality="650000", business_key="TWO-1", data={"rounds": 0})
    for _ in range(4):
        (task,) = engine.open_tasks(instance.id)
        assert task.element_id == "check"
        instance = engine.complete(task.id, {}, actor="u")
    (task,) = engine.open_tasks(instance.id)
    assert task.element_id == "wrap_up"
    state = json.loads(engine.get_instance(instance.id).state)
    assert len(state["subprocesses"]) <= 1
    assert engine.complete(task.id, {}, actor="u").status == "completed"
