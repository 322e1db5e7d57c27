"""This device's own settings (its printer; where, when and how many backups it keeps): not the commune's, since
a PC's printer or USB disk is its own. Changed by an administrator, each change an event of the device."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from sqlalchemy import select

from app.eventlog import append
from app.eventlog.payloads import DeviceConfigured
from app.eventlog.registry import device_settings_stream
from app.services.access import Permission, require_account
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.inputs import clean
from db.models import DeviceSetting

DEVICE_DEFAULTS: dict[str, object] = {
    "printer": "",  # the printer forms go to ("": the system's default printer)
    "backup_auto": True,  # a backup every working day while the counter runs
    "backup_dir": "",  # "": a folder "sao-luu" beside the database file; better: a USB disk
    "backup_time": "11:45",  # from this time of day (the lunch break), once a day
    "backup_keep": 14,  # backups kept in the folder; older ones of this file are removed
}
LABELS = {
    "printer": "Máy in",
    "backup_auto": "Tự động sao lưu hằng ngày",
    "backup_dir": "Thư mục sao lưu",
    "backup_time": "Giờ sao lưu",
    "backup_keep": "Số bản sao lưu giữ lại",
}


@dataclass(frozen=True)
class DeviceSettings:
    printer: str = ""
    backup_auto: bool = True
    backup_dir: str = ""
    backup_time: str = "11:45"
    backup_keep: int = 14
    raw: dict = field(default_factory=dict, compare=False)

    def backup_at(self) -> time:
        h, m = self.backup_time.split(":")
        return time(int(h), int(m))


def read_device_settings(db: Database, device_id: str | None = None) -> DeviceSettings:
    device_id = device_id or db.device.device_id
    values = dict(DEVICE_DEFAULTS)
    with db.reading() as s:
        values.update({r.key: r.value for r in s.scalars(select(DeviceSetting).where(
            DeviceSetting.device_id == device_id))})
    return DeviceSettings(**{k: values[k] for k in DEVICE_DEFAULTS}, raw=values)


def _parse(key: str, text: str) -> object:
    text = str(text).strip()
    if key == "backup_auto":
        if text.lower() in ("1", "true", "on", "có", "bật"):
            return True
        if text.lower() in ("0", "false", "off", "không", "tắt"):
            return False
        raise ServiceError("“backup_auto” là on (tự động sao lưu) hoặc off.")
    if key == "backup_keep":
        if not text.isdigit() or not 1 <= int(text) <= 365:
            raise ServiceError("Số bản sao lưu giữ lại phải là số nguyên từ 1 đến 365.")
        return int(text)
    if key == "backup_time":
        try:
            h, m = text.split(":")
            return f"{time(int(h), int(m)):%H:%M}"
        except ValueError as exc:
            raise ServiceError("Giờ sao lưu phải có dạng giờ:phút, ví dụ 11:45.") from exc
    if key == "backup_dir":
        if text and not Path(text).expanduser().is_absolute():
            raise ServiceError("Thư mục sao lưu phải là đường dẫn đầy đủ, ví dụ E:\\MotCua-saoluu hoặc "
                               "/media/usb/motcua-saoluu.")
        return str(Path(text).expanduser()) if text else ""
    value, problem = clean(text, "setting", label=LABELS.get(key, key))
    if problem:
        raise ServiceError(problem)
    return value


def update_device_settings(db: Database, changes: dict[str, str], *, actor_id: str | None) -> DeviceSettings:
    """An administrator changes this device's settings (text values, checked): one event of the device."""
    unknown = set(changes) - set(DEVICE_DEFAULTS)
    if unknown:
        raise ServiceError(f"Không có thiết lập máy tên {', '.join(sorted(unknown))}. "
                           f"Các thiết lập máy: {', '.join(DEVICE_DEFAULTS)}.")
    values = {k: _parse(k, v) for k, v in changes.items()}
    device = db.device
    with db.transaction() as s:
        require_account(s, actor_id, Permission.ADMINISTER)
        if values:
            append(s, device, DeviceConfigured(values=values), stream_id=device_settings_stream(device.device_id),
                   actor_id=actor_id, occurred_at=db.clock())
    return read_device_settings(db)


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    name: str
    slot: int
    kind: str
    this_file: bool  # a device that writes into this file (this PC's counter, its kiosk)


def list_devices(db: Database) -> list[DeviceInfo]:
    """The commune's devices this file knows of (its own and those it heard of by sync)."""
    from db.models import Device, LocalDevice

    with db.reading() as s:
        local = set(s.scalars(select(LocalDevice.device_id)))
        rows = s.scalars(select(Device).where(Device.kind != "server").order_by(Device.kind, Device.slot))
        return [DeviceInfo(d.id, d.name, d.slot, d.kind, d.id in local) for d in rows]
