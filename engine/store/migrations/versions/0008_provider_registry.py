"""the provider registry: qualifications, credit records and the blacklist

``provider_qualification``: a provider's licences and certificates with their validity. ``credit_record``:
a provider's evaluation grades and scores, one per project and source. ``blacklist_entry``: a provider
barred from awards for a period (both days included), until lifted; lifted entries are kept.

Revision ID: 0008_provider_registry
Revises: 0007_project_parties
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0008_provider_registry"
down_revision = "0007_project_parties"
branch_labels = None
depends_on = None

UTC_TIME = engine.store.models.UTCDateTime(timezone=True)


def _organization_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "provider_qualification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        _organization_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_provider_qualification_organization_id", "provider_qualification", ["organization_id"], unique=False
    )
    op.create_table(
        "credit_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        _organization_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "instance_id", "source"),
    )
    op.create_index("ix_credit_record_organization_id", "credit_record", ["organization_id"], unique=False)
    op.create_table(
        "blacklist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=False),
        sa.Column("lifted_by", sa.String(length=100), nullable=True),
        sa.Column("lifted_at", UTC_TIME, nullable=True),
        sa.Column("lift_reason", sa.String(length=500), nullable=True),
        _organization_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_blacklist_organization", "blacklist_entry", ["organization_id", "ends_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_blacklist_organization", table_name="blacklist_entry")
    op.drop_table("blacklist_entry")
    op.drop_index("ix_credit_record_organization_id", table_name="credit_record")
    op.drop_table("credit_record")
    op.drop_index("ix_provider_qualification_organization_id", table_name="provider_qualification")
    op.drop_table("provider_qualification")
