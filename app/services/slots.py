"""Dossier code numbers of this device for a day: its own slot first, then any extra slots it was given.

Each slot makes at most 999 codes a day (`<agency>-<yyMMdd>-<slot><nnn>`). A counter that must take more
(a day of back-entry after an outage) gets a second slot that no other device of the unit uses
(`motcua admin extra-slot`); codes then go on under that slot, and the format stays the one the
province's systems read.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.codes import MAX_PER_DAY, day_counter_name, format_code
from app.eventlog import DeviceContext, next_counter
from app.services.access import Permission, require_account
from app.services.database import Database
from app.services.errors import ServiceError
from db.models import Device, ExtraSlot

FULL = ("Máy này đã cấp đủ {n} mã hồ sơ trong ngày {day:%d/%m/%Y} (số hiệu máy {slots}); hồ sơ chưa được lưu, "
        "thông tin đã nhập vẫn còn nguyên. Hãy tiếp nhận ở máy khác của Bộ phận Một cửa, hoặc nhờ quản trị hệ thống "
        "cấp cho máy này một số hiệu phụ chưa máy nào dùng: motcua admin extra-slot --db <tệp> --slot <số 1–9>.")


def counter_name(day: date, slot: int, own_slot: int) -> str:
    return day_counter_name(day) if slot == own_slot else f"code{slot}:{day:%Y%m%d}"


_EXTRA = text("SELECT slot FROM extra_slots WHERE device_id = :device ORDER BY added_at, slot")


def device_slots(s: Session, device: DeviceContext) -> list[int]:
    """This device's slots in the order they are used: its own, then the extra ones as they were given."""
    return [device.slot, *s.scalars(_EXTRA, {"device": device.device_id})]


def allocate_code(s: Session, agency: str, device: DeviceContext, day: date) -> str:
    """The next dossier code of this device for `day`, in the caller's write transaction; a clear
    ServiceError (nothing taken) once every slot of the device has made 999 codes that day."""
    slots = device_slots(s, device)
    for slot in slots:
        number = next_counter(s, device.device_id, counter_name(day, slot, device.slot))
        if number <= MAX_PER_DAY:  # a slot that is full only counts on (the 1000th is never a code)
            return format_code(agency, day, slot, number)
    raise ServiceError(FULL.format(n=MAX_PER_DAY * len(slots), day=day, slots=", ".join(map(str, slots))))


def add_extra_slot(db: Database, slot: int, *, actor_id: str | None) -> list[int]:
    """An administrator gives this device one more slot (1–9, used by no counter of the unit); returns its
    slots."""
    device = db.device
    with db.transaction() as s:
        require_account(s, actor_id, Permission.ADMINISTER)
        if not 1 <= slot <= 9:
            raise ServiceError("Số hiệu máy phụ phải từ 1 đến 9.")
        taken = set(s.scalars(select(Device.slot).where(Device.agency_code == device.agency_code,
                                                        Device.kind == "counter")))
        taken |= set(s.scalars(select(ExtraSlot.slot)))
        if slot in taken:
            raise ServiceError(f"Số hiệu {slot} đã được dùng (cho máy này hoặc một máy khác của đơn vị); "
                               "hãy chọn một số chưa máy nào dùng.")
        s.add(ExtraSlot(slot=slot, device_id=device.device_id, added_at=db.clock()))
        s.flush()
        return device_slots(s, device)
