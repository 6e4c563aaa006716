"""Deploying the shipped lifecycle bundle (processes/ + forms/): parse, validate and store it.

servflow: ``Engine.deploy`` of every shipped file into an empty database (a new version of each process:
parse, servflow's checks, forms, spec serialization, rows). Baseline in the same run: SpiffWorkflow's
own parser reading the same BPMN and DMN files and building every process spec, nothing else.
Target (issue "Benchmarks"): ≤ 1 s. Run: ``python -m bench.bench_deploy``.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import text

from bench.common import print_table
from bench.servers import pg_database
from engine.compose import build_engine
from engine.formats.bundles import read_path
from engine.store.migrate import upgrade
from engine.store.models import Base

REPO = Path(__file__).resolve().parent.parent
SAMPLES = 5


def shipped_bundle() -> dict[str, bytes]:
    """The bundle ``servflow deploy`` deploys by default."""
    files = {f"processes/{k}": v for k, v in read_path(REPO / "processes").items()}
    return files | {f"forms/{k}": v for k, v in read_path(REPO / "forms").items()}


def spiff_parse(files: dict[str, bytes]) -> int:
    """SpiffWorkflow alone: parse every BPMN/DMN file and build each process spec; returns how many."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, content in files.items():
            if name.endswith((".bpmn", ".dmn")):
                path = Path(folder) / Path(name).name
                path.write_bytes(content)
                paths[name] = path
        parser.add_bpmn_files([str(p) for n, p in paths.items() if n.endswith(".bpmn")])
        parser.add_dmn_files([str(p) for n, p in paths.items() if n.endswith(".dmn")])
        keys = parser.get_process_ids()
        for key in keys:
            parser.get_spec(key)
    return len(keys)


def timed(action: Callable[[], object], before: Callable[[], object] | None = None) -> list[float]:
    samples = []
    for _ in range(SAMPLES):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    files = shipped_bundle()
    count = spiff_parse(files)
    baseline = statistics.median(timed(lambda: spiff_parse(files)))
    rows = [("SpiffWorkflow parse alone (baseline)", f"{baseline * 1000:.0f}", "1.00", "")]
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.sqlite"
        upgrade(f"sqlite:///{template}")
        target = Path(folder) / "deploy.sqlite"
        engine = build_engine(f"sqlite:///{target}", deadlines=False)

        def fresh_sqlite() -> None:
            engine.dispose()
            shutil.copy(template, target)
            engine.ensure_localities()

        ours = statistics.median(timed(lambda: engine.deploy(files, "650000"), fresh_sqlite))
        engine.dispose()
        rows.append(("servflow deploy, SQLite", f"{ours * 1000:.0f}", f"{ours / baseline:.2f}", _verdict(ours)))
    with pg_database("servflow_bench_deploy") as url:
        engine = build_engine(url, deadlines=False)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)

        def fresh_pg() -> None:
            with engine.db.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            engine.ensure_localities()

        ours = statistics.median(timed(lambda: engine.deploy(files, "650000"), fresh_pg))
        engine.dispose()
        rows.append(("servflow deploy, PostgreSQL", f"{ours * 1000:.0f}", f"{ours / baseline:.2f}", _verdict(ours)))
    bpmn = sum(name.endswith(".bpmn") for name in files)
    print_table(
        f"Deploy the shipped bundle: {len(files)} files ({bpmn} BPMN, {count} processes), median of {SAMPLES}",
        rows,
        ("what", "ms", "time / SpiffWorkflow parse", "target <= 1 s"),
    )


def _verdict(seconds: float) -> str:
    return "ok" if seconds <= 1.0 else "MISS"


if __name__ == "__main__":
    main()
