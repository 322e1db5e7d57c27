"""Operations as people meet them in the windows: the first-run set-up window, the administration window
(settings, users, calendar, backups) for an administrator only, the daily backup while the counter works and
its restore, the audit trail of a view and a print, and the dialog an unexpected error shows."""

from __future__ import annotations

import logging
import sqlite3
from datetime import date, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtPrintSupport import QPrinter

from app.domain.calendar import TZ
from app.services import audit, backups
from app.services.access import Forbidden
from app.services.database import Database
from app.services.device_settings import read_device_settings, update_device_settings
from app.services.forms import FormKind
from app.services.maintenance import restore
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import read_settings
from app.services.setup import is_configured
from app.services.users import list_accounts, login
from tests.conftest import make_office
from tests.ui.keys import type_vi
from ui.admin_window import AdminWindow, PasswordDialog
from ui.counter_window import CounterWindow
from ui.dossier_window import DossierWindow
from ui.setup_window import SetupWindow

LEFT = Qt.MouseButton.LeftButton
NOW = datetime(2026, 11, 16, 9, 5, tzinfo=TZ)


@pytest.fixture
def office(tmp_path):
    db = make_office(tmp_path / "xa.sqlite", now=NOW, admin=True)
    yield db
    db.close()


@pytest.fixture
def admin(office):
    return login(office, username="quantri", password="matkhau-quantri")


@pytest.fixture
def clerk(office):
    return login(office, username="canbo1", password="matkhau123")


def _menu_texts(window) -> list[str]:
    return [a.text() for m in window.menuBar().actions() for a in m.menu().actions()]


# --- first run ----------------------------------------------------------------------------------------------


def test_the_setup_window_checks_every_field_then_sets_up_the_office(qtbot, tmp_path):
    path = tmp_path / "may-moi" / "motcua.sqlite"
    w = SetupWindow(path)
    qtbot.addWidget(w)
    w.show()
    qtbot.mouseClick(w.create_button, LEFT)
    assert w.errors["agency_code"].isVisible() and w.errors["admin"].isVisible()
    assert not path.exists()  # nothing is written while a field is wrong
    type_vi(w.edits["agency_code"], "abc")
    assert "QCVN 102:2016" in w.errors["agency_code"].text()
    w.edits["agency_code"].clear()
    type_vi(w.edits["agency_code"], "000.17.22.h56")
    assert not w.errors["agency_code"].isVisible()
    type_vi(w.edits["place_name"], "Tân Hưng")
    assert w.edits["center_name"].text() == "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    type_vi(w.edits["province_name"], "tỉnh Đồng Nai")
    type_vi(w.edits["contact_phone"], "0251 3861 234")
    w.afternoon[1].setTime(w.afternoon[1].time().addSecs(-30 * 60))  # the office closes at 16:30
    w.slot.setValue(2)
    type_vi(w.admin_name, "Võ Minh Tâm")
    type_vi(w.password, "mat-khau-1")
    type_vi(w.password2, "mat-khau-2")
    qtbot.mouseClick(w.create_button, LEFT)
    assert "không giống nhau" in w.errors["admin"].text() and not path.exists()
    w.password2.clear()
    type_vi(w.password2, "mat-khau-1")
    with qtbot.waitSignal(w.accepted, timeout=20000):
        qtbot.mouseClick(w.create_button, LEFT)
    assert w.username == "quantri"
    db = Database(path)
    try:
        assert is_configured(db) and db.device.slot == 2 and db.device.name == "Quầy 2"
        s = read_settings(db)
        assert (s.agency_code, s.place_name, s.office_hours["afternoon"]) == ("000.17.22.H56", "Tân Hưng",
                                                                             ["13:30", "16:30"])
        assert login(db, username="quantri", password="mat-khau-1").role == "admin"
    finally:
        db.close()


