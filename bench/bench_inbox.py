"""Inbox, overdue list and dashboard counts over a million human tasks, p50/p95 through the real queries.

The tables are bulk-loaded (PostgreSQL: ``COPY``; SQLite: executemany) with a realistic shape: three
localities (乌鲁木齐 busiest), roles weighted like the lifecycle's lanes, stages from application to
payment, due dates around today (~1 in 6 open tasks overdue, a few undated), 4 in 10 open tasks claimed.
Completed tasks have the lower ids (they are older); open ones are the newest 20 %. Then ANALYZE, and
each query runs ``REPEAT`` times through ``engine.queries.inbox`` and ``engine.queries.reporting``.

The loaded rows pass through the open-task tally's triggers like any other write (``COPY`` fires row
triggers; measured, they add a quarter or less to the load time, so they stay on rather than being
disabled for a ``tally.rebuild`` afterwards), and the tally is then compacted as the scheduler would.
The dashboard counts are measured a second time with the deltas a minute of heavy completions leaves
before the next compaction (5 % of the open tasks completed, each opening its project's next task: a −1
and a +1 row each).

Baseline in the same run: fetching one task by primary key (what any page costs at least).
Target (issue "Benchmarks"): p95 ≤ 50 ms. Run: ``python -m bench.bench_inbox [--pg-tasks N --sqlite-tasks N]``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from bench.bench_engine import LOOP
from bench.common import print_table
from bench.servers import pg_database
from engine.compose import build_engine
from engine.identity.users import Grant, Principal
from engine.queries import inbox, reporting
from engine.queries.reporting import Scope, TaskQuery
from engine.service import Engine
from engine.store import tally
from engine.store.migrate import upgrade
from engine.store.models import HumanTask, OpenTaskTally, PersonTaskTally, ProcessInstance, ProcessVersion

REPEAT = 40
TODAY = date(2025, 6, 16)
LOCALITIES = (("650100", 5), ("650200", 3), ("650000", 2))
ROLES = (("purchaser", 30), ("finance_reviewer", 25), ("agent", 15), ("provider", 15), ("panel", 5),
         ("recipient", 4), ("evaluator", 4), ("manager", 2))  # fmt: skip
STAGES = (("apply", 12), ("review", 15), ("procure", 18), ("sign", 8), ("supervise", 30), ("accept", 7),
          ("evaluate", 5), ("pay", 5))  # fmt: skip
DEPARTMENTS = ("民政局", "文化和旅游厅", "社保局", "卫生健康委", "教育局", "住建局")
TASKS_PER_INSTANCE = 8
OPEN_SHARE = 0.2
HEAVY = ("finance_reviewer", "650100")  # the group whose inbox is measured (largest of the three cities)
HEAVY_MINUTE = 0.05  # share of the open tasks completed between two compactions


def weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> Callable[[], str]:
    values, weights = zip(*table, strict=True)
    return lambda: rng.choices(values, weights)[0]


@dataclass(frozen=True)
class Shape:
    tasks: int

    @property
    def instances(self) -> int:
        return self.tasks // TASKS_PER_INSTANCE

    @property
    def open(self) -> int:
        return int(self.tasks * OPEN_SHARE)


def instance_rows(shape: Shape, version_id: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """process_instance rows: minimal state, 85 % running (only running projects get open tasks)."""
    locality, stage = weighted(rng, LOCALITIES), weighted(rng, STAGES)
    started = datetime(2022, 1, 1, tzinfo=UTC)
    for n in range(1, shape.instances + 1):
        running = n % 20 >= 3
        at = started + timedelta(minutes=n * 7)
        yield (n, version_id, "{}", "lifecycle", locality(), f"BK-{n:07d}", f"政府购买服务项目{n}号",
               "running" if running else "completed", stage() if running else None,
               rng.choice(DEPARTMENTS), "{}", "{}", 1, "bench", at, at, 1)  # fmt: skip


INSTANCE_COLUMNS = ("id", "process_version_id", "bound_versions", "process_key", "locality_code", "business_key",
                    "title", "status", "stage", "department", "summary", "state", "state_format", "started_by",
                    "started_at", "updated_at", "lock_version")  # fmt: skip
TASK_COLUMNS = ("id", "instance_id", "task_uuid", "process_key", "element_id", "name", "role", "locality_code",
                "department", "assignee", "state", "priority", "created_at", "due_date", "completed_at",
                "completed_by", "lock_version")  # fmt: skip


def task_rows(shape: Shape, places: list[tuple[str, str]], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """human_task rows: completed first (older, lower ids), then the open ones on running projects.

    ``places`` is (locality, department) per instance id: a task carries its project's department."""
    role, stage = weighted(rng, ROLES), weighted(rng, STAGES)
    running = [n for n in range(1, shape.instances + 1) if n % 20 >= 3]
    now = datetime(2025, 6, 16, 2, tzinfo=UTC)
    first_open = shape.tasks - shape.open + 1
    for n in range(1, shape.tasks + 1):
        is_open = n >= first_open
        instance = rng.choice(running) if is_open else rng.randrange(1, shape.instances + 1)
        who, key = role(), stage()
        created = now - timedelta(minutes=(shape.tasks - n) * 2 + 1)
        if is_open:
            roll = rng.random()
            offset = rng.randint(-30, 60) if roll < 0.2 else rng.randint(0, 60)  # ~1 in 6 overdue
            due = None if roll < 0.04 else TODAY + timedelta(days=offset)
            assignee = f"{who}_{rng.randrange(20)}" if rng.random() < 0.4 else None
            yield (n, instance, str(uuid.UUID(int=n)), key, f"{key}_task", "办理", who, *places[instance], assignee,
                   "open", 0, created, due, None, None, 1)  # fmt: skip
        else:
            due = TODAY - timedelta(days=rng.randint(30, 1200))
            done = created + timedelta(hours=rng.randint(1, 200))
            yield (n, instance, str(uuid.UUID(int=n)), key, f"{key}_task", "办理", who, *places[instance],
                   None, "completed", 0, created, due, done, f"{who}_{rng.randrange(20)}", 1)  # fmt: skip


