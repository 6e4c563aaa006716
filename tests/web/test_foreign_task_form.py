"""The task page of a Camunda 7 model's user task shows the form made of its camunda:formData fields."""

from __future__ import annotations

from flask.testing import FlaskClient
from inbox_support import URUMQI
from test_task_page import page_config, send

from engine.service import Engine
from support import FIXTURES, login


def test_the_page_shows_the_generated_fields_and_checks_them(engine: Engine, client: FlaskClient) -> None:
    text = (FIXTURES / "foreign" / "camunda7_leave_request.bpmn").read_text(encoding="utf-8")
    engine.deploy(
        {"leave.bpmn": text.replace('camunda:assignee="demo"', 'camunda:assignee="purchaser_urumqi"').encode()}, URUMQI
    )
    instance = engine.start("leave_request", locality=URUMQI, data={"employeeName": "阿依古丽"}, actor="seed")
    (task,) = engine.open_tasks(instance.id)
    login(client, "purchaser_urumqi")

    config = page_config(client, task.id)
    fields = {c["key"]: c for c in config["form"]["components"]}
    assert list(fields) == ["reason", "days", "kind", "firstDay", "urgent", "employee"]
    assert fields["kind"]["type"] == "select" and fields["kind"]["values"][1] == {
        "label": "Sick leave",
        "value": "sick",
    }
    assert fields["reason"]["validate"]["required"] is True and fields["employee"]["readonly"] is True
    assert config["data"]["employee"] == "阿依古丽"  # ${employeeName}, the field's default

    url = f"/tasks/{task.id}/complete"
    refused = send(client, url, {"days": 2, "kind": "sabbatical"})
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"reason", "kind"}
    done = send(client, url, {"reason": "family visit", "days": 2, "kind": "sick"})
    assert done.status_code == 200
    assert [t.element_id for t in engine.open_tasks(instance.id)] == ["approve"]
