"""Deadline engine: due times, clock start, working-time arithmetic, pauses, extensions, verdicts."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from app.domain.calendar import TZ, CalendarDay, DayKind, OfficeHours, WorkCalendar, statutory_calendar
from app.domain.deadline import (
    RULE_VERSION,
    Duration,
    DurationKind,
    add_working_minutes,
    classify_in_progress,
    classify_result,
    compute_due,
    extend_for_pause,
    start_of_clock,
    suggest_extension,
    working_minutes_between,
)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


DAYS3 = Duration(DurationKind.WORKING_DAYS, 3)
SAME = Duration(DurationKind.SAME_DAY)


@pytest.fixture
def cal() -> WorkCalendar:
    return statutory_calendar()


def in_office_hours(t: datetime, cal: WorkCalendar) -> bool:
    t = t.astimezone(TZ)
    if not cal.is_working_day(t.date()):
        return False
    return any(s <= t.time() <= e for s, e in cal.hours.sessions)


# --- start of the clock -------------------------------------------------------------------------


def test_start_of_clock_inside_a_session_is_the_reception_minute(cal: WorkCalendar) -> None:
    assert start_of_clock(datetime(2026, 11, 16, 9, 12, 45), cal) == at(2026, 11, 16, 9, 12)
    assert start_of_clock(at(2026, 11, 16, 7, 0), cal) == at(2026, 11, 16, 7, 0)


def test_start_of_clock_before_opening(cal: WorkCalendar) -> None:
    assert start_of_clock(at(2026, 11, 16, 6, 40), cal) == at(2026, 11, 16, 7, 0)


def test_received_in_lunch_break_counts_from_1330(cal: WorkCalendar) -> None:
    assert start_of_clock(at(2026, 11, 16, 11, 30), cal) == at(2026, 11, 16, 13, 30)
    assert start_of_clock(at(2026, 11, 16, 12, 15), cal) == at(2026, 11, 16, 13, 30)
    # 4 working hours from 13:30: 3.5 h that afternoon + 0.5 h next morning.
    due = compute_due(at(2026, 11, 16, 12, 15), Duration(DurationKind.WORKING_HOURS, 4), cal)
    assert due == at(2026, 11, 17, 7, 30)


def test_start_of_clock_after_closing_and_on_days_off(cal: WorkCalendar) -> None:
    assert start_of_clock(at(2026, 11, 16, 17, 0), cal) == at(2026, 11, 17, 7, 0)
    assert start_of_clock(at(2026, 11, 20, 18, 0), cal) == at(2026, 11, 23, 7, 0)  # Fri evening -> Mon
    assert start_of_clock(at(2026, 11, 21, 9, 0), cal) == at(2026, 11, 23, 7, 0)  # Saturday
    assert start_of_clock(at(2026, 11, 23, 17, 5), cal) == at(2026, 11, 25, 7, 0)  # 24/11 is off
    assert start_of_clock(at(2026, 11, 24, 9, 0), cal) == at(2026, 11, 25, 7, 0)


def test_timezones_aware_and_naive(cal: WorkCalendar) -> None:
    # 02:00 UTC = 09:00 in Hà Nội; a naive time is already local.
    assert start_of_clock(datetime(2026, 11, 16, 2, 0, tzinfo=UTC), cal) == at(2026, 11, 16, 9, 0)
    assert start_of_clock(datetime(2026, 11, 16, 9, 0), cal) == at(2026, 11, 16, 9, 0)
    tokyo = timezone(timedelta(hours=9))
    due = compute_due(datetime(2026, 11, 16, 11, 0, tzinfo=tokyo), DAYS3, cal)
    assert due == at(2026, 11, 19, 9, 0)
    assert due.tzinfo is TZ or due.utcoffset() == timedelta(hours=7)


# --- working days -------------------------------------------------------------------------------


def test_working_days_same_clock_time_three_days_later(cal: WorkCalendar) -> None:
    assert compute_due(at(2026, 11, 16, 9, 0), DAYS3, cal) == at(2026, 11, 19, 9, 0)


def test_received_after_closing_ends_at_1700_not_next_opening(cal: WorkCalendar) -> None:
    # Mon 17:30 -> clock starts Tue 07:00 -> exactly three days end Thu 17:00.
    due = compute_due(at(2026, 11, 16, 17, 30), DAYS3, cal)
    assert due == at(2026, 11, 19, 17, 0)


def test_time_used_up_at_1130_stays_1130(cal: WorkCalendar) -> None:
    assert add_working_minutes(at(2026, 11, 16, 7, 0), 270, cal) == at(2026, 11, 16, 11, 30)
    assert add_working_minutes(at(2026, 11, 16, 7, 0), 271, cal) == at(2026, 11, 16, 13, 31)


def test_due_skips_cultural_day_2026_11_24(cal: WorkCalendar) -> None:
    # Fri 20/11 09:00 + 3 days: Mon 23, (Tue 24 off), Wed 25, Thu 26 09:00.
    assert compute_due(at(2026, 11, 20, 9, 0), DAYS3, cal) == at(2026, 11, 26, 9, 0)
    # Mon 23/11 10:00 + 1 day -> Wed 25/11 10:00.
    assert compute_due(at(2026, 11, 23, 10, 0), Duration(DurationKind.WORKING_DAYS, 1), cal) == at(
        2026, 11, 25, 10, 0
    )


def test_due_skips_tet_2030(cal: WorkCalendar) -> None:
    # Tết 2030 is Sat 2/2 in Vietnam: off Fri 1/2, Mon 4–Tue 5, bù Wed 6–Thu 7.
    # Received Thu 31/1 10:00, 2 working days: 31/1 -> Fri 8/2 10:00 -> Mon 11/2 10:00.
    due = compute_due(at(2030, 1, 31, 10, 0), Duration(DurationKind.WORKING_DAYS, 2), cal)
    assert due == at(2030, 2, 11, 10, 0)


def test_due_skips_tet_2026_known_schedule(cal: WorkCalendar) -> None:
    # Fri 13/2/2026 14:00 + 1 working day -> Mon 23/2 14:00 (14/2–22/2 off).
    due = compute_due(at(2026, 2, 13, 14, 0), Duration(DurationKind.WORKING_DAYS, 1), cal)
    assert due == at(2026, 2, 23, 14, 0)


def test_makeup_saturday_2026_01_10_counts_for_deadlines(cal: WorkCalendar) -> None:
    # Fri 9/1/2026 09:00 + 1 working day -> Sat 10/1 09:00 (a make-up working day).
    due = compute_due(at(2026, 1, 9, 9, 0), Duration(DurationKind.WORKING_DAYS, 1), cal)
    assert due == at(2026, 1, 10, 9, 0)
    # 31/12/2025 09:00 + 1 day skips 1/1 and the swapped 2/1 -> Mon 5/1.
    due = compute_due(at(2025, 12, 31, 9, 0), Duration(DurationKind.WORKING_DAYS, 1), cal)
    assert due == at(2026, 1, 5, 9, 0)


def test_long_working_day_durations_use_whole_day_skipping_correctly(cal: WorkCalendar) -> None:
    start = at(2026, 11, 2, 7, 0)  # Monday
    for n in (1, 5, 10, 15, 20, 30, 45):
        due = compute_due(start, Duration(DurationKind.WORKING_DAYS, n), cal)
        assert working_minutes_between(start, due, cal) == n * 480, n
        assert due.time() == time(17, 0), n  # from an opening, whole days end at closing


def test_fractional_working_days(cal: WorkCalendar) -> None:
    due = compute_due(at(2026, 11, 16, 7, 0), Duration(DurationKind.WORKING_DAYS, 0.5), cal)
    assert due == at(2026, 11, 16, 11, 0)


def test_hours_per_day_setting_scales_working_days() -> None:
    cal = WorkCalendar(hours=OfficeHours(hours_per_day=4.0))
    assert compute_due(at(2026, 11, 16, 7, 0), Duration(DurationKind.WORKING_DAYS, 1), cal) == at(
        2026, 11, 16, 11, 0
    )


# --- working hours ------------------------------------------------------------------------------


def test_working_hours_cross_lunch_and_night(cal: WorkCalendar) -> None:
    h4 = Duration(DurationKind.WORKING_HOURS, 4)
    assert compute_due(at(2026, 11, 16, 10, 0), h4, cal) == at(2026, 11, 16, 16, 0)
    assert compute_due(at(2026, 11, 16, 15, 0), h4, cal) == at(2026, 11, 17, 9, 0)
    assert compute_due(at(2026, 11, 23, 15, 0), h4, cal) == at(2026, 11, 25, 9, 0)  # over 24/11


def test_custom_office_hours() -> None:
    hours = OfficeHours(
        morning_start=time(7, 30),
        morning_end=time(11, 30),
        afternoon_start=time(13, 0),
        afternoon_end=time(17, 0),
    )
    cal = WorkCalendar(hours=hours)
    assert start_of_clock(at(2026, 11, 16, 7, 0), cal) == at(2026, 11, 16, 7, 30)
    assert start_of_clock(at(2026, 11, 16, 12, 0), cal) == at(2026, 11, 16, 13, 0)
    due = compute_due(at(2026, 11, 16, 11, 0), Duration(DurationKind.WORKING_HOURS, 1), cal)
    assert due == at(2026, 11, 16, 13, 30)


# --- calendar days ------------------------------------------------------------------------------


def test_calendar_days_same_clock_time(cal: WorkCalendar) -> None:
    d30 = Duration(DurationKind.CALENDAR_DAYS, 30)
    assert compute_due(at(2026, 11, 16, 9, 0), d30, cal) == at(2026, 12, 16, 9, 0)


def test_calendar_days_landing_on_weekend_or_holiday_moves_to_next_working_day(cal: WorkCalendar) -> None:
    # Mon 26/10/2026 09:00 + 29 days = Tue 24/11 (Ngày Văn hóa) -> Wed 25/11 09:00.
    assert compute_due(at(2026, 10, 26, 9, 0), Duration(DurationKind.CALENDAR_DAYS, 29), cal) == at(
        2026, 11, 25, 9, 0
    )
    # + 5 days from Mon 16/11 = Sat 21/11 -> Mon 23/11.
    assert compute_due(at(2026, 11, 16, 9, 0), Duration(DurationKind.CALENDAR_DAYS, 5), cal) == at(
        2026, 11, 23, 9, 0
    )


def test_calendar_days_start_from_normalised_reception(cal: WorkCalendar) -> None:
    # Received Sat 21/11 -> clock starts Mon 23/11 07:00 -> +10 days = Thu 3/12 07:00.
    assert compute_due(at(2026, 11, 21, 10, 0), Duration(DurationKind.CALENDAR_DAYS, 10), cal) == at(
        2026, 12, 3, 7, 0
    )
    # Lunch -> 13:30.
    assert compute_due(at(2026, 11, 16, 12, 0), Duration(DurationKind.CALENDAR_DAYS, 2), cal) == at(
        2026, 11, 18, 13, 30
    )


# --- same day -----------------------------------------------------------------------------------


def test_same_day_before_cutoff_returns_1700_same_day(cal: WorkCalendar) -> None:
    for hh, mm in ((6, 30), (7, 0), (10, 0), (12, 0), (14, 59), (15, 0)):
        assert compute_due(at(2026, 11, 16, hh, mm), SAME, cal) == at(2026, 11, 16, 17, 0), (hh, mm)


def test_same_day_after_cutoff_goes_to_next_working_day(cal: WorkCalendar) -> None:
    assert compute_due(at(2026, 11, 16, 15, 1), SAME, cal) == at(2026, 11, 17, 17, 0)
    assert compute_due(at(2026, 11, 20, 16, 0), SAME, cal) == at(2026, 11, 23, 17, 0)  # Fri -> Mon
    assert compute_due(at(2026, 11, 23, 15, 30), SAME, cal) == at(2026, 11, 25, 17, 0)  # over 24/11
    assert compute_due(at(2026, 11, 16, 18, 0), SAME, cal) == at(2026, 11, 17, 17, 0)


def test_same_day_cutoff_compared_to_the_minute(cal: WorkCalendar) -> None:
    assert compute_due(datetime(2026, 11, 16, 15, 0, 59, tzinfo=TZ), SAME, cal) == at(2026, 11, 16, 17, 0)


def test_same_day_received_on_non_working_day(cal: WorkCalendar) -> None:
    assert compute_due(at(2026, 11, 21, 9, 0), SAME, cal) == at(2026, 11, 23, 17, 0)
    assert compute_due(at(2026, 11, 24, 9, 0), SAME, cal) == at(2026, 11, 25, 17, 0)
    # A make-up Saturday is a working day.
    assert compute_due(at(2026, 1, 10, 9, 0), SAME, cal) == at(2026, 1, 10, 17, 0)


def test_none_has_no_due(cal: WorkCalendar) -> None:
    assert compute_due(at(2026, 11, 16, 9, 0), Duration(DurationKind.NONE), cal) is None


# --- admin days ---------------------------------------------------------------------------------


def test_admin_offday_and_makeup_day_move_due() -> None:
    cal = WorkCalendar(
        [
            CalendarDay(date(2026, 11, 26), DayKind.OFF, "Nghỉ theo quyết định của tỉnh"),
            CalendarDay(date(2026, 11, 28), DayKind.WORK, "Làm bù cho ngày 26/11/2026"),
        ]
    )
    # Wed 25/11 09:00 + 2 days: (Thu 26 off) Fri 27 09:00 -> Sat 28 09:00.
    assert compute_due(at(2026, 11, 25, 9, 0), Duration(DurationKind.WORKING_DAYS, 2), cal) == at(
        2026, 11, 28, 9, 0
    )
    assert compute_due(
        at(2026, 11, 25, 9, 0), Duration(DurationKind.WORKING_DAYS, 2), statutory_calendar()
    ) == at(2026, 11, 27, 9, 0)


# --- pauses -------------------------------------------------------------------------------------


def test_working_minutes_between(cal: WorkCalendar) -> None:
    assert working_minutes_between(at(2026, 11, 16, 9, 0), at(2026, 11, 16, 10, 0), cal) == 60
    assert working_minutes_between(at(2026, 11, 16, 11, 0), at(2026, 11, 16, 14, 0), cal) == 60
    assert working_minutes_between(at(2026, 11, 16, 7, 0), at(2026, 11, 17, 7, 0), cal) == 480
    assert working_minutes_between(at(2026, 11, 20, 17, 0), at(2026, 11, 23, 7, 0), cal) == 0
    assert working_minutes_between(at(2026, 11, 23, 9, 0), at(2026, 11, 25, 9, 0), cal) == 480  # 24/11 off
    assert working_minutes_between(at(2026, 11, 16, 10, 0), at(2026, 11, 16, 9, 0), cal) == 0


def test_pause_across_weekend_moves_due(cal: WorkCalendar) -> None:
    due = compute_due(at(2026, 11, 16, 9, 0), DAYS3, cal)  # Thu 19/11 09:00
    # Paused Wed 18/11 16:00, resumed Mon 23/11 08:00.
    # Paused working time: Wed 1 h + Thu 8 h + Fri 8 h + Mon 1 h = 18 h.
    new_due = extend_for_pause(due, at(2026, 11, 18, 16, 0), at(2026, 11, 23, 8, 0), cal)
    assert working_minutes_between(due, new_due, cal) == 18 * 60
    # Thu 09:00 + 18 h: Thu -> Fri 09:00 (8), -> Mon 09:00 (16), then 2 h -> Mon 11:00.
    assert new_due == at(2026, 11, 23, 11, 0)


def test_pause_over_a_weekend_only_does_not_move_due(cal: WorkCalendar) -> None:
    due = at(2026, 11, 25, 10, 0)
    assert extend_for_pause(due, at(2026, 11, 20, 17, 0), at(2026, 11, 23, 7, 0), cal) == due
    assert extend_for_pause(due, at(2026, 11, 23, 17, 0), at(2026, 11, 25, 7, 0), cal) == due  # 24/11


def test_pause_moves_due_at_closing_into_next_day(cal: WorkCalendar) -> None:
    due = at(2026, 11, 19, 17, 0)
    assert extend_for_pause(due, at(2026, 11, 17, 9, 0), at(2026, 11, 17, 10, 0), cal) == at(
        2026, 11, 20, 8, 0
    )


def test_pause_for_same_day_dossier(cal: WorkCalendar) -> None:
    due = compute_due(at(2026, 11, 16, 10, 0), SAME, cal)
    new_due = extend_for_pause(due, at(2026, 11, 16, 14, 0), at(2026, 11, 17, 10, 0), cal)
    # 3 h Mon afternoon + 3 h Tue morning = 6 h after Mon 17:00 -> Tue 15:00.
    assert new_due == at(2026, 11, 17, 15, 0)


# --- extension ----------------------------------------------------------------------------------


def test_suggest_extension(cal: WorkCalendar) -> None:
    due = at(2026, 11, 19, 9, 0)
    assert suggest_extension(due, DAYS3, cal) == at(2026, 11, 25, 9, 0)  # Thu -> (24/11 off) -> Wed
    assert suggest_extension(at(2026, 11, 23, 17, 0), SAME, cal) == at(2026, 11, 25, 17, 0)
    d30 = Duration(DurationKind.CALENDAR_DAYS, 30)
    assert suggest_extension(at(2026, 10, 26, 9, 0), d30, cal) == at(2026, 11, 25, 9, 0)
    assert suggest_extension(due, Duration(DurationKind.NONE), cal) == due
    h4 = Duration(DurationKind.WORKING_HOURS, 4)
    assert suggest_extension(at(2026, 11, 16, 17, 0), h4, cal) == at(2026, 11, 17, 11, 0)


# --- verdicts -----------------------------------------------------------------------------------


def test_classify_result(cal: WorkCalendar) -> None:
    due = at(2026, 11, 19, 9, 0)
    assert classify_result(due, at(2026, 11, 18, 16, 59), cal) == "early"
    assert classify_result(due, at(2026, 11, 19, 7, 5), cal) == "on_time"
    assert classify_result(due, at(2026, 11, 19, 9, 0), cal) == "on_time"
    assert classify_result(due, datetime(2026, 11, 19, 9, 0, 40, tzinfo=TZ), cal) == "on_time"
    assert classify_result(due, at(2026, 11, 19, 9, 1), cal) == "late"
    assert classify_result(due, at(2026, 11, 20, 7, 0), cal) == "late"
    assert classify_result(None, at(2030, 1, 1), cal) == "on_time"
    # Compared in local time: 01:00 UTC on 19/11 is 08:00 in Hà Nội, the due day.
    assert classify_result(due, datetime(2026, 11, 19, 1, 0, tzinfo=UTC), cal) == "on_time"
    assert classify_result(due, datetime(2026, 11, 18, 16, 0, tzinfo=UTC), cal) == "early"  # 23:00 local


def test_classify_in_progress(cal: WorkCalendar) -> None:
    due = at(2026, 11, 19, 9, 0)
    assert classify_in_progress(due, at(2026, 11, 19, 9, 0), cal) == "within"
    assert classify_in_progress(due, at(2026, 11, 19, 9, 1), cal) == "overdue"
    assert classify_in_progress(None, at(2050, 1, 1), cal) == "within"


# --- Duration -----------------------------------------------------------------------------------


def test_duration_describe() -> None:
    assert Duration(DurationKind.WORKING_DAYS, 3).describe() == "03 ngày làm việc"
    assert Duration(DurationKind.WORKING_DAYS, 15).describe() == "15 ngày làm việc"
    assert Duration(DurationKind.WORKING_HOURS, 4).describe() == "04 giờ làm việc"
    assert Duration(DurationKind.CALENDAR_DAYS, 30).describe() == "30 ngày"
    assert Duration(DurationKind.WORKING_DAYS, 0.5).describe() == "0,5 ngày làm việc"
    assert SAME.describe() == (
        "Trong ngày (nhận trước 15 giờ 00 trả trong ngày; sau 15 giờ 00 trả trong ngày làm việc tiếp theo)"
    )
    assert Duration(DurationKind.NONE).describe() == "Không quy định thời hạn"


def test_duration_json_round_trip() -> None:
    for d in (DAYS3, SAME, Duration(DurationKind.NONE), Duration(DurationKind.WORKING_HOURS, 1.5)):
        assert Duration.from_json(d.to_json()) == d
    assert DAYS3.to_json() == {"kind": "working_days", "value": 3}
    assert Duration.from_json({"kind": "same_day"}) == SAME
    assert Duration("calendar_days", 30).kind is DurationKind.CALENDAR_DAYS
    assert Duration.working_days(3) == DAYS3


def test_duration_rejects_bad_values() -> None:
    with pytest.raises(ValueError):
        Duration(DurationKind.WORKING_DAYS, -1)
    with pytest.raises(ValueError):
        Duration("weeks", 1)
    with pytest.raises(TypeError):
        Duration(DurationKind.WORKING_DAYS, "3")


def test_rule_version_is_stable() -> None:
    assert RULE_VERSION == "deadline-1"


def test_add_working_minutes_rejects_negative(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        add_working_minutes(at(2026, 11, 16, 9, 0), -1, cal)
    assert add_working_minutes(at(2026, 11, 16, 17, 0), 0, cal) == at(2026, 11, 16, 17, 0)


# --- properties over 2020–2050 ------------------------------------------------------------------


def _random_reception(rng: random.Random) -> datetime:
    start = datetime(2020, 1, 1, tzinfo=TZ)
    span = (datetime(2050, 12, 31, tzinfo=TZ) - start).total_seconds()
    return start + timedelta(seconds=rng.randrange(int(span)))


DURATIONS = [
    Duration(DurationKind.WORKING_DAYS, 1),
    Duration(DurationKind.WORKING_DAYS, 3),
    Duration(DurationKind.WORKING_DAYS, 0.5),
    Duration(DurationKind.WORKING_DAYS, 10),
    Duration(DurationKind.WORKING_DAYS, 30),
    Duration(DurationKind.WORKING_HOURS, 1),
    Duration(DurationKind.WORKING_HOURS, 4),
    Duration(DurationKind.WORKING_HOURS, 7.5),
    Duration(DurationKind.CALENDAR_DAYS, 1),
    Duration(DurationKind.CALENDAR_DAYS, 7),
    Duration(DurationKind.CALENDAR_DAYS, 30),
    SAME,
]


def test_due_never_outside_office_hours_2020_2050(cal: WorkCalendar) -> None:
    rng = random.Random(20261122)
    for _ in range(4000):
        received = _random_reception(rng)
        duration = rng.choice(DURATIONS)
        due = compute_due(received, duration, cal)
        assert due is not None
        assert due.tzinfo is not None and due.utcoffset() == timedelta(hours=7)
        assert due.second == 0 and due.microsecond == 0
        assert in_office_hours(due, cal), (received, duration, due)
        assert due > received or duration.kind is DurationKind.SAME_DAY and due >= received, (received, due)
        if duration.kind in (DurationKind.WORKING_DAYS, DurationKind.WORKING_HOURS):
            per = 480 if duration.kind is DurationKind.WORKING_DAYS else 60
            start = start_of_clock(received, cal)
            assert working_minutes_between(start, due, cal) == round(duration.value * per), (
                received,
                duration,
            )
        ext = suggest_extension(due, duration, cal)
        assert in_office_hours(ext, cal) and ext > due, (due, duration, ext)


def test_working_time_arithmetic_is_consistent(cal: WorkCalendar) -> None:
    rng = random.Random(7)
    for _ in range(1500):
        a = _random_reception(rng)
        minutes = rng.randrange(1, 480 * 12)
        b = add_working_minutes(a, minutes, cal)
        assert in_office_hours(b, cal)
        assert working_minutes_between(a, b, cal) == minutes
        # The same instant reached in two steps.
        k = rng.randrange(0, minutes + 1)
        assert add_working_minutes(add_working_minutes(a, k, cal), minutes - k, cal) == b


def test_pause_extension_is_additive_2020_2050(cal: WorkCalendar) -> None:
    rng = random.Random(99)
    for _ in range(500):
        received = _random_reception(rng)
        due = compute_due(received, DAYS3, cal)
        paused = received + timedelta(minutes=rng.randrange(0, 60 * 24 * 3))
        resumed = paused + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        new_due = extend_for_pause(due, paused, resumed, cal)
        assert in_office_hours(new_due, cal)
        assert working_minutes_between(due, new_due, cal) == working_minutes_between(paused, resumed, cal)
