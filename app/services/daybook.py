"""The day book: the logbook (Sổ theo dõi hồ sơ) kept as an office keeps it.

- **Closing a day** (chốt sổ ngày) prints the day's lines of this device's volume as the next pages of
  that volume (page numbers continue from the previous closed day), ends them with the day's totals and
  signature lines, and records a ``logbook.day_closed`` event saying who closed which lines on which
  pages. Days close in order. Lines written after their day was closed (a paper dossier entered later)
  are printed by the next closing; lines printed earlier whose values changed since (a return, a
  correction) are listed in the next closing's "Cập nhật các dòng đã in" section.
- **Reprinting** a closed day renders what was stored at closing: the same pages, marked "Bản in lại".
- **The archive**: every finished day's pages are written as a PDF into an archive folder, closed or
  not (an unclosed day's copy says so), so that no day is ever missing; :func:`archive_days` catches
  up on days the PC was off.
- **Year end** (khóa sổ): :func:`close_volume` prints the volume's last page with its page and line
  counts; :func:`cover_pdf` prints a volume's cover.

Which days are pending is per device: each device keeps its own volume per year.
Nothing here touches Qt; PDF building is slow enough (0.1–1 s a day) that windows call these functions
in a worker.
"""

from __future__ import annotations

import os
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.domain.calendar import TZ
from app.domain.codes import volume_label
from app.domain.deadline import EARLY, LATE, classify_result
from app.domain.dossier import CHANNELS, Status
from app.eventlog import append
from app.eventlog import payloads as ev
from app.eventlog.registry import logbook_stream
from app.printing.common import OfficeHeader
from app.printing.logbook import (
    LOGBOOK_COLUMNS,
    BookRow,
    BookUpdate,
    CoverData,
    DayBookData,
    DayTotals,
    VolumeEndData,
    build_cover_pdf,
    build_daybook_pdf,
    build_volume_end_pdf,
    line_values,
)
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.paths import write_private
from app.services.reception import MAX_BACKDATE
from app.services.reports import LINE_COLUMNS, book_line, print_line
from app.services.settings import OfficeSettings, load_settings, office_calendar, this_device
from app.services.users import UserInfo
from db.models import Device, Dossier, Event, LogbookClosing, LogbookEntry, LogbookPrinted

__all__ = [
    "BookState",
    "ClosedDay",
    "ClosedVolume",
    "archive_days",
    "archive_folder",
    "book_state",
    "close_day",
    "close_pending",
    "close_volume",
    "closed_days",
    "cover_pdf",
    "day_pdf",
    "may_close",
    "pending_days",
    "volume_end_pdf",
]

# Who may close a day, by the setting "daybook_closer_role".
CLOSER_ROLES = {"clerk": ("clerk", "leader", "admin"), "leader": ("leader", "admin")}
# Columns whose change after printing goes to the "Cập nhật các dòng đã in" section (a line's number,
# code and the signature cell never change).
TRACKED = tuple(k for k in LOGBOOK_COLUMNS if k not in ("tt", "code", "signature"))
ARCHIVE_DIR_NAME = "so-theo-doi"

# --- every message a person may read -----------------------------------------------------------------
M = {
    "not_allowed": "Theo thiết lập của đơn vị, chỉ lãnh đạo được chốt sổ theo dõi hồ sơ; tài khoản {name} "
                   "({role}) không chốt sổ được.",
    "future": "Chưa đến ngày {day}: chỉ chốt sổ những ngày đã qua hoặc hôm nay.",
    "closed": "Ngày {day} đã chốt sổ (trang {first}–{last}); có thể in lại ngày này.",
    "order": "Còn ngày {days} chưa chốt sổ: hãy chốt các ngày theo thứ tự, ngày cũ trước.",
    "not_a_book_day": "Ngày {day} là ngày nghỉ và không có hồ sơ nào: không cần chốt sổ ngày này.",
    "volume_closed": "Quyển số {volume} đã khóa sổ ngày {day}: không chốt thêm ngày nào vào quyển này.",
    "busy": "Một máy khác vừa chốt sổ cùng lúc; hãy thử lại.",
    "not_closed": "Ngày {day} chưa chốt sổ.",
    "year_not_over": "Chỉ khóa sổ năm {year} từ ngày 31/12/{year}.",
    "pending_at_year_end": "Còn ngày {days} của năm {year} chưa chốt sổ: hãy chốt hết các ngày trước khi khóa sổ.",
    "volume_already": "Quyển số {volume} đã khóa sổ ngày {day}.",
    "archive_failed": "Không ghi được bản lưu sổ vào {path}: {msg}",
}


