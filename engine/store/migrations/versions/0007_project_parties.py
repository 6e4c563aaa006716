"""a project's parties, and the organization a task goes to

``process_instance.parties``: lane role → organization id, bound as the project goes (the purchasing
department of whoever applies). ``human_task.organization_id``: the project's party of the task's role,
copied when the task is created or the party bound, so the inbox filters on the task row alone.
Both nullable: existing projects and tasks keep going to everyone of their role in their locality.

Revision ID: 0007_project_parties
Revises: 0006_organizations
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_project_parties"
down_revision = "0006_organizations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("process_instance", sa.Column("parties", sa.JSON(), nullable=True))
    op.add_column("human_task", sa.Column("organization_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("organization_id")
    with op.batch_alter_table("process_instance", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("parties")
