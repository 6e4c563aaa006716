"""Webhook subscriptions and their delivery log through the API: kept by the locality's managers (and those
above it), bad input refused naming the field with nothing written, deliveries listed by subscription and
state and sent again by hand to a real receiver on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import Api
from sqlalchemy import func, select
from webhook_receiver import Receiver

from engine.jobs.webhooks import WebhookSender, WebhookSettings
from engine.service import Engine
from engine.store.models import AuditEvent, WebhookSubscription

HOOK = {"locality": "650100", "url": "https://budget.example.test/servflow", "events": ["stage_entered"]}


def subscriptions(engine: Engine) -> int:
    return engine.read(lambda s: s.scalar(select(func.count()).select_from(WebhookSubscription)))


def audit_actions(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    query = select(AuditEvent.action, AuditEvent.data).where(AuditEvent.action.like("webhook%")).order_by(AuditEvent.id)
    return engine.read(lambda s: [tuple(row) for row in s.execute(query)])


def test_a_citys_managers_keep_its_subscriptions_and_the_regions_oversee_them(api: Api, engine: Engine) -> None:
    created = api.post("manager_urumqi", "/webhooks", {**HOOK, "description": "预算系统"})
    assert created.status_code == 201, created.json
    hook = created.json
    assert len(hook["secret"]) == 64 and hook["events"] == ["stage_entered"] and hook["active"] is True
    url = f"/webhooks/{hook['id']}"

    listed = api.get("manager_urumqi", "/webhooks", query_string={"locality": "乌鲁木齐市"})
    assert [row["id"] for row in listed.json] == [hook["id"]]
    assert "secret" not in listed.json[0] and "secret" not in api.get("manager_urumqi", url).json
    assert [row["id"] for row in api.get("manager_region", "/webhooks").json] == [hook["id"]]  # the region oversees
    assert [row["id"] for row in api.get("admin", "/webhooks").json] == [hook["id"]]
    assert api.get("manager_karamay", "/webhooks").json == []
    assert api.get("manager_karamay", "/webhooks", query_string={"locality": "650100"}).status_code == 403
    assert api.get("manager_karamay", url).status_code == 404
    assert api.get("purchaser_urumqi", url).status_code == 403

    change = {"url": "http://10.1.2.3:8080/in", "events": ["task_overdue", "stage_entered"], "active": False}
    changed = api.call("PATCH", "manager_region", url, json=change)
    assert changed.status_code == 200, changed.json
    assert (changed.json["url"], changed.json["events"], changed.json["active"]) == (
        "http://10.1.2.3:8080/in",
        ["stage_entered", "task_overdue"],
        False,
    )
    assert changed.json["description"] == "预算系统"  # not given: kept
    assert api.call("PATCH", "manager_karamay", url, json={"active": True}).status_code == 404
    assert api.call("PATCH", "manager_urumqi", url, json={"locality": "650200"}).status_code == 422

    assert api.delete("manager_karamay", url).status_code == 404
    assert api.delete("manager_urumqi", url).status_code == 204
    assert api.get("manager_urumqi", url).status_code == 404
    actions = audit_actions(engine)
    assert [action for action, _ in actions] == ["webhook_subscribed", "webhook_changed", "webhook_removed"]
    assert all(hook["secret"] not in str(data) for _, data in actions)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "file:///etc/passwd"}, "url"),
        ({"url": "ftp://budget.example.test/in"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": "https://user:pw@budget.example.test/"}, "url"),
        ({"url": "https://budget.example.test:99999/"}, "url"),
        ({"events": ["stage_entered", "budget_changed"]}, "events"),
        ({"events": []}, "events"),
        ({"locality": "659999"}, "locality"),
        ({"secret": "short"}, "secret"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    api: Api, engine: Engine, change: dict[str, Any], field: str
) -> None:
    refused = api.post("manager_urumqi", "/webhooks", {**HOOK, **change})
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == [field]
    assert subscriptions(engine) == 0 and audit_actions(engine) == []


def test_a_wrong_role_or_locality_is_refused_and_a_bad_change_keeps_the_subscription(api: Api, engine: Engine) -> None:
    for who in ("purchaser_urumqi", "finance_reviewer_urumqi", "manager_karamay"):
        refused = api.post(who, "/webhooks", HOOK)
        assert refused.status_code == 403 and "650100" in refused.json["message"], who
    assert api.post(None, "/webhooks", HOOK).status_code == 401
    assert subscriptions(engine) == 0

    hook = api.post("manager_urumqi", "/webhooks", HOOK).json
    bad = api.call("PATCH", "manager_urumqi", f"/webhooks/{hook['id']}", json={"url": "file:///etc/passwd"})
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["url"]
    assert api.get("manager_urumqi", f"/webhooks/{hook['id']}").json["url"] == HOOK["url"]


def test_deliveries_are_listed_by_state_and_subscription_and_sent_again_by_hand(api: Api, engine: Engine) -> None:
    sender = WebhookSender(engine.session_factory, engine.clock, "api-test", WebhookSettings(max_attempts=1))
    with Receiver([500, 500]) as receiver:
        hook = api.post(
            "manager_region",
            "/webhooks",
            {**HOOK, "locality": "650000", "url": receiver.url, "events": ["task_created"]},
        ).json
        other = api.post("manager_urumqi", "/webhooks", {**HOOK, "events": ["project_completed"]}).json
        assert api.start("purchaser_urumqi", "650100", "API-WH-1").status_code == 201

        def listed(user: str = "manager_region", **query: Any) -> list[dict[str, Any]]:
            answer = api.get(user, "/webhooks/deliveries", query_string=query)
            assert answer.status_code == 200, answer.json
            return answer.json["items"]

        (pending,) = listed(state="pending")
        assert (pending["event"], pending["locality"], pending["attempts"]) == ("task_created", "650100", 0)
        assert pending["data"]["task"]["element_id"] == "apply" and pending["task_id"] is not None
        assert sender.send_due().dead == 1
        assert [row["id"] for row in listed(state="dead")] == [pending["id"]]
        assert listed(state="pending") == [] and listed(subscription=other["id"]) == []
        assert listed("manager_urumqi") == []  # the region's subscription: not the city's to read
        assert api.get("manager_region", "/webhooks/deliveries", query_string={"state": "lost"}).status_code == 422

        resend = f"/webhooks/deliveries/{pending['id']}/resend"
        assert api.post("manager_karamay", resend).status_code == 404
        assert api.post("manager_urumqi", resend).status_code == 404
        again = api.post("manager_region", resend)
        assert again.status_code == 200 and (again.json["state"], again.json["attempts"]) == ("pending", 0)
        assert again.json["last_status"] == 500  # the last answer stays until the next attempt
        assert api.post("manager_region", resend).status_code == 409
        assert sender.send_due().dead == 1  # the second 500
        api.post("manager_region", resend)
        assert sender.send_due().delivered == 1

    shown = api.get("manager_region", f"/webhooks/deliveries/{pending['id']}").json
    assert (shown["state"], shown["attempts"], shown["last_status"], shown["resent_by"]) == (
        "delivered",
        1,
        200,
        "manager_region",
    )
    assert [r.answered for r in receiver.received] == [500, 500, 200]
    assert all(r.verified(hook["secret"]) for r in receiver.received)


def test_the_openapi_document_describes_the_webhooks(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/webhooks",
        "/api/v1/webhooks/{subscription_id}",
        "/api/v1/webhooks/deliveries",
        "/api/v1/webhooks/deliveries/{delivery_id}/resend",
    ):
        assert path in paths
    assert set(paths["/api/v1/webhooks/{subscription_id}"]) >= {"get", "patch", "delete"}
