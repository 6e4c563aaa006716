"""``make bench``: run every benchmark in turn and print its table (about 5 minutes; needs PostgreSQL).

Each benchmark prints ratios against a baseline it measures in the same run; ``bench/RESULTS.md``
records a run. ``python -m bench throughput inbox`` runs only the named ones.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import (
    bench_deploy,
    bench_documents,
    bench_engine,
    bench_external_tasks,
    bench_inbox,
    bench_loop_shapes,
    bench_migration,
    bench_throughput,
)
from bench.common import machine
from bench.servers import pg_database


def history() -> None:
    """bench_engine's table on SQLite and on a fresh PostgreSQL database."""
    bench_engine.main([])
    with pg_database("servflow_bench_history") as url:
        bench_engine.main(["--database-url", url])


BENCHMARKS: dict[str, Callable[[], None]] = {
    "history": history,
    "deploy": lambda: bench_deploy.main(),
    "throughput": lambda: bench_throughput.main([]),
    "inbox": lambda: bench_inbox.main([]),
    "documents": lambda: bench_documents.main([]),
    "external": lambda: bench_external_tasks.main([]),
    "loops": lambda: bench_loop_shapes.main(),
    "migration": lambda: bench_migration.main([]),
}


def main(names: list[str] | None = None) -> None:
    chosen = names or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    print(f"servflow benchmarks — {machine()}")
    for name in chosen:
        BENCHMARKS[name]()
    print(f"\nfinished — {machine()}")


if __name__ == "__main__":
    main(sys.argv[1:])
