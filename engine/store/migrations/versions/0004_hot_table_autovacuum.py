"""autovacuum after a few thousand changes on the hot tables (PostgreSQL)

Dashboards and inboxes read open tasks with index-only scans, which stay index-only only while the
pages they point into are marked all-visible — until a task is completed or created there. PostgreSQL's
default waits for a fifth of a table to change before vacuuming it (200,000 rows at a million tasks); a
burst of 10,000 completions then made the region-wide count by person 3× slower (28 → 100 ms p95, every
index entry checked against the table) until a vacuum that takes 0.3 s. Here ``human_task`` and the tally
are vacuumed and analysed after a fixed number of changes, whatever their size. SQLite has no vacuum to tune.

Revision ID: 0004_hot_table_autovacuum
Revises: 0003_open_task_tally
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004_hot_table_autovacuum"
down_revision = "0003_open_task_tally"
branch_labels = None
depends_on = None

TABLES = ("human_task", "open_task_tally")
SETTINGS = {
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "5000",
    "autovacuum_vacuum_insert_scale_factor": "0",
    "autovacuum_vacuum_insert_threshold": "5000",
    "autovacuum_analyze_scale_factor": "0",
    "autovacuum_analyze_threshold": "20000",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    values = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET ({values})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET ({', '.join(SETTINGS)})")
