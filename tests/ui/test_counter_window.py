"""The counter window as a whole: its tabs, the due badge, a receipt scanned anywhere, intake slips."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.domain.calendar import TZ
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from ui.counter_window import CounterWindow
from ui.intake_dialogs import GuidanceSlipDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def received(office_db, clerk):
    """One dossier overdue (3 working days from Tue 10/11 09:00) and one of today."""
    old = receive_dossier(office_db, form=ReceptionForm(
        procedure_code="1.004873", applicant_name="Đặng Thị Lan", phone="0912345678",
        received_at=datetime(2026, 11, 10, 9, 0, tzinfo=TZ)), clerk=clerk)
    new = receive_dossier(office_db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam",
                                                        phone="0987654321"), clerk=clerk)
    return old.code, new.code


@pytest.fixture
def window(qtbot, office_db, clerk, received):
    w = CounterWindow(office_db, clerk)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not w.loading and w.badge.alerts is not None, timeout=5000)
    yield w
    if w.scanner:
        w.scanner.uninstall()


def test_tabs_hold_reception_logbook_statistics_and_ratings(window):
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Tiếp nhận hồ sơ", "Sổ theo dõi hồ sơ", "Thống kê, báo cáo", "Đánh giá hài lòng"]


def test_the_badge_shows_the_overdue_dossier_and_opens_it_in_the_logbook(qtbot, window, received):
    assert window.badge.alerts.overdue == 1
    window.badge.due_clicked.emit("overdue")
    assert window.tabs.currentWidget() is window.logbook
    qtbot.waitUntil(lambda: [r.code for r in window.logbook.model.rows] == [received[0]], timeout=5000)


def test_a_receipt_scanned_while_typing_a_name_opens_the_dossier_and_types_nothing(qtbot, window, received):
    field = window.reception.name
    field.setFocus()
    qtbot.keyClicks(field, received[0], delay=0)
    qtbot.keyClick(field, Qt.Key.Key_Return, delay=0)
    qtbot.waitUntil(lambda: bool(window.dossier_windows) and window.dossier_windows[-1].view is not None,
                    timeout=5000)
    assert window.dossier_windows[-1].view.code == received[0]
    assert field.text() == ""
    window.dossier_windows[-1].close()


def test_a_scanned_code_that_matches_nothing_says_so(qtbot, window):
    field = window.reception.name
    field.setFocus()
    qtbot.keyClicks(field, "000.17.22.H56-261116-1999", delay=0)
    qtbot.keyClick(field, Qt.Key.Key_Return, delay=0)
    qtbot.waitUntil(lambda: isinstance(window.scan_message, QMessageBox) and window.scan_message.isVisible(),
                    timeout=5000)
    assert "Không tìm thấy hồ sơ có mã 000.17.22.H56-261116-1999" in window.scan_message.text()
    assert window.dossier_windows == []


def test_missing_papers_button_opens_the_guidance_slip_prefilled(qtbot, window):
    panel = window.reception
    panel.name.setText("Trần Văn Bình")
    qtbot.mouseClick(panel.guidance_button, LEFT)
    dlg = panel.intake_dialog
    assert isinstance(dlg, GuidanceSlipDialog) and dlg.isVisible()
    assert "Trần Văn Bình" in [w.text() for w in dlg.findChildren(type(panel.name))]
    dlg.close()


CARD = "079190012345|025123456|NGUYỄN THỊ HƯỜNG|15081990|Nữ|Số 5, ấp Tân Lập, xã Tân Hưng|20042021"


def test_after_login_the_cursor_is_in_the_first_field(window):
    assert window.focusWidget() is window.reception.scan


def test_a_receipt_scanned_into_the_cccd_field_opens_the_dossier(qtbot, window, received):
    field = window.reception.scan  # where the cursor sits after a save
    field.setFocus()
    qtbot.keyClicks(field, received[0], delay=0)
    qtbot.keyClick(field, Qt.Key.Key_Return, delay=0)
    qtbot.waitUntil(lambda: bool(window.dossier_windows) and window.dossier_windows[-1].view is not None,
                    timeout=5000)
    assert window.dossier_windows[-1].view.code == received[0]
    assert field.text() == "" and not window.reception.scan_field.error.isVisible()
    window.dossier_windows[-1].close()
    # and the receipt's QR (the lookup URL) does the same
    qtbot.keyClicks(field, f"http://127.0.0.1:8765/tra-cuu/{received[1]}", delay=0)
    qtbot.keyClick(field, Qt.Key.Key_Return, delay=0)
    qtbot.waitUntil(lambda: any(w.view and w.view.code == received[1] for w in window.dossier_windows),
                    timeout=5000)


def test_a_card_scanned_outside_its_field_fills_the_form_and_no_message_shows_it(qtbot, window):
    from tests.ui.keys import type_vi

    panel = window.reception
    window.tabs.setCurrentWidget(window.logbook)
    type_vi(window.logbook.search, CARD + "\n")  # a scanner's burst with Vietnamese letters and Enter
    qtbot.waitUntil(lambda: panel.id_number.text() == "079190012345", timeout=3000)
    assert window.tabs.currentIndex() == 0 and panel.name.text() == "Nguyễn Thị Hường"
    assert window.logbook.search.text() == ""  # nothing of it landed in the search box
    assert window.scan_message is None or "079190012345" not in window.scan_message.text()
    # a product barcode: said, but never repeated
    type_vi(panel.note, "8934567890123\n")
    qtbot.waitUntil(lambda: window.scan_message is not None and window.scan_message.isVisible(), timeout=3000)
    assert "8934567890123" not in window.scan_message.text()
    window.scan_message.close()


def test_after_a_save_the_form_is_at_its_top_with_the_cursor_in_the_first_field(qtbot, window):
    panel = window.reception
    panel.scroll.verticalScrollBar().setValue(panel.scroll.verticalScrollBar().maximum())
    panel.note.setFocus()
    panel.clear_form()  # what a save ends with
    assert panel.scroll.verticalScrollBar().value() == 0 and window.focusWidget() is panel.scan


def test_quit_or_logout_with_a_half_typed_dossier_asks_first(qtbot, window):
    panel = window.reception
    panel.name.setText("Trần Văn Bình")
    window.quit_action.trigger()
    box = window.unsaved_box
    assert box.isVisible() and window.isVisible() and "chưa được lưu" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    assert window.isVisible() and panel.name.text() == "Trần Văn Bình"
    logged_out = []
    window.logged_out.connect(lambda: logged_out.append(1))
    window.logout_action.trigger()
    window.unsaved_box.button(QMessageBox.StandardButton.Yes).click()
    assert logged_out == [1] and not window.isVisible()
