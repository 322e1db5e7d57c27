"""SQLAlchemy models: the event log, the projections folded from it, and reference data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import JSONText, UTCDateTime


class Base(DeclarativeBase):
    pass


# --- reference data -------------------------------------------------------------------------------


class Setting(Base):
    """One office setting (agency code, header names, office hours, lookup URL template…)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSONText)


class ReferenceVersion(Base):
    """Which version of each kind of reference data this device holds (catalogue, calendar, settings)."""

    __tablename__ = "reference_versions"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Procedure(Base):
    __tablename__ = "procedures"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(128), index=True)
    competent_unit: Mapped[str] = mapped_column(Text, default="")
    duration_kind: Mapped[str] = mapped_column(String(16))
    duration_value: Mapped[float] = mapped_column(Float, default=0)
    duration_note: Mapped[str] = mapped_column(Text, default="")
    fee_text: Mapped[str] = mapped_column(Text, default="")
    papers: Mapped[list] = mapped_column(JSONText, default=list)
    frequency: Mapped[float] = mapped_column(Float, default=0)
    search_key: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CalendarDayRow(Base):
    """An office or province-decided off-day or make-up working day (statutory days are computed)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "off" | "work"
    reason: Mapped[str] = mapped_column(Text, default="")


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default="clerk")
    title: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Device(Base):
    """A counter PC or kiosk of this commune; exactly one row is this device (is_self)."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    slot: Mapped[int] = mapped_column(Integer)
    agency_code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="counter")
    is_self: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("agency_code", "slot"),)


class Counter(Base):
    """Allocation counters of this device (event sequence, daily code numbers, logbook numbers).

    Updated in the same transaction as the event that consumes the number, so a number is
    never handed out twice and never skipped.
    """

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# --- the event log --------------------------------------------------------------------------------


class Event(Base):
    __tablename__ = "events"
    # Arrival order on this device; the fold replays in this order.
    local_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    type_version: Mapped[int] = mapped_column(Integer, default=1)
    dossier_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payload: Mapped[dict] = mapped_column(JSONText)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    server_seq: Mapped[int | None] = mapped_column(Integer, index=True)
    __table_args__ = (UniqueConstraint("device_id", "device_seq"),)


# --- projections (a pure fold of the events; `motcua admin rebuild` recreates them) ----------------


class Dossier(Base):
    __tablename__ = "dossiers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    device_id: Mapped[str] = mapped_column(String(36))
    clerk_id: Mapped[str | None] = mapped_column(String(36))
    clerk_name: Mapped[str] = mapped_column(Text, default="")
    procedure_code: Mapped[str] = mapped_column(String(32), index=True)
    procedure_name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(128), index=True)
    competent_unit: Mapped[str] = mapped_column(Text, default="")
    applicant_name: Mapped[str] = mapped_column(Text)
    applicant_id_number: Mapped[str] = mapped_column(String(16), default="")
    applicant_birth_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16), default="direct")
    return_method: Mapped[str] = mapped_column(String(16), default="counter")
    sets_count: Mapped[int] = mapped_column(Integer, default=1)
    papers: Mapped[list] = mapped_column(JSONText, default=list)
    fee_text: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    duration: Mapped[dict] = mapped_column(JSONText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_day: Mapped[date] = mapped_column(Date, index=True)  # local date, for the day's list
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(24), index=True)
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_transfer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_note: Mapped[str] = mapped_column(Text, default="")
    # Who holds the paper dossier now: "" = the counter, otherwise the unit / person it was handed to.
    holder: Mapped[str] = mapped_column(Text, default="")
    # How long the clock has been paused for supplements, in working minutes (sum over all pauses).
    paused_minutes: Mapped[int] = mapped_column(Integer, default=0)
    rule_version: Mapped[str] = mapped_column(String(32))
    calendar_version: Mapped[str] = mapped_column(String(64))
    catalogue_version: Mapped[str] = mapped_column(String(64))
    volume: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    search_key: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_event_seq: Mapped[int] = mapped_column(Integer)


class DossierStep(Base):
    """One recorded step of a dossier (hand-over, supplement, result, return…), for the timeline
    and the control slip."""

    __tablename__ = "dossier_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(Text, default="")
    device_id: Mapped[str] = mapped_column(String(36))
    giver: Mapped[str] = mapped_column(Text, default="")
    receiver: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSONText, default=dict)


class LogbookEntry(Base):
    """A line of the Sổ theo dõi hồ sơ: one volume per device per year, gapless numbers."""

    __tablename__ = "logbook_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(36))
    volume: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("device_id", "volume", "number"),)


class IntakeSlip(Base):
    """An intake that produced no dossier: a guidance slip (form 02) or a refusal (form 03)."""

    __tablename__ = "intake_slips"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "guidance" | "refusal"
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    clerk_id: Mapped[str | None] = mapped_column(String(36))
    clerk_name: Mapped[str] = mapped_column(Text, default="")
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_name: Mapped[str] = mapped_column(Text)
    applicant_name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(16), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list] = mapped_column(JSONText, default=list)


Index("ix_dossiers_status_due", Dossier.status, Dossier.due_at)
Index("ix_dossiers_received_day_device", Dossier.received_day, Dossier.device_id)
# statistics read dossiers resolved in a period; the filtered list narrows by field or procedure and date
Index("ix_dossiers_status_result", Dossier.status, Dossier.result_at)
Index("ix_dossiers_result_at", Dossier.result_at)
Index("ix_dossiers_field_day", Dossier.field, Dossier.received_day)
Index("ix_dossiers_procedure_day", Dossier.procedure_code, Dossier.received_day)


# --- local security and file state (issue 9; migration i9_security) --------------------------------


class LoginAttempt(Base):
    """Failed sign-ins per typed username (existing or not), for the temporary lock-out."""

    __tablename__ = "login_attempts"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FileMark(Base):
    """A fact about this file itself, never synced nor set through the office settings
    (e.g. "demo": the file was made by `motcua demo`, so its demo accounts may act without a password)."""

    __tablename__ = "file_marks"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExtraSlot(Base):
    """A second (third…) slot given to this device, used for codes once its own slot has made 999
    codes in a day. Unique in the unit like a device's slot."""

    __tablename__ = "extra_slots"
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
