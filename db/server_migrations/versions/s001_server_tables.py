"""Create the province server's tables: communes, enrolled devices, the sequence head, quarantine, shares

Revision ID: s001
Revises: (none)
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "s001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "srv_communes",
        sa.Column("agency_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("server_device_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("agency_code"),
    )
    op.create_table(
        "srv_devices",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.String(length=20), nullable=True),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", sa.String(length=20), nullable=True),
        sa.Column("clock_offset_s", sa.Integer(), nullable=True),
        sa.Column("app_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
        sa.UniqueConstraint("agency_code", "kind", "slot"),
        sa.UniqueConstraint("token_hash"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index("ix_srv_devices_agency_code", "srv_devices", ["agency_code"], unique=False)
    op.create_table(
        "srv_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.String(length=36), nullable=False),
        sa.Column("epoch", sa.String(length=36), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "srv_projector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("projected_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "srv_quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("device_seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=20), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_srv_quarantine_event_id", "srv_quarantine", ["event_id"], unique=False)
    op.create_table(
        "srv_shares",
        sa.Column("stream_id", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=16), nullable=False),
        sa.Column("shared_at_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", "agency_code"),
    )
    op.create_index("ix_srv_shares_agency_code", "srv_shares", ["agency_code"], unique=False)


def downgrade() -> None:
    for name in ("srv_shares", "srv_quarantine", "srv_projector", "srv_head", "srv_devices", "srv_communes"):
        op.drop_table(name)
