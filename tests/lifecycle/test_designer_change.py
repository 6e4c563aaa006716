"""A locality changes its flow by changing files and deploying them for itself — no code change.

(a) 克拉玛依 adds a required field to the application form; (b) 乌鲁木齐 adds a countersign step to
the review (``tests/fixtures/bpmn/review_urumqi.bpmn``, the shipped review.bpmn plus one user task).
Each change is one file handed to ``Engine.deploy`` for one locality: other localities keep the
shipped definitions, and projects already running keep the version they started on. This module
itself only uses the Engine service API and the driver; ``test_only_files_and_the_engine_api``
checks that, so the proof cannot quietly come to depend on code written for it.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from lifecycle_helpers import application, completed_events, elements

from engine.demo.driver import Driver, Scenario
from engine.demo.seed import shipped_bundle
from engine.errors import InvalidDataError
from engine.service import Engine

HERE = Path(__file__)
FIXTURES = HERE.parents[1] / "fixtures"
NEW_FIELD = "local_policy_basis"


def karamay_application_form() -> bytes:
    """The shipped application form, as a designer would edit it: one more required text field."""
    form = json.loads(shipped_bundle()["forms/project_application.form.json"])
    form["components"].append(
        {"type": "textfield", "key": NEW_FIELD, "label": "地方政策依据（克拉玛依）",
         "validate": {"required": True, "maxLength": 200}}
    )  # fmt: skip
    return json.dumps(form, ensure_ascii=False).encode()


def first_task(engine: Engine, key: str, locality: str) -> Any:
    """A new project's 填报项目申报书 task."""
    instance = engine.start("lifecycle", locality=locality, business_key=key, actor="designer-test")
    (task,) = engine.open_tasks(instance.id)
    return task


def test_a_new_required_field_for_one_locality(shipped: Engine, driver: Driver) -> None:
    running = first_task(shipped, "KLMY-OLD", "650200")

    result = shipped.deploy({"forms/project_application.form.json": karamay_application_form()}, "650200", "klmy")

    assert result.created == [("apply", 1)], "only the stage using the form gets a new version"
    assert [v.process_key for v in shipped.versions(locality="650200")] == ["apply"]
    karamay = first_task(shipped, "KLMY-NEW", "650200")
    assert NEW_FIELD in driver.answer(karamay), "the new field is part of the form a Karamay purchaser fills in"
    without = {k: v for k, v in driver.answer(karamay, application()).items() if k != NEW_FIELD}
    with pytest.raises(InvalidDataError) as refused:
        shipped.complete(karamay.id, without, actor="purchaser_karamay")
    assert refused.value.errors == {NEW_FIELD: ["必填 / Required"]}
    shipped.complete(karamay.id, {**without, NEW_FIELD: "克政办发〔2025〕3号"}, actor="purchaser_karamay")
    assert completed_events(shipped, karamay.instance_id)[0].data[NEW_FIELD] == "克政办发〔2025〕3号"

    district = first_task(shipped, "BJT-NEW", "650204")
    with pytest.raises(InvalidDataError):
        shipped.complete(district.id, without, actor="purchaser_karamay")  # 白碱滩区 inherits 克拉玛依's form

    urumqi = first_task(shipped, "WLMQ-NEW", "650100")
    for task in (urumqi, running):  # 乌鲁木齐 keeps the shipped form; a running Karamay project its old one
        shipped.complete(task.id, without, actor="purchaser")
        assert NEW_FIELD not in completed_events(shipped, task.instance_id)[0].data
        Driver(shipped).answer_systems(task.instance_id, Scenario())  # the budget system agrees
        assert [t.element_id for t in shipped.open_tasks(task.instance_id)] == ["review_application"]


def test_an_extra_review_step_for_one_locality(shipped: Engine, driver: Driver) -> None:
    scenario = {"submit_application": application()}
    running = shipped.start("lifecycle", locality="650100", business_key="WLMQ-OLD", actor="purchaser_urumqi").id
    driver.run(running, scenario, limit=1)

    modified = (FIXTURES / "bpmn" / "review_urumqi.bpmn").read_bytes()
    result = shipped.deploy({"processes/review.bpmn": modified}, "650100", "wlmq-designer")

    assert result.created == [("review", 1)]
    assert [v.process_key for v in shipped.versions(locality="650100")] == ["review"]
    urumqi = shipped.start("lifecycle", locality="650100", business_key="WLMQ-NEW", actor="purchaser_urumqi").id
    steps = driver.run(urumqi, scenario, stop_at={"publish_intent"})
    assert elements(steps) == ["submit_application", "review_application", "countersign_review"]
    assert (steps[-1].role, steps[-1].actor) == ("manager", "manager_urumqi")

    returned = shipped.start("lifecycle", locality="650100", business_key="WLMQ-RET", actor="purchaser_urumqi").id
    leader_returns = {**scenario, "countersign_review": [{"review_decision": "return", "leader_opinion": "压减预算"}]}
    steps = driver.run(returned, leader_returns, limit=3)
    assert [t.element_id for t in shipped.open_tasks(returned)] == ["submit_application"], "the countersign decides"

    karamay = shipped.start("lifecycle", locality="650200", business_key="KLMY-NEW", actor="purchaser_karamay").id
    assert elements(driver.run(karamay, scenario, stop_at={"publish_intent"})) == [
        "submit_application",
        "review_application",
    ]
    assert elements(driver.run(running, scenario, stop_at={"publish_intent"})) == ["review_application"], (
        "a project that was running keeps the review it started with"
    )


def test_only_files_and_the_engine_api() -> None:
    """This module reaches servflow only through the Engine API, the driver and the shipped files."""
    allowed = {"engine.service", "engine.errors", "engine.demo.driver", "engine.demo.seed", "lifecycle_helpers"}
    stdlib = {"__future__", "ast", "json", "pathlib", "pytest", "typing"}
    imported = set()
    for node in ast.walk(ast.parse(HERE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert imported <= allowed | stdlib, imported - allowed - stdlib
    assert {"countersign_review"} <= {
        line.split('id="')[1].split('"')[0]
        for line in (FIXTURES / "bpmn" / "review_urumqi.bpmn").read_text(encoding="utf-8").splitlines()
        if "<bpmn:userTask " in line
    }, "the extra step lives in the BPMN file, not in code"
