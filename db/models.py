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
    """One office setting (agency code, header names, office hours, lookup URL template…), folded from
    settings.changed."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSONText)


class ReferenceVersion(Base):
    """Which version of each kind of reference data this file holds (catalogue, calendar, settings)."""

    __tablename__ = "reference_versions"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Procedure(Base):
    """A procedure as one catalogue version defines it, from that version's effective date on; the version in
    effect on a day is, per code, the row with the latest `effective_from` not after it (app.services.catalogue);
    a version published "at once" has app.eventlog.payloads.ALWAYS."""

    __tablename__ = "procedures"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, primary_key=True)
    catalogue_version: Mapped[str] = mapped_column(String(64), default="")
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
    """An office or province-decided off-day or make-up working day (statutory days are computed), as known
    from `effective_from` on; kind "none" withdraws, from its date, what an earlier decision said."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "off" | "work" | "none"
    reason: Mapped[str] = mapped_column(Text, default="")


class User(Base):
    """A staff account (folded from user.created / user.updated; the same id on every device)."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    full_name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default="clerk")
    title: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # events of its stream folded


class Device(Base):
    """A counter PC, kiosk or server of a commune (reference data folded from ``device.registered``)."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    slot: Mapped[int] = mapped_column(Integer)
    agency_code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="counter")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LocalDevice(Base):
    """The devices whose events are written in this file: a counter, and a kiosk that shares its PC.

    Not folded from the log: it says who this file is, so it is set at setup or enrolment only.
    """

    __tablename__ = "local_devices"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slot: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("kind", "slot"),)


class Counter(Base):
    """Allocation counters of each local device (event sequence, daily code numbers, logbook numbers).

    Updated in the same transaction as the event that consumes the number, so a number is never handed
    out twice and never skipped. Keyed by device, so a kiosk sharing the counter's file has its own.
    """

    __tablename__ = "counters"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class SyncState(Base):
    """Where a local device stands with the province's server (filled in by enrolment and sync)."""

    __tablename__ = "sync_state"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    server_url: Mapped[str] = mapped_column(Text, default="")
    server_id: Mapped[str] = mapped_column(String(36), default="")
    epoch: Mapped[str] = mapped_column(String(64), default="")
    # highest device_seq of this device the server has acknowledged
    acked_seq: Mapped[int] = mapped_column(Integer, default=0)
    # opaque position in the server's log up to which this file has pulled
    pull_cursor: Mapped[str] = mapped_column(Text, default="")
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # the device's bearer token (the server keeps only its hash); the file itself is private to its owner
    token: Mapped[str] = mapped_column(Text, default="")
    # server time minus this device's clock at the last hello, in seconds
    clock_offset_s: Mapped[int | None] = mapped_column(Integer)


class Change(Base):
    """A journal of what changed in this file (a stream per row), for open windows of any process to
    refresh; trimmed to recent rows. Not part of the log."""

    __tablename__ = "changes"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stream_type: Mapped[str] = mapped_column(String(16))
    stream_id: Mapped[str] = mapped_column(String(64))


class PendingTask(Base):
    """Work a schema upgrade leaves for the program (e.g. "refold": fold the projections again)."""

    __tablename__ = "pending_tasks"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)


# --- the event log --------------------------------------------------------------------------------


class Event(Base):
    __tablename__ = "events"
    # Arrival order in this file: orders the events the server has not sequenced yet (see app.eventlog).
    local_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int] = mapped_column(Integer)
    stream_type: Mapped[str] = mapped_column(String(16))
    stream_id: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(64))
    type_version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict] = mapped_column(JSONText)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    server_seq: Mapped[int | None] = mapped_column(Integer, index=True)
    base_version: Mapped[int] = mapped_column(Integer, default=0)
    # the commune (agency code) of the device that wrote it: a pull's scope
    commune: Mapped[str] = mapped_column(String(16), default="")
    # the server's hash of the stored payload (to tell a resent event from another with the same id)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("device_id", "device_seq"),
                      Index("ix_events_commune_server_seq", "commune", "server_seq"))


