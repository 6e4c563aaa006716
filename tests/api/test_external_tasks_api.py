"""The external-task and incident API as a worker and an operator use it, with their tokens."""

from __future__ import annotations

from api_client import Api

from engine.service import Engine
from support import fixture_bytes

CHECK = {"topicName": "budget.check", "lockDuration": 60_000}


def deploy_and_start(engine: Engine, locality: str = "650100", key: str = "API-EXT-1") -> int:
    engine.deploy(fixture_bytes("bpmn/budget_check.bpmn"), "650000")
    return engine.start("budget_check", locality=locality, business_key=key, data={"amount": 10, "divisor": 1}).id


def fetch(api: Api, user: str, worker: str = "w1", **extra: object):
    return api.post(user, "/external-tasks/fetch-and-lock", {"workerId": worker, "topics": [CHECK], **extra})


def test_a_worker_fetches_completes_and_a_second_completion_is_answered_as_done(api: Api, engine: Engine) -> None:
    project = deploy_and_start(engine)
    response = fetch(api, "worker_urumqi")
    assert response.status_code == 200, response.json
    (task,) = response.json
    assert (task["activityId"], task["businessKey"], task["variables"]["amount"]) == ("check_budget", "API-EXT-1", 10)
    typed = {"budget_available": {"value": True, "type": "Boolean"}}  # Camunda's typed variables
    body = {"workerId": "w1", "variables": typed}
    first = api.post("worker_urumqi", f"/external-tasks/{task['id']}/complete", body)
    again = api.post("worker_urumqi", f"/external-tasks/{task['id']}/complete", body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json["state"] == again.json["state"] == "completed"
    other = api.post("worker_urumqi", f"/external-tasks/{task['id']}/complete", {"workerId": "w2", "variables": {}})
    assert other.status_code == 409 and "completed by worker 'w1'" in other.json["message"]
    detail = api.get("admin", f"/instances/{project}").json
    assert [t["element_id"] for t in detail["tasks"]] == []  # the next step is the treasury's service task
    assert [e["action"] for e in detail["history"]].count("external_task_completed") == 1


def test_workers_reach_their_localities_only_and_people_are_not_workers(api: Api, engine: Engine) -> None:
    deploy_and_start(engine, locality="650100")
    assert fetch(api, "worker_karamay").json == []  # Urumqi's task is not Karamay's worker's
    refused = fetch(api, "purchaser_urumqi")
    assert refused.status_code == 403 and "role worker" in refused.json["message"]
    (task,) = fetch(api, "worker_region").json  # the region's worker serves the cities below it
    hidden = api.post("worker_karamay", f"/external-tasks/{task['id']}/complete", {"workerId": "w1"})
    assert hidden.status_code == 404


def test_bad_requests_name_the_field_and_change_nothing(api: Api, engine: Engine) -> None:
    deploy_and_start(engine)
    unknown = api.post(
        "worker_urumqi",
        "/external-tasks/fetch-and-lock",
        {"workerId": "w1", "topics": [{"topicName": "budget.chek", "lockDuration": 1000}]},
    )
    assert unknown.status_code == 422 and "budget.chek" in unknown.json["message"]
    assert "topics" in unknown.json["errors"]
    missing = api.post("worker_urumqi", "/external-tasks/fetch-and-lock", {"topics": [CHECK]})
    assert missing.status_code == 422 and "workerId" in missing.json["errors"]
    (task,) = fetch(api, "worker_urumqi").json
    wrong = api.post(
        "worker_urumqi", f"/external-tasks/{task['id']}/complete", {"workerId": "w1", "variables": {"x y": 1}}
    )
    assert wrong.status_code == 422 and "x y" in wrong.json["errors"]
    not_mine = api.post(
        "worker_urumqi", f"/external-tasks/{task['id']}/failure", {"workerId": "w9", "errorMessage": "x"}
    )
    assert not_mine.status_code == 409
    assert api.post("worker_urumqi", "/external-tasks/999999/complete", {"workerId": "w1"}).status_code == 404
    (still,) = api.get("admin", "/instances?business_key=API-EXT-1").json["items"]
    assert still["status"] == "running"


def test_an_incident_is_listed_retried_and_the_project_goes_on(api: Api, engine: Engine) -> None:
    project = deploy_and_start(engine)
    (task,) = fetch(api, "worker_urumqi").json
    failed = api.post(
        "worker_urumqi",
        f"/external-tasks/{task['id']}/failure",
        {"workerId": "w1", "errorMessage": "预算系统无响应", "errorDetails": "HTTP 503", "retries": 0},
    )
    assert failed.status_code == 200 and failed.json["retries"] == 0
    assert api.get("manager_karamay", "/incidents").json == []
    (incident,) = api.get("manager_urumqi", "/incidents?error=无响应").json
    assert (incident["instance_id"], incident["element_id"], incident["topic"]) == (
        project,
        "check_budget",
        "budget.check",
    )
    assert api.post("purchaser_urumqi", f"/incidents/{incident['id']}/retry", {}).status_code == 404
    retried = api.post(
        "manager_urumqi", f"/incidents/{incident['id']}/retry", {"retries": 2, "variables": {"amount": 7}}
    )
    assert retried.status_code == 200 and retried.json["resolution"] == "retried"
    (again,) = fetch(api, "worker_urumqi").json
    assert (again["retries"], again["variables"]["amount"]) == (2, 7)
    assert api.get("manager_urumqi", "/incidents").json == []


def test_cancelling_an_incident_cancels_its_project(api: Api, engine: Engine) -> None:
    project = deploy_and_start(engine)
    (task,) = fetch(api, "worker_urumqi").json
    api.post(
        "worker_urumqi", f"/external-tasks/{task['id']}/failure", {"workerId": "w1", "errorMessage": "x", "retries": 0}
    )
    (incident,) = api.get("manager_urumqi", "/incidents").json
    assert api.post("manager_urumqi", f"/incidents/{incident['id']}/cancel", {}).status_code == 422  # a reason
    done = api.post("manager_urumqi", f"/incidents/{incident['id']}/cancel", {"reason": "预算取消"})
    assert done.status_code == 200 and done.json["resolution"] == "cancelled"
    assert api.get("admin", f"/instances/{project}").json["status"] == "cancelled"
    assert fetch(api, "worker_urumqi").json == []
