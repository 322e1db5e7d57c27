"""Typed payloads of every event type and version: the only module that knows a payload's keys.

Each payload is a frozen pydantic model with the event type and version it belongs to. Stored payloads
are compact JSON: fields at their default value are left out (``encode``), so a payload never repeats
what the event's own columns say (the dossier id, the device, the actor, the time) or what its type
implies. Older versions are brought up to date by the upcasters in :mod:`app.eventlog.registry` before
a payload is read, so a log written by any earlier release stays readable and is never rewritten.
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

# --- shared value types -------------------------------------------------------------------------------


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a stored instant must carry its time zone")
        return value.astimezone(UTC)
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    raise ValueError(f"not an instant: {value!r}")


def iso(value: datetime | None) -> str | None:
    """An aware instant as stored in payloads and UTC columns: "2026-11-22T02:05:00Z"."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# An aware instant, stored as ISO text in UTC to the second.
Instant = Annotated[datetime, BeforeValidator(_instant), PlainSerializer(iso, return_type=str)]


class Part(BaseModel):
    """A nested value inside a payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Payload(Part):
    """The payload of one event type at one version."""

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]


# The status a dossier goes back to when the citizen brings the papers a supplement request asked for.
ResumeStatus = Literal["received", "in_progress"]


class StepPayload(Payload):
    """A step of a dossier. ``at`` is when it happened as the clerk recorded it (to the minute; it may be
    backdated for paper entered after an outage); left out when it is the event's own minute."""

    at: Instant | None = None
    actor_name: str = ""
    note: str = ""


# --- dossier stream -------------------------------------------------------------------------------------


class ProcedureRef(Part):
    code: str
    name: str
    field: str
    competent_unit: str = ""
    fee_text: str = ""


class ApplicantData(Part):
    name: str
    id_number: str = ""
    birth_date: date | None = None
    address: str = ""
    phone: str = ""
    email: str = ""


# "copy" is the field's name in every stored payload; it hides pydantic's deprecated BaseModel.copy(),
# which nothing here uses, so the warning about it is silenced for these two classes only.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "copy"')

    class PaperData(Part):
        name: str
        original: bool = True
        copy: bool = False
        count: int = 1

    class PaperSpecData(Part):
        name: str
        original: bool = False
        copy: bool = False
        count: int = 1
        required: bool = True


class DurationData(Part):
    kind: str
    value: float = 0


class DeadlineData(Part):
    duration: DurationData
    rule_version: str
    calendar_version: str
    catalogue_version: str


class DossierReceived(Payload):
    """A complete dossier accepted at the counter: its code, book line, applicant, papers and due time."""

    TYPE = "dossier.received"
    VERSION = 2
    code: str
    volume: str
    number: int
    received_at: Instant
    due_at: Instant | None = None
    receiving_unit: str = ""
    clerk_name: str = ""
    procedure: ProcedureRef
    applicant: ApplicantData
    papers: tuple[PaperData, ...] = ()
    sets_count: int = 1
    channel: str = "direct"
    return_method: str = "counter"
    note: str = ""
    deadline: DeadlineData
    extra: dict[str, Any] = Field(default_factory=dict)


class DossierTransferred(StepPayload):
    TYPE = "dossier.transferred"
    VERSION = 2
    from_name: str = ""
    to_name: str = ""
    to_unit: str = ""


class DossierHandedBack(StepPayload):
    TYPE = "dossier.handed_back"
    VERSION = 2
    from_name: str = ""
    from_unit: str = ""
    to_name: str = ""


class SupplementItem(Part):
    name: str
    count: int = 1
    original: bool = False
    certified: bool = False
    photo: bool = False


class SupplementRequested(StepPayload):
    TYPE = "dossier.supplement_requested"
    VERSION = 2
    items: tuple[SupplementItem, ...] = ()
    reason: str = ""
    resume_status: ResumeStatus = "in_progress"


class SupplementReceived(StepPayload):
    TYPE = "dossier.supplement_received"
    VERSION = 2
    paused_minutes: int = 0
    new_due_at: Instant | None = None
    new_statutory_due_at: Instant | None = None
    resume_status: ResumeStatus = "in_progress"


class ResultReady(StepPayload):
    TYPE = "dossier.result_ready"
    VERSION = 2
    from_name: str = ""
    from_unit: str = ""
    to_name: str = ""
    result: str = ""


class DossierReturned(StepPayload):
    TYPE = "dossier.returned"
    VERSION = 2
    collected_by: str = ""
    id_shown: str = ""
    method: str = "counter"


class DossierExtended(StepPayload):
    TYPE = "dossier.extended"
    VERSION = 2
    old_due_at: Instant | None = None
    new_due_at: Instant
    reason: str = ""
    signer_name: str = ""
    signer_title: str = ""
    override: bool = False


