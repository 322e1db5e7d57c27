"""The event envelope: identity, origin, stream, time and ordering of one event, with its decoded payload."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.eventlog import registry
from app.eventlog.payloads import Payload
from app.eventlog.registry import Unreadable


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str  # UUIDv7 made by the device: the global identity and the de-duplication key
    device_id: str  # the device that sequenced it
    device_seq: int  # gapless per device
    stream_type: str  # "dossier", "intake", "user", "settings", "calendar", "catalogue", "device"
    stream_id: str  # the dossier id, user id, … or "settings/<agency code>" for a commune's singletons
    type: str
    type_version: int
    payload: Payload | Unreadable
    actor_id: str | None
    occurred_at: datetime  # the device's clock when it was written (UTC); never used for ordering
    server_seq: int | None = None  # position in the server's log; None until the server has it
    local_seq: int | None = None  # arrival order in this file (orders the events the server has not seen)
    # How many server-ordered events of the stream the writing device had folded when it wrote this one.
    base_version: int = 0
    commune: str = ""  # agency code of the writing device's commune
    payload_sha256: str | None = None  # set by the server
    raw_payload: dict | None = field(default=None, compare=False)

    @property
    def readable(self) -> bool:
        return not isinstance(self.payload, Unreadable)

    def stored_payload(self) -> object:
        """The payload as it is stored: the raw JSON for an unreadable one, else the compact encoding."""
        if isinstance(self.payload, Unreadable):
            return self.payload.raw
        return registry.encode(self.payload)


def canonical_key(e: Event) -> tuple:
    """Server order first, then the events this file holds that the server has not ordered yet, in the
    order they arrived here (for one device: its ``device_seq`` order)."""
    if e.server_seq is not None:
        return (0, e.server_seq, 0)
    return (1, e.local_seq if e.local_seq is not None else 0, e.device_seq)
