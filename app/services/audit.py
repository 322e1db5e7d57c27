"""The audit trail: who viewed, printed or exported a dossier's personal data or a report (recorded here, as
`audit.recorded` events of this device), and who changed what (the event log itself), read together with
filters by an administrator or a leader. Nothing here edits or removes a line: the trail is append-only.

Recording is cheap (one small event, whose projection row is added without folding anything again) and
never stands in the way of the work it records: a view or a print goes on even if the line cannot be
written (a damaged, read-only file), and the problem is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.domain.calendar import TZ
from app.domain.text import search_key
from app.eventlog import append, event_from_row
from app.eventlog.describe import describe
from app.eventlog.payloads import AuditRecorded
from app.eventlog.registry import AUDIT, audit_stream
from app.services.access import Permission, require
from app.services.database import Database
from app.services.errors import ServiceError
from db.models import AuditEntry, Device, Dossier, Event, User

log = logging.getLogger(__name__)

# what an access line says was done
ACTION_TEXT = {"viewed": "Xem", "printed": "In", "saved": "Lưu ra tệp", "exported": "Xuất báo cáo",
               "searched": "Tìm kiếm", "backup": "Sao lưu", "restore": "Khôi phục"}
SUBJECT_TEXT = {"dossier": "hồ sơ", "intake": "phiếu tiếp nhận", "logbook": "sổ theo dõi hồ sơ",
                "daybook": "sổ theo dõi (chốt ngày)", "stats": "thống kê", "ratings": "đánh giá hài lòng",
                "database": "tệp dữ liệu", "user": "tài khoản", "settings": "thiết lập đơn vị",
                "device": "thiết bị", "calendar": "lịch làm việc", "catalogue": "danh mục thủ tục",
                "other": "khác"}
# the filter of the audit screen: which lines a kind shows
KINDS = {"all": "Tất cả", "access": "Xem, in, xuất dữ liệu", "change": "Thay đổi dữ liệu",
         "backup": "Sao lưu, khôi phục"}
ACCESS = ("viewed", "printed", "saved", "exported", "searched")
MAX_LINES = 2000
SYSTEM = "(hệ thống)"


def record(db: Database, *, actor, action: str, subject: str, ref: str = "", detail: str = "") -> bool:
    """Write one access line as this device, in its own short transaction. Returns False (and logs why) when it
    could not be written: the view, print or export it records goes on regardless."""
    try:
        device = db.device
        with db.transaction() as s:
            append(s, device, AuditRecorded(action=action, subject=subject, ref=ref[:64], detail=detail[:500],
                                            actor_name=getattr(actor, "full_name", "") or ""),
                   stream_id=audit_stream(device.device_id), actor_id=getattr(actor, "id", None),
                   occurred_at=db.clock())
        return True
    except ServiceError as exc:
        log.warning("audit line not written (%s %s): %s", action, subject, type(exc).__name__)
        return False


@dataclass(frozen=True)
class AuditLine:
    at: datetime  # local time
    kind: str  # "access" | "change" | "backup"
    actor_id: str | None
    actor_name: str
    device: str
    action: str  # in words
    subject: str  # in words
    ref: str  # dossier code, user name, date, file…
    detail: str


def _utc(d: date, end: bool = False) -> datetime:
    return datetime.combine(d + timedelta(days=1) if end else d, time(0), TZ).astimezone(UTC)


def trail(db: Database, reader, *, date_from: date, date_to: date, kind: str = "all", actor_id: str | None = None,
          text: str = "", limit: int = MAX_LINES) -> list[AuditLine]:
    """The lines between two local days (both included), newest first, at most `limit`: access lines from
    the audit table and changes from the event log. `kind`: all | access | change | backup; `actor_id`: one
    person's lines; `text`: words found (without accents) in the code, name, action or detail.

    For administrators and leaders only (Permission.AUDIT). Reads a snapshot of the file in the caller's
    thread: call it from a worker."""
    require(reader, Permission.AUDIT)
    if date_to < date_from:
        raise ServiceError("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
    lo, hi = _utc(date_from), _utc(date_to, end=True)
    lines: list[AuditLine] = []
    with db.reading() as s:
        users = {u.id: u for u in s.scalars(select(User))}
        devices = {d.id: d.name for d in s.scalars(select(Device))}
        if kind in ("all", "access", "backup"):
            q = select(AuditEntry).where(AuditEntry.at >= lo, AuditEntry.at < hi)
            q = q.where(AuditEntry.action.in_(ACCESS) if kind == "access" else
                        AuditEntry.action.in_(("backup", "restore")) if kind == "backup" else AuditEntry.action != "")
            if actor_id:
                q = q.where(AuditEntry.actor_id == actor_id)
            for a in s.scalars(q.order_by(AuditEntry.at.desc(), AuditEntry.event_id.desc()).limit(limit)):
                user = users.get(a.actor_id)
                lines.append(AuditLine(
                    a.at.astimezone(TZ), "backup" if a.action in ("backup", "restore") else "access", a.actor_id,
                    user.full_name if user else (a.actor_name or SYSTEM), devices.get(a.device_id, ""),
                    ACTION_TEXT.get(a.action, a.action), SUBJECT_TEXT.get(a.subject, a.subject), a.ref, a.detail))
        if kind in ("all", "change"):
            E = Event.__table__
            q = select(E).where(E.c.occurred_at >= lo, E.c.occurred_at < hi, E.c.stream_type != AUDIT)
            if actor_id:
                q = q.where(E.c.actor_id == actor_id)
            rows = s.execute(q.order_by(E.c.local_seq.desc()).limit(limit)).all()
            codes = dict(s.execute(select(Dossier.id, Dossier.code).where(
                Dossier.id.in_({r.stream_id for r in rows if r.stream_type == "dossier"}))).all())
            for r in rows:
                ev = event_from_row(r)
                d = describe(ev)
                ref = codes.get(r.stream_id, "") if r.stream_type == "dossier" else \
                    users[r.stream_id].username if r.stream_type == "user" and r.stream_id in users else d.ref
                user = users.get(r.actor_id)
                lines.append(AuditLine(ev.occurred_at.astimezone(TZ), "change", r.actor_id,
                                       user.full_name if user else SYSTEM, devices.get(r.device_id, ""), d.action,
                                       SUBJECT_TEXT.get(d.subject, d.subject), ref, d.detail))
    if text.strip():
        want = search_key(text).split()
        lines = [x for x in lines
                 if all(w in search_key(" ".join((x.ref, x.actor_name, x.action, x.subject, x.detail))) for w in want)]
    lines.sort(key=lambda x: x.at, reverse=True)
    return lines[:limit]


def people(db: Database, reader) -> list[tuple[str, str]]:
    """(account id, "name (user name)") of every account, for the screen's filter by person."""
    require(reader, Permission.AUDIT)
    with db.reading() as s:
        return [(u.id, f"{u.full_name} ({u.username})") for u in s.scalars(select(User).order_by(User.full_name))]


@dataclass(frozen=True)
class BackupRecord:
    at: datetime  # local
    target: str
    detail: str
    actor_name: str


def last_backup(db: Database, device_id: str | None = None) -> BackupRecord | None:
    """The latest backup of this device's file recorded in the trail (automatic, from the window or the command
    line), or None."""
    device_id = device_id or db.device.device_id
    with db.reading() as s:
        a = s.scalar(select(AuditEntry).where(AuditEntry.action == "backup", AuditEntry.device_id == device_id)
                     .order_by(AuditEntry.at.desc()).limit(1))
    if a is None:
        return None
    return BackupRecord(a.at.astimezone(TZ), a.ref, a.detail, a.actor_name or SYSTEM)
