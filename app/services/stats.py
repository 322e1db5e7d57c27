"""Statistics of form Biểu II.06a/VPCP/KSTT: received, resolved, in progress by field (lĩnh vực).

Definitions (period = local dates ``date_from`` … ``date_to`` inclusive; instants compared in UTC
to the minute; "end of the period" = 00:00 local of the day after ``date_to``):

- **Cancelled** dossiers count nowhere when they were cancelled before their first hand-over and had
  no result (a data-entry mistake, the only cancel a clerk may make). One cancelled later (by a leader)
  still counts: as resolved when it had a result, otherwise as withdrawn when it was cancelled, so a
  cancel never hides a dossier that was being processed (or a late one).
- **Received** (``received_total``): ``received_day`` in the period. ``received_online``: channel
  "online"; ``received_direct_post``: the rest (counter and post). ``received_total`` is the
  dossiers received *in the period*, so it equals the count of
  ``DossierFilter(received_from=…, received_to=…)`` without cancelled ones. The official form's
  "Tổng số nhận giải quyết" also adds the carried-over dossiers: that is ``StatsRow.intake_total``
  (= received_total + carried_over), which the Excel/CSV/PDF outputs print in that column.
- A dossier's **end** is ``result_at`` (the result was ready; the projection sets it to
  ``returned_at`` when no result step was recorded) or, for a stopped dossier without a result, the
  moment it was stopped (its "stopped" step).
- **Carried over**: received before ``date_from`` and with no end before the start of ``date_from``.
- **Resolved**: ``result_at`` within the period and not withdrawn. Judged by the one verdict
  function, :func:`app.domain.lifecycle.verdict` (registered in SQLite as ``mc_verdict``): against
  ``original_due_at`` (the statutory due, supplement pauses included, extensions NOT): early = result
  on a local day before the due day; on time = on the due day up to the due minute; late = after it;
  no deadline = on time. The lists and the dossier window show the same verdict.
- **In progress**: received by the end of the period, no end before the end of the period. Judged
  at ``min(now, end of period)`` against ``original_due_at`` by
  :func:`app.domain.deadline.open_overdue` (``mc_overdue``): a dossier waiting for a supplement is
  judged at its pause ("the pause does not excuse the delay"); no deadline = within. Historical
  periods use today's ``original_due_at`` (later pauses have moved it): the projection keeps no
  history of it.
- **Withdrawn** (``stopped``: dừng giải quyết, rút, hủy hồ sơ): stopped dossiers, and dossiers cancelled
  after a hand-over without a result; they count as received, never as resolved, and are carried over /
  in progress only for periods that start / end before they were stopped or cancelled. The form has no
  column for them, so the outputs add one after "Đang giải quyết".
- So every row adds up: carried_over + received_total (= the form's "Tổng số") = resolved_total +
  in_progress_total + stopped. :meth:`StatsRow.balanced` checks it.

Agreement with the search filters (same definitions, see :mod:`app.services.search`): for a period
ending today, ``in_progress_overdue`` equals ``DossierFilter(due="overdue")`` except for dossiers
whose extension (form 04) moved ``due_at`` past now: statistics still count them overdue against
the statutory due, the work list does not. result_ready dossiers are resolved here and never
"overdue" in the list.

The counting is one aggregate SQL query grouped by field (SQLite date functions; Vietnam is UTC+7
all year) and a small one per month for the trend.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import text

from app.domain.calendar import TZ
from app.domain.deadline import open_overdue
from app.domain.lifecycle import verdict
from app.domain.text import search_key
from app.eventlog import iso
from app.services.database import Database
from app.services.settings import load_settings

__all__ = ["MonthPoint", "StatsReport", "StatsRow", "compute_stats", "period_bounds", "period_label"]

TOTAL_LABEL = "Tổng số"


@dataclass(frozen=True)
class StatsRow:
    field: str
    received_total: int  # received in the period (online + direct/post)
    received_online: int
    received_direct_post: int
    carried_over: int  # từ kỳ trước chuyển sang
    resolved_total: int
    early: int
    on_time: int
    late: int
    in_progress_total: int
    in_progress_within: int
    in_progress_overdue: int
    stopped: int = 0  # dừng giải quyết, rút hồ sơ, hủy sau khi đã chuyển xử lý (ended without a result)

    @property
    def balanced(self) -> bool:
        """Received + carried over = resolved + in progress + withdrawn, and each part adds up."""
        return (self.intake_total == self.resolved_total + self.in_progress_total + self.stopped
                and self.received_total == self.received_online + self.received_direct_post
                and self.resolved_total == self.early + self.on_time + self.late
                and self.in_progress_total == self.in_progress_within + self.in_progress_overdue)

    @property
    def intake_total(self) -> int:
        """The form's "Tổng số" under Tiếp nhận: received in the period plus carried over."""
        return self.received_total + self.carried_over

    @property
    def on_time_share(self) -> float | None:
        """(early + on time) / resolved × 100, one decimal; None when nothing was resolved."""
        if not self.resolved_total:
            return None
        return round(100 * (self.early + self.on_time) / self.resolved_total, 1)

    def counts(self) -> list[int]:
        return [getattr(self, f.name) for f in fields(self) if f.name != "field"]


