"""A locality's lifecycle settings (stage order, summary fields, statutory stage limits) travel with its
deployed bundle: a redesign deploys a new settings file, no code changes, and what runs follows it."""

from __future__ import annotations

import json

import pytest

from engine.definitions.shipped import shipped_bundle
from engine.errors import DefinitionError
from engine.queries import reporting
from engine.service import Engine
from support import fixture_bytes

SETTINGS = "processes/servflow.settings.json"


def _shipped_settings() -> dict:
    return json.loads(shipped_bundle()[SETTINGS])


def _deploy_settings(engine: Engine, locality: str, **changes: object) -> None:
    settings = {**_shipped_settings(), **changes}
    engine.deploy({SETTINGS: json.dumps(settings, ensure_ascii=False).encode()}, locality, "designer")


def test_a_city_changes_a_statutory_limit_for_itself_and_the_places_below(engine: Engine) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    assert engine.read(reporting.stage_limit, "sign", "650204").days == 30
    limits = {**_shipped_settings()["stage_limits"], "sign": {"days": 15, "basis": "克拉玛依市实施细则"}}
    _deploy_settings(engine, "650200", stage_limits=limits)

    karamay = engine.read(reporting.stage_limit, "sign", "650204")  # 白碱滩区 inherits 克拉玛依's
    assert (karamay.days, karamay.basis) == (15, "克拉玛依市实施细则")
    assert engine.read(reporting.stage_limit, "sign", "650100").days == 30  # 乌鲁木齐 keeps the region's
    assert [stage for stage, _ in engine.read(reporting.stage_limits, "650200")] == ["sign", "pay"]


def test_the_stage_order_follows_the_deployed_settings(engine: Engine) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    keys = [key for key, _ in engine.read(reporting.deployed_processes, "650100")]
    assert keys[:3] == ["lifecycle", "apply", "review"]
    stages = _shipped_settings()["stages"]
    _deploy_settings(engine, "650100", stages=[stages[1], stages[0], *stages[2:]])
    keys = [key for key, _ in engine.read(reporting.deployed_processes, "650100")]
    assert keys[:3] == ["lifecycle", "review", "apply"]


def test_a_new_summary_field_is_kept_for_projects_started_after_the_deploy(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    before = engine.start("approval", locality="650100", business_key="S-1", data={"service_area": "天山区"})
    assert "service_area" not in engine.get_instance(before.id).summary

    summary = [*_shipped_settings()["summary"], "service_area"]
    _deploy_settings(engine, "650100", summary=summary)
    after = engine.start("approval", locality="650100", business_key="S-2", data={"service_area": "天山区"})
    assert engine.get_instance(after.id).summary["service_area"] == "天山区"
    # the project started on the earlier version keeps its version's settings
    task = engine.open_tasks(before.id)[0]
    engine.complete(task.id, {"project_name": "p", "budget": 1}, actor="alice")
    assert "service_area" not in engine.get_instance(before.id).summary


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"{not json", "not valid JSON"),
        (json.dumps({"stages": "apply"}).encode(), "stages"),
        (json.dumps({"stage_limits": {"sign": {"days": 0}}}).encode(), "stage_limits.sign.days"),
        (json.dumps({"stage_limit": {}}).encode(), "stage_limit"),
        (json.dumps({"summary": ["budget", "budget"]}).encode(), "summary"),
        (json.dumps({"credit_record": {"grade": "g", "breach": "差"}}).encode(), "credit_record.breach"),
        (
            json.dumps({"credit_record": {"grade": "g", "failed_rectification": {"field": "r"}}}).encode(),
            "credit_record.failed_rectification",
        ),
        (json.dumps({"parties": {"provider": {"kind": "vendor", "credit_code": "c"}}}).encode(), "vendor"),
    ],
)
def test_a_broken_settings_file_is_refused_naming_the_field_and_nothing_is_deployed(
    engine: Engine, content: bytes, named: str
) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    before = len(engine.versions())
    with pytest.raises(DefinitionError, match=named) as refused:
        engine.deploy({SETTINGS: content}, "650100", "designer")
    assert refused.value.file == SETTINGS
    assert len(engine.versions()) == before