def test_the_setup_window_enrols_the_pc_with_the_provinces_server(qtbot, tmp_path):
    from app.sync.server import service
    from tests.sync.helpers import Province

    province = Province(str(tmp_path / "tinh.sqlite"), tmp_path)
    try:
        province.commune("000.17.22.H56", "xã Tân Hưng")
        code = service.enrol_code(province.db, agency_code="000.17.22.H56", kind="counter", slot=4)
        path = tmp_path / "quay4.sqlite"
        w = SetupWindow(path, client=province.client)
        qtbot.addWidget(w)
        w.show()
        w.tabs.setCurrentIndex(1)
        assert w.create_button.text() == "Kết nối"
        type_vi(w.server, "http://tinh.test")
        type_vi(w.code, "SAI-MA-XXXX")
        qtbot.mouseClick(w.create_button, LEFT)
        qtbot.waitUntil(lambda: not w.busy, timeout=10000)
        assert w.status.text() and not path.exists()  # a refused code leaves no file behind
        w.code.clear()
        type_vi(w.code, code)
        with qtbot.waitSignal(w.accepted, timeout=20000):
            qtbot.mouseClick(w.create_button, LEFT)
        db = Database(path)
        try:
            assert db.device.slot == 4 and read_settings(db).commune_name == "xã Tân Hưng"
        finally:
            db.close()
    finally:
        province.close()


# --- who may administer -----------------------------------------------------------------------------------------


def test_a_clerk_cannot_open_settings_or_the_audit_and_the_services_refuse(qtbot, office, clerk):
    w = CounterWindow(office, clerk, scanner=False)
    qtbot.addWidget(w)
    texts = _menu_texts(w)
    assert "Quản trị hệ thống…" not in texts and "Nhật ký truy cập và thay đổi…" not in texts
    assert "Đổi mật khẩu…" in texts and w.backup_notice is None
    with pytest.raises(Forbidden):
        AdminWindow(office, clerk)
    with pytest.raises(Forbidden):
        audit.trail(office, clerk, date_from=date(2026, 11, 16), date_to=date(2026, 11, 16))


def test_a_leader_reads_the_audit_but_gets_no_administration(qtbot, office):
    leader = login(office, username="lanhdao", password="matkhau123")
    w = CounterWindow(office, leader, scanner=False)
    qtbot.addWidget(w)
    texts = _menu_texts(w)
    assert "Nhật ký truy cập và thay đổi…" in texts and "Quản trị hệ thống…" not in texts
    dlg = w.open_audit()
    qtbot.waitUntil(lambda: not dlg.panel.loading, timeout=10000)


def test_an_administrator_changes_settings_accounts_and_days_and_each_is_an_event(qtbot, office, admin):
    w = AdminWindow(office, admin)
    qtbot.addWidget(w)
    w.show()
    page = w.page("office")
    qtbot.waitUntil(lambda: page.settings is not None, timeout=10000)
    page.edits["contact_phone"].setText("0251 3861 999")
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: "Đã lưu" in page.message.text(), timeout=10000)
    assert read_settings(office).contact_phone == "0251 3861 999"

    w.show_page("print")
    prints = w.page("print")
    qtbot.waitUntil(lambda: prints.loaded_values is not None, timeout=10000)
    prints.paper.setCurrentText("A5")
    qtbot.mouseClick(prints.save_button, LEFT)
    qtbot.waitUntil(lambda: "Đã lưu" in prints.message.text(), timeout=10000)
    assert read_settings(office).paper_size == "A5"

    w.show_page("users")
    users = w.page("users")
    qtbot.waitUntil(lambda: bool(users.accounts), timeout=10000)
    users.add()
    dlg = users.dialog
    type_vi(dlg.username, "canbo2")
    type_vi(dlg.full_name, "Lê Thị Hoa")
    type_vi(dlg.password, "matkhau-hoa")
    type_vi(dlg.password2, "matkhau-hoa")
    dlg.accept()
    qtbot.waitUntil(lambda: any(u.username == "canbo2" for u in users.accounts), timeout=10000)
    users.table.selectRow(next(i for i, u in enumerate(users.accounts) if u.username == "canbo2"))
    users.set_active(False)
    qtbot.waitUntil(lambda: any(u.username == "canbo2" and not u.active for u in users.accounts), timeout=10000)

    w.show_page("calendar")
    cal = w.page("calendar")
    qtbot.waitUntil(lambda: cal.table.rowCount() > 0, timeout=10000)
    cal.day.setDate(QDate(2026, 12, 24))
    type_vi(cal.reason, "Nghỉ theo Quyết định của UBND tỉnh")
    qtbot.mouseClick(cal.add_button, LEFT)
    qtbot.waitUntil(lambda: any(cal.table.item(r, 0).text() == "24/12/2026" and "đơn vị" in cal.table.item(r, 4).text()
                                for r in range(cal.table.rowCount())), timeout=10000)

    w.show_page("audit")
    qtbot.waitUntil(lambda: not w.audit.loading and bool(w.audit.lines), timeout=10000)
    actions = {x.action for x in w.audit.lines}
    assert {"Đổi thiết lập đơn vị", "Tạo tài khoản", "Sửa tài khoản", "Lịch làm việc: ngày nghỉ"} <= actions
    assert w.audit.table.editTriggers() == w.audit.table.EditTrigger.NoEditTriggers


