"""person task tally kept by triggers on human_task

The dashboard's count by person read every open task (200,000 at 1M tasks): 24–36 ms p95 on a vacuumed
table, 64–120 ms right after a burst of completions, when PostgreSQL's index-only scan has to visit the
table for every entry on a changed page. ``person_task_tally`` holds the same numbers as
``open_task_tally`` does for stages (migration 0003): append-only +1/−1 rows written by triggers, folded by
``engine.store.tally.compact``. A claimed task counts for (locality, assignee, due date); an unclaimed one
for (locality, role, party, due date) — the group its work waits in — so a bucket holds many tasks.

Revision ID: 0015_person_task_tally
Revises: 0014_migration_batches
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_person_task_tally"
down_revision = "0014_migration_batches"
branch_labels = None
depends_on = None

COLUMNS = "locality_code, assignee, role, organization_id, due_date"
WATCHED = ("state", "locality_code", "assignee", "role", "organization_id", "due_date")
AUTOVACUUM = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,"
    " autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,"
    " autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 20000"
)
TRIGGERS = ("person_task_tally_insert", "person_task_tally_update", "person_task_tally_delete")


def _values(row: str, n: int) -> str:
    """A task's bucket from ``OLD`` or ``NEW`` (role and party only while nobody holds it), and ±1."""
    unclaimed = f"{row}.assignee IS NULL"
    return (
        f"{row}.locality_code, {row}.assignee, CASE WHEN {unclaimed} THEN {row}.role END,"
        f" CASE WHEN {unclaimed} THEN {row}.organization_id END, {row}.due_date, {n}"
    )


def _changed(distinct: str) -> str:
    moved = " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in WATCHED)
    return f"(OLD.state = 'open' OR NEW.state = 'open') AND ({moved})"


UPDATE_OF = f"UPDATE OF {', '.join(WATCHED)} ON human_task"

POSTGRESQL = [
    f"""
    CREATE FUNCTION person_task_tally_delta() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.state = 'open' THEN
            INSERT INTO person_task_tally ({COLUMNS}, n) VALUES ({_values("OLD", -1)});
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.state = 'open' THEN
            INSERT INTO person_task_tally ({COLUMNS}, n) VALUES ({_values("NEW", 1)});
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER person_task_tally_insert AFTER INSERT ON human_task FOR EACH ROW"
    " WHEN (NEW.state = 'open') EXECUTE FUNCTION person_task_tally_delta()",
    f"CREATE TRIGGER person_task_tally_update AFTER {UPDATE_OF} FOR EACH ROW"
    f" WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION person_task_tally_delta()",
    "CREATE TRIGGER person_task_tally_delete AFTER DELETE ON human_task FOR EACH ROW"
    " WHEN (OLD.state = 'open') EXECUTE FUNCTION person_task_tally_delta()",
]

SQLITE = [
    f"""
    CREATE TRIGGER person_task_tally_insert AFTER INSERT ON human_task WHEN NEW.state = 'open' BEGIN
        INSERT INTO person_task_tally ({COLUMNS}, n) VALUES ({_values("NEW", 1)});
    END
    """,
    f"""
    CREATE TRIGGER person_task_tally_update AFTER {UPDATE_OF} WHEN {_changed("IS NOT")} BEGIN
        INSERT INTO person_task_tally ({COLUMNS}, n) SELECT {_values("OLD", -1)} WHERE OLD.state = 'open';
        INSERT INTO person_task_tally ({COLUMNS}, n) SELECT {_values("NEW", 1)} WHERE NEW.state = 'open';
    END
    """,
    f"""
    CREATE TRIGGER person_task_tally_delete AFTER DELETE ON human_task WHEN OLD.state = 'open' BEGIN
        INSERT INTO person_task_tally ({COLUMNS}, n) VALUES ({_values("OLD", -1)});
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "person_task_tally",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)
    bucket = (
        "locality_code, assignee, CASE WHEN assignee IS NULL THEN role END,"
        " CASE WHEN assignee IS NULL THEN organization_id END, due_date"
    )
    op.execute(
        f"INSERT INTO person_task_tally ({COLUMNS}, n) SELECT {bucket}, count(*) FROM human_task"
        f" WHERE state = 'open' GROUP BY {bucket}"
    )
    if op.get_bind().dialect.name == "postgresql":  # vacuumed like the other hot tables (migration 0004)
        op.execute(f"ALTER TABLE person_task_tally SET ({AUTOVACUUM})")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON human_task" if postgresql else f"DROP TRIGGER {name}")
    if postgresql:
        op.execute("DROP FUNCTION person_task_tally_delta()")
    op.drop_table("person_task_tally")
