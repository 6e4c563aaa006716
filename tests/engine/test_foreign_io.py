"""``camunda:inputOutput`` runs as in Camunda 7: the task sees its inputs, the process its outputs only.

``camunda7_order_review.bpmn`` was written for these tests after Camunda's input/output mapping examples:
a literal, JUEL expressions, a ``camunda:list`` and a ``camunda:map`` in, two expressions out, and an input
named like a project variable, which it hides while the task runs.
"""

from __future__ import annotations

import pytest

from engine.definitions.validation import validate_bundle
from engine.errors import DefinitionError
from engine.service import Engine
from support import FIXTURES

REGION = "650000"
ORDER = "camunda7_order_review.bpmn"
DATA = {
    "order": {"price": 12.5, "quantity": 4, "channel": "sms", "customer": "Ma Lin"},
    "status": "new",
}


def _text() -> str:
    return (FIXTURES / "foreign" / ORDER).read_text(encoding="utf-8")


def _review(engine: Engine) -> tuple[int, int]:
    engine.deploy({ORDER: _text().encode()}, REGION)
    instance = engine.start("order_review", locality=REGION, data=DATA)
    (task,) = engine.open_tasks(instance.id)
    assert task.element_id == "review"
    return instance.id, task.id


def test_the_task_sees_its_inputs(engine: Engine) -> None:
    _, task_id = _review(engine)
    data = engine.task_data(task_id)
    assert (data["queue"], data["total"], data["status"]) == ("standard", 50.0, "in review")
    assert data["channels"] == ["email", "sms"]
    assert data["customer"] == {"name": "Ma Lin", "tier": "gold"}


@pytest.mark.parametrize(("approved", "after", "total"), [(True, "ship", 50.0), (False, "tell_customer", 0)])
def test_the_process_sees_the_outputs_and_not_the_inputs(
    engine: Engine, approved: bool, after: str, total: float
) -> None:
    instance_id, task_id = _review(engine)
    engine.complete(task_id, {"approved": approved}, actor="demo")
    (next_task,) = engine.open_tasks(instance_id)
    assert next_task.element_id == after  # ${approvedTotal > 0}
    data = engine.task_data(next_task.id)
    assert (data["approvedTotal"], data["reviewQueue"], data["approved"]) == (total, "standard", approved)
    assert data["status"] == "new"  # what the input hid is back
    assert not {"queue", "total", "channels", "customer", "camunda_io", "camunda_outputs"} & set(data)


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "<camunda:value>email</camunda:value>",
            '<camunda:script scriptFormat="python">x = 1</camunda:script>',
            "'channels'",
        ),
        ("${order.price * order.quantity}", "Total: ${order.price}", "'total'"),
        ('name="queue"', 'name="type"', "'type'"),
        ('name="queue"', 'name="camunda_io"', "'camunda_io'"),
        ("${queue}", "${order.getQueue()}", "order.getQueue"),
    ],
)
def test_a_mapping_servflow_cannot_run_is_refused_naming_the_task_and_parameter(
    engine: Engine, old: str, new: str, said: str
) -> None:
    text = _text()
    assert old in text
    changed = {ORDER: text.replace(old, new, 1).encode()}
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(changed, REGION)
    assert refused.value.element_id == "review" and said in refused.value.reason and " / " in refused.value.reason
    assert any(p.element_id == "review" and said in p.en for p in validate_bundle(changed).errors)
    assert engine.versions(locality=REGION) == []


def test_a_mapping_on_an_event_is_refused() -> None:
    text = _text().replace(
        '<bpmn:endEvent id="end">',
        '<bpmn:endEvent id="end"><bpmn:extensionElements><camunda:inputOutput>'
        '<camunda:inputParameter name="x">1</camunda:inputParameter></camunda:inputOutput>'
        "</bpmn:extensionElements>",
    )
    (problem,) = validate_bundle({ORDER: text.encode()}).errors
    assert problem.element_id == "end" and "endEvent" in problem.en
