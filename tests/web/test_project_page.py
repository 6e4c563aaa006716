"""The project page: the purchaser who applied sees the stages, who acts next (the finance bureau, by
and role), the parties, and the lifecycle diagram marked; another department's purchaser
and a provider get 404; a completed task opens with what was submitted."""

from __future__ import annotations

import json
import re

import pytest
from document_samples import APPLICATION
from flask.testing import FlaskClient

from engine.demo.driver import Driver
from engine.demo.seed import party_actor, shipped_bundle
from engine.service import Engine
from support import login


@pytest.fixture
def project(engine: Engine, client: FlaskClient) -> tuple[int, int]:
    """A 乌鲁木齐 project of 乌鲁木齐市民政局 waiting for the finance review; (instance id, apply task id)."""
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-PAGE-1", actor="purchaser_urumqi")
    (apply,) = engine.open_tasks(instance.id)
    Driver(engine, actor=party_actor(engine)).run(instance.id, {"submit_application": APPLICATION},
                                                  stop_at={"review_application"})  # fmt: skip
    return instance.id, apply.id


def test_the_purchaser_sees_where_the_project_is_and_who_acts_next(
    client: FlaskClient, project: tuple[int, int]
) -> None:
    instance_id, _ = project
    login(client, "purchaser_urumqi")
    page = client.get(f"/projects/{instance_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    stages = dict(re.findall(r'data-stage="(\w+)">[^<]*<span class="muted">（([^）]+)）', html))
    assert (stages["apply"], stages["review"], stages["pay"]) == ("已完成", "进行中", "未开始")
    next_steps = html[html.index('id="next-steps"') : html.index("</table>", html.index('id="next-steps"'))]
    assert "乌鲁木齐市财政局" in next_steps and "财政" in next_steps and "待认领" in next_steps
    assert "乌鲁木齐市民政局" in html[html.index('id="project-parties"') :]
    history = html[html.index('id="project-history"') :]
    assert "确定项目当事方" in history and "party_bound" not in history  # every action named in words
    diagrams = json.loads(re.search(r'id="project-diagrams">(.*?)</script>', html, re.S).group(1))
    lifecycle = diagrams[0]
    assert "call_apply" in lifecycle["done"] and lifecycle["current"] == ["call_review"]
    assert diagrams[1]["current"] == ["review_application"]


def test_who_may_not_read_the_project_gets_404(client: FlaskClient, project: tuple[int, int]) -> None:
    instance_id, _ = project
    for outsider in ("purchaser2_urumqi", "provider_urumqi", "purchaser_karamay"):
        login(client, outsider)
        assert client.get(f"/projects/{instance_id}").status_code == 404, outsider
    login(client, "manager_urumqi")
    assert client.get(f"/projects/{instance_id}").status_code == 200
    assert client.get("/projects/999999").status_code == 404


def test_a_completed_task_opens_with_what_was_submitted(client: FlaskClient, project: tuple[int, int]) -> None:
    _, apply_id = project
    login(client, "purchaser_urumqi")
    html = client.get(f"/tasks/{apply_id}").get_data(as_text=True)
    config = json.loads(re.search(r'id="task-config">(.*?)</script>', html, re.S).group(1))
    assert config["editable"] is False
    assert (config["data"]["project_name"], config["data"]["budget"]) == ("社区居家养老服务", 800_000)
    assert 'id="project-link"' in html


def test_the_reviewer_reads_the_application_in_full_on_the_review_task(
    client: FlaskClient, project: tuple[int, int], engine: Engine
) -> None:
    instance_id, apply_id = project
    (review,) = engine.open_tasks(instance_id)
    login(client, "finance_reviewer_urumqi")
    html = client.get(f"/tasks/{review.id}").get_data(as_text=True)
    (earlier,) = json.loads(re.search(r'id="submissions-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert (earlier["task_id"], earlier["data"]["budget"], earlier["data"]["catalogue_code"]) == (
        apply_id,
        800_000,
        "A0101",
    )
    assert any(c.get("key") == "budget" for c in earlier["form"]["components"]), "shown in the application's own form"
    assert f'<details class="submission" data-task-id="{apply_id}" open>' in html


def test_the_stage_diagram_marks_the_step_another_system_works_on(engine: Engine, client: FlaskClient) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-PAGE-2", actor="purchaser_urumqi")
    (apply,) = engine.open_tasks(instance.id)
    Driver(engine, actor=party_actor(engine)).complete(apply, APPLICATION)  # now the budget system checks
    login(client, "purchaser_urumqi")
    html = client.get(f"/projects/{instance.id}").get_data(as_text=True)
    diagrams = json.loads(re.search(r'id="project-diagrams">(.*?)</script>', html, re.S).group(1))
    review = [d for d in diagrams if "check_budget" in d["xml"]]
    assert review and "check_budget" in review[0]["current"]
    assert "核对预算指标" in html[html.index('id="waiting-systems"') :]
