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


def test_tabs_hold_reception_logbook_and_statistics(window):
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Tiếp nhận hồ sơ", "Sổ theo dõi hồ sơ", "Thống kê, báo cáo"]


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
