"""Administrator-set off-days and make-up working days (government swaps, local decisions)."""

from __future__ import annotations

from datetime import date

from app.domain.text import nfc
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.inputs import clean
from db.models import CalendarDayRow, ReferenceVersion


def set_calendar_day(db: Database, *, day: date, kind: str, reason: str) -> None:
    if kind not in ("off", "work"):
        raise ServiceError("Loại ngày phải là “off” (nghỉ) hoặc “work” (làm bù).")
    reason, problem = clean(reason, "day_reason")
    if problem:
        raise ServiceError(problem)
    if not nfc(reason):
        raise ServiceError("Hãy ghi lý do (ví dụ: “Nghỉ bù theo Thông báo số …”).")
    if not 2020 <= day.year <= 2050:
        raise ServiceError("Chỉ quản lý lịch từ năm 2020 đến 2050.")
    with db.transaction() as s:
        s.merge(CalendarDayRow(day=day, kind=kind, reason=nfc(reason)))
        s.merge(ReferenceVersion(kind="calendar", version=f"local-{day.isoformat()}-{kind}", updated_at=db.clock()))
