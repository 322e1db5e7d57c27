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
  function, :func:`app.domain.lifecycle.verdict` (written in SQL by ``verdict_sql``): against
  ``original_due_at`` (the statutory due, supplement pauses included, extensions NOT): early = result
  on a local day before the due day; on time = on the due day up to the due minute; late = after it;
  no deadline = on time. The lists and the dossier window show the same verdict.
- **In progress**: received by the end of the period, no end before the end of the period. Judged
  at ``min(now, end of period)`` against ``original_due_at`` by
  :func:`app.domain.deadline.open_overdue` (``overdue_sql``): a dossier waiting for a supplement is
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

The counting is one aggregate SQL query grouped by field and a small one per month for the trend, written
once for SQLite (a counter) and PostgreSQL (the province server, per commune): see `stats_of`.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import Date, bindparam, text

from app.domain.calendar import TZ
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

# The SQL is written once for SQLite (the counters) and PostgreSQL (the province server); the few things the
# two say differently (a stored UTC instant's local day or month, counting the rows where a condition holds)
# come from `_Dialect`. The verdicts are the domain's rules (app.domain.deadline.classify_result and
# open_overdue) written in SQL on the stored UTC text, compared to the minute: UTC text sorts as time does, and
# Vietnam is UTC+7 all year. tests/services/test_stats_sql.py checks them against the Python functions on both.


class _Dialect:
    def __init__(self, name: str):
        self.name = name

    def local_day(self, x: str) -> str:
        if self.name == "postgresql":
            return f"to_char(CAST(replace({x}, 'Z', '') AS timestamp) + interval '7 hours', 'YYYY-MM-DD')"
        return f"date({x}, '+7 hours')"

    def local_month(self, x: str) -> str:
        if self.name == "postgresql":
            return f"to_char(CAST(replace({x}, 'Z', '') AS timestamp) + interval '7 hours', 'YYYY-MM')"
        return f"strftime('%Y-%m', {x}, '+7 hours')"

    def day_month(self, day_column: str) -> str:
        if self.name == "postgresql":
            return f"to_char({day_column}, 'YYYY-MM')"
        return f"substr({day_column}, 1, 7)"

    @staticmethod
    def count_if(cond: str) -> str:
        return f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def _minute(x: str) -> str:
    return f"substr({x}, 1, 16)"


def verdict_sql(sql: _Dialect, res: str, due: str) -> str:
    """classify_result in SQL: 'early' | 'on_time' | 'late' (NULL without a result)."""
    return (f"CASE WHEN {res} IS NULL THEN NULL WHEN {due} IS NULL THEN 'on_time' "
            f"WHEN {_minute(res)} > {_minute(due)} THEN 'late' "
            f"WHEN {sql.local_day(res)} < {sql.local_day(due)} THEN 'early' ELSE 'on_time' END")


def overdue_sql(due: str, at: str, paused: str) -> str:
    """open_overdue in SQL: past the due at `at` (a minute text), judged at the pause while one runs."""
    return (f"({due} IS NOT NULL AND CASE WHEN {paused} IS NOT NULL AND {_minute(paused)} <= {at} "
            f"THEN {_minute(paused)} > {_minute(due)} ELSE {at} > {_minute(due)} END)")


# A dossier counts unless it was cancelled as a pure data-entry mistake (no hand-over, no result).
_COUNTED = "(d.status != 'cancelled' OR d.first_transfer_at IS NOT NULL OR d.result_at IS NOT NULL)"


