"""A body nested a thousand levels deep is a clear 400, never a 500 (issue #12, probe defect 4)."""

from __future__ import annotations

import json

from api_client import Api
from flask.testing import FlaskClient

from support import csrf_token, login

DEEP = "[" * 1000 + "]" * 1000


def test_api_start_and_complete_refuse_deep_json_with_a_reason(api: Api, client: FlaskClient) -> None:
    started = api.start("purchaser_urumqi", "650100", "UR-DEEP-1", project_name="社区养老服务").json
    [task] = started["tasks"]
    for path in ("/instances", f"/tasks/{task['id']}/complete"):
        body = '{"data": {"project_name": ' + DEEP + "}}"
        answer = api.call("POST", "purchaser_urumqi", path, data=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, (path, answer.status_code)
        assert "nested too deeply" in answer.json["message"]
    assert api.get("purchaser_urumqi", f"/tasks/{task['id']}").json["state"] == "open"


def test_a_form_nested_a_few_levels_still_goes_through(api: Api) -> None:
    started = api.start("purchaser_urumqi", "650100", "UR-DEEP-2", project_name="社区养老服务")
    assert started.status_code == 201


def test_task_page_draft_and_complete_refuse_deep_json(api: Api, client: FlaskClient) -> None:
    started = api.start("purchaser_urumqi", "650100", "UR-DEEP-3", project_name="社区养老服务").json
    [task] = started["tasks"]
    login(client, "purchaser_urumqi")
    token = csrf_token(client, f"/tasks/{task['id']}")
    for action in ("draft", "complete"):
        answer = client.post(
            f"/tasks/{task['id']}/{action}",
            data=json.dumps({"x": 1})[:-1] + ', "deep": ' + DEEP + "}",
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        assert answer.status_code == 400, (action, answer.status_code)
