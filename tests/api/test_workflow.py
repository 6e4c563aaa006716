"""A project's life through the API: start, inbox query, claim, complete with form validation, history."""

from __future__ import annotations

from api_client import Api


def test_start_query_claim_complete_and_read_history(api: Api) -> None:
    started = api.start("purchaser_urumqi", "650100", "UR-2024-001", project_name="社区养老服务")
    assert started.status_code == 201, started.json
    project = started.json
    assert project["business_key"] == "UR-2024-001" and project["locality"] == "650100"
    assert project["title"] == "社区养老服务"
    [apply] = project["tasks"]
    assert apply["name"] == "项目申报" and apply["role"] == "purchaser"

    inbox = api.get("purchaser_urumqi", "/tasks", query_string={"role": "purchaser", "q": "养老"})
    assert inbox.status_code == 200
    assert inbox.json["total"] == 1 and inbox.json["items"][0]["business_key"] == "UR-2024-001"

    task = api.get("purchaser_urumqi", f"/tasks/{apply['id']}").json
    assert [c["key"] for c in task["form"]["components"]] == ["project_name", "budget"]
    assert task["data"]["project_name"] == "社区养老服务"

    assert api.post("purchaser_urumqi", f"/tasks/{apply['id']}/claim").json["assignee"] == "purchaser_urumqi"
    refused = api.post("purchaser_urumqi", f"/tasks/{apply['id']}/complete", {"data": {"project_name": ""}})
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"project_name", "budget"}

    done = api.post(
        "purchaser_urumqi",
        f"/tasks/{apply['id']}/complete",
        {"data": {"project_name": "社区养老服务", "budget": 2500000}},
    )
    assert done.status_code == 200, done.json
    assert done.json["task"]["state"] == "completed"
    [review] = done.json["instance"]["tasks"]
    assert review["name"] == "大额项目审定" and review["role"] == "finance_reviewer"

    again = api.post("purchaser_urumqi", f"/tasks/{apply['id']}/complete", {"data": {"project_name": "x", "budget": 1}})
    assert again.status_code == 409 and again.json["code"] == "conflict"

    history = api.get("finance_reviewer_urumqi", f"/audit/instances/{project['id']}").json
    assert [e["action"] for e in history][:3] == ["started", "claimed", "task_completed"]
    detail = api.get("manager_urumqi", f"/instances/{project['id']}").json
    assert detail["status"] == "running" and detail["history"][-1]["action"] == "task_completed"