@dataclass(frozen=True)
class MonthPoint:
    year: int
    month: int
    received: int
    resolved: int
    on_time_share: float | None  # (early + on_time) / resolved × 100, one decimal


@dataclass(frozen=True)
class StatsReport:
    date_from: date
    date_to: date
    unit_name: str  # the receiving/reporting unit (center name from the settings)
    rows: list[StatsRow]
    total: StatsRow
    months: list[MonthPoint]
    generated_at: datetime  # aware, local
    parent_body: str = ""  # cơ quan chủ quản, for the header of the outputs
    place_name: str = ""


# --- periods --------------------------------------------------------------------------------------


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """First and last day of a month (number 1..12), a quarter (1..4) or a year."""
    if kind == "month":
        if not 1 <= number <= 12:
            raise ValueError("month must be 1..12")
        return date(year, number, 1), date(year, number, _cal.monthrange(year, number)[1])
    if kind == "quarter":
        if not 1 <= number <= 4:
            raise ValueError("quarter must be 1..4")
        first = 3 * (number - 1) + 1
        return date(year, first, 1), date(year, first + 2, _cal.monthrange(year, first + 2)[1])
    if kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    raise ValueError(f"unknown period kind {kind!r}; expected month, quarter or year")


def period_label(date_from: date, date_to: date) -> str:
    """Vietnamese wording of a period: "Tháng 11 năm 2026", "Quý IV năm 2026", "Năm 2026" or a range."""
    y = date_from.year
    for n in range(1, 13):
        if (date_from, date_to) == period_bounds("month", y, n):
            return f"Tháng {n} năm {y}"
    for n, roman in enumerate(("I", "II", "III", "IV"), start=1):
        if (date_from, date_to) == period_bounds("quarter", y, n):
            return f"Quý {roman} năm {y}"
    if (date_from, date_to) == period_bounds("year", y):
        return f"Năm {y}"
    return f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


# --- the computation ------------------------------------------------------------------------------

# Local date of a stored UTC instant ('YYYY-MM-DDTHH:MM:SSZ'); Asia/Ho_Chi_Minh has been UTC+7 since 1975.
_OFFSET = "'+7 hours'"

# A dossier counts unless it was cancelled as a pure data-entry mistake (no hand-over, no result).
_COUNTED = "(d.status != 'cancelled' OR d.first_transfer_at IS NOT NULL OR d.result_at IS NOT NULL)"

_BASE = f"""
WITH base AS (
  SELECT d.field AS field, d.channel AS channel, d.received_day AS rday, d.status AS status,
         d.result_at AS res, d.original_due_at AS due,
         CASE WHEN d.status = 'supplement' THEN d.paused_at END AS paused,
         (d.status = 'stopped' OR (d.status = 'cancelled' AND d.result_at IS NULL)) AS withdrawn,
         (SELECT min(st.at) FROM dossier_steps st WHERE st.dossier_id = d.id
           AND st.kind IN ('stopped', 'cancelled')) AS closed_at,
         d.updated_at AS updated
  FROM dossiers d
  WHERE {_COUNTED} AND d.received_day <= :to_day
), ended AS (
  SELECT *, substr(CASE WHEN withdrawn THEN COALESCE(res, closed_at, updated) ELSE res END, 1, 16) AS end_at
  FROM base
), judged AS (
  SELECT *,
    (rday >= :from_day) AS rec,
    (rday < :from_day AND (end_at IS NULL OR end_at >= :f0)) AS carried,
    (NOT withdrawn AND end_at >= :f0 AND end_at < :t1) AS resolved,
    (withdrawn AND end_at >= :f0 AND end_at < :t1) AS stopped,
    (end_at IS NULL OR end_at >= :t1) AS open_at_end
  FROM ended
  WHERE end_at IS NULL OR end_at >= :f0 OR rday >= :from_day
), verdicts AS (
  SELECT *, CASE WHEN resolved THEN mc_verdict(res, due) END AS verdict FROM judged
)
"""