def test_someone_changes_their_own_password_in_a_dialog(qtbot, office, clerk):
    dlg = PasswordDialog(office, clerk)
    qtbot.addWidget(dlg)
    dlg.show()
    type_vi(dlg.old, "sai")
    type_vi(dlg.new, "moi-123456")
    type_vi(dlg.again, "moi-123456")
    dlg.submit()
    qtbot.waitUntil(lambda: "không đúng" in dlg.error.text(), timeout=10000)
    dlg.old.clear()
    type_vi(dlg.old, "matkhau123")
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.submit()
    assert login(office, username="canbo1", password="moi-123456").id == clerk.id


# --- backups ------------------------------------------------------------------------------------------------------


def _dump(path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_the_counter_backs_up_on_its_own_while_working_and_the_backup_restores_the_same_data(qtbot, office, admin,
                                                                                         clerk, tmp_path):
    usb = tmp_path / "usb"
    update_device_settings(office, {"backup_dir": str(usb)}, actor_id=admin.id)
    receive_dossier(office, form=ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam",
                                               phone="0901234567"), clerk=clerk)
    office.clock = lambda: datetime(2026, 11, 16, 12, 0, tzinfo=TZ)  # past the backup time, none made yet
    w = CounterWindow(office, admin, scanner=False)
    qtbot.addWidget(w)
    w.show()
    with office.reading() as s:
        s.connection().exec_driver_sql("PRAGMA wal_checkpoint")
    original = _dump(office.path)
    with qtbot.waitSignal(w.backups.done, timeout=20000) as done:
        w.backups.check()  # what the timer does every ten minutes
    made = done.args[0].path
    assert made.parent == usb and made.exists()
    qtbot.waitUntil(lambda: w.backup_notice.last_text.startswith("Lần sao lưu gần nhất: 12:00"), timeout=10000)
    assert w.backup_notice.isHidden()  # all is well: nothing takes room on the clerk's screen
    # the counter kept working meanwhile; the backup holds the data as it was
    restored = tmp_path / "phuc-hoi" / "motcua.sqlite"
    restore(made, restored)
    assert _dump(restored) == original
    w.backups.check()  # once a day only
    qtbot.waitUntil(lambda: not w.backups.running, timeout=10000)
    assert len(list(usb.iterdir())) == 1
    office.clock = lambda: datetime(2026, 11, 19, 12, 0, tzinfo=TZ)
    update_device_settings(office, {"backup_auto": "off"}, actor_id=admin.id)
    w.backups.refresh()
    qtbot.waitUntil(lambda: w.backup_notice.isVisible(), timeout=10000)
    assert "cách đây 3 ngày" in w.backup_notice.label.text() and str(usb) in w.backup_notice.label.text()
    with qtbot.waitSignal(w.backup_notice.open_requested):
        qtbot.mouseClick(w.backup_notice.open_button, LEFT)
    assert w.admin_window is not None and w.admin_window.tabs.currentWidget() is w.admin_window.page("backup")


