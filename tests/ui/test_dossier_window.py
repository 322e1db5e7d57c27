"""The dossier window walks a dossier through its life by its real buttons: the allowed steps change,
the timeline grows, the due time follows the pause, and the forms each step issues print."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

from app.domain.calendar import TZ
from app.domain.lifecycle import Action, allowed_actions
from app.services import lifecycle as lc
from app.services.dossiers import get_dossier
from app.services.errors import TransitionRefused
from app.services.forms import FormKind
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from tests.printing.pdftools import needs_pdftotext, pdf_text, squash, write_pdf
from tests.ui.keys import type_vi
from ui.dossier_window import DossierWindow

LEFT = Qt.MouseButton.LeftButton


def at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=TZ)


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def code(office_db, clerk):
    # Mon 16/11/2026 09:05, 3 working days: due Thu 19/11 09:05
    form = ReceptionForm(procedure_code="1.004873", applicant_name="Nguyễn Thị Hường", phone="0912345678",
                         address="Ấp Tân Lập, xã Tân Hưng", id_number="079190012345")
    return receive_dossier(office_db, form=form, clerk=clerk).code


def open_window(qtbot, db, user, code) -> DossierWindow:
    w = DossierWindow(db, user, code)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.view is not None, timeout=5000)
    return w


def do_step(qtbot, w: DossierWindow, action: Action, when: datetime, fill) -> None:
    """Click the action's button at `when`, fill its dialog, click OK; wait for the reloaded dossier."""
    w.db.clock = lambda: when
    before = len(w.view.steps)
    qtbot.mouseClick(w.action_buttons[action], LEFT)
    dlg = w.current_dialog
    assert dlg is not None and dlg.isVisible()
    fill(dlg)
    with qtbot.waitSignal(dlg.done, timeout=5000):
        qtbot.mouseClick(dlg.ok_button, LEFT)
    qtbot.waitUntil(lambda: len(w.view.steps) == before + 1, timeout=5000)
    assert w.timeline.rowCount() == before + 1
    handed_over = any(st.kind == "transferred" for st in w.view.steps)
    assert set(w.action_buttons) == set(allowed_actions(w.view.status, extensions=w.view.extensions,
                                                        handed_over=handed_over))


def print_offered(qtbot, w: DossierWindow) -> bytes:
    assert w.offer_bar.isVisible()
    with qtbot.waitSignal(w.pdf_ready, timeout=10000) as sig:
        qtbot.mouseClick(w.offer_print_button, LEFT)
    w.preview.close()
    return sig.args[1]


def text_of(tmp_path, pdf: bytes, name: str) -> str:
    return squash(pdf_text(write_pdf(tmp_path, pdf, name), mode="raw"))


