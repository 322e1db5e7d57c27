"""The fold from events to projection tables. Pure in the events: the same log gives the same rows.

Every value a handler writes comes from the event (its payload, its time, its ids), never from the
clock, the settings or the catalogue of the moment, so `rebuild` on any device reproduces the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain.calendar import TZ
from app.domain.text import search_key
from db.models import Dossier, DossierStep, Event, LogbookEntry

Handler = Callable[[Session, Event], None]
HANDLERS: dict[str, Handler] = {}
PROJECTION_TABLES = (DossierStep, LogbookEntry, Dossier)


def handles(event_type: str):
    def register(fn: Handler) -> Handler:
        HANDLERS[event_type] = fn
        return fn

    return register


def ts(value: str | None) -> datetime | None:
    """An ISO instant from a payload ("2026-11-22T02:05:00Z") as an aware UTC datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def apply_event(s: Session, event: Event) -> None:
    handler = HANDLERS.get(event.type)
    if handler is not None:  # unknown types (from a newer device) are kept in the log, not folded
        handler(s, event)


def rebuild(s: Session) -> int:
    """Drop every projection row and fold the whole log again, in arrival order. Returns the event count."""
    for table in PROJECTION_TABLES:
        s.execute(delete(table))
    s.flush()
    count = 0
    for event in s.scalars(select(Event).order_by(Event.local_seq)).yield_per(2000):
        apply_event(s, event)
        count += 1
    s.flush()
    return count


def dossier_search_key(d: Dossier) -> str:
    parts = [d.code, d.applicant_name, d.phone, d.applicant_id_number, d.address, d.procedure_name]
    return search_key(" ".join(p for p in parts if p))


def add_step(s: Session, event: Event, kind: str, *, data: dict | None = None, **fields) -> DossierStep:
    p = event.payload
    step = DossierStep(
        dossier_id=event.dossier_id,
        event_id=event.event_id,
        kind=kind,
        at=ts(p.get("at")) or event.occurred_at,
        actor_id=event.actor_id,
        actor_name=p.get("actor_name", ""),
        device_id=event.device_id,
        note=p.get("note", ""),
        data=data or {},
        **fields,
    )
    s.add(step)
    return step


@handles("dossier.received")
def _received(s: Session, event: Event) -> None:
    p = event.payload
    a = p["applicant"]
    proc = p["procedure"]
    received_at = ts(p["received_at"])
    due_at = ts(p.get("due_at"))
    birth = a.get("birth_date")
    d = Dossier(
        id=event.dossier_id,
        code=p["code"],
        device_id=event.device_id,
        clerk_id=event.actor_id,
        clerk_name=p.get("clerk_name", ""),
        procedure_code=proc["code"],
        procedure_name=proc["name"],
        field=proc["field"],
        competent_unit=proc.get("competent_unit", ""),
        applicant_name=a["name"],
        applicant_id_number=a.get("id_number", ""),
        applicant_birth_date=date.fromisoformat(birth) if birth else None,
        address=a.get("address", ""),
        phone=a.get("phone", ""),
        email=a.get("email", ""),
        channel=p.get("channel", "direct"),
        return_method=p.get("return_method", "counter"),
        sets_count=p.get("sets_count", 1),
        papers=p.get("papers", []),
        fee_text=proc.get("fee_text", ""),
        note=p.get("note", ""),
        duration=p["deadline"]["duration"],
        received_at=received_at,
        received_day=received_at.astimezone(TZ).date(),
        due_at=due_at,
        original_due_at=due_at,
        paused_at=None,
        extensions=0,
        status="received",
        rule_version=p["deadline"]["rule_version"],
        calendar_version=p["deadline"]["calendar_version"],
        catalogue_version=p["deadline"]["catalogue_version"],
        volume=p["volume"],
        number=p["number"],
        updated_at=event.occurred_at,
        last_event_seq=event.device_seq,
    )
    d.search_key = dossier_search_key(d)
    s.add(d)
    s.flush()
    s.add(LogbookEntry(device_id=event.device_id, volume=p["volume"], number=p["number"],
                       dossier_id=d.id, received_at=received_at))
    add_step(s, event, "received", giver=a["name"], receiver=p.get("clerk_name", ""),
             unit=p.get("receiving_unit", ""))
