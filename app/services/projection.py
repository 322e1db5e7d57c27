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
from db.models import Dossier, DossierStep, Event, IntakeSlip, LogbookClosing, LogbookEntry, LogbookPrinted

Handler = Callable[[Session, Event], None]
HANDLERS: dict[str, Handler] = {}
PROJECTION_TABLES = (DossierStep, LogbookEntry, IntakeSlip, Dossier)


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


# --- the lifecycle after reception (each handler applies what its event recorded) ---------------------


def _dossier(s: Session, event: Event) -> Dossier:
    d = s.get(Dossier, event.dossier_id)
    if d is None:  # an event about a dossier this device has not seen (sync order guarantees otherwise)
        raise LookupError(f"event {event.event_id} refers to unknown dossier {event.dossier_id}")
    return d


def step(event_type: str):
    """Register a handler for a step of an existing dossier: it gets the dossier row and the payload, and
    the row is stamped with the event afterwards (the same for every step, so it lives here once)."""

    def register(fn: Callable[[Session, Event, Dossier, dict], None]):
        def handler(s: Session, event: Event) -> None:
            d = _dossier(s, event)
            fn(s, event, d, event.payload)
            d.updated_at = event.occurred_at
            d.last_event_seq = event.device_seq

        HANDLERS[event_type] = handler
        return fn

    return register


