"""The statistics screen shows exactly what compute_stats counts, agrees with the logbook list's count for
the same period, draws its month chart, and exports."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.reception import ReceptionForm, receive_dossier
from app.services.stats import MonthPoint, compute_stats
from app.services.users import login
from ui import workers
from ui.chart import MonthlyChart
from ui.dossier_list import DossierListPanel, thousands
from ui.stats_screen import StatsScreen, row_values

LEFT = Qt.MouseButton.LeftButton
HT, CT, DD = "1.004873", "2.000815", "1.013978"  # Hộ tịch 3 wd, Chứng thực same day, Đất đai 20 wd


def at(month, day, hh, mm=0):
    return datetime(2026, month, day, hh, mm, tzinfo=TZ)


def receive(db, clerk, when, proc, **kw):
    db.clock = lambda: when
    form = ReceptionForm(procedure_code=proc, applicant_name="Nguyễn Văn Bình", phone="0912000111",
                         received_at=when, **kw)
    return receive_dossier(db, form=form, clerk=clerk).code


def step(db, when, fn, *args, **kw):
    db.clock = lambda: when
    return fn(db, *args, **kw)


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def data(office_db, clerk):
    """October and November 2026 at a small counter; the clock stays at Fri 20/11/2026 10:00."""
    db = office_db
    a = receive(db, clerk, at(10, 28, 10), CT)  # carried into November, never finished: overdue
    b = receive(db, clerk, at(10, 29, 8), HT)
    step(db, at(10, 30, 9), lc.result_ready, b, actor=clerk)  # early, in October
    c = receive(db, clerk, at(11, 2, 8), HT)  # due Thu 5/11 08:00
    step(db, at(11, 4, 10), lc.result_ready, c, actor=clerk)  # early
    d = receive(db, clerk, at(11, 2, 10), HT)  # due Thu 5/11 10:00
    step(db, at(11, 5, 10, 1), lc.result_ready, d, actor=clerk)  # late by one minute
    e = receive(db, clerk, at(11, 10, 9), CT, channel="online")  # due 10/11 17:00
    step(db, at(11, 10, 16), lc.result_ready, e, actor=clerk)  # on time
    f = receive(db, clerk, at(11, 16, 8), DD, channel="post")  # 20 wd: within
    g = receive(db, clerk, at(11, 16, 9), HT)  # due Thu 19/11 09:00: overdue now
    db.clock = lambda: at(11, 20, 10)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def make_screen(qtbot, db, user) -> StatsScreen:
    s = StatsScreen(db, user)
    qtbot.addWidget(s)
    s.resize(1280, 760)
    s.show()
    return s


def test_the_table_shows_compute_stats_and_agrees_with_the_list(qtbot, office_db, clerk, data):
    s = make_screen(qtbot, office_db, clerk)
    s.kind_combo.setCurrentIndex(s.kind_combo.findText("Tháng"))
    s.year_combo.setCurrentIndex(s.year_combo.findText("2026"))
    s.number_combo.setCurrentIndex(s.number_combo.findText("Tháng 11"))
    assert s.bounds() == (date(2026, 11, 1), date(2026, 11, 30))
    qtbot.mouseClick(s.show_button, LEFT)
    qtbot.waitUntil(lambda: s.report is not None, timeout=10000)
    expected = compute_stats(office_db, date(2026, 11, 1), date(2026, 11, 30))
    assert s.report.total == expected.total and s.report.rows == expected.rows
    for r in expected.rows + [expected.total]:
        shown = [s.cell_text(r.field, col) for col in range(1, 13)]
        assert shown == [thousands(v) for v in row_values(r)], r.field
    # by hand: 5 received in November + 1 carried; 3 resolved (1 early, 1 on time, 1 late); 3 open, 2 overdue
    t = expected.total
    assert (t.received_total, t.carried_over, t.resolved_total, t.early, t.on_time, t.late) == (5, 1, 3, 1, 1, 1)
    assert (t.in_progress_total, t.in_progress_overdue) == (3, 2)
    assert s.cell_text("Tổng số", 1) == "6" and s.cell_text("Tổng số", 13) == "66,7%"
    assert s.share_label.text() == "Tỷ lệ giải quyết đúng hạn (trước hạn và đúng hạn): 66,7%"
    assert s.heading.text().endswith("Tháng 11 năm 2026")

    # the logbook list for the same received dates counts the same dossiers
    p = DossierListPanel(office_db, clerk)
    qtbot.addWidget(p)
    p.set_received_range(date(2026, 11, 1), date(2026, 11, 30))
    qtbot.waitUntil(lambda: not p._loading and p._total is not None, timeout=5000)
    assert p.count_label.text() == f"Tìm thấy {t.received_total} hồ sơ"
    assert {r.code for r in p.model.rows} == {data[k] for k in "cdefg"}


def test_quarter_and_custom_range_and_the_chart(qtbot, office_db, clerk, data):
    s = make_screen(qtbot, office_db, clerk)
    assert s.kind_combo.currentText() == "Quý" and s.number_combo.currentText() == "Quý IV"  # default: now
    qtbot.mouseClick(s.show_button, LEFT)
    qtbot.waitUntil(lambda: s.report is not None, timeout=10000)
    assert [(m.month, m.received, m.resolved) for m in s.chart.months] == [(10, 2, 1), (11, 5, 3), (12, 0, 0)]
    assert s.chart.months == compute_stats(office_db, date(2026, 10, 1), date(2026, 12, 31)).months
    img = s.chart.grab()
    assert not img.isNull() and img.width() >= 480
    s.set_period("range", date_from=date(2026, 10, 15), date_to=date(2026, 11, 10))
    assert s.from_edit.isVisible() and not s.number_combo.isVisible()
    qtbot.mouseClick(s.show_button, LEFT)
    qtbot.waitUntil(lambda: s.report.date_to == date(2026, 11, 10), timeout=10000)
    assert s.heading.text().endswith("Từ ngày 15/10/2026 đến ngày 10/11/2026")
    assert s.report.total == compute_stats(office_db, date(2026, 10, 15), date(2026, 11, 10)).total
    s.set_period("range", date_from=date(2026, 11, 10), date_to=date(2026, 11, 1))
    qtbot.mouseClick(s.show_button, LEFT)
    assert s.message_box is not None and "trước hoặc bằng" in s.message_box.text()
    s.message_box.close()


def test_chart_paints_alone_at_800_by_300(qtbot):
    c = MonthlyChart()
    qtbot.addWidget(c)
    c.resize(800, 300)
    assert not c.grab().isNull()  # empty: a sentence, no crash
    c.set_months([MonthPoint(2026, 9, 120, 100, 93.5), MonthPoint(2026, 10, 180, 171, 88.0),
                  MonthPoint(2026, 11, 0, 0, None)])
    img = c.grab().toImage()
    assert not img.isNull() and img.width() == 800 and img.height() == 300
    assert len({img.pixel(x, 200) for x in range(0, 800, 4)}) > 3  # bars were drawn


def test_exports(qtbot, office_db, clerk, data, tmp_path, monkeypatch):
    s = make_screen(qtbot, office_db, clerk)
    s.set_period("month", 2026, 11)
    qtbot.mouseClick(s.show_button, LEFT)
    qtbot.waitUntil(lambda: s.pdf_button.isEnabled(), timeout=10000)
    for kind, button in (("xlsx", s.xlsx_button), ("csv", s.csv_button)):
        target = tmp_path / f"bieu.{kind}"
        monkeypatch.setattr(s, "ask_save_path", lambda *a, t=target: str(t))
        qtbot.mouseClick(button, LEFT)
        qtbot.waitUntil(lambda t=target: s.last_saved == str(t), timeout=10000)
        assert target.stat().st_size > 100
    assert "Hộ tịch" in (tmp_path / "bieu.csv").read_bytes().decode("utf-8-sig")
    with qtbot.waitSignal(s.pdf_ready, timeout=20000) as sig:
        qtbot.mouseClick(s.pdf_button, LEFT)
    assert sig.args[0].startswith(b"%PDF")
    qtbot.waitUntil(lambda: s.preview is not None, timeout=5000)
    s.preview.close()
    assert workers.wait_idle(10000)


def test_chart_share_labels_never_cover_the_bar_values(qtbot):
    from app.services.stats import MonthPoint
    from ui.chart import MonthlyChart

    c = MonthlyChart()
    qtbot.addWidget(c)
    c.resize(1340, 210)
    c.set_months([MonthPoint(2026, 10, 131, 114, 94.7), MonthPoint(2026, 11, 166, 163, 91.4),
                  MonthPoint(2026, 12, 1, 1, 0.0)])
    c.show()
    c.grab()
    values = [r for r in c.value_labels if r not in c.share_labels]
    assert len(c.share_labels) == 3 and values
    assert not any(s.intersects(v) for s in c.share_labels for v in values)
