"""Benchmarks of the issue "the daily logbook as an office keeps it": closing a day of the book."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import date, datetime, time
from pathlib import Path

from bench.core import Measure, Table, benchmark, time_calls
from bench.counter import bare_text_pdf, commune
from bench.generate import copy_of


def _target_day(path: Path, target: int) -> tuple[str, str, date, int]:
    """This counter's latest volume and the day, a week or more back, whose line count is closest to `target`."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        device, slot = con.execute("SELECT device_id, slot FROM local_devices WHERE kind = 'counter'").fetchone()
        volume = con.execute("SELECT volume FROM logbook_entries WHERE device_id = ? ORDER BY received_at DESC "
                             "LIMIT 1", (device,)).fetchone()[0]
        days = con.execute("SELECT d.received_day, count(*) FROM logbook_entries e JOIN dossiers d "
                           "ON d.id = e.dossier_id WHERE e.device_id = ? AND e.volume = ? GROUP BY d.received_day "
                           "ORDER BY d.received_day DESC", (device, volume)).fetchall()
    finally:
        con.close()
    candidates = days[5:] or days
    day, n = min(candidates, key=lambda dn: (abs(dn[1] - target), dn[0]))
    return device, volume, date.fromisoformat(day), n


def _book_until(db, device_id: str, volume: str, day: date) -> int:
    """Make the book as if every day of `volume` before `day` had been closed: a closing row per day, and
    the day before closed by a real ``logbook.day_closed`` event that printed every earlier line with its
    values of today (so the next closing compares them but finds nothing to update). Returns how many
    lines that marks printed."""
    from sqlalchemy import select

    from app.eventlog import append
    from app.eventlog import payloads as ev
    from app.eventlog.registry import logbook_stream
    from app.printing.logbook import line_values
    from app.services.daybook import _book_days
    from app.services.reports import LINE_COLUMNS, book_line, print_line
    from app.services.settings import load_settings, office_calendar, save_settings
    from db.models import Device, Dossier, LogbookEntry

    me = db.device
    with db.transaction() as s:
        device = s.get(Device, device_id)
        # the office keeps its day book from the volume's first day (the generated device is ten years old)
        save_settings(s, me, {"daybook_start": f"{volume.partition('/')[2]}-01-01"}, at=db.clock())
        settings = load_settings(s)
        cal = office_calendar(s, settings)
        days = [d for d in _book_days(s, device, settings, volume, day, cal) if d < day]
        q = (select(*LINE_COLUMNS, LogbookEntry.volume, LogbookEntry.number)
             .join(LogbookEntry, LogbookEntry.dossier_id == Dossier.id)
             .where(LogbookEntry.device_id == device_id, Dossier.received_day < day))
        lines = [ev.PrintedLine(number=r.number, dossier_id=r.id,
                                values=line_values(print_line(book_line(r, r.volume, r.number))))
                 for r in s.execute(q).all()]
    # every earlier day closed by its own event; the last one printed every earlier line with today's values
    for page, d in enumerate(days, start=1):
        with db.transaction() as s:
            append(s, me, ev.DayClosed(volume=volume, day=d, first_page=page, last_page=page,
                                       lines=tuple(lines) if d == days[-1] else ()),
                   stream_id=logbook_stream(device_id), actor_id=None, occurred_at=db.clock())
    return len(lines)


@benchmark("closeday", issue="the daily logbook as an office keeps it",
           needs=("app.services.daybook:close_day", "app.printing.logbook:build_daybook_pdf"))
def closeday(quick: bool) -> Table:
    """Closing a ~60-line day of the book (pages, totals, event, archive) vs a bare reportlab page loop."""
    from sqlalchemy import text

    from app.domain.calendar import TZ
    from app.services import daybook
    from app.services.database import Database
    from app.services.reports import logbook_lines
    from app.services.users import list_users

    n = 2 if quick else 10
    with tempfile.TemporaryDirectory(dir="/tmp") as tmpdir:
        tmp = Path(tmpdir)
        src = commune(quick)
        device_id, volume, day, count = _target_day(src, 10 if quick else 60)
        path = copy_of(src, tmp / "book.sqlite")
        db = Database(path)
        try:
            db.clock = lambda: datetime.combine(day, time(17, 35), TZ)
            printed = _book_until(db, device_id, volume, day)
            clerk = next(u for u in list_users(db) if u.username == "canbo1")
            lines = logbook_lines(db, day, day, volume=volume)
            texts = [" | ".join(str(x) for x in (ln.number, ln.code, ln.procedure_name, ln.sets_count,
                                                  ln.applicant_name, ln.address_phone, ln.competent_unit,
                                                  ln.received_at and f"{ln.received_at:%d/%m/%Y %H:%M}",
                                                  ln.due_at and f"{ln.due_at:%d/%m/%Y %H:%M}", ln.note))
                     for ln in lines]
            pages = [texts[i:i + 10] for i in range(0, len(texts), 10)]
            base = time_calls(lambda: bare_text_pdf(pages, landscape_page=True, size=9), n, warmup=1)
            results: list = []

            def undo() -> None:
                """Take the last closing back out, so that every timed call closes the same day."""
                if not results:
                    return
                ev = results.pop().event_id
                with db.transaction() as s:
                    for table in ("logbook_closings", "logbook_printed", "events"):
                        s.execute(text(f"DELETE FROM {table} WHERE event_id = :e"), {"e": ev})
                    s.execute(text("UPDATE counters SET value = value - 1 WHERE name = 'event_seq'"))

            app = time_calls(lambda: results.append(daybook.close_day(db, day, actor=clerk)), n, warmup=1,
                             before=undo)
            closed = results[-1]
            state = time_calls(lambda: daybook.book_state(db, clerk), n, warmup=1)
            reprint = time_calls(lambda: daybook.day_pdf(db, day), n, warmup=1)
        finally:
            db.close()
    size = "300" if quick else "50,000"
    pages_n = closed.last_page - closed.first_page + 1
    return Table(f"closeday: one day of volume {volume} closed, {count} lines ({day:%d/%m/%Y}, {size}-dossier "
                 f"commune, {printed:,} lines printed before)", [
        Measure("reportlab canvas page loop, same lines", base, f"{len(pages)} pages, 10 lines each, 9 pt"),
        Measure("daybook.close_day", app, f"{pages_n} pages, event, archive file"),
        Measure("daybook.day_pdf (reprint)", reprint),
        Measure("daybook.book_state (status bar)", state, "pending days of every volume"),
    ], baseline="reportlab canvas page loop, same lines")