def test_the_backup_page_backs_up_now_and_schedules_a_restore(qtbot, office, admin, tmp_path):
    w = AdminWindow(office, admin)
    qtbot.addWidget(w)
    w.show()
    w.show_page("backup")
    page = w.page("backup")
    qtbot.waitUntil(lambda: page.status is not None, timeout=10000)
    assert "chưa sao lưu" in page.warning.text()
    page.folder.setText(str(tmp_path / "usb"))
    page.keep.setValue(5)
    qtbot.mouseClick(page.now_button, LEFT)
    qtbot.waitUntil(lambda: "Đã sao lưu" in page.message.text(), timeout=20000)
    assert read_device_settings(office).backup_keep == 5 and page.files.rowCount() == 1
    page.files.selectRow(0)
    page.restore()
    page.confirm.accept()
    qtbot.waitUntil(lambda: "khi mở lại" in page.message.text(), timeout=10000)
    assert backups.pending_restore(office.path).backup == page.status.files[0]


# --- the audit trail ---------------------------------------------------------------------------------------------


def test_the_audit_trail_says_who_viewed_and_who_printed_a_dossier(qtbot, office, admin, clerk, tmp_path):
    code = receive_dossier(office, form=ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam",
                                                      phone="0901234567"), clerk=clerk).code
    w = DossierWindow(office, clerk, code)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.view is not None, timeout=10000)
    with qtbot.waitSignal(w.pdf_ready, timeout=20000):
        w.print_form(FormKind.RECEIPT)
    preview = w.preview
    qtbot.waitUntil(lambda: preview.page_count() > 0, timeout=20000)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "in.pdf"))
    with qtbot.waitSignal(preview.printed, timeout=30000):
        preview.print_to(printer)
    assert preview.save_to(tmp_path / "giay-hen.pdf")

    def lines():
        return audit.trail(office, admin, date_from=date(2026, 11, 16), date_to=date(2026, 11, 16), kind="access")

    qtbot.waitUntil(lambda: len(lines()) == 3, timeout=10000)
    viewed, printed, saved = sorted(lines(), key=lambda x: ("Xem", "In", "Lưu ra tệp").index(x.action))
    assert all(x.ref == code and x.actor_name == "Trần Thị Mai" for x in (viewed, printed, saved))
    assert "Giấy tiếp nhận" in printed.detail and "in.pdf" in printed.detail
    assert "giay-hen.pdf" in saved.detail
    panel = AdminWindow(office, admin)
    qtbot.addWidget(panel)
    panel.show_page("audit")
    qtbot.waitUntil(lambda: not panel.audit.loading and bool(panel.audit.lines), timeout=10000)
    panel.audit.kind.setCurrentIndex(panel.audit.kind.findData("access"))
    panel.audit.reload()
    qtbot.waitUntil(lambda: not panel.audit.loading and panel.audit.table.rowCount() == 3, timeout=10000)
    assert {panel.audit.row_texts(r)[3] for r in range(3)} == {"Xem", "In", "Lưu ra tệp"}


# --- an unexpected error ------------------------------------------------------------------------------------------


def test_an_unexpected_error_shows_a_vietnamese_dialog_and_its_details_go_to_the_log(qtbot, caplog):
    from PySide6.QtWidgets import QApplication

    from ui.error_dialog import ErrorReporter

    reporter = ErrorReporter(QApplication.instance())
    try:
        raise ZeroDivisionError("0901234567 Hồ Văn Nam")
    except ZeroDivisionError as exc:
        with caplog.at_level(logging.ERROR, logger="motcua.window"):
            reporter.handle(type(exc), exc, exc.__traceback__)
            reporter.handle(type(exc), exc, exc.__traceback__)  # a burst: logged twice, shown once
    qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible(), timeout=5000)
    assert reporter.shown == 1 and len([r for r in caplog.records if r.name == "motcua.window"]) == 2
    text = reporter.box.text() + reporter.box.informativeText()
    assert "lỗi ngoài dự kiến (ZeroDivisionError)" in text and "báo cán bộ CNTT" in text
    assert "0901234567" not in text
    reporter.box.close()


