"""The event log: typed payloads with upcasters, the envelope, appending and ingesting events, and the one
pure fold from events to projection rows that every device and the server run.

Only this package reads a payload's keys; everything else uses the typed payload classes.
"""

from app.eventlog.changes import ChangeSet, changes_since, latest_change
from app.eventlog.device import COUNTER, KIOSK, DeviceContext, find_local_device, local_devices
from app.eventlog.event import Event, canonical_key
from app.eventlog.payloads import iso
from app.eventlog.registry import Unreadable, decode, encode
from app.eventlog.store import (
    PROJECTION_TABLES,
    append,
    event_from_row,
    fold_all,
    get_event,
    ingest,
    next_counter,
    peek_counter,
    rebuild,
    refold,
    stream_events,
)

__all__ = [
    "COUNTER", "KIOSK", "PROJECTION_TABLES", "ChangeSet", "DeviceContext", "Event", "Unreadable", "append",
    "canonical_key", "changes_since", "decode", "encode", "event_from_row", "find_local_device", "fold_all",
    "get_event", "ingest", "iso", "latest_change", "local_devices", "next_counter", "peek_counter", "rebuild",
    "refold", "stream_events",
]
