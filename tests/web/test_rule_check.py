"""The task page asks the server for the form's rules across fields while the person types: the answer
names the broken rule's field, saves nothing, and is refused to someone who may not work on the task."""

from __future__ import annotations

from flask.testing import FlaskClient

from engine.demo.seed import shipped_bundle
from engine.service import Engine
from support import csrf_token, login


def test_the_rules_are_checked_on_what_is_typed_and_nothing_is_kept(client: FlaskClient, engine: Engine) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-RULE-1", actor="purchaser_urumqi")
    (task,) = engine.open_tasks(instance.id)
    typed = {"period_start": "2026-03-01", "period_end": "2026-02-01"}

    login(client, "purchaser_urumqi")
    headers = {"X-CSRFToken": csrf_token(client, f"/tasks/{task.id}"), "Accept": "application/json"}
    answer = client.post(f"/tasks/{task.id}/rules", json=typed, headers=headers)
    assert answer.status_code == 200 and list(answer.json["errors"]) == ["period_end"]
    fixed = client.post(f"/tasks/{task.id}/rules", json={**typed, "period_end": "2027-02-28"}, headers=headers)
    assert fixed.json == {"errors": {}}
    assert engine.get_task(task.id).draft is None and engine.get_task(task.id).state == "open"

    login(client, "purchaser2_urumqi")  # another department's purchaser
    headers = {"X-CSRFToken": csrf_token(client, "/"), "Accept": "application/json"}
    assert client.post(f"/tasks/{task.id}/rules", json=typed, headers=headers).status_code == 404
