"""Stored option values never reach a page: the register, the public announcements, the provider registry
and the task page show 基本公共服务, 公开招标, 合同签订 — the labels the forms and stages give them — not
``basic_public``, ``open_tender`` or ``sign``, whoever reads them (issue 14)."""

from __future__ import annotations

import html as markup
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from stage_drives import award_answers, drive, registered

from engine.demo.seed import shipped_bundle
from engine.service import Engine
from engine.store.models import Disclosure, HumanTask, ProcessInstance
from support import login

APPLICATION = {
    "project_name": "社区居家养老服务",
    "department": "乌鲁木齐市民政局",
    "budget": 800_000,
    "category": "basic_public",
    "funding_source": "general_budget",
    "in_catalogue": True,
    "catalogue_code": "A0101",
    "proposed_method": "auto",
    "public_service": False,
}
# The procurement methods as the application form lists them (拟采用采购方式).
METHODS = {
    "open_tender": "公开招标",
    "invited_tender": "邀请招标",
    "negotiation": "竞争性谈判",
    "consultation": "竞争性磋商",
    "inquiry": "询价",
    "single_source": "单一来源",
}


def shown_text(page: str) -> str:
    """What a reader sees: the page without scripts, option values and tag attributes."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>|<textarea.*?</textarea>", "", page, flags=re.S)
    return markup.unescape(re.sub(r"<[^>]+>", "\n", page))


def codes_in(text: str, codes: set[str]) -> set[str]:
    return {code for code in codes if re.search(rf"(?<![\w/.-]){re.escape(code)}(?![\w-])", text)}


@pytest.fixture
def signing(engine: Engine, client: FlaskClient) -> dict[str, object]:
    """A 乌鲁木齐 project driven to the contract stage: its intent announced, its provider chosen."""
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-LABEL-1", actor="purchaser_urumqi")
    provider = engine.read(registered, "provider")
    answers = award_answers(engine, APPLICATION)
    drive(engine, instance.id, answers, stop_at={"confirm_signing"})
    with engine.unit_of_work() as uow:
        project = uow.session.get(ProcessInstance, instance.id)
        (intent,) = uow.session.scalars(select(Disclosure).where(Disclosure.kind == "intent"))
        task = uow.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.element_id == "publish_intent")
        ).one()
        return {
            "instance": instance.id,
            "provider": project.parties["provider"],
            "provider_name": provider.name,
            "method": intent.data["procurement_method"],
            "stage": project.stage,
            "intent_task": task.id,
        }


def test_the_register_shows_the_category_and_method_as_labelled(client: FlaskClient, signing: dict) -> None:
    login(client, "manager_urumqi")
    page = shown_text(client.get("/dashboard/register").get_data(as_text=True))
    assert "基本公共服务" in page
    assert codes_in(page, {"basic_public", "general_budget", *METHODS}) == set()
    download = client.get("/dashboard/register?format=csv&table=projects").get_data().decode("utf-8-sig")
    assert "基本公共服务" in download and METHODS[signing["method"]] in download
    assert "basic_public" not in download
    assert signing["provider_name"] in page and signing["provider_name"] in download  # the winner, once awarded
    # the category filter takes the label people read, as well as the code
    found = client.get("/dashboard/register?category=基本公共服务").get_data(as_text=True)
    assert 'data-project="UR-LABEL-1"' in found


def test_the_public_announcement_shows_the_procurement_method_as_labelled(client: FlaskClient, signing: dict) -> None:
    page = shown_text(client.get("/public/?kind=intent").get_data(as_text=True))  # no sign-in
    assert f"采购方式\n\n{METHODS[signing['method']]}" in page
    assert codes_in(page, set(METHODS)) == set()
    download = client.get("/public/?kind=intent&format=csv").get_data().decode("utf-8-sig")
    assert METHODS[signing["method"]] in download and signing["method"] not in download


def test_the_provider_entry_names_the_stage_of_a_won_project(client: FlaskClient, signing: dict) -> None:
    assert signing["stage"] == "sign"
    login(client, "finance_reviewer_urumqi")
    page = client.get(f"/providers/{signing['provider']}").get_data(as_text=True)
    won = shown_text(page[page.index('id="won-projects"') :])
    assert "合同签订" in won and codes_in(won, {"sign"}) == set()


def test_the_task_page_names_a_method_a_decision_table_chose(client: FlaskClient, signing: dict) -> None:
    """The procurement method no form asked for (the DMN chose it) reads as the application lists it."""
    login(client, "purchaser_urumqi")
    page = client.get(f"/tasks/{signing['intent_task']}").get_data(as_text=True)
    assert page.count(METHODS[signing["method"]]) >= 1
    assert codes_in(shown_text(page), set(METHODS)) == set()


def test_english_readers_get_english_stage_names_and_the_forms_labels(client: FlaskClient, signing: dict) -> None:
    """The forms label options in Chinese only, so those stay; the stage names switch."""
    login(client, "finance_reviewer_urumqi")
    client.get("/lang/en")
    won = client.get(f"/providers/{signing['provider']}").get_data(as_text=True)
    assert "Contract" in shown_text(won[won.index('id="won-projects"') :])
    page = shown_text(client.get("/public/?kind=intent").get_data(as_text=True))
    assert METHODS[signing["method"]] in page and codes_in(page, set(METHODS)) == set()
