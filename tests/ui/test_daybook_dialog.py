"""Closing the day book from the counter window: the status item and the notice say which days are not
closed, one click closes them in order and shows the pages; the archive runs by itself."""

from __future__ import annotations

import subprocess
from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt

from app.domain.calendar import TZ
from app.services import daybook
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import update_settings
from app.services.users import login
from tests.conftest import admin_of
from ui import workers
from ui.counter_window import CounterWindow
from ui.daybook_dialog import DaybookWatch

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def earlier(office_db, clerk):
    """Dossiers of Tue 10/11 and Fri 13/11/2026; the clock then stays at Mon 16/11 09:05 (the fixture's now)."""
    now = office_db.clock()
    for when, name in ((datetime(2026, 11, 10, 9, 0, tzinfo=TZ), "Đặng Thị Lan"),
                       (datetime(2026, 11, 13, 14, 0, tzinfo=TZ), "Hồ Văn Nam")):
        receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name=name,
                                                      phone="0912345678", received_at=when), clerk=clerk)
    office_db.clock = lambda: now


def make_window(qtbot, db, user) -> CounterWindow:
    w = CounterWindow(db, user)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.daybook.state is not None, timeout=5000)
    return w


def pdf_text(tmp_path, pdf: bytes) -> str:
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def test_the_window_says_which_days_are_not_closed_and_one_click_closes_them(qtbot, office_db, clerk, earlier,
                                                                            tmp_path):
    w = make_window(qtbot, office_db, clerk)
    assert w.daybook_item.text() == "Chưa chốt sổ 4 ngày" and w.daybook_item.isVisible()
    assert "10/11/2026, 11/11/2026, 12/11/2026, 13/11/2026" in w.daybook_item.toolTip()
    assert w.daybook_notice.isVisible()
    assert w.daybook_notice.label.text().startswith(
        "Sổ theo dõi hồ sơ chưa chốt 4 ngày, từ ngày 10/11/2026 đến ngày 13/11/2026.")
    qtbot.mouseClick(w.daybook_item, LEFT)
    dlg = w.daybook_dialog
    assert dlg is not None and dlg.isVisible()
    assert [dlg.days.item(i).text() for i in range(dlg.days.count())] == [
        "Thứ Ba, 10/11/2026", "Thứ Tư, 11/11/2026", "Thứ Năm, 12/11/2026", "Thứ Sáu, 13/11/2026"]
    assert dlg.close_button.text() == "Chốt sổ 4 ngày và in" and dlg.close_button.isEnabled()
    with qtbot.waitSignal(dlg.pdf_ready, timeout=30000) as sig:
        qtbot.mouseClick(dlg.close_button, LEFT)
    pages = pdf_text(tmp_path, sig.args[0]).split("\f")
    assert "Ngày 10/11/2026 (Thứ Ba)" in pages[0] and "Trang 1" in pages[0]
    assert "Ngày 13/11/2026 (Thứ Sáu)" in pages[3] and "Trang 4" in pages[3]
    qtbot.waitUntil(lambda: w.daybook.state.pending == [], timeout=5000)
    assert daybook.pending_days(office_db) == []
    assert w.daybook_item.text() == "Đã chốt sổ đến 13/11" and w.daybook_item.isHidden()
    assert not w.daybook_notice.isVisible()
    assert dlg.message == "Đã chốt sổ 4 ngày: trang 1–4."
    assert dlg.book_label.text() == "Quyển số 1/2026: đã chốt đến ngày 13/11/2026, 4 trang."
    dlg.preview.close()
    # a reprint from the same dialog says so
    assert dlg.reprint_date.date().toString("dd/MM/yyyy") == "13/11/2026"  # the last closed day
    with qtbot.waitSignal(dlg.pdf_ready, timeout=20000) as sig:
        qtbot.mouseClick(dlg.reprint_button, LEFT)
    text = pdf_text(tmp_path, sig.args[0])
    assert "BẢN IN LẠI" in text and "Trang 4" in text
    dlg.preview.close()
    dlg.close()
    assert workers.wait_idle(10000)


def test_a_clerk_sees_why_only_leaders_may_close(qtbot, office_db, clerk, earlier):
    update_settings(office_db, {"daybook_closer_role": "leader"}, actor_id=admin_of(office_db).id)
    w = make_window(qtbot, office_db, clerk)
    dlg = w.open_daybook()
    qtbot.waitUntil(lambda: dlg.refusal.isVisible(), timeout=5000)
    assert "chỉ lãnh đạo được chốt sổ" in dlg.refusal.text()
    assert not dlg.close_button.isEnabled()
    dlg.close()
    assert workers.wait_idle(10000)


def test_status_item_words():
    from ui.daybook_dialog import notice_text, pending_text

    one, two = [date(2026, 11, 30)], [date(2026, 11, 27), date(2026, 11, 30)]
    assert pending_text(one) == "Chưa chốt sổ ngày 30/11"
    assert pending_text(two) == "Chưa chốt sổ ngày 27/11, 30/11"
    assert notice_text(two).startswith("Sổ theo dõi hồ sơ chưa chốt ngày 27/11/2026 và ngày 30/11/2026.")


def test_later_hides_the_notice_but_not_the_status_item(qtbot, office_db, clerk, earlier):
    w = make_window(qtbot, office_db, clerk)
    qtbot.mouseClick(w.daybook_notice.later_button, LEFT)
    assert not w.daybook_notice.isVisible()
    w.daybook.refresh()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=5000)
    assert not w.daybook_notice.isVisible() and w.daybook_item.text().startswith("Chưa chốt sổ")
    assert workers.wait_idle(10000)


def test_the_archive_runs_by_itself_at_start_and_waits_for_the_closing_time(qtbot, office_db, clerk, earlier):
    watch = DaybookWatch(office_db, clerk)
    with qtbot.waitSignal(watch.archived, timeout=30000):
        watch.start(archive_delay_ms=0)
    folder = daybook.archive_folder(office_db) / "quyen-1-2026"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"so-theo-doi-2026-11-{d}-chua-chot.pdf" for d in ("10", "11", "12", "13")]
    qtbot.waitUntil(lambda: watch.state is not None, timeout=5000)
    # 09:05 now: the next run is at 17:30 today
    remaining = watch._archive_timer.remainingTime() / 1000
    assert abs(remaining - (8 * 3600 + 25 * 60 + 5)) < 30
    assert date(2026, 11, 16) not in watch.state.pending
    assert workers.wait_idle(10000)
