"""Flags the fold raised (conflicting steps, clashing codes, unreadable events): the list a clerk or leader
reads, and resolving one, which is itself an event (nothing in the log is ever edited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain.calendar import TZ
from app.domain.text import nfc
from app.eventlog import append
from app.eventlog.fold import FLAG_TEXT
from app.eventlog.payloads import FlagResolved
from app.services.database import Database
from app.services.errors import NotFound, ServiceError, ValidationFailed
from app.services.users import UserInfo
from db.models import Dossier, Flag, FlagResolution

RESOLVERS = ("clerk", "leader", "admin")


@dataclass(frozen=True)
class FlagItem:
    id: str
    kind: str
    kind_text: str
    message: str
    raised_at: datetime  # local
    dossier_id: str
    code: str
    resolved_at: datetime | None = None
    resolved_by: str = ""
    outcome: str = ""


def list_flags(db: Database, *, include_resolved: bool = False) -> list[FlagItem]:
    """Flags on dossiers, newest first; by default only those nobody has resolved yet."""
    with db.reading() as s:
        resolutions = {r.flag_id: r for r in s.scalars(select(FlagResolution).order_by(FlagResolution.at))}
        rows = s.execute(select(Flag, Dossier.code).join(Dossier, Dossier.id == Flag.stream_id, isouter=True)
                         .order_by(Flag.raised_at.desc(), Flag.id)).all()
    out = []
    for f, code in rows:
        r = resolutions.get(f.id)
        if r is not None and not include_resolved:
            continue
        out.append(FlagItem(f.id, f.kind, FLAG_TEXT.get(f.kind, f.kind), f.message, f.raised_at.astimezone(TZ),
                            f.stream_id, code or "", r.at.astimezone(TZ) if r else None, r.actor_name if r else "",
                            (r.outcome or r.note) if r else ""))
    return out


def count_open_flags(db: Database) -> int:
    return len(list_flags(db))


def resolve_flag(db: Database, flag_id: str, *, actor: UserInfo, outcome: str, note: str = "") -> FlagItem:
    """Say what was done about a flag (e.g. "Đã gọi công dân, trả lại kết quả đúng"): a `flag.resolved`
    event on the flagged dossier, shown in its timeline and on every device after sync."""
    if actor.role not in RESOLVERS:
        raise ServiceError("Chỉ cán bộ tiếp nhận, lãnh đạo hoặc quản trị hệ thống được xử lý cảnh báo.")
    if not nfc(outcome):
        raise ValidationFailed({"outcome": "Hãy ghi đã xử lý thế nào (ví dụ: đã liên hệ công dân, đã cấp lại "
                                           "giấy hẹn…)."})
    with db.transaction() as s:
        flag = s.get(Flag, flag_id)
        if flag is None:
            raise NotFound("Không tìm thấy cảnh báo này (có thể đã được xử lý ở máy khác).")
        append(s, db.device, FlagResolved(flag_id=flag_id, outcome=nfc(outcome), note=nfc(note),
                                          actor_name=actor.full_name),
               stream_id=flag.stream_id, actor_id=actor.id, occurred_at=db.clock())
    return next(f for f in list_flags(db, include_resolved=True) if f.id == flag_id)
