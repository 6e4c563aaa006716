"""PostgreSQL vacuums the hot tables after a few thousand changes, not after a fifth of them.

Index-only scans behind the dashboards and inboxes slow down ×3 on pages changed since the last vacuum
(bench/RESULTS.md, section 3): migration 0004 tells autovacuum to vacuum ``human_task`` and the tally after
5,000 changes, and where the server's autovacuum is off the scheduler's sweep does it (``engine.store.vacuum``).
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import insert, text

from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from engine.store.models import OpenTaskTally
from engine.store.vacuum import CHANGES


def test_autovacuum_is_told_to_vacuum_the_hot_tables_after_a_few_thousand_changes(
    engine: Engine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no autovacuum")
    with engine.db.connect() as conn:
        options = dict(
            conn.execute(
                text("SELECT relname, reloptions FROM pg_class WHERE relname IN ('human_task', 'open_task_tally')")
            ).all()
        )
    assert set(options) == {"human_task", "open_task_tally"}
    for table, settings in options.items():
        values = dict(option.split("=") for option in settings)
        assert values["autovacuum_vacuum_scale_factor"] == "0", table
        assert values["autovacuum_vacuum_insert_scale_factor"] == "0", table
        assert int(values["autovacuum_vacuum_threshold"]) == CHANGES, table
        assert int(values["autovacuum_vacuum_insert_threshold"]) == CHANGES, table


def vacuum_count(engine: Engine, table: str) -> int:
    with engine.db.connect() as conn:
        stats = "SELECT vacuum_count + autovacuum_count FROM pg_stat_user_tables WHERE relname = :table"
        return conn.execute(text(stats), {"table": table}).scalar()


def wait_for_statistics(engine: Engine, table: str, inserted: int, timeout: float = 15.0) -> None:
    """Until the server's statistics (what a sweep decides by) count the rows just inserted."""
    stats = "SELECT n_ins_since_vacuum FROM pg_stat_user_tables WHERE relname = :table"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.db.connect() as conn:
            if conn.execute(text(stats), {"table": table}).scalar() >= inserted:
                return
        time.sleep(0.2)
    raise AssertionError(f"statistics of {table} never showed {inserted} inserted rows")


def test_the_scheduler_vacuums_a_busy_hot_table_when_autovacuum_is_off(engine: Engine, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no autovacuum")
    with engine.db.connect() as conn:
        if conn.exec_driver_sql("SHOW autovacuum").scalar() == "on":
            pytest.skip("this server's own autovacuum does the work")
    before = vacuum_count(engine, "open_task_tally")
    assert Scheduler(engine, owner="test").sweep().vacuumed == []  # quiet tables are left alone

    deltas = [{"locality_code": "650100", "process_key": "apply", "due_date": date(2025, 6, 20), "n": 1}] * CHANGES
    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(insert(OpenTaskTally), deltas)  # what 5,000 new tasks' triggers write
        uow.session.execute(text("SELECT pg_stat_force_next_flush()"))  # statistics current at the commit
        uow.commit()
    wait_for_statistics(engine, "open_task_tally", CHANGES)

    report = Scheduler(engine, owner="test").sweep()
    assert report.vacuumed == ["open_task_tally"] and "vacuumed open_task_tally" in str(report)
    assert vacuum_count(engine, "open_task_tally") > before
    assert Scheduler(engine, owner="test").sweep().vacuumed == []  # and not again until it is busy again
