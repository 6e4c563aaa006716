"""migration batches: moving running projects to another version, with their progress

``migration_batch``: one row per batch a designer starts (the plan: source versions, target, element
mapping, filters), with each project's result appended as it is migrated in its own transaction, so the
progress is read from another request or process while the batch runs.

Revision ID: 0014_migration_batches
Revises: 0013_request_ids
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0014_migration_batches"
down_revision = "0013_request_ids"
branch_labels = None
depends_on = None

UTC_TIME = engine.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "migration_batch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("target_version_id", sa.Integer(), sa.ForeignKey("process_version.id"), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("migration_batch")
