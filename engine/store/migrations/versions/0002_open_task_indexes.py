"""open-task indexes and the task's department

Group inboxes, dashboard counts and overdue lists read only open tasks (a fifth of the table or less);
two partial indexes serve them without scanning completed rows, and ``human_task.department`` (the
project's department, copied while the task is open) lets dashboards count by department without
joining ``process_instance``. Open tasks of existing projects get their department here.

Revision ID: 0002_open_task_indexes
Revises: 0001
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_open_task_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN_GROUP = "state = 'open' AND assignee IS NULL"
OPEN = "state = 'open'"
# After the unique id they change no order: they make dashboard counts index-only on both backends
# (SQLite has no INCLUDE; PostgreSQL truncates inner pages' keys after id anyway).
DASHBOARD_COLUMNS = ["process_key", "role", "assignee", "department", "instance_id"]


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("department", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE human_task SET department = (SELECT department FROM process_instance"
        " WHERE process_instance.id = human_task.instance_id) WHERE state = 'open'"
    )
    op.create_index(
        "ix_task_open_group",
        "human_task",
        ["locality_code", "role", "due_date", "id"],
        postgresql_where=sa.text(OPEN_GROUP),
        sqlite_where=sa.text(OPEN_GROUP),
    )
    op.create_index(
        "ix_task_open_due",
        "human_task",
        ["locality_code", "due_date", "id", *DASHBOARD_COLUMNS],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_task_open_due", table_name="human_task")
    op.drop_index("ix_task_open_group", table_name="human_task")
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("department")
