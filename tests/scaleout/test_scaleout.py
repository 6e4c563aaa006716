"""Two app servers and two schedulers on one PostgreSQL, under load: nothing lost, nothing done twice.

Real OS processes on loopback: two ``gunicorn -w 2 'web:create_app()'`` on different ports and two
``python -m engine.scheduler`` loops (1 s interval) share one fresh database. For ~45 s, client threads
complete looping tasks through both servers' API, pairs of clients send the *same* completion to the
two servers at once, and projects waiting on a 2-second BPMN timer are started so both schedulers
race to fire them (their tasks are then completed through the API too). Afterwards the counts must
agree: every 200 has exactly one ``task_completed`` event and a completed task row, no task is
completed twice, every timer job fired once and is done, no 5xx, no deadlock in any log.

The crash variant runs the same load while an app worker on each server and one scheduler are killed
with SIGKILL (as the OOM killer or a power cut would): a request cut off with its worker may or may not
have committed, so its client re-reads the project and carries on; the same counts must agree, and the
dead scheduler's leased timers are fired by the other once the lease runs out.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.servers import (
    Process,
    admin_tokens,
    complete,
    free_port,
    gunicorn,
    next_open_task,
    pg_database,
    request,
    scheduler,
    wait_until_serving,
)
from engine.compose import build_engine
from engine.demo.seed import seed_calendars
from engine.service import Engine
from engine.store.models import AuditEvent, HumanTask, TimerJob
from support import fixture_bytes

pytestmark = pytest.mark.slow

RUN_SECONDS = 45.0
LOOP_CLIENTS = 4
INSTANCES_PER_CLIENT = 3
DUPLICATE_PAIRS = 2
TIMER_BATCHES = 4
TIMER_PROJECTS_PER_BATCH = 10
MAX_REQUESTS_PER_CLIENT = 3000
DATA = {"comment": "scale-out"}  # the loop task has no form: a comment is what a person may send
CUT_OFF = 0  # the "status" of a request whose connection died with its worker: outcome unknown


@dataclass
class Ledger:
    """Every answer the clients got: (task id, HTTP status), plus what broke on the client side."""

    crashes_allowed: bool = False
    answers: list[tuple[int, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, task_id: int, status: int) -> None:
        with self.lock:
            self.answers.append((task_id, status))

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


@dataclass
class Cluster:
    url: str
    engine: Engine
    ports: list[int]
    processes: list[Process]
    tokens: list[str]


@contextmanager
def running_cluster(tmp_path: Path, *, lease: float) -> Iterator[Cluster]:
    with pg_database("servflow_scaleout") as url:
        engine = build_engine(url, deadlines=False)
        engine.ensure_localities()
        seed_calendars(engine)
        engine.deploy(fixture_bytes("bpmn/loop.bpmn", "bpmn/short_timer.bpmn"), "650000")
        tokens = admin_tokens(engine, LOOP_CLIENTS + 2 * DUPLICATE_PAIRS + 1)
        ports = [free_port(), free_port()]
        processes = [gunicorn(url, port, 2, tmp_path / f"app-{port}.log") for port in ports]
        processes += [scheduler(url, f"scheduler-{n}", tmp_path / f"scheduler-{n}.log", lease=lease) for n in (1, 2)]
        try:
            for process in processes:
                process.start()
            for port, process in zip(ports, processes, strict=False):
                wait_until_serving(port, process)
            yield Cluster(url, engine, ports, processes, tokens)
        finally:
            for process in processes:
                process.stop()
            engine.dispose()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with running_cluster(tmp_path, lease=30.0) as running:
        yield running


@pytest.fixture
def crashing_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A short lease, so the surviving scheduler takes over a crashed one's timers within the test."""
    with running_cluster(tmp_path, lease=5.0) as running:
        yield running


def loop_tasks(engine: Engine, prefix: str, count: int) -> list[int]:
    ids = []
    for n in range(count):
        instance = engine.start("report_loop", locality="650000", business_key=f"{prefix}-{n}", data={"total": 10**6})
        ids.append(engine.open_tasks(instance.id)[0].id)
    return ids


def open_task_now(engine: Engine, task_id: int) -> int:
    """After an answer that does not say what comes next (cut off, or 409): the project's open task now."""
    task = engine.get_task(task_id)
    following = engine.open_tasks(task.instance_id)
    return following[0].id if following else task_id


