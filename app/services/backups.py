"""Backups as an office keeps them: one a day, automatically, into a chosen folder (a USB disk), keeping the
last N; the time of the last one and a warning when it is old; and a restore chosen in the window, done at
the next start (a restore needs the file closed by every program, the counter window included).

A backup is SQLite's online backup API (app.services.maintenance.backup): one read transaction, so the
counter keeps working while it runs. Callers in the window run these functions in a worker thread.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.domain.calendar import TZ
from app.services import audit
from app.services.access import Permission, require
from app.services.database import Database
from app.services.device_settings import DeviceSettings, read_device_settings
from app.services.errors import ServiceError
from app.services.maintenance import RestoreResult, backup, check_backup_file, restore
from app.services.paths import make_private

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=2)  # older than this, the administrator is warned
DEFAULT_FOLDER = "sao-luu"


def backup_folder(db: Database, settings: DeviceSettings | None = None) -> Path:
    settings = settings or read_device_settings(db)
    return Path(settings.backup_dir) if settings.backup_dir else db.path.parent / DEFAULT_FOLDER


def _pattern(db: Database) -> str:
    return f"{db.path.stem}-saoluu-"


def backup_files(db: Database, folder: Path | None = None) -> list[Path]:
    """This file's backups in the folder, newest first (by the time in their names)."""
    folder = folder or backup_folder(db)
    try:
        found = [p for p in folder.iterdir() if p.name.startswith(_pattern(db)) and p.suffix == db.path.suffix]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name, reverse=True)


@dataclass(frozen=True)
class BackupDone:
    path: Path
    size: int
    removed: tuple[Path, ...]
    at: datetime  # local


def run_backup(db: Database, *, actor=None, automatic: bool = False) -> BackupDone:
    """Back the file up into this device's backup folder now, remove the oldest beyond the number kept, and
    record it in the audit trail. From the window, an administrator's (`actor`); the daily automatic one
    (`automatic`) runs for whoever is signed in."""
    if not automatic:
        require(actor, Permission.ADMINISTER)
    settings = read_device_settings(db)
    folder = backup_folder(db, settings)
    now = db.clock().astimezone(TZ)
    target = folder / f"{_pattern(db)}{now:%Y%m%d-%H%M%S}{db.path.suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceError(f"Không tạo được thư mục sao lưu {folder}: {exc.strerror or exc}. Hãy cắm ổ đĩa sao lưu "
                           "hoặc chọn thư mục khác (Quản trị → Sao lưu).") from exc
    made = backup(db, target)
    removed = []
    for old in backup_files(db, folder)[settings.backup_keep:]:
        try:
            old.unlink()
            removed.append(old)
        except OSError:
            log.warning("old backup not removed: %s", old.name)
    size = made.stat().st_size
    who = "tự động" if automatic else "theo yêu cầu"
    audit.record(db, actor=actor if not automatic else None, action="backup", subject="database", ref=made.name,
                 detail=f"{who}; {folder}; {size / 1_048_576:.1f} MB")
    log.info("backup %s written (%d bytes, %d old removed)", made.name, size, len(removed))
    return BackupDone(made, size, tuple(removed), now)


def backup_due(db: Database, now: datetime | None = None) -> bool:
    """Whether the daily automatic backup should run now: never made, more than a day old, or not yet made
    today and the backup time has come."""
    settings = read_device_settings(db)
    if not settings.backup_auto:
        return False
    now = (now or db.clock()).astimezone(TZ)
    last = audit.last_backup(db)
    if last is None or now - last.at >= timedelta(days=1):
        return True
    return last.at.date() < now.date() and now.time() >= settings.backup_at()


@dataclass(frozen=True)
class BackupStatus:
    last: audit.BackupRecord | None
    folder: Path
    settings: DeviceSettings
    warning: str  # "" when all is well
    files: tuple[Path, ...]


