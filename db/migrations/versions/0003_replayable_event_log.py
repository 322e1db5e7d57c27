"""Make the event log replayable anywhere: events name their stream, devices have their own counters,
reference data (devices, users, settings, calendar, catalogue) becomes events, and the projections are
folded again from the log

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

What it does to an existing file, in order:
- events: ``dossier_id`` becomes ``stream_id`` (an intake slip is its own stream), with ``stream_type`` and
  ``base_version``; the payloads themselves are never rewritten (the program upcasts them on read);
- the device marked ``is_self`` becomes this file's local device; counters are keyed by device;
- the office's devices, users, settings, calendar days and catalogue, which lived only in tables, are
  written into the log as events of this device (so every device can replay them), with the payload
  shapes of version 1 of their event types;
- the projection tables are dropped and created in their new shape, empty; the program folds them
  again from the log when it opens the file (the ``refold`` pending task), so codes, books and every
  dossier come back exactly as the log says.
"""

import json
import os
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _uuid7() -> str:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = ((ms & ((1 << 48) - 1)) << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62) \
        | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _create_fts() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE dossier_fts USING fts5(search_key, content='dossiers', content_rowid='rowid', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
    )
    op.execute(
        "CREATE TRIGGER dossiers_fts_ai AFTER INSERT ON dossiers BEGIN "
        "INSERT INTO dossier_fts(rowid, search_key) VALUES (new.rowid, new.search_key); END"
    )
    op.execute(
        "CREATE TRIGGER dossiers_fts_ad AFTER DELETE ON dossiers BEGIN "
        "INSERT INTO dossier_fts(dossier_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key); END"
    )
    op.execute(
        "CREATE TRIGGER dossiers_fts_au AFTER UPDATE OF search_key ON dossiers BEGIN "
        "INSERT INTO dossier_fts(dossier_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key); "
        "INSERT INTO dossier_fts(rowid, search_key) VALUES (new.rowid, new.search_key); END"
    )


def _reference_events(bind) -> list[dict]:
    """The office's reference data as version-1 events of this device (see the module docstring)."""
    me = bind.execute(sa.text("SELECT id, kind, slot, name, agency_code FROM devices WHERE is_self")).first()
    if me is None:
        return []
    agency = me.agency_code
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out: list[dict] = []

    def add(stream_type: str, stream_id: str, type_: str, payload: dict) -> None:
        out.append({"event_id": _uuid7(), "device_id": me.id, "stream_type": stream_type, "stream_id": stream_id,
                    "type": type_, "type_version": 1, "payload": _json(payload), "actor_id": None,
                    "occurred_at": now})

    for d in bind.execute(sa.text("SELECT id, kind, slot, name, agency_code, is_self FROM devices "
                                  "ORDER BY is_self DESC, slot")):
        add("device", d.id, "device.registered",
            {"kind": d.kind, "slot": d.slot, "name": d.name, "agency_code": d.agency_code})
    values = {r.key: json.loads(r.value) for r in bind.execute(sa.text("SELECT key, value FROM settings"))}
    if values:
        add("settings", f"settings/{agency}", "settings.changed", {"values": values})
    for r in bind.execute(sa.text("SELECT day, kind, reason FROM calendar_days ORDER BY day")):
        add("calendar", f"calendar/{agency}", "calendar.day_set", {"day": str(r.day), "kind": r.kind,
                                                                    "reason": r.reason})
    procs = []
    for r in bind.execute(sa.text("SELECT * FROM procedures ORDER BY code")):
        value = r.duration_value
        procs.append({"code": r.code, "name": r.name, "field": r.field, "competent_unit": r.competent_unit,
                      "duration": {"kind": r.duration_kind, "value": int(value) if float(value).is_integer()
                                   else value},
                      "duration_note": r.duration_note, "fee_text": r.fee_text, "papers": json.loads(r.papers),
                      "frequency": r.frequency, "active": bool(r.active)})
    if procs:
        version = bind.execute(sa.text("SELECT version FROM reference_versions WHERE kind='catalogue'")).scalar()
        add("catalogue", f"catalogue/{agency}", "catalogue.published",
            {"version": version or "unversioned", "source": "", "procedures": procs})
    for u in bind.execute(sa.text("SELECT * FROM users ORDER BY username")):
        add("user", u.id, "user.created", {"username": u.username, "full_name": u.full_name,
                                          "password_hash": u.password_hash, "role": u.role, "title": u.title,
                                          "unit": u.unit})
        if not u.active:
            add("user", u.id, "user.updated", {"active": False})
    return out


