"""Migrating running projects: projects moved per second, as a ratio to task completions per second
measured in the same run on the same database (``python -m bench migration`` or
``python -m bench.bench_migration --projects 10000 [--database-url …]``).

Both sides are one command per project (lock, load, change, write back, commit), so the ratio says what a
migration costs beside the commonest command. Setup (starting the projects) is not timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, print_table
from engine.commands.migration_plan import Plan
from engine.compose import build_engine
from engine.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from migration_models import V1, V2, bundle

LOCALITY = "650100"


def run(url: str, projects: int, completions: int) -> tuple[float, float]:
    """(completions per second, projects migrated per second) on the database at ``url``."""
    upgrade(url)
    engine = build_engine(url, deadlines=False)
    engine.ensure_localities()
    engine.deploy(bundle(V1), LOCALITY)
    v1 = engine.current_version("mreview", LOCALITY).id
    ids = [engine.start("mreview", locality=LOCALITY, business_key=f"B-{i}", data={}).id for i in range(projects)]
    tasks = [engine.open_tasks(i)[0].id for i in ids[:completions]]
    start = time.perf_counter()
    for task_id in tasks:
        engine.complete(task_id, {}, actor="bench")
    completing = len(tasks) / (time.perf_counter() - start)
    engine.deploy(bundle(V2), LOCALITY)
    v2 = engine.current_version("mreview", LOCALITY).id
    start = time.perf_counter()
    batch = engine.migrate(Plan(sources=(v1,), target=v2), actor="bench")
    migrating = batch.moved / (time.perf_counter() - start)
    assert batch.moved == projects and batch.failed == 0, batch.results[:3]
    engine.dispose()
    return completing, migrating


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--completions", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench_migration.sqlite"
        completing, migrating = run(url, args.projects, min(args.completions, args.projects))
    print_table(
        f"Migration — {machine()}",
        [(str(args.projects), f"{completing:.0f}", f"{migrating:.0f}", f"{migrating / completing:.2f}")],
        ("projects", "completions /s", "migrated /s", "migrated × completions"),
    )


if __name__ == "__main__":
    main()
