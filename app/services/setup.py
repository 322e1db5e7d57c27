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


SETUP_LABELS = {"agency_code": "Mã định danh điện tử", "parent_body": "Cơ quan chủ quản",
                "center_name": "Tên trung tâm / bộ phận một cửa", "place_name": "Địa danh"}


def office_phone_problem(phone: str) -> str | None:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+84"):
        digits = "0" + digits[2:]
    if phone.strip() and (len(digits) not in (10, 11) or not digits.startswith("0")
                          or any(not (ch.isdigit() or ch in " .+-()") for ch in phone)):
        return "Số điện thoại của quầy gồm 10 hoặc 11 chữ số bắt đầu bằng 0, ví dụ 0251 3861 234 hoặc 0912 345 678."
    return None


def check_setup(settings: dict[str, object], *, slot: int) -> dict[str, str]:
    """What is wrong with a new office's settings and this device's slot, by field (empty: all good): the
    agency code's format (it is in every dossier code and never changes), the names printed on every form,
    the lookup address, the counter's phone, the office hours, the slot."""
    from app.domain.codes import agency_code_problem

    problems: dict[str, str] = {}
    agency = str(settings.get("agency_code", "")).strip().upper()
    if m := agency_code_problem(agency):
        problems["agency_code"] = m
    for key in ("parent_body", "center_name", "place_name"):
        if not str(settings.get(key, "")).strip():
            problems[key] = f"Cần nhập {SETUP_LABELS[key].lower()} (in trên mọi biểu mẫu)."
    url = str(settings.get("lookup_url_template", "") or "")
    if url and ("{code}" not in url or not url.startswith(("http://", "https://"))):
        problems["lookup_url_template"] = ("Mẫu địa chỉ tra cứu bắt đầu bằng http:// hoặc https:// và có {code} "
                                           "(chỗ điền mã hồ sơ), ví dụ https://dichvucong.tinh.gov.vn/tra-cuu/{code}.")
    if m := office_phone_problem(str(settings.get("contact_phone", "") or "")):
        problems["contact_phone"] = m
    if "office_hours" in settings:
        from app.services.settings import DEFAULTS, OfficeSettings

        try:
            hours = OfficeSettings(**{**{k: DEFAULTS[k] for k in DEFAULTS},
                                      "office_hours": settings["office_hours"]}).hours()
            if not (hours.morning_start < hours.morning_end <= hours.afternoon_start < hours.afternoon_end):
                raise ValueError
        except (ValueError, KeyError, TypeError, IndexError):
            problems["office_hours"] = ("Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu "
                                        "< chiều kết thúc, ví dụ 07:00–11:30 và 13:30–17:00.")
    if not isinstance(slot, int) or not 1 <= slot <= 9:
        problems["slot"] = "Số hiệu máy phải từ 1 đến 9 và không trùng với máy khác của đơn vị."
    return problems


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
    problems = check_setup(settings, slot=slot)
    if problems:
        raise ServiceError(" ".join(problems.values()))
    agency = str(settings.get("agency_code", "")).strip().upper()
    settings = dict(settings, agency_code=agency)
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


def _remove_new_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-highwater", "-highwater-wal", "-highwater-shm", "-lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def create_office_file(path: Path | str, *, settings: dict[str, object], slot: int, device_name: str,
                       admin: StaffAccount, catalogue: Path | str | None = SEED_CATALOGUE) -> UserInfo:
    """The set-up window's "Thiết lập": a new file at `path` holding the office, this device, its first
    administrator and the seed catalogue. Nothing is left behind if it fails (a file this call made is
    removed). Returns the administrator's account. Call it from a worker."""
    problems = check_setup(settings, slot=slot)
    if problems:
        raise ServiceError(" ".join(problems.values()))
    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    try:
        db = Database(path, create=True)
    except ServiceError:
        raise
    try:
        users = initialise_office(db, settings=settings, slot=slot, device_name=device_name, staff=[admin],
                                  catalogue=catalogue)
    except BaseException:
        db.close()
        if not existed:
            _remove_new_file(path)
        raise
    db.close()
    return users[0]


def enroll_new_file(path: Path | str, *, server_url: str, code: str, kind: str = "counter", client=None):
    """The set-up window's enrolment: a new file at `path` that gets its commune, slot and data from the
    province's server (app.sync.client.enroll), then one sync round. Nothing is left behind if enrolment
    fails. Returns the server's answer. Call it from a worker."""
    from app.sync import client as sync

    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    db = Database(path, create=True, device_kind=kind)
    try:
        got = sync.enroll(db, server_url=server_url, code=code, kind=kind,
                          **({"client": client} if client is not None else {}))
    except BaseException:
        db.close()
        if not existed:
            _remove_new_file(path)
        raise
    try:
        sync.SyncClient(db, **({"client": client} if client is not None else {})).sync_once()
    except sync.SyncError:
        pass  # enrolled: the counter's sync worker carries on from here
    finally:
        db.close()
    return got
