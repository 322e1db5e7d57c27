"""The sync protocol between a device and the province's server (HTTP + JSON, /api/v1): the messages both
sides speak, as pydantic models. The server's OpenAPI is generated from them.

A sync round is: hello (versions, clock, where each side stands) → push this device's unsent events in
``device_seq`` order, in batches → pull the events of its scope after its cursor, page by page. Every
step can be repeated after any failure: pushes are idempotent by event id, pulls by cursor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL = 1
MAX_BATCH = 500  # events per push
MAX_PAGE = 1000  # events per pull page
MAX_BODY = 4 * 1024 * 1024  # bytes of a request body


class Message(BaseModel):
    """What a device sends: the server refuses a field it does not know (a typo, or hostile input)."""

    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    """What the server answers: a device ignores fields it does not know, so that a province can upgrade its
    server first and its counters over the following weeks (a newer server adds fields; older devices go on)."""

    model_config = ConfigDict(extra="ignore")


class WireEvent(Message):
    """An event as it travels: the envelope and its stored payload (JSON as the device stored it)."""

    event_id: str = Field(min_length=36, max_length=36)
    device_id: str = Field(min_length=36, max_length=36)
    device_seq: int = Field(ge=1)
    stream_type: str = Field(max_length=16)
    stream_id: str = Field(min_length=1, max_length=64)
    type: str = Field(max_length=64)
    type_version: int = Field(ge=1, le=1000)
    payload: Any
    actor_id: str | None = Field(default=None, max_length=36)
    occurred_at: datetime
    base_version: int = Field(default=0, ge=0)
    server_seq: int | None = None  # set by the server in pulls; ignored in pushes
    commune: str = Field(default="", max_length=16)  # set by the server in pulls (from the device record)


class EnrollRequest(Message):
    code: str = Field(min_length=4, max_length=64)
    app_version: str = Field(default="", max_length=32)
    # A PC that already keeps a log (set up on its own before the province had a server) keeps its device id
    # and commune: the server adopts them if the code is for a device that has sent nothing yet.
    device_id: str | None = Field(default=None, min_length=36, max_length=36)
    agency_code: str | None = Field(default=None, max_length=16)


class EnrollResponse(Reply):
    device_id: str
    token: str  # shown once; the server keeps only its hash
    kind: Literal["counter", "kiosk"]
    slot: int
    name: str
    agency_code: str
    commune_name: str
    server_id: str
    epoch: str
    acked_seq: int  # events of this device the server already holds (a re-enrolled PC continues after them)


class HelloRequest(Message):
    protocol: int = PROTOCOL
    app_version: str = Field(default="", max_length=32)
    device_time: datetime
    local_seq: int = Field(ge=0, description="the highest device_seq this device has written")
    cursor: str = Field(default="", max_length=128)


class HelloResponse(Reply):
    server_id: str
    epoch: str
    server_time: datetime
    acked_seq: int  # the highest contiguous device_seq of this device the server holds
    must_resync: bool  # the cursor belongs to another epoch or server: pull again from the start
    clock_offset_s: int  # server time − device time, in seconds
    message: str = ""
    # events in the device's scope after the cursor it sent: pull them. False: nothing new, an idle round ends
    # here (unless the device pushed: its own events come back with their server_seq). A server that does not
    # say (older) means "pull".
    behind: bool = True


class PushRequest(Message):
    device_id: str
    events: list[WireEvent] = Field(max_length=MAX_BATCH)


class PushResult(Reply):
    event_id: str
    status: Literal["stored", "duplicate", "quarantined"]
    reason: str = ""


class PushResponse(Reply):
    acked_seq: int
    results: list[PushResult]


class GapResponse(Reply):
    """409 on a push whose first new event is not the next of the device's sequence."""

    detail: str
    expected_seq: int


class PulledEvent(WireEvent):
    """An event in a pull's page: as pushed, plus what the server sets; fields of a newer server are ignored."""

    model_config = ConfigDict(extra="ignore")


class PullResponse(Reply):
    events: list[PulledEvent]
    next_cursor: str
    has_more: bool
    epoch: str


class RefSnapshot(Reply):
    dataset: Literal["users", "settings", "calendar", "catalogue"]
    version: int  # the server position of the dataset's latest event in the commune
    items: list[dict[str, Any]]


class Problem(Reply):
    """Every 4xx/5xx answer: a Vietnamese sentence a person can act on, never a stack trace."""

    detail: str
    code: str = ""


def cursor_text(server_id: str, epoch: str, seq: int) -> str:
    return f"{server_id}:{epoch}:{seq}"


def parse_cursor(text: str) -> tuple[str, str, int] | None:
    parts = text.split(":")
    if len(parts) != 3:
        return None
    try:
        return parts[0], parts[1], int(parts[2])
    except ValueError:
        return None