@step("dossier.transferred")
def _transferred(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.status = "in_progress"
    d.holder = p.get("to_unit") or p.get("to_name", "")
    if d.first_transfer_at is None:
        d.first_transfer_at = ts(p["at"])
    add_step(s, event, "transferred", giver=p.get("from_name", ""), receiver=p.get("to_name", ""),
             unit=p.get("to_unit", ""))


@step("dossier.handed_back")
def _handed_back(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.holder = ""
    add_step(s, event, "handed_back", giver=p.get("from_name", ""), receiver=p.get("to_name", ""),
             unit=p.get("from_unit", ""))


@step("dossier.supplement_requested")
def _supplement_requested(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.status = "supplement"
    d.paused_at = ts(p["at"])
    add_step(s, event, "supplement_requested", receiver=d.applicant_name,
             data={"items": p.get("items", []), "reason": p.get("reason", ""), "resume_status": p["resume_status"]})


@step("dossier.supplement_received")
def _supplement_received(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.status = p["resume_status"]
    d.paused_at = None
    d.paused_minutes += int(p.get("paused_minutes", 0))
    d.due_at = ts(p.get("new_due_at"))
    d.original_due_at = ts(p.get("new_statutory_due_at"))
    add_step(s, event, "supplement_received", giver=d.applicant_name,
             data={"paused_minutes": p.get("paused_minutes", 0), "new_due_at": p.get("new_due_at")})


@step("dossier.result_ready")
def _result_ready(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.status = "result_ready"
    d.result_at = ts(p["at"])
    d.holder = ""
    add_step(s, event, "result_ready", giver=p.get("from_name", ""), receiver=p.get("to_name", ""),
             unit=p.get("from_unit", ""), data={"result": p.get("result", "")})


@step("dossier.returned")
def _returned(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.status = "returned"
    d.returned_at = ts(p["at"])
    if d.result_at is None:
        d.result_at = d.returned_at
    add_step(s, event, "returned", giver=p.get("actor_name", ""), receiver=p.get("collected_by", ""),
             data={"id_shown": p.get("id_shown", ""), "method": p.get("method", "counter")})


@step("dossier.extended")
def _extended(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.due_at = ts(p["new_due_at"])
    d.extensions += 1
    add_step(s, event, "extended", data={"old_due_at": p.get("old_due_at"), "new_due_at": p["new_due_at"],
                                         "reason": p.get("reason", ""), "signer_name": p.get("signer_name", ""),
                                         "signer_title": p.get("signer_title", ""), "override": p.get("override")})


@step("dossier.stopped")
def _stopped(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.status = "stopped"
    d.paused_at = None
    d.closed_note = p.get("reason", "")
    add_step(s, event, "stopped", data={"reason": p.get("reason", ""), "requested_by": p.get("requested_by", ""),
                                        "stage": p.get("stage", ""), "fee_note": p.get("fee_note", ""),
                                        "signer_name": p.get("signer_name", ""),
                                        "signer_title": p.get("signer_title", "")})


@step("dossier.cancelled")
def _cancelled(s: Session, event: Event, d: Dossier, p: dict) -> None:
    d.status = "cancelled"
    d.paused_at = None
    d.closed_note = p.get("reason", "")
    add_step(s, event, "cancelled", data={"reason": p.get("reason", ""), "previous_status": p.get("previous_status")})


CORRECTABLE = {"applicant_name": "applicant_name", "id_number": "applicant_id_number", "address": "address",
               "phone": "phone", "email": "email", "birth_date": "applicant_birth_date"}


@step("dossier.applicant_corrected")
def _applicant_corrected(s: Session, event: Event, d: Dossier, p: dict) -> None:
    for key, (_old, new) in p["changes"].items():
        value = date.fromisoformat(new) if key == "birth_date" and new else new
        setattr(d, CORRECTABLE[key], value)
    d.search_key = dossier_search_key(d)
    add_step(s, event, "corrected", data={"changes": p["changes"], "reason": p.get("reason", "")})


@handles("intake.guidance_issued")
@handles("intake.refused")
def _intake_slip(s: Session, event: Event) -> None:
    p = event.payload
    s.add(IntakeSlip(
        event_id=event.event_id, kind="guidance" if event.type == "intake.guidance_issued" else "refusal",
        at=ts(p["at"]), device_id=event.device_id, clerk_id=event.actor_id, clerk_name=p.get("actor_name", ""),
        procedure_code=p["procedure"]["code"], procedure_name=p["procedure"]["name"],
        applicant_name=p["applicant"]["name"], address=p["applicant"].get("address", ""),
        phone=p["applicant"].get("phone", ""), reason=p.get("reason", ""), items=p.get("items", []),
    ))


# --- the day book (issue 12): a closed day, a closed volume ------------------------------------------
# The only code that knows the keys of the "logbook.day_closed" and "logbook.volume_closed" payloads:
# the two builders below (app.services.daybook calls them) and the handlers after them.

DAY_CLOSED = "logbook.day_closed"
VOLUME_CLOSED = "logbook.volume_closed"


def day_closed_payload(*, volume: str, day: date, first_page: int, last_page: int, lines: list[dict],
                       updates: list[dict], totals: dict, context: dict, actor_name: str) -> dict:
    """The payload of closing a day of a volume: which lines and pages, and what the pages said.

    `lines`: the new lines printed, ``{"number", "dossier_id", "values"}`` (values: column key -> cell
    text as printed); `updates`: lines printed earlier whose values changed, ``{"volume", "number",
    "dossier_id", "code", "received", "changes"}``; `totals`: the day's totals as printed; `context`: the
    office, device and signer names printed on the pages.
    """
    return {"volume": volume, "day": day.isoformat(), "first_page": first_page, "last_page": last_page,
            "lines": lines, "updates": updates, "totals": totals, "context": context, "actor_name": actor_name}


def volume_closed_payload(*, volume: str, closed_on: date, first_page: int, last_page: int, lines: list[dict],
                          summary: dict, context: dict, actor_name: str) -> dict:
    """The payload of closing a volume at the year's end (khóa sổ): its last pages and what they state.

    `lines` as for a day (lines written after the volume's last day was closed, printed before the
    closing statement); `summary`: the counts the statement gives.
    """
    return {"volume": volume, "closed_on": closed_on.isoformat(), "first_page": first_page,
            "last_page": last_page, "lines": lines, "summary": summary, "context": context,
            "actor_name": actor_name}


def _closing_exists(s: Session, event: Event, volume: str, kind: str, day: date) -> bool:
    q = select(LogbookClosing.id).where(LogbookClosing.device_id == event.device_id,
                                        LogbookClosing.volume == volume, LogbookClosing.kind == kind)
    if kind == "day":
        q = q.where(LogbookClosing.day == day)
    return s.scalar(q) is not None


def _printed(s: Session, event: Event, volume: str, lines: list[dict], updates: list[dict]) -> None:
    for ln in lines:
        s.merge(LogbookPrinted(device_id=event.device_id, volume=volume, number=ln["number"],
                               dossier_id=ln["dossier_id"], values=ln["values"], event_id=event.event_id))
    for u in updates:
        row = s.get(LogbookPrinted, (event.device_id, u["volume"], u["number"]))
        values = {**(row.values if row else {}), **u["changes"]}
        s.merge(LogbookPrinted(device_id=event.device_id, volume=u["volume"], number=u["number"],
                               dossier_id=u["dossier_id"], values=values, event_id=event.event_id))


@handles(DAY_CLOSED)
def _day_closed(s: Session, event: Event) -> None:
    p = event.payload
    day = date.fromisoformat(p["day"])
    if _closing_exists(s, event, p["volume"], "day", day):
        return  # the same day closed twice on one device: the first closing stands
    s.add(LogbookClosing(
        event_id=event.event_id, device_id=event.device_id, volume=p["volume"], kind="day", day=day,
        first_page=p["first_page"], last_page=p["last_page"], numbers=[ln["number"] for ln in p["lines"]],
        rows=[{"number": ln["number"], "values": ln["values"]} for ln in p["lines"]], updates=p["updates"],
        totals=p["totals"], context=p["context"], closed_at=event.occurred_at, actor_id=event.actor_id,
        actor_name=p.get("actor_name", "")))
    _printed(s, event, p["volume"], p["lines"], p["updates"])
    s.flush()


@handles(VOLUME_CLOSED)
def _volume_closed(s: Session, event: Event) -> None:
    p = event.payload
    day = date.fromisoformat(p["closed_on"])
    if _closing_exists(s, event, p["volume"], "volume", day):
        return
    s.add(LogbookClosing(
        event_id=event.event_id, device_id=event.device_id, volume=p["volume"], kind="volume", day=day,
        first_page=p["first_page"], last_page=p["last_page"], numbers=[ln["number"] for ln in p["lines"]],
        rows=[{"number": ln["number"], "values": ln["values"]} for ln in p["lines"]], updates=[],
        totals=p["summary"], context=p["context"], closed_at=event.occurred_at, actor_id=event.actor_id,
        actor_name=p.get("actor_name", "")))
    _printed(s, event, p["volume"], p["lines"], [])
    s.flush()


PROJECTION_TABLES = (*PROJECTION_TABLES, LogbookClosing, LogbookPrinted)
