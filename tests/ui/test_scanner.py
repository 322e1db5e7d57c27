"""The barcode scanner listener: a fast burst is a scan (swallowed, reported), a person's typing is not."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from app.services.dossiers import DossierView
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from ui.scanner import ScannerListener, let_scans_through, open_scanned

RETURN = Qt.Key.Key_Return


@pytest.fixture
def code(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    form = ReceptionForm(procedure_code="1.004873", applicant_name="Nguyễn Thị Hường", phone="0912345678")
    return receive_dossier(office_db, form=form, clerk=clerk).code


@pytest.fixture
def setup(qtbot):
    """A window with a focused text field, and the listener installed on the application."""
    w = QWidget()
    lay = QVBoxLayout(w)
    field = QLineEdit()
    lay.addWidget(field)
    qtbot.addWidget(w)
    w.show()
    field.setFocus()
    listener = ScannerListener(w)
    scanned, garbage, entered = [], [], []
    listener.code_scanned.connect(scanned.append)
    listener.garbage_scanned.connect(lambda: garbage.append("?"))
    field.returnPressed.connect(lambda: entered.append(field.text()))
    yield listener, field, scanned, garbage, entered
    listener.uninstall()


def test_a_fast_burst_with_enter_is_a_scan_and_lands_nowhere(qtbot, setup, code):
    listener, field, scanned, garbage, entered = setup
    qtbot.keyClicks(field, code, delay=0)
    qtbot.keyClick(field, RETURN, delay=0)
    assert scanned == [code] and garbage == []
    assert field.text() == "" and entered == []
    qtbot.wait(150)  # nothing held back comes out later
    assert field.text() == "" and listener.pending() == 0


def test_a_burst_without_enter_ends_with_silence_and_a_stray_leading_enter_is_swallowed(qtbot, setup, code):
    listener, field, scanned, garbage, entered = setup
    with qtbot.waitSignal(listener.code_scanned, timeout=1000) as sig:
        qtbot.keyClicks(field, code, delay=0)
    assert sig.args == [code] and field.text() == ""
    qtbot.keyClick(field, RETURN, delay=0)
    qtbot.keyClicks(field, code, delay=0)
    qtbot.keyClick(field, RETURN, delay=0)
    assert scanned == [code, code]
    assert field.text() == "" and entered == []  # neither Enter reached the field


def test_a_real_scanner_pressing_shift_around_capitals_is_still_one_scan(qtbot, setup, code):
    listener, field, scanned, garbage, entered = setup
    shift = Qt.KeyboardModifier.ShiftModifier
    for ch in code:
        upper = ch.isalpha() and ch.isupper()
        if upper:
            QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, shift))
        key = Qt.Key(ord(ch.upper())) if ch.isalnum() else Qt.Key.Key_unknown
        mods = shift if upper else Qt.KeyboardModifier.NoModifier
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(field, QKeyEvent(kind, key, mods, ch))
        if upper:
            QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_Shift,
                                                    Qt.KeyboardModifier.NoModifier))
    qtbot.keyClick(field, RETURN, delay=0)
    assert scanned == [code] and field.text() == ""


def test_a_field_that_reads_scans_itself_gets_them_untouched(qtbot, setup, code):
    listener, field, scanned, garbage, entered = setup
    let_scans_through(field)
    qr = "079190012345||Nguyen Thi Huong|01011990|Nu|Thon Bau Sen|01012021"
    qtbot.keyClicks(field, qr, delay=0)
    qtbot.keyClick(field, RETURN, delay=0)
    assert entered == [qr] and scanned == [] and garbage == []


def test_disabled_listener_lets_everything_through_at_once(qtbot, setup, code):
    listener, field, scanned, garbage, entered = setup
    listener.set_enabled(False)
    qtbot.keyClicks(field, code, delay=0)
    assert field.text() == code and scanned == []


def test_a_person_typing_the_same_code_lands_in_the_field(qtbot, setup, code):
    listener, field, scanned, garbage, entered = setup
    qtbot.keyClicks(field, code, delay=60)
    qtbot.waitUntil(lambda: field.text() == code, timeout=5000)
    qtbot.keyClick(field, RETURN, delay=60)
    qtbot.waitUntil(lambda: entered == [code], timeout=1000)
    assert scanned == [] and garbage == []


def test_short_fast_input_and_shortcuts_pass_through(qtbot, setup):
    listener, field, scanned, garbage, entered = setup
    qtbot.keyClicks(field, "0912", delay=0)  # four quick keys: too short for a scan
    qtbot.waitUntil(lambda: field.text() == "0912", timeout=1000)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all: not held
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert field.text() == ""
    assert scanned == [] and garbage == []


def test_a_burst_that_is_not_a_dossier_code_is_garbage(qtbot, setup):
    listener, field, scanned, garbage, entered = setup
    qtbot.keyClicks(field, "8934567890123", delay=0)  # a product barcode
    qtbot.keyClick(field, RETURN, delay=0)
    assert garbage == ["?"] and scanned == []  # reported without its content: it may be personal data
    assert field.text() == ""


def test_the_receipt_qr_is_a_scan_of_its_code_and_a_card_qr_is_a_card(qtbot, setup, code):
    listener, field, scanned, garbage, entered = setup
    cards = []
    listener.card_scanned.connect(cards.append)
    qtbot.keyClicks(field, f"https://dichvucong.example.gov.vn/tra-cuu/{code}", delay=0)
    qtbot.keyClick(field, RETURN, delay=0)
    assert scanned == [code] and field.text() == ""
    card = "079190012345|025123456|Nguyễn Thị Hường|15081990|Nữ|Số 5, ấp Tân Lập, xã Tân Hưng|20042021"
    type_fast(field, card)  # Vietnamese letters: a card scan all the same, by its shape
    qtbot.keyClick(field, RETURN, delay=0)
    assert cards == [card] and field.text() == "" and garbage == [] and entered == []


def type_fast(widget, text: str) -> None:
    """Key events with text, as an input method commits Vietnamese letters (QTest knows only ASCII)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def test_fast_typing_that_is_no_scan_lands_in_the_field(qtbot, setup):
    """Fast typists and test robots: a quick burst without Enter that is no code, or with Vietnamese letters."""
    listener, field, scanned, garbage, entered = setup
    qtbot.keyClicks(field, "0912345678", delay=0)
    qtbot.waitUntil(lambda: field.text() == "0912345678", timeout=1000)
    field.clear()
    type_fast(field, "Nguyễn Thị Hường")
    qtbot.keyClick(field, RETURN, delay=0)
    assert entered == ["Nguyễn Thị Hường"] and field.text() == "Nguyễn Thị Hường"
    assert scanned == [] and garbage == []


def test_open_scanned_gives_the_dossier_or_a_sentence(office_db, code):
    view = open_scanned(office_db, code)
    assert isinstance(view, DossierView) and view.code == code
    missing = code[:-4] + "1999"
    assert open_scanned(office_db, missing) == f"Không tìm thấy hồ sơ có mã {missing}."
    assert open_scanned(office_db, "8934567890123") == "Mã vừa quét không phải là mã hồ sơ."
