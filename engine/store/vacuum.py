"""Vacuum the hot tables when the database server's autovacuum will not (PostgreSQL).

Dashboards and inboxes count open tasks with index-only scans, which stay index-only only on pages
vacuumed since they last changed: after a burst of 10,000 completions the count by person took 3× as
long until a 0.3 s ``VACUUM`` (bench/RESULTS.md, section 3), and the tally's compaction leaves dead rows
that only a vacuum reclaims. Migrations 0004 and 0015 make autovacuum vacuum ``human_task`` and the tallies
after 5,000 changes. Some servers run with autovacuum off (test machines, or an operator's choice); there the
scheduler does the same work itself, so dashboards stay as fast after a week of work as on day one.
"""

from __future__ import annotations

from sqlalchemy import Engine as SAEngine
from sqlalchemy import bindparam, func, select, text

HOT_TABLES = ("human_task", "open_task_tally", "person_task_tally")
CHANGES = 5000  # the thresholds migrations 0004 and 0015 give autovacuum
# PostgreSQL advisory lock held by the one scheduler vacuuming at a time (VACUUMs of a table queue up).
LOCK_ID = 0x5345_5256_5641_4355

_CHANGED = text(
    "SELECT relname FROM pg_stat_user_tables"
    " WHERE relname IN :tables AND n_dead_tup + n_ins_since_vacuum >= :changes ORDER BY relname"
).bindparams(bindparam("tables", expanding=True))


def vacuum_hot_tables(db: SAEngine) -> list[str]:
    """``VACUUM (ANALYZE)`` each hot table changed by ``CHANGES`` rows since its last vacuum, when the
    server's autovacuum is off; returns the tables vacuumed (none on SQLite, none when autovacuum is on)."""
    if db.dialect.name != "postgresql":
        return []
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.exec_driver_sql("SHOW autovacuum").scalar() == "on":
            return []
        if not conn.scalar(select(func.pg_try_advisory_lock(LOCK_ID))):
            return []
        try:
            due = list(conn.scalars(_CHANGED, {"tables": list(HOT_TABLES), "changes": CHANGES}))
            for table in due:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
        finally:
            conn.scalar(select(func.pg_advisory_unlock(LOCK_ID)))
    return due
