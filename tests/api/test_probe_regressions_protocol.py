"""Regressions for an outside probe's findings on the HTTP protocol and the OpenAPI document (issue #8)
and on the numbers a form accepts through the API (issue #10)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from api_client import Api
from flask.testing import FlaskClient

from engine.formats.forms import MSG_NUMBER_TEXT
from support import FIXTURES


def methods(header: str | None) -> set[str]:
    return {m.strip() for m in (header or "").split(",") if m.strip()}


# --------------------------------------------------------------------------- 405 and Allow


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/instances", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("DELETE", "/instances/1/cancel", {"POST", "OPTIONS"}),
        ("PATCH", "/versions/validate", {"POST", "OPTIONS"}),
    ],
)
def test_api_405_lists_the_allowed_methods(api: Api, method: str, path: str, allowed: set[str]) -> None:
    answer = api.call(method, "admin", path)
    assert answer.status_code == 405
    assert methods(answer.headers.get("Allow")) == allowed
    assert answer.json["code"] == "method_not_allowed"  # still the API's JSON error shape
    # the same methods an OPTIONS request is told
    assert methods(api.call("OPTIONS", "admin", path).headers.get("Allow")) == allowed


def test_page_405_lists_the_allowed_methods(client: FlaskClient) -> None:
    answer = client.get("/logout")
    assert answer.status_code == 405
    assert answer.mimetype == "text/html"
    assert methods(answer.headers.get("Allow")) == {"POST", "OPTIONS"}


# --------------------------------------------------------------------------- the OpenAPI document


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.json


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def test_cancel_body_is_documented_as_optional_and_is(api: Api, spec: dict[str, Any]) -> None:
    body = spec["paths"]["/api/v1/instances/{instance_id}/cancel"]["post"]["requestBody"]
    assert body["required"] is False
    assert "reason" in resolve(spec, body["content"]["application/json"]["schema"])["properties"]

    project = api.start("purchaser_urumqi", "650100", "UR-CANCEL-NOBODY", project_name="无理由撤销").json
    answer = api.call("POST", "purchaser_urumqi", f"/instances/{project['id']}/cancel")  # no body at all
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "cancelled"


def test_deploy_body_documents_the_file_and_the_locality(spec: dict[str, Any]) -> None:
    deploy = spec["paths"]["/api/v1/versions"]["post"]
    body = deploy["requestBody"]
    assert body["required"] is True and list(body["content"]) == ["multipart/form-data"]
    schema = resolve(spec, body["content"]["multipart/form-data"]["schema"])
    assert {"file", "locality", "comment"} <= set(schema["properties"])
    assert {"file", "locality"} <= set(schema["required"])
    assert schema["properties"]["file"]["format"] == "binary"
    # nothing left over as OpenAPI 2 formData parameters, which OpenAPI 3 does not have
    assert not [p for p in deploy.get("parameters", []) if p.get("in") in ("formData", "form")]


def test_no_operation_has_openapi_2_form_parameters(spec: dict[str, Any]) -> None:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict):
                wrong = [p for p in operation.get("parameters", []) if p.get("in") in ("formData", "form", "body")]
                assert not wrong, f"{method.upper()} {path}: {wrong}"


def test_deploy_as_documented_works(api: Api) -> None:
    bpmn = (FIXTURES / "bpmn" / "deadlines.bpmn").read_bytes()

    def deploy(**fields: Any) -> Any:
        data = {**fields, "file": (BytesIO(bpmn), "deadlines.bpmn")}
        return api.call("POST", "admin", "/versions", data=data, content_type="multipart/form-data")

    missing = deploy(comment="没有地区")
    assert missing.status_code == 422 and set(missing.json["errors"]) == {"locality"}
    answer = deploy(locality="650100", comment="按文档部署")
    assert answer.status_code == 201, answer.json
    assert answer.json["locality"] == "650100"
    assert [c["process_key"] for c in answer.json["created"]] == ["deadlines"]


# --------------------------------------------------------------------------- numbers in forms (#10)


@pytest.fixture
def apply_task(api: Api) -> tuple[int, int]:
    project = api.start("purchaser_urumqi", "650100", "UR-DIGITS-1", project_name="社区养老服务").json
    [task] = project["tasks"]
    assert api.post("purchaser_urumqi", f"/tasks/{task['id']}/claim").status_code == 200
    return project["id"], task["id"]


def snapshot(api: Api, project_id: int, task_id: int) -> tuple[Any, ...]:
    project = api.get("purchaser_urumqi", f"/instances/{project_id}").json
    task = api.get("purchaser_urumqi", f"/tasks/{task_id}").json
    history = [(e["action"], e["human_task_id"]) for e in project["history"]]
    open_tasks = [t["id"] for t in project["tasks"]]
    return project["status"], project["summary"], open_tasks, task["state"], task["data"], history


@pytest.mark.parametrize("budget", ["１２３", "١٢٣", "1E2", "1e5", "NaN", "Infinity", "1_000", True])
def test_completing_with_a_number_in_another_notation_is_422_and_changes_nothing(
    api: Api, apply_task: tuple[int, int], budget: Any
) -> None:
    project_id, task_id = apply_task
    before = snapshot(api, project_id, task_id)
    answer = api.post(
        "purchaser_urumqi", f"/tasks/{task_id}/complete", {"data": {"project_name": "社区养老服务", "budget": budget}}
    )
    assert answer.status_code == 422, answer.json
    assert set(answer.json["errors"]) == {"budget"}
    assert "budget" in answer.json["message"]
    if isinstance(budget, str):
        assert answer.json["errors"]["budget"] == [MSG_NUMBER_TEXT]
    assert snapshot(api, project_id, task_id) == before


@pytest.mark.parametrize(
    ("budget", "review"),
    [(2500000, "大额项目审定"), ("2500000.50", "大额项目审定"), (12.5, "小额项目审定"), ("1999999.99", "小额项目审定")],
)
def test_plain_numbers_still_complete_the_task(api: Api, apply_task: tuple[int, int], budget: Any, review: str) -> None:
    """The gateway reads the number (budget >= 2,000,000): "1E7" would have been a large project."""
    _project_id, task_id = apply_task
    answer = api.post(
        "purchaser_urumqi", f"/tasks/{task_id}/complete", {"data": {"project_name": "社区养老服务", "budget": budget}}
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["task"]["state"] == "completed"
    assert [t["name"] for t in answer.json["instance"]["tasks"]] == [review]
