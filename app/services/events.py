"""Writing events: one gapless device sequence, the event and its projection in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.ids import uuid7
from app.services import highwater
from app.services.projection import apply_event
from db.models import Counter, Device, Event

EVENT_SEQ = "event_seq"


def next_counter(s: Session, name: str) -> int:
    """Take the next number of a device counter (1, 2, …). Runs inside the caller's write transaction."""
    row = s.get(Counter, name)
    if row is None:
        row = Counter(name=name, value=0)
        s.add(row)
    row.value = highwater.next_value(s, name, row.value)  # never below a number issued before a restore
    s.flush()
    return row.value


def peek_counter(s: Session, name: str) -> int:
    row = s.get(Counter, name)
    return row.value if row else 0


def record_event(
    s: Session,
    device: Device,
    *,
    type: str,
    payload: dict,
    occurred_at: datetime,
    dossier_id: str | None = None,
    actor_id: str | None = None,
    type_version: int = 1,
) -> Event:
    """Append an event from this device and fold it into the projections, in the caller's transaction."""
    event = Event(
        event_id=uuid7(),
        device_id=device.id,
        device_seq=next_counter(s, EVENT_SEQ),
        type=type,
        type_version=type_version,
        dossier_id=dossier_id,
        payload=payload,
        actor_id=actor_id,
        occurred_at=occurred_at,
        server_seq=None,
    )
    s.add(event)
    s.flush()
    apply_event(s, event)
    return event


def events_of(s: Session, dossier_id: str) -> list[Event]:
    return list(s.scalars(select(Event).where(Event.dossier_id == dossier_id).order_by(Event.local_seq)))
