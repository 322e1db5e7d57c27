"""Working calendar: lunar dates, statutory holidays, compensatory days, known schedules, admin days."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.domain.calendar import (
    KNOWN_SCHEDULES,
    CalendarDay,
    DayKind,
    OfficeHours,
    WorkCalendar,
    hung_kings_day,
    statutory_calendar,
    tet_day,
)

D = date
OFF, WORK = DayKind.OFF, DayKind.WORK


@pytest.fixture
def cal() -> WorkCalendar:
    return statutory_calendar()


def off_weekdays(cal: WorkCalendar, year: int) -> list[date]:
    return [cd.day for cd in cal.off_days(year) if cd.kind is OFF]


def workdays_in(cal: WorkCalendar, first: date, last: date) -> list[date]:
    out, d = [], first
    while d <= last:
        if cal.is_working_day(d):
            out.append(d)
        d += timedelta(days=1)
    return out


# --- lunar dates (Vietnamese, UTC+7) ------------------------------------------------------------

TET_VN = {
    2020: D(2020, 1, 25),
    2021: D(2021, 2, 12),
    2022: D(2022, 2, 1),
    2023: D(2023, 1, 22),
    2024: D(2024, 2, 10),
    2025: D(2025, 1, 29),
    2026: D(2026, 2, 17),
    2027: D(2027, 2, 6),
    2028: D(2028, 1, 26),
    2029: D(2029, 2, 13),
    2030: D(2030, 2, 2),
    2031: D(2031, 1, 23),
    2032: D(2032, 2, 11),
    2033: D(2033, 1, 31),
    2034: D(2034, 2, 19),
    2035: D(2035, 2, 8),
    2007: D(2007, 2, 17),
}

HUNG_KINGS_VN = {
    2025: D(2025, 4, 7),
    2026: D(2026, 4, 26),
    2027: D(2027, 4, 16),
    2028: D(2028, 4, 4),
    2029: D(2029, 4, 23),
    2030: D(2030, 4, 12),
    2038: D(2038, 4, 13),
}


@pytest.mark.parametrize(("year", "expected"), sorted(TET_VN.items()))
def test_tet_is_vietnamese_lunar_new_year(year: int, expected: date) -> None:
    assert tet_day(year) == expected


@pytest.mark.parametrize(("year", "expected"), sorted(HUNG_KINGS_VN.items()))
def test_hung_kings_day_is_vietnamese_10_3_lunar(year: int, expected: date) -> None:
    assert hung_kings_day(year) == expected


def test_vietnam_not_china_2030_2007_2038() -> None:
    # The Chinese (UTC+8) calendar gives 03/02/2030, 18/02/2007 and 14/04/2038.
    assert tet_day(2030) == D(2030, 2, 2)
    assert tet_day(2007) == D(2007, 2, 17)
    assert hung_kings_day(2038) == D(2038, 4, 13)


def test_hung_kings_in_a_year_with_leap_third_month_uses_the_regular_month() -> None:
    # Lunar 2031 has a leap 3rd month; Giỗ Tổ is 10/3 of the first (regular) 3rd month.
    assert hung_kings_day(2031) == D(2031, 4, 1)
    assert hung_kings_day(2050) == D(2050, 4, 1)


def test_tet_eve_after_a_30_day_and_a_29_day_month(cal: WorkCalendar) -> None:
    # The break starts on the last day of the lunar year, whatever its length: the day before Tết.
    for year in range(2020, 2051):
        tet_days = [h.day for h in cal.holidays(year) if h.reason == "Tết Nguyên đán"]
        assert len(tet_days) == 5, year
        if year not in KNOWN_SCHEDULES or "tet" not in KNOWN_SCHEDULES[year]:
            assert tet_days == [tet_day(year) + timedelta(days=i) for i in range(-1, 4)], year


# --- statutory holidays -------------------------------------------------------------------------


def test_fixed_holidays_are_off_on_weekdays(cal: WorkCalendar) -> None:
    # 2027: 1/1 Fri, 30/4 Fri, 2/9 Thu (+ 3/9 Fri), 24/11 Wed.
    for d in (D(2027, 1, 1), D(2027, 4, 30), D(2027, 9, 2), D(2027, 9, 3), D(2027, 11, 24)):
        assert not cal.is_working_day(d), d
    assert cal.day_info(D(2027, 1, 1)) == CalendarDay(D(2027, 1, 1), OFF, "Tết Dương lịch")
    assert cal.day_info(D(2027, 4, 30)).reason == "Ngày Chiến thắng"
    assert cal.day_info(D(2027, 9, 2)).reason == "Quốc khánh"


def test_default_tet_break_2027_with_weekend_compensation(cal: WorkCalendar) -> None:
    # Tết 2027 is Sat 6/2: eve Fri 5/2, mùng 1–2 on the weekend, mùng 3–4 Mon–Tue, then 2 days bù.
    assert [cd.day for cd in cal.off_days(2027) if D(2027, 2, 1) <= cd.day <= D(2027, 2, 28)] == [
        D(2027, 2, 5),
        D(2027, 2, 8),
        D(2027, 2, 9),
        D(2027, 2, 10),
        D(2027, 2, 11),
    ]
    assert cal.day_info(D(2027, 2, 10)).reason == "Nghỉ bù Tết Nguyên đán"
    assert cal.day_info(D(2027, 2, 6)) == CalendarDay(D(2027, 2, 6), OFF, "Tết Nguyên đán")
    assert cal.is_working_day(D(2027, 2, 12))


def test_due_skips_tet_2030_calendar(cal: WorkCalendar) -> None:
    # Tết 2030 is Sat 2/2 (Vietnam): eve Fri 1/2, Mon 4, Tue 5 off, bù Wed 6, Thu 7; Fri 8 works.
    assert workdays_in(cal, D(2030, 1, 31), D(2030, 2, 8)) == [D(2030, 1, 31), D(2030, 2, 8)]


def test_national_day_adjacent_day_rule(cal: WorkCalendar) -> None:
    # 2/9 Monday -> 3/9; Thursday -> 3/9; otherwise 1/9.
    assert D(2030, 9, 2).weekday() == 0
    assert {h.day for h in cal.holidays(2030) if h.reason == "Quốc khánh"} == {D(2030, 9, 2), D(2030, 9, 3)}
    assert D(2027, 9, 2).weekday() == 3
    assert {h.day for h in cal.holidays(2027) if h.reason == "Quốc khánh"} == {D(2027, 9, 2), D(2027, 9, 3)}
    assert D(2026, 9, 2).weekday() == 2
    assert {h.day for h in cal.holidays(2026) if h.reason == "Quốc khánh"} == {D(2026, 9, 1), D(2026, 9, 2)}
    assert D(2029, 9, 2).weekday() == 6  # Sat 1/9 + Sun 2/9 -> bù Mon 3/9 and Tue 4/9
    assert [d for d in off_weekdays(cal, 2029) if d.month == 9] == [D(2029, 9, 3), D(2029, 9, 4)]


def test_national_day_is_one_day_before_the_2019_code(cal: WorkCalendar) -> None:
    # BLLĐ 2019 (two days for Quốc khánh) is in force from 01/01/2021; 2020 had only 2/9.
    assert [h.day for h in cal.holidays(2020) if h.reason == "Quốc khánh"] == [D(2020, 9, 2)]
    assert cal.is_working_day(D(2020, 9, 1)) and cal.is_working_day(D(2020, 9, 3))


def test_cultural_day_2026_not_2025(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(D(2026, 11, 24))
    assert cal.day_info(D(2026, 11, 24)) == CalendarDay(D(2026, 11, 24), OFF, "Ngày Văn hóa Việt Nam")
    assert cal.is_working_day(D(2025, 11, 24))
    assert cal.day_info(D(2025, 11, 24)) is None
    assert all(h.reason != "Ngày Văn hóa Việt Nam" for h in cal.holidays(2025))
    # 24/11/2029 is a Saturday -> bù Monday 26/11.
    assert cal.day_info(D(2029, 11, 26)).reason == "Nghỉ bù Ngày Văn hóa Việt Nam"


def test_holidays_list_includes_weekend_ones_and_no_compensation(cal: WorkCalendar) -> None:
    hol = cal.holidays(2026)
    days = [h.day for h in hol]
    assert days == sorted(days)
    assert D(2026, 4, 26) in days  # Giỗ Tổ on a Sunday is still listed
    assert D(2026, 4, 27) not in days  # its compensatory day is not a holiday
    assert D(2026, 1, 2) not in days  # nor is the swapped day
    # 1/1, 5 Tết, Giỗ Tổ, 30/4, 1/5, 2 Quốc khánh, 24/11 = 12 days.
    assert len(hol) == 12
    assert len(cal.holidays(2025)) == 11
    assert len(cal.holidays(2020)) == 10


def test_every_year_2020_2050_has_the_statutory_number_of_days_off(cal: WorkCalendar) -> None:
    for year in range(2020, 2051):
        expected = 10 + (year >= 2021) + (year >= 2026)
        assert len(cal.holidays(year)) == expected, year
        if year in KNOWN_SCHEDULES:
            continue
        # Every holiday costs exactly one weekday: itself or its compensatory day.
        assert len(off_weekdays(cal, year)) == expected, year
        assert all(cd.day.weekday() < 5 for cd in cal.off_days(year)), year


# --- compensatory days (nghỉ bù) ----------------------------------------------------------------


def test_hung_kings_2026_sunday_compensated_monday_27_4(cal: WorkCalendar) -> None:
    assert D(2026, 4, 26).weekday() == 6
    assert not cal.is_working_day(D(2026, 4, 27))
    assert cal.day_info(D(2026, 4, 27)) == CalendarDay(D(2026, 4, 27), OFF, "Nghỉ bù Giỗ Tổ Hùng Vương")
    assert cal.is_working_day(D(2026, 4, 28))


def test_compensatory_chain(cal: WorkCalendar) -> None:
    # 2023: Giỗ Tổ Sat 29/4 and 30/4 Sun; 1/5 Mon is itself a holiday, so the bù days go to Tue 2/5
    # and Wed 3/5 (the government's own 2023 schedule was 29/4–3/5).
    assert [d for d in off_weekdays(cal, 2023) if D(2023, 4, 28) <= d <= D(2023, 5, 5)] == [
        D(2023, 5, 1),
        D(2023, 5, 2),
        D(2023, 5, 3),
    ]
    assert cal.day_info(D(2023, 5, 2)).reason == "Nghỉ bù Giỗ Tổ Hùng Vương"
    assert cal.day_info(D(2023, 5, 3)).reason == "Nghỉ bù Ngày Chiến thắng"
    assert cal.is_working_day(D(2023, 5, 4))


def test_new_year_on_sunday_compensated_monday(cal: WorkCalendar) -> None:
    assert D(2023, 1, 1).weekday() == 6
    assert cal.day_info(D(2023, 1, 2)).reason == "Nghỉ bù Tết Dương lịch"
    assert not cal.is_working_day(D(2023, 1, 2))


def test_labour_day_saturday_2027_compensated_monday(cal: WorkCalendar) -> None:
    assert D(2027, 5, 1).weekday() == 5
    assert cal.day_info(D(2027, 5, 3)).reason == "Nghỉ bù Ngày Quốc tế Lao động"


# --- known government schedules -----------------------------------------------------------------


def test_known_tet_2025_off_27_1_to_31_1(cal: WorkCalendar) -> None:
    assert workdays_in(cal, D(2025, 1, 24), D(2025, 2, 3)) == [D(2025, 1, 24), D(2025, 2, 3)]
    # The default rule would have given bù on Mon 3/2 for mùng 4 (Sat 1/2); the decision replaces it.
    assert cal.is_working_day(D(2025, 2, 3))
    assert cal.day_info(D(2025, 1, 25)).kind is OFF


def test_known_april_2025_swap_friday_2_5_for_saturday_26_4(cal: WorkCalendar) -> None:
    assert cal.is_working_day(D(2025, 4, 26))
    assert cal.day_info(D(2025, 4, 26)) == CalendarDay(D(2025, 4, 26), WORK, "Làm bù cho ngày 02/05/2025")
    assert not cal.is_working_day(D(2025, 5, 2))
    assert workdays_in(cal, D(2025, 4, 25), D(2025, 4, 28)) == [
        D(2025, 4, 25),
        D(2025, 4, 26),
        D(2025, 4, 28),
    ]
    assert workdays_in(cal, D(2025, 4, 29), D(2025, 5, 5)) == [D(2025, 4, 29), D(2025, 5, 5)]


def test_known_national_day_2025(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(D(2025, 9, 1))
    assert not cal.is_working_day(D(2025, 9, 2))
    assert cal.is_working_day(D(2025, 9, 3))


def test_known_tet_2026_off_14_2_to_22_2(cal: WorkCalendar) -> None:
    assert workdays_in(cal, D(2026, 2, 13), D(2026, 2, 23)) == [D(2026, 2, 13), D(2026, 2, 23)]
    for d in (D(2026, 2, 14), D(2026, 2, 22)):
        assert cal.day_info(d).kind is OFF


def test_makeup_saturday_2026_01_10_counts(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(D(2026, 1, 1))
    assert not cal.is_working_day(D(2026, 1, 2))
    assert cal.is_working_day(D(2026, 1, 10))
    assert cal.day_info(D(2026, 1, 10)) == CalendarDay(D(2026, 1, 10), WORK, "Làm bù cho ngày 02/01/2026")
    assert cal.next_working_day(D(2026, 1, 9)) == D(2026, 1, 10)
    assert cal.next_working_day(D(2026, 1, 10)) == D(2026, 1, 12)
    assert cal.next_working_day(D(2025, 12, 31)) == D(2026, 1, 5)


def test_without_known_schedules_the_default_rule_applies() -> None:
    plain = WorkCalendar(include_known_schedules=False)
    assert plain.is_working_day(D(2026, 1, 2))  # an ordinary Friday without the decision
    assert not plain.is_working_day(D(2026, 1, 10))
    assert plain.is_working_day(D(2025, 1, 27))  # 28 tháng Chạp: not in the default 5 days
    assert not plain.is_working_day(D(2025, 2, 3))  # bù for mùng 4 on Sat 1/2
    assert plain.version != statutory_calendar().version


def test_off_days_2026_exact(cal: WorkCalendar) -> None:
    assert [(cd.day, cd.kind) for cd in cal.off_days(2026)] == [
        (D(2026, 1, 1), OFF),
        (D(2026, 1, 2), OFF),
        (D(2026, 1, 10), WORK),
        (D(2026, 2, 16), OFF),
        (D(2026, 2, 17), OFF),
        (D(2026, 2, 18), OFF),
        (D(2026, 2, 19), OFF),
        (D(2026, 2, 20), OFF),
        (D(2026, 4, 27), OFF),
        (D(2026, 4, 30), OFF),
        (D(2026, 5, 1), OFF),
        (D(2026, 9, 1), OFF),
        (D(2026, 9, 2), OFF),
        (D(2026, 11, 24), OFF),
    ]
    assert all(cd.reason for cd in cal.off_days(2026))


# --- administrator / province days --------------------------------------------------------------


def test_admin_offday_and_makeup_day() -> None:
    extra = [
        CalendarDay(D(2026, 12, 31), OFF, "Nghỉ theo quyết định của UBND tỉnh"),
        CalendarDay(D(2026, 12, 26), WORK, "Làm bù cho ngày 31/12/2026"),
    ]
    cal = WorkCalendar(extra)
    assert not cal.is_working_day(D(2026, 12, 31))
    assert cal.is_working_day(D(2026, 12, 26))
    assert cal.day_info(D(2026, 12, 31)).reason == "Nghỉ theo quyết định của UBND tỉnh"
    assert [cd.day for cd in cal.off_days(2026)][-2:] == [D(2026, 12, 26), D(2026, 12, 31)]
    assert cal.next_working_day(D(2026, 12, 25)) == D(2026, 12, 26)
    assert cal.next_working_day(D(2026, 12, 30)) == D(2027, 1, 4)
    # The statutory calendar is untouched.
    assert statutory_calendar().is_working_day(D(2026, 12, 31))
    assert cal.extra_days == tuple(sorted(extra, key=lambda c: c.day))


def test_admin_days_override_statutory_ones() -> None:
    cal = WorkCalendar(
        [
            CalendarDay(D(2026, 11, 24), WORK, "Làm việc theo chỉ đạo"),
            CalendarDay(D(2026, 1, 10), OFF, "Hủy làm bù"),
        ]
    )
    assert cal.is_working_day(D(2026, 11, 24))
    assert not cal.is_working_day(D(2026, 1, 10))
    days = {cd.day for cd in cal.off_days(2026)}
    assert D(2026, 11, 24) not in days and D(2026, 1, 10) not in days
    # Holidays are still listed for display.
    assert D(2026, 11, 24) in {h.day for h in cal.holidays(2026)}


def test_later_extra_day_for_the_same_date_wins() -> None:
    cal = WorkCalendar([CalendarDay(D(2026, 12, 4), OFF, "a"), CalendarDay(D(2026, 12, 4), WORK, "b")])
    assert cal.is_working_day(D(2026, 12, 4))
    assert cal.day_info(D(2026, 12, 4)).reason == "b"


def test_calendar_day_accepts_string_kind_and_round_trips_json() -> None:
    cd = CalendarDay(D(2026, 12, 31), "off", "x")
    assert cd.kind is OFF
    assert CalendarDay.from_json(cd.to_json()) == cd
    with pytest.raises(ValueError):
        CalendarDay(D(2026, 12, 31), "holiday", "x")


# --- version ------------------------------------------------------------------------------------


def test_calendar_version_changes_with_extra_days() -> None:
    base = WorkCalendar()
    assert base.version == statutory_calendar().version
    assert base.version.startswith("vn-2026.1+") and len(base.version) == len("vn-2026.1+") + 10
    one = [CalendarDay(D(2026, 12, 31), OFF, "Nghỉ")]
    assert WorkCalendar(one).version != base.version
    assert WorkCalendar(one).version == WorkCalendar(list(one)).version
    assert WorkCalendar([CalendarDay(D(2026, 12, 31), WORK, "Nghỉ")]).version != WorkCalendar(one).version
    # Order of different dates does not matter; the content does.
    a, b = CalendarDay(D(2026, 12, 30), OFF, "x"), CalendarDay(D(2026, 12, 31), OFF, "y")
    assert WorkCalendar([a, b]).version == WorkCalendar([b, a]).version
    assert WorkCalendar([a]).version != WorkCalendar([a, b]).version


def test_calendar_version_changes_with_hours() -> None:
    late = OfficeHours(afternoon_end=time(17, 30))
    assert WorkCalendar(hours=late).version != WorkCalendar().version
    assert (
        WorkCalendar(hours=late).version
        == WorkCalendar(hours=OfficeHours(afternoon_end=time(17, 30))).version
    )


def test_calendar_version_is_stable_across_processes() -> None:
    # sha256 of canonical JSON: no hash randomisation, no object ids.
    import subprocess
    import sys

    code = "from app.domain.calendar import statutory_calendar as s; print(s().version)"
    out = {subprocess.check_output([sys.executable, "-c", code], text=True).strip() for _ in range(2)}
    assert out == {statutory_calendar().version}


# --- office hours -------------------------------------------------------------------------------


def test_office_hours_defaults_and_validation() -> None:
    h = OfficeHours()
    assert h.session_minutes == 8 * 60
    assert h.hours_per_day == 8.0
    assert OfficeHours.from_json(h.to_json()) == h
    with pytest.raises(ValueError):
        OfficeHours(morning_end=time(14, 0))
    with pytest.raises(ValueError):
        OfficeHours(hours_per_day=0)


def test_next_and_previous_working_day(cal: WorkCalendar) -> None:
    assert cal.next_working_day(D(2026, 11, 20)) == D(2026, 11, 23)  # Fri -> Mon
    assert cal.next_working_day(D(2026, 11, 23)) == D(2026, 11, 25)  # Mon -> Wed (24/11 off)
    assert cal.previous_working_day(D(2026, 11, 25)) == D(2026, 11, 23)
    assert cal.next_working_day(D(2026, 2, 13)) == D(2026, 2, 23)
