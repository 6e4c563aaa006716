"""initial tables

Revision ID: 0001
Revises:
Create Date: 2026-11-29 22:15:23.476549
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("human_task_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=True),
        sa.Column("at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_instance", ["instance_id", "id"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "user_id"),
    )
    op.create_table(
        "locality",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["locality.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("human_task_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("email_sent_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("email_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_recipient", ["recipient", "read_at"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "calendar_entry",
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["locality_code"],
            ["locality.code"],
        ),
        sa.PrimaryKeyConstraint("locality_code", "day"),
    )
    op.create_table(
        "calendar_year",
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["locality_code"],
            ["locality.code"],
        ),
        sa.PrimaryKeyConstraint("locality_code", "year"),
    )
    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("deployed_by", sa.String(length=100), nullable=False),
        sa.Column("deployed_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["locality_code"],
            ["locality.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployment_locality_code"), ["locality_code"], unique=False)

    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["locality_code"],
            ["locality.code"],
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "role", "locality_code"),
    )
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grant_user_id"), ["user_id"], unique=False)

    op.create_table(
        "process_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("calls", sa.JSON(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("task_config", sa.JSON(), nullable=False),
        sa.Column("deployed_by", sa.String(length=100), nullable=False),
        sa.Column("deployed_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["locality_code"],
            ["locality.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_code", "process_key", "version"),
    )
    op.create_table(
        "process_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_version_id", sa.Integer(), nullable=False),
        sa.Column("bound_versions", sa.JSON(), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("business_key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=200), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("state_format", sa.Integer(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("started_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["locality_code"],
            ["locality.code"],
        ),
        sa.ForeignKeyConstraint(
            ["process_version_id"],
            ["process_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_code", "business_key"),
    )
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.create_index("ix_instance_status", ["locality_code", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_process_instance_department"), ["department"], unique=False)

    op.create_table(
        "disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("published_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.create_index("ix_disclosure_locality", ["locality_code", "published_at"], unique=False)

    op.create_table(
        "human_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_uuid", sa.String(length=36), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("form_key", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("locality_code", sa.String(length=40), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("delegated_from", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("remind_on", sa.Date(), nullable=True),
        sa.Column("escalate_on", sa.Date(), nullable=True),
        sa.Column("reminded_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_uuid"),
    )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index("ix_task_assignee", ["assignee", "state", "due_date"], unique=False)
        batch_op.create_index("ix_task_completed_by", ["completed_by", "completed_at"], unique=False)
        batch_op.create_index("ix_task_inbox", ["locality_code", "role", "state", "due_date"], unique=False)
        batch_op.create_index("ix_task_instance", ["instance_id", "state"], unique=False)

    op.create_table(
        "timer_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("task_uuid", sa.String(length=36), nullable=True),
        sa.Column("due_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("timer_job", schema=None) as batch_op:
        batch_op.create_index("ix_timer_due", ["done_at", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timer_job", schema=None) as batch_op:
        batch_op.drop_index("ix_timer_due")

    op.drop_table("timer_job")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_instance")
        batch_op.drop_index("ix_task_inbox")
        batch_op.drop_index("ix_task_completed_by")
        batch_op.drop_index("ix_task_assignee")

    op.drop_table("human_task")
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_locality")

    op.drop_table("disclosure")
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instance_department"))
        batch_op.drop_index("ix_instance_status")

    op.drop_table("process_instance")
    op.drop_table("process_version")
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grant_user_id"))

    op.drop_table("role_grant")
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployment_locality_code"))

    op.drop_table("deployment")
    op.drop_table("calendar_year")
    op.drop_table("calendar_entry")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_recipient")

    op.drop_table("notification")
    op.drop_table("locality")
    op.drop_table("idempotency_record")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_instance")

    op.drop_table("audit_event")
    op.drop_table("app_user")
