"""external tasks (service tasks published on a topic for other systems' workers) and incidents

``external_task``: one service task a project waits on, with its lock, retries and last failure.
``incident``: what a project cannot get past without a person (a task out of retries, a failed step).

Revision ID: 0011_external_tasks
Revises: 0010_guidance_catalogue
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0011_external_tasks"
down_revision = "0010_guidance_catalogue"
branch_labels = None
depends_on = None

UTC_TIME = engine.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "external_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_uuid", sa.String(length=36), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("business_key", sa.String(length=100), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=200), nullable=True),
        sa.Column("lock_expires_at", UTC_TIME, nullable=True),
        sa.Column("retries", sa.Integer(), nullable=True),
        sa.Column("retry_at", UTC_TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_message", sa.String(length=1000), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("completed_at", UTC_TIME, nullable=True),
        sa.Column("completed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_uuid"),
    )
    op.create_index("ix_external_task_instance_id", "external_task", ["instance_id"], unique=False)
    op.create_index("ix_external_task_fetch", "external_task", ["state", "topic", "retry_at"], unique=False)
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("external_task_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=True),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["external_task_id"], ["external_task.id"]),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incident_instance_id", "incident", ["instance_id"], unique=False)
    op.create_index("ix_incident_open", "incident", ["resolved_at", "locality_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_incident_open", table_name="incident")
    op.drop_index("ix_incident_instance_id", table_name="incident")
    op.drop_table("incident")
    op.drop_index("ix_external_task_fetch", table_name="external_task")
    op.drop_index("ix_external_task_instance_id", table_name="external_task")
    op.drop_table("external_task")
