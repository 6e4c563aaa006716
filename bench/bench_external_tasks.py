"""External tasks fetched and completed per second through HTTP by 4 worker processes, against HTTP
user-task completions per second on the same server and database in the same run.

One ``gunicorn -w W 'web:create_app()'`` (W = cores + 1, as ``bench_throughput``) on a fresh PostgreSQL
database, real OS processes on 127.0.0.1, measured one after the other:

- **user tasks** (the baseline): ``bench_throughput``'s 4 client threads, each completing the looping user
  task of its own ``report_loop`` projects through ``POST /api/v1/tasks/<id>/complete``; measured before and
  after the external tasks, and averaged.
- **external tasks**, on 120 projects of ``check_loop.bpmn`` — the same loop with the service task
  ``budget.check`` where the user task was — by 4 worker processes (``workers.run``'s loop, 10 tasks a
  fetch), twice: **servflow alone**, with a handler that answers at once (this module run as ``python -m
  bench.bench_external_tasks worker URL ID``), so each task costs its share of a fetch-and-lock and ``POST
  /api/v1/external-tasks/<id>/complete`` only; and the **whole path**, ``servflow worker --topic
  budget.check`` asking ``servflow finance-sim`` first — a fourth process per task's CPU on the same cores.
  Counted in the database (external-task rows completed in the window), after a warm-up.

Target (issue 15): external / user-task rate ≥ 1.0 (servflow alone: the same cores then serve servflow and its
clients only, as for the user tasks).
Run: ``python -m bench.bench_external_tasks [--seconds 10] [--workers W] [--processes 4]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.bench_engine import LOOP
from bench.bench_throughput import percentile, run_clients, start_instances
from bench.common import print_table
from bench.servers import (
    REPO,
    Process,
    admin_tokens,
    finance_sim,
    free_port,
    gunicorn,
    pg_database,
    servflow_worker,
    user_token,
    wait_until_serving,
)
from engine.compose import build_engine
from engine.demo.seed import seed_calendars, seed_users
from engine.service import Engine
from engine.store.models import AuditEvent, ExternalTask
from workers import run
from workers.client import LockedTask
from workers.handlers import Complete, FinanceApi, Handler, Outcome

CHECK_LOOP = REPO / "tests" / "fixtures" / "bpmn" / "check_loop.bpmn"
CLIENTS = 4
PROJECTS = 120  # three times what 4 workers lock at once (10 each): a fetch always finds work
WARM_UP_TASKS = 200
CHECK_DATA = {"department": "乌鲁木齐市民政局", "budget": 100_000, "total": 10**9}
NOWHERE = "http://127.0.0.1:9"  # the finance systems of the servflow-alone workers, never called


def answer_at_once(task: LockedTask, finance: FinanceApi) -> Outcome:
    """The servflow-alone workers' ``budget.check``: an answer without asking any system."""
    return Complete({"budget_line": "YS-BENCH", "budget_available_amount": 0.0})


def servflow_alone(url: str, token: str, log: Path) -> Process:
    """A worker process running ``answer_at_once`` (this module's ``worker`` command; not yet started)."""
    command = [sys.executable, "-m", "bench.bench_external_tasks", "worker", url, log.stem]
    return Process(log.stem, command, {**os.environ, "SERVFLOW_WORKER_TOKEN": token, "PYTHONUNBUFFERED": "1"}, log)


def completed(engine: Engine) -> tuple[int, int]:
    """External tasks completed so far, and failures reported so far."""
    with engine.unit_of_work() as uow:
        done = uow.session.scalar(select(func.count()).where(ExternalTask.state == "completed"))
        failed = uow.session.scalar(select(func.count()).where(AuditEvent.action == "external_task_failed"))
    return done or 0, failed or 0


def user_task_rate(engine: Engine, port: int, tokens: list[str], seconds: float, prefix: str) -> tuple[str, ...]:
    """``bench_throughput``'s load with 4 clients; a table row: rate, p50, p95, non-200 answers."""
    load, elapsed = run_clients(port, tokens, start_instances(engine, CLIENTS, prefix), seconds)
    errors = sum(n for status, n in load.statuses.items() if status != 200)
    p50, p95 = percentile(load.latencies, 0.5) * 1000, percentile(load.latencies, 0.95) * 1000
    return f"{load.completed / elapsed:.0f}", f"{p50:.0f} / {p95:.0f}", str(errors)


def warm_up(engine: Engine, workers: list[Process], timeout: float = 120.0) -> None:
    """Wait for ``WARM_UP_TASKS`` completions: every process has imported, connected and cached the spec."""
    start_count, deadline = completed(engine)[0], time.monotonic() + timeout
    while completed(engine)[0] - start_count < WARM_UP_TASKS:
        stopped = [w for w in workers if w.popen is not None and w.popen.poll() is not None]
        if stopped or time.monotonic() > deadline:
            logs = "\n".join(w.output()[-2000:] for w in stopped or workers)
            raise RuntimeError(f"the workers did not warm up:\n{logs}")
        time.sleep(0.2)


