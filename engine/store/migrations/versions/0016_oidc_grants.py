"""OpenID grants: the refresh token a provider gave a person at sign-in, to re-check their access

``oidc_grant``: one row per person who signed in through an OpenID provider that issued a refresh token
(kept sealed, never in the clear). The scheduler spends it every few minutes; a provider answering
``invalid_grant`` (account disabled, access withdrawn) stops the person's servflow account.

Revision ID: 0016_oidc_grants
Revises: 0015_person_task_tally
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0016_oidc_grants"
down_revision = "0015_person_task_tally"
branch_labels = None
depends_on = None

UTC_TIME = engine.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "oidc_grant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, unique=True
        ),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("checked_at", UTC_TIME, nullable=False),
        sa.Column("lease_until", UTC_TIME, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("oidc_grant")
