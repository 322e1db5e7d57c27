"""Biểu II.06a on a hand-built month with known answers, built through the real reception and lifecycle
services on a real SQLite file; and agreement with the search filters."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.reception import ReceptionForm, receive_dossier
from app.services.search import DossierFilter, search_dossiers
from app.services.stats import MonthPoint, StatsRow, compute_stats, period_bounds, period_label
from app.services.users import login

HT, CT, DD, KD = "1.004873", "2.000815", "1.013978", "1.001612"  # Hộ tịch 3 wd, Chứng thực same day,
# Đất đai 20 wd, Kinh doanh 3 wd
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # Monday; Tue 24/11 is a holiday (Ngày Văn hóa Việt Nam)


def at(month, day, hh, mm=0):
    return datetime(2026, month, day, hh, mm, tzinfo=TZ)


def step(db, when, fn, *args, **kw):
    db.clock = lambda: when
    return fn(db, *args, **kw)


def receive(db, clerk, when, proc, **kw):
    db.clock = lambda: when
    form = ReceptionForm(procedure_code=proc, applicant_name="Nguyễn Văn Bình", phone="0912000111",
                         received_at=when, **kw)
    return receive_dossier(db, form=form, clerk=clerk).code


@pytest.fixture
def month(office_db):
    db = office_db
    clerk = login(db, username="canbo1", password="matkhau123")
    leader = login(db, username="lanhdao", password="matkhau123")
    c = {}
    # --- October --------------------------------------------------------------------------------------
    c["M"] = receive(db, clerk, at(10, 28, 10), CT)  # due 28/10 17:00, never finished: carried, overdue
    c["J"] = receive(db, clerk, at(10, 29, 8), HT)  # due Tue 3/11 08:00
    step(db, at(10, 30, 9), lc.result_ready, c["J"], actor=clerk)  # early, in October: not in November
    c["E"] = receive(db, clerk, at(10, 30, 8), HT)  # due Wed 4/11 08:00
    step(db, at(11, 3, 14), lc.result_ready, c["E"], actor=clerk)  # carried into November, early
    # --- November, Hộ tịch -------------------------------------------------------------------------
    c["A"] = receive(db, clerk, at(11, 2, 8), HT)  # due Thu 5/11 08:00
    step(db, at(11, 4, 10), lc.result_ready, c["A"], actor=clerk)  # early (a day before the due day)
    step(db, at(11, 5, 9), lc.return_result, c["A"], actor=clerk)
    c["B"] = receive(db, clerk, at(11, 2, 9), HT)  # due Thu 5/11 09:00
    step(db, at(11, 3, 9), lc.transfer, c["B"], actor=clerk, to_name="Lê Văn Đức")
    step(db, at(11, 5, 9), lc.result_ready, c["B"], actor=clerk)  # on time: exactly the due minute
    c["C"] = receive(db, clerk, at(11, 2, 10), HT)  # due Thu 5/11 10:00
    step(db, at(11, 5, 10, 1), lc.result_ready, c["C"], actor=clerk)  # late by one minute
    step(db, at(11, 6, 8), lc.return_result, c["C"], actor=clerk)
    c["D"] = receive(db, clerk, at(11, 3, 8), HT, channel="online")  # due Fri 6/11 08:00
    step(db, at(11, 3, 9), lc.transfer, c["D"], actor=clerk, to_name="Lê Văn Đức")  # still there: overdue
    c["G"] = receive(db, clerk, at(11, 9, 8), HT)  # due Thu 12/11 08:00
    step(db, at(11, 13, 10), lc.request_supplement, c["G"], actor=clerk, reason="Thiếu",
         items=[{"name": "Bản sao CCCD"}])  # paused when already late: overdue
    c["H"] = receive(db, clerk, at(11, 9, 9), HT)
    step(db, at(11, 10, 10), lc.stop, c["H"], actor=clerk, reason="Công dân xin rút hồ sơ")
    c["I"] = receive(db, clerk, at(11, 9, 10), HT)
    step(db, at(11, 9, 11), lc.cancel, c["I"], actor=clerk, reason="Nhập trùng")
    c["F"] = receive(db, clerk, at(11, 19, 8), HT)  # due Wed 25/11 08:00 (24/11 is a holiday)
    step(db, at(11, 20, 10), lc.request_supplement, c["F"], actor=clerk, reason="Thiếu",
         items=[{"name": "Tờ khai"}])  # paused in time: within
    # --- November, Chứng thực ------------------------------------------------------------------------
    c["K"] = receive(db, clerk, at(11, 10, 9), CT, channel="post")  # due Tue 10/11 17:00
    step(db, at(11, 10, 16), lc.result_ready, c["K"], actor=clerk)  # on time (same day)
    step(db, at(11, 10, 16, 30), lc.return_result, c["K"], actor=clerk, method="post")
    c["L"] = receive(db, clerk, at(11, 10, 16), CT)  # after the 15:00 cut-off: due Wed 11/11 17:00
    step(db, at(11, 11, 17, 1), lc.result_ready, c["L"], actor=clerk)  # late by one minute
    # --- November, Đất đai and Kinh doanh ------------------------------------------------------------
    c["N"] = receive(db, clerk, at(11, 16, 8), DD, channel="online")  # 20 working days: within
    c["P"] = receive(db, clerk, at(11, 16, 8), KD)  # due Thu 19/11 08:00
    step(db, at(11, 18, 9), lc.extend, c["P"], actor=leader, new_due=at(11, 23, 17), reason="Chờ xác minh")
    # statistics judge P against the statutory due (overdue); the work list against the new one
    db.clock = lambda: NOW
    return c


def row(field, rec, online, direct, carried, res, early, on_time, late, prog, within, overdue, stopped=0):
    return StatsRow(field, rec, online, direct, carried, res, early, on_time, late, prog, within, overdue, stopped)


def test_november_every_cell(office_db, month):
    rep = compute_stats(office_db, date(2026, 11, 1), date(2026, 11, 30), now=NOW)
    assert rep.rows == [
        row("Chứng thực", 2, 0, 2, 1, 2, 0, 1, 1, 1, 0, 1),
        row("Đất đai", 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0),
        row("Hộ tịch", 7, 1, 6, 1, 4, 2, 1, 1, 3, 1, 2, stopped=1),  # H stopped on 10/11; I a mistake: nowhere
        row("Kinh doanh", 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1),
    ]
    assert rep.total == row("Tổng số", 11, 2, 9, 2, 6, 2, 2, 2, 6, 2, 4, stopped=1)
    assert all(r.balanced for r in [*rep.rows, rep.total])
    assert rep.total.intake_total == 13 and rep.total.on_time_share == 66.7
    assert rep.months == [MonthPoint(2026, 11, 11, 6, 66.7)]
    assert rep.unit_name == "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    assert rep.date_from == date(2026, 11, 1) and rep.generated_at.tzinfo is not None


def test_october_then_balance_of_every_period(office_db, month):
    rep = compute_stats(office_db, date(2026, 10, 1), date(2026, 10, 31), now=NOW)
    assert rep.rows == [
        row("Chứng thực", 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1),
        # E is in progress at the end of October and judged then (due 4/11): within
        row("Hộ tịch", 2, 0, 2, 0, 1, 1, 0, 0, 1, 1, 0),
    ]
    both = compute_stats(office_db, date(2026, 10, 1), date(2026, 11, 30), now=NOW)
    assert both.total == row("Tổng số", 14, 2, 12, 0, 7, 3, 2, 2, 6, 2, 4, stopped=1)
    assert both.months == [MonthPoint(2026, 10, 3, 1, 100.0), MonthPoint(2026, 11, 11, 6, 66.7)]
    # carried + received = resolved + in progress + stopped in the period (H, stopped 10/11)
    for lo, hi, stopped in ((date(2026, 10, 1), date(2026, 10, 31), 0), (date(2026, 11, 1), date(2026, 11, 30), 1),
                            (date(2026, 11, 4), date(2026, 11, 10), 1), (date(2026, 11, 11), date(2026, 11, 23), 0)):
        t = compute_stats(office_db, lo, hi, now=NOW).total
        assert t.carried_over + t.received_total == t.resolved_total + t.in_progress_total + stopped, (lo, hi)
        assert t.stopped == stopped and t.balanced
        assert t.resolved_total == t.early + t.on_time + t.late
        assert t.in_progress_total == t.in_progress_within + t.in_progress_overdue


def test_a_period_in_the_past_judges_at_its_end(office_db, month):
    # 2/11 – 5/11: at Thu 5/11 24:00, D (due Fri 6/11 08:00) is still within, M (28/10) overdue.
    rep = compute_stats(office_db, date(2026, 11, 2), date(2026, 11, 5), now=NOW)
    assert {r.field: r for r in rep.rows}["Hộ tịch"] == row("Hộ tịch", 4, 1, 3, 1, 4, 2, 1, 1, 1, 1, 0)
    assert rep.total == row("Tổng số", 4, 1, 3, 2, 4, 2, 1, 1, 2, 1, 1)


def test_agrees_with_the_search_filters(office_db, month):
    lo, hi = date(2026, 11, 1), NOW.date()
    rep = compute_stats(office_db, lo, hi, now=NOW)
    received = search_dossiers(office_db, DossierFilter(received_from=lo, received_to=hi), now=NOW).total
    cancelled = search_dossiers(office_db, DossierFilter(received_from=lo, received_to=hi,
                                                         statuses=("cancelled",)), now=NOW).total
    assert rep.total.received_total == received - cancelled == 11
    online = search_dossiers(office_db, DossierFilter(received_from=lo, received_to=hi, channel="online")).total
    assert rep.total.received_online == online
    for r in rep.rows:
        n = search_dossiers(office_db, DossierFilter(received_from=lo, received_to=hi, field=r.field)).total
        c = search_dossiers(office_db, DossierFilter(received_from=lo, received_to=hi, field=r.field,
                                                     statuses=("cancelled",))).total
        assert r.received_total == n - c
    overdue = search_dossiers(office_db, DossierFilter(due="overdue"), now=NOW)
    assert {x.code for x in overdue.rows} == {month["D"], month["G"], month["M"]}
    # the one documented difference: P's extension moved its appointment, statistics judge the statutory due
    assert rep.total.in_progress_overdue == overdue.total + 1
    in_progress = search_dossiers(office_db, DossierFilter(statuses=("received", "in_progress", "supplement")),
                                  now=NOW).total
    assert rep.total.in_progress_total == in_progress


def test_period_bounds_and_labels():
    assert period_bounds("month", 2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("month", 2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_bounds("quarter", 2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_bounds("quarter", 2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert period_bounds("year", 2026) == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        period_bounds("month", 2026, 13)
    with pytest.raises(ValueError):
        period_bounds("week", 2026)
    assert period_label(*period_bounds("quarter", 2026, 4)) == "Quý IV năm 2026"
    assert period_label(*period_bounds("month", 2026, 11)) == "Tháng 11 năm 2026"
    assert period_label(*period_bounds("year", 2026)) == "Năm 2026"
    assert period_label(date(2026, 11, 2), date(2026, 11, 5)) == "Từ ngày 02/11/2026 đến ngày 05/11/2026"


def test_empty_database(office_db):
    rep = compute_stats(office_db, date(2026, 1, 1), date(2026, 12, 31))
    assert rep.rows == [] and rep.total.counts() == [0] * 12 and len(rep.months) == 12
    assert rep.total.on_time_share is None
