"""Real processes on loopback for the benchmarks and the tests that need whole processes (scale-out, workers).

A fresh PostgreSQL database per run, gunicorn app servers, scheduler processes, external-task workers and
the finance simulator started as their own process groups (so stopping one also stops its workers), API
tokens, and a dependency-free JSON client.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from engine.identity.users import create_user, issue_token
from engine.service import Engine
from engine.store.migrate import upgrade
from engine.store.models import User

REPO = Path(__file__).resolve().parent.parent
SERVFLOW = Path(sys.executable).with_name("servflow")  # the console script of the interpreter's environment
PG_SERVER = os.environ.get("SERVFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


@contextmanager
def pg_database(prefix: str = "servflow_bench") -> Iterator[str]:
    """A new, migrated PostgreSQL database ``<prefix>_<pid>``; dropped afterwards whatever happens."""
    name = f"{prefix}_{os.getpid()}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_tokens(engine: Engine, count: int, username: str = "bench_admin") -> list[str]:
    """``count`` API tokens of one administrator, one per client: a token row is written on every request."""
    with engine.unit_of_work(write=True) as uow:
        user = uow.session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = create_user(uow.session, username, "bench-password-1", "基准测试管理员", is_admin=True)
        values = [issue_token(uow.session, user, f"client {n}") for n in range(count)]
        uow.commit()
    return values


def user_token(engine: Engine, username: str, name: str = "worker") -> str:
    """A new API token of an existing user (the demo's ``worker_region`` …)."""
    with engine.unit_of_work(write=True) as uow:
        user = uow.session.scalars(select(User).where(User.username == username)).one()
        value = issue_token(uow.session, user, name)
        uow.commit()
    return value


@dataclass
class Process:
    """A child process in its own process group, its output in ``log``."""

    name: str
    args: Sequence[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                list(self.args), cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the whole group (gunicorn's master and workers), SIGKILL what is left after ``timeout``."""
        if self.popen is None or self.popen.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)

    def crash(self) -> None:
        """SIGKILL the whole group at once, as a power cut or the OOM killer would: no clean-up runs."""
        if self.popen is not None and self.popen.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)

    def children(self) -> list[int]:
        """The process's direct children (gunicorn's workers), from ``/proc``."""
        if self.popen is None:
            return []
        path = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def child_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SERVFLOW_DATABASE_URL": database_url,
        "SERVFLOW_SECRET_KEY": "bench-secret",
        "PYTHONUNBUFFERED": "1",
    }


def gunicorn(database_url: str, port: int, workers: int, log: Path, *, threads: int = 1) -> Process:
    """``gunicorn -w N 'web:create_app()'`` on 127.0.0.1:port (not yet started)."""
    args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    if threads > 1:
        args += ["--threads", str(threads)]
    args += ["--access-logfile", "-", "--access-logformat", "access %(m)s %(U)s %(s)s %(M)sms", "web:create_app()"]
    return Process(f"gunicorn:{port}", args, child_env(database_url), log)


def scheduler(database_url: str, owner: str, log: Path, *, interval: float = 1.0, lease: float = 30.0) -> Process:
    """``python -m engine.scheduler`` in loop mode (not yet started); ``lease``: seconds a claimed job is its."""
    args = [sys.executable, "-m", "engine.jobs.scheduler", "--interval", str(interval), "--owner", owner]
    args += ["--lease", str(lease)]
    return Process(owner, args, child_env(database_url), log)


def servflow_worker(url: str, token: str, topics: Sequence[str], finance_url: str, log: Path, *args: str) -> Process:
    """``servflow worker --topic … --url URL`` (not yet started); ``args``: more of its options."""
    command = [str(SERVFLOW), "worker", "--url", url, "--finance-url", finance_url, *args]
    for topic in topics:
        command += ["--topic", topic]
    env = {**os.environ, "SERVFLOW_WORKER_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    return Process(f"worker:{log.stem}", command, env, log)


def finance_sim(port: int, log: Path) -> Process:
    """``servflow finance-sim --port PORT`` on 127.0.0.1 (not yet started); ready when ``/healthz`` answers."""
    command = [str(SERVFLOW), "finance-sim", "--port", str(port)]
    return Process(f"finance-sim:{port}", command, {**os.environ, "PYTHONUNBUFFERED": "1"}, log)


def wait_until_serving(port: int, process: Process, timeout: float = 30.0, path: str = "/api/v1/tasks") -> None:
    """Poll ``path`` until the process answers (a 401 is an answer: the app is up, we sent no token)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen is not None and process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited early:\n{process.output()[-3000:]}")
        with suppress(OSError):
            status, _ = request(port, "GET", path, None, token=None, timeout=2)
            if status in (200, 401):
                return
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not answer within {timeout}s:\n{process.output()[-3000:]}")


def request(
    port: int, method: str, path: str, body: Any, *, token: str | None, timeout: float = 30.0
) -> tuple[int, Any]:
    """One HTTP request on a new connection (gunicorn's sync workers close them); JSON in, JSON out."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, data
    finally:
        connection.close()


def complete(port: int, token: str, task_id: int, data: dict[str, Any]) -> tuple[int, Any]:
    return request(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": data}, token=token)


def next_open_task(body: Any) -> int | None:
    """The instance's open task after a completion, from the API's answer."""
    open_tasks = (body or {}).get("instance", {}).get("tasks") or []
    return open_tasks[0]["id"] if open_tasks else None