_BY_FIELD = _BASE + """
SELECT field,
  sum(rec), sum(rec AND channel = 'online'), sum(rec AND channel != 'online'), sum(carried),
  sum(resolved), sum(verdict = 'early'), sum(verdict = 'late'),
  sum(open_at_end), sum(open_at_end AND mc_overdue(due, :jt, paused)), sum(stopped)
FROM verdicts GROUP BY field
"""

_MONTHS_RECEIVED = f"""
SELECT substr(received_day, 1, 7) AS ym, count(*) FROM dossiers d
WHERE {_COUNTED} AND received_day BETWEEN :from_day AND :to_day GROUP BY ym
"""

_MONTHS_RESOLVED = f"""
SELECT strftime('%Y-%m', result_at, {_OFFSET}) AS ym, count(*), sum(mc_verdict(result_at, original_due_at) != 'late')
FROM dossiers
WHERE status != 'stopped' AND result_at >= :f0 AND result_at < :t1 GROUP BY ym
"""


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None  # "…Z" and "…+00:00" both parse as UTC


def _sql_verdict(result_at: str | None, due: str | None) -> str | None:
    v = verdict(_instant(result_at), _instant(due))
    return v.value if v else None


def _sql_overdue(due: str | None, at: str, paused: str | None) -> int:
    return int(open_overdue(_instant(due), _instant(at), _instant(paused)))


def _with_verdicts(s) -> None:
    """Let this connection's SQL call the domain's verdict functions (the same code the lists use)."""
    conn = s.connection().connection.driver_connection
    conn.create_function("mc_verdict", 2, _sql_verdict, deterministic=True)
    conn.create_function("mc_overdue", 3, _sql_overdue, deterministic=True)


def _day_start(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time(), tzinfo=TZ)


def _minute_iso(dt: datetime) -> str:
    return iso(dt)[:16]


def _sum_rows(label: str, rows: list[StatsRow]) -> StatsRow:
    return StatsRow(label, *(sum(col) for col in zip(*(r.counts() for r in rows), strict=True))) \
        if rows else StatsRow(label, *([0] * 12))


def _months(date_from: date, date_to: date) -> list[tuple[int, int]]:
    out, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def compute_stats(db: Database, date_from: date, date_to: date, *, now: datetime | None = None) -> StatsReport:
    """Biểu II.06a for [date_from, date_to]: one row per field that has any figure, and the total."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    now = (now or db.clock()).astimezone(TZ).replace(second=0, microsecond=0)
    f0, t1 = _day_start(date_from), _day_start(date_to + timedelta(days=1))
    judge = min(now, t1)
    params = {"from_day": date_from.isoformat(), "to_day": date_to.isoformat(), "f0": _minute_iso(f0),
              "t1": _minute_iso(t1), "jt": iso(judge)}
    with db.reading() as s:
        settings = load_settings(s)
        _with_verdicts(s)
        rows = []
        for field, *values in s.execute(text(_BY_FIELD), params):
            counts = [int(v or 0) for v in values]
            rec, online, direct, carried, resolved, early, late, open_, overdue, stopped = counts
            if not any(counts):
                continue
            rows.append(StatsRow(field, rec, online, direct, carried, resolved, early, resolved - early - late,
                                 late, open_, open_ - overdue, overdue, stopped))
        received = dict(s.execute(text(_MONTHS_RECEIVED), params).all())
        resolved_by_month = {ym: (n, good) for ym, n, good in s.execute(text(_MONTHS_RESOLVED), params)}
    rows.sort(key=lambda r: search_key(r.field))
    months = []
    for y, m in _months(date_from, date_to):
        ym = f"{y:04d}-{m:02d}"
        n, good = resolved_by_month.get(ym, (0, 0))
        months.append(MonthPoint(y, m, int(received.get(ym, 0)), int(n),
                                 round(100 * int(good) / int(n), 1) if n else None))
    return StatsReport(date_from=date_from, date_to=date_to, unit_name=settings.center_name, rows=rows,
                       total=_sum_rows(TOTAL_LABEL, rows), months=months, generated_at=db.clock().astimezone(TZ),
                       parent_body=settings.parent_body, place_name=settings.place_name)
