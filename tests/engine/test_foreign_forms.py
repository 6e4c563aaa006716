"""A Camunda 7 / Flowable user task's declared form fields become the task's form, as in those engines.

``camunda7_leave_request.bpmn`` was written for these tests after Camunda's generated task forms (types,
enum options, defaults and ``camunda:validation`` constraints); ``flowable_simplemodel.bpmn`` is the real
Flowable file with ``activiti:formProperty`` fields.
"""

from __future__ import annotations

import pytest

from engine.definitions.validation import validate_bundle
from engine.errors import DefinitionError, InvalidDataError
from engine.service import Engine
from support import FIXTURES

FOREIGN = FIXTURES / "foreign"
REGION = "650000"
LEAVE = "camunda7_leave_request.bpmn"
GOOD = {"reason": "family visit", "days": 3, "kind": "annual", "firstDay": "2025-06-09", "urgent": False}


def _leave_text() -> str:
    return (FOREIGN / LEAVE).read_text(encoding="utf-8")


def _start(engine: Engine) -> tuple[int, int]:
    engine.deploy({LEAVE: _leave_text().encode()}, REGION)
    instance = engine.start("leave_request", locality=REGION, data={"employeeName": "Ada Li"})
    (task,) = engine.open_tasks(instance.id)
    return instance.id, task.id


def _components(engine: Engine, task_id: int) -> dict[str, dict]:
    """The fields of the form the task is shown and checked with (the one its process version keeps)."""
    task = engine.get_task(task_id)
    form = engine.current_version(task.process_key, REGION).forms[task.form_key]
    return {c["key"]: c for c in form["components"]}


def test_the_fields_become_the_tasks_form_with_types_options_defaults_and_rules(engine: Engine) -> None:
    _, task_id = _start(engine)
    task = engine.get_task(task_id)
    assert task.form_key == "formData:request"
    fields = _components(engine, task_id)
    assert {key: c["type"] for key, c in fields.items()} == {
        "reason": "textfield",
        "days": "number",
        "kind": "select",
        "firstDay": "datetime",
        "urgent": "checkbox",
        "employee": "textfield",
    }
    assert fields["reason"]["validate"] == {"required": True, "minLength": 3, "maxLength": 200}
    assert (fields["days"]["validate"], fields["days"]["defaultValue"]) == ({"required": True, "min": 1, "max": 30}, 1)
    assert [o["value"] for o in fields["kind"]["values"]] == ["annual", "sick", "unpaid"]
    assert fields["kind"]["values"][2]["label"] == "Unpaid leave"
    assert fields["firstDay"]["defaultValue"] == "2025-06-02"  # Camunda's dd/MM/yyyy, as ISO
    assert fields["employee"]["readonly"] is True
    # ${employeeName} as the default: the form opens with the project's value
    assert engine.task_data(task_id)["employee"] == "Ada Li"


def test_a_submission_is_checked_with_the_fields_rules(engine: Engine) -> None:
    _, task_id = _start(engine)
    with pytest.raises(InvalidDataError) as missing:
        engine.complete(task_id, {k: v for k, v in GOOD.items() if k != "reason"}, actor="demo")
    assert set(missing.value.errors) == {"reason"} and "Required" in missing.value.errors["reason"][0]
    with pytest.raises(InvalidDataError) as outside:
        engine.complete(task_id, {**GOOD, "kind": "sabbatical"}, actor="demo")
    assert set(outside.value.errors) == {"kind"}
    with pytest.raises(InvalidDataError) as out_of_range:
        engine.complete(task_id, {**GOOD, "days": 31, "reason": "no"}, actor="demo")
    assert set(out_of_range.value.errors) == {"days", "reason"}
    assert engine.get_task(task_id).state == "open"


