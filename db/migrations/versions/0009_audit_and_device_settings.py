"""Add the audit trail (who viewed, printed or exported what) and each device's own settings (its printer,
its backups), both folded from new event types

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10

Existing logs hold no events of these types, so the new tables start empty and no refold is needed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_settings",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "key"),
    )
    op.create_table(
        "audit",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("audit") as batch:
        batch.create_index("ix_audit_at", ["at"], unique=False)
        batch.create_index("ix_audit_actor_id", ["actor_id"], unique=False)
        batch.create_index("ix_audit_ref", ["ref"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.drop_index("ix_audit_ref")
        batch.drop_index("ix_audit_actor_id")
        batch.drop_index("ix_audit_at")
    op.drop_table("audit")
    op.drop_table("device_settings")
