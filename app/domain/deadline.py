"""Deadline engine: due times from statutory durations in working time, pauses, extensions, verdicts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from app.domain.calendar import TZ, WorkCalendar

__all__ = [
    "EARLY",
    "LATE",
    "ON_TIME",
    "OVERDUE",
    "RULE_VERSION",
    "WITHIN",
    "Duration",
    "DurationKind",
    "add_working_minutes",
    "classify_in_progress",
    "classify_result",
    "open_overdue",
    "compute_due",
    "extend_for_pause",
    "start_of_clock",
    "suggest_extension",
    "to_local",
    "working_minutes_between",
]

# Stored on each dossier next to the calendar version; bump when any rule below changes meaning.
RULE_VERSION = "deadline-1"

EARLY = "early"  # trước hạn
ON_TIME = "on_time"  # đúng hạn
LATE = "late"  # quá hạn
WITHIN = "within"  # trong hạn
OVERDUE = "overdue"  # quá hạn (in progress)


class DurationKind(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"
    NONE = "none"


def _fmt_number(v: float) -> str:
    # Receipts write counts with two digits ("03 ngày làm việc"); fractions use the Vietnamese comma.
    if float(v).is_integer():
        return f"{int(v):02d}"
    return f"{v:.2f}".rstrip("0").replace(".", ",")


def _fmt_time(t: time) -> str:
    return f"{t.hour:02d} giờ {t.minute:02d}"


@dataclass(frozen=True)
class Duration:
    """A statutory processing time. `value` counts days or hours; it is ignored for SAME_DAY and NONE."""

    kind: DurationKind
    value: float = 0

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DurationKind):
            object.__setattr__(self, "kind", DurationKind(self.kind))
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise TypeError(f"Duration value must be a number, got {self.value!r}")
        if not math.isfinite(self.value) or self.value < 0:
            raise ValueError(f"Duration value must be finite and >= 0, got {self.value!r}")

    @classmethod
    def working_days(cls, n: float) -> Duration:
        return cls(DurationKind.WORKING_DAYS, n)

    @classmethod
    def working_hours(cls, n: float) -> Duration:
        return cls(DurationKind.WORKING_HOURS, n)

    @classmethod
    def calendar_days(cls, n: float) -> Duration:
        return cls(DurationKind.CALENDAR_DAYS, n)

    @classmethod
    def same_day(cls) -> Duration:
        return cls(DurationKind.SAME_DAY)

    @classmethod
    def none(cls) -> Duration:
        return cls(DurationKind.NONE)

    def describe(self, cutoff: time = time(15, 0)) -> str:
        """Vietnamese wording for the receipt, e.g. "03 ngày làm việc"."""
        match self.kind:
            case DurationKind.WORKING_DAYS:
                return f"{_fmt_number(self.value)} ngày làm việc"
            case DurationKind.WORKING_HOURS:
                return f"{_fmt_number(self.value)} giờ làm việc"
            case DurationKind.CALENDAR_DAYS:
                return f"{_fmt_number(self.value)} ngày"
            case DurationKind.SAME_DAY:
                c = _fmt_time(cutoff)
                return (
                    f"Trong ngày (nhận trước {c} trả trong ngày; sau {c} trả trong ngày làm việc tiếp theo)"
                )
            case _:
                return "Không quy định thời hạn"

    def to_json(self) -> dict:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return {"kind": self.kind.value, "value": value}

    @classmethod
    def from_json(cls, d: Mapping) -> Duration:
        return cls(DurationKind(d["kind"]), d.get("value", 0) or 0)


# --- time helpers -------------------------------------------------------------------------------


def to_local(dt: datetime) -> datetime:
    """An aware datetime in Asia/Ho_Chi_Minh; a naive one is taken as already local."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=TZ)
    return dt.astimezone(TZ)