def test_the_demo_shows_its_progress_while_it_is_made(qtbot, tmp_path, monkeypatch):
    import time

    from ui import cli
    from ui.demo_app import DemoProgress, make_demo

    def slow_seed(path, dossiers, *, progress=None):
        for i in range(1, 6):
            time.sleep(0.05)
            progress(i, 5, f"Tiếp nhận và xử lý hồ sơ mẫu {i}/5…")
        return 5

    monkeypatch.setattr(cli, "seed_demo_file", slow_seed)
    dlg = DemoProgress(tmp_path / "demo.sqlite", 5)
    qtbot.addWidget(dlg)
    dlg.show()
    assert make_demo(tmp_path / "demo.sqlite", 5, dlg) is None
    qtbot.waitUntil(lambda: dlg.bar.value() == 5, timeout=5000)
    assert dlg.steps_seen == 5 and "5/5" in dlg.text.text()


def test_accounts_listed_for_an_administrator_include_locked_ones(office, admin):
    assert {u.username for u in list_accounts(office, admin)} >= {"quantri", "canbo1", "lanhdao"}


def test_a_catalogue_and_an_off_day_from_a_later_date_leave_todays_deadlines_alone(qtbot, office, admin, tmp_path):
    """In the administration window an administrator ticks "Áp dụng từ ngày" and picks a date: the new catalogue
    version is listed as scheduled and today's receptions keep the one in effect; an off-day recorded "from" a
    later date does not move a due date computed today."""
    import json

    from app.services.catalogue import SEED_CATALOGUE, all_procedures, get_procedure
    from app.services.settings import calendar_of

    data = json.loads(SEED_CATALOGUE.read_text(encoding="utf-8"))
    data["version"] = "tinh-2027.1"
    data["procedures"] = [p for p in data["procedures"] if p["code"] != "2.000815"]
    newer = tmp_path / "danh-muc-2027.json"
    newer.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    w = AdminWindow(office, admin)
    qtbot.addWidget(w)
    w.show()
    w.show_page("catalogue")
    cat = w.page("catalogue")
    qtbot.waitUntil(lambda: "35 thủ tục" in cat.summary.text(), timeout=10000)
    assert not cat.effective.isEnabled()
    qtbot.mouseClick(cat.later, LEFT)
    assert cat.effective.isEnabled()
    cat.effective.setDate(QDate(2027, 1, 1))
    cat.import_file(str(newer))
    qtbot.waitUntil(lambda: "tinh-2027.1" in cat.message.text(), timeout=10000)
    assert "từ ngày 01/01/2027" in cat.message.text()
    qtbot.waitUntil(lambda: "sẽ áp dụng từ ngày 01/01/2027" in cat.summary.text(), timeout=10000)
    assert "35 thủ tục" in cat.summary.text() and not cat.later.isChecked()
    assert get_procedure(office, "2.000815").code == "2.000815"  # still in effect today
    assert "2.000815" not in {p.code for p in all_procedures(office, on=date(2027, 1, 2))}

    w.show_page("calendar")
    cal = w.page("calendar")
    qtbot.waitUntil(lambda: cal.table.rowCount() > 0, timeout=10000)
    cal.day.setDate(QDate(2026, 11, 17))
    type_vi(cal.reason, "Nghỉ theo Quyết định của UBND tỉnh")
    qtbot.mouseClick(cal.later, LEFT)
    cal.effective.setDate(QDate(2026, 11, 20))
    qtbot.mouseClick(cal.add_button, LEFT)
    qtbot.waitUntil(lambda: "Đã ghi ngày 17/11/2026" in cal.message.text(), timeout=10000)
    assert "từ ngày 20/11/2026" in cal.message.text()
    assert calendar_of(office, on=date(2026, 11, 16)).is_working_day(date(2026, 11, 17))  # today's deadlines
    assert not calendar_of(office, on=date(2026, 11, 20)).is_working_day(date(2026, 11, 17))
