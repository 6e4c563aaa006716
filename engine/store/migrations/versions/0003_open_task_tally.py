"""open-task tally kept by triggers on human_task

Region-wide dashboard counts grouped by stage, locality or department had to aggregate every open task
(200,000 at 1M tasks: 60–80 ms on PostgreSQL). ``open_task_tally`` holds the same numbers per
(locality, stage, department, due date) as append-only +1/−1 rows that triggers on ``human_task`` write
whenever a task becomes open in a bucket or leaves it — every code path that opens, closes, moves or
re-dates a task is covered without knowing about it, and concurrent completions only ever insert, so they
never wait on a shared counter row. ``engine.store.tally.compact`` folds the deltas; the tally is filled here
from the open tasks already there. On PostgreSQL ``CREATE TRIGGER`` locks out writers to ``human_task``
until this migration commits, so no change can slip between the triggers and the backfill.

Revision ID: 0003_open_task_tally
Revises: 0002_open_task_indexes
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_open_task_tally"
down_revision = "0002_open_task_indexes"
branch_labels = None
depends_on = None

KEY = ("locality_code", "process_key", "department", "due_date")
TRIGGERS = ("open_task_tally_insert", "open_task_tally_update", "open_task_tally_delete")
COLUMNS = ", ".join(KEY)


def _values(row: str, n: int) -> str:
    """The tally row a task contributes: its bucket taken from ``OLD`` or ``NEW``, and +1 or −1."""
    return ", ".join(f"{row}.{column}" for column in KEY) + f", {n}"


def _changed(distinct: str) -> str:
    """The trigger's ``WHEN``: the task is or was open, and its state or bucket changed."""
    moved = " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in ("state", *KEY))
    return f"(OLD.state = 'open' OR NEW.state = 'open') AND ({moved})"


UPDATE_OF = f"UPDATE OF state, {COLUMNS} ON human_task"

POSTGRESQL = [
    f"""
    CREATE FUNCTION open_task_tally_delta() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF OLD.state = 'open' THEN
                INSERT INTO open_task_tally ({COLUMNS}, n) VALUES ({_values("OLD", -1)});
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW.state = 'open' THEN
                INSERT INTO open_task_tally ({COLUMNS}, n) VALUES ({_values("NEW", 1)});
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER open_task_tally_insert AFTER INSERT ON human_task FOR EACH ROW"
    " WHEN (NEW.state = 'open') EXECUTE FUNCTION open_task_tally_delta()",
    f"CREATE TRIGGER open_task_tally_update AFTER {UPDATE_OF} FOR EACH ROW"
    f" WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION open_task_tally_delta()",
    "CREATE TRIGGER open_task_tally_delete AFTER DELETE ON human_task FOR EACH ROW"
    " WHEN (OLD.state = 'open') EXECUTE FUNCTION open_task_tally_delta()",
]

SQLITE = [
    f"""
    CREATE TRIGGER open_task_tally_insert AFTER INSERT ON human_task WHEN NEW.state = 'open' BEGIN
        INSERT INTO open_task_tally ({COLUMNS}, n) VALUES ({_values("NEW", 1)});
    END
    """,
    f"""
    CREATE TRIGGER open_task_tally_update AFTER {UPDATE_OF} WHEN {_changed("IS NOT")} BEGIN
        INSERT INTO open_task_tally ({COLUMNS}, n) SELECT {_values("OLD", -1)} WHERE OLD.state = 'open';
        INSERT INTO open_task_tally ({COLUMNS}, n) SELECT {_values("NEW", 1)} WHERE NEW.state = 'open';
    END
    """,
    f"""
    CREATE TRIGGER open_task_tally_delete AFTER DELETE ON human_task WHEN OLD.state = 'open' BEGIN
        INSERT INTO open_task_tally ({COLUMNS}, n) VALUES ({_values("OLD", -1)});
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "open_task_tally",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)
    op.execute(
        f"INSERT INTO open_task_tally ({COLUMNS}, n) SELECT {COLUMNS}, count(*) FROM human_task"
        f" WHERE state = 'open' GROUP BY {COLUMNS}"
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON human_task" if postgresql else f"DROP TRIGGER {name}")
    if postgresql:
        op.execute("DROP FUNCTION open_task_tally_delta()")
    op.drop_table("open_task_tally")
