"""Task completions per second through the HTTP API (gunicorn + PostgreSQL) vs SpiffWorkflow alone.

servflow: ``POST /api/v1/tasks/<id>/complete`` with a bearer token, served by ``gunicorn -w W
'web:create_app()'`` (real OS processes on 127.0.0.1) on a fresh PostgreSQL database, N client threads,
each completing the looping user task of its own instances so clients never wait on each other's rows.
Raw SpiffWorkflow: the same step in memory in this process (deserialize, complete, run, serialize),
one core. Both are measured in the same run; the ratio is what the target is about.

Targets (issue "Benchmarks"): ≥ 0.5 of the raw library rate; ≥ 200 completions/s on 2 cores.
Run: ``python -m bench.bench_throughput [--clients 1 4 8 16] [--seconds 10] [--workers W]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_engine import LOOP, PAYLOAD, RawSpiff
from bench.common import print_table
from bench.servers import (
    admin_tokens,
    complete,
    free_port,
    gunicorn,
    next_open_task,
    pg_database,
    wait_until_serving,
)
from engine.compose import build_engine
from engine.demo.seed import seed_calendars
from engine.service import Engine

INSTANCES_PER_CLIENT = 4
RAW_SECONDS = 3.0
RAW_TURNS = 50  # restart the raw workflow before its task tree (which grows with every turn) matters


def raw_rate(seconds: float = RAW_SECONDS) -> float:
    """SpiffWorkflow alone, in memory, one core: completions per second of the loop's user task."""
    raw, turns, done = RawSpiff(), 0, 0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        if turns == RAW_TURNS:
            raw, turns = RawSpiff(), 0
        raw.step()
        turns += 1
        done += 1
    return done / (time.perf_counter() - start)


@dataclass
class Load:
    """What the clients did during one measured window."""

    completed: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if status == 200:
                self.completed += 1


def client(port: int, token: str, tasks: list[int], stop: threading.Event, load: Load) -> None:
    """Complete the open task of each of its instances in turn until told to stop."""
    turn = 0
    while not stop.is_set():
        slot = turn % len(tasks)
        started = time.perf_counter()
        status, body = complete(port, token, tasks[slot], PAYLOAD)
        load.record(status, time.perf_counter() - started)
        if status == 200:
            tasks[slot] = next_open_task(body) or tasks[slot]
        turn += 1


def run_clients(port: int, tokens: list[str], tasks: list[list[int]], seconds: float) -> tuple[Load, float]:
    load, stop = Load(), threading.Event()
    threads = [
        threading.Thread(target=client, args=(port, token, mine, stop, load), daemon=True)
        for token, mine in zip(tokens, tasks, strict=True)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(30)
    return load, time.perf_counter() - start


def start_instances(engine: Engine, clients: int, prefix: str) -> list[list[int]]:
    """``INSTANCES_PER_CLIENT`` looping projects per client; returns each client's open task ids."""
    per_client = []
    for c in range(clients):
        mine = []
        for n in range(INSTANCES_PER_CLIENT):
            instance = engine.start(
                "report_loop", locality="650000", business_key=f"{prefix}-{c}-{n}", data={"total": 10**9}
            )
            (task,) = engine.open_tasks(instance.id)
            mine.append(task.id)
        per_client.append(mine)
    return per_client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per client count")
    # cores + 1, the production advice (README): a completion keeps its worker busy on the CPU for most of its
    # time, so more workers than that only add contention (measured in bench/RESULTS.md, section 1).
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="gunicorn workers")
    args = parser.parse_args(argv)
    raw_before = raw_rate()
    rows = []
    best = 0.0
    with pg_database("servflow_bench_api") as url, tempfile.TemporaryDirectory() as folder:
        engine = build_engine(url, deadlines=False)
        engine.ensure_localities()
        seed_calendars(engine)
        engine.deploy({LOOP.name: LOOP.read_bytes()}, "650000")
        tokens = admin_tokens(engine, max(args.clients))
        port = free_port()
        server = gunicorn(url, port, args.workers, Path(folder) / "gunicorn.log").start()
        try:
            wait_until_serving(port, server)
            warm = start_instances(engine, 2, "warm")
            run_clients(port, tokens[:2], warm, 2.0)  # every worker imports, connects and caches the spec
            for clients in args.clients:
                tasks = start_instances(engine, clients, f"c{clients}")
                load, elapsed = run_clients(port, tokens[:clients], tasks, args.seconds)
                rate = load.completed / elapsed
                best = max(best, rate)
                errors = sum(n for status, n in load.statuses.items() if status != 200)
                rows.append(
                    (
                        str(clients),
                        f"{rate:.0f}",
                        f"{percentile(load.latencies, 0.5) * 1000:.0f}",
                        f"{percentile(load.latencies, 0.95) * 1000:.0f}",
                        str(errors),
                    )
                )
        finally:
            server.stop()
            engine.dispose()
        server_errors = [line for line in server.output().splitlines() if "Traceback" in line or " 500 " in line]
    raw_after = raw_rate()
    raw = (raw_before + raw_after) / 2
    rows = [(*row, f"{float(row[1]) / raw:.2f}") for row in rows]
    print_table(
        f"Throughput through the HTTP API: gunicorn -w {args.workers}, PostgreSQL, {os.cpu_count()} CPUs, "
        f"{args.seconds:.0f} s per row; raw SpiffWorkflow in memory (1 core) {raw:.0f} completions/s",
        rows,
        ("clients", "completions/s", "p50 ms", "p95 ms", "non-200", "servflow rate / raw rate (target >= 0.5)"),
    )
    print(f"best: {best:.0f} completions/s (target >= 200 on 2 cores); server errors logged: {len(server_errors)}")


if __name__ == "__main__":
    main()
