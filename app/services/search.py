"""The one search box and the on-screen logbook list: filters, accent-free full-text search, due alerts.

Text search goes through the FTS5 index ``dossier_fts`` (over ``dossiers.search_key``, rowid =
``dossiers.rowid``). User text is folded with :func:`app.domain.text.search_key`, split into words,
and every word becomes a quoted prefix phrase (``"nguyen"* "thi"* "huong"*``); quotes and FTS
operators in the input are dropped, so any input is a valid query. A word with punctuation inside
(a dossier code ``000.17.22.H56-261116-1001``) becomes one phrase of its parts, which is exactly how
the index tokenised it. Text hits come newest first by rowid (FTS5 streams rowids in order, so a
common word over a million rows stops after ``limit`` rows; bm25 ranking is never used).

Due filters (``DossierFilter.due``), judged at ``now`` (the clock, truncated to the minute) against
``due_at`` — the appointment the citizen holds, extension included (statistics judge the statutory
``original_due_at`` instead, see :mod:`app.services.stats`):

- ``"overdue"``: still being processed — status received / in_progress with ``due_at < now``, or
  status supplement whose clock was paused when it was already past due (``paused_at > due_at``).
  ``result_ready`` is NOT overdue: processing is finished and the result waits for the citizen
  (whether the result itself was late is a statistic, not a to-do).
- ``"today"``: received / in_progress, not overdue, due on today's local date.
- ``"soon"``: received / in_progress, not overdue, due within one working day from now
  (``add_working_minutes(now, hours_per_day * 60)``); includes "today".
- ``"paused"``: status supplement (the clock is stopped waiting for the citizen).

``DossierRow.due_state`` follows :func:`app.domain.lifecycle.due_state`, so a row marked overdue is
always in the "overdue" filter (a supplement row paused after its due time is ``overdue``), and a
dossier with its result (ready or returned) carries the verdict the statistics count it with:
``early`` / ``on_time`` / ``late`` against the statutory due (:func:`app.domain.lifecycle.verdict`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, column, func, literal_column, or_, select, table, text
from sqlalchemy.orm import Session

from app.domain.calendar import TZ, WorkCalendar
from app.domain.deadline import add_working_minutes
from app.domain.dossier import Status, status_text
from app.domain.lifecycle import due_state
from app.domain.text import search_key
from app.services.database import Database
from app.services.settings import office_calendar
from db.models import Dossier, Procedure, User

__all__ = [
    "DossierFilter",
    "DossierRow",
    "DueAlerts",
    "SearchResult",
    "due_alerts",
    "filter_options",
    "fts_query",
    "like_scan",
    "quick_search",
    "raw_index_query",
    "search_dossiers",
]

PROCESSING = (Status.RECEIVED.value, Status.IN_PROGRESS.value)
DUE_KINDS = ("today", "soon", "overdue", "paused")
ORDERS = ("newest", "oldest", "due", "code", "number")

# Token characters of FTS5's unicode61 tokenizer: letters and digits (underscore separates).
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class DossierFilter:
    text: str = ""  # accent/case-insensitive over code, name, phone, ID number, address, procedure
    statuses: tuple[str, ...] = ()  # app.domain.dossier.Status values; empty = all
    field: str | None = None  # lĩnh vực
    procedure_code: str | None = None
    clerk_id: str | None = None
    received_from: date | None = None  # local dates, inclusive (Dossier.received_day)
    received_to: date | None = None
    due: str | None = None  # "today" | "soon" | "overdue" | "paused"
    channel: str | None = None  # "direct" | "post" | "online"
    device_id: str | None = None


@dataclass(frozen=True)
class DossierRow:
    id: str
    code: str
    applicant_name: str
    phone: str
    id_number: str
    address: str
    procedure_code: str
    procedure_name: str
    field: str
    received_at: datetime  # aware, local
    due_at: datetime | None  # aware, local; None = no statutory deadline
    status: str
    status_text: str
    due_state: str  # app.domain.lifecycle.DueState value
    clerk_name: str
    channel: str
    volume: str
    number: int


@dataclass(frozen=True)
class SearchResult:
    rows: list[DossierRow]
    total: int | None  # counted only when cheap (no text); None otherwise
    has_more: bool


@dataclass(frozen=True)
class DueAlerts:
    overdue: int
    due_today: int
    due_soon: int
    paused: int


# --- text -> FTS5 query ---------------------------------------------------------------------------


def fts_query(text_: str) -> str:
    """A safe FTS5 MATCH expression for what the user typed; "" when nothing searchable is left.

    Every whitespace-separated word becomes one quoted phrase of its letter/digit runs with a prefix
    star on the last one; all words must match (implicit AND). Quotes, stars, parentheses, ``-``,
    ``:``, ``^`` and the keywords AND/OR/NOT/NEAR lose their meaning because they are either dropped
    or end up inside quotes.
    """
    phrases = []
    for word in search_key(text_).split(" "):
        tokens = _TOKEN.findall(word)
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"*')
    return " ".join(phrases)


# --- helpers --------------------------------------------------------------------------------------


def _now(db: Database, now: datetime | None) -> datetime:
    now = now or db.clock()
    if now.tzinfo is None:
        now = now.replace(tzinfo=TZ)
    return now.astimezone(TZ).replace(second=0, microsecond=0)


def _loc(dt: datetime | None) -> datetime | None:
    return dt.astimezone(TZ) if dt else None


def _soon_limit(now: datetime, cal: WorkCalendar) -> datetime:
    return add_working_minutes(now, int(cal.hours.hours_per_day * 60), cal)


# Only what a list row needs (no JSON columns to decode).
_COLS = (Dossier.id, Dossier.code, Dossier.applicant_name, Dossier.phone, Dossier.applicant_id_number,
         Dossier.address, Dossier.procedure_code, Dossier.procedure_name, Dossier.field, Dossier.received_at,
         Dossier.due_at, Dossier.paused_at, Dossier.status, Dossier.clerk_name, Dossier.channel, Dossier.volume,
         Dossier.number, Dossier.result_at, Dossier.original_due_at)


def _row_due_state(d, now: datetime, cal: WorkCalendar) -> str:
    return due_state(d.status, d.due_at, now, cal, paused_at=d.paused_at, result_at=d.result_at,
                     statutory_due_at=d.original_due_at).value


def _row(d, now: datetime, cal: WorkCalendar) -> DossierRow:
    return DossierRow(
        id=d.id, code=d.code, applicant_name=d.applicant_name, phone=d.phone, id_number=d.applicant_id_number,
        address=d.address, procedure_code=d.procedure_code, procedure_name=d.procedure_name, field=d.field,
        received_at=_loc(d.received_at), due_at=_loc(d.due_at), status=d.status,
        status_text=status_text(d.status), due_state=_row_due_state(d, now, cal), clerk_name=d.clerk_name,
        channel=d.channel, volume=d.volume, number=d.number,
    )


def _overdue_clause(now: datetime):
    return or_(
        and_(Dossier.status.in_(PROCESSING), Dossier.due_at < now),
        and_(Dossier.status == Status.SUPPLEMENT.value, Dossier.due_at.is_not(None),
             Dossier.paused_at > Dossier.due_at),
    )


def _due_clause(kind: str, now: datetime, cal: WorkCalendar):
    if kind == "overdue":
        return _overdue_clause(now)
    if kind == "paused":
        return Dossier.status == Status.SUPPLEMENT.value
    if kind == "today":
        tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
        return and_(Dossier.status.in_(PROCESSING), Dossier.due_at >= now, Dossier.due_at < tomorrow)
    if kind == "soon":
        return and_(Dossier.status.in_(PROCESSING), Dossier.due_at >= now,
                    Dossier.due_at <= _soon_limit(now, cal))
    raise ValueError(f"unknown due filter {kind!r}; expected one of {', '.join(DUE_KINDS)}")


def _where(q: Select, flt: DossierFilter, now: datetime, cal: WorkCalendar) -> Select:
    if flt.statuses:
        q = q.where(Dossier.status.in_([Status(s).value for s in flt.statuses]))
    if flt.field:
        q = q.where(Dossier.field == flt.field)
    if flt.procedure_code:
        q = q.where(Dossier.procedure_code == flt.procedure_code)
    if flt.clerk_id:
        q = q.where(Dossier.clerk_id == flt.clerk_id)
    if flt.received_from:
        q = q.where(Dossier.received_day >= flt.received_from)
    if flt.received_to:
        q = q.where(Dossier.received_day <= flt.received_to)
    if flt.due:
        q = q.where(_due_clause(flt.due, now, cal))
    if flt.channel:
        q = q.where(Dossier.channel == flt.channel)
    if flt.device_id:
        q = q.where(Dossier.device_id == flt.device_id)
    return q


_ROWID = text("dossiers.rowid")
_FTS = table("dossier_fts", column("rowid"))


def _text_select(match: str) -> Select:
    """Dossiers joined to their FTS hits; ordering by the FTS rowid lets FTS5 stream newest first."""
    return (select(*_COLS)
            .select_from(_FTS.join(Dossier, literal_column("dossiers.rowid") == _FTS.c.rowid))
            .where(text("dossier_fts MATCH :m").bindparams(m=match)))


def _order(q: Select, order: str, has_text: bool) -> Select:
    if order == "newest":
        # With text, rowid order lets FTS5 stream its hits and stop at LIMIT.
        return q.order_by(_FTS.c.rowid.desc()) if has_text else \
            q.order_by(Dossier.received_at.desc(), text("dossiers.rowid DESC"))
    if order == "oldest":
        return q.order_by(Dossier.received_at, _ROWID)
    if order == "due":
        return q.order_by(Dossier.due_at.is_(None), Dossier.due_at, _ROWID)
    if order == "code":
        return q.order_by(Dossier.code)
    if order == "number":
        return q.order_by(Dossier.volume, Dossier.number)
    raise ValueError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")


# --- the services ---------------------------------------------------------------------------------


def search_dossiers(db: Database, flt: DossierFilter, *, limit: int = 200, offset: int = 0,
                    now: datetime | None = None, order: str = "newest") -> SearchResult:
    """Dossiers matching every given filter, `limit` at a time from `offset`.

    Order: "newest" (default; received_at desc, or index order newest first when there is text),
    "oldest", "due" (earliest due first, no deadline last), "code", "number" (volume, number).
    Vietnamese collation of names is left to the UI. `total` is counted only without text.
    """
    now = _now(db, now)
    match = fts_query(flt.text)
    with db.reading() as s:
        cal = office_calendar(s)
        if flt.text.strip() and not match:  # only punctuation typed: nothing can match
            return SearchResult([], 0, False)
        q = _where(_text_select(match) if match else select(*_COLS), flt, now, cal)
        found = list(s.execute(_order(q, order, bool(match)).limit(limit + 1).offset(offset)))
        total = None
        if not match:
            cq = _where(select(func.count()).select_from(Dossier), flt, now, cal)
            total = s.scalar(cq)
        rows = [_row(d, now, cal) for d in found[:limit]]
    return SearchResult(rows, total, len(found) > limit)


def quick_search(db: Database, text_: str, *, limit: int = 50) -> list[DossierRow]:
    """The search box: a dossier whose code is exactly the text first, then index hits newest first."""
    now = _now(db, None)
    key = text_.strip()
    match = fts_query(key)
    with db.reading() as s:
        cal = office_calendar(s)
        exact = []
        if key:
            exact = list(s.execute(select(*_COLS).where(Dossier.code.in_({key, key.upper()}))))
        rows = exact[:]
        if match and len(rows) < limit:
            seen = {d.id for d in rows}
            q = _text_select(match).order_by(_FTS.c.rowid.desc()).limit(limit + len(seen))
            rows += [d for d in s.execute(q) if d.id not in seen]
        return [_row(d, now, cal) for d in rows[:limit]]


def raw_index_query(db: Database, text_: str, limit: int = 50) -> list[str]:
    """Benchmark baseline: dossier ids from the bare FTS MATCH, newest first, nothing else."""
    match = fts_query(text_)
    if not match:
        return []
    with db.reading() as s:
        return list(s.scalars(text(
            "SELECT d.id FROM dossiers d WHERE d.rowid IN "
            "(SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH :m ORDER BY rowid DESC LIMIT :n) "
            "ORDER BY d.rowid DESC"), {"m": match, "n": limit}))


def like_scan(db: Database, text_: str, limit: int = 50) -> list[str]:
    """Benchmark baseline: a naive LIKE '%…%' scan over search_key (every word must occur)."""
    words = [w for w in search_key(text_).split(" ") if w]
    if not words:
        return []
    with db.reading() as s:
        q = select(Dossier.id)
        for w in words:
            escaped = w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            q = q.where(Dossier.search_key.like(f"%{escaped}%", escape="\\"))
        return list(s.scalars(q.order_by(text("dossiers.rowid DESC")).limit(limit)))


def due_alerts(db: Database, *, now: datetime | None = None) -> DueAlerts:
    """Counts for the start-up badge, with the same definitions as the due filters."""
    now = _now(db, now)
    with db.reading() as s:
        cal = office_calendar(s)

        def count(kind: str) -> int:
            return s.scalar(select(func.count()).select_from(Dossier).where(_due_clause(kind, now, cal))) or 0

        return DueAlerts(overdue=count("overdue"), due_today=count("today"), due_soon=count("soon"),
                         paused=count("paused"))


def filter_options(db: Database) -> dict:
    """Values for the filter combos: {"fields": [str], "procedures": [(code, name)], "clerks": [(id, name)]}.

    Fields and procedures come from the catalogue plus whatever the dossiers hold (a procedure may
    have left the catalogue); clerks are the staff accounts. Sorted accent-free; the UI may re-sort.
    """
    with db.reading() as s:
        return _options(s)


def _options(s: Session) -> dict:
    fields = set(s.scalars(select(Procedure.field).distinct()))
    fields |= set(s.scalars(select(Dossier.field).distinct()))
    procedures = {code: name for code, name in s.execute(select(Procedure.code, Procedure.name)
                                                         .order_by(Procedure.effective_from))}  # latest name wins
    for code, name in s.execute(select(Dossier.procedure_code, func.max(Dossier.procedure_name))
                                .group_by(Dossier.procedure_code)):
        procedures.setdefault(code, name)
    clerks = [(u.id, u.full_name) for u in s.scalars(select(User))]
    return {
        "fields": sorted((f for f in fields if f), key=search_key),
        "procedures": sorted(procedures.items(), key=lambda p: (search_key(p[1]), p[0])),
        "clerks": sorted(clerks, key=lambda c: search_key(c[1])),
    }
