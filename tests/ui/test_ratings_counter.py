"""Ratings at the counter: "Mời đánh giá" in the dossier window and after intake, what the clerk may see (that and
when a dossier was rated, never how), the ratings tab for a clerk and for a leader, the kiosk settings dialog."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.services import lifecycle as lc
from app.services.database import Database
from app.services.ratings import check_scanned, kiosk_device_in, new_rating_id, record_rating, record_reasons
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import read_settings, update_settings
from app.services.users import login
from db.models import RatingInvitation
from tests.conftest import admin_of
from tests.ui.keys import type_vi
from ui.counter_window import CounterWindow
from ui.dossier_window import DossierWindow
from ui.ratings_screen import RatingsScreen

LEFT = Qt.MouseButton.LeftButton
LEVEL_WORDS = ("Rất hài lòng", "Không hài lòng", "very_satisfied", "dissatisfied")


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def leader(office_db):
    return login(office_db, username="lanhdao", password="matkhau123")


def returned(db, clerk, name: str, *, days_ago: int = 0) -> str:
    at = db.clock() - timedelta(days=days_ago, hours=1)
    code = receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name=name, phone="0912345678",
                                                  received_at=at), clerk=clerk).code
    lc.result_ready(db, code, actor=clerk, at=at + timedelta(minutes=20))
    lc.return_result(db, code, actor=clerk, at=at + timedelta(minutes=30))
    return code


@pytest.fixture
def kiosk_db(office_db):
    kiosk_device_in(office_db)
    db = Database(office_db.path, device_kind="kiosk")
    yield db
    db.close()


def rate(kiosk_db, code: str, level: str, *, at, comment: str = "") -> None:
    kiosk_db.clock = lambda: at
    rid = record_rating(kiosk_db, check_scanned(kiosk_db, code).target, level, rating_id=new_rating_id(), scale=3)
    if comment:
        record_reasons(kiosk_db, code, rid, ["Chậm trễ"], comment)


def texts(widget) -> str:
    return "\n".join(lab.text() for lab in widget.findChildren(QLabel))


def test_the_dossier_window_invites_and_then_says_only_that_the_citizen_rated(qtbot, office_db, clerk, kiosk_db):
    code = returned(office_db, clerk, "Nguyễn Thị Hường")
    w = DossierWindow(office_db, clerk, code)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.rating is not None and w.rating_box.isVisible(), timeout=5000)
    assert "Chưa mời đánh giá" in w.rating_label.text()
    qtbot.mouseClick(w.rating_invite_button, LEFT)
    qtbot.waitUntil(lambda: "Đã mời lúc 09:05" in w.rating_label.text(), timeout=5000)
    with office_db.reading() as s:
        inv = s.scalar(select(RatingInvitation))
    assert (inv.code, inv.counter_slot, inv.clerk_id, inv.state) == (code, 1, clerk.id, "open")
    assert w.rating_withdraw_button.isVisible()

    kiosk_db.clock = office_db.clock
    from app.services.ratings import open_invitation

    record_rating(kiosk_db, open_invitation(kiosk_db, 1), "dissatisfied", rating_id=new_rating_id(), scale=3)
    w.refresh_rating()
    qtbot.waitUntil(lambda: "Công dân đã đánh giá lúc 09:05" in w.rating_label.text(), timeout=5000)
    assert not w.rating_invite_button.isVisible()
    shown = texts(w)
    assert not any(word in shown for word in LEVEL_WORDS), shown


def test_a_dossier_in_progress_offers_no_invitation_unless_the_office_rates_intake(qtbot, office_db, clerk):
    code = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Hồ Văn Nam",
                                                         phone="0987654321"), clerk=clerk).code
    w = DossierWindow(office_db, clerk, code)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.rating is not None, timeout=5000)
    assert not w.rating_box.isVisible()
    update_settings(office_db, {"rating_after": "intake"}, actor_id=admin_of(office_db).id)
    w.reload()
    qtbot.waitUntil(lambda: w.rating_box.isVisible(), timeout=5000)
    assert w.rating_invite_button.isEnabled()


def test_after_intake_the_counter_offers_the_invitation_for_the_dossier_just_received(qtbot, office_db, clerk):
    update_settings(office_db, {"rating_after": "intake"}, actor_id=admin_of(office_db).id)
    window = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(window)
    window.show()
    form = window.reception
    code = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Hồ Văn Nam",
                                                         phone="0987654321"), clerk=clerk).code
    form.dossier_saved.emit(code)  # as the form does once the dossier is in the book
    assert window.intake_invite_bar.isVisible() and code in window.intake_invite_label.text()
    qtbot.mouseClick(window.intake_invite_button, LEFT)
    qtbot.waitUntil(lambda: "Đã mời đánh giá" in window.intake_invite_label.text(), timeout=5000)
    with office_db.reading() as s:
        assert s.scalar(select(RatingInvitation.stage)) == "intake"


def _ratings_history(office_db, clerk, kiosk_db):
    """Three ratings last week and one today."""
    now = office_db.clock()
    a, b, c, d = (returned(office_db, clerk, n, days_ago=k) for n, k in
                  (("Lê Thị An", 7), ("Võ Văn Bình", 6), ("Phan Thị Cúc", 5), ("Đỗ Văn Dũng", 0)))
    rate(kiosk_db, a, "very_satisfied", at=now - timedelta(days=7))
    rate(kiosk_db, b, "satisfied", at=now - timedelta(days=6))
    rate(kiosk_db, c, "dissatisfied", at=now - timedelta(days=5), comment="Phải chờ lâu")
    rate(kiosk_db, d, "dissatisfied", at=now)


def test_a_clerks_ratings_tab_shows_office_figures_up_to_yesterday_and_nobodys_ratings(qtbot, office_db, clerk,
                                                                                     kiosk_db):
    _ratings_history(office_db, clerk, kiosk_db)
    screen = RatingsScreen(office_db, clerk)
    qtbot.addWidget(screen)
    screen.show()
    screen.set_period("month", 2026, 11)
    with qtbot.waitSignal(screen.computed, timeout=5000) as got:
        qtbot.mouseClick(screen.show_button, LEFT)
    report = got.args[0]
    assert (report.total, report.satisfied, report.percent) == (3, 2, 66.7)  # today's rating is not shown
    assert "hôm qua" in screen.note.text()
    assert screen.percent_label.text() == "66,7%"
    tabs = [screen.tabs.tabText(i) for i in range(screen.tabs.count())]
    assert "Cán bộ" not in tabs and "Góp ý" not in tabs
    assert "Trần Thị Mai" not in texts(screen) and "Phải chờ lâu" not in texts(screen)
    assert "chưa đạt" in screen.targets.text()


def test_a_leader_sees_per_clerk_figures_comments_and_today(qtbot, office_db, clerk, leader, kiosk_db):
    _ratings_history(office_db, clerk, kiosk_db)
    screen = RatingsScreen(office_db, leader)
    qtbot.addWidget(screen)
    screen.show()
    screen.set_period("month", 2026, 11)
    with qtbot.waitSignal(screen.computed, timeout=5000) as got:
        qtbot.mouseClick(screen.show_button, LEFT)
    report = got.args[0]
    assert (report.total, report.percent) == (4, 50.0)
    tabs = [screen.tabs.tabText(i) for i in range(screen.tabs.count())]
    assert "Cán bộ" in tabs and "Góp ý" in tabs
    assert screen.clerk_table.item(0, 0).text() == "Trần Thị Mai" and screen.clerk_table.item(0, 3).text() == "50,0%"
    assert screen.comment_table.item(0, 0).text().startswith("“Phải chờ lâu”\n09:05 11/11/2026 · Không hài lòng (Chậm trễ) · Chứng thực")
    assert screen.reason_table.item(0, 0).text() == "Chậm trễ"
    with qtbot.waitSignal(screen.pdf_ready, timeout=10000) as pdf:
        qtbot.mouseClick(screen.pdf_button, LEFT)
    assert pdf.args[0].startswith(b"%PDF")
    screen.preview.close()


def test_the_kiosk_settings_dialog_saves_scale_reasons_and_a_hashed_pin(qtbot, office_db, leader):
    from ui.kiosk_settings_dialog import KioskSettingsDialog

    dlg = KioskSettingsDialog(office_db, leader)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.scale.setCurrentIndex(dlg.scale.findData(5))
    dlg.reasons.setPlainText("Chậm trễ\nThái độ chưa tốt\n")
    type_vi(dlg.pin, "1357")
    type_vi(dlg.pin_again, "1358")
    qtbot.mouseClick(dlg.save_button, LEFT)
    assert "không giống nhau" in dlg.error.text()
    dlg.pin_again.clear()
    type_vi(dlg.pin_again, "1357")
    qtbot.mouseClick(dlg.save_button, LEFT)
    qtbot.waitUntil(lambda: dlg.saved is not None, timeout=5000)
    st = read_settings(office_db)
    assert (st.rating_scale, st.rating_reasons) == (5, ["Chậm trễ", "Thái độ chưa tốt"])
    assert st.kiosk_pin.startswith("$argon2") and "1357" not in st.kiosk_pin


def test_ratings_of_yesterday_and_before_are_in_the_clerks_report(office_db, clerk, kiosk_db):
    from app.services.rating_report import compute_ratings

    _ratings_history(office_db, clerk, kiosk_db)
    today = office_db.clock().date()
    r = compute_ratings(office_db, today, today, per_clerk=False, until_yesterday=True)
    assert r.total == 0 and r.by_clerk == () and r.comments == ()
    r = compute_ratings(office_db, date(2026, 11, 1), today, per_clerk=True)
    assert r.total == 4 and r.comments[0].comment == "Phải chờ lâu" and r.comments[0].clerk == "Trần Thị Mai"