@pytest.mark.parametrize(
    ("answer", "next_task"),
    [
        ({}, "approve"),
        ({"kind": "unpaid"}, "manager_approve"),  # ${kind == 'unpaid' || days > 10}
        ({"days": 12}, "manager_approve"),
    ],
)
def test_a_valid_submission_completes_and_the_condition_reads_its_values(
    engine: Engine, answer: dict, next_task: str
) -> None:
    instance_id, task_id = _start(engine)
    engine.complete(task_id, {**GOOD, **answer}, actor="demo")
    assert [t.element_id for t in engine.open_tasks(instance_id)] == [next_task]


def test_the_readonly_field_keeps_the_projects_value(engine: Engine) -> None:
    instance_id, task_id = _start(engine)
    engine.complete(task_id, {**GOOD, "employee": "Mallory"}, actor="demo")
    (after,) = engine.open_tasks(instance_id)
    assert engine.task_data(after.id)["employeeName"] == "Ada Li"
    assert engine.task_data(after.id).get("employee") != "Mallory"


def test_flowable_form_properties_make_a_form_too(engine: Engine) -> None:
    name = "flowable_simplemodel.bpmn"
    assert validate_bundle({name: (FOREIGN / name).read_bytes()}).problems == []  # no more "takes a comment"
    engine.deploy({name: (FOREIGN / name).read_bytes()}, REGION)
    instance = engine.start("simpleProcess", locality=REGION, data={"number": 2})
    (task,) = engine.open_tasks(instance.id)
    fields = _components(engine, task.id)
    assert (fields["test"]["type"], fields["test"]["label"], fields["test2"]["type"]) == (
        "textfield",
        "Test",
        "checkbox",
    )
    with pytest.raises(InvalidDataError) as wrong:
        engine.complete(task.id, {"test2": "yes"}, actor="kermit")
    assert set(wrong.value.errors) == {"test2"}
    engine.complete(task.id, {"test": "x", "test2": True}, actor="kermit")
    assert [t.name for t in engine.open_tasks(instance.id)] == ["User task 2"]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('id="days" label="Days" type="long"', 'id="days" label="Days" type="money"', "'money'"),
        ('name="minlength" config="3"', 'name="validator" config="org.acme.LeaveCheck"', "org.acme.LeaveCheck"),
        ('name="minlength" config="3"', 'name="pattern" config="[a-z]+"', "'pattern'"),
        ('name="min" config="1"', 'name="minlength" config="1"', "minlength"),
        ('name="max" config="30"', 'name="max" config="thirty"', "'thirty'"),
        ('type="long" defaultValue="1"', 'type="long" defaultValue="one"', "'one'"),
        ('defaultValue="annual"', 'defaultValue="maternity"', "'maternity'"),
        ('id="firstDay"', 'id="first-day"', "'first-day'"),
        (
            'camunda:assignee="demo">\n      <bpmn:extensionElements>',
            'camunda:assignee="demo" camunda:formKey="camunda-forms:app:leave.form">\n      <bpmn:extensionElements>',
            "camunda:formData",
        ),
    ],
)
def test_what_the_form_cannot_honour_is_refused_naming_task_field_and_value(
    engine: Engine, old: str, new: str, said: str
) -> None:
    text = _leave_text()
    assert old in text
    changed = {LEAVE: text.replace(old, new, 1).encode()}
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(changed, REGION)
    assert refused.value.element_id == "request" and said in refused.value.reason and " / " in refused.value.reason
    (problem,) = [p for p in validate_bundle(changed).errors if p.element_id == "request"]
    assert said in problem.en
    assert engine.versions(locality=REGION) == []


def test_a_start_forms_fields_are_said_not_to_be_checked() -> None:
    text = _leave_text().replace(
        '<bpmn:startEvent id="start" name="Leave wanted">',
        '<bpmn:startEvent id="start" name="Leave wanted"><bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="employeeName" label="Employee" type="string" /></camunda:formData>'
        "</bpmn:extensionElements>",
    )
    (warning,) = validate_bundle({LEAVE: text.encode()}).problems
    assert (warning.severity, warning.element_id, warning.code) == ("warning", "start", "start_form_fields")
