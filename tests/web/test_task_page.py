"""The task page: form from the deployed definition, server validation per field, drafts, conflicts."""

from __future__ import annotations

import json
import re
from typing import Any

from flask.testing import FlaskClient
from inbox_support import URUMQI, deploy_approval, start

from engine.definitions.shipped import shipped_bundle
from engine.demo.driver import Driver
from engine.demo.seed import demo_username
from engine.service import Engine
from support import csrf_token, login


def page_config(client: FlaskClient, task_id: int) -> dict[str, Any]:
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    return json.loads(re.search(r'<script type="application/json" id="task-config">(.*?)</script>', html, re.S)[1])


def send(client: FlaskClient, url: str, body: Any, *, token: str | None = None):
    headers = {"X-CSRFToken": token if token is not None else csrf_token(client, "/"), "Accept": "application/json"}
    return client.post(url, json=body, headers=headers)


def test_the_page_renders_the_deployed_form_with_context(engine: Engine, client: FlaskClient) -> None:
    deploy_approval(engine)
    apply = start(engine, URUMQI, "WLMQ-001", "乌鲁木齐市社区居家养老服务项目", budget=1234567)
    login(client, "purchaser_urumqi")
    response = client.get(f"/tasks/{apply.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    config = page_config(client, apply.id)
    assert [c["key"] for c in config["form"]["components"]] == ["project_name", "budget"]
    assert config["data"]["budget"] == 1234567
    assert config["current"] == ["apply"] and config["done"] == []
    assert "dist/forms.js" in html
    assert "乌鲁木齐市社区居家养老服务项目" in html and "WLMQ-001" in html
    assert "¥1,234,567.00" in html  # budget from the project summary, with the money filter
    assert "发起项目" in html  # history in Chinese
    assert "认领" in html  # not yet claimed: offered
    client.get("/lang/en?next=/")
    assert "Started the project" in client.get(f"/tasks/{apply.id}").get_data(as_text=True)


def test_server_errors_come_back_per_field_and_a_valid_submission_completes(
    engine: Engine, client: FlaskClient
) -> None:
    deploy_approval(engine)
    apply = start(engine, URUMQI, "WLMQ-001", "社区养老")
    login(client, "purchaser_urumqi")
    url = f"/tasks/{apply.id}/complete"

    empty = send(client, url, {"project_name": "", "budget": None})
    assert empty.status_code == 422
    assert empty.json["code"] == "invalid_data"
    assert set(empty.json["errors"]) == {"project_name", "budget"}
    assert "必填" in empty.json["errors"]["project_name"][0]
    assert "提交的内容有误" in empty.json["message"]

    decimals = send(client, url, {"project_name": "社区养老", "budget": 12.345})
    assert decimals.status_code == 422 and list(decimals.json["errors"]) == ["budget"]
    assert "最多 2 位小数" in decimals.json["errors"]["budget"][0]
    assert send(client, url, ["not", "an", "object"]).status_code == 422
    assert engine.get_task(apply.id).state == "open"

    done = send(client, url, {"project_name": "社区养老（二期）", "budget": 3000000.5, "extra": "dropped"})
    assert done.status_code == 200 and done.json["redirect"] == f"/projects/{apply.instance_id}"
    assert engine.get_task(apply.id).state == "completed"
    (review,) = engine.open_tasks(apply.instance_id)
    assert review.element_id == "review_large"
    submitted = next(e.data for e in engine.history(apply.instance_id) if e.action == "task_completed")
    assert submitted == {"project_name": "社区养老（二期）", "budget": 3000000.5}
    project = client.get(done.json["redirect"]).get_data(as_text=True)
    assert "任务已办结：项目申报。下一步：大额项目审定" in project
    assert f'data-task-id="{review.id}"' in project and "大额项目审定" in project


def test_submitting_without_the_csrf_header_is_refused(engine: Engine, client: FlaskClient) -> None:
    deploy_approval(engine)
    apply = start(engine, URUMQI, "WLMQ-001", "社区养老")
    login(client, "purchaser_urumqi")
    response = send(client, f"/tasks/{apply.id}/complete", {"project_name": "x", "budget": 1}, token="")
    assert response.status_code == 400
    assert engine.get_task(apply.id).state == "open"


def test_a_draft_is_kept_without_completing_and_reopens_in_the_form(engine: Engine, client: FlaskClient) -> None:
    deploy_approval(engine)
    apply = start(engine, URUMQI, "WLMQ-001", "社区养老", budget=800000)
    login(client, "purchaser_urumqi")
    saved = send(client, f"/tasks/{apply.id}/draft", {"project_name": "还没写完的项目"})
    assert saved.status_code == 200 and "草稿已保存" in saved.json["message"]
    assert engine.get_task(apply.id).state == "open"
    data = page_config(client, apply.id)["data"]
    assert data["project_name"] == "还没写完的项目" and data["budget"] == 800000

    engine.claim(apply.id, actor="admin")
    refused = send(client, f"/tasks/{apply.id}/draft", {"project_name": "改写"})
    assert refused.status_code == 403
    assert engine.get_task(apply.id).draft == {"project_name": "还没写完的项目"}


def test_completing_a_task_someone_else_completed_or_claimed_answers_409_with_who(
    engine: Engine, client: FlaskClient
) -> None:
    deploy_approval(engine)
    first = start(engine, URUMQI, "WLMQ-001", "项目一")
    engine.complete(first.id, {"project_name": "项目一", "budget": 10}, actor="finance_reviewer2_urumqi")
    (review,) = engine.open_tasks(first.instance_id)
    login(client, "purchaser_urumqi")
    late = send(client, f"/tasks/{first.id}/complete", {"project_name": "项目一", "budget": 20})
    assert late.status_code == 409
    assert late.json["code"] == "conflict"
    assert "乌鲁木齐财政部门（二）" in late.json["message"]
    assert "您填写的内容仍保留在表单中" in late.json["message"]

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "finance_reviewer_urumqi")
    engine.claim(review.id, actor="finance_reviewer2_urumqi")
    taken = send(client, f"/tasks/{review.id}/complete", {"comment": "同意"})
    assert taken.status_code == 409 and "已被 乌鲁木齐财政部门（二） 认领" in taken.json["message"]
    assert engine.get_task(review.id).state == "open"
    assert "您只能查看" in client.get(f"/tasks/{review.id}").get_data(as_text=True)


