"""Setting up an office on a device: settings, this device's slot, the catalogue, staff accounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.domain.ids import uuid7
from app.services.catalogue import SEED_CATALOGUE, import_catalogue_file
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.inputs import clean
from app.services.settings import save_settings
from app.services.users import UserInfo, create_user
from db.models import Device, FileMark, ReferenceVersion


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
        return s.scalar(select(Device).where(Device.is_self.is_(True))) is not None


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
    """First start of a device: office settings, this device (slot 1–9, never reused), accounts, catalogue."""
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
    with db.transaction() as s:
        if s.scalar(select(Device).where(Device.is_self.is_(True))) is not None:
            raise ServiceError("Máy này đã được thiết lập; không thiết lập lại để tránh trùng mã hồ sơ.")
        save_settings(s, settings)
        s.add(Device(id=uuid7(), name=device_name, slot=slot, agency_code=agency, kind="counter",
                     is_self=True, enrolled_at=db.clock()))
        s.merge(ReferenceVersion(kind="settings", version="local-1", updated_at=db.clock()))
        if demo:  # the only place a file becomes a demo: its demo accounts may then act without a password
            s.add(FileMark(key=DEMO_MARK, value="motcua demo", set_at=db.clock()))
        for acc in staff:
            users.append(create_user(s, username=acc.username, full_name=acc.full_name, password=acc.password,
                                     role=acc.role, title=acc.title, unit=acc.unit))
    if catalogue is not None:
        import_catalogue_file(db, catalogue)
    return users
