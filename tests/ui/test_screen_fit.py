"""Every window and dialog fits the smallest counter screen (1366×768 less a taskbar: 1366×728) with its
buttons in view; the counter window opens maximised; the statistics tab opens with figures."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QPushButton

from app.domain.calendar import TZ
from app.domain.lifecycle import Action
from app.services import lifecycle as lc
from app.services.dossiers import get_dossier
from app.services.forms import receipt_pdf
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from ui.action_dialogs import DIALOGS
from ui.app import FRAME, USABLE
from ui.counter_window import CounterWindow
from ui.dossier_window import DossierWindow
from ui.intake_dialogs import GuidanceSlipDialog, RefusalDialog
from ui.login import LoginDialog
from ui.receipt_preview import ReceiptPreviewDialog

ROOM = QSize(USABLE.width() - FRAME.width(), USABLE.height() - FRAME.height())


def fits(w) -> None:
    """Its size hints fit the room a 1366×728 screen leaves, and at that size every button is in view."""
    for name, size in (("sizeHint", w.sizeHint()), ("minimumSizeHint", w.minimumSizeHint())):
        assert size.width() <= ROOM.width() and size.height() <= ROOM.height(), (type(w).__name__, name, size)
    w.resize(min(w.width(), ROOM.width()), min(w.height(), ROOM.height()))
    QApplication.processEvents()
    inside = w.rect()
    for b in w.findChildren(QPushButton):
        if b.isVisible():
            box = QRect(b.mapTo(w, QPoint(0, 0)), b.size())
            assert inside.contains(box), (type(w).__name__, b.text(), box, inside)


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def code(office_db, clerk):
    papers = None
    r = receive_dossier(office_db, form=ReceptionForm(
        procedure_code="1.001193", applicant_name="Nguyễn Thị Hường", phone="0912345678", papers=papers,
        address="Số 12, ấp Bình Thạnh, xã Tân Hưng, tỉnh Đồng Tháp"), clerk=clerk)
    office_db.clock = lambda: datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
    lc.transfer(office_db, r.code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch",
                note="Hồ sơ có nhiều giấy tờ cần đối chiếu " * 4)
    return r.code


def test_every_top_level_window_fits_1366_by_728(qtbot, office_db, clerk, code):
    login_dialog = LoginDialog(office_db)
    qtbot.addWidget(login_dialog)
    fits(login_dialog)

    counter = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(counter)
    counter.show()
    qtbot.waitUntil(lambda: not counter.loading, timeout=5000)
    fits(counter)

    dossier = DossierWindow(office_db, clerk, code)
    qtbot.addWidget(dossier)
    dossier.show()
    qtbot.waitUntil(lambda: dossier.view is not None, timeout=5000)
    fits(dossier)

    preview = ReceiptPreviewDialog(receipt_pdf(office_db, code), title="Giấy hẹn", default_name="x.pdf")
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitUntil(lambda: preview.page_count() > 0, timeout=10000)
    fits(preview)

    view = get_dossier(office_db, code)
    for cls in DIALOGS.values():
        dlg = cls(office_db, clerk, view)
        qtbot.addWidget(dlg)
        dlg.show()
        fits(dlg)
        dlg.close()
    for cls in (GuidanceSlipDialog, RefusalDialog):
        dlg = cls(office_db, clerk, procedure_code="1.001193")
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitUntil(lambda d=dlg: d.procedures_loaded, timeout=5000)
        fits(dlg)
        dlg.close()
    assert Action.TRANSFER in DIALOGS


def test_the_statistics_tab_opens_with_figures_and_the_status_bar_says_today_once(qtbot, office_db, clerk, code):
    w = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not w.loading and w.badge.alerts is not None, timeout=5000)
    texts = [w.date_label.text(), w.count_label.text(), w.badge.text()]
    assert sum(t.lower().count("hôm nay") for t in texts) == 2  # "Tiếp nhận hôm nay", "Đến hạn hôm nay"
    assert w.count_label.text() == "Tiếp nhận hôm nay: 1" and "Đến hạn hôm nay: 1" in w.badge.text()
    assert "Hôm nay" not in w.date_label.text() and "Bộ phận Một cửa" not in w.windowTitle()
    w.tabs.setCurrentWidget(w.stats)
    qtbot.waitUntil(lambda: w.stats.report is not None, timeout=10000)
    assert w.stats.cell_text("Tổng số", 1) == "1"


def test_the_status_bar_at_1366_shows_every_count_and_warning_whole(qtbot, office_db, clerk, code):
    """Everything on the right (sync, day book, due counts, today's count) is read whole; the clerk's name,
    the device and the day give way with "…" and keep their whole text as a tooltip."""
    from app.sync.client import SyncStatus
    from ui.app import STYLESHEET

    w = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(w)
    w.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))  # the program's padding of status-bar items
    w.resize(ROOM)
    w.show()
    qtbot.waitUntil(lambda: w.badge.alerts is not None and w.sync.last is not None and w.daybook.state is not None,
                    timeout=5000)
    assert w.sync_item.isHidden()  # a counter working alone: nothing about a server
    qtbot.wait(50)
    for item in (w.clerk_label, w.device_label, w.date_label):  # a usual day: all of it, not cut by the padding
        assert item.shown_text() == item.text() and not item.is_elided(), item.shown_text()
    w.sync.timer.stop()
    w.sync_item.show_status(SyncStatus(True, "https://motcua.tinh.gov.vn", None, "Không kết nối được", 1234, None),
                            False)
    w.daybook_item.setText("Chưa chốt sổ 40 ngày")
    w.daybook_item.show()
    # the worst day: every due count has dossiers, in thousands
    w.badge._counted(w.badge._request, dataclasses.replace(w.badge.alerts, overdue=1204, due_today=318, due_soon=2715,
                                                           paused=1096))
    w.clerk_label.setText("Cán bộ: Tôn Nữ Hoàng Thị Phương Uyên Bảo Ngọc")
    qtbot.wait(50)
    for item in (w.sync_item, w.daybook_item, *w.badge.buttons.values(), w.count_label):
        assert item.isVisible() and item.width() >= item.sizeHint().width(), (item.text(), item.width())
    assert w.clerk_label.is_elided() and w.clerk_label.shown_text().endswith("…")
    assert clerk.full_name in w.clerk_label.toolTip() and clerk.role_text in w.clerk_label.toolTip()
    assert w.clerk_label.width() >= w.clerk_label.minimumSizeHint().width()
    w.clerk_label.setText("Cán bộ: An")
    QApplication.processEvents()
    assert not w.clerk_label.is_elided() and w.clerk_label.shown_text() == "Cán bộ: An"


def test_the_operations_windows_fit_1366_by_728(qtbot, office_db, tmp_path):
    from tests.conftest import admin_of
    from ui.admin_window import AccountDialog, AdminWindow, PasswordDialog
    from ui.audit_panel import AuditDialog
    from ui.demo_app import DemoProgress
    from ui.setup_window import SetupWindow

    admin = admin_of(office_db)
    setup = SetupWindow(tmp_path / "moi.sqlite")
    qtbot.addWidget(setup)
    setup.show()
    fits(setup)
    window = AdminWindow(office_db, admin)
    qtbot.addWidget(window)
    window.show()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda: not getattr(window.tabs.currentWidget(), "busy", False), timeout=10000)
        fits(window)
    for dlg in (AuditDialog(office_db, admin), PasswordDialog(office_db, admin), AccountDialog(window),
                DemoProgress(tmp_path / "demo.sqlite", 300)):
        qtbot.addWidget(dlg)
        dlg.show()
        fits(dlg)