def _minute(dt: datetime) -> datetime:
    # Working time is counted in whole minutes, like the times printed on receipts.
    return to_local(dt).replace(second=0, microsecond=0)


def _at(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=TZ)


def _span(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds() // 60)


# --- working-time arithmetic --------------------------------------------------------------------


def start_of_clock(received: datetime, cal: WorkCalendar) -> datetime:
    """When the clock starts for a dossier received at `received` (seconds dropped).

    Inside a session: that minute. Before opening: the opening. In the lunch break: the afternoon
    start (13:30). At or after closing, or on a non-working day: the next working day's opening.
    """
    t = _minute(received)
    d = t.date()
    if cal.is_working_day(d):
        for s, e in cal.hours.sessions:
            if t < _at(d, s):
                return _at(d, s)
            if t < _at(d, e):
                return t
    return _at(cal.next_working_day(d), cal.hours.morning_start)


def add_working_minutes(start: datetime, minutes: int, cal: WorkCalendar) -> datetime:
    """The instant `minutes` of office time after `start`, in TZ.

    0 minutes returns `start` itself (seconds dropped), so a zero pause never moves a due time.
    Otherwise counting begins at start_of_clock(start); when the time runs out exactly at a session
    end the result is that end (11:30 or 17:00), never the next opening.
    """
    if minutes < 0:
        raise ValueError("minutes must be >= 0")
    minutes = int(minutes)
    if minutes == 0:
        return _minute(start)
    t = start_of_clock(start, cal)
    hours = cal.hours
    per_day = hours.session_minutes
    # Skip whole days at once; keep at least one minute so the last day's session logic decides the end.
    if t.time() == hours.morning_start:
        d = t.date()
        while minutes > per_day:
            minutes -= per_day
            d = cal.next_working_day(d)
        t = _at(d, hours.morning_start)
    while True:
        d = t.date()
        for s, e in hours.sessions:
            end = _at(d, e)
            if t >= end:
                continue
            t = max(t, _at(d, s))
            available = _span(t, end)
            if minutes <= available:
                return t + timedelta(minutes=minutes)
            minutes -= available
        t = _at(cal.next_working_day(d), hours.morning_start)


def working_minutes_between(a: datetime, b: datetime, cal: WorkCalendar) -> int:
    """Office minutes on working days inside [a, b] (seconds dropped); 0 if b <= a."""
    a, b = _minute(a), _minute(b)
    if b <= a:
        return 0
    total = 0
    d = a.date()
    while d <= b.date():
        if cal.is_working_day(d):
            for s, e in cal.hours.sessions:
                lo, hi = max(a, _at(d, s)), min(b, _at(d, e))
                if hi > lo:
                    total += _span(lo, hi)
        d += timedelta(days=1)
    return total


def _add_calendar_days(t: datetime, n: int, cal: WorkCalendar) -> datetime:
    # Same clock time n days later; a non-working landing day moves to the next working day.
    d = t.date() + timedelta(days=n)
    if not cal.is_working_day(d):
        d = cal.next_working_day(d)
    return _at(d, t.time())


def _same_day_due(received: datetime, cal: WorkCalendar) -> datetime:
    t = _minute(received)
    d = t.date()
    hours = cal.hours
    if cal.is_working_day(d) and t.time() <= hours.same_day_cutoff:
        return _at(d, hours.afternoon_end)
    return _at(cal.next_working_day(d), hours.afternoon_end)


def _working_minutes_of(duration: Duration, cal: WorkCalendar) -> int:
    if duration.kind is DurationKind.WORKING_DAYS:
        return round(duration.value * cal.hours.hours_per_day * 60)
    return round(duration.value * 60)


def compute_due(received: datetime, duration: Duration, cal: WorkCalendar) -> datetime | None:
    """The due time (aware, TZ, seconds 0) promised on the receipt; None when there is no deadline.

    - WORKING_DAYS n: n × hours_per_day working hours counted from start_of_clock(received).
      E.g. Mon 09:00 + 3 days -> Thu 09:00; Mon 17:30 + 3 days -> clock starts Tue 07:00 -> Thu 17:00.
    - WORKING_HOURS n: n working hours from start_of_clock(received).
    - CALENDAR_DAYS n (fractions round up): the clock time of start_of_clock(received) on the date
      n days later; if that date is not a working day, the next working day at that time.
    - SAME_DAY: received on a working day at or before the cut-off (15:00, also before opening or
      at lunch) -> closing time (17:00) that day; later, or on a non-working day -> closing time of
      the next working day.
    - NONE: None.
    The due time always lies inside office hours (a session end included) on a working day.
    """
    kind = duration.kind
    if kind is DurationKind.NONE:
        return None
    if kind is DurationKind.SAME_DAY:
        return _same_day_due(received, cal)
    start = start_of_clock(received, cal)
    if kind is DurationKind.CALENDAR_DAYS:
        return _add_calendar_days(start, math.ceil(duration.value), cal)
    return add_working_minutes(start, _working_minutes_of(duration, cal), cal)


def extend_for_pause(due: datetime, paused_at: datetime, resumed_at: datetime, cal: WorkCalendar) -> datetime:
    """The due time after a supplement request: the old due plus the office time the clock was paused.

    = add_working_minutes(due, working_minutes_between(paused_at, resumed_at)); a pause with no
    office time in it (e.g. Friday 17:00 to Monday 07:00) leaves the due unchanged.
    """
    return add_working_minutes(due, working_minutes_between(paused_at, resumed_at, cal), cal)


def suggest_extension(due: datetime, duration: Duration, cal: WorkCalendar) -> datetime:
    """A proposed new due for an extension (form 04): the original duration once more after `due`.

    Working kinds add the same working time; CALENDAR_DAYS adds the days again (landing on a
    working day); SAME_DAY gives the closing time of the next working day; NONE returns `due`.
    """
    kind = duration.kind
    if kind is DurationKind.NONE:
        return due
    local_due = _minute(due)
    if kind is DurationKind.SAME_DAY:
        return _at(cal.next_working_day(local_due.date()), cal.hours.afternoon_end)
    if kind is DurationKind.CALENDAR_DAYS:
        return _add_calendar_days(local_due, max(1, math.ceil(duration.value)), cal)
    return add_working_minutes(local_due, _working_minutes_of(duration, cal), cal)


def classify_result(due: datetime | None, finished_at: datetime, cal: WorkCalendar | None = None) -> str:
    """The verdict on a returned dossier, compared to the minute in local time.

    "early" (trước hạn): finished on a day before the due day; "on_time" (đúng hạn): on the due day
    at or before the due time; "late" (quá hạn): after the due time. No due time -> "on_time".
    `cal` is accepted for symmetry; the verdict depends on dates only.
    """
    if due is None:
        return ON_TIME
    due_l, fin = _minute(due), _minute(finished_at)
    if fin > due_l:
        return LATE
    if fin.date() < due_l.date():
        return EARLY
    return ON_TIME


def open_overdue(due: datetime | None, at: datetime, paused_at: datetime | None = None) -> bool:
    """Whether a dossier still being processed is past its due at `at` (to the minute). A dossier waiting
    for a supplement since `paused_at` (≤ `at`) is judged at the pause: the pause excuses no delay that
    had already happened, and none after it. No due time: never overdue."""
    if due is None:
        return False
    if paused_at is not None and _minute(paused_at) <= _minute(at):
        return _minute(paused_at) > _minute(due)
    return _minute(at) > _minute(due)


def classify_in_progress(due: datetime | None, now: datetime, cal: WorkCalendar) -> str:
    """ "within" (trong hạn) while now <= due (to the minute), else "overdue"; no due -> "within"."""
    if due is None:
        return WITHIN
    return WITHIN if _minute(now) <= _minute(due) else OVERDUE
