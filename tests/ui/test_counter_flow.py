"""The counter takes a dossier: sign in, scan the CCCD, pick the procedure without accents, save, print."""

from __future__ import annotations

import os
import unicodedata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from app.services.dossiers import get_dossier, list_received_on
from app.services.errors import StorageError
from app.services.forms import FormKind
from app.services.users import login
from tests.printing.pdftools import decode_symbols, needs_pdftotext, pdf_text
from tests.ui.keys import type_vi
from ui.counter_window import CounterWindow
from ui.login import LoginDialog
from ui.receipt_preview import ReceiptPreviewDialog

LEFT = Qt.MouseButton.LeftButton
# A scanner in keyboard mode, with a stray Enter in the middle of the address.
CARD = ("079203012345|025123456|NGUYỄN THỊ HƯỜNG|15081990|Nữ|Số 5, ấp Tân Lập,\r\n"
        " xã Tân Hưng, tỉnh Đồng Nai|20042021")




@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def window(qtbot, office_db, clerk):
    # The scanner listener holds keys back for a few ms to tell a scan from typing; these tests type with
    # QTest and assert at once, so it is off here and tested on its own below.
    w = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not w.loading, timeout=5000)
    return w


def pick_procedure(qtbot, panel, typed: str, code: str) -> None:
    """Type into the picker, wait for the list, walk down to `code` with the arrow keys, press Enter."""
    panel.procedure_edit.setFocus()
    QTest.keyClicks(panel.procedure_edit, typed)
    popup = panel.completer.popup()
    qtbot.waitUntil(lambda: popup.isVisible() and any(code in t for t in panel.found), timeout=5000)
    items = panel.procedure_model.stringList()
    row = next(i for i, t in enumerate(items) if t.startswith(code))
    for _ in range(row + 1):
        QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.procedure is not None, timeout=2000)
    assert panel.procedure.code == code


def test_login_says_wrong_password_then_lets_the_clerk_in(qtbot, office_db):
    dlg = LoginDialog(office_db, username="canbo1")
    qtbot.addWidget(dlg)
    dlg.show()
    assert "Tân Hưng" in dlg.office_label.text()
    QTest.keyClicks(dlg.password, "sai-mat-khau")
    qtbot.mouseClick(dlg.login_button, LEFT)
    assert dlg.error.isVisible() and "Sai tên đăng nhập hoặc mật khẩu" in dlg.error.text()
    assert dlg.password.text() == "" and dlg.username.text() == "canbo1"
    assert dlg.focusWidget() is dlg.password
    QTest.keyClicks(dlg.password, "matkhau123")
    QTest.keyClick(dlg.password, Qt.Key.Key_Return)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.user.username == "canbo1" and dlg.user.full_name == "Trần Thị Mai"


