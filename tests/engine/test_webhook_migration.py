"""Migration 0012 adds the webhook tables and takes them away again, leaving the tables before it alone."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from engine.store.migrate import alembic_config, upgrade

WEBHOOK_TABLES = {"webhook_subscription", "outbound_event", "webhook_delivery"}


def test_webhooks_migrate_down_and_up(blank_url: str) -> None:
    upgrade(blank_url)
    db = create_engine(blank_url)
    try:
        assert set(inspect(db).get_table_names()) >= WEBHOOK_TABLES
        command.downgrade(alembic_config(blank_url), "0011_external_tasks")
        tables = set(inspect(db).get_table_names())
        assert not WEBHOOK_TABLES & tables and {"human_task", "locality"} <= tables
        upgrade(blank_url)
        assert set(inspect(db).get_table_names()) >= WEBHOOK_TABLES
    finally:
        db.dispose()