class DossierStopped(StepPayload):
    TYPE = "dossier.stopped"
    VERSION = 2
    reason: str = ""
    requested_by: str = ""
    stage: str = ""
    fee_note: str = ""
    signer_name: str = ""
    signer_title: str = ""


class DossierCancelled(StepPayload):
    TYPE = "dossier.cancelled"
    VERSION = 2
    reason: str = ""
    # A cancel after the dossier was handed over needs a leader's decision (the writer checks the role).
    override: bool = False


class ApplicantCorrected(StepPayload):
    """Old and new value of each corrected field (keys: applicant_name, id_number, address, phone, email,
    birth_date)."""

    TYPE = "dossier.applicant_corrected"
    VERSION = 2
    changes: dict[str, tuple[str | None, str | None]]
    reason: str = ""


class DossierShared(StepPayload):
    """The dossier is handed to another commune's centre (a citizen collects it there, or that commune
    decides it): the province server gives that commune's devices the dossier's whole history."""

    TYPE = "dossier.shared"
    VERSION = 1
    agency_code: str
    commune_name: str = ""


class FlagResolved(StepPayload):
    """A person looked at a flag the fold raised on a dossier and says what was done about it."""

    TYPE = "flag.resolved"
    VERSION = 1
    flag_id: str
    outcome: str = ""


# --- intakes without a dossier (their own one-event stream) -----------------------------------------------


class IntakeApplicant(Part):
    name: str
    address: str = ""
    phone: str = ""


class IntakeProcedure(Part):
    code: str
    name: str


class IntakePayload(StepPayload):
    procedure: IntakeProcedure
    applicant: IntakeApplicant
    reason: str = ""
    items: tuple[SupplementItem, ...] = ()


class GuidanceIssued(IntakePayload):
    TYPE = "intake.guidance_issued"
    VERSION = 2


class IntakeRefused(IntakePayload):
    TYPE = "intake.refused"
    VERSION = 2


# --- reference data --------------------------------------------------------------------------------------


class DeviceRegistered(Payload):
    """A counter or kiosk of a commune (stream: the device id)."""

    TYPE = "device.registered"
    VERSION = 1
    kind: Literal["counter", "kiosk", "server"]
    slot: int
    name: str
    agency_code: str


class UserCreated(Payload):
    """A staff account (stream: the user id, the same on every device of the commune)."""

    TYPE = "user.created"
    VERSION = 1
    username: str
    full_name: str
    password_hash: str
    role: str = "clerk"
    title: str = ""
    unit: str = ""


class UserUpdated(Payload):
    """Changed attributes of an account; a field left out is unchanged."""

    TYPE = "user.updated"
    VERSION = 1
    full_name: str | None = None
    password_hash: str | None = None
    role: str | None = None
    title: str | None = None
    unit: str | None = None
    active: bool | None = None


class SettingsChanged(Payload):
    """New values of office settings (stream: ``settings/<agency code>``)."""

    TYPE = "settings.changed"
    VERSION = 1
    values: dict[str, Any]


# The effective date, in the projections, of reference data published "at once" (effective_from None): it
# applies to every day, also days before it was published (a dossier entered late for an earlier day).
ALWAYS = date(1, 1, 1)


class CalendarDaySet(Payload):
    """An off-day or make-up working day decided by the government, the province or the office
    (stream: ``calendar/<agency code>``); kind "none" withdraws an earlier decision for that day.
    Version 2: `effective_from`, the first day deadlines computed take it into account (None: at once)."""

    TYPE = "calendar.day_set"
    VERSION = 2
    day: date
    kind: Literal["off", "work", "none"]
    reason: str = ""
    effective_from: date | None = None


class CatalogueProcedure(Part):
    code: str
    name: str
    field: str = "Khác"
    competent_unit: str = ""
    duration: DurationData
    duration_note: str = ""
    fee_text: str = ""
    papers: tuple[PaperSpecData, ...] = ()
    frequency: float = 0
    active: bool = True


class CataloguePublished(Payload):
    """A whole catalogue version (stream: ``catalogue/<agency code>``). Procedures missing from it are
    deactivated, never deleted: old dossiers name them. Version 2: `effective_from`, the first day it
    applies to (None: at once); until then the version in effect before it stays in use."""

    TYPE = "catalogue.published"
    VERSION = 2
    version: str
    source: str = ""
    procedures: tuple[CatalogueProcedure, ...]
    effective_from: date | None = None


