"""Add sign-in lock-out state, marks on the file itself (demo) and extra code slots of a device

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.String(length=20), nullable=False),
        sa.Column("locked_until", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "file_marks",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("set_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "extra_slots",
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("added_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("slot"),
    )


def downgrade() -> None:
    op.drop_table("extra_slots")
    op.drop_table("file_marks")
    op.drop_table("login_attempts")
