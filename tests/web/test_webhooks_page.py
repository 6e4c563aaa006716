"""The webhooks page (/webhooks/): a city's manager adds a subscription (the secret shown once), pauses it,
reads the delivery log and sends a dead-lettered delivery again; a wrong address is refused on its field
with nothing saved; people who keep no subscriptions are refused the page. In Chinese, and in English."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from webhook_receiver import Receiver

from engine.identity import users
from engine.jobs.webhooks import WebhookSender, WebhookSettings
from engine.queries import webhooks as webhook_log
from engine.service import Engine
from support import csrf_token, fixture_bytes, login


def _post(client: FlaskClient, path: str, data: dict) -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/webhooks/")})


def test_a_manager_adds_pauses_reads_and_resends(client: FlaskClient, engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    login(client, "manager_urumqi")
    page = client.get("/webhooks/").get_data(as_text=True)
    assert "事件订阅" in page and "乌鲁木齐市" in page and 'id="subscriptions-empty"' in page

    refused = _post(client, "/webhooks/", {"locality": "650100", "url": "file:///etc/passwd", "events": "task_created"})
    assert refused.status_code == 422
    assert 'data-field="url"' in refused.get_data(as_text=True)

    with Receiver(then=500) as receiver:
        added = _post(client, "/webhooks/", {"locality": "650100", "url": receiver.url, "events": ["task_created"]})
        html = added.get_data(as_text=True)
        assert added.status_code == 200 and "只显示这一次" in html
        secret = re.search(r'<code class="secret">([0-9a-f]{64})</code>', html).group(1)
        assert secret not in client.get("/webhooks/?locality=650100").get_data(as_text=True)

        engine.start("approval", locality="650100", business_key="PG-WH-1", actor="purchaser_urumqi")
        WebhookSender(engine.session_factory, engine.clock, "page-test", WebhookSettings(max_attempts=1)).send_due()
        page = client.get("/webhooks/?locality=650100&state=dead").get_data(as_text=True)
        assert "新任务" in page and "PG-WH-1" in page and "已放弃" in page and "HTTP 500" in page
        (delivery_id,) = map(int, re.findall(r'id="delivery-(\d+)"', page))

        receiver.then = 200
        resent = _post(client, f"/webhooks/deliveries/{delivery_id}/resend", {"locality": "650100"})
        assert resent.status_code == 302
        WebhookSender(engine.session_factory, engine.clock, "page-test", WebhookSettings()).send_due()
    assert [r.answered for r in receiver.received] == [500, 200]
    assert receiver.delivered[0].verified(secret)
    assert "已送达" in client.get("/webhooks/?locality=650100&state=delivered").get_data(as_text=True)

    (subscription_id,) = map(int, re.findall(r'id="subscription-(\d+)"', page))
    assert _post(client, f"/webhooks/{subscription_id}/active", {"active": "0"}).status_code == 302
    client.get("/lang/en?next=/")
    english = client.get("/webhooks/?locality=650100").get_data(as_text=True)
    assert "Webhooks" in english and "Paused" in english and "Task created" in english
    assert _post(client, f"/webhooks/{subscription_id}/delete", {}).status_code == 302
    assert 'id="subscriptions-empty"' in client.get("/webhooks/?locality=650100").get_data(as_text=True)


def test_only_people_who_keep_subscriptions_see_the_page(client: FlaskClient, engine: Engine) -> None:
    login(client, "purchaser_urumqi")
    assert 'href="/webhooks/"' not in client.get("/").get_data(as_text=True)
    assert client.get("/webhooks/").status_code == 403
    added = _post(
        client, "/webhooks/", {"locality": "650100", "url": "https://x.example.test/", "events": "task_created"}
    )
    assert added.status_code == 403
    login(client, "manager_karamay")
    assert 'href="/webhooks/"' in client.get("/").get_data(as_text=True)
    page = client.get("/webhooks/?locality=650100").get_data(as_text=True)  # not theirs: their own shown
    assert "克拉玛依市" in page and "乌鲁木齐市" not in page
    admin = engine.read(lambda s: users.principal(s, users.get_user(s, "admin")))
    assert engine.read(webhook_log.subscriptions, admin) == []  # the refused one wrote nothing