def _fmt(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _days_text(days: list[date], limit: int = 4) -> str:
    shown = ", ".join(_fmt(d) for d in days[:limit])
    return shown + (f" và {len(days) - limit} ngày khác" if len(days) > limit else "")


def may_close(settings: OfficeSettings, user: UserInfo) -> str | None:
    """None when `user` may close days (by the office's setting), else the sentence that says why not."""
    allowed = CLOSER_ROLES.get(settings.daybook_closer_role, CLOSER_ROLES["clerk"])
    if user.role in allowed:
        return None
    return M["not_allowed"].format(name=user.full_name, role=user.role_text)


def _close_time(settings: OfficeSettings) -> time:
    try:
        h, m = settings.daybook_close_time.split(":")
        return time(int(h), int(m))
    except (ValueError, AttributeError):
        return time(17, 30)


def last_finished_day(settings: OfficeSettings, now: datetime) -> date:
    """Today once the closing time has passed, yesterday before it."""
    local = now.astimezone(TZ)
    return local.date() if local.time() >= _close_time(settings) else local.date() - timedelta(days=1)


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), TZ)
    return start, start + timedelta(days=1)


# --- the book's days -----------------------------------------------------------------------------------


def _year_of(volume: str) -> int:
    return int(volume.partition("/")[2])


def _start_setting(settings: OfficeSettings) -> date | None:
    try:
        return date.fromisoformat(settings.daybook_start) if settings.daybook_start else None
    except ValueError:
        return None


def _this_device(s: Session) -> Device:
    """This file's counter, as the devices table holds it (name, slot, when it was set up)."""
    return s.get(Device, this_device(s).device_id)


def _latest_closing(s: Session, device: Device, volume: str) -> str | None:
    return s.scalar(select(LogbookClosing.event_id).where(LogbookClosing.device_id == device.id,
                                                          LogbookClosing.volume == volume)
                    .order_by(LogbookClosing.last_page.desc()).limit(1))


def _volumes(s: Session, device: Device, settings: OfficeSettings, until: date) -> list[str]:
    """This device's volumes from the first year its day book covers to `until`'s year."""
    have = set(s.scalars(select(LogbookEntry.volume).where(LogbookEntry.device_id == device.id).distinct()))
    first_year = min([_year_of(v) for v in have] + [device.enrolled_at.astimezone(TZ).year, until.year])
    start = _start_setting(settings)
    if start is not None:
        first_year = max(first_year, start.year)
    return [volume_label(device.slot, y) for y in range(first_year, until.year + 1)]


def _line_days(s: Session, device: Device, volume: str) -> set[date]:
    # A dossier's own device and volume are its logbook line's (the reception writes both from one payload).
    return set(s.scalars(select(Dossier.received_day).where(Dossier.device_id == device.id,
                                                            Dossier.volume == volume).distinct()))


def _book_start(device: Device, settings: OfficeSettings, volume: str, line_days: set[date]) -> date:
    """The volume's first day: the setting "daybook_start" when there is one, else the first day a line
    was written in it or the device was set up, whichever is earlier; never before its 1st of January."""
    start = _start_setting(settings)
    if start is None:
        start = min([device.enrolled_at.astimezone(TZ).date(), *line_days])
    return max(start, date(_year_of(volume), 1, 1))


def _closings(s: Session, device: Device, volume: str) -> list:
    """The volume's closings, first page first: rows of (id, kind, day, first_page, last_page) only (what
    they printed is large JSON, read only for a reprint)."""
    c = LogbookClosing
    return list(s.execute(select(c.event_id.label("id"), c.kind, c.day, c.first_page, c.last_page)
                          .where(c.device_id == device.id, c.volume == volume).order_by(c.first_page, c.day)))


def _book_days(s: Session, device: Device, settings: OfficeSettings, volume: str, until: date, cal) -> list[date]:
    """The days the volume must have pages for up to `until`: working days from its start, and any other
    day on which a dossier was entered in it."""
    line_days = _line_days(s, device, volume)
    start = _book_start(device, settings, volume, line_days)
    end = min(until, date(_year_of(volume), 12, 31))
    with_lines = {d for d in line_days if start <= d <= end}
    days = set(with_lines)
    d = start
    while d <= end:
        if cal.is_working_day(d):
            days.add(d)
        d += timedelta(days=1)
    return sorted(days)


