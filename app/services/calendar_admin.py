"""Administrator-set off-days and make-up working days (government swaps, local decisions)."""

from __future__ import annotations

from datetime import date

from app.domain.calendar import SUPPORTED_YEARS
from app.domain.text import nfc
from app.eventlog import append
from app.eventlog.payloads import CalendarDaySet
from app.eventlog.registry import CALENDAR, reference_stream
from app.services.access import Permission, require_account
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.inputs import clean


def set_calendar_day(db: Database, *, day: date, kind: str, reason: str, actor_id: str | None,
                     effective_from: date | None = None) -> None:
    """An administrator's off-day or make-up working day (kind "none" withdraws an earlier one), as an event of
    the commune's calendar; deadlines computed from `effective_from` on take it into account (None: at once).
    Dossiers received earlier keep the deadlines they were given."""
    with db.reading() as s:
        require_account(s, actor_id, Permission.ADMINISTER)
    if kind not in ("off", "work", "none"):
        raise ServiceError("Loại ngày phải là “off” (nghỉ), “work” (làm bù) hoặc “none” (bỏ quyết định trước).")
    reason, problem = clean(reason, "day_reason")
    if problem:
        raise ServiceError(problem)
    if kind != "none" and not nfc(reason):
        raise ServiceError("Hãy ghi lý do (ví dụ: “Nghỉ bù theo Thông báo số …”).")
    if day.year not in SUPPORTED_YEARS:
        raise ServiceError(f"Chỉ quản lý lịch từ năm {SUPPORTED_YEARS.start} đến {SUPPORTED_YEARS.stop - 1}.")
    device = db.device
    with db.transaction() as s:
        append(s, device, CalendarDaySet(day=day, kind=kind, reason=nfc(reason), effective_from=effective_from),
               stream_id=reference_stream(CALENDAR, device.agency_code), actor_id=actor_id, occurred_at=db.clock())
