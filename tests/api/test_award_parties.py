"""The award names the project's provider by its 统一社会信用代码: from then on the provider's tasks go to
that provider's people only; a code the register does not know, or a provider banned on the award date, is
refused on the field with nothing written. A finance task goes to the locality's finance bureau; a person
must work for a purchasing department to start a project; an organization (or a member) still holding
open tasks cannot leave the register."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from api_client import Api
from document_samples import APPLICATION
from flask.testing import FlaskClient

from engine.demo.driver import Driver
from engine.demo.seed import party_actor, shipped_bundle
from engine.identity import organizations, users
from engine.registry import credit
from engine.service import Engine
from engine.store.models import HumanTask
from support import login

AIXIN = ("乌鲁木齐市爱心养老服务有限公司", "91650100MA8892759U")  # provider_urumqi works for it
BOGEDA = ("新疆博格达检验检测有限公司", "91650100MA4128147W")  # provider2_urumqi works for it
UNREGISTERED = "91650100MA7000026Q"  # a valid code no organization is registered under


def award(provider: tuple[str, str], **overrides: Any) -> dict[str, Any]:
    name, code = provider
    return {"winner_name": name, "winner_credit_code": code, "award_amount": 760_000, "confirm_date": "2026-03-20",
            **overrides}  # fmt: skip


@pytest.fixture
def shipped(engine: Engine, api: Api) -> Engine:
    engine.deploy(shipped_bundle(), "650000", "test")
    return engine


def _project(engine: Engine, key: str, *, until: str) -> tuple[int, HumanTask]:
    """A 乌鲁木齐 project of purchaser_urumqi (乌鲁木齐市民政局), driven by the demo people up to ``until``."""
    instance = engine.start("lifecycle", locality="650100", business_key=key, actor="purchaser_urumqi")
    driver = Driver(engine, actor=party_actor(engine))
    driver.run(instance.id, {"submit_application": APPLICATION, "record_bids": {"bid_count": 3}}, stop_at={until})
    (task,) = engine.open_tasks(instance.id)
    assert task.element_id == until
    return instance.id, task


def _listed(api: Api, user: str) -> set[int]:
    return {row["id"] for row in api.get(user, "/tasks", query_string={"per_page": 100}).json["items"]}


def _party_events(api: Api, instance_id: int) -> list[tuple[str, str]]:
    history = api.get("manager_urumqi", f"/audit/instances/{instance_id}").json
    return [(e["data"]["role"], e["data"]["organization"]) for e in history if e["action"] == "party_bound"]


def test_the_award_makes_the_winner_the_projects_provider_for_its_people_only(
    shipped: Engine, api: Api, client: FlaskClient
) -> None:
    instance_id, confirm = _project(shipped, "UR-AWARD-1", until="confirm_winner")
    answered = api.post("purchaser_urumqi", f"/tasks/{confirm.id}/complete", {"data": award(AIXIN)})
    assert answered.status_code == 200, answered.json
    assert ("provider", AIXIN[0]) in _party_events(api, instance_id)

    Driver(shipped, actor=party_actor(shipped)).run(instance_id, stop_at={"confirm_signing"})
    (signing,) = shipped.open_tasks(instance_id)
    assert signing.role == "provider"
    assert signing.id in _listed(api, "provider_urumqi")
    assert signing.id not in _listed(api, "provider2_urumqi")
    assert api.get("provider2_urumqi", f"/tasks/{signing.id}").status_code == 404
    assert api.post("provider2_urumqi", f"/tasks/{signing.id}/claim").status_code == 404
    assert api.get("provider2_urumqi", f"/instances/{instance_id}").status_code == 404
    assert api.get("provider_urumqi", f"/instances/{instance_id}").status_code == 200

    login(client, "provider2_urumqi")
    assert "社区居家养老服务" not in client.get("/dashboard/register").get_data(as_text=True)
    assert "社区居家养老服务" not in client.get("/dashboard/register?format=csv").get_data(as_text=True)
    assert client.get(f"/tasks/{signing.id}").status_code == 404
    login(client, "provider_urumqi")
    assert "社区居家养老服务" in client.get("/dashboard/register").get_data(as_text=True)

    done = api.post("provider_urumqi", f"/tasks/{signing.id}/complete", {"data": {"signing_response": "accept"}})
    assert done.status_code == 200, done.json


def test_an_unregistered_credit_code_is_refused_at_award_and_nothing_is_written(shipped: Engine, api: Api) -> None:
    instance_id, confirm = _project(shipped, "UR-AWARD-2", until="confirm_winner")
    refused = api.post("purchaser_urumqi", f"/tasks/{confirm.id}/complete", {"data": award(("某公司", UNREGISTERED))})
    assert refused.status_code == 422
    (message,) = refused.json["errors"]["winner_credit_code"]
    assert "未在名录中登记" in message and "is registered" in message
    assert shipped.get_task(confirm.id).state == "open"
    assert "provider" not in (shipped.get_instance(instance_id).parties or {})
    assert ("provider", "某公司") not in _party_events(api, instance_id)


def test_a_provider_banned_on_the_award_date_is_refused_with_the_reason(shipped: Engine, api: Api) -> None:
    _, confirm = _project(shipped, "UR-AWARD-3", until="confirm_winner")
    with shipped.unit_of_work(write=True) as uow:
        manager = users.principal(uow.session, users.get_user(uow.session, "manager_urumqi"))
        bogeda = organizations.get_organization(uow.session, "650100", BOGEDA[0])
        now = datetime.now(UTC)
        entry = credit.add_ban(uow.session, manager, bogeda.id, reason="提供虚假材料", source="财政部门决定",
                               starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), now=now)  # fmt: skip
        uow.commit()
        entry_id = entry.id

    refused = api.post("purchaser_urumqi", f"/tasks/{confirm.id}/complete", {"data": award(BOGEDA)})
    assert refused.status_code == 422
    (message,) = refused.json["errors"]["winner_credit_code"]
    assert "提供虚假材料" in message and "2026-12-31" in message
    assert shipped.get_task(confirm.id).state == "open"

    after_the_ban = api.post(
        "purchaser_urumqi", f"/tasks/{confirm.id}/complete", {"data": award(BOGEDA, confirm_date="2027-01-04")}
    )
    assert after_the_ban.status_code == 200, after_the_ban.json
    assert entry_id


def test_finance_tasks_go_to_the_finance_bureau_of_the_locality(shipped: Engine, api: Api, engine: Engine) -> None:
    with engine.unit_of_work(write=True) as uow:
        outsider = users.create_user(uow.session, "reviewer_elsewhere", "demo123", "外单位审核员")
        users.grant(uow.session, outsider, "finance_reviewer", "650100")
        uow.commit()
    _, review = _project(shipped, "UR-AWARD-4", until="review_application")
    bureau = api.get("manager_urumqi", f"/organizations/{review.organization_id}/members").json
    assert bureau["organization"]["name"] == "乌鲁木齐市财政局"
    assert review.id in _listed(api, "finance_reviewer_urumqi")
    assert review.id not in _listed(api, "reviewer_elsewhere")


def _purchaser(engine: Engine, username: str, *departments: str) -> list[int]:
    with engine.unit_of_work(write=True) as uow:
        user = users.create_user(uow.session, username, "demo123", username)
        users.grant(uow.session, user, "purchaser", "650100")
        ids = []
        for name in departments:
            organization = organizations.create_organization(uow.session, "采购单位", "650100", name)
            organizations.add_member(uow.session, organization, user)
            ids.append(organization.id)
        uow.commit()
    return ids


def test_a_purchaser_must_work_for_a_department_to_start_and_name_it_when_several(api: Api, engine: Engine) -> None:
    _purchaser(engine, "purchaser_nowhere")
    refused = api.start("purchaser_nowhere", "650100", "UR-DEPT-1")
    assert refused.status_code == 422
    assert "不属于" in refused.json["errors"]["organization_id"][0]
    assert api.get("purchaser_nowhere", "/instances").json["total"] == 0, "nothing half-written"

    first, second = _purchaser(engine, "purchaser_twice", "乌鲁木齐市园林局", "乌鲁木齐市档案局")
    ambiguous = api.start("purchaser_twice", "650100", "UR-DEPT-2")
    assert ambiguous.status_code == 422
    assert "乌鲁木齐市园林局" in ambiguous.json["errors"]["organization_id"][0]
    body = {"process_key": "approval", "locality": "650100", "business_key": "UR-DEPT-2", "organization_id": second}
    started = api.post("purchaser_twice", "/instances", body)
    assert started.status_code == 201, started.json
    assert engine.get_instance(started.json["id"]).parties["purchaser"] == second
    not_theirs = dict(body, business_key="UR-DEPT-3", organization_id=first + 1000)
    assert api.post("purchaser_twice", "/instances", not_theirs).status_code == 422


def test_an_organization_or_member_holding_open_tasks_cannot_leave_the_register(api: Api, engine: Engine) -> None:
    started = api.start("purchaser_urumqi", "650100", "UR-LEAVE-1", project_name="社区助餐")
    task = started.json["tasks"][0]["id"]
    department = engine.get_instance(started.json["id"]).parties["purchaser"]

    refused = api.delete("manager_urumqi", f"/organizations/{department}")
    assert refused.status_code == 409
    assert "未办结" in refused.json["message"] and str(task) in refused.json["message"]
    assert api.get("manager_urumqi", f"/organizations/{department}/members").json["organization"]["is_active"]

    assert api.post("purchaser_urumqi", f"/tasks/{task}/claim").status_code == 200
    holding = api.delete("manager_urumqi", f"/organizations/{department}/members/purchaser_urumqi")
    assert holding.status_code == 409
    assert api.delete("purchaser_urumqi", f"/organizations/{department}/members/purchaser_urumqi").status_code == 403
    assert api.post("purchaser_urumqi", f"/tasks/{task}/unclaim").status_code == 200
    removed = api.delete("manager_urumqi", f"/organizations/{department}/members/purchaser_urumqi")
    assert removed.status_code == 200 and "purchaser_urumqi" not in removed.json["members"]
    assert task not in _listed(api, "purchaser_urumqi"), "no longer of the department: not its work either"


def test_the_next_candidate_after_a_refusal_becomes_the_provider(shipped: Engine, api: Api) -> None:
    instance_id, confirm = _project(shipped, "UR-AWARD-5", until="confirm_winner")
    assert api.post("purchaser_urumqi", f"/tasks/{confirm.id}/complete", {"data": award(AIXIN)}).status_code == 200
    Driver(shipped, actor=party_actor(shipped)).run(instance_id, stop_at={"confirm_signing"})
    (signing,) = shipped.open_tasks(instance_id)
    refusal = {"signing_response": "refuse", "refusal_reason": "无法按期履约"}
    assert api.post("provider_urumqi", f"/tasks/{signing.id}/complete", {"data": refusal}).status_code == 200
    (handling,) = shipped.open_tasks(instance_id)
    assert handling.element_id == "handle_refusal"
    name, code = BOGEDA
    next_candidate = {"refusal_action": "next_candidate", "winner_name": name, "winner_credit_code": code,
                      "award_amount": 750_000, "credit_check_date": "2026-04-01"}  # fmt: skip
    done = api.post("purchaser_urumqi", f"/tasks/{handling.id}/complete", {"data": next_candidate})
    assert done.status_code == 200, done.json
    (again,) = shipped.open_tasks(instance_id)
    assert again.element_id == "confirm_signing"
    assert again.id in _listed(api, "provider2_urumqi") and again.id not in _listed(api, "provider_urumqi")
    assert _party_events(api, instance_id)[-1] == ("provider", BOGEDA[0])
