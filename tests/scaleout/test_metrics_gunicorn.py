"""``/metrics`` under real gunicorn with 3 workers (``docker/gunicorn.conf.py``): the counts add up across
workers, whichever worker answers the scrape, and every line gunicorn and the app write is one JSON
object carrying the request's id."""

from __future__ import annotations

import http.client
import json
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bench.servers import REPO, Process, admin_tokens, child_env, free_port, request, wait_until_serving
from engine.service import Engine

WORKERS = 3
REQUESTS = 60


def _scrape(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        assert response.status == 200
        return response.read().decode()
    finally:
        connection.close()


def _answered(body: str, endpoint: str, status: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
        if sample.name == "servflow_http_requests_total"
        and sample.labels["endpoint"] == endpoint
        and sample.labels["status"] == status
    )


def test_metrics_add_up_across_three_gunicorn_workers(engine: Engine, database_url: str, tmp_path: Path) -> None:
    (token,) = admin_tokens(engine, 1)
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = child_env(database_url) | {"SERVFLOW_LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    conf = str(REPO / "docker" / "gunicorn.conf.py")
    args = [sys.executable, "-m", "gunicorn", "-c", conf, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"]
    server = Process("gunicorn-metrics", [*args, "web:create_app()"], env, tmp_path / "app.log")
    try:
        server.start()
        wait_until_serving(port, server)
        for _ in range(REQUESTS):
            status, _ = request(port, "GET", "/api/v1/tasks", None, token=token)
            assert status == 200
        scrapes = [_scrape(port) for _ in range(WORKERS * 2)]  # answered by different workers in turn
        workers_counted = {path.name.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}
    finally:
        server.stop()

    assert len(workers_counted) > 1, "the requests should have been spread over several workers"
    for body in scrapes:
        assert _answered(body, "/api/v1/tasks", "200") == REQUESTS
    assert "servflow_db_pool_connections_capacity" in scrapes[0] and "servflow_tasks_open" in scrapes[0]

    lines = [json.loads(line) for line in server.output().splitlines() if line.strip()]
    answered = [line for line in lines if line["logger"] == "servflow.http" and line["path"] == "/api/v1/tasks"]
    assert sum(1 for line in answered if line["status"] == 200) == REQUESTS
    assert all(
        len(line["request_id"]) == 32 and line["user"] == "bench_admin" for line in answered if line["status"] == 200
    )
    assert all(isinstance(line["duration_ms"], float) for line in answered)
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # gunicorn's own lines are JSON too
