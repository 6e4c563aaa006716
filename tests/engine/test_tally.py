"""Dashboard counts read from the open-task tally agree with the open tasks themselves, whatever happens.

The tallies (``open_task_tally`` per stage, migration 0003, and ``person_task_tally`` per person, 0015;
``engine.store.tally``) are kept by database triggers, so the
test drives the real engine — start, claim, complete, a department change, a due-date change, cancel —
plus the bulk SQL a data fix would run, and compares every count the dashboard shows with a count made
in Python from the open task rows. Folding the deltas (``compact``) must change no number; ``rebuild``
must repair a damaged tally; compaction racing real completions on PostgreSQL must lose nothing.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from dashboard_seed import TODAY, seed, set_due
from sqlalchemy import delete, func, insert, inspect, select, text, update

from engine.compose import build_engine
from engine.jobs.scheduler import Scheduler
from engine.queries import reporting
from engine.queries.reporting import GroupCount, Scope, TaskQuery
from engine.service import Engine
from engine.store import tally
from engine.store.migrate import alembic_config, upgrade
from engine.store.models import OPEN, HumanTask, OpenTaskTally, PersonTaskTally
from support import fixture_bytes

ATTRIBUTE = {
    "stage": "process_key",
    "locality": "locality_code",
    "department": "department",
    "assignee": "assignee",
    "role": "role",
    "organization": "organization_id",
}
UNCLAIMED = ("role", "locality", "organization")
TALLY_TABLES = (OpenTaskTally, PersonTaskTally)
SCOPES = (Scope(None), Scope(frozenset({"650100"})), Scope(frozenset({"650200", "650204"})))
FILTERS = (
    {},
    {"stage": "apply"},
    {"department": None},
    {"locality": "650100", "department": "乌鲁木齐市民政局"},
    {"assignee": None},
    {"assignee": "purchaser_urumqi", "locality": "650100"},
)


def expected(engine: Engine, query: TaskQuery, by: str | tuple[str, ...] | None) -> dict[Any, GroupCount]:
    """The counts made in Python from the open task rows, per value of ``by`` (one group when ``None``)."""
    groups: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for task in open_tasks(engine):
        if not query.scope.allows(task.locality_code):
            continue
        if any(getattr(task, ATTRIBUTE[dim]) != value for dim, value in query.where.items()):
            continue
        counts = groups[_value(task, by)]
        due = task.due_date
        counts[0] += due is not None and due < query.today
        counts[1] += due is not None and query.today <= due <= query.horizon
        counts[2] += 1
    return {key: GroupCount(key, *counts) for key, counts in groups.items()}


def _value(task: HumanTask, by: str | tuple[str, ...] | None) -> Any:
    if isinstance(by, tuple):
        return tuple(getattr(task, ATTRIBUTE[dimension]) for dimension in by)
    return getattr(task, ATTRIBUTE[by]) if by else None


def dashboard(engine: Engine, query: TaskQuery, by: str | None) -> dict[str | None, GroupCount]:
    with engine.unit_of_work() as uow:
        if by is None:
            totals = reporting.due_totals(uow.session, query)
            return {None: totals} if totals.open else {}
        return {row.key: row for row in reporting.due_counts(uow.session, query, by)}


def assert_counts_match(engine: Engine) -> None:
    """Every total and grouping the dashboard offers, in several scopes and filters — by person too, with
    unclaimed work per role, locality and party."""
    for scope, where, days in itertools.product(SCOPES, FILTERS, (3, 30)):
        query = TaskQuery(scope, TODAY, days, where)
        for by in (None, "stage", "locality", "department", "assignee"):
            assert dashboard(engine, query, by) == expected(engine, query, by), (scope, where, days, by)
        waiting = replace(query, where={**where, "assignee": None})
        assert unclaimed(engine, query) == expected(engine, waiting, UNCLAIMED), (scope, where, days)
    with engine.unit_of_work() as uow:
        assert tally.drift(uow.session) == []


def unclaimed(engine: Engine, query: TaskQuery) -> dict[tuple[Any, ...], GroupCount]:
    with engine.unit_of_work() as uow:
        groups = reporting.unclaimed_counts(uow.session, query)
    keyed = {(u.role, u.locality, u.organization_id): u for u in groups}
    return {key: GroupCount(key, u.overdue, u.due_soon, u.open) for key, u in keyed.items()}


def tally_rows(engine: Engine, *tables: type) -> int:
    """Rows of the given tallies (both when none is named)."""
    with engine.unit_of_work() as uow:
        return sum(
            uow.session.scalar(select(func.count()).select_from(table)) for table in tables or TALLY_TABLES
        )


def compact(engine: Engine) -> tally.Compaction:
    with engine.unit_of_work(write=True) as uow:
        done = tally.compact(uow.session)
        uow.commit()
    return done


def open_tasks(engine: Engine, locality: str | None = None) -> list[HumanTask]:
    """Every open task (of one locality), oldest first."""
    stmt = select(HumanTask).where(HumanTask.state == OPEN).order_by(HumanTask.id)
    with engine.unit_of_work() as uow:
        return list(uow.session.scalars(stmt.where(HumanTask.locality_code == locality) if locality else stmt))


def busy_region(engine: Engine) -> None:
    """The dashboard seed (projects in four localities, due dates set) plus more projects and steps."""
    seeded = seed(engine)
    for n, (locality, department) in enumerate(
        [("650100", "乌鲁木齐市民政局"), ("650100", None), ("650200", "克拉玛依市社保局"), ("650000", "自治区教育厅")]
    ):
        data = {"department": department} if department else {}
        instance = engine.start("lifecycle", locality=locality, business_key=f"XJ-2026-M{n}", data=data, actor="seed")
        (task,) = engine.open_tasks(instance.id)
        set_due(engine, task.id, TODAY + timedelta(days=n * 4 - 3))
    engine.deploy(fixture_bytes("bpmn/parallel_department.bpmn"), "650100")
    both = engine.start("parallel_department", locality="650100", business_key="BM-2026-1")  # two open tasks
    set_due(engine, engine.open_tasks(both.id)[0].id, TODAY)
    engine.claim(seeded.tasks["P1"], actor="purchaser_urumqi")
    engine.complete(seeded.tasks["P3"], {}, actor="purchaser_karamay")  # apply/fill → apply/approve, undated


def test_counts_from_the_tally_follow_every_kind_of_change(engine: Engine) -> None:
    busy_region(engine)
    assert_counts_match(engine)

    claimed = open_tasks(engine, "650200")[0]
    before, people = tally_rows(engine, OpenTaskTally), tally_rows(engine, PersonTaskTally)
    engine.claim(claimed.id, actor="finance_reviewer_karamay")
    assert tally_rows(engine, OpenTaskTally) == before  # who holds a task is no bucket of the stage tally
    assert tally_rows(engine, PersonTaskTally) == people + 2  # out of the unclaimed group, into the person's
    assert_counts_match(engine)

    # The department moves with the project: its other open task changes bucket (instances._copy_department).
    fill = next(t for t in open_tasks(engine) if t.element_id == "fill_in")
    engine.complete(fill.id, {"department": "乌鲁木齐市教育局"}, actor="purchaser_urumqi")
    assert [t.department for t in engine.open_tasks(fill.instance_id)] == ["乌鲁木齐市教育局"]
    # A project reaches the next stage; another is cancelled; a deadline is moved.
    approve = next(t for t in open_tasks(engine) if t.element_id == "approve")
    engine.complete(approve.id, {}, actor="finance_reviewer_urumqi")
    victim = next(t for t in open_tasks(engine, "650000"))
    engine.cancel(victim.instance_id, actor="admin", reason="项目撤销")
    set_due(engine, open_tasks(engine, "650204")[0].id, TODAY - timedelta(days=1))
    assert_counts_match(engine)

    # Bulk SQL a data fix would run: re-date a whole locality, delete a task row.
    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(
            update(HumanTask)
            .where(HumanTask.locality_code == "650100", HumanTask.state == OPEN)
            .values(due_date=TODAY + timedelta(days=2))
        )
        uow.session.execute(delete(HumanTask).where(HumanTask.id == open_tasks(engine, "650200")[-1].id))
        uow.commit()
    assert_counts_match(engine)

    before = tally_rows(engine)
    done = compact(engine)
    assert done.folded > done.written
    assert tally_rows(engine) == before - done.folded + done.written < before
    assert_counts_match(engine)
    assert compact(engine) == tally.Compaction(0, 0)  # nothing left to fold

    # Changes after a compaction land on top of the folded rows.
    for task in open_tasks(engine, "650100"):
        engine.complete(task.id, {}, actor=task.assignee or "purchaser_urumqi")
    assert_counts_match(engine)


def test_buckets_whose_tasks_all_left_disappear_from_the_groups(engine: Engine) -> None:
    seeded = seed(engine)
    engine.complete(seeded.tasks["P3"], {}, actor="purchaser_karamay")
    engine.cancel(seeded.instances["P3"], actor="admin")
    query = TaskQuery(Scope(None), TODAY)
    assert list(dashboard(engine, query, "locality")) == ["650100", "650204"]  # 650200's +1s and −1s sum to 0
    compact(engine)
    assert list(dashboard(engine, query, "locality")) == ["650100", "650204"]
    with engine.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).where(OpenTaskTally.locality_code == "650200")) == 0


def test_rebuild_repairs_a_damaged_tally(engine: Engine) -> None:
    busy_region(engine)
    query = TaskQuery(Scope(None), TODAY)
    right = dashboard(engine, query, "stage")
    by_assignee = dashboard(engine, query, "assignee")
    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(delete(OpenTaskTally).where(OpenTaskTally.locality_code == "650200"))
        uow.session.execute(
            insert(OpenTaskTally).values(locality_code="650100", process_key="apply", department=None, n=5)
        )
        uow.session.execute(delete(PersonTaskTally).where(PersonTaskTally.assignee == "purchaser_urumqi"))
        uow.commit()
    with engine.unit_of_work() as uow:
        drifted = {(d.tally, d.bucket): (d.tallied, d.actual) for d in tally.drift(uow.session)}
    assert drifted[("stages", ("650100", "apply", None, None))] == (5, 0)
    assert any(name == "stages" and bucket[0] == "650200" and t == 0 < a for (name, bucket), (t, a) in drifted.items())
    assert any(name == "people" and bucket[1] == "purchaser_urumqi" for name, bucket in drifted)
    assert dashboard(engine, query, "stage") != right
    assert dashboard(engine, query, "assignee") != by_assignee

    with engine.unit_of_work(write=True) as uow:
        buckets = tally.rebuild(uow.session)
        uow.commit()
    assert buckets == tally_rows(engine)
    assert dashboard(engine, query, "stage") == right
    assert dashboard(engine, query, "assignee") == by_assignee
    assert_counts_match(engine)


def test_the_scheduler_folds_the_tally_every_sweep(engine: Engine) -> None:
    busy_region(engine)
    before = tally_rows(engine)
    report = Scheduler(engine, owner="test").sweep()
    assert report.folded > 0 and f"tally rows folded {report.folded}" in str(report)
    buckets = {(t.locality_code, t.process_key, t.department, t.due_date) for t in open_tasks(engine)}
    people = {(t.locality_code, t.assignee, t.assignee or t.role, t.assignee or t.organization_id, t.due_date)
              for t in open_tasks(engine)}  # fmt: skip
    assert tally_rows(engine) == len(buckets) + len(people) < before
    assert_counts_match(engine)


def test_compaction_racing_completions_loses_nothing(engine: Engine, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers need PostgreSQL (SQLite runs one write transaction at a time)")
    seed(engine)
    localities = ("650100", "650200", "650000", "650204")
    for n in range(24):
        data = {"department": f"部门{n % 3}"}
        instance = engine.start("lifecycle", locality=localities[n % 4], business_key=f"RACE-{n}", data=data)
        set_due(engine, engine.open_tasks(instance.id)[0].id, date(2026, 3, 1) + timedelta(days=n % 5))
    workers = [build_engine(database_url, deadlines=False) for _ in range(3)]
    compactor = build_engine(database_url, deadlines=False)
    stop = threading.Event()
    folds: list[tally.Compaction] = []
    errors: list[BaseException] = []

    def complete_all(worker: Engine, locality: str) -> None:
        try:
            while tasks := open_tasks(worker, locality):
                for task in tasks:
                    worker.complete(task.id, {}, actor="racer")
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)

    def keep_compacting() -> None:
        try:
            while not stop.is_set():
                folds.append(compact(compactor))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=complete_all, args=pair) for pair in zip(workers, localities, strict=False)]
    folding = threading.Thread(target=keep_compacting)
    folding.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    stop.set()
    folding.join(timeout=60)
    for other in (*workers, compactor):
        other.dispose()

    assert errors == []
    assert sum(f.folded for f in folds) > 0  # the compactions really ran between the completions
    assert {t.locality_code for t in open_tasks(engine)} == {"650204"}  # only the untouched locality is left
    assert_counts_match(engine)
    compact(engine)
    assert_counts_match(engine)


def test_upgrading_a_database_with_open_tasks_fills_the_tally(blank_url: str) -> None:
    upgrade(blank_url)
    engine = build_engine(blank_url, deadlines=False)
    engine.ensure_localities()
    busy_region(engine)
    command.downgrade(alembic_config(blank_url), "0002_open_task_indexes")  # as before the tally existed
    assert "open_task_tally" not in inspect(engine.db).get_table_names()
    with engine.db.begin() as connection:  # no trigger left writing to a lost table
        connection.execute(
            text(
                "UPDATE human_task SET state = 'completed'"
                " WHERE id = (SELECT min(id) FROM human_task WHERE state = 'open')"
            )
        )

    upgrade(blank_url)
    assert_counts_match(engine)
    first = open_tasks(engine)[0]
    engine.complete(first.id, {}, actor=first.assignee or "purchaser")
    assert_counts_match(engine)  # the triggers work from the upgrade on
    engine.dispose()