@needs_pdftotext
def test_walk_a_dossier_through_the_window(qtbot, office_db, clerk, code, tmp_path):
    w = open_window(qtbot, office_db, clerk, code)
    assert w.code_label.text() == code and w.status_chip.text() == "Mới tiếp nhận"
    assert "09 giờ 05 phút, ngày 19/11/2026" in w.due_label.text() and "Trong hạn" in w.due_label.text()
    assert w.fields["applicant_name"].text() == "Nguyễn Thị Hường" and w.fields["id_number"].text() == "079190012345"
    assert w.timeline.rowCount() == 1 and w.timeline.item(0, 1).text() == "Tiếp nhận"
    assert set(w.action_buttons) == set(allowed_actions("received"))

    def transfer(dlg):
        type_vi(dlg.to_name.lineEdit(), "Lê Văn Đức")
        type_vi(dlg.to_unit, "Tư pháp - Hộ tịch")
    do_step(qtbot, w, Action.TRANSFER, at(16, 10), transfer)
    assert w.view.status == "in_progress" and Action.BACK in w.action_buttons
    assert "Lê Văn Đức" in w.timeline.item(1, 3).text() and w.timeline.item(1, 1).text() == "Chuyển xử lý"

    def supplement(dlg):
        table = dlg.items_table
        assert table.rowCount() >= 1  # the dossier's papers are offered as suggestions
        first = table.item(0, table.NAME).text()
        table.set_needed(0)
        qtbot.mouseClick(table.add_button, LEFT)
        row = table.rowCount() - 1
        table.setItem(row, table.NAME, QTableWidgetItem("Bản sao Giấy chứng nhận kết hôn"))
        table.item(row, table.CERTIFIED).setCheckState(Qt.CheckState.Checked)
        type_vi(dlg.reason, "Giấy tờ bị mờ, cần bản chứng thực")
        supplement_items[:] = table.items()
        assert [i["name"] for i in supplement_items] == [first, "Bản sao Giấy chứng nhận kết hôn"]
    supplement_items = []
    do_step(qtbot, w, Action.SUPPLEMENT_REQUEST, at(18, 16), supplement)
    assert w.view.status == "supplement" and "Tạm dừng" in w.due_label.text()
    assert "Tạm dừng từ 16 giờ 00 phút, ngày 18/11/2026" in w.due_detail.text()
    assert "Bản sao Giấy chứng nhận kết hôn" in w.timeline.item(2, 3).text()
    text = text_of(tmp_path, print_offered(qtbot, w), "02.pdf")
    assert "PHIẾU YÊU CẦU BỔ SUNG" in text
    for item in supplement_items:
        assert item["name"] in text

    do_step(qtbot, w, Action.SUPPLEMENT_RECEIVED, at(23, 8), lambda dlg: None)
    # paused Wed 16:00 → Mon 08:00 = 18 working hours; the weekend does not count
    assert "11 giờ 05 phút, ngày 23/11/2026" in w.due_label.text()
    assert "18 giờ" in w.due_detail.text()

    w.db.clock = lambda: at(23, 9)
    qtbot.mouseClick(w.action_buttons[Action.EXTEND], LEFT)
    dlg = w.current_dialog
    qtbot.waitUntil(lambda: dlg.suggestion_loaded, timeout=5000)
    assert dlg.new_due.chosen() == at(27, 11, 5)
    dlg.close()

    def extend(dlg):
        qtbot.waitUntil(lambda: dlg.suggestion_loaded and dlg.signer_loaded, timeout=5000)
        type_vi(dlg.reason, "Chờ xác minh tại nơi cư trú trước đây")
        # signed by the office's leader, never by the clerk by default
        assert (dlg.signer_name.text(), dlg.signer_title.text()) == ("Phạm Quốc Hùng", "Phó Chủ tịch UBND xã")
    do_step(qtbot, w, Action.EXTEND, at(23, 9), extend)
    assert Action.EXTEND not in w.action_buttons  # once per dossier; only an administrator may extend again
    assert "11 giờ 05 phút, ngày 27/11/2026" in w.due_label.text()
    assert "Hạn theo quy định: 11 giờ 05 phút, ngày 23/11/2026" in w.due_detail.text()
    text = text_of(tmp_path, print_offered(qtbot, w), "04.pdf")
    assert "ngày 27 tháng 11 năm 2026" in text and "Chờ xác minh tại nơi cư trú trước đây" in text

    do_step(qtbot, w, Action.RESULT_READY, at(26, 10),
            lambda dlg: type_vi(dlg.result_note, "Trích lục kết hôn số 12/2026"))
    assert list(w.action_buttons) == allowed_actions("result_ready") and Action.RETURN in w.action_buttons
    # the result came after the statutory due (23/11 11:05): late, in red, never a green "Trong hạn"
    assert "Giải quyết trễ hạn" in w.due_label.text() and "#c62828" in w.due_label.text()

    def give_back(dlg):
        assert dlg.collected_by.text() == "Nguyễn Thị Hường"
        assert "Sổ theo dõi hồ sơ" in dlg.reminder.text()
        type_vi(dlg.id_shown, "079190012345")
    do_step(qtbot, w, Action.RETURN, at(26, 14), give_back)
    assert w.status_chip.text() == "Đã trả kết quả"
    assert Action.RETURN not in w.action_buttons
    assert [w.timeline.item(r, 1).text() for r in range(w.timeline.rowCount())] == [
        "Tiếp nhận", "Chuyển xử lý", "Yêu cầu bổ sung", "Nhận bổ sung", "Gia hạn", "Có kết quả", "Trả kết quả"]
    with pytest.raises(TransitionRefused, match="đã trả kết quả rồi"):
        office_db.clock = lambda: at(26, 15)
        lc.return_result(office_db, code, actor=clerk)

    kinds = [f.kind for f, _ in w.reprint_actions]
    assert kinds == [FormKind.RECEIPT, FormKind.CONTROL, FormKind.SUPPLEMENT, FormKind.APOLOGY]
    control = next(a for f, a in w.reprint_actions if f.kind == FormKind.CONTROL)
    with qtbot.waitSignal(w.pdf_ready, timeout=10000) as sig:
        control.trigger()
    w.preview.close()
    text = text_of(tmp_path, sig.args[1], "06.pdf")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Lê Văn Đức" in text and "Tư pháp - Hộ tịch" in text and "10 giờ 00 phút" in text


