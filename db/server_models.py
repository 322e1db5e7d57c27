"""The province server's own tables, beside the shared event log and projections (db.models): communes,
enrolled devices and their tokens, the head of the server's sequence, quarantined pushes, dossiers shared
with another commune, and the projector's watermark. Migrated by db/server_migrations (version table
``alembic_version_server``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import JSONText, UTCDateTime


class ServerBase(DeclarativeBase):
    pass


class Commune(ServerBase):
    __tablename__ = "srv_communes"
    agency_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    # the server's own device for this commune: writes the commune's first settings, catalogue and admin
    server_device_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EnrolledDevice(ServerBase):
    """A counter or kiosk of a commune. The commune and slot come from here, never from what a device sends."""

    __tablename__ = "srv_devices"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "counter" | "kiosk" | "server"
    slot: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12))  # "pending" | "active" | "revoked"
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_offset_s: Mapped[int | None] = mapped_column(Integer)
    app_version: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("agency_code", "kind", "slot"),)


class Head(ServerBase):
    """One row: the server's id, its epoch (new after a restore from backup) and the last server_seq given.

    A push takes this row's lock as late as possible and holds it to COMMIT, so server_seq follows commit
    order and never skips a late commit."""

    __tablename__ = "srv_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_id: Mapped[str] = mapped_column(String(36))
    epoch: Mapped[str] = mapped_column(String(36))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Projector(ServerBase):
    """One row: how far the projections have been folded (server_seq). Its own row, so that folding never
    holds the head's lock that pushes need."""

    __tablename__ = "srv_projector"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    projected_seq: Mapped[int] = mapped_column(Integer, default=0)


class Quarantined(ServerBase):
    """A pushed event the server kept but did not apply: same id with other content, out of the pusher's
    scope, an actor of another commune, a payload that does not validate. Shown to the administrator."""

    __tablename__ = "srv_quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[dict] = mapped_column(JSONText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)


class Share(ServerBase):
    """A dossier handed to another commune: that commune's devices receive its whole stream."""

    __tablename__ = "srv_shares"
    stream_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)
    shared_at_seq: Mapped[int] = mapped_column(Integer)
