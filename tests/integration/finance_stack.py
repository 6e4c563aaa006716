"""What an integration test holds of the whole path on loopback: servflow, the finance simulator, workers.

servflow runs as ``gunicorn -w 2 --threads 4 'web:create_app()'`` on the test's database (SQLite or
PostgreSQL), with ``finance_chain.bpmn`` and ``budget_check.bpmn`` deployed and the demo users seeded;
``servflow finance-sim`` beside it; each test starts the worker processes it needs (``Stack.worker``),
with the token of the demo's ``worker_region``. Everything is stopped afterwards, whatever happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bench.servers import Process, request, servflow_worker
from engine.service import Engine

T = TypeVar("T")


@dataclass
class Stack:
    engine: Engine
    port: int
    finance_port: int
    worker_token: str
    admin_token: str
    folder: Path
    processes: list[Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker(
        self, name: str, *args: str, topics: tuple[str, ...] = ("budget.check",), token: str | None = None
    ) -> Process:
        """Start ``servflow worker --worker-id NAME`` on ``topics``; ``args``: more of its options."""
        finance_url, log = f"http://127.0.0.1:{self.finance_port}", self.folder / f"{name}.log"
        options = ("--worker-id", name, *args)
        process = servflow_worker(self.url, token or self.worker_token, topics, finance_url, log, *options)
        self.processes.append(process.start())
        return process

    def finance(self, method: str, path: str, body: Any = None) -> Any:
        """Ask the finance simulator; its JSON answer (any status other than 2xx fails the test)."""
        status, answer = request(self.finance_port, method, path, body, token=None)
        assert 200 <= status < 300, (status, answer)
        return answer

    def project(self, instance_id: int) -> dict[str, Any]:
        """``GET /api/v1/instances/<id>`` as an administrator: status, open tasks, history."""
        status, answer = request(self.port, "GET", f"/api/v1/instances/{instance_id}", None, token=self.admin_token)
        assert status == 200, answer
        return answer

    def wait_for(self, check: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
        """Poll ``check`` until it returns something truthy; else fail with the processes' logs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.2)
        logs = "\n".join(f"--- {p.name}\n{p.output()[-2000:]}" for p in self.processes)
        raise AssertionError(f"{what}: not within {timeout:.0f} s\n{logs}")
