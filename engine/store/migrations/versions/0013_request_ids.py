"""request ids in the audit trail; an index of the e-mail outbox's unsent notifications

``audit_event.request_id``: the HTTP request (``X-Request-Id``, or one servflow made) or scheduler sweep
whose command wrote the event, so an operator goes from a log line to the changes it made and back.
``ix_notification_unsent``: the notifications not yet mailed (a partial index), which the mailer reads
every sweep and ``/metrics`` counts at every scrape, without scanning every notice ever written.

Revision ID: 0013_request_ids
Revises: 0012_webhooks
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_request_ids"
down_revision = "0012_webhooks"
branch_labels = None
depends_on = None

UNSENT = "email_sent_at IS NULL AND email_error IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_notification_unsent",
        "notification",
        ["created_at"],
        postgresql_where=sa.text(UNSENT),
        sqlite_where=sa.text(UNSENT),
    )


def downgrade() -> None:
    op.drop_index("ix_notification_unsent", table_name="notification")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("request_id")
