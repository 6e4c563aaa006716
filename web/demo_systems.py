"""The demo's other systems beside ``servflow serve --demo-systems``: the simulated finance service and a
worker for the shipped topics, as child processes talking to the app over real HTTP.

The worker signs in with a fresh API token of the demo's ``worker_region`` (the region's worker reaches the
cities below it); both children stop with the server. Production runs the real budget system, treasury and
platform, and ``servflow worker`` (or a worker in any language) under its own supervisor.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from pathlib import Path

from engine.errors import NotFoundError
from engine.identity import users
from engine.service import Engine

DEMO_WORKER = "worker_region"
SHIPPED_TOPICS = ("budget.check", "budget.commit", "treasury.pay", "procurement.publish")
FINANCE_PORT = 5055


def start(engine: Engine, url: str) -> list[subprocess.Popen[bytes]]:
    """Start the finance simulator and a worker for ``url``; [] when the demo users are not seeded."""
    try:
        token = engine.write(lambda s: users.issue_token(s, users.get_user(s, DEMO_WORKER), "demo systems"))
    except NotFoundError:  # not seeded: run without the demo's systems
        return []
    servflow = str(Path(sys.executable).with_name("servflow"))
    finance_url = f"http://127.0.0.1:{FINANCE_PORT}"
    topics = [arg for topic in SHIPPED_TOPICS for arg in ("--topic", topic)]
    children = [
        subprocess.Popen([servflow, "finance-sim", "--port", str(FINANCE_PORT)]),
        subprocess.Popen(
            [servflow, "worker", *topics, "--url", url, "--finance-url", finance_url, "--worker-id", "demo-worker"],
            env={**os.environ, "SERVFLOW_WORKER_TOKEN": token},
        ),
    ]
    atexit.register(stop, children)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a terminated server stops its children too
    return children


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