@needs_pdftotext
def test_take_a_dossier_from_the_keyboard_and_print_its_receipt(qtbot, office_db, window, tmp_path):
    panel = window.reception
    type_vi(panel.scan, CARD)
    assert panel.name.text() == "Nguyễn Thị Hường"
    assert panel.id_number.text() == "079203012345" and panel.birth_date.text() == "15/08/1990"
    assert panel.address.text() == "Số 5, ấp Tân Lập, xã Tân Hưng, tỉnh Đồng Nai"
    assert panel.scan.text() == "" and not panel.scan_field.error.isVisible()

    pick_procedure(qtbot, panel, "khai sinh", "1.001193")
    assert panel.papers.rowCount() >= 2 and panel.papers.papers()
    QTest.keyClicks(panel.phone, "0912 345 678")
    qtbot.waitUntil(lambda: "16/11/2026" in panel.due_label.text(), timeout=5000)

    with qtbot.waitSignal(panel.receipt_ready, timeout=15000) as receipt:
        QTest.keyClick(panel.phone, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    code, pdf = receipt.args
    assert window.model.code_at(0) == code
    assert window.model.rows[0].applicant_name == "Nguyễn Thị Hường"
    assert window.count_label.text().endswith("1")
    assert panel.name.text() == "" and panel.procedure is None  # ready for the next citizen

    assert pdf.startswith(b"%PDF")
    preview = panel.preview
    qtbot.waitUntil(lambda: preview.page_count() == 2, timeout=10000)
    assert not preview.page_image(0).isNull()
    saved = tmp_path / "giay-hen.pdf"
    assert preview.save_to(saved)
    text = pdf_text(saved)
    assert code in text and "Liên 1: Lưu" in text and "Liên 2" in text and "Nguyễn Thị Hường" in text
    for label in ("Tiếp nhận hồ sơ của", "Số điện thoại", "Thành phần hồ sơ", "Số lượng hồ sơ",
                  "Thời gian nhận hồ sơ", "Thời gian trả kết quả", "Đăng ký nhận kết quả tại",
                  "Quyển số", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "079203012345"):
        assert label in text, label
    # a real reader finds the code in the Code128 and the lookup URL in the QR, on both copies
    symbols = [s for page in decode_symbols(saved, tmp_path) for s in page]
    assert symbols.count(code) == 2
    assert symbols.count(f"http://127.0.0.1:8765/tra-cuu/{code}") == 2
    preview.close()

    # The list opens the dossier window; the receipt can be printed again from there.
    index = window.model.index(0, 0)
    window.table.setCurrentIndex(index)
    window.table.activated.emit(index)
    detail = window.dossier_windows[-1]
    qtbot.waitUntil(lambda: detail.view is not None, timeout=5000)
    assert detail.view.code == code and detail.view.applicant_name == "Nguyễn Thị Hường"
    assert detail.code_label.text() == code
    receipt = next(a for f, a in detail.reprint_actions if f.kind == FormKind.RECEIPT)
    with qtbot.waitSignal(detail.pdf_ready, timeout=10000) as again:
        receipt.trigger()
    assert again.args[1].startswith(b"%PDF")
    detail.preview.close()
    detail.close()


def test_validation_messages_sit_beside_their_fields_and_keep_what_was_typed(qtbot, office_db, window):
    panel = window.reception
    pick_procedure(qtbot, panel, "2.000815", "2.000815")
    QTest.keyClicks(panel.id_number, "12345678")
    QTest.keyClicks(panel.phone, "0912")
    QTest.keyClicks(panel.address, "Ap Tan Lap")
    qtbot.mouseClick(panel.save_button, LEFT)
    shown = panel.errors_shown()
    assert set(shown) == {"applicant_name", "id_number", "phone"}
    assert "8 chữ số" in shown["id_number"] and "10 chữ số" in shown["phone"]
    for key in shown:
        assert panel.fields[key].error.isVisibleTo(panel)
    assert panel.focusWidget() is panel.name  # the first field to fix
    assert panel.id_number.text() == "12345678" and panel.phone.text() == "0912"
    assert panel.address.text() == "Ap Tan Lap" and panel.procedure.code == "2.000815"
    assert list_received_on(office_db) == [] and window.model.rowCount() == 0


def test_a_decomposed_name_is_saved_composed(qtbot, office_db, window):
    panel = window.reception
    typed = unicodedata.normalize("NFD", "Nguyễn Văn Bình")
    type_vi(panel.name, typed)
    assert panel.name.text() == typed  # the screen shows what the clerk typed
    pick_procedure(qtbot, panel, "chung thuc ban sao", "2.000815")
    QTest.keyClicks(panel.phone, "0912345678")
    with qtbot.waitSignal(panel.dossier_saved, timeout=10000) as saved:
        qtbot.mouseClick(panel.save_button, LEFT)
    qtbot.waitUntil(lambda: panel.preview is not None, timeout=10000)
    panel.preview.close()
    assert get_dossier(office_db, saved.args[0]).applicant_name == "Nguyễn Văn Bình"


def test_same_day_procedure_at_0905_is_due_at_five_the_same_day(qtbot, window):
    panel = window.reception
    pick_procedure(qtbot, panel, "2.000815", "2.000815")
    qtbot.waitUntil(lambda: panel.due is not None, timeout=5000)
    assert panel.due_label.text() == "Hẹn trả kết quả: 17 giờ 00, thứ Hai 16/11/2026"
    # A paper dossier entered for 15:30 falls after the cut-off: due the next working day.
    with qtbot.waitSignal(panel.due_updated, timeout=5000):
        panel.received_at.setTime(panel.received_at.time().fromString("15:30", "HH:mm"))
    assert not panel.received_now
    assert "thứ Ba 17/11/2026" in panel.due_label.text()


def test_an_unreadable_scan_is_explained_and_kept(qtbot, window):
    panel = window.reception
    type_vi(panel.scan, "079203012345|NGUYEN\r")
    qtbot.waitUntil(lambda: panel.scan_field.error.isVisible(), timeout=2000)
    assert panel.scan.text() == "079203012345|NGUYEN"
    assert panel.scan_field.error.isVisible() and "Không đọc được mã QR" in panel.scan_field.error.text()
    assert panel.name.text() == ""


def test_a_storage_failure_is_shown_and_nothing_typed_is_lost(qtbot, office_db, window, monkeypatch):
    def disk_full(*_a, **_k):
        raise StorageError("Ổ đĩa đã đầy, chưa lưu được.")

    monkeypatch.setattr("ui.reception_form.receive_dossier", disk_full)
    panel = window.reception
    pick_procedure(qtbot, panel, "2.000815", "2.000815")
    QTest.keyClicks(panel.name, "Tran Van An")
    QTest.keyClicks(panel.phone, "0912345678")
    with qtbot.waitSignal(panel.save_failed, timeout=5000):
        qtbot.mouseClick(panel.save_button, LEFT)
    assert "Ổ đĩa đã đầy" in panel.form_error.text() and panel.form_error.isVisibleTo(panel)
    assert panel.name.text() == "Tran Van An" and panel.save_button.isEnabled()


def test_preview_without_a_printer_says_what_to_do(qtbot, office_db, clerk, tmp_path):
    from app.services.forms import receipt_pdf
    from app.services.reception import ReceptionForm, receive_dossier

    code = receive_dossier(office_db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Lê Thị Lan",
                                                         phone="0912345678"), clerk=clerk).code
    dlg = ReceiptPreviewDialog(receipt_pdf(office_db, code), title="Giấy hẹn", default_name=f"{code}.pdf")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.page_count() == 2, timeout=10000)
    if not QPrinterInfo.availablePrinters():
        qtbot.mouseClick(dlg.print_button, LEFT)
        assert "Máy tính chưa cài máy in" in dlg.message_box.text()
        dlg.message_box.close()
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        assert not dlg.save_to(locked / "x.pdf")
        assert "quyền ghi" in dlg.message_box.text()
        dlg.message_box.close()
    assert dlg.save_to(tmp_path / "ok")  # the .pdf suffix is added
    assert (tmp_path / "ok.pdf").read_bytes().startswith(b"%PDF")
