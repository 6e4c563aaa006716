"""Two departments and two providers of one city, each with its own contract: every person sees their own
project and nothing of the other's — in the API's lists and details, the audit trail, the inbox and task
pages and the project register with its CSV — while the city's manager sees both."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from api_client import Api
from flask.testing import FlaskClient

from engine.demo.driver import Driver
from engine.demo.seed import party_actor, shipped_bundle
from engine.service import Engine
from support import login


@dataclass(frozen=True)
class Contract:
    key: str
    title: str
    purchaser: str
    provider: str
    winner: tuple[str, str]


CONTRACTS = (
    Contract("WLMQ-M-001", "社区助餐服务", "purchaser_urumqi", "provider_urumqi",
             ("乌鲁木齐市爱心养老服务有限公司", "91650100MA8892759U")),
    Contract("WLMQ-M-002", "食品安全抽检服务", "purchaser2_urumqi", "provider2_urumqi",
             ("新疆博格达检验检测有限公司", "91650100MA4128147W")),
)  # fmt: skip


@dataclass(frozen=True)
class Running:
    instance_id: int
    report_task: int
    done_tasks: tuple[int, ...]


@pytest.fixture
def contracts(engine: Engine, api: Api) -> Iterator[dict[str, Running]]:
    """Both contracts driven by their own parties' people to the provider's first progress report."""
    engine.deploy(shipped_bundle(), "650000", "test")
    running = {}
    for contract in CONTRACTS:
        instance = engine.start(
            "lifecycle", locality="650100", business_key=contract.key, actor=contract.purchaser, title=contract.title
        )
        name, code = contract.winner
        answers = {
            "submit_application": {"project_name": contract.title, "budget": 500_000, "category": "basic_public",
                                   "in_catalogue": True, "catalogue_code": "A0101", "proposed_method": "auto",
                                   "public_service": False},
            "record_bids": {"bid_count": 3},
            "confirm_winner": {"winner_name": name, "winner_credit_code": code, "award_amount": 480_000},
            "sign_contract": {"contract_number": f"{contract.key}-HT", "contract_amount": 480_000, "report_count": 2,
                              "payment_plan": [{"instalment_name": "全款", "pay_condition": "acceptance_passed",
                                                "amount": 480_000}]},
        }  # fmt: skip
        steps = Driver(engine, actor=party_actor(engine)).run(instance.id, answers, stop_at={"submit_report"})
        (report,) = engine.open_tasks(instance.id)
        running[contract.key] = Running(instance.id, report.id, tuple(s.task_id for s in steps))
    yield running


PEOPLE = [(c.purchaser, c) for c in CONTRACTS] + [(c.provider, c) for c in CONTRACTS]


def _other(contract: Contract) -> Contract:
    return next(c for c in CONTRACTS if c is not contract)


@pytest.mark.parametrize(("user", "contract"), PEOPLE, ids=[user for user, _ in PEOPLE])
def test_each_party_reads_its_own_project_only_through_the_api(
    api: Api, contracts: dict[str, Running], user: str, contract: Contract
) -> None:
    own, other = contracts[contract.key], contracts[_other(contract).key]
    listed = {row["id"] for row in api.get(user, "/instances", query_string={"per_page": 100}).json["items"]}
    assert own.instance_id in listed and other.instance_id not in listed
    assert api.get(user, f"/instances/{own.instance_id}").status_code == 200
    assert api.get(user, f"/instances/{other.instance_id}").status_code == 404
    assert api.get(user, f"/audit/instances/{other.instance_id}").status_code == 404
    searched = api.get(user, "/instances", query_string={"q": _other(contract).title}).json["items"]
    assert searched == []
    tasks = {row["id"] for row in api.get(user, "/tasks", query_string={"per_page": 100}).json["items"]}
    assert other.report_task not in tasks
    for task in (other.report_task, *other.done_tasks):
        assert api.get(user, f"/tasks/{task}").status_code == 404, f"{user} reads task {task} of the other"
    assert api.post(user, f"/tasks/{other.report_task}/claim").status_code == 404
    if user == contract.provider:
        assert own.report_task in tasks
        assert api.get(user, f"/tasks/{own.report_task}").status_code == 200


@pytest.mark.parametrize(("user", "contract"), PEOPLE, ids=[user for user, _ in PEOPLE])
def test_each_party_sees_its_own_project_only_on_the_pages(
    client: FlaskClient, contracts: dict[str, Running], user: str, contract: Contract
) -> None:
    other = _other(contract)
    login(client, user)
    for path in ("/inbox/?tab=group", "/inbox/?tab=mine", "/dashboard/register", "/dashboard/register?format=csv"):
        shown = client.get(path).get_data(as_text=True)
        assert other.title not in shown and other.key not in shown, f"{user} sees the other project on {path}"
    register = client.get("/dashboard/register").get_data(as_text=True)
    assert contract.title in register
    assert client.get(f"/tasks/{contracts[other.key].report_task}").status_code == 404
    if user == contract.provider:
        assert contract.title in client.get("/inbox/?tab=group").get_data(as_text=True)


def test_the_citys_manager_reads_both(api: Api, client: FlaskClient, contracts: dict[str, Running]) -> None:
    for running in contracts.values():
        assert api.get("manager_urumqi", f"/instances/{running.instance_id}").status_code == 200
    login(client, "manager_urumqi")
    register = client.get("/dashboard/register").get_data(as_text=True)
    assert all(contract.title in register for contract in CONTRACTS)
