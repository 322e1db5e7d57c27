"""The rating kiosk as a citizen and staff use it: mouse clicks on its screens, a scanner typing the receipt's
code, the counter's invitation; what is stored (events, rows) and what the report then says."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea
from sqlalchemy import select

from app.services import lifecycle as lc
from app.services.rating_report import compute_ratings
from app.services.ratings import invite
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import update_settings
from app.services.users import login
from db.models import Event, Rating, RatingInvitation
from tests.conftest import admin_of
from tests.ui.keys import type_vi
from ui.kiosk_app import open_kiosk_database
from ui.kiosk_pages import TARGET_MM, mm_to_px
from ui.kiosk_window import SCREENS, KioskWindow

LEFT = Qt.MouseButton.LeftButton
GUARD_MS = 500  # a tap sooner than this after a screen appears is taken for the second tap of a double tap
PIN = "2468"


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


def returned(db, clerk, name: str) -> str:
    at = db.clock() - timedelta(hours=1)
    code = receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name=name, phone="0912345678",
                                                  received_at=at), clerk=clerk).code
    lc.result_ready(db, code, actor=clerk, at=at + timedelta(minutes=20))
    lc.return_result(db, code, actor=clerk, at=at + timedelta(minutes=30))
    return code


@pytest.fixture
def codes(office_db, clerk):
    return [returned(office_db, clerk, n) for n in ("Nguyễn Thị Hường", "Lê Văn Tám", "Trần Thị Bích")]


@pytest.fixture
def kiosk(qtbot, office_db, codes):
    update_settings(office_db, {"kiosk_pin": PIN, "kiosk_pin_tries": "3"}, actor_id=admin_of(office_db).id)
    db = open_kiosk_database(office_db.path)
    db.clock = office_db.clock
    w = KioskWindow(db, windowed=True)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitUntil(lambda: w.screen_name == "welcome")
    yield w
    w.allow_close = True
    w.shutdown()
    db.close()


def scan(w: KioskWindow, text: str) -> None:
    """A keyboard-wedge scanner: the code typed in a burst, then Enter."""
    type_vi(w, text + "\n")


def on(qtbot, w: KioskWindow, screen: str) -> None:
    qtbot.waitUntil(lambda: w.screen_name == screen, timeout=5000)
    qtbot.wait(GUARD_MS)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, LEFT)


def ratings(db) -> list[Rating]:
    with db.reading() as s:
        return list(s.scalars(select(Rating).order_by(Rating.rated_at)))


def events(db, type_: str) -> list[Event]:
    with db.reading() as s:
        return list(s.scalars(select(Event).where(Event.type == type_)))


def test_a_scanned_receipt_and_a_tap_on_a_face_store_one_rating_and_say_thanks(qtbot, kiosk, office_db, codes, clerk):
    scan(kiosk, codes[0])
    on(qtbot, kiosk, "faces")
    assert codes[0] in kiosk.faces.dossier.text()
    assert kiosk.faces.procedure.text().startswith("Chứng thực bản sao")
    assert list(kiosk.faces.faces) == ["very_satisfied", "satisfied", "dissatisfied"]
    with qtbot.waitSignal(kiosk.rating_stored, timeout=5000):
        tap(qtbot, kiosk.faces.faces["very_satisfied"])
    assert kiosk.screen_name == "thanks"
    [r] = ratings(office_db)
    assert (r.code, r.level, r.counted, r.via, r.clerk_id) == (codes[0], "very_satisfied", True, "scan", clerk.id)
    [e] = events(office_db, "rating.submitted")
    assert e.device_id == kiosk.db.device.device_id and e.actor_id is None  # the kiosk wrote it, nobody signed it


def test_the_counters_invitation_shows_the_dossier_without_a_scan(qtbot, kiosk, office_db, codes, clerk):
    invite(office_db, codes[1], clerk=clerk)
    qtbot.waitUntil(lambda: kiosk.screen_name == "faces", timeout=3000)
    assert codes[1] in kiosk.faces.dossier.text()
    assert not kiosk.idle.isActive()  # the invitation waits for its citizen
    qtbot.wait(GUARD_MS)
    with qtbot.waitSignal(kiosk.rating_stored, timeout=5000):
        tap(qtbot, kiosk.faces.faces["satisfied"])
    [r] = ratings(office_db)
    assert (r.via, r.clerk_id, r.level) == ("invitation", clerk.id, "satisfied")
    with office_db.reading() as s:
        assert s.scalar(select(RatingInvitation.state)) == "rated"


def test_a_low_score_takes_reasons_and_a_comment_typed_with_vietnamese_tones(qtbot, kiosk, office_db, codes):
    scan(kiosk, codes[0])
    on(qtbot, kiosk, "faces")
    with qtbot.waitSignal(kiosk.rating_stored, timeout=5000):
        tap(qtbot, kiosk.faces.faces["dissatisfied"])
    on(qtbot, kiosk, "reasons")
    tap(qtbot, kiosk.reasons.tag_buttons["Chậm trễ"])
    tap(qtbot, kiosk.reasons.tag_buttons["Phải đi lại nhiều lần"])
    tap(qtbot, kiosk.reasons.write_button)
    on(qtbot, kiosk, "comment")
    keys = kiosk.comment_page.keyboard.keys
    for key in ("shift", "c", "h", "ơ", "huyen", "space", "l", "â", "u", "space", "q", "u", "a", "sac"):
        tap(qtbot, keys[key])
    assert kiosk.comment_page.keyboard.text() == "Chờ lâu quá"
    assert "Chờ lâu quá" in kiosk.comment_page.display.text()
    tap(qtbot, kiosk.comment_page.done_button)
    on(qtbot, kiosk, "reasons")
    assert "Chờ lâu quá" in kiosk.reasons.write_button.text()
    tap(qtbot, kiosk.reasons.send_button)
    qtbot.waitUntil(lambda: len(events(office_db, "rating.reasons_given")) == 1, timeout=5000)
    [r] = ratings(office_db)
    assert (r.level, r.satisfied, r.reasons, r.comment) == (
        "dissatisfied", False, ["Chậm trễ", "Phải đi lại nhiều lần"], "Chờ lâu quá")
    assert kiosk.screen_name == "thanks"


def test_idle_timeout_goes_back_to_welcome_and_drops_what_was_not_confirmed(qtbot, kiosk, office_db, codes):
    kiosk.idle.setInterval(400)
    scan(kiosk, codes[0])
    qtbot.waitUntil(lambda: kiosk.screen_name == "faces", timeout=5000)
    qtbot.waitUntil(lambda: kiosk.screen_name == "welcome", timeout=3000)  # nobody chose
    assert ratings(office_db) == []
    # a low score is stored when tapped; the reasons still being chosen are dropped by the timeout
    kiosk.idle.setInterval(1500)
    scan(kiosk, codes[1])
    on(qtbot, kiosk, "faces")
    tap(qtbot, kiosk.faces.faces["dissatisfied"])
    on(qtbot, kiosk, "reasons")
    tap(qtbot, kiosk.reasons.tag_buttons["Thái độ chưa tốt"])
    qtbot.waitUntil(lambda: kiosk.screen_name == "welcome", timeout=4000)
    [r] = ratings(office_db)
    assert (r.level, r.reasons) == ("dissatisfied", [])
    assert events(office_db, "rating.reasons_given") == []


def test_an_untouched_invitation_that_times_out_is_closed_and_does_not_come_back(qtbot, kiosk, office_db, codes, clerk):
    kiosk.idle.setInterval(300)
    invite(office_db, codes[2], clerk=clerk)
    qtbot.waitUntil(lambda: kiosk.screen_name == "faces", timeout=3000)
    qtbot.mouseClick(kiosk.faces.dossier, LEFT)  # the citizen touched the screen, then walked away
    qtbot.waitUntil(lambda: kiosk.screen_name == "welcome", timeout=3000)
    qtbot.waitUntil(lambda: len(events(office_db, "rating.invitation_closed")) == 1, timeout=3000)
    qtbot.wait(1200)  # the change journal is read again: the closed invitation stays away
    assert kiosk.screen_name == "welcome"
    with office_db.reading() as s:
        assert s.scalar(select(RatingInvitation.state)) == "timeout"


def test_a_double_tap_counts_once_and_its_second_tap_does_not_press_the_next_screen(qtbot, kiosk, office_db, codes):
    scan(kiosk, codes[0])
    on(qtbot, kiosk, "faces")
    face = kiosk.faces.faces["dissatisfied"]
    QTest.mouseDClick(face, LEFT)
    tap(qtbot, face)
    qtbot.waitUntil(lambda: len(ratings(office_db)) == 1, timeout=5000)
    assert kiosk.screen_name == "reasons"
    # the second tap landed where a reason is now: it selected nothing
    pos = face.mapTo(kiosk, face.rect().center())
    target = kiosk.childAt(pos)
    QTest.mouseClick(target, LEFT)
    assert kiosk.reasons.selected() == []
    qtbot.wait(300)
    assert len(events(office_db, "rating.submitted")) == 1


def test_an_already_rated_dossier_is_told_when_and_an_unknown_code_is_refused(qtbot, kiosk, office_db, codes):
    scan(kiosk, codes[0])
    on(qtbot, kiosk, "faces")
    with qtbot.waitSignal(kiosk.rating_stored, timeout=5000):
        tap(qtbot, kiosk.faces.faces["satisfied"])
    qtbot.wait(GUARD_MS)
    scan(kiosk, codes[0])
    qtbot.waitUntil(lambda: kiosk.screen_name == "message", timeout=5000)
    assert "đã được đánh giá lúc 09:05 ngày 16/11/2026" in kiosk.message.text.text()
    qtbot.wait(GUARD_MS)
    tap(qtbot, kiosk.message.back_button)
    qtbot.waitUntil(lambda: kiosk.screen_name == "welcome")
    scan(kiosk, "000.17.22.H56-261116-1999")
    qtbot.waitUntil(lambda: kiosk.screen_name == "message", timeout=5000)
    assert "Không tìm thấy hồ sơ có mã 000.17.22.H56-261116-1999" in kiosk.message.text.text()
    assert len(ratings(office_db)) == 1


def _enter(qtbot, w: KioskWindow, digits: str) -> None:
    for d in digits:
        tap(qtbot, w.pin.keys[d])
    tap(qtbot, w.pin.keys["ok"])


def test_leaving_needs_the_staff_pin_and_wrong_pins_lock_the_pad(qtbot, kiosk, caplog):
    # every way out leads to the PIN pad
    kiosk.close()
    assert kiosk.isVisible() and kiosk.screen_name == "pin"
    tap(qtbot, kiosk.pin.cancel_button)
    QTest.keyClick(kiosk, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert kiosk.screen_name == "pin"
    kiosk.show_welcome()
    QTest.keyClick(kiosk, Qt.Key.Key_Escape)
    on(qtbot, kiosk, "pin")
    # wrong, wrong, wrong: locked (kiosk_pin_tries = 3)
    _enter(qtbot, kiosk, "1111")
    qtbot.waitUntil(lambda: "Còn 2 lần thử" in kiosk.pin.error.text(), timeout=5000)
    _enter(qtbot, kiosk, "2222")
    qtbot.waitUntil(lambda: "Còn 1 lần thử" in kiosk.pin.error.text(), timeout=5000)
    _enter(qtbot, kiosk, "3333")
    qtbot.waitUntil(lambda: "Thử lại sau 5:00" in kiosk.pin.error.text(), timeout=5000)
    assert not kiosk.pin.keys["2"].isEnabled()
    _enter(qtbot, kiosk, PIN)  # the right PIN while locked does nothing
    qtbot.wait(300)
    assert kiosk.screen_name == "pin"
    assert "sai mã PIN cán bộ (lần 3/3" in caplog.text and "khóa nhập mã PIN 5 phút" in caplog.text
    assert PIN not in caplog.text and "1111" not in caplog.text
    # pulling the plug does not open the pad: a kiosk started again on the file is still locked
    again = KioskWindow(kiosk.db, windowed=True)
    qtbot.addWidget(again)
    assert 290 < again.guard.locked_for() <= 300
    again.allow_close = True
    again.shutdown()
    # the lock-out ends; the right PIN opens the staff screen, from which staff quit
    kiosk.guard.locked_until = 0
    qtbot.waitUntil(lambda: kiosk.pin.keys["2"].isEnabled(), timeout=3000)
    _enter(qtbot, kiosk, PIN)
    on(qtbot, kiosk, "staff")
    tap(qtbot, kiosk.staff.quit_button)
    assert not kiosk.isVisible()


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
@pytest.mark.parametrize("scale", [3, 5])
def test_every_screen_fits_without_scrolling_and_every_target_is_at_least_15_mm(qtbot, kiosk, office_db, size,
                                                                                 scale):
    if scale == 5:
        update_settings(office_db, {"rating_scale": "5", "rating_reasons": ";".join(
            ("Chậm trễ", "Hướng dẫn không rõ", "Thái độ chưa tốt", "Phải đi lại nhiều lần", "Chờ đợi lâu",
             "Thủ tục phức tạp", "Phí, lệ phí chưa rõ ràng", "Nơi chờ chưa thuận tiện"))}, actor_id=admin_of(office_db).id)
        qtbot.waitUntil(lambda: kiosk.config.scale == 5, timeout=3000)
    kiosk.reasons.set_reasons(kiosk.config.reasons)
    # the longest things the screens show
    kiosk.reasons.set_comment("Phải chờ lâu quá, cán bộ hướng dẫn chưa rõ ràng")
    kiosk.comment_page.start("Phải chờ lâu quá, cán bộ hướng dẫn chưa rõ ràng, mong được cải thiện sớm")
    kiosk.faces.set_target("000.17.22.H56-261116-1001", "Đăng ký đất đai, tài sản khác gắn liền với đất, cấp "
                                                        "Giấy chứng nhận quyền sử dụng đất lần đầu")
    kiosk.message.set_message("Hồ sơ 000.17.22.H56-261116-1001 đã được đánh giá lúc 09:05 ngày 16/11/2026. "
                              "Mỗi hồ sơ được đánh giá một lần. Cảm ơn ông/bà!")
    kiosk.pin.reset("Nhập sai nhiều lần. Thử lại sau 4:59.")
    kiosk.resize(*size)
    kiosk.faces.set_levels(kiosk.config.levels)
    assert not kiosk.findChildren(QScrollArea)
    dpi = kiosk.screen().physicalDotsPerInch()
    smallest = max(mm_to_px(TARGET_MM, dpi if 60 <= dpi <= 400 else 96), 1)
    for name in SCREENS:
        kiosk.stack.setCurrentWidget(kiosk.pages[name])
        qtbot.wait(30)
        page = kiosk.pages[name]
        hint = page.minimumSizeHint()
        assert hint.width() <= size[0] and hint.height() <= size[1], (name, hint)
        for b in page.touch_targets():
            r = b.rect().translated(b.mapTo(kiosk, b.rect().topLeft()))
            assert kiosk.rect().contains(r), (name, b.text(), r)
            assert b.width() >= smallest and b.height() >= smallest, (name, b.text(), b.size())
            assert b.height() >= kiosk.pages["welcome"].metrics.target - 1, (name, b.text(), b.size())
    assert len(kiosk.reasons.tag_buttons) == (8 if scale == 5 else 6)


def test_the_report_counts_what_the_kiosk_stored(qtbot, kiosk, office_db, codes, clerk):
    for code, face in zip(codes, ("very_satisfied", "satisfied", "dissatisfied"), strict=True):
        kiosk.show_welcome()
        scan(kiosk, code)
        on(qtbot, kiosk, "faces")
        with qtbot.waitSignal(kiosk.rating_stored, timeout=5000):
            tap(qtbot, kiosk.faces.faces[face])
    report = compute_ratings(office_db, date(2026, 11, 1), date(2026, 11, 30))
    assert (report.total, report.satisfied, report.percent) == (3, 2, 66.7)
    assert dict(report.by_level) == {"very_satisfied": 1, "satisfied": 1, "dissatisfied": 1}
    assert [(g.label, g.total, g.percent) for g in report.by_clerk] == [("Trần Thị Mai", 3, 66.7)]
    assert [(g.label, g.total) for g in report.by_field] == [("Chứng thực", 3)]


def test_a_second_screen_kiosk_registers_itself_once_and_counter_picks_the_kiosk_of_that_counter(office_db):
    first = open_kiosk_database(office_db.path)
    again = open_kiosk_database(office_db.path)
    second = open_kiosk_database(office_db.path, counter_slot=2)
    try:
        assert first.device.device_id == again.device.device_id and first.device.slot == 1
        assert second.device.slot == 2 and second.device.device_id != first.device.device_id
        assert len(events(office_db, "device.registered")) == 3  # the counter and two kiosks, each once
    finally:
        for db in (first, again, second):
            db.close()
