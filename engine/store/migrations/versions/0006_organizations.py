"""organizations, their members, and role grants held within an organization

``organization``: the parties of the purchase-of-services chain (finance bureau, purchasing department,
procurement agent, provider, evaluator, supervisor), one name per locality and each 统一社会信用代码 once.
``membership``: who works for which organization. ``role_grant.organization_id``: a grant held within an
organization (nullable: every existing grant stays a locality-wide grant, as before).

Revision ID: 0006_organizations
Revises: 0005_sessions_sign_in_limit
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0006_organizations"
down_revision = "0005_sessions_sign_in_limit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_code"], ["locality.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credit_code"),
        sa.UniqueConstraint("locality_code", "name"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index("ix_organization_kind", ["locality_code", "kind"], unique=False)

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "organization_id"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_organization_id"), ["organization_id"], unique=False)

    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_role_grant_organization_id"), ["organization_id"], unique=False)
        batch_op.create_foreign_key("fk_role_grant_organization_id", "organization", ["organization_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_constraint("fk_role_grant_organization_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_role_grant_organization_id"))
        batch_op.drop_column("organization_id")

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_organization_id"))
    op.drop_table("membership")

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index("ix_organization_kind")
    op.drop_table("organization")
