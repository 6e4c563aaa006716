"""the guidance catalogue (政府购买服务指导性目录) of each locality, and the projects that named its items

``catalogue_entry``: one item (项) of a locality's catalogue with its category (大类) and class (款), in
effect from one year to another (or until further notice). ``catalogue_use``: a project whose application
named an item — such an item is kept, its validity ended rather than the row deleted.

Revision ID: 0010_guidance_catalogue
Revises: 0009_documents
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0010_guidance_catalogue"
down_revision = "0009_documents"
branch_labels = None
depends_on = None

UTC_TIME = engine.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalogue_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("category_code", sa.String(length=20), nullable=False),
        sa.Column("category_name", sa.String(length=200), nullable=False),
        sa.Column("class_code", sa.String(length=20), nullable=False),
        sa.Column("class_name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("from_year", sa.Integer(), nullable=False),
        sa.Column("until_year", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["locality_code"], ["locality.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_code", "code", "from_year"),
    )
    op.create_index("ix_catalogue_entry_code", "catalogue_entry", ["code"], unique=False)
    op.create_table(
        "catalogue_use",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["catalogue_entry.id"]),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"]),
        sa.PrimaryKeyConstraint("entry_id", "instance_id"),
    )


def downgrade() -> None:
    op.drop_table("catalogue_use")
    op.drop_index("ix_catalogue_entry_code", table_name="catalogue_entry")
    op.drop_table("catalogue_entry")
