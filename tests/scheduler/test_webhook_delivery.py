"""Webhook deliveries sent by the sweep to a real receiver on loopback: signed, retried with backoff on the
engine's clock (never slept for), logged, dead-lettered after N attempts and sent again by hand."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from clocks import Clock
from sqlalchemy import select
from webhook_receiver import Receiver

from engine.commands import webhooks
from engine.errors import InvalidStateError
from engine.identity import users
from engine.identity.users import Principal
from engine.jobs.scheduler import Scheduler
from engine.jobs.webhooks import WebhookSender, WebhookSettings
from engine.service import Engine
from engine.store.models import WebhookDelivery, WebhookSubscription
from support import fixture_bytes

SECRET = "s3cret-for-the-budget-system"


def as_person(engine: Engine, username: str) -> Principal:
    return engine.read(lambda s: users.principal(s, users.get_user(s, username)))


def subscribe(engine: Engine, url: str, events: list[str], locality: str = "650000") -> WebhookSubscription:
    manager = as_person(engine, "manager_region")
    return engine.write(
        webhooks.subscribe, manager, locality=locality, url=url, events=events, secret=SECRET, now=engine.clock()
    )


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    return engine.read(lambda s: list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))))


@pytest.fixture
def approval(people: Engine) -> Engine:
    people.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    return people


def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_try_once_and_signed(
    approval: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    with Receiver([500, 500, 500]) as receiver:
        subscription = subscribe(approval, receiver.url, ["stage_entered"])
        instance = approval.start("approval", locality="650100", business_key="WH-1", actor="purchaser_urumqi")
        (delivery,) = deliveries(approval)
        assert (delivery.subscription_id, delivery.state, delivery.attempts) == (subscription.id, "pending", 0)

        assert scheduler.sweep().webhooks_failed == 1
        assert scheduler.sweep().webhooks_failed == 0  # not due again before its backoff
        for wait in (60, 120, 240):  # 1, 2, 4 minutes: moved on the engine's clock
            clock.advance(seconds=wait - 1)
            assert scheduler.sweep().webhooks_failed + scheduler.sweep().webhooks_delivered == 0
            clock.advance(seconds=1)
            report = scheduler.sweep()
        assert (report.webhooks_delivered, report.webhooks_failed) == (1, 0)
        clock.advance(hours=3)
        scheduler.sweep()

    assert [r.answered for r in receiver.received] == [500, 500, 500, 200]
    (taken,) = receiver.delivered
    assert taken.path == "/hooks/servflow"
    assert all(r.verified(SECRET) for r in receiver.received)
    assert not taken.verified("another-secret-of-16+")
    assert int(taken.headers["X-Servflow-Timestamp"]) == int(clock.now.timestamp()) - 3 * 3600
    assert taken.headers["X-Servflow-Event"] == "stage_entered"
    assert taken.headers["X-Servflow-Delivery"] == str(delivery.id)
    assert {r.headers["X-Servflow-Delivery"] for r in receiver.received} == {str(delivery.id)}
    event = taken.event
    assert (event["event"], event["locality"], event["instance_id"]) == ("stage_entered", "650100", instance.id)
    assert event["data"]["project"]["business_key"] == "WH-1"
    assert event["data"]["project"]["stage"] == "approval"

    (logged,) = deliveries(approval)
    assert (logged.state, logged.attempts, logged.last_status, logged.last_error) == ("delivered", 4, 200, None)
    assert logged.delivered_at == logged.last_attempt_at
    assert logged.last_response.startswith('{"status": 200') and len(logged.last_response.encode()) <= 2048


def test_dead_lettered_after_n_attempts_then_sent_again_by_hand(approval: Engine, clock: Clock) -> None:
    scheduler = Scheduler(approval, owner="test-scheduler", webhooks=WebhookSettings(max_attempts=3))
    with Receiver(then=503) as receiver:
        subscribe(approval, receiver.url, ["task_created"])
        approval.start("approval", locality="650000", business_key="WH-2", actor="purchaser_region")
        scheduler.sweep()
        clock.advance(minutes=1)
        scheduler.sweep()
        clock.advance(minutes=2)
        assert scheduler.sweep().webhooks_dead == 1
        clock.advance(days=1)
        scheduler.sweep()
        assert len(receiver.received) == 3  # dead: never tried again by itself

        (dead,) = deliveries(approval)
        assert (dead.state, dead.attempts, dead.last_status) == ("dead", 3, 503)
        assert dead.last_error == "HTTP 503 Service Unavailable"
        manager = as_person(approval, "manager_region")
        receiver.then = 200
        approval.write(webhooks.resend, manager, dead.id, now=approval.clock())
        with pytest.raises(InvalidStateError):  # waiting to be sent already
            approval.write(webhooks.resend, manager, dead.id, now=approval.clock())
        assert scheduler.sweep().webhooks_delivered == 1

    (resent,) = deliveries(approval)
    assert (resent.state, resent.attempts, resent.last_status, resent.resent_by) == (
        "delivered",
        1,
        200,
        "manager_region",
    )
    assert [r.answered for r in receiver.received] == [503, 503, 503, 200]
    assert receiver.delivered[0].event["task_id"] is not None


def test_an_unreachable_receiver_is_logged_as_an_error_and_retried(approval: Engine, scheduler: Scheduler) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscribe(approval, f"http://127.0.0.1:{port}/gone", ["stage_entered"])
    approval.start("approval", locality="650000", business_key="WH-3", actor="purchaser_region")
    assert scheduler.sweep().webhooks_failed == 1
    (failed,) = deliveries(approval)
    assert (failed.state, failed.attempts, failed.last_status) == ("pending", 1, None)
    assert "refused" in failed.last_error.lower()
    assert failed.next_attempt_at == failed.last_attempt_at + timedelta(minutes=1)


def test_two_schedulers_claim_disjoint_deliveries_and_a_lost_lease_is_taken_over(
    approval: Engine, clock: Clock
) -> None:
    with Receiver() as receiver:
        subscribe(approval, receiver.url, ["stage_entered", "task_created"])
        for n in range(3):
            approval.start("approval", locality="650000", business_key=f"WH-4-{n}", actor="purchaser_region")
        settings = WebhookSettings(batch=4)
        first, second = (
            WebhookSender(approval.session_factory, approval.clock, owner, settings) for owner in ("a", "b")
        )
        taken_first, taken_second = first.claim(), second.claim()
        assert (len(taken_first), len(taken_second)) == (4, 2)
        assert not set(taken_first) & set(taken_second)
        assert second.claim() == []  # everything is leased

        # Both "crash" holding their leases: once the leases expire, another scheduler sends everything.
        clock.advance(seconds=settings.lease.total_seconds() + 1)
        assert WebhookSender(approval.session_factory, approval.clock, "c", settings).send_due().delivered == 6
        assert first.send_due().delivered == 0  # nothing is left for the first one when it comes back

    assert sorted(int(r.headers["X-Servflow-Delivery"]) for r in receiver.received) == sorted(
        taken_first + taken_second
    )


def test_an_overdue_task_is_one_task_overdue_event(people: Engine, scheduler: Scheduler, clock: Clock) -> None:
    people.deploy(fixture_bytes("bpmn/deadlines.bpmn"), "650000")
    with Receiver() as receiver:
        subscribe(people, receiver.url, ["task_overdue"])
        clock.at(2025, 9, 26)
        instance = people.start("deadlines", locality="650100", business_key="WH-5")
        clock.at(2025, 10, 11, 9)  # the day after its due date: escalated, overdue
        assert scheduler.sweep().webhooks_delivered == 1
        clock.at(2025, 10, 13, 9)  # escalated again: still one overdue event
        report = scheduler.sweep()
        assert (report.escalated, report.webhooks_delivered) == (1, 0)

    (overdue,) = receiver.delivered
    (task,) = people.open_tasks(instance.id)
    assert overdue.event["task_id"] == task.id
    assert overdue.event["data"]["task"] == {
        "element_id": "review",
        "name": "财政审核",
        "stage": "deadlines",
        "role": "finance_reviewer",
        "assignee": None,
        "due_date": "2025-10-10",
    }


def test_an_inactive_subscriptions_deliveries_wait_until_it_is_active_again(
    approval: Engine, scheduler: Scheduler
) -> None:
    with Receiver() as receiver:
        subscription = subscribe(approval, receiver.url, ["stage_entered"])
        approval.start("approval", locality="650000", business_key="WH-6", actor="purchaser_region")
        manager = as_person(approval, "manager_region")
        approval.write(webhooks.change, manager, subscription.id, {"active": False}, now=approval.clock())
        scheduler.sweep()
        assert receiver.received == []
        approval.write(webhooks.change, manager, subscription.id, {"active": True}, now=approval.clock())
        assert scheduler.sweep().webhooks_delivered == 1


def test_the_settings_come_from_the_environment() -> None:
    assert WebhookSettings.from_env({}) == WebhookSettings(max_attempts=8, timeout=5.0, retry_seconds=60.0)
    chosen = WebhookSettings.from_env({"SERVFLOW_WEBHOOK_MAX_ATTEMPTS": "3", "SERVFLOW_WEBHOOK_TIMEOUT": "2.5"})
    assert (chosen.max_attempts, chosen.timeout) == (3, 2.5)
    assert [chosen.backoff(n).total_seconds() for n in (1, 2, 3, 7, 8)] == [60, 120, 240, 3600, 3600]