def upgrade() -> None:
    bind = op.get_bind()
    me = bind.execute(sa.text("SELECT id, kind, slot FROM devices WHERE is_self")).first()
    had_data = me is not None or bind.execute(sa.text("SELECT count(*) FROM events")).scalar() > 0

    # --- who this file is, and its counters per device
    op.create_table(
        "local_devices",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
        sa.UniqueConstraint("kind", "slot"),
    )
    if me is not None:
        bind.execute(sa.text("INSERT INTO local_devices (device_id, kind, slot) VALUES (:i, :k, :s)"),
                     {"i": me.id, "k": me.kind, "s": me.slot})
    old_counters = bind.execute(sa.text("SELECT name, value FROM counters")).all()
    op.drop_table("counters")
    op.create_table(
        "counters",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "name"),
    )
    if me is not None and old_counters:
        bind.execute(sa.text("INSERT INTO counters (device_id, name, value) VALUES (:d, :n, :v)"),
                     [{"d": me.id, "n": r.name, "v": r.value} for r in old_counters])

    # --- events: stream id and type, base version
    bind.execute(sa.text("UPDATE events SET dossier_id = event_id WHERE dossier_id IS NULL"))
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_dossier_id")
        batch.alter_column("dossier_id", new_column_name="stream_id", existing_type=sa.String(length=36),
                           type_=sa.String(length=64), nullable=False)
        batch.add_column(sa.Column("stream_type", sa.String(length=16), nullable=False, server_default="dossier"))
        batch.add_column(sa.Column("base_version", sa.Integer(), nullable=False, server_default="0"))
    bind.execute(sa.text("UPDATE events SET stream_type = 'intake' WHERE type LIKE 'intake.%'"))
    with op.batch_alter_table("events") as batch:
        batch.alter_column("stream_type", server_default=None, existing_type=sa.String(length=16),
                           existing_nullable=False)
        batch.alter_column("base_version", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch.create_index("ix_events_stream_id", ["stream_id"], unique=False)

    # --- reference data into the log (before the tables holding it are dropped)
    reference = _reference_events(bind)
    if reference:
        seq = bind.execute(sa.text("SELECT value FROM counters WHERE device_id = :d AND name = 'event_seq'"),
                           {"d": me.id}).scalar() or 0
        for ev in reference:
            seq += 1
            bind.execute(sa.text(
                "INSERT INTO events (event_id, device_id, device_seq, stream_type, stream_id, type, type_version, "
                "payload, actor_id, occurred_at, server_seq, base_version) VALUES (:event_id, :device_id, :seq, "
                ":stream_type, :stream_id, :type, :type_version, :payload, :actor_id, :occurred_at, NULL, 0)"),
                {**ev, "seq": seq})
        bind.execute(sa.text("INSERT OR REPLACE INTO counters (device_id, name, value) VALUES (:d, 'event_seq', :v)"),
                     {"d": me.id, "v": seq})

    # --- projections, new shape, empty until the program folds the log again
    if bind.dialect.name == "sqlite":  # the full-text index exists only in SQLite files
        for name in ("dossiers_fts_au", "dossiers_fts_ad", "dossiers_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS dossier_fts")
    op.drop_table("logbook_entries")
    op.drop_table("dossier_steps")
    op.drop_table("dossiers")
    op.drop_table("intake_slips")
    op.drop_table("devices")
    op.drop_table("users")
    if reference:  # now in the log: the fold writes them again
        for name in ("settings", "calendar_days", "procedures", "reference_versions"):
            bind.execute(sa.text(f"DELETE FROM {name}"))

    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enrolled_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_users_username", "users", ["username"], unique=False)
    op.create_table(
        "dossiers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("clerk_id", sa.String(length=36), nullable=True),
        sa.Column("clerk_name", sa.Text(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=128), nullable=False),
        sa.Column("competent_unit", sa.Text(), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=16), nullable=False),
        sa.Column("applicant_birth_date", sa.Date(), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("return_method", sa.String(length=16), nullable=False),
        sa.Column("sets_count", sa.Integer(), nullable=False),
        sa.Column("papers", sa.Text(), nullable=False),
        sa.Column("fee_text", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("duration", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=20), nullable=False),
        sa.Column("received_day", sa.Date(), nullable=False),
        sa.Column("due_at", sa.String(length=20), nullable=True),
        sa.Column("original_due_at", sa.String(length=20), nullable=True),
        sa.Column("paused_at", sa.String(length=20), nullable=True),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("result_at", sa.String(length=20), nullable=True),
        sa.Column("returned_at", sa.String(length=20), nullable=True),
        sa.Column("first_transfer_at", sa.String(length=20), nullable=True),
        sa.Column("closed_note", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("paused_minutes", sa.Integer(), nullable=False),
        sa.Column("rule_version", sa.String(length=32), nullable=False),
        sa.Column("calendar_version", sa.String(length=64), nullable=False),
        sa.Column("catalogue_version", sa.String(length=64), nullable=False),
        sa.Column("volume", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("search_key", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=20), nullable=False),
        sa.Column("last_event_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for name, cols in (("ix_dossiers_code", ["code"]), ("ix_dossiers_due_at", ["due_at"]),
                       ("ix_dossiers_field", ["field"]), ("ix_dossiers_procedure_code", ["procedure_code"]),
                       ("ix_dossiers_received_at", ["received_at"]), ("ix_dossiers_received_day", ["received_day"]),
                       ("ix_dossiers_status", ["status"]), ("ix_dossiers_status_due", ["status", "due_at"]),
                       ("ix_dossiers_received_day_device", ["received_day", "device_id"]),
                       ("ix_dossiers_status_result", ["status", "result_at"]),
                       ("ix_dossiers_result_at", ["result_at"]), ("ix_dossiers_field_day", ["field", "received_day"]),
                       ("ix_dossiers_procedure_day", ["procedure_code", "received_day"])):
        op.create_index(name, "dossiers", cols, unique=False)
    if bind.dialect.name == "sqlite":
        _create_fts()
    op.create_table(
        "dossier_steps",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("giver", sa.Text(), nullable=False),
        sa.Column("receiver", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"]),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_dossier_steps_dossier_id", "dossier_steps", ["dossier_id"], unique=False)
    op.create_table(
        "logbook_entries",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("volume", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"]),
        sa.PrimaryKeyConstraint("dossier_id"),
    )
    op.create_index("ix_logbook_device_volume_number", "logbook_entries", ["device_id", "volume", "number"],
                    unique=False)
    op.create_table(
        "intake_slips",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("clerk_id", sa.String(length=36), nullable=True),
        sa.Column("clerk_name", sa.Text(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_intake_slips_at", "intake_slips", ["at"], unique=False)
    op.create_table(
        "flags",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("stream_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("raised_at", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flags_stream_id", "flags", ["stream_id"], unique=False)
    op.create_table(
        "flag_resolutions",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("flag_id", sa.String(length=80), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_flag_resolutions_flag_id", "flag_resolutions", ["flag_id"], unique=False)
    op.create_index("ix_flag_resolutions_dossier_id", "flag_resolutions", ["dossier_id"], unique=False)

    # --- local bookkeeping: sync state, change journal, quarantine, pending work
    op.create_table(
        "sync_state",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.Text(), nullable=False),
        sa.Column("server_id", sa.String(length=36), nullable=False),
        sa.Column("epoch", sa.String(length=64), nullable=False),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("pull_cursor", sa.Text(), nullable=False),
        sa.Column("last_success_at", sa.String(length=20), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("stream_type", sa.String(length=16), nullable=False),
        sa.Column("stream_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "quarantined_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quarantined_events_event_id", "quarantined_events", ["event_id"], unique=False)
    op.create_table(
        "pending_tasks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    if had_data:
        bind.execute(sa.text("INSERT INTO pending_tasks (name) VALUES ('refold')"))


def downgrade() -> None:
    raise NotImplementedError("0003 cannot be undone; restore the copy made before the upgrade "
                              "(*.truoc-nang-cap-0002-*.sqlite) instead.")