def test_a_task_without_form_completes_with_an_optional_comment(engine: Engine, client: FlaskClient) -> None:
    deploy_approval(engine)
    apply = start(engine, URUMQI, "WLMQ-001", "项目一")
    engine.complete(apply.id, {"project_name": "项目一", "budget": 10}, actor="purchaser_urumqi")
    (review,) = engine.open_tasks(apply.instance_id)
    login(client, "finance_reviewer_urumqi")
    html = client.get(f"/tasks/{review.id}").get_data(as_text=True)
    assert 'id="task-comment"' in html and 'id="task-form"' not in html  # forms.js only for the application shown above
    assert page_config(client, review.id)["done"] == ["apply"]
    too_long = send(client, f"/tasks/{review.id}/complete", {"comment": "长" * 2001})
    assert too_long.status_code == 422 and "comment" in too_long.json["errors"]
    assert send(client, f"/tasks/{review.id}/complete", {"comment": "同意立项"}).status_code == 200
    assert engine.get_instance(apply.instance_id).status == "completed"
    history = client.get(f"/tasks/{review.id}").get_data(as_text=True)
    assert "项目流程结束" in history and "已由 乌鲁木齐财政部门 于" in history


def test_the_summary_shows_the_option_labels_of_the_projects_forms(engine: Engine, client: FlaskClient) -> None:
    """The reviewer reads 基本公共服务 and 一般公共预算, not the stored codes basic_public / general_budget."""
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality=URUMQI, business_key="WLMQ-LABELS", actor="purchaser_urumqi")
    application = {"project_name": "社区居家养老服务", "budget": 800_000, "category": "basic_public",
                   "funding_source": "general_budget", "public_service": False}  # fmt: skip
    Driver(engine, actor=lambda task: demo_username(task.role, task.locality_code)).run(
        instance.id, {"submit_application": application}, stop_at={"review_application"}
    )
    (review,) = engine.open_tasks(instance.id)
    login(client, "finance_reviewer_urumqi")
    html = client.get(f"/tasks/{review.id}").get_data(as_text=True)
    summary = html[html.index('id="summary-heading"') : html.index('id="diagram-heading"')]
    assert "基本公共服务" in summary and "一般公共预算" in summary and "¥800,000.00" in summary
    assert "basic_public" not in summary and "general_budget" not in summary
