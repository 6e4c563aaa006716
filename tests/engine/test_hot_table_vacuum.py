"""PostgreSQL vacuums the hot tables after a few thousand changes, not after a fifth of them (migration 0004).

Index-only scans behind the dashboards and inboxes slow down ×3 on pages changed since the last vacuum
(bench/RESULTS.md, section 3), so the default — wait for 200,000 changed rows at a million tasks — is too late.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.service import Engine


def test_the_hot_tables_are_vacuumed_after_a_few_thousand_changes(engine: Engine, database_url: str) -> None:
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
        assert int(values["autovacuum_vacuum_threshold"]) <= 10_000, table
        assert int(values["autovacuum_vacuum_insert_threshold"]) <= 10_000, table
