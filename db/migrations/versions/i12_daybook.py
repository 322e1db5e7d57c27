"""Add the day book: closed days and volumes of the logbook, and each line as last printed

Revision ID: i12_daybook
Revises: 0002
Create Date: 2026-11-23
"""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "i12_daybook"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logbook_closings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("volume", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_page", sa.Integer(), nullable=False),
        sa.Column("last_page", sa.Integer(), nullable=False),
        sa.Column("numbers", sa.Text(), nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.Column("updates", sa.Text(), nullable=False),
        sa.Column("totals", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("device_id", "volume", "kind", "day"),
    )
    op.create_table(
        "logbook_printed",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("volume", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("values", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "volume", "number"),
    )
    op.create_index("ix_logbook_printed_dossier_id", "logbook_printed", ["dossier_id"])
    # A file that already holds dossiers starts its day book on the day of this upgrade: its earlier days
    # were printed the old way, and asking to close every one of them would only teach people to ignore
    # the reminder. (An office may set another start with `motcua admin settings --set daybook_start=…`.)
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    op.execute(sa.text("INSERT INTO settings (key, value) SELECT 'daybook_start', :v "
                       "WHERE EXISTS (SELECT 1 FROM dossiers) "
                       "AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'daybook_start')")
               .bindparams(v=json.dumps(today)))


def downgrade() -> None:
    op.execute("DELETE FROM settings WHERE key = 'daybook_start'")
    op.drop_index("ix_logbook_printed_dossier_id", table_name="logbook_printed")
    op.drop_table("logbook_printed")
    op.drop_table("logbook_closings")