def _queries(sql: _Dialect, commune: bool) -> tuple[str, str, str]:
    scope = " AND d.code LIKE :code_prefix" if commune else ""
    c = sql.count_if
    base = f"""
WITH base AS (
  SELECT d.field AS field, d.channel AS channel, d.received_day AS rday, d.status AS status,
         d.result_at AS res, d.original_due_at AS due,
         CASE WHEN d.status = 'supplement' THEN d.paused_at END AS paused,
         (d.status = 'stopped' OR (d.status = 'cancelled' AND d.result_at IS NULL)) AS withdrawn,
         (SELECT min(st.at) FROM dossier_steps st WHERE st.dossier_id = d.id
           AND st.kind IN ('stopped', 'cancelled')) AS closed_at,
         d.updated_at AS updated
  FROM dossiers d
  WHERE {_COUNTED} AND d.received_day <= :to_day{scope}
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
  SELECT *, CASE WHEN resolved THEN {verdict_sql(sql, "res", "due")} END AS verdict FROM judged
)
"""
    by_field = base + f"""
SELECT field,
  {c("rec")}, {c("rec AND channel = 'online'")}, {c("rec AND channel != 'online'")}, {c("carried")},
  {c("resolved")}, {c("verdict = 'early'")}, {c("verdict = 'late'")},
  {c("open_at_end")}, {c("open_at_end AND " + overdue_sql("due", ":jt", "paused"))}, {c("stopped")}
FROM verdicts GROUP BY field
"""
    months_received = f"""
SELECT {sql.day_month("received_day")} AS ym, count(*) FROM dossiers d
WHERE {_COUNTED} AND received_day BETWEEN :from_day AND :to_day{scope} GROUP BY {sql.day_month("received_day")}
"""
    months_resolved = f"""
SELECT {sql.local_month("result_at")} AS ym, count(*),
  {c(verdict_sql(sql, "result_at", "original_due_at") + " != 'late'")}
FROM dossiers d
WHERE status != 'stopped' AND result_at >= :f0 AND result_at < :t1{scope} GROUP BY {sql.local_month("result_at")}
"""
    return by_field, months_received, months_resolved


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
    now = (now or db.clock())
    with db.reading() as s:
        settings = load_settings(s)
        return stats_of(s, date_from, date_to, now=now, settings=settings)


def stats_of(s, date_from: date, date_to: date, *, now: datetime, settings, agency_code: str | None = None
             ) -> StatsReport:
    """The same figures on any database the projections live in (a counter's SQLite file, or the province
    server's PostgreSQL, where `agency_code` keeps them to one commune)."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    now = now.astimezone(TZ).replace(second=0, microsecond=0)
    f0, t1 = _day_start(date_from), _day_start(date_to + timedelta(days=1))
    judge = min(now, t1)
    sql = _Dialect(s.get_bind().dialect.name)
    by_field, months_received, months_resolved = _queries(sql, agency_code is not None)
    params = {"from_day": date_from, "to_day": date_to, "f0": _minute_iso(f0), "t1": _minute_iso(t1),
              "jt": _minute_iso(judge)}
    if agency_code is not None:
        params["code_prefix"] = f"{agency_code}-%"

    def run(query: str):
        days = [bindparam(k, type_=Date) for k in ("from_day", "to_day") if f":{k}" in query]
        return s.execute(text(query).bindparams(*days), {k: v for k, v in params.items() if f":{k}" in query})

    rows = []
    for field, *values in run(by_field):
        counts = [int(v or 0) for v in values]
        rec, online, direct, carried, resolved, early, late, open_, overdue, stopped = counts
        if not any(counts):
            continue
        rows.append(StatsRow(field, rec, online, direct, carried, resolved, early, resolved - early - late,
                             late, open_, open_ - overdue, overdue, stopped))
    received = {str(ym): n for ym, n in run(months_received).all()}
    resolved_by_month = {str(ym): (n, good) for ym, n, good in run(months_resolved)}
    rows.sort(key=lambda r: search_key(r.field))
    months = []
    for y, m in _months(date_from, date_to):
        ym = f"{y:04d}-{m:02d}"
        n, good = resolved_by_month.get(ym, (0, 0))
        months.append(MonthPoint(y, m, int(received.get(ym, 0)), int(n),
                                 round(100 * int(good) / int(n), 1) if n else None))
    return StatsReport(date_from=date_from, date_to=date_to, unit_name=settings.center_name, rows=rows,
                       total=_sum_rows(TOTAL_LABEL, rows), months=months, generated_at=now,
                       parent_body=settings.parent_body, place_name=settings.place_name)
