"""Add satisfaction ratings: the ratings and invitations folded from rating.* events, and the kiosk's link
with its counter over the office network

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

No older file holds rating events, so the new projections start empty and nothing needs folding again.
``kiosk_pairings`` (on a counter's file) and ``kiosk_link`` (on a kiosk's own file) are local to their file,
like ``local_devices``: they are not in the log.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("invitation_id", sa.String(length=36), nullable=False),
        sa.Column("clerk_id", sa.String(length=36), nullable=False),
        sa.Column("counter_slot", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("rated_at", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_ratings_code", "ratings", ["code"])
    op.create_index("ix_ratings_rated_at", "ratings", ["rated_at"])
    op.create_table(
        "rating_invitations",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("counter_slot", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("clerk_id", sa.String(length=36), nullable=True),
        sa.Column("clerk_name", sa.Text(), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("invited_at", sa.String(length=20), nullable=False),
        sa.Column("expires_at", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_rating_invitations_code", "rating_invitations", ["code"])
    op.create_index("ix_rating_invitations_slot_state", "rating_invitations", ["counter_slot", "state"])
    op.create_table(
        "kiosk_pairings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("counter_slot", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("code_expires_at", sa.String(length=20), nullable=False),
        sa.Column("code_tries", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kiosk_device_id", sa.String(length=36), nullable=True),
        sa.Column("kiosk_name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=20), nullable=False),
        sa.Column("paired_at", sa.String(length=20), nullable=True),
        sa.Column("last_seen_at", sa.String(length=20), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_kiosk_pairings_token_hash", "kiosk_pairings", ["token_hash"])
    op.create_table(
        "kiosk_link",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("counter_url", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("counter_slot", sa.Integer(), nullable=False),
        sa.Column("pushed_seq", sa.Integer(), nullable=False),
        sa.Column("pull_cursor", sa.Integer(), nullable=False),
        sa.Column("last_success_at", sa.String(length=20), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
    )


def downgrade() -> None:
    op.drop_table("kiosk_link")
    op.drop_index("ix_kiosk_pairings_token_hash", table_name="kiosk_pairings")
    op.drop_table("kiosk_pairings")
    op.drop_index("ix_rating_invitations_slot_state", table_name="rating_invitations")
    op.drop_index("ix_rating_invitations_code", table_name="rating_invitations")
    op.drop_table("rating_invitations")
    op.drop_index("ix_ratings_rated_at", table_name="ratings")
    op.drop_index("ix_ratings_code", table_name="ratings")
    op.drop_table("ratings")
