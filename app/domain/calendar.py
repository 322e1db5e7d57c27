"""Working calendar of a Vietnamese public office: statutory holidays, compensatory and make-up days."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import lunar_vn

__all__ = [
    "KNOWN_SCHEDULES",
    "SUPPORTED_YEARS",
    "CalendarRangeError",
    "RULES_VERSION",
    "TZ",
    "CalendarDay",
    "DayKind",
    "OfficeHours",
    "WorkCalendar",
    "check_year",
    "hung_kings_day",
    "statutory_calendar",
    "tet_day",
]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The years whose holidays this program computes and tests (lunar dates checked against the published ones).
SUPPORTED_YEARS = range(2020, 2051)
# A deadline counted from late 2050 runs into 2051, and a look back from January 2020 into 2019: the year on
# either side is computed for such counts only; anything further is refused.
_COMPUTED_YEARS = range(SUPPORTED_YEARS.start - 1, SUPPORTED_YEARS.stop + 1)


class CalendarRangeError(ValueError):
    """A date outside SUPPORTED_YEARS: an answer there would be a guess, so none is given."""

    def __init__(self, year: int):
        self.year = year
        self.message = (f"Lịch làm việc chỉ tính cho các năm {SUPPORTED_YEARS.start}–{SUPPORTED_YEARS.stop - 1}; "
                        f"năm {year} nằm ngoài khoảng đó. Hãy cập nhật MotCua để có lịch các năm sau.")
        super().__init__(self.message)
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def weekday_text(d: date) -> str:
    """"thứ Hai" … "Chủ nhật"."""
    return WEEKDAYS[d.weekday()]


def when_text(dt: datetime) -> str:
    """An appointment as a person says it, in local time: "16 giờ 10, thứ Năm 26/11/2026"."""
    t = dt.astimezone(TZ) if dt.tzinfo else dt
    return f"{t:%H} giờ {t:%M}, {weekday_text(t.date())} {t:%d/%m/%Y}"

# Bump when the statutory rules below or KNOWN_SCHEDULES change meaning; the hash in
# WorkCalendar.version also covers KNOWN_SCHEDULES, so forgetting the bump still changes the version.
RULES_VERSION = "vn-2026.1"

# Bộ luật Lao động 2019 (in force 01/01/2021) added the day adjacent to 2/9; under the 2012 code
# Quốc khánh was one day, so 2020 keeps a single day.
NATIONAL_DAY_TWO_DAYS_FROM = 2021
# Ngày Văn hóa Việt Nam 24/11 is a day off from 01/07/2026, so the first one is 24/11/2026.
CULTURE_DAY_FROM = 2026

# The lunar calendar must be Vietnam's (UTC+7), not China's (UTC+8): they differ in some years.
VN_LUNAR_TZ = 7.0

NEW_YEAR = "Tết Dương lịch"
TET = "Tết Nguyên đán"
HUNG_KINGS = "Giỗ Tổ Hùng Vương"
VICTORY_DAY = "Ngày Chiến thắng"
LABOUR_DAY = "Ngày Quốc tế Lao động"
NATIONAL_DAY = "Quốc khánh"
CULTURE_DAY = "Ngày Văn hóa Việt Nam"


class DayKind(StrEnum):
    """OFF: a day without work (holiday, compensatory or swapped day off); WORK: a make-up working day."""

    OFF = "off"
    WORK = "work"


@dataclass(frozen=True)
class CalendarDay:
    """A day that differs from the plain Mon–Fri pattern, with the Vietnamese reason shown to users."""

    day: date
    kind: DayKind
    reason: str

    def __post_init__(self) -> None:
        # Data arriving from JSON/sync carries the kind as a plain string.
        if not isinstance(self.kind, DayKind):
            object.__setattr__(self, "kind", DayKind(self.kind))
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise TypeError(f"CalendarDay.day must be a date, got {self.day!r}")

    def to_json(self) -> dict:
        return {"day": self.day.isoformat(), "kind": self.kind.value, "reason": self.reason}

    @classmethod
    def from_json(cls, d: Mapping) -> CalendarDay:
        return cls(date.fromisoformat(d["day"]), DayKind(d["kind"]), d.get("reason", ""))


@dataclass(frozen=True)
class OfficeHours:
    """Office hours of the counter; a working day is two sessions with a lunch break between them."""

    morning_start: time = time(7, 0)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 0)
    same_day_cutoff: time = time(15, 0)
    hours_per_day: float = 8.0  # one working day = 8 working hours (DOMAIN §5)

    def __post_init__(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValueError(
                "office hours must be morning_start < morning_end <= afternoon_start < afternoon_end"
            )
        if not self.hours_per_day > 0:
            raise ValueError("hours_per_day must be positive")

    @property
    def sessions(self) -> tuple[tuple[time, time], tuple[time, time]]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))

    @property
    def session_minutes(self) -> int:
        """Minutes the office is actually open on one working day (8 × 60 with the defaults)."""
        return sum(_minutes(e) - _minutes(s) for s, e in self.sessions)

    def to_json(self) -> dict:
        return {
            "morning_start": self.morning_start.isoformat("minutes"),
            "morning_end": self.morning_end.isoformat("minutes"),
            "afternoon_start": self.afternoon_start.isoformat("minutes"),
            "afternoon_end": self.afternoon_end.isoformat("minutes"),
            "same_day_cutoff": self.same_day_cutoff.isoformat("minutes"),
            "hours_per_day": self.hours_per_day,
        }

    @classmethod
    def from_json(cls, d: Mapping) -> OfficeHours:
        kw: dict = {k: time.fromisoformat(v) for k, v in d.items() if k != "hours_per_day"}
        if "hours_per_day" in d:
            kw["hours_per_day"] = float(d["hours_per_day"])
        return cls(**kw)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


# Government decisions that replace the default rule for one holiday group in one year.
# year -> group -> {"holidays": the statutory days as designated (shown by holidays()),
#                   "off": other days off (swaps, weekends inside the break, shown by day_info),
#                   "work": make-up working days}; each entry is (first, last, reason), ISO dates.
# A group listed here gets no automatic compensatory days: the decision already accounts for them.
# Groups: new_year, tet, hung_kings, april_may (30/4 + 1/5), national_day, culture_day.
KNOWN_SCHEDULES: dict[int, dict[str, dict[str, list[tuple[str, str, str]]]]] = {
    2025: {
        "tet": {
            "holidays": [("2025-01-27", "2025-01-31", TET)],
            "off": [
                ("2025-01-25", "2025-01-26", f"Nghỉ {TET} (nghỉ hằng tuần)"),
                ("2025-02-01", "2025-02-02", f"Nghỉ {TET} (nghỉ hằng tuần)"),
            ],
        },
        "april_may": {
            "holidays": [("2025-04-30", "2025-04-30", VICTORY_DAY), ("2025-05-01", "2025-05-01", LABOUR_DAY)],
            "off": [("2025-05-02", "2025-05-02", "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)")],
            "work": [("2025-04-26", "2025-04-26", "Làm bù cho ngày 02/05/2025")],
        },
        "national_day": {
            "holidays": [("2025-09-01", "2025-09-02", NATIONAL_DAY)],
        },
    },
    2026: {
        "new_year": {
            "holidays": [("2026-01-01", "2026-01-01", NEW_YEAR)],
            "off": [("2026-01-02", "2026-01-02", "Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)")],
            "work": [("2026-01-10", "2026-01-10", "Làm bù cho ngày 02/01/2026")],
        },
        "tet": {
            "holidays": [("2026-02-16", "2026-02-20", TET)],
            "off": [
                ("2026-02-14", "2026-02-15", f"Nghỉ {TET} (nghỉ hằng tuần)"),
                ("2026-02-21", "2026-02-22", f"Nghỉ {TET} (nghỉ hằng tuần)"),
            ],
        },
    },
}


def _expand(entries: Iterable[tuple[str, str, str]]) -> Iterable[tuple[date, str]]:
    for first, last, reason in entries:
        d, end = date.fromisoformat(first), date.fromisoformat(last)
        while d <= end:
            yield d, reason
            d += timedelta(days=1)


@cache
def tet_day(year: int) -> date:
    """Mùng 1 tháng Giêng of the lunar year that starts in `year`, Vietnamese calendar (UTC+7)."""
    return lunar_vn.convert_lunar_to_solar(1, 1, year, 0, VN_LUNAR_TZ)


@cache
def hung_kings_day(year: int) -> date:
    """10/3 lunar (the regular third month, never a leap one), Vietnamese calendar (UTC+7)."""
    return lunar_vn.convert_lunar_to_solar(10, 3, year, 0, VN_LUNAR_TZ)


def _default_groups(year: int) -> dict[str, list[tuple[date, str]]]:
    """The holidays of Art. 112 BLLĐ 2019 for `year` by the default rule, grouped as in KNOWN_SCHEDULES."""
    tet = tet_day(year)
    # Default Tết break: last day of the old lunar year (29 or 30 tháng Chạp, whichever ends it —
    # the day before Tết handles a leap 12th month too) and mùng 1 to mùng 4.
    groups: dict[str, list[tuple[date, str]]] = {
        "new_year": [(date(year, 1, 1), NEW_YEAR)],
        "tet": [(tet + timedelta(days=i), TET) for i in range(-1, 4)],
        "hung_kings": [(hung_kings_day(year), HUNG_KINGS)],
        "april_may": [(date(year, 4, 30), VICTORY_DAY), (date(year, 5, 1), LABOUR_DAY)],
    }
    national = date(year, 9, 2)
    national_days = [(national, NATIONAL_DAY)]
    if year >= NATIONAL_DAY_TWO_DAYS_FROM:
        # The law leaves the adjacent day to the yearly decision; pick the one that joins a weekend
        # when 2/9 is Monday (→ 3/9) or Thursday (→ 3/9, a Friday); otherwise the day before.
        adjacent = (
            national + timedelta(days=1) if national.weekday() in (0, 3) else national - timedelta(days=1)
        )
        national_days.append((adjacent, NATIONAL_DAY))
    groups["national_day"] = sorted(national_days)
    if year >= CULTURE_DAY_FROM:
        groups["culture_day"] = [(date(year, 11, 24), CULTURE_DAY)]
    return groups


@dataclass(frozen=True)
class _Year:
    days: dict[date, CalendarDay]  # every statutory/seeded special day of the year, weekends included
    holidays: tuple[CalendarDay, ...]


@lru_cache(maxsize=256)
def _build_year(year: int, include_known: bool) -> _Year:
    if year not in _COMPUTED_YEARS:
        raise CalendarRangeError(year)
    known = KNOWN_SCHEDULES.get(year, {}) if include_known else {}
    days: dict[date, CalendarDay] = {}
    holidays: list[CalendarDay] = []
    automatic: list[tuple[date, str]] = []
    for group, items in _default_groups(year).items():
        sched = known.get(group)
        if sched is None:
            automatic.extend(items)
            holidays.extend(CalendarDay(d, DayKind.OFF, r) for d, r in items)
            continue
        for d, r in _expand(sched.get("holidays", ())):
            holidays.append(CalendarDay(d, DayKind.OFF, r))
            days[d] = CalendarDay(d, DayKind.OFF, r)
        for d, r in _expand(sched.get("off", ())):
            days[d] = CalendarDay(d, DayKind.OFF, r)
        for d, r in _expand(sched.get("work", ())):
            days[d] = CalendarDay(d, DayKind.WORK, r)

    # Place every holiday first, so that compensatory days computed next skip all of them.
    owed: list[tuple[date, str]] = []
    for d, r in sorted(automatic):
        taken = d in days and days[d].kind is DayKind.OFF
        if d.weekday() >= 5 or taken:
            # Art. 112.3: a holiday on the weekly rest day is compensated on the next working day.
            # Two holidays on one date (not seen 2020–2050, possible later) are treated the same way.
            owed.append((d, r))
        if not taken:
            days[d] = CalendarDay(d, DayKind.OFF, r)
    for d, r in owed:
        c = d + timedelta(days=1)
        while c.weekday() >= 5 or (c in days and days[c].kind is DayKind.OFF):
            c += timedelta(days=1)
        days[c] = CalendarDay(c, DayKind.OFF, f"Nghỉ bù {r}")
    return _Year(days, tuple(sorted(holidays, key=lambda h: (h.day, h.reason))))


def _known_schedules_digest_source() -> dict:
    return {str(y): groups for y, groups in sorted(KNOWN_SCHEDULES.items())}


class WorkCalendar:
    """Which days an office works: Mon–Fri minus holidays and days off, plus make-up weekend days.

    Layers, later ones winning for their date: the default rule of Art. 112 BLLĐ 2019 (with
    compensatory days for holidays on weekends), the known government schedules (replacing the
    default for one holiday group in one year), and `extra_days` added by the administrator or the
    province. Compensatory days are placed from the statutory and known layers only; an extra day
    never moves them, it only overrides its own date.
    """

    def __init__(
        self,
        extra_days: Iterable[CalendarDay] = (),
        hours: OfficeHours = OfficeHours(),  # noqa: B008 - frozen, so one shared default is safe
        *,
        include_known_schedules: bool = True,
    ) -> None:
        self.hours = hours
        self.include_known_schedules = include_known_schedules
        extra: dict[date, CalendarDay] = {}
        for cd in extra_days:
            extra[cd.day] = cd  # a later entry for the same date wins
        self._extra = dict(sorted(extra.items()))
        self.version = self._compute_version()

    def _compute_version(self) -> str:
        payload = {
            "known": _known_schedules_digest_source() if self.include_known_schedules else None,
            "extra": [cd.to_json() for cd in self._extra.values()],
            "hours": self.hours.to_json(),
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return f"{RULES_VERSION}+{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:10]}"

    def __repr__(self) -> str:
        return f"WorkCalendar(version={self.version!r}, extra_days={len(self._extra)})"

    @property
    def extra_days(self) -> tuple[CalendarDay, ...]:
        """The administrator/province days this calendar was built with, sorted by date (one per date)."""
        return tuple(self._extra.values())

    def day_info(self, d: date) -> CalendarDay | None:
        """Why `d` is special (holiday, compensatory, swapped or make-up day); None for an ordinary day.

        A statutory holiday on a weekend is reported too (kind OFF), although it is not a weekday off.
        """
        if isinstance(d, datetime):
            d = d.date()
        found = self._extra.get(d)
        if found is not None:
            return found
        return _build_year(d.year, self.include_known_schedules).days.get(d)

    def is_working_day(self, d: date) -> bool:
        info = self.day_info(d)
        if info is not None:
            return info.kind is DayKind.WORK
        return d.weekday() < 5

    def off_days(self, year: int) -> list[CalendarDay]:
        """Every non-working Mon–Fri of `year` and every make-up working Sat/Sun, sorted by date."""
        check_year(year)
        merged = dict(_build_year(year, self.include_known_schedules).days)
        merged.update((d, cd) for d, cd in self._extra.items() if d.year == year)
        return [
            cd
            for d, cd in sorted(merged.items())
            if (cd.kind is DayKind.OFF and d.weekday() < 5) or (cd.kind is DayKind.WORK and d.weekday() >= 5)
        ]

    def holidays(self, year: int) -> list[CalendarDay]:
        """The statutory holidays of `year` (as designated by a known schedule if any), weekends included.

        Compensatory, swapped, make-up and administrator days are not holidays; see off_days().
        """
        return list(_build_year(year, self.include_known_schedules).holidays)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        if isinstance(d, datetime):
            d = d.date()
        for _ in range(3660):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        # Only an absurd calendar (years of days off) gets here; better an error than a hang.
        raise ValueError("no working day within ten years")

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before `d`."""
        if isinstance(d, datetime):
            d = d.date()
        for _ in range(3660):
            d -= timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise ValueError("no working day within ten years")


def check_year(year: int) -> None:
    """Raise CalendarRangeError for a year this program does not give a calendar for."""
    if year not in SUPPORTED_YEARS:
        raise CalendarRangeError(year)


@cache
def statutory_calendar() -> WorkCalendar:
    """The shared default calendar: statutory rules and known schedules, default office hours."""
    return WorkCalendar()
