"""Outbound events are written by the commands themselves, in their transaction: one delivery per
subscription of the project's locality or a place above it that asked for the kind, nothing when nobody
listens, and nothing at all when the command rolls back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.commands import webhooks
from engine.commands.external_tasks import TopicRequest
from engine.demo.seed import seed_users
from engine.identity import users
from engine.service import Engine
from engine.store import events
from engine.store.models import OutboundEvent, WebhookDelivery
from support import fixture_bytes

EVERYTHING = list(events.KINDS)


@pytest.fixture
def people(engine: Engine) -> Engine:
    seed_users(engine)
    return engine


def person(engine: Engine, username: str) -> users.Principal:
    return engine.read(lambda s: users.principal(s, users.get_user(s, username)))


def subscribe(engine: Engine, manager: str, locality: str, kinds: list[str]) -> int:
    url = f"https://hooks.example.test/{locality}"
    found = engine.write(
        webhooks.subscribe, person(engine, manager), locality=locality, url=url, events=kinds, now=engine.clock()
    )
    return found.id


def heard(engine: Engine, subscription_id: int) -> list[tuple[str, dict]]:
    """(kind, payload) of every event queued for the subscription, in the order they happened."""
    query = (
        select(OutboundEvent.kind, OutboundEvent.payload)
        .join(WebhookDelivery, WebhookDelivery.event_id == OutboundEvent.id)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(OutboundEvent.id)
    )
    return engine.read(lambda s: [tuple(row) for row in s.execute(query)])


def count(engine: Engine, model: type) -> int:
    return engine.read(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_a_citys_events_go_to_its_own_and_the_regions_subscriptions_only(people: Engine) -> None:
    people.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    region = subscribe(people, "manager_region", "650000", EVERYTHING)
    urumqi = subscribe(people, "manager_urumqi", "650100", ["stage_entered", "task_created"])
    karamay = subscribe(people, "manager_karamay", "650200", EVERYTHING)

    instance = people.start("approval", locality="650100", business_key="EV-1", actor="purchaser_urumqi")
    (apply,) = people.open_tasks(instance.id)
    people.complete(apply.id, {"project_name": "社区养老服务", "budget": 500_000}, actor="purchaser_urumqi")
    (review,) = people.open_tasks(instance.id)
    people.complete(review.id, {"opinion": "同意"}, actor="finance_reviewer_urumqi")

    kinds = ["stage_entered", "task_created", "task_created", "project_completed"]
    assert [kind for kind, _ in heard(people, region)] == kinds
    assert [kind for kind, _ in heard(people, urumqi)] == kinds[:3]
    assert heard(people, karamay) == []

    started, first_task, second_task, completed = (payload for _, payload in heard(people, region))
    assert started == {
        "project": {
            "business_key": "EV-1",
            "title": "EV-1",
            "process_key": "approval",
            "stage": "approval",
            "status": "running",
            "department": None,
        },
        "previous_stage": None,
    }
    assert first_task["task"]["element_id"] == "apply" and first_task["task"]["role"] == "purchaser"
    assert second_task["task"]["element_id"] == "review_small"
    assert second_task["project"]["title"] == "社区养老服务"
    assert completed["project"]["status"] == "completed" and completed["project"]["stage"] is None
    task_ids = people.read(lambda s: list(s.scalars(select(OutboundEvent.human_task_id).order_by(OutboundEvent.id))))
    assert task_ids == [None, apply.id, review.id, None]


def test_entering_a_stage_names_the_stage_left(people: Engine) -> None:
    people.deploy(fixture_bytes("bpmn/two_stages.bpmn", "bpmn/stage_child.bpmn"), "650000")
    region = subscribe(people, "manager_region", "650000", ["stage_entered"])
    instance = people.start("two_stages", locality="650000", business_key="EV-2", data={"rounds": 2})
    for _ in range(2):  # the first stage once more, then the second: both run stage_child
        (check,) = people.open_tasks(instance.id)
        people.complete(check.id, {}, actor="finance_reviewer_region")
    entered = [(p["project"]["stage"], p["previous_stage"]) for _, p in heard(people, region)]
    assert entered == [("stage_child", None), ("two_stages", "stage_child")]


def test_a_disclosure_and_a_cancellation_are_events(people: Engine) -> None:
    people.deploy(fixture_bytes("bpmn/dashboard/mini_sign.bpmn"), "650000")
    region = subscribe(people, "manager_region", "650000", ["disclosure_published", "project_cancelled"])
    signed = people.start("sign", locality="650200", business_key="EV-3", title="保洁服务")
    (task,) = people.open_tasks(signed.id)
    answer = {
        "project_name": "保洁服务",
        "winner_name": "某公司",
        "contract_amount": 90000,
        "signed_date": "2025-03-01",
    }
    people.complete(task.id, answer, actor="purchaser_karamay")
    dropped = people.start("sign", locality="650200", business_key="EV-4")
    people.cancel(dropped.id, actor="manager_karamay", reason="预算取消")

    (disclosed, cancelled) = heard(people, region)
    assert disclosed[0] == "disclosure_published"
    assert disclosed[1]["disclosure"] == {
        "kind": "contract",
        "title": "保洁服务",
        "element_id": "sign_contract",
        "data": {"business_key": "EV-3", **answer},
    }
    assert cancelled[0] == "project_cancelled"
    assert cancelled[1]["reason"] == "预算取消" and cancelled[1]["project"]["status"] == "cancelled"


def test_a_rolled_back_command_leaves_no_event(people: Engine) -> None:
    people.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    subscribe(people, "manager_region", "650000", EVERYTHING)
    instance = people.start("approval", locality="650000", business_key="EV-5", actor="purchaser_region")
    (apply,) = people.open_tasks(instance.id)
    before = (count(people, OutboundEvent), count(people, WebhookDelivery))
    assert before == (2, 2)

    def fail_after_the_step(*_: object) -> None:  # the completion ran and flushed its events; then it fails
        raise RuntimeError("the answer could not be built")

    data = {"project_name": "x", "budget": 1}
    with pytest.raises(RuntimeError):
        people.complete_and_answer(apply.id, data, actor="purchaser_region", answer=fail_after_the_step)
    assert (count(people, OutboundEvent), count(people, WebhookDelivery)) == before
    assert [t.id for t in people.open_tasks(instance.id)] == [apply.id]


def test_nobody_listening_writes_nothing_and_incidents_are_emitted_the_same_way(people: Engine) -> None:
    people.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    muted = subscribe(people, "manager_urumqi", "650100", EVERYTHING)
    people.write(webhooks.change, person(people, "manager_urumqi"), muted, {"active": False}, now=people.clock())
    instance = people.start("approval", locality="650100", business_key="EV-6", actor="purchaser_urumqi")
    assert count(people, OutboundEvent) == 0

    region = subscribe(people, "manager_region", "650000", ["incident_opened"])
    payload = {"incident": {"element_id": "budget_check", "message": "retries exhausted"}}
    written = people.write(events.emit, events.INCIDENT_OPENED, "650100", payload, instance.id, now=people.clock())
    assert written == 1 and heard(people, region) == [("incident_opened", payload)]
    with pytest.raises(ValueError, match="unknown event kind"):
        people.write(events.emit, "task_reassigned", "650100", {}, now=people.clock())


def test_an_external_task_out_of_retries_tells_the_subscribers_of_the_incident(people: Engine) -> None:
    people.deploy(fixture_bytes("bpmn/budget_check.bpmn"), "650000")
    region = subscribe(people, "manager_region", "650000", ["incident_opened"])
    people.start("budget_check", locality="650100", business_key="EV-INC", data={"amount": 1, "divisor": 1})
    (task,) = people.fetch_and_lock("w", [TopicRequest("budget.check", timedelta(minutes=1))], actor="budget-system")
    people.fail_external(task["id"], "w", message="budget system down", actor="budget-system")
    assert heard(people, region) == []  # one retry left: no incident yet
    clock = people.clock()
    people.clock = lambda: clock + timedelta(hours=1)  # past the backoff
    (task,) = people.fetch_and_lock("w", [TopicRequest("budget.check", timedelta(minutes=1))], actor="budget-system")
    people.fail_external(task["id"], "w", message="budget system down", actor="budget-system")
    ((kind, payload),) = heard(people, region)
    assert kind == "incident_opened" and payload["project"]["business_key"] == "EV-INC"
    assert (payload["incident"]["element_id"], payload["incident"]["message"]) == ("check_budget", "budget system down")
