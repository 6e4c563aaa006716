"""A project's purchaser is the purchasing department that applied: its tasks go to that department's
people only — not to every purchaser of the locality — in the inbox, the task and project reads, claims
and hand-overs, on the API and on the pages."""

from __future__ import annotations

from api_client import Api
from flask.testing import FlaskClient

from engine.errors import NotFoundError
from engine.identity import organizations, users
from engine.service import Engine
from support import login


def _purchaser_of(engine: Engine, username: str, department: str) -> None:
    """A purchaser of 乌鲁木齐 working for ``department`` (registered if new)."""
    with engine.unit_of_work(write=True) as uow:
        user = users.create_user(uow.session, username, "demo123", username)
        users.grant(uow.session, user, "purchaser", "650100")
        try:
            organization = organizations.get_organization(uow.session, "650100", department)
        except NotFoundError:
            organization = organizations.create_organization(uow.session, "采购单位", "650100", department)
        organizations.add_member(uow.session, organization, user)
        uow.commit()


def _listed(api: Api, user: str) -> set[int]:
    return {row["id"] for row in api.get(user, "/tasks", query_string={"per_page": 100}).json["items"]}


def test_a_departments_application_goes_to_its_own_people_only(api: Api, engine: Engine) -> None:
    _purchaser_of(engine, "colleague_minzheng", "乌鲁木齐市民政局")
    _purchaser_of(engine, "purchaser_jiaoyu", "乌鲁木齐市教育局")
    started = api.start("purchaser_urumqi", "650100", "UR-PARTY-1", project_name="社区助餐")
    assert started.status_code == 201, started.json
    task = started.json["tasks"][0]["id"]
    history = api.get("purchaser_urumqi", f"/audit/instances/{started.json['id']}").json
    bound = {e["data"]["role"]: e["data"]["organization"] for e in history if e["action"] == "party_bound"}
    assert bound == {
        "purchaser": "乌鲁木齐市民政局",
        "finance_reviewer": "乌鲁木齐市财政局",
        "manager": "乌鲁木齐市财政局",
    }

    assert task in _listed(api, "colleague_minzheng")
    assert task not in _listed(api, "purchaser_jiaoyu")
    assert api.get("purchaser_jiaoyu", f"/tasks/{task}").status_code == 404
    assert api.post("purchaser_jiaoyu", f"/tasks/{task}/claim").status_code == 404
    assert api.get("purchaser_jiaoyu", f"/instances/{started.json['id']}").status_code == 404
    assert api.get("manager_urumqi", f"/instances/{started.json['id']}").status_code == 200  # oversight stays

    assert api.post("purchaser_urumqi", f"/tasks/{task}/claim").status_code == 200
    refused = api.post("purchaser_urumqi", f"/tasks/{task}/delegate", {"to": "purchaser_jiaoyu"})
    assert refused.status_code == 403  # hand-overs stay inside the department
    assert api.post("purchaser_urumqi", f"/tasks/{task}/delegate", {"to": "colleague_minzheng"}).status_code == 200

    other = api.start("purchaser_jiaoyu", "650100", "UR-PARTY-2", project_name="课后服务")
    theirs = other.json["tasks"][0]["id"]
    assert theirs in _listed(api, "purchaser_jiaoyu") and theirs not in _listed(api, "purchaser_urumqi")


def test_the_inbox_page_of_another_department_does_not_show_the_task(
    api: Api, engine: Engine, client: FlaskClient
) -> None:
    _purchaser_of(engine, "purchaser_jiaoyu", "乌鲁木齐市教育局")
    api.start("purchaser_urumqi", "650100", "UR-PARTY-3", project_name="民政局的项目")
    login(client, "purchaser_jiaoyu")
    assert "民政局的项目" not in client.get("/inbox/?tab=group").get_data(as_text=True)
    login(client, "purchaser_urumqi")
    assert "民政局的项目" in client.get("/inbox/?tab=group").get_data(as_text=True)


def test_a_project_started_by_someone_of_no_department_goes_to_every_purchaser(api: Api, engine: Engine) -> None:
    _purchaser_of(engine, "purchaser_jiaoyu", "乌鲁木齐市教育局")
    instance = engine.start("approval", locality="650100", business_key="UR-PARTY-4", actor="system")
    task = engine.open_tasks(instance.id)[0].id
    assert task in _listed(api, "purchaser_jiaoyu") and task in _listed(api, "purchaser_urumqi")
