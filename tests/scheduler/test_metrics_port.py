"""The standalone scheduler's metrics: ``servflow scheduler`` run as its own OS process with
``SERVFLOW_SCHEDULER_METRICS_PORT`` serves Prometheus text on that port, counting its sweeps and the lag of
the timers it fires (README, production deployment: metrics)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import select

from engine.compose import build_engine
from engine.service import Engine
from engine.store.models import TimerJob
from support import fixture_bytes

SERVFLOW = Path(sys.executable).parent / "servflow"  # the console script, as production starts it


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sample(text: str, name: str, labels: str = "") -> float | None:
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


def test_the_scheduler_process_serves_its_sweeps_on_its_metrics_port(engine: Engine, database_url: str) -> None:
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    earlier = build_engine(database_url, clock=lambda: two_hours_ago, deadlines=False)
    earlier.deploy(fixture_bytes("bpmn/timers.bpmn"), "650000")
    earlier.start("timers", locality="650000", business_key="P-1")  # its one-hour timer fell due an hour ago
    earlier.dispose()

    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {
        "SERVFLOW_DATABASE_URL": database_url,
        "SERVFLOW_SCHEDULER_METRICS_PORT": str(port),
        "SERVFLOW_SMTP_HOST": "",
        "PYTHONUNBUFFERED": "1",
    }
    started = time.time()
    process = subprocess.Popen(
        [str(SERVFLOW), "scheduler", "--interval", "0.5"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page, sweeps = "", None
        for _ in range(150):
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
                page = response.text
                sweeps = _sample(page, "servflow_scheduler_sweeps_total", '{outcome="ok"}')
                if sweeps is not None and sweeps >= 2:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
        assert sweeps is not None and sweeps >= 2, page
        assert _sample(page, "servflow_scheduler_last_sweep_timestamp_seconds") >= started
        assert _sample(page, "servflow_scheduler_sweep_duration_seconds_count") >= 2
        assert _sample(page, "servflow_timer_lag_seconds_count") == 1  # the due timer, fired by this process
        assert _sample(page, "servflow_timer_lag_seconds_bucket", '{le="3600.0"}') == 0  # an hour late…
        assert _sample(page, "servflow_timer_lag_seconds_bucket", '{le="14400.0"}') == 1  # …not four
    finally:
        process.terminate()
        process.wait(timeout=10)
    with engine.unit_of_work() as uow:
        assert uow.session.scalars(select(TimerJob.done_at).order_by(TimerJob.id)).first() is not None