def prepare(engine: Engine) -> int:
    engine.ensure_localities()
    engine.deploy({LOOP.name: LOOP.read_bytes()}, "650000")
    with engine.unit_of_work() as uow:
        return uow.session.scalars(select(ProcessVersion.id)).one()


def load_postgres(engine: Engine, shape: Shape) -> float:
    """COPY the rows in; returns seconds taken (ANALYZE included)."""
    started = time.perf_counter()
    rng = random.Random(8)
    version_id = prepare(engine)
    instances = list(instance_rows(shape, version_id, rng))
    places = [("", "")] + [(row[4], row[9]) for row in instances]
    raw = engine.db.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY process_instance ({', '.join(INSTANCE_COLUMNS)}) FROM STDIN") as copy:
                for row in instances:
                    copy.write_row(row)
            with cursor.copy(f"COPY human_task ({', '.join(TASK_COLUMNS)}) FROM STDIN") as copy:
                for row in task_rows(shape, places, rng):
                    copy.write_row(row)
            for table in ("process_instance", "human_task"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.driver_connection.commit()
        raw.driver_connection.autocommit = True
        with raw.driver_connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE process_instance")
            cursor.execute("VACUUM ANALYZE human_task")
        raw.driver_connection.autocommit = False
    finally:
        raw.close()
    return time.perf_counter() - started


def load_sqlite(engine: Engine, shape: Shape) -> float:
    started = time.perf_counter()
    rng = random.Random(8)
    version_id = prepare(engine)
    instances = list(instance_rows(shape, version_id, rng))
    places = [("", "")] + [(row[4], row[9]) for row in instances]
    with engine.db.begin() as conn:
        conn.execute(
            insert(ProcessInstance.__table__),
            [dict(zip(INSTANCE_COLUMNS, row, strict=True)) | {"bound_versions": {}, "summary": {}, "state": "{}"}
             for row in instances],
        )  # fmt: skip
        conn.execute(
            insert(HumanTask.__table__),
            [dict(zip(TASK_COLUMNS, row, strict=True)) for row in task_rows(shape, places, rng)],
        )
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def analyze(engine: Engine, *tables: str) -> None:
    """Fresh planner statistics (and a vacuumed visibility map on PostgreSQL) for the tables just written."""
    if engine.db.dialect.name == "postgresql":
        with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    else:
        with engine.db.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def tally_rows(session: Any) -> int:
    """Rows of both tallies (by stage and by person)."""
    tables = (OpenTaskTally, PersonTaskTally)
    return sum(session.scalar(select(func.count()).select_from(table)) or 0 for table in tables)


def compact(engine: Engine) -> tuple[int, int, float]:
    """Fold the tally as a scheduler sweep does: (delta rows folded, bucket rows left, seconds)."""
    started = time.perf_counter()
    with engine.unit_of_work(write=True) as uow:
        folded = tally.compact(uow.session).folded
        uow.commit()
    seconds = time.perf_counter() - started
    with engine.unit_of_work() as uow:
        return folded, tally_rows(uow.session), seconds


def heavy_minute(engine: Engine, shape: Shape, rng: random.Random) -> int:
    """Complete 5 % of the open tasks, each opening its project's next task; returns the tally rows added.

    Written with two bulk statements, so the tally's triggers see what the engine's completions would
    cause (a −1 for the task's bucket, a +1 for the next task's), without the engine's cost per step.
    """
    stages = [stage for stage, _ in STAGES]
    stmt = select(HumanTask.id, HumanTask.instance_id, HumanTask.process_key, HumanTask.role, HumanTask.locality_code,
                  HumanTask.department).where(HumanTask.state == "open")  # fmt: skip
    now = datetime(2025, 6, 16, 3, tzinfo=UTC)
    with engine.unit_of_work(write=True) as uow:
        before = tally_rows(uow.session)
        done = rng.sample(list(uow.session.execute(stmt)), int(shape.open * HEAVY_MINUTE))
        uow.session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_([row.id for row in done]))
            .values(state="completed", completed_at=now, completed_by="bench")
        )
        following = [
            {"instance_id": row.instance_id, "task_uuid": str(uuid.uuid4()), "element_id": f"{key}_task",
             "process_key": key, "name": "办理", "role": row.role, "locality_code": row.locality_code,
             "department": row.department, "state": "open", "priority": 0, "created_at": now,
             "due_date": TODAY + timedelta(days=rng.randint(1, 30)), "lock_version": 1}
            for row in done
            for key in [stages[min(stages.index(row.process_key) + 1, len(stages) - 1)]]
        ]  # fmt: skip
        uow.session.execute(insert(HumanTask.__table__), following)
        added = tally_rows(uow.session) - before
        uow.commit()
    return added