def send_completion(cluster: Cluster, port: int, token: str, task_id: int, ledger: Ledger) -> tuple[int, object]:
    """One completion; with crashes allowed, a connection cut off with its worker is recorded as ``CUT_OFF``."""
    try:
        status, body = complete(port, token, task_id, DATA)
    except OSError as exc:
        if not ledger.crashes_allowed:
            ledger.fail(f"completion of {task_id}: {exc!r}")
        status, body = CUT_OFF, None
    ledger.add(task_id, status)
    return status, body


def loop_client(cluster: Cluster, token: str, tasks: list[int], until: float, ledger: Ledger) -> None:
    """Complete its own projects' tasks, alternating between the two app servers."""
    for turn in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() > until or ledger.failures:
            return
        slot = turn % len(tasks)
        status, body = send_completion(cluster, cluster.ports[turn % 2], token, tasks[slot], ledger)
        if status == 200:
            tasks[slot] = next_open_task(body) or tasks[slot]
        elif status == CUT_OFF:
            tasks[slot] = open_task_now(cluster.engine, tasks[slot])


def duplicate_pair(cluster: Cluster, tokens: tuple[str, str], tasks: list[int], until: float, ledger: Ledger) -> None:
    """Two clients send the same completion to the two servers at the same moment, again and again."""
    barrier = threading.Barrier(2)
    answers: list[tuple[int, object]] = [(0, None), (0, None)]

    def send(side: int, task_id: int) -> None:
        barrier.wait(10)
        answers[side] = send_completion(cluster, cluster.ports[side], tokens[side], task_id, ledger)

    for turn in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() > until or ledger.failures:
            return
        slot = turn % len(tasks)
        threads = [threading.Thread(target=send, args=(side, tasks[slot])) for side in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        winners = [body for status, body in answers if status == 200]
        if winners:
            tasks[slot] = next_open_task(winners[0]) or tasks[slot]
        elif CUT_OFF in (status for status, _ in answers):
            tasks[slot] = open_task_now(cluster.engine, tasks[slot])


def timer_client(cluster: Cluster, token: str, until: float, ledger: Ledger) -> None:
    """Start projects that wait 2 s on a timer, and complete their tasks once the schedulers fired them."""
    batches_started = 0
    spacing = RUN_SECONDS / (TIMER_BATCHES + 1)
    started_at = time.monotonic()
    while time.monotonic() < until:
        if batches_started < TIMER_BATCHES and time.monotonic() - started_at >= batches_started * spacing:
            for n in range(TIMER_PROJECTS_PER_BATCH):
                cluster.engine.start("short_timer", locality="650000", business_key=f"T-{batches_started}-{n}")
            batches_started += 1
        port = cluster.ports[batches_started % 2]
        try:
            status, page = request(port, "GET", "/api/v1/tasks?stage=short_timer&per_page=50", None, token=token)
        except OSError as exc:
            if not ledger.crashes_allowed:
                ledger.fail(f"timer client: {exc!r}")
                return
            status, page = CUT_OFF, None
        if status not in (200, CUT_OFF):
            ledger.fail(f"listing tasks answered {status}: {page}")
            return
        for task in page["items"] if status == 200 else []:
            send_completion(cluster, cluster.ports[task["id"] % 2], token, task["id"], ledger)
        time.sleep(0.5)


def run_load(cluster: Cluster, *, crashes_allowed: bool = False) -> Ledger:
    ledger = Ledger(crashes_allowed)
    until = time.monotonic() + RUN_SECONDS
    threads = []
    tokens = iter(cluster.tokens)
    for c in range(LOOP_CLIENTS):
        tasks = loop_tasks(cluster.engine, f"L{c}", INSTANCES_PER_CLIENT)
        threads.append(threading.Thread(target=loop_client, args=(cluster, next(tokens), tasks, until, ledger)))
    for p in range(DUPLICATE_PAIRS):
        tasks = loop_tasks(cluster.engine, f"D{p}", 2)
        pair = (next(tokens), next(tokens))
        threads.append(threading.Thread(target=duplicate_pair, args=(cluster, pair, tasks, until, ledger)))
    threads.append(threading.Thread(target=timer_client, args=(cluster, next(tokens), until, ledger)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RUN_SECONDS + 60)
    return ledger


def wait_for_timers(engine: Engine, timeout: float = 15.0) -> None:
    """Let the schedulers finish the last batch (its timers are due 2 s after the run's last start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.unit_of_work() as uow:
            if not uow.session.scalar(select(func.count()).select_from(TimerJob).where(TimerJob.done_at.is_(None))):
                return
        time.sleep(0.5)


def test_two_apps_and_two_schedulers_lose_nothing_and_do_nothing_twice(cluster: Cluster) -> None:
    ledger = run_load(cluster)
    wait_for_timers(cluster.engine)
    for process in cluster.processes:
        process.stop()

    statuses = Counter(status for _, status in ledger.answers)
    assert set(statuses) <= {200, 409}, statuses  # a duplicate is refused as a conflict, nothing else
    assert statuses[409] > 0  # the duplicates really collided
    assert_nothing_lost_or_done_twice(cluster, ledger)


def test_killed_app_workers_and_a_killed_scheduler_lose_nothing(crashing_cluster: Cluster) -> None:
    cluster = crashing_cluster
    killed: list[int] = []

    def crash_things() -> None:
        for delay, victim in ((8, "worker 0"), (6, "scheduler-1"), (6, "worker 1")):
            time.sleep(delay)
            if victim == "scheduler-1":
                cluster.processes[2].crash()
                continue
            pid = cluster.processes[int(victim[-1])].children()[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    crasher = threading.Thread(target=crash_things)
    crasher.start()
    ledger = run_load(cluster, crashes_allowed=True)
    crasher.join()
    wait_for_timers(cluster.engine, timeout=30.0)
    servers = cluster.processes[:2]
    replaced = [sorted(server.children()) for server in servers]
    for process in cluster.processes:
        process.stop()

    assert len(killed) == 2 and cluster.processes[2].popen.returncode == -signal.SIGKILL
    assert all(len(workers) == 2 and not set(workers) & set(killed) for workers in replaced), replaced
    statuses = Counter(status for _, status in ledger.answers)
    assert set(statuses) <= {200, 409, CUT_OFF}, statuses
    assert_nothing_lost_or_done_twice(cluster, ledger, crashed=("scheduler-1",))


def assert_nothing_lost_or_done_twice(cluster: Cluster, ledger: Ledger, crashed: tuple[str, ...] = ()) -> None:
    assert ledger.failures == []
    statuses = Counter(status for _, status in ledger.answers)
    assert not [s for s in statuses if s >= 500], statuses
    ok = Counter(task_id for task_id, status in ledger.answers if status == 200)
    assert sum(ok.values()) > 300, statuses  # the load really ran
    assert max(ok.values()) == 1  # no task answered "completed" twice

    with cluster.engine.unit_of_work() as uow:
        s = uow.session
        events = Counter(s.scalars(select(AuditEvent.human_task_id).where(AuditEvent.action == "task_completed")))
        assert max(events.values()) == 1  # no duplicated completion
        assert set(ok) <= set(events)  # no lost completion: each 200 left its event …
        completed = set(s.scalars(select(HumanTask.id).where(HumanTask.state == "completed")))
        assert set(ok) <= completed  # … and a completed task row
        assert completed == set(events)  # a cut-off request either did all of its step or none of it

        jobs = list(s.scalars(select(TimerJob)))
        assert len(jobs) == TIMER_BATCHES * TIMER_PROJECTS_PER_BATCH
        assert all(job.done_at is not None for job in jobs)
        fired = Counter(
            job_id
            for data in s.scalars(select(AuditEvent.data).where(AuditEvent.action == "timer_fired"))
            for job_id in data["jobs"]
        )
        assert fired == Counter({job.id: 1 for job in jobs})  # every timer fired exactly once

    for process in cluster.processes:
        if process.name in crashed:
            continue
        log = process.output()
        assert "deadlock" not in log.lower(), f"{process.name}:\n{log[-3000:]}"
        assert "Traceback" not in log, f"{process.name}:\n{log[-3000:]}"
        answered = [line.split()[3] for line in log.splitlines() if line.startswith("access ")]
        assert not [status for status in answered if status.startswith("5")], process.name
