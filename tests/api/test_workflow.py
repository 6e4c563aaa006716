"""A project's life through the API: start, inbox query, claim, complete with form validation, history."""

from __future__ import annotations

from api_client import Api

from engine.service import Engine
from support import fixture_bytes


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
    actions = [e["action"] for e in history]
    assert [a for a in actions if a != "party_bound"][:3] == ["started", "claimed", "task_completed"]
    assert {e["data"]["role"] for e in history if e["action"] == "party_bound"} == {
        "purchaser",
        "finance_reviewer",
        "manager",
    }
    assert history[1]["data"]["organization"] == "乌鲁木齐市民政局"  # the department that applied
    detail = api.get("manager_urumqi", f"/instances/{project['id']}").json
    assert detail["status"] == "running" and detail["history"][-1]["action"] == "task_completed"


def test_a_completion_answers_with_every_task_still_open_on_the_project(api: Api, engine: Engine) -> None:
    """Parallel branches: the answer lists the sibling branch's task (kept, not re-created) and, once the
    last branch is done, no task at all — the same list a fresh read of the project gives."""
    engine.deploy(fixture_bytes("bpmn/parallel_department.bpmn"), "650100")
    instance = engine.start("parallel_department", locality="650100", business_key="BM-API-1")
    fill_in, attach = sorted(engine.open_tasks(instance.id), key=lambda t: t.element_id != "fill_in")

    first = api.post("purchaser_urumqi", f"/tasks/{fill_in.id}/complete", {"data": {"comment": "已填"}})
    assert first.status_code == 200, first.json
    assert [(t["id"], t["name"]) for t in first.json["instance"]["tasks"]] == [(attach.id, "上传附件")]
    fresh = api.get("purchaser_urumqi", f"/instances/{instance.id}").json
    assert [t["id"] for t in fresh["tasks"]] == [attach.id]

    last = api.post("purchaser_urumqi", f"/tasks/{attach.id}/complete", {"data": {}})
    assert last.status_code == 200, last.json
    assert last.json["instance"]["tasks"] == [] and last.json["instance"]["status"] == "completed"


def test_a_task_without_a_form_takes_only_a_comment_and_changes_nothing_else(api: Api, engine: Engine) -> None:
    """Regression: completing a formless task through the API merged any data into the project (its budget
    rewritten from 10 to 999,999,999); now it is refused naming the fields, and nothing is kept."""
    engine.deploy(fixture_bytes("bpmn/parallel_department.bpmn"), "650100")
    instance = engine.start(
        "parallel_department", locality="650100", business_key="BM-API-2", data={"budget": 10}, title="原标题"
    )
    fill_in = next(t for t in engine.open_tasks(instance.id) if t.element_id == "fill_in")
    url = f"/tasks/{fill_in.id}/complete"

    refused = api.post("purchaser_urumqi", url, {"data": {"budget": 999_999_999, "title": "x", "comment": "ok"}})
    assert refused.status_code == 422
    assert sorted(refused.json["errors"]) == ["budget", "title"]
    assert engine.get_task(fill_in.id).state == "open"
    assert engine.task_data(fill_in.id)["budget"] == 10

    too_long = api.post("purchaser_urumqi", url, {"data": {"comment": "长" * 2001}})
    assert too_long.status_code == 422 and list(too_long.json["errors"]) == ["comment"]

    done = api.post("purchaser_urumqi", url, {"data": {"comment": "  已核对  "}})
    assert done.status_code == 200, done.json
    assert engine.get_instance(instance.id).title == "原标题"
    [event] = [e for e in engine.history(instance.id) if e.action == "task_completed"]
    assert event.data == {"comment": "已核对"}