def autovacuum_count(engine: Engine, table: str) -> int | None:
    """How often PostgreSQL's autovacuum has vacuumed ``table``; ``None`` on SQLite (no autovacuum)."""
    if engine.db.dialect.name != "postgresql":
        return None
    stmt = text("SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = :table")
    with engine.db.connect() as conn:
        return int(conn.execute(stmt, {"table": table}).scalar() or 0)


def catch_up_vacuum(engine: Engine, table: str, since: int | None, timeout: float = 150.0) -> str | None:
    """Let ``table`` be vacuumed after a burst of writes, as production would; says how, ``None`` on SQLite.

    With the server's autovacuum on, wait until it has vacuumed the table more often than ``since`` times
    (migration 0004's thresholds make it do so within its one-minute nap); with it off — as on some test
    machines — run the same ``VACUUM ANALYZE`` it would."""
    if since is None:
        return None
    with engine.db.connect() as conn:
        autovacuum_on = conn.exec_driver_sql("SHOW autovacuum").scalar() == "on"
    started = time.perf_counter()
    if not autovacuum_on:
        analyze(engine, table)
        seconds = time.perf_counter() - started
        return f"after VACUUM ANALYZE {table} ({seconds:.1f} s; this server runs with autovacuum off)"
    while time.perf_counter() - started < timeout:
        if (autovacuum_count(engine, table) or 0) > since:
            return f"after autovacuum caught up with the burst, {time.perf_counter() - started:.0f} s later"
        time.sleep(2)
    print(f"autovacuum did not vacuum {table} within {timeout:.0f} s")
    return None


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def queries(session: Session) -> dict[str, Callable[[], object]]:
    """The measured queries, each as a page or a dashboard asks for it."""
    role, locality = HEAVY
    reviewer = Principal(1, "reviewer", "财政审核", None, False, (Grant(role, locality),))
    group = inbox.InboxQuery(tab=inbox.GROUP, locality=locality)
    one_city = Scope(frozenset({locality}))
    return {
        "pk lookup (baseline)": lambda: session.get(HumanTask, 424242 % 90_000 + 1, populate_existing=True),
        f"inbox {role}@{locality} page 1": lambda: inbox.list_tasks(session, reviewer, group, TODAY),
        f"inbox {role}@{locality} page 200": lambda: inbox.list_tasks(
            session, reviewer, inbox.InboxQuery(tab=inbox.GROUP, locality=locality, page=200), TODAY
        ),
        "inbox overdue filter page 1": lambda: inbox.list_tasks(
            session, reviewer, inbox.InboxQuery(tab=inbox.GROUP, due="overdue"), TODAY
        ),
        f"overdue list {locality} (task_list)": lambda: reporting.task_list(
            session, TaskQuery(one_city, TODAY), "overdue", limit=100
        ),
        "dashboard totals, all": lambda: reporting.due_totals(session, TaskQuery(Scope(None), TODAY)),
        "dashboard by stage, all": lambda: reporting.due_counts(session, TaskQuery(Scope(None), TODAY), "stage"),
        f"dashboard by stage, {locality}": lambda: reporting.due_counts(session, TaskQuery(one_city, TODAY), "stage"),
        "dashboard by locality, all": lambda: reporting.due_counts(session, TaskQuery(Scope(None), TODAY), "locality"),
        "dashboard by department, all": lambda: reporting.due_counts(
            session, TaskQuery(Scope(None), TODAY), "department"
        ),
        # the dashboard page's fourth grouping, from the person tally (migration 0015)
        "dashboard by person, all": lambda: reporting.due_counts(session, TaskQuery(Scope(None), TODAY), "assignee"),
        # ... whose unclaimed row is one per role, locality and organization
        "dashboard unclaimed by group, all": lambda: reporting.unclaimed_counts(session, TaskQuery(Scope(None), TODAY)),
    }


