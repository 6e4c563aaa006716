"""documents: files attached to form fields, and the content-addressed store that holds them

``blob``: one file's content, once however many documents carry it (``sha256`` unique, set when the upload
is complete). ``blob_chunk``: its bytes in pieces, so uploads and downloads stream on every database and
every app server reads the same store. ``document``: a file of a project's task and form field, with its
name, type by content, size, checksum, state (uploaded to an open task, or submitted with it) and uploader.

Revision ID: 0009_documents
Revises: 0008_provider_registry
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0009_documents"
down_revision = "0008_provider_registry"
branch_labels = None
depends_on = None

UTC_TIME = engine.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "blob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "blob_chunk",
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["blob.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("blob_id", "seq"),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("human_task_id", sa.Integer(), nullable=False),
        sa.Column("field_key", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["blob.id"]),
        sa.ForeignKeyConstraint(["human_task_id"], ["human_task.id"]),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_blob_id", "document", ["blob_id"], unique=False)
    op.create_index("ix_document_instance", "document", ["instance_id", "state"], unique=False)
    op.create_index("ix_document_task", "document", ["human_task_id", "field_key"], unique=False)


def downgrade() -> None:
    op.drop_table("document")
    op.drop_table("blob_chunk")
    op.drop_table("blob")
