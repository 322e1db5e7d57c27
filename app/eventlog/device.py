"""Who writes: the device context (id, kind, commune, slot) a service writes events as."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Device, LocalDevice

COUNTER, KIOSK, SERVER = "counter", "kiosk", "server"


@dataclass(frozen=True)
class DeviceContext:
    """A device whose events this process writes. A counter and a kiosk sharing one file are two devices,
    each with its own gapless sequence and counters."""

    device_id: str
    kind: str
    slot: int
    agency_code: str
    name: str


def local_devices(s: Session) -> list[DeviceContext]:
    rows = s.execute(select(LocalDevice, Device).join(Device, Device.id == LocalDevice.device_id)
                     .order_by(LocalDevice.kind, LocalDevice.slot)).all()
    return [DeviceContext(d.id, d.kind, d.slot, d.agency_code, d.name) for _local, d in rows]


def find_local_device(s: Session, kind: str = COUNTER, slot: int | None = None) -> DeviceContext | None:
    for dev in local_devices(s):
        if dev.kind == kind and (slot is None or dev.slot == slot):
            return dev
    return None