def measure(engine: Engine, prefix: str = "", repeat: int = REPEAT) -> list[tuple[str, float, float]]:
    """p50/p95 of the baseline and every query whose name starts with ``prefix``."""
    results = []
    with engine.unit_of_work() as uow:
        measured = list(queries(uow.session).items())
        for name, run in measured[:1] + [(n, r) for n, r in measured[1:] if n.startswith(prefix)]:
            run()  # warm the cache and the statement cache
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                run()
                samples.append(time.perf_counter() - started)
                uow.session.expunge_all()
            results.append((name, *quantiles(samples)))
    return results


def report(title: str, results: list[tuple[str, float, float]]) -> None:
    base = results[0][2] or 1e-9
    rows = [
        (name, f"{p50:.1f}", f"{p95:.1f}", f"{p95 / base:.0f}x", "ok" if p95 <= 50 else "MISS")
        for name, p50, p95 in results
    ]
    print_table(title, rows, ("query", "p50 ms", "p95 ms", "p95 / pk lookup p95", "p95 <= 50 ms"))


def explain(engine: Engine) -> None:
    """The PostgreSQL plans of every measured query, for the record (``--explain``)."""
    with engine.unit_of_work() as uow:
        session = uow.session
        original = session.execute

        def capture(statement: Any, *args: Any, **kwargs: Any) -> Any:
            compiled = statement.compile(engine.db, compile_kwargs={"literal_binds": True})
            for line in original(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars():
                print("   ", line)
            return original(statement, *args, **kwargs)

        session.execute = capture  # type: ignore[method-assign]
        session.scalar = lambda statement, *a, **k: capture(statement, *a, **k).scalar()  # type: ignore[method-assign]
        for name, run in list(queries(session).items())[1:]:
            print(f"\n-- {name}")
            run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-tasks", type=int, default=1_000_000)
    parser.add_argument("--sqlite-tasks", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL plans")
    args = parser.parse_args(argv)
    if args.pg_tasks:
        with pg_database("servflow_bench_inbox") as url:
            engine = build_engine(url, deadlines=False)
            shape = Shape(args.pg_tasks)
            seconds = load_postgres(engine, shape)
            loaded = f"loaded with COPY (tally triggers on) in {seconds:.0f} s"
            tasks = f"{shape.tasks:,} tasks ({shape.open:,} open), {shape.instances:,} projects"
            measure_backend(engine, shape, f"PostgreSQL: {tasks}, {loaded}")
            if args.explain:
                explain(engine)
            engine.dispose()
    if args.sqlite_tasks:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/inbox.sqlite"
            upgrade(url)
            engine = build_engine(url, deadlines=False)
            shape = Shape(args.sqlite_tasks)
            seconds = load_sqlite(engine, shape)
            loaded = f"loaded in {seconds:.0f} s"
            measure_backend(engine, shape, f"SQLite: {shape.tasks:,} tasks ({shape.open:,} open), {loaded}")
            engine.dispose()


def measure_backend(engine: Engine, shape: Shape, loaded: str) -> None:
    """Every query on a compacted tally, then the dashboard counts again with a minute's deltas on top."""
    folded, buckets, seconds = compact(engine)
    analyze(engine, "open_task_tally", "person_task_tally")
    report(
        f"Inbox at scale, {loaded}; tally: {folded:,} rows folded into {buckets:,} buckets in {seconds:.1f} s; "
        f"{REPEAT} runs each",
        measure(engine),
    )
    vacuums = autovacuum_count(engine, "human_task")
    added = heavy_minute(engine, shape, random.Random(9))
    report(
        f"Dashboard counts with {added:,} uncompacted tally rows on top ({int(shape.open * HEAVY_MINUTE):,} "
        f"completions); {REPEAT} runs each",
        measure(engine, "dashboard"),
    )
    vacuumed = catch_up_vacuum(engine, "human_task", vacuums)
    if vacuumed is not None:
        title = f"The count by person, {vacuumed}; {REPEAT} runs each"
        report(title, measure(engine, "dashboard by person"))
    folded, buckets, seconds = compact(engine)
    print(f"then compacted: {folded:,} rows folded into the tally in {seconds * 1000:.0f} ms, {buckets:,} buckets")
    print(f"compacted again, nothing to fold: {compact(engine)[2] * 1000:.0f} ms")
    started = time.perf_counter()
    with engine.unit_of_work() as uow:
        drifted = len(tally.drift(uow.session))
    print(f"drift check (tally against a direct count): {drifted} buckets off, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
