"""Add the day book: closed days and volumes of the logbook, and each line as last printed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Both tables are folded from the ``logbook.*`` events. A file that already holds dossiers starts its day
book on the day of this upgrade: its earlier days were printed the old way, and asking to close every one
of them would only teach people to ignore the reminder (an office may set another start with
``motcua admin settings --set daybook_start=…``). That setting is written as a ``settings.changed`` event
of this device (version-1 payload), like every other setting.
"""

import json
import os
import time
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _uuid7() -> str:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = ((ms & ((1 << 48) - 1)) << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62) \
        | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def upgrade() -> None:
    op.create_table(
        "logbook_closings",
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
        sa.PrimaryKeyConstraint("event_id"),
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

    bind = op.get_bind()
    me = bind.execute(sa.text("SELECT l.device_id, d.agency_code FROM local_devices l JOIN devices d "
                              "ON d.id = l.device_id WHERE l.kind = 'counter'")).first()
    has_dossiers = bind.execute(sa.text("SELECT count(*) FROM events WHERE type = 'dossier.received'")).scalar()
    has_start = bind.execute(sa.text("SELECT count(*) FROM events WHERE type = 'settings.changed' "
                                     "AND payload LIKE '%\"daybook_start\"%'")).scalar()
    if me is None or not has_dossiers or has_start:
        return
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    seq = (bind.execute(sa.text("SELECT value FROM counters WHERE device_id = :d AND name = 'event_seq'"),
                        {"d": me.device_id}).scalar() or 0) + 1
    payload = json.dumps({"values": {"daybook_start": today}}, ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"))
    bind.execute(sa.text(
        "INSERT INTO events (event_id, device_id, device_seq, stream_type, stream_id, type, type_version, payload, "
        "actor_id, occurred_at, server_seq, base_version) VALUES (:e, :d, :seq, 'settings', :stream, "
        "'settings.changed', 1, :p, NULL, :at, NULL, 0)"),
        {"e": _uuid7(), "d": me.device_id, "seq": seq, "stream": f"settings/{me.agency_code}", "p": payload,
         "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
    bind.execute(sa.text("UPDATE counters SET value = :v WHERE device_id = :d AND name = 'event_seq'"),
                 {"v": seq, "d": me.device_id})
    bind.execute(sa.text("INSERT INTO pending_tasks (name) SELECT 'refold' "
                         "WHERE NOT EXISTS (SELECT 1 FROM pending_tasks WHERE name = 'refold')"))


def downgrade() -> None:
    op.drop_index("ix_logbook_printed_dossier_id", table_name="logbook_printed")
    op.drop_table("logbook_printed")
    op.drop_table("logbook_closings")
