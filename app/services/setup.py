"""Setting up an office on a device: this device, settings, the catalogue, staff accounts: all events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.domain.ids import uuid7
from app.eventlog import DeviceContext, append, find_local_device
from app.eventlog.payloads import DeviceRegistered
from app.services.catalogue import SEED_CATALOGUE, seed_catalogue_file
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.inputs import clean
from app.services.settings import save_settings
from app.services.users import UserInfo, first_accounts
from db.models import Counter, Device, FileMark, LocalDevice


@dataclass(frozen=True)
class StaffAccount:
    username: str
    full_name: str
    password: str
    role: str = "clerk"
    title: str = ""
    unit: str = ""


DEMO_MARK = "demo"


def is_demo(db: Database) -> bool:
    """True for a file made by `motcua demo` (and only such a file)."""
    with db.reading() as s:
        return s.get(FileMark, DEMO_MARK) is not None


def is_configured(db: Database) -> bool:
    with db.reading() as s:
        return find_local_device(s, db.device_kind, db.device_slot) is not None


def register_local_device(s: Session, *, kind: str, slot: int, name: str, agency_code: str, at,
                          device_id: str | None = None, written: int = 0) -> DeviceContext:
    """Make `device_id` (new if None) a device whose events this file writes. A new device records itself
    in the log (its first event, device_seq 1); a device that already wrote `written` events elsewhere (a
    PC reinstalled and enrolled again) continues its sequence after them, and gets them back by sync."""
    if s.scalar(select(LocalDevice).where(LocalDevice.kind == kind, LocalDevice.slot == slot)) is not None:
        raise ServiceError(f"Tệp dữ liệu này đã có thiết bị loại {kind} số hiệu {slot}.")
    device = DeviceContext(device_id or uuid7(), kind, slot, agency_code, name)
    s.execute(insert(LocalDevice).values(device_id=device.device_id, kind=kind, slot=slot))
    if written:
        s.execute(insert(Counter).values(device_id=device.device_id, name="event_seq", value=written))
        s.execute(insert(Device).values(id=device.device_id, name=name, slot=slot, agency_code=agency_code, kind=kind,
                                        enrolled_at=at.astimezone(UTC).replace(microsecond=0)))
        return device
    append(s, device, DeviceRegistered(kind=kind, slot=slot, name=name, agency_code=agency_code),
           stream_id=device.device_id, actor_id=None, occurred_at=at)
    return device


def initialise_office(
    db: Database,
    *,
    settings: dict[str, object],
    slot: int,
    device_name: str,
    staff: list[StaffAccount],
    catalogue: Path | str | None = SEED_CATALOGUE,
    demo: bool = False,
) -> list[UserInfo]:
    """First start of a device: this device (slot 1–9, never reused), office settings, accounts, catalogue."""
    if not 1 <= slot <= 9:
        raise ServiceError("Số hiệu máy (slot) phải từ 1 đến 9 và không trùng với máy khác của đơn vị.")
    agency = str(settings.get("agency_code", "")).strip()
    if not agency or len(agency) > 13:
        raise ServiceError("Mã định danh điện tử của cơ quan (tối đa 13 ký tự, ví dụ 000.17.22.H56) là bắt buộc.")
    settings = dict(settings)
    for key, value in settings.items():
        if isinstance(value, str) and key != "agency_code":
            settings[key], problem = clean(value, "setting", label=f"Thiết lập “{key}”")
            if problem:
                raise ServiceError(problem)
    users: list[UserInfo] = []
    now = db.clock()
    with db.transaction() as s:
        if find_local_device(s, "counter") is not None:
            raise ServiceError("Máy này đã được thiết lập; không thiết lập lại để tránh trùng mã hồ sơ.")
        device = register_local_device(s, kind="counter", slot=slot, name=device_name, agency_code=agency, at=now)
        save_settings(s, device, settings, at=now)
        if demo:  # the only place a file becomes a demo: its demo accounts may then act without a password
            s.add(FileMark(key=DEMO_MARK, value="motcua demo", set_at=db.clock()))
        for acc in staff:
            users.append(first_accounts(s, device, username=acc.username, full_name=acc.full_name,
                                     password=acc.password, role=acc.role, title=acc.title, unit=acc.unit, at=now))
    db.forget_device()
    if catalogue is not None:
        seed_catalogue_file(db, catalogue)
    return users
