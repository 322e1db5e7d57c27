"""Which payload class reads which (type, version), the upcasters from older versions, and the stream each
event type belongs to.

A stored payload is decoded by bringing it up to the current version with the upcasters (pure dict -> dict
functions, one per older version) and validating it with the current class. A type this program does not
know, a version newer than it knows, or a payload that does not validate decodes to :class:`Unreadable`:
the event stays in the log untouched and the fold skips it (and flags its dossier), so nothing is lost and
a newer program reads it later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.eventlog import payloads as p

# stream types
DOSSIER, INTAKE, DEVICE, USER, SETTINGS, CALENDAR, CATALOGUE, LOGBOOK, RATING = (
    "dossier", "intake", "device", "user", "settings", "calendar", "catalogue", "logbook", "rating")
DEVICE_SETTINGS, AUDIT = "device_settings", "audit"

CURRENT: dict[str, type[p.Payload]] = {cls.TYPE: cls for cls in p.ALL_PAYLOADS}

STREAM_OF: dict[str, str] = {
    **{t: DOSSIER for t in CURRENT if t.startswith("dossier.")},
    p.FlagResolved.TYPE: DOSSIER,
    p.GuidanceIssued.TYPE: INTAKE,
    p.IntakeRefused.TYPE: INTAKE,
    p.DeviceRegistered.TYPE: DEVICE,
    p.UserCreated.TYPE: USER,
    p.UserUpdated.TYPE: USER,
    p.SettingsChanged.TYPE: SETTINGS,
    p.CalendarDaySet.TYPE: CALENDAR,
    p.CataloguePublished.TYPE: CATALOGUE,
    p.DayClosed.TYPE: LOGBOOK,
    p.VolumeClosed.TYPE: LOGBOOK,
    p.RatingInvited.TYPE: RATING,
    p.RatingInvitationClosed.TYPE: RATING,
    p.RatingSubmitted.TYPE: RATING,
    p.RatingReasonsGiven.TYPE: RATING,
    p.DeviceConfigured.TYPE: DEVICE_SETTINGS,
    p.AuditRecorded.TYPE: AUDIT,
}


@dataclass(frozen=True)
class Unreadable:
    """A payload this program cannot read: kept as stored, skipped by the fold."""

    type: str
    version: int
    raw: Any
    reason: str  # "unknown_type" | "newer_version" | "invalid"


# --- upcasters: (type, from_version) -> function giving the payload of from_version + 1 ----------------------

Upcaster = Callable[[dict], dict]
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(type_: str, from_version: int):
    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(type_, from_version)] = fn
        return fn

    return register


@upcaster("dossier.received", 1)
def _received_v1(d: dict) -> dict:
    """Version 1 repeated what other fields say: the procedure's duration in words and whether it has a
    deadline (both follow from the duration)."""
    d = dict(d)
    d["procedure"] = {k: v for k, v in d["procedure"].items() if k != "duration_text"}
    d["deadline"] = {k: v for k, v in d["deadline"].items() if k != "no_deadline"}
    if d.get("applicant", {}).get("birth_date") is None:
        d["applicant"] = {k: v for k, v in d["applicant"].items() if k != "birth_date"}
    return d


@upcaster("dossier.cancelled", 1)
def _cancelled_v1(d: dict) -> dict:
    """Version 1 stored the status before cancelling, which the fold knows; version 2 records instead
    whether a leader allowed a cancel after the hand-over."""
    return {k: v for k, v in d.items() if k != "previous_status"}


def _same(d: dict) -> dict:
    """Version 2 only made ``at`` optional (left out when it is the event's own minute): v1 is valid v2."""
    return d


def _at_once(d: dict) -> dict:
    """Version 1 had no effective date: it applied at once, as a version 2 without one does."""
    return d


UPCASTERS[("calendar.day_set", 1)] = _at_once
UPCASTERS[("catalogue.published", 1)] = _at_once

for _t in ("dossier.transferred", "dossier.handed_back", "dossier.supplement_requested",
           "dossier.supplement_received", "dossier.result_ready", "dossier.returned", "dossier.extended",
           "dossier.stopped", "dossier.applicant_corrected", "intake.guidance_issued", "intake.refused"):
    UPCASTERS[(_t, 1)] = _same


# --- decode / encode ---------------------------------------------------------------------------------------


def decode(type_: str, version: int, raw: Any) -> p.Payload | Unreadable:
    cls = CURRENT.get(type_)
    if cls is None:
        return Unreadable(type_, version, raw, "unknown_type")
    if version > cls.VERSION:
        return Unreadable(type_, version, raw, "newer_version")
    data = raw
    try:
        for v in range(version, cls.VERSION):
            data = UPCASTERS[(type_, v)](data)
        return cls.model_validate(data)
    except (ValidationError, KeyError, TypeError, AttributeError, ValueError):
        return Unreadable(type_, version, raw, "invalid")


def encode(payload: p.Payload) -> dict:
    """The compact stored form: JSON values, defaults left out."""
    return payload.model_dump(mode="json", exclude_defaults=True)


def stream_type_of(type_: str) -> str | None:
    return STREAM_OF.get(type_)


def logbook_stream(device_id: str) -> str:
    """The stream of a device's day book: every closing of every volume of that device."""
    return f"{LOGBOOK}/{device_id}"


def rating_stream(code: str) -> str:
    """The stream of a dossier's ratings and invitations, by its code (a kiosk may not hold the dossier)."""
    return f"{RATING}/{code}"


def device_settings_stream(device_id: str) -> str:
    """The stream of one device's own settings (printer, backups)."""
    return f"{DEVICE_SETTINGS}/{device_id}"


def audit_stream(device_id: str) -> str:
    """The stream of what was viewed, printed and exported on one device. Its fold is one row per event, so
    the store adds rows for new events only instead of folding the stream again."""
    return f"{AUDIT}/{device_id}"


def reference_stream(kind: str, agency_code: str) -> str:
    """The stream id of a commune's settings, calendar or catalogue ("settings/000.17.22.H56")."""
    return f"{kind}/{agency_code}"