def backup_status(db: Database, now: datetime | None = None) -> BackupStatus:
    """What the administrator sees: the last backup, the folder, and a warning when the last backup is older
    than two days (or there is none), or the folder is on the same disk as the data."""
    settings = read_device_settings(db)
    folder = backup_folder(db, settings)
    now = (now or db.clock()).astimezone(TZ)
    last = audit.last_backup(db)
    warning = ""
    if last is None:
        warning = "Máy này chưa sao lưu dữ liệu lần nào."
    elif now - last.at > STALE_AFTER:
        warning = (f"Lần sao lưu gần nhất đã cách đây {(now - last.at).days} ngày ({last.at:%H:%M %d/%m/%Y}). "
                   "Hãy kiểm tra ổ đĩa sao lưu và bấm “Sao lưu ngay”.")
    elif _same_disk(folder, db.path):
        warning = ("Thư mục sao lưu nằm trên cùng ổ đĩa với dữ liệu: ổ đĩa hỏng thì mất cả hai. Nên chọn một ổ USB "
                   "hoặc ổ đĩa khác.")
    return BackupStatus(last, folder, settings, warning, tuple(backup_files(db, folder)))


def _same_disk(folder: Path, data: Path) -> bool:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return os.stat(probe).st_dev == os.stat(data.parent).st_dev
    except OSError:
        return False


# --- a restore chosen in the window, done at the next start ---------------------------------------------------


def restore_marker(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-khoi-phuc")


@dataclass(frozen=True)
class PendingRestore:
    backup: Path
    actor_id: str | None
    actor_name: str
    asked_at: str


def schedule_restore(db: Database, backup_file: Path | str, *, actor) -> PendingRestore:
    """An administrator chooses a backup to put back; it is checked now (a MotCua backup of this device, sound)
    and restored when the program next starts, before the file is opened."""
    require(actor, Permission.ADMINISTER)
    backup_file = Path(backup_file)
    device_id = check_backup_file(backup_file, db.path)
    if device_id != db.device.device_id:
        raise ServiceError(f"{backup_file.name} là bản sao lưu của một máy khác, không phải của máy này. Khôi phục "
                           "nhầm sẽ làm hai máy cấp trùng mã hồ sơ; việc thay máy hỏng do cán bộ CNTT làm bằng lệnh "
                           "“motcua admin restore --other-device”.")
    pending = PendingRestore(backup_file, actor.id, actor.full_name, datetime.now(TZ).isoformat(timespec="minutes"))
    marker = restore_marker(db.path)
    marker.write_text(json.dumps({"backup": str(backup_file), "actor_id": actor.id, "actor_name": actor.full_name,
                                  "asked_at": pending.asked_at}, ensure_ascii=False), encoding="utf-8")
    make_private(marker)
    log.info("restore from %s scheduled by account %s", backup_file.name, actor.id)
    return pending


def pending_restore(db_path: Path | str) -> PendingRestore | None:
    marker = restore_marker(Path(db_path))
    if not marker.exists():
        return None
    try:
        d = json.loads(marker.read_text(encoding="utf-8"))
        return PendingRestore(Path(d["backup"]), d.get("actor_id"), d.get("actor_name", ""), d.get("asked_at", ""))
    except (OSError, ValueError, KeyError):
        log.warning("unreadable restore marker removed")
        marker.unlink(missing_ok=True)
        return None


def cancel_restore(db_path: Path | str) -> None:
    restore_marker(Path(db_path)).unlink(missing_ok=True)


def apply_pending_restore(db_path: Path | str) -> tuple[PendingRestore, RestoreResult] | None:
    """At start, before the file is opened: do the restore an administrator asked for, if any, and record it
    in the restored file's audit trail. The marker is removed whatever happens (a failed restore is reported
    once, not retried at every start)."""
    db_path = Path(db_path)
    pending = pending_restore(db_path)
    if pending is None:
        return None
    try:
        result = restore(pending.backup, db_path)
    finally:
        cancel_restore(db_path)
    db = Database(db_path)
    try:
        from app.services.users import get_user

        actor = get_user(db, pending.actor_id) if pending.actor_id else None
        audit.record(db, actor=actor, action="restore", subject="database", ref=pending.backup.name,
                     detail=f"{pending.backup}; giữ tệp cũ tại {result.kept}; lấy lại {result.recovered} sự kiện")
    finally:
        db.close()
    log.info("restored from %s (%d newer events recovered)", pending.backup.name, result.recovered)
    return pending, result