def _pending(s: Session, device: Device, settings: OfficeSettings, until: date) -> list[tuple[str, date]]:
    cal = office_calendar(s, settings)
    out = []
    for volume in _volumes(s, device, settings, until):
        closings = _closings(s, device, volume)
        if any(c.kind == "volume" for c in closings):
            continue
        closed = {c.day for c in closings if c.kind == "day"}
        out += [(volume, d) for d in _book_days(s, device, settings, volume, until, cal) if d not in closed]
    return out


def pending_days(db: Database, *, now: datetime | None = None) -> list[date]:
    """Days this device has not closed yet, oldest first, up to the last finished day (all its volumes)."""
    now = now or db.clock()
    with db.reading() as s:
        settings = load_settings(s)
        return [d for _v, d in _pending(s, _this_device(s), settings, last_finished_day(settings, now))]


@dataclass(frozen=True)
class BookState:
    """What the counter window shows about the book."""

    pending: list[date]  # days not closed, oldest first
    volume: str  # this year's volume
    last_closed: date | None  # latest closed day of this device
    last_page: int  # last page of this year's volume so far (0: none yet)
    refusal: str | None  # why the signed-in user may not close days (None: they may)
    close_time: str
    archive_dir: Path
    unsent: int = 0  # changes of this PC not yet on the province's server (0 when not connected to one)


def book_state(db: Database, user: UserInfo | None = None, *, now: datetime | None = None) -> BookState:
    now = now or db.clock()
    with db.reading() as s:
        settings = load_settings(s)
        device = _this_device(s)
        pending = [d for _v, d in _pending(s, device, settings, last_finished_day(settings, now))]
        volume = volume_label(device.slot, now.astimezone(TZ).year)
        last = s.scalar(select(func.max(LogbookClosing.day)).where(LogbookClosing.device_id == device.id,
                                                                   LogbookClosing.kind == "day"))
        last_page = s.scalar(select(func.max(LogbookClosing.last_page)).where(
            LogbookClosing.device_id == device.id, LogbookClosing.volume == volume)) or 0
    refusal = may_close(settings, user) if user is not None else None
    from app.sync.client import status as sync_status

    unsent = sync_status(db)
    return BookState(pending, volume, last, last_page, refusal, settings.daybook_close_time,
                     archive_folder(db, settings), unsent.unsent if unsent.enrolled else 0)


# --- what a closing prints -----------------------------------------------------------------------------


def _header(settings: OfficeSettings) -> OfficeHeader:
    return OfficeHeader(settings.parent_body, settings.center_name, settings.place_name)


def _context(settings: OfficeSettings, device: Device, preparer: str) -> dict:
    return {"parent_body": settings.parent_body, "center_name": settings.center_name,
            "place_name": settings.place_name, "device_name": device.name, "preparer": preparer,
            "signer_title": settings.daybook_signer_title, "signer_name": settings.daybook_signer_name}