class DeviceConfigured(Payload):
    """New values of one device's own settings: its printer, where and when it backs the file up
    (stream: ``device_settings/<device id>``). A PC's printer or USB disk is its own, not the commune's."""

    TYPE = "device.configured"
    VERSION = 1
    values: dict[str, Any]


# --- the audit trail (stream: ``audit/<device id>``) --------------------------------------------------------


class AuditRecorded(Payload):
    """Someone saw, printed or took away personal data or a report, or the file was backed up or restored:
    what the log of changes does not already say. ``action``: viewed, printed, saved, exported, searched,
    backup, restore; ``subject``: dossier, intake, logbook, daybook, stats, database…; ``ref``: the dossier
    code, period or file it was about; ``detail``: the form, printer, file name or count, in words."""

    TYPE = "audit.recorded"
    VERSION = 1
    action: str
    subject: str = ""
    ref: str = ""
    detail: str = ""
    actor_name: str = ""


# --- the day book (stream: ``logbook/<device id>``) ---------------------------------------------------------


class PrintedLine(Part):
    """A logbook line as a closing printed it: column key -> the cell's text."""

    number: int
    dossier_id: str
    values: dict[str, str]


class LineUpdate(Part):
    """A line printed earlier whose cells changed (a later return, a correction), as the next closing lists it."""

    volume: str
    number: int
    dossier_id: str
    code: str
    received: str
    changes: dict[str, str]


class DayClosed(Payload):
    """A day of a device's volume closed (chốt sổ ngày): the next pages of the volume and what they said,
    so that a reprint gives the same pages."""

    TYPE = "logbook.day_closed"
    VERSION = 1
    volume: str
    day: date
    first_page: int
    last_page: int
    lines: tuple[PrintedLine, ...] = ()
    updates: tuple[LineUpdate, ...] = ()
    totals: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, str] = Field(default_factory=dict)
    actor_name: str = ""


class VolumeClosed(Payload):
    """A device's volume closed at the year's end (khóa sổ): its last pages and the counts they state."""

    TYPE = "logbook.volume_closed"
    VERSION = 1
    volume: str
    closed_on: date
    first_page: int
    last_page: int
    lines: tuple[PrintedLine, ...] = ()
    summary: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, str] = Field(default_factory=dict)
    actor_name: str = ""


# --- satisfaction ratings (stream: ``rating/<dossier code>``) --------------------------------------------------

RatingLevel = Literal["very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"]


class RatingInvited(Payload):
    """The clerk asks the citizen of a dossier to rate the service at the kiosk of this counter ("Mời đánh
    giá"). Open until the dossier is rated, the invitation is closed, or it expires."""

    TYPE = "rating.invited"
    VERSION = 1
    code: str
    counter_slot: int
    stage: Literal["return", "intake"] = "return"
    clerk_name: str = ""
    procedure_name: str = ""
    expires_at: Instant


class RatingInvitationClosed(Payload):
    """An invitation ends without a rating: the clerk withdrew it, another invitation of the counter replaced
    it, or the kiosk went back to its welcome screen without one."""

    TYPE = "rating.invitation_closed"
    VERSION = 1
    invitation_id: str
    reason: Literal["withdrawn", "replaced", "timeout"] = "timeout"


class RatingSubmitted(Payload):
    """A citizen's rating of a dossier at a kiosk (actor: none; the clerk who served, when the kiosk knew it).
    Only the first of a dossier, in canonical order, counts; a later one is kept and marked not counted."""

    TYPE = "rating.submitted"
    VERSION = 1
    code: str
    level: RatingLevel
    scale: Literal[3, 5] = 3
    via: Literal["scan", "invitation"] = "scan"
    invitation_id: str = ""
    clerk_id: str = ""
    counter_slot: int = 0


class RatingReasonsGiven(Payload):
    """The reasons and comment a citizen added after a low score (the score itself is already recorded and
    never changes); attached to the rating only when written by the kiosk that wrote the rating."""

    TYPE = "rating.reasons_given"
    VERSION = 1
    rating_id: str
    reasons: tuple[str, ...] = ()
    comment: str = ""


ALL_PAYLOADS: tuple[type[Payload], ...] = (
    DossierReceived, DossierTransferred, DossierHandedBack, SupplementRequested, SupplementReceived, ResultReady,
    DossierReturned, DossierExtended, DossierStopped, DossierCancelled, ApplicantCorrected, DossierShared,
    FlagResolved,
    GuidanceIssued, IntakeRefused, DeviceRegistered, UserCreated, UserUpdated, SettingsChanged, CalendarDaySet,
    CataloguePublished, DayClosed, VolumeClosed, RatingInvited, RatingInvitationClosed, RatingSubmitted,
    RatingReasonsGiven, DeviceConfigured, AuditRecorded,
)