class QuarantinedEvent(Base):
    """An event that arrived with an id already used for other content: kept for a person, never folded."""

    __tablename__ = "quarantined_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[dict] = mapped_column(JSONText)


# --- projections (a pure fold of the events; `motcua admin rebuild` recreates them) ----------------


class Dossier(Base):
    __tablename__ = "dossiers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Not unique: two devices that wrongly share a slot make the same code; the fold flags it.
    code: Mapped[str] = mapped_column(String(40), index=True)
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
    last_event_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)  # events of its stream folded


class DossierStep(Base):
    """One recorded step of a dossier (hand-over, supplement, result, return…), for the timeline
    and the control slip; its details are read from its event. ``applied`` is false for a step the
    dossier's state did not allow when the fold reached it (it is flagged)."""

    __tablename__ = "dossier_steps"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # place in the dossier's events, canonical order
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(Text, default="")
    device_id: Mapped[str] = mapped_column(String(36))
    giver: Mapped[str] = mapped_column(Text, default="")
    receiver: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    applied: Mapped[bool] = mapped_column(Boolean, default=True)


class LogbookEntry(Base):
    """A line of the Sổ theo dõi hồ sơ: one volume per device per year, gapless numbers."""

    __tablename__ = "logbook_entries"
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    volume: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Flag(Base):
    """Something the fold could not apply as written (a conflict, a clash, an unreadable event), for a
    clerk or leader to look at. Resolved by a ``flag.resolved`` event (see FlagResolution)."""

    __tablename__ = "flags"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    stream_id: Mapped[str] = mapped_column(String(64), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)


class FlagResolution(Base):
    __tablename__ = "flag_resolutions"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    flag_id: Mapped[str] = mapped_column(String(80), index=True)
    dossier_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


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


Index("ix_logbook_device_volume_number", LogbookEntry.device_id, LogbookEntry.volume, LogbookEntry.number)
Index("ix_dossiers_status_due", Dossier.status, Dossier.due_at)
Index("ix_dossiers_received_day_device", Dossier.received_day, Dossier.device_id)
# statistics read dossiers resolved in a period; the filtered list narrows by field or procedure and date
Index("ix_dossiers_status_result", Dossier.status, Dossier.result_at)
Index("ix_dossiers_result_at", Dossier.result_at)
Index("ix_dossiers_field_day", Dossier.field, Dossier.received_day)
Index("ix_dossiers_procedure_day", Dossier.procedure_code, Dossier.received_day)


# --- the day book: closings of the logbook, folded from logbook.* events -----------------------------


class LogbookClosing(Base):
    """A closed day of a device's volume (kind "day"), or the closing of the volume itself ("volume").

    Holds what was printed (rows, updates, totals, office and signers) so that a reprint gives the same pages.
    """

    __tablename__ = "logbook_closings"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    volume: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))  # "day" | "volume"
    day: Mapped[date] = mapped_column(Date)  # the closed day; for "volume" the day it was closed
    first_page: Mapped[int] = mapped_column(Integer)
    last_page: Mapped[int] = mapped_column(Integer)
    numbers: Mapped[list] = mapped_column(JSONText, default=list)  # book numbers printed as new lines
    rows: Mapped[list] = mapped_column(JSONText, default=list)  # [{"number", "values"}] as printed
    updates: Mapped[list] = mapped_column(JSONText, default=list)
    totals: Mapped[dict] = mapped_column(JSONText, default=dict)
    context: Mapped[dict] = mapped_column(JSONText, default=dict)  # office, device, signers as printed
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (UniqueConstraint("device_id", "volume", "kind", "day"),)


class LogbookPrinted(Base):
    """A logbook line as it was last printed on the book's pages (to find lines that changed since)."""

    __tablename__ = "logbook_printed"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(String(36), index=True)
    values: Mapped[dict] = mapped_column(JSONText, default=dict)
    event_id: Mapped[str] = mapped_column(String(36))  # the closing that printed it last


