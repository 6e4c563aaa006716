"""Apply Alembic migrations programmatically (``servflow db upgrade``), from the first table on."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def revision(database_url: str, message: str) -> None:
    """Autogenerate a new migration from the models (a developer tool)."""
    command.revision(
        alembic_config(database_url),
        message=message,
        autogenerate=True,
        rev_id=f"{len(list((MIGRATIONS / 'versions').glob('*.py'))) + 1:04d}",
    )
