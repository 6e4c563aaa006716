"""Operations in one app: a request's id reaches the audit event its command writes and comes back in the
response; ``/metrics`` answers an allowed address or the scrape token and refuses everyone else; its
backlog gauges are the database's figures; log lines are one JSON object each."""

from __future__ import annotations

import io
import json
import logging

from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from bench.servers import admin_tokens
from engine.demo.seed import shipped_bundle
from engine.observability import context, logs
from engine.service import Engine

ELSEWHERE = {"REMOTE_ADDR": "10.20.30.40"}


def _open_task(engine: Engine, key: str) -> int:
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key=key, actor="system")
    return engine.open_tasks(instance.id)[0].id


def _samples(body: str) -> dict[str, float]:
    return {
        sample.name + json.dumps(sample.labels, sort_keys=True): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_the_request_id_flows_into_the_audit_event_of_its_command(engine: Engine, client: FlaskClient) -> None:
    task_id = _open_task(engine, "RID-1")
    (token,) = admin_tokens(engine, 1)
    response = client.post(
        f"/api/v1/tasks/{task_id}/claim",
        headers={"Authorization": f"Bearer {token}", "X-Request-Id": "lb-7f3a-0001"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["X-Request-Id"] == "lb-7f3a-0001"
    instance_id = engine.get_task(task_id).instance_id
    (claimed,) = [event for event in engine.history(instance_id) if event.action == "claimed"]
    assert claimed.request_id == "lb-7f3a-0001"
    start_events = [event for event in engine.history(instance_id) if event.action != "claimed"]
    assert all(event.request_id is None for event in start_events)  # started outside any request


def test_a_request_without_a_usable_id_gets_a_new_one(client: FlaskClient) -> None:
    plain = client.get("/login")
    forged = client.get("/login", headers={"X-Request-Id": 'a b {"level": "ERROR"} ' + "x" * 80})
    ids = {plain.headers["X-Request-Id"], forged.headers["X-Request-Id"]}
    assert len(ids) == 2 and all(len(value) == 32 and value.isalnum() for value in ids)


def test_metrics_refuse_an_address_off_the_allow_list(client: FlaskClient) -> None:
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 403
    allowed = client.get("/metrics")  # the test client's address is 127.0.0.1, the default allow-list
    assert allowed.status_code == 200 and allowed.mimetype == "text/plain"


def test_metrics_take_the_scrape_token_from_anywhere(app: Flask) -> None:
    app.config["METRICS_TOKEN"] = "scrape-secret-1"
    client = app.test_client()
    missing = client.get("/metrics", environ_base=ELSEWHERE)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer scrape-secret-1"})
    assert right.status_code == 200 and "servflow_tasks_open" in right.get_data(as_text=True)


def test_the_backlog_gauges_are_the_databases_figures(engine: Engine, client: FlaskClient) -> None:
    task_id = _open_task(engine, "RID-2")
    body = client.get("/metrics").get_data(as_text=True)
    samples = _samples(body)
    assert samples["servflow_tasks_open{}"] == len(engine.tasks()) >= 1
    assert samples["servflow_tasks_overdue{}"] == 0  # the test engine dates no task
    assert samples['servflow_webhook_deliveries{"state": "pending"}'] == 0
    assert samples["servflow_timers_due{}"] == 0
    assert engine.get_task(task_id).state == "open"
    assert 'servflow_commands_total{kind="start",outcome="ok"}' in body
    assert "servflow_db_pool_connections_capacity" in body


def test_a_json_log_line_is_one_object_with_the_works_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("servflow.test_observability")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with context.work(request_id="r-1", user="purchaser_urumqi", path="/tasks/1"):
            logger.warning("task %s 已认领", 1, extra={"status": 200, "duration_ms": 12.5})
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    parsed = json.loads(line)
    assert parsed["message"] == "task 1 已认领" and parsed["level"] == "WARNING"
    assert parsed["logger"] == "servflow.test_observability" and parsed["time"].endswith("+00:00")
    assert {k: parsed[k] for k in ("request_id", "user", "path", "status", "duration_ms")} == {
        "request_id": "r-1",
        "user": "purchaser_urumqi",
        "path": "/tasks/1",
        "status": 200,
        "duration_ms": 12.5,
    }