def _ordered(changes: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((k, changes[k]) for k in LOGBOOK_COLUMNS if k in changes)


@dataclass
class _Plan:
    """Everything one closing prints, read in one snapshot."""

    volume: str
    day: date
    first_page: int
    lines: list[dict]  # {"number", "dossier_id", "values"}
    updates: list[dict]  # {"volume", "number", "dossier_id", "code", "received", "changes"}
    totals: DayTotals
    context: dict
    last_closing_id: str | None  # the event of the volume's latest closing


def _unprinted(s: Session, device: Device, settings: OfficeSettings, volume: str, until: date):
    """Lines of the volume received up to `until` (from the book's start) that no closing has printed."""
    start = _start_setting(settings)
    since = max(start, date(_year_of(volume), 1, 1)) if start else date(_year_of(volume), 1, 1)
    # Every day before `until` is closed, so a line still unprinted was entered after its day was closed:
    # a paper dossier entered later, which reception allows only MAX_BACKDATE back. Looking no further
    # keeps this query small at the end of a long year.
    since = max(since, until - MAX_BACKDATE - timedelta(days=1))
    printed = and_(LogbookPrinted.device_id == LogbookEntry.device_id, LogbookPrinted.volume == LogbookEntry.volume,
                   LogbookPrinted.number == LogbookEntry.number)
    q = (select(*LINE_COLUMNS, LogbookEntry.volume, LogbookEntry.number, Dossier.received_day, Dossier.field,
                Dossier.channel)
         .join(LogbookEntry, LogbookEntry.dossier_id == Dossier.id)
         .outerjoin(LogbookPrinted, printed)
         .where(Dossier.device_id == device.id, Dossier.received_day <= until, Dossier.received_day >= since,
                LogbookEntry.device_id == device.id, LogbookEntry.volume == volume, LogbookPrinted.number.is_(None))
         .order_by(LogbookEntry.number))
    return list(s.execute(q))


def _updates(s: Session, device: Device) -> list[dict]:
    """Lines printed earlier (any volume of this device) whose cell texts are not what was printed.

    Only lines of dossiers with an event that arrived after the closing that last printed them can have
    changed (arrival order, ``local_seq``, not the events' own times: a step synced late from another
    device may carry an earlier time), so only those are rebuilt and compared.
    """
    printing, later = aliased(Event), aliased(Event)
    arrived_since = exists().where(later.stream_id == LogbookPrinted.dossier_id,
                                   later.local_seq > printing.local_seq)
    q = (select(*LINE_COLUMNS, LogbookPrinted.volume, LogbookPrinted.number, LogbookPrinted.values,
                Dossier.received_day)
         .join(LogbookPrinted, LogbookPrinted.dossier_id == Dossier.id)
         .join(printing, printing.event_id == LogbookPrinted.event_id)
         .where(LogbookPrinted.device_id == device.id, arrived_since))
    out = []
    for r in s.execute(q):
        now_values = line_values(print_line(book_line(r, r.volume, r.number)))
        changes = {k: now_values[k] for k in TRACKED if now_values.get(k, "") != r.values.get(k, "")}
        if changes:
            out.append({"volume": r.volume, "number": r.number, "dossier_id": r.id, "code": r.code,
                        "received": _fmt(r.received_day), "changes": changes})
    out.sort(key=lambda u: (_year_of(u["volume"]), u["volume"], u["number"]))
    return out


def _returned(s: Session, device: Device, day: date, cal) -> tuple[int, int, int, int]:
    start, end = _local_day_bounds(day)
    q = (select(Dossier.original_due_at, Dossier.result_at, Dossier.returned_at)
         .join(LogbookEntry, LogbookEntry.dossier_id == Dossier.id)
         .where(LogbookEntry.device_id == device.id, Dossier.status == Status.RETURNED.value,
                Dossier.returned_at >= start, Dossier.returned_at < end))
    early = on_time = late = n = 0
    for due, result_at, returned_at in s.execute(q):
        n += 1
        verdict = classify_result(due, result_at or returned_at, cal)
        early += verdict == EARLY
        late += verdict == LATE
        on_time += verdict not in (EARLY, LATE)
    return n, early, on_time, late


def _plan(s: Session, device: Device, settings: OfficeSettings, day: date, preparer: str, now: datetime) -> _Plan:
    volume = volume_label(device.slot, day.year)
    closings = _closings(s, device, volume)
    for c in closings:
        if c.kind == "volume":
            raise ServiceError(M["volume_closed"].format(volume=volume, day=_fmt(c.day)))
        if c.day == day:
            raise ServiceError(M["closed"].format(day=_fmt(day), first=c.first_page, last=c.last_page))
    if day > now.astimezone(TZ).date():
        raise ServiceError(M["future"].format(day=_fmt(day)))
    cal = office_calendar(s, settings)
    before = [d for v, d in _pending(s, device, settings, day) if v == volume and d < day]
    if before:
        raise ServiceError(M["order"].format(days=_days_text(before)))
    unprinted = _unprinted(s, device, settings, volume, day)
    if not cal.is_working_day(day) and not any(r.received_day == day for r in unprinted):
        raise ServiceError(M["not_a_book_day"].format(day=_fmt(day)))
    lines, fields, channels = [], Tally(), Tally()
    own = [r for r in unprinted if r.received_day == day]
    counted = [r for r in own if r.status != Status.CANCELLED.value]
    for r in unprinted:
        values = line_values(print_line(book_line(r, r.volume, r.number)))
        lines.append({"number": r.number, "dossier_id": r.id, "values": values})
    for r in counted:
        fields[r.field] += 1
        channels[CHANNELS.get(r.channel, r.channel)] += 1
    returned, early, on_time, late = _returned(s, device, day, cal)
    updates = _updates(s, device)
    totals = DayTotals(
        received=len(counted), sets=sum(r.sets_count for r in counted), cancelled=len(own) - len(counted),
        first_number=min((r.number for r in own), default=None), last_number=max((r.number for r in own), default=None),
        by_field=tuple(sorted(fields.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_channel=tuple(sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))),
        returned=returned, returned_early=early, returned_on_time=on_time, returned_late=late,
        late_numbers=tuple(r.number for r in unprinted if r.received_day < day), updates=len(updates))
    last = closings[-1] if closings else None
    return _Plan(volume, day, (last.last_page + 1) if last else 1, lines, updates, totals,
                 _context(settings, device, preparer), last.id if last else None)


def _totals_json(t: DayTotals) -> dict:
    return {"received": t.received, "sets": t.sets, "cancelled": t.cancelled, "first_number": t.first_number,
            "last_number": t.last_number, "by_field": [list(x) for x in t.by_field],
            "by_channel": [list(x) for x in t.by_channel], "returned": t.returned,
            "returned_early": t.returned_early, "returned_on_time": t.returned_on_time,
            "returned_late": t.returned_late, "late_numbers": list(t.late_numbers), "updates": t.updates}


def _totals_of(j: dict) -> DayTotals:
    return DayTotals(**{**j, "by_field": tuple(tuple(x) for x in j.get("by_field", ())),
                        "by_channel": tuple(tuple(x) for x in j.get("by_channel", ())),
                        "late_numbers": tuple(j.get("late_numbers", ()))})


def _header_of(ctx: dict) -> OfficeHeader:
    return OfficeHeader(ctx.get("parent_body", ""), ctx.get("center_name", ""), ctx.get("place_name", ""))


def _day_data(*, volume: str, day: date, first_page: int | None, rows: list[dict], updates: list[dict],
              totals: DayTotals, context: dict, printed_at: datetime, reprinted_at: datetime | None = None
              ) -> DayBookData:
    return DayBookData(
        header=_header_of(context), volume=volume, device_name=context.get("device_name", ""), day=day,
        rows=tuple(BookRow(r["number"], r["values"]) for r in rows),
        updates=tuple(BookUpdate(u["volume"], u["number"], u["code"], u["received"], _ordered(u["changes"]))
                      for u in updates),
        totals=totals, first_page=first_page, printed_at=printed_at.astimezone(TZ),
        preparer_name=context.get("preparer", ""), signer_title=context.get("signer_title", ""),
        signer_name=context.get("signer_name", ""),
        reprinted_at=reprinted_at.astimezone(TZ) if reprinted_at else None)


def _closing_data(c: LogbookClosing, reprinted_at: datetime | None) -> DayBookData:
    return _day_data(volume=c.volume, day=c.day, first_page=c.first_page, rows=c.rows, updates=c.updates,
                     totals=_totals_of(c.totals), context=c.context, printed_at=c.closed_at,
                     reprinted_at=reprinted_at)


# --- closing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedDay:
    day: date
    volume: str
    first_page: int
    last_page: int
    lines: int  # new lines printed (the day's own and late ones)
    updates: int
    pdf: bytes
    event_id: str
    archived: Path | None = None
    archive_error: str = ""


def close_day(db: Database, day: date, *, actor: UserInfo, archive: bool = True) -> ClosedDay:
    """Close `day` of this device's volume: print its lines as the volume's next pages, record who closed
    which lines on which pages (``logbook.day_closed``), and write the pages into the archive folder.

    Raises ServiceError (a sentence for the clerk) when the user may not close days, the day is closed
    already, an earlier day is still open, or the day is in the future. The PDF is built outside the
    write transaction; the closing is recorded only if no other closing happened meanwhile.
    Must not be called on the Qt main thread.
    """
    now = db.clock()
    with db.reading() as s:
        settings = load_settings(s)
        refusal = may_close(settings, actor)
        if refusal:
            raise ServiceError(refusal)
        device = _this_device(s)
        plan = _plan(s, device, settings, day, actor.full_name, now)
    data = _day_data(volume=plan.volume, day=day, first_page=plan.first_page, rows=plan.lines,
                     updates=plan.updates, totals=plan.totals, context=plan.context, printed_at=now)
    pdf, pages = build_daybook_pdf(data)
    last_page = plan.first_page + pages - 1
    payload = ev.DayClosed(volume=plan.volume, day=day, first_page=plan.first_page, last_page=last_page,
                           lines=tuple(ev.PrintedLine(**x) for x in plan.lines),
                           updates=tuple(ev.LineUpdate(**u) for u in plan.updates), totals=_totals_json(plan.totals),
                           context=plan.context, actor_name=actor.full_name)
    with db.transaction() as s:
        device = _this_device(s)
        latest = _latest_closing(s, device, plan.volume)
        if latest != plan.last_closing_id:
            raise ServiceError(M["busy"])
        event = append(s, this_device(s), payload, stream_id=logbook_stream(device.id), actor_id=actor.id,
                       occurred_at=now)
    result = ClosedDay(day, plan.volume, plan.first_page, last_page, len(plan.lines), len(plan.updates), pdf,
                       event.event_id)
    if archive:
        path, error = _archive_write(db, settings, plan.volume, day, pdf, closed=True)
        result = replace(result, archived=path, archive_error=error)
    return result


def close_pending(db: Database, *, actor: UserInfo, through: date | None = None,
                  progress: Callable[[int, int, date], None] | None = None) -> list[ClosedDay]:
    """Close every pending day in order (up to `through`, default the last finished day)."""
    now = db.clock()
    with db.reading() as s:
        settings = load_settings(s)
        until = through or last_finished_day(settings, now)
        days = [d for _v, d in _pending(s, _this_device(s), settings, until)]
    out = []
    for i, day in enumerate(days, start=1):
        if progress:
            progress(i, len(days), day)
        out.append(close_day(db, day, actor=actor))
    return out


def day_pdf(db: Database, day: date) -> tuple[bytes, bool]:
    """A day's pages: the reprint of a closed day ("Bản in lại", same page numbers), or the copy of a day
    not closed yet (says so, no volume page numbers). Returns (pdf, closed)."""
    now = db.clock()
    with db.reading() as s:
        settings = load_settings(s)
        device = _this_device(s)
        closing = _day_closing(s, device, day)
        if closing is not None:
            return build_daybook_pdf(_closing_data(closing, now))[0], True
        data = _open_day_data(s, device, settings, day, now)
    return build_daybook_pdf(data)[0], False


def closed_days(db: Database) -> set[date]:
    """The days this device has closed (every volume)."""
    with db.reading() as s:
        device = _this_device(s)
        return set(s.scalars(select(LogbookClosing.day).where(LogbookClosing.device_id == device.id,
                                                              LogbookClosing.kind == "day")))


def _day_closing(s: Session, device: Device, day: date) -> LogbookClosing | None:
    return s.scalar(select(LogbookClosing).where(
        LogbookClosing.device_id == device.id, LogbookClosing.volume == volume_label(device.slot, day.year),
        LogbookClosing.kind == "day", LogbookClosing.day == day))


def _open_day_data(s: Session, device: Device, settings: OfficeSettings, day: date, now: datetime) -> DayBookData:
    """What closing `day` now would print, for a copy that says the day is not closed (no page numbers).

    Earlier days may be open too: their lines are left to them, and changes to printed lines are left to
    the real closing.
    """
    volume = volume_label(device.slot, day.year)
    cal = office_calendar(s, settings)
    rows = [r for r in _unprinted(s, device, settings, volume, day) if r.received_day == day]
    counted = [r for r in rows if r.status != Status.CANCELLED.value]
    fields = Tally(r.field for r in counted)
    channels = Tally(CHANNELS.get(r.channel, r.channel) for r in counted)
    returned, early, on_time, late = _returned(s, device, day, cal)
    totals = DayTotals(
        received=len(counted), sets=sum(r.sets_count for r in counted), cancelled=len(rows) - len(counted),
        first_number=min((r.number for r in rows), default=None), last_number=max((r.number for r in rows), default=None),
        by_field=tuple(sorted(fields.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_channel=tuple(sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))),
        returned=returned, returned_early=early, returned_on_time=on_time, returned_late=late)
    lines = [{"number": r.number, "values": line_values(print_line(book_line(r, r.volume, r.number)))} for r in rows]
    return _day_data(volume=volume, day=day, first_page=None, rows=lines, updates=[], totals=totals,
                     context=_context(settings, device, ""), printed_at=now)


# --- the archive ------------------------------------------------------------------------------------------


def archive_folder(db: Database, settings: OfficeSettings | None = None) -> Path:
    """Where the day's pages are archived: the setting "daybook_archive_dir", or "so-theo-doi" beside the
    database file."""
    if settings is None:
        with db.reading() as s:
            settings = load_settings(s)
    chosen = (settings.daybook_archive_dir or "").strip()
    return Path(chosen).expanduser() if chosen else db.path.parent / ARCHIVE_DIR_NAME


def archive_path(folder: Path, volume: str, day: date, *, closed: bool) -> Path:
    """``<folder>/quyen-1-2026/so-theo-doi-2026-11-16.pdf`` (``…-chua-chot.pdf`` for a day not closed)."""
    slot, _, year = volume.partition("/")
    suffix = "" if closed else "-chua-chot"
    return folder / f"quyen-{slot}-{year}" / f"so-theo-doi-{day:%Y-%m-%d}{suffix}.pdf"


def _private_folder(folder: Path) -> None:
    """The archive's folders, created readable by their owner only."""
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask


def _archive_write(db: Database, settings: OfficeSettings, volume: str, day: date, pdf: bytes, *,
                   closed: bool) -> tuple[Path | None, str]:
    folder = archive_folder(db, settings)
    path = archive_path(folder, volume, day, closed=closed)
    try:
        _private_folder(folder)
        _private_folder(path.parent)
        write_private(path, pdf)
        if closed:
            archive_path(folder, volume, day, closed=False).unlink(missing_ok=True)
    except OSError as exc:
        return None, M["archive_failed"].format(path=path, msg=exc.strerror or exc)
    return path, ""


@dataclass(frozen=True)
class ArchiveReport:
    written: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    remaining: int = 0  # days still to write (when `limit` stopped the run)


def archive_days(db: Database, *, now: datetime | None = None, limit: int | None = None) -> ArchiveReport:
    """Write the pages of every finished day that has no file in the archive yet: a closed day's pages as
    first printed, an unclosed day's copy marked as such. Days the PC was off are caught up here.

    `limit` bounds how many files one call writes (a window calls it again until `remaining` is 0).
    """
    now = now or db.clock()
    todo: list[tuple[str, date, int | None]] = []
    with db.reading() as s:
        settings = load_settings(s)
        device = _this_device(s)
        folder = archive_folder(db, settings)
        until = last_finished_day(settings, now)
        cal = office_calendar(s, settings)
        for volume in _volumes(s, device, settings, until):
            closings = {c.day: c.id for c in _closings(s, device, volume) if c.kind == "day"}
            for day in sorted(set(_book_days(s, device, settings, volume, until, cal)) | set(closings)):
                closing = closings.get(day)
                if archive_path(folder, volume, day, closed=True).exists():
                    continue
                if closing is None and archive_path(folder, volume, day, closed=False).exists():
                    continue
                todo.append((volume, day, closing))
    report = ArchiveReport()
    for volume, day, closing in todo[:limit] if limit is not None else todo:
        with db.reading() as s:
            if closing is not None:
                pdf = build_daybook_pdf(_closing_data(s.get(LogbookClosing, closing), None))[0]
            else:
                pdf = build_daybook_pdf(_open_day_data(s, _this_device(s), settings, day, now))[0]
        path, error = _archive_write(db, settings, volume, day, pdf, closed=closing is not None)
        if path is not None:
            report.written.append(path)
        else:
            report.errors.append(error)
    remaining = max(len(todo) - (limit if limit is not None else len(todo)), 0)
    return ArchiveReport(report.written, report.errors, remaining)


# --- the year's end ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedVolume:
    volume: str
    first_page: int
    pages: int  # the volume's page count, this closing's last page included
    lines: int
    pdf: bytes
    event_id: str


def _volume_summary(s: Session, device: Device, volume: str, closings: list, late: list[int]) -> dict:
    """What the closing statement counts: the lines printed in the volume (those of `late` included)."""
    printed = list(s.scalars(select(LogbookPrinted.number).where(LogbookPrinted.device_id == device.id,
                                                                 LogbookPrinted.volume == volume)))
    numbers = printed + late
    days = [c.day for c in closings if c.kind == "day"]
    return {"first_number": min(numbers, default=None), "last_number": max(numbers, default=None),
            "lines": len(numbers), "days": len(days),
            "first_day": min(days).isoformat() if days else None, "last_day": max(days).isoformat() if days else None}


def _volume_data(volume: str, summary: dict, context: dict, *, closed_on: date, first_page: int, pages: int,
                 rows: list[dict], printed_at: datetime | None, reprinted_at: datetime | None,
                 slot: int) -> VolumeEndData:
    year = _year_of(volume)
    return VolumeEndData(
        header=_header_of(context), volume=volume, device_name=context.get("device_name", ""), year=year,
        first_page=first_page, pages=pages, first_number=summary["first_number"],
        last_number=summary["last_number"], lines=summary["lines"], days=summary["days"],
        first_day=date.fromisoformat(summary["first_day"]) if summary.get("first_day") else None,
        last_day=date.fromisoformat(summary["last_day"]) if summary.get("last_day") else None,
        closed_on=closed_on, next_volume=volume_label(slot, year + 1),
        rows=tuple(BookRow(r["number"], r["values"]) for r in rows), preparer_name=context.get("preparer", ""),
        signer_title=context.get("signer_title", ""), signer_name=context.get("signer_name", ""),
        printed_at=printed_at.astimezone(TZ) if printed_at else None,
        reprinted_at=reprinted_at.astimezone(TZ) if reprinted_at else None)


def close_volume(db: Database, year: int, *, actor: UserInfo) -> ClosedVolume:
    """Close this device's volume of `year` (khóa sổ): every day must be closed; lines written after the
    last closing are printed first; the last page states how many pages and lines the volume holds.
    Records ``logbook.volume_closed``. Allowed from 31/12 of that year."""
    now = db.clock()
    today = now.astimezone(TZ).date()
    if today < date(year, 12, 31):
        raise ServiceError(M["year_not_over"].format(year=year))
    with db.reading() as s:
        settings = load_settings(s)
        refusal = may_close(settings, actor)
        if refusal:
            raise ServiceError(refusal)
        device = _this_device(s)
        volume = volume_label(device.slot, year)
        closings = _closings(s, device, volume)
        for c in closings:
            if c.kind == "volume":
                raise ServiceError(M["volume_already"].format(volume=volume, day=_fmt(c.day)))
        pending = [d for v, d in _pending(s, device, settings, min(today, date(year, 12, 31))) if v == volume]
        if pending:
            raise ServiceError(M["pending_at_year_end"].format(days=_days_text(pending), year=year))
        late = _unprinted(s, device, settings, volume, date(year, 12, 31))
        lines = [{"number": r.number, "dossier_id": r.id,
                  "values": line_values(print_line(book_line(r, r.volume, r.number)))} for r in late]
        summary = _volume_summary(s, device, volume, closings, [r.number for r in late])
        first_page = (closings[-1].last_page + 1) if closings else 1
        context = _context(settings, device, actor.full_name)
        last_id = closings[-1].id if closings else None
        slot = device.slot
    # The statement names the volume's page count, which is this document's last page: lay out until stable.
    pages = first_page
    for _ in range(4):
        data = _volume_data(volume, summary, context, closed_on=today, first_page=first_page, pages=pages,
                            rows=lines, printed_at=now, reprinted_at=None, slot=slot)
        pdf, count = build_volume_end_pdf(data)
        if first_page + count - 1 == pages:
            break
        pages = first_page + count - 1
    payload = ev.VolumeClosed(volume=volume, closed_on=today, first_page=first_page, last_page=pages,
                              lines=tuple(ev.PrintedLine(**x) for x in lines), summary=summary, context=context,
                              actor_name=actor.full_name)
    with db.transaction() as s:
        device = _this_device(s)
        latest = _latest_closing(s, device, volume)
        if latest != last_id:
            raise ServiceError(M["busy"])
        event = append(s, this_device(s), payload, stream_id=logbook_stream(device.id), actor_id=actor.id,
                       occurred_at=now)
    _archive_write_volume(db, settings, volume, pdf)
    return ClosedVolume(volume, first_page, pages, summary["lines"], pdf, event.event_id)


def _archive_write_volume(db: Database, settings: OfficeSettings, volume: str, pdf: bytes) -> None:
    path = archive_path(archive_folder(db, settings), volume, date(_year_of(volume), 12, 31), closed=True)
    try:
        _private_folder(path.parent)
        write_private(path.with_name("khoa-so.pdf"), pdf)
    except OSError:
        pass  # the closing stands; `volume_end_pdf` reprints the page


def volume_end_pdf(db: Database, year: int) -> bytes:
    """The reprint of a closed volume's last page(s) ("Bản in lại")."""
    now = db.clock()
    with db.reading() as s:
        device = _this_device(s)
        volume = volume_label(device.slot, year)
        c = s.scalar(select(LogbookClosing).where(LogbookClosing.device_id == device.id,
                                                  LogbookClosing.volume == volume, LogbookClosing.kind == "volume"))
        if c is None:
            raise ServiceError(f"Quyển số {volume} chưa khóa sổ.")
        data = _volume_data(volume, c.totals, c.context, closed_on=c.day, first_page=c.first_page,
                            pages=c.last_page, rows=c.rows, printed_at=c.closed_at, reprinted_at=now,
                            slot=device.slot)
    return build_volume_end_pdf(data)[0]


def cover_pdf(db: Database, year: int) -> bytes:
    """The cover of this device's volume of `year`."""
    with db.reading() as s:
        settings = load_settings(s)
        device = _this_device(s)
        volume = volume_label(device.slot, year)
        closings = _closings(s, device, volume)
        days = [c.day for c in closings if c.kind == "day"]
        ended = next((c.day for c in closings if c.kind == "volume"), None)
        started = min(days) if days else None
        data = CoverData(_header(settings), volume, year, device.name, device.slot, device.agency_code,
                         started_on=started, closed_on=ended)
    return build_cover_pdf(data)
