"""Rules that used to differ between the API, the pages and the engine, now decided once in the engine."""

from __future__ import annotations

from api_client import Api
from flask.testing import FlaskClient

from engine.identity import organizations, users
from engine.service import Engine
from support import csrf_token, fixture_bytes, login


def _review_task(api: Api, engine: Engine, key: str) -> int:
    """A finance review task of 乌鲁木齐 (the approval process's second step)."""
    started = api.start("purchaser_urumqi", "650100", key, project_name="社区助餐")
    apply = started.json["tasks"][0]["id"]
    assert api.post("purchaser_urumqi", f"/tasks/{apply}/claim").status_code == 200
    done = api.post("purchaser_urumqi", f"/tasks/{apply}/complete", {"data": {"project_name": "社区助餐", "budget": 9}})
    assert done.status_code == 200, done.json
    [review] = done.json["instance"]["tasks"]
    return review["id"]


def _reviewer(engine: Engine, username: str) -> None:
    """A finance reviewer of 乌鲁木齐市财政局 who is not the group's lead."""
    with engine.unit_of_work(write=True) as uow:
        user = users.create_user(uow.session, username, "demo123", username)
        users.grant(uow.session, user, "finance_reviewer", "650100")
        organizations.add_member(
            uow.session, organizations.get_organization(uow.session, "650100", "乌鲁木齐市财政局"), user
        )
        uow.commit()


def test_claiming_a_task_someone_else_holds_is_a_conflict_naming_the_holder(api: Api, engine: Engine) -> None:
    _reviewer(engine, "reviewer_b")
    task = _review_task(api, engine, "UR-DOOR-1")
    assert api.post("reviewer_b", f"/tasks/{task}/claim").status_code == 200
    taken = api.post("finance_reviewer_urumqi", f"/tasks/{task}/claim")
    assert taken.status_code == 409 and taken.json["code"] == "conflict"
    assert "reviewer_b" in taken.json["message"]
    assert engine.get_task(task).assignee == "reviewer_b"
    assert api.post("purchaser_karamay", f"/tasks/{task}/claim").status_code == 404  # not theirs to see


def test_a_lead_releases_a_colleagues_claim_on_the_page_as_in_the_api(
    api: Api, engine: Engine, client: FlaskClient
) -> None:
    _reviewer(engine, "reviewer_b")
    _reviewer(engine, "reviewer_c")
    task = _review_task(api, engine, "UR-DOOR-2")

    assert api.post("reviewer_b", f"/tasks/{task}/claim").status_code == 200
    assert api.post("reviewer_c", f"/tasks/{task}/unclaim").status_code == 403  # neither holder nor lead
    released = api.post("finance_reviewer_urumqi", f"/tasks/{task}/unclaim")
    assert released.status_code == 200 and released.json["assignee"] is None

    assert api.post("reviewer_b", f"/tasks/{task}/claim").status_code == 200
    login(client, "finance_reviewer_urumqi")
    page = client.post(f"/tasks/{task}/unclaim", data={"csrf_token": csrf_token(client, "/")})
    assert page.status_code == 302
    assert engine.get_task(task).assignee is None
    [event] = [e for e in engine.history(engine.get_task(task).instance_id) if e.action == "unclaimed"][-1:]
    assert event.actor == "finance_reviewer_urumqi"


def test_a_message_whose_delivery_fails_is_recorded_on_the_project(api: Api, engine: Engine) -> None:
    """Regression: correlation ran outside the Engine, so a failure left no trace on the project."""
    engine.deploy(fixture_bytes("bpmn/bids_failing.bpmn"), "650100")
    instance = engine.start("bids_failing", locality="650100", business_key="UR-BIDS-FAIL")
    sent = api.post(
        "agent_urumqi",
        "/messages",
        {"business_key": "UR-BIDS-FAIL", "message": "bids_reported", "payload": {"bid_count": 3}},
    )
    assert sent.status_code == 422, sent.json
    assert "score_bids" in sent.json["message"]
    project = engine.get_instance(instance.id)
    assert project.status == "running" and project.error["element_id"] == "score_bids"
    assert [e.action for e in engine.history(instance.id)][-1] == "error"
    again = api.post("agent_urumqi", "/messages", {"business_key": "UR-BIDS-FAIL", "message": "bids_reported"})
    assert again.status_code == 422  # still waiting at the catch event: the failed step kept nothing


def test_a_manager_reassigns_a_task_of_their_locality_through_the_api(api: Api) -> None:
    """Regression: the API answered a manager's successful reassignment with 404 (it re-read the task with
    the group's seeing rule, which managers over the locality are not part of)."""
    started = api.start("purchaser_urumqi", "650100", "UR-DOOR-3", project_name="社区助餐")
    task = started.json["tasks"][0]["id"]
    moved = api.post("manager_urumqi", f"/tasks/{task}/assign", {"assignee": "purchaser_urumqi"})
    assert moved.status_code == 200, moved.json
    assert moved.json["assignee"] == "purchaser_urumqi" and moved.json["business_key"] == "UR-DOOR-3"
    assert api.post("manager_karamay", f"/tasks/{task}/assign", {"assignee": "purchaser_urumqi"}).status_code == 404