def test_cancel_needs_a_reason_and_records_nothing_without_one(qtbot, office_db, clerk, code):
    w = open_window(qtbot, office_db, clerk, code)
    office_db.clock = lambda: at(16, 9, 30)
    qtbot.mouseClick(w.action_buttons[Action.CANCEL], LEFT)
    dlg = w.current_dialog
    with qtbot.waitSignal(dlg.invalid, timeout=5000):
        qtbot.mouseClick(dlg.ok_button, LEFT)
    assert "xác nhận" in dlg.error_text("confirm")  # the confirmation box comes first
    qtbot.mouseClick(dlg.confirm, LEFT)
    assert dlg.confirm.isChecked()
    with qtbot.waitSignal(dlg.invalid, timeout=5000) as sig:
        qtbot.mouseClick(dlg.ok_button, LEFT)
    assert "reason" in sig.args[0]
    assert "lý do hủy" in dlg.error_text("reason") and dlg.isVisible()
    d = get_dossier(office_db, code)
    assert d.status == "received" and len(d.steps) == 1
    # the reason typed now is kept and the same dialog records the cancellation
    type_vi(dlg.reason, "Nhập trùng với hồ sơ trước")
    with qtbot.waitSignal(dlg.done, timeout=5000):
        qtbot.mouseClick(dlg.ok_button, LEFT)
    qtbot.waitUntil(lambda: w.view.status == "cancelled", timeout=5000)
    assert w.timeline.item(1, 1).text() == "Hủy" and "Nhập trùng với hồ sơ trước" in w.timeline.item(1, 3).text()


def test_a_step_refused_by_the_service_shows_why_in_a_message_box(qtbot, office_db, clerk, code):
    w = open_window(qtbot, office_db, clerk, code)
    office_db.clock = lambda: at(16, 9, 30)
    qtbot.mouseClick(w.action_buttons[Action.TRANSFER], LEFT)
    dlg = w.current_dialog
    type_vi(dlg.to_name.lineEdit(), "Lê Văn Đức")
    # meanwhile another window stops the dossier
    lc.stop(office_db, code, actor=clerk, reason="Công dân có đơn xin rút hồ sơ")
    with qtbot.waitSignal(dlg.refused, timeout=5000) as sig:
        qtbot.mouseClick(dlg.ok_button, LEFT)
    assert "đã dừng giải quyết" in sig.args[0]
    box = dlg.message_box
    assert box.isVisible() and "đã dừng giải quyết" in box.text()
    assert [b.text() for b in box.buttons()] == ["Đã hiểu"]
    qtbot.waitUntil(lambda: w.view.status == "stopped", timeout=5000)
    assert set(w.action_buttons) == {Action.CORRECT}
    box.close()


def test_correction_shows_old_and_new_in_the_timeline(qtbot, office_db, clerk, code):
    w = open_window(qtbot, office_db, clerk, code)

    def correct(dlg):
        assert dlg.edits["phone"].text() == "0912345678"
        dlg.edits["applicant_name"].clear()
        type_vi(dlg.edits["applicant_name"], "Nguyễn Thị Hương")
        type_vi(dlg.reason, "Gõ sai dấu")
    do_step(qtbot, w, Action.CORRECT, at(16, 9, 30), correct)
    assert w.fields["applicant_name"].text() == "Nguyễn Thị Hương"
    assert "“Nguyễn Thị Hường” → “Nguyễn Thị Hương”" in w.timeline.item(1, 3).text()


@needs_pdftotext
def test_hand_back_then_stop_prints_the_stop_notice(qtbot, office_db, clerk, code, tmp_path):
    w = open_window(qtbot, office_db, clerk, code)

    def transfer(dlg):
        type_vi(dlg.to_name.lineEdit(), "Lê Văn Đức")
        type_vi(dlg.to_unit, "Tư pháp - Hộ tịch")
    do_step(qtbot, w, Action.TRANSFER, at(16, 10), transfer)

    def back(dlg):
        assert dlg.from_name.text() == "Lê Văn Đức"  # the person holding the dossier gives it back
        type_vi(dlg.note, "Cần ý kiến lãnh đạo")
    do_step(qtbot, w, Action.BACK, at(16, 14), back)
    assert w.timeline.item(2, 1).text() == "Nhận lại" and "Cần ý kiến lãnh đạo" in w.timeline.item(2, 3).text()

    def stop(dlg):
        qtbot.waitUntil(lambda: dlg.signer_loaded, timeout=5000)
        type_vi(dlg.reason, "Công dân có đơn xin rút hồ sơ")
        assert dlg.signer_name.text() == "Phạm Quốc Hùng"
    do_step(qtbot, w, Action.STOP, at(16, 15), stop)
    assert w.status_chip.text() == "Dừng giải quyết"
    assert set(w.action_buttons) == {Action.CORRECT}
    text = text_of(tmp_path, print_offered(qtbot, w), "05.pdf")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Công dân có đơn xin rút hồ sơ" in text
    assert "Phạm Quốc Hùng" in text and code in text