# --- a device's own settings and the audit trail, folded from device.configured and audit.recorded -------


class DeviceSetting(Base):
    """One setting of one device (its printer, its backup folder…), not of the commune."""

    __tablename__ = "device_settings"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSONText)


class AuditEntry(Base):
    """Who viewed, printed or exported what, and when (and each backup and restore). Append-only: the app
    has no way to change or remove a row; the changes themselves are in the event log."""

    __tablename__ = "audit"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor_name: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(16), default="")
    ref: Mapped[str] = mapped_column(String(64), default="", index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


# --- local security and file state (not synced, not folded) ------------------------------------------


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


# --- satisfaction ratings: folded from the rating.* events of the ``rating/<code>`` streams ----------------


class Rating(Base):
    """A citizen's rating of a dossier at a kiosk. ``counted`` is true for the first rating of its dossier in
    canonical order only; a later one (another kiosk apart from this one, a double submission) is kept."""

    __tablename__ = "ratings"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)  # the dossier's code (joins to dossiers.code)
    level: Mapped[str] = mapped_column(String(24))
    scale: Mapped[int] = mapped_column(Integer, default=3)
    satisfied: Mapped[bool] = mapped_column(Boolean)
    counted: Mapped[bool] = mapped_column(Boolean)
    via: Mapped[str] = mapped_column(String(16), default="scan")  # "scan" | "invitation"
    invitation_id: Mapped[str] = mapped_column(String(36), default="")
    clerk_id: Mapped[str] = mapped_column(String(36), default="")  # "" = not known to the kiosk
    counter_slot: Mapped[int] = mapped_column(Integer, default=0)
    device_id: Mapped[str] = mapped_column(String(36))  # the kiosk
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reasons: Mapped[list] = mapped_column(JSONText, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")


class RatingInvitation(Base):
    """A counter's "Mời đánh giá" for a dossier. ``state``: "open" until the dossier is rated ("rated") or the
    invitation is closed ("withdrawn", "replaced", "timeout"); expiry is judged when it is read."""

    __tablename__ = "rating_invitations"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    counter_slot: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(8), default="return")
    device_id: Mapped[str] = mapped_column(String(36))  # the counter that invited
    clerk_id: Mapped[str | None] = mapped_column(String(36))
    clerk_name: Mapped[str] = mapped_column(Text, default="")
    procedure_name: Mapped[str] = mapped_column(Text, default="")
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_rating_invitations_slot_state", RatingInvitation.counter_slot, RatingInvitation.state)


# --- the kiosk's link with its counter over the office network (local to a file, never in the log) ----------


class KioskPairing(Base):
    """On a counter's file: a kiosk on another PC that may talk to this counter (or a one-time pairing code
    waiting for one). Codes and tokens are kept as hashes only."""

    __tablename__ = "kiosk_pairings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    counter_slot: Mapped[int] = mapped_column(Integer)
    code_hash: Mapped[str] = mapped_column(Text, default="")  # argon2 of the one-time code; "" once used
    code_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    code_tries: Mapped[int] = mapped_column(Integer, default=0)
    token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)  # sha256 of the bearer token
    kiosk_device_id: Mapped[str | None] = mapped_column(String(36))
    kiosk_name: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class KioskLink(Base):
    """On a kiosk's own file: the counter it pairs with, the token it authenticates with, and how far it has
    pushed its own events and pulled the counter's."""

    __tablename__ = "kiosk_link"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the local kiosk device
    counter_url: Mapped[str] = mapped_column(Text)
    token: Mapped[str] = mapped_column(Text)
    counter_slot: Mapped[int] = mapped_column(Integer)
    pushed_seq: Mapped[int] = mapped_column(Integer, default=0)  # highest own device_seq the counter holds
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)  # the counter's local_seq pulled up to
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