def external_task_rate(engine: Engine, workers: list[Process], seconds: float) -> tuple[float, int, list[str]]:
    """Completions per second by the started ``workers``, failures reported, and their logs' trouble lines."""
    try:
        warm_up(engine, workers)
        (done_before, failed_before), started = completed(engine), time.perf_counter()
        time.sleep(seconds)
        (done_after, failed_after), elapsed = completed(engine), time.perf_counter() - started
    finally:
        for worker in workers:
            worker.stop()
    trouble = [line for w in workers for line in w.output().splitlines() if "Traceback" in line or "gave up" in line]
    return (done_after - done_before) / elapsed, failed_after - failed_before, trouble


def both_external_rates(
    engine: Engine, port: int, processes: int, seconds: float, folder: Path
) -> list[tuple[float, int, list[str]]]:
    """The servflow-alone rate, then the whole path's (with the finance simulator), on the same projects."""
    for n in range(PROJECTS):
        engine.start("check_loop", locality="650000", business_key=f"EXT-{n}", data=CHECK_DATA)
    token, url = user_token(engine, "worker_region", "bench workers"), f"http://127.0.0.1:{port}"
    alone = [servflow_alone(url, token, folder / f"alone-{n}.log").start() for n in range(processes)]
    rates = [external_task_rate(engine, alone, seconds)]
    finance_port = free_port()
    sim = finance_sim(finance_port, folder / "finance.log").start()
    try:
        wait_until_serving(finance_port, sim, path="/healthz")
        finance_url = f"http://127.0.0.1:{finance_port}"
        logs = [folder / f"worker-{n}.log" for n in range(processes)]
        topics = ["budget.check"]
        whole = [servflow_worker(url, token, topics, finance_url, log, "--worker-id", log.stem) for log in logs]
        rates.append(external_task_rate(engine, [worker.start() for worker in whole], seconds))
    finally:
        sim.stop()
    return rates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per row")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--processes", type=int, default=4, help="servflow worker processes")
    args = parser.parse_args(argv)
    with pg_database("servflow_bench_external") as url, tempfile.TemporaryDirectory() as folder:
        engine = build_engine(url, deadlines=False)
        engine.ensure_localities()
        seed_calendars(engine)
        seed_users(engine)
        engine.deploy({LOOP.name: LOOP.read_bytes(), CHECK_LOOP.name: CHECK_LOOP.read_bytes()}, "650000")
        tokens = admin_tokens(engine, CLIENTS)
        port = free_port()
        server = gunicorn(url, port, args.workers, Path(folder) / "gunicorn.log").start()
        try:
            wait_until_serving(port, server)
            run_clients(port, tokens[:2], start_instances(engine, 2, "warm"), 2.0)
            before = user_task_rate(engine, port, tokens, args.seconds, "before")
            alone, whole = both_external_rates(engine, port, args.processes, args.seconds, Path(folder))
            after = user_task_rate(engine, port, tokens, args.seconds, "after")
        finally:
            server.stop()
            engine.dispose()
        server_errors = [line for line in server.output().splitlines() if "Traceback" in line or " 500 " in line]
    baseline = (float(before[0]) + float(after[0])) / 2
    rows = [
        (f"user tasks, {CLIENTS} clients, before", *before, f"{float(before[0]) / baseline:.2f}"),
        *(
            (f"external tasks, {args.processes} workers, {label}", f"{rate:.0f}", "-", str(n), f"{rate / baseline:.2f}")
            for label, (rate, n, _) in (("servflow alone", alone), ("with finance-sim", whole))
        ),
        (f"user tasks, {CLIENTS} clients, after", *after, f"{float(after[0]) / baseline:.2f}"),
    ]
    print_table(
        f"External tasks vs user tasks through the HTTP API: gunicorn -w {args.workers}, PostgreSQL, "
        f"{os.cpu_count()} CPUs, {args.seconds:.0f} s per row",
        rows,
        ("load", "completions/s", "p50 / p95 ms", "non-200 or failures", "× user tasks (mean of before, after)"),
    )
    print(
        f"external / user-task completions, servflow alone: {alone[0] / baseline:.2f} (target >= 1.0); "
        f"worker trouble lines: {len(alone[2]) + len(whole[2])}; server errors logged: {len(server_errors)}"
    )


def worker(url: str, worker_id: str) -> None:
    """``python -m bench.bench_external_tasks worker URL ID``: a worker answering ``budget.check`` at once."""
    settings = run.Settings(("budget.check",))
    handlers = {"budget.check": Handler("budget.check", (), answer_at_once)}
    token = os.environ["SERVFLOW_WORKER_TOKEN"]
    run.start(url, token, settings, worker_id=worker_id, finance_url=NOWHERE, handlers=handlers).run()


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(*sys.argv[2:4])
    else:
        main()
