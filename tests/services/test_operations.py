"""Operations in the services: roles checked whatever calls them, the audit trail (access lines and changes),
this device's settings, the daily backup with its folder and count, and a restore chosen in the window."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, datetime, timedelta

import pytest

from app.domain.calendar import TZ
from app.services import audit, backups
from app.services.access import Forbidden, Permission, can
from app.services.calendar_admin import set_calendar_day
from app.services.catalogue import SEED_CATALOGUE, import_catalogue_file
from app.services.database import Database
from app.services.device_settings import read_device_settings, update_device_settings
from app.services.errors import AuthError, ServiceError
from app.services.maintenance import restore
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import read_settings, update_settings
from app.services.users import change_password, list_accounts, login, reset_password, update_account
from tests.conftest import admin_of


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def admin(office_db):
    return admin_of(office_db)


def _receive(db, clerk, name="Nguyễn Thị Hường"):
    return receive_dossier(db, form=ReceptionForm(procedure_code="1.001193", applicant_name=name,
                                                  phone="0912345678"), clerk=clerk)


def _dump(path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


# --- roles ------------------------------------------------------------------------------------------------


def test_a_clerk_is_refused_settings_calendar_catalogue_accounts_and_the_audit_by_the_services(office_db, clerk):
    for attempt in (
        lambda: update_settings(office_db, {"paper_size": "A5"}, actor_id=clerk.id),
        lambda: set_calendar_day(office_db, day=date(2026, 12, 24), kind="off", reason="Nghỉ", actor_id=clerk.id),
        lambda: import_catalogue_file(office_db, SEED_CATALOGUE, actor_id=clerk.id),
        lambda: update_device_settings(office_db, {"backup_keep": "3"}, actor_id=clerk.id),
        lambda: list_accounts(office_db, clerk),
        lambda: reset_password(office_db, clerk, clerk.id, "matkhau-moi"),
        lambda: audit.trail(office_db, clerk, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30)),
        lambda: backups.run_backup(office_db, actor=clerk),
        lambda: update_settings(office_db, {"paper_size": "A5"}, actor_id=None),
    ):
        with pytest.raises(Forbidden) as info:
            attempt()
        assert "không được" in info.value.message or "Cần đăng nhập" in info.value.message
    assert read_settings(office_db).paper_size == "A4"


def test_a_kiosk_account_cannot_work_at_the_counter_nor_receive(office_db, admin):
    from app.services.users import create_user

    with office_db.transaction() as s:
        create_user(s, office_db.device, username="kiosk1", full_name="Máy đánh giá quầy", password="kiosk-123",
                    role="kiosk", at=office_db.clock(), actor_id=admin.id)
    kiosk = login(office_db, username="kiosk1", password="kiosk-123")
    assert can(kiosk, Permission.KIOSK) and not can(kiosk, Permission.COUNTER)
    with pytest.raises(AuthError):
        login(office_db, username="kiosk1", password="kiosk-123", permission=Permission.COUNTER)
    with pytest.raises(Forbidden):
        _receive(office_db, kiosk)


def test_a_leader_reads_the_audit_and_changes_kiosk_keys_but_not_office_settings(office_db):
    leader = login(office_db, username="lanhdao", password="matkhau123")
    assert audit.trail(office_db, leader, date_from=date(2026, 11, 16), date_to=date(2026, 11, 16)) is not None
    with pytest.raises(Forbidden):
        update_settings(office_db, {"contact_phone": "0251 3861 234"}, actor_id=leader.id)
    update_settings(office_db, {"rating_scale": "5"}, actor_id=leader.id)
    assert read_settings(office_db).rating_scale == 5


def test_passwords_are_changed_by_their_owner_and_reset_by_an_administrator(office_db, clerk, admin):
    with pytest.raises(AuthError):
        change_password(office_db, clerk, old_password="sai-mat-khau", new_password="matkhau-moi")
    change_password(office_db, clerk, old_password="matkhau123", new_password="matkhau-moi")
    assert login(office_db, username="canbo1", password="matkhau-moi").id == clerk.id
    reset_password(office_db, admin, clerk.id, "cap-lai-456")
    assert login(office_db, username="canbo1", password="cap-lai-456").id == clerk.id
    update_account(office_db, admin, clerk.id, role="leader", active=False)
    with pytest.raises(AuthError):
        login(office_db, username="canbo1", password="cap-lai-456")
    with pytest.raises(ServiceError) as info:
        update_account(office_db, admin, admin.id, active=False)
    assert "quản trị hệ thống cuối cùng" in info.value.message


# --- the audit trail ----------------------------------------------------------------------------------------


def test_the_trail_shows_who_printed_what_and_who_changed_what_and_filters(office_db, clerk, admin):
    r = _receive(office_db, clerk)
    assert audit.record(office_db, actor=clerk, action="printed", subject="dossier", ref=r.code,
                        detail="Giấy tiếp nhận (mẫu 01), máy in HP")
    assert audit.record(office_db, actor=clerk, action="exported", subject="stats", ref="01/11/2026–30/11/2026",
                        detail="Excel")
    update_settings(office_db, {"contact_phone": "0251 3861 234"}, actor_id=admin.id)
    day = date(2026, 11, 16)
    lines = audit.trail(office_db, admin, date_from=day, date_to=day)
    printed = next(x for x in lines if x.action == "In")
    assert (printed.actor_name, printed.ref, printed.subject) == ("Trần Thị Mai", r.code, "hồ sơ")
    received = next(x for x in lines if x.action == "Tiếp nhận hồ sơ")
    assert received.ref == r.code and received.actor_name == "Trần Thị Mai" and "Hường" not in received.detail
    assert any(x.action == "Đổi thiết lập đơn vị" and "contact_phone" in x.detail for x in lines)
    only_access = audit.trail(office_db, admin, date_from=day, date_to=day, kind="access")
    assert {x.action for x in only_access} == {"In", "Xuất báo cáo"}
    mine = audit.trail(office_db, admin, date_from=day, date_to=day, actor_id=admin.id)
    assert mine and all(x.actor_id == admin.id for x in mine)
    assert [x.ref for x in audit.trail(office_db, admin, date_from=day, date_to=day, text="mau 01")] == [r.code]
    assert audit.trail(office_db, admin, date_from=day + timedelta(days=1), date_to=day + timedelta(days=1)) == []


def test_the_trail_is_append_only_and_a_rebuild_gives_it_back(office_db, clerk, admin):
    from app.services.maintenance import rebuild_projections

    r = _receive(office_db, clerk)
    audit.record(office_db, actor=clerk, action="viewed", subject="dossier", ref=r.code)
    assert not [name for name in dir(audit) if name.startswith(("delete", "remove", "edit", "update"))]
    before = audit.trail(office_db, admin, date_from=date(2026, 11, 16), date_to=date(2026, 11, 16))
    assert rebuild_projections(office_db).identical
    assert audit.trail(office_db, admin, date_from=date(2026, 11, 16), date_to=date(2026, 11, 16)) == before


def test_a_view_is_never_stopped_by_an_audit_line_that_cannot_be_written(office_db, clerk):
    office_db.mark_damaged("test")
    assert audit.record(office_db, actor=clerk, action="viewed", subject="dossier", ref="X") is False
    office_db.clear_damaged()


# --- device settings and backups -----------------------------------------------------------------------------


def test_device_settings_are_checked_and_kept_per_device(office_db, admin, tmp_path):
    with pytest.raises(ServiceError):
        update_device_settings(office_db, {"backup_keep": "0"}, actor_id=admin.id)
    with pytest.raises(ServiceError):
        update_device_settings(office_db, {"backup_dir": "tuong-doi"}, actor_id=admin.id)
    with pytest.raises(ServiceError):
        update_device_settings(office_db, {"backup_time": "trưa"}, actor_id=admin.id)
    s = update_device_settings(office_db, {"backup_dir": str(tmp_path / "usb"), "backup_keep": "3",
                                           "backup_time": "12:5", "printer": "HP LaserJet"}, actor_id=admin.id)
    assert (s.backup_dir, s.backup_keep, s.backup_time, s.printer) == (str(tmp_path / "usb"), 3, "12:05",
                                                                      "HP LaserJet")
    assert read_device_settings(office_db).backup_keep == 3


def test_daily_backup_keeps_n_records_itself_and_warns_when_old(office_db, admin, tmp_path, fixed_now):
    usb = tmp_path / "usb"
    update_device_settings(office_db, {"backup_dir": str(usb), "backup_keep": "2"}, actor_id=admin.id)
    assert backups.backup_due(office_db)  # never backed up
    status = backups.backup_status(office_db)
    assert status.last is None and "chưa sao lưu" in status.warning
    made = []
    for hours in (0, 25, 50):
        office_db.clock = lambda h=hours: fixed_now + timedelta(hours=h)
        made.append(backups.run_backup(office_db, automatic=True))
    assert [p.name for p in backups.backup_files(office_db, usb)] == [made[2].path.name, made[1].path.name]
    assert made[2].removed == (made[0].path,)
    assert not backups.backup_due(office_db)
    office_db.clock = lambda: fixed_now + timedelta(hours=50 + 24 * 3)
    status = backups.backup_status(office_db)
    assert status.last.at == made[2].at.replace(second=0) or status.last.at.replace(second=0) == made[2].at.replace(
        second=0)
    assert "cách đây 3 ngày" in status.warning
    assert backups.backup_due(office_db)


def test_backup_due_at_the_backup_time_once_a_day(office_db, admin, tmp_path):
    update_device_settings(office_db, {"backup_dir": str(tmp_path / "b"), "backup_time": "11:45"},
                           actor_id=admin.id)
    office_db.clock = lambda: datetime(2026, 11, 16, 8, 0, tzinfo=TZ)
    backups.run_backup(office_db, automatic=True)
    assert not backups.backup_due(office_db, datetime(2026, 11, 16, 12, 0, tzinfo=TZ))  # today's is made
    assert not backups.backup_due(office_db, datetime(2026, 11, 17, 7, 30, tzinfo=TZ))
    assert backups.backup_due(office_db, datetime(2026, 11, 17, 11, 45, tzinfo=TZ))
    update_device_settings(office_db, {"backup_auto": "off"}, actor_id=admin.id)
    assert not backups.backup_due(office_db, datetime(2026, 11, 20, 11, 45, tzinfo=TZ))


def test_a_backup_restores_bit_for_bit(office_db, clerk, admin, tmp_path):
    for name in ("Nguyễn Thị Hường", "Lê Văn Tám", "Phạm Thị Hoa"):
        _receive(office_db, clerk, name)
    update_device_settings(office_db, {"backup_dir": str(tmp_path / "usb")}, actor_id=admin.id)
    with office_db.reading() as s:
        s.connection().exec_driver_sql("PRAGMA wal_checkpoint")  # the dump below reads the main file too
    original = _dump(office_db.path)
    done = backups.run_backup(office_db, actor=admin)
    digest = hashlib.sha256(done.path.read_bytes()).hexdigest()
    fresh = tmp_path / "may-moi" / "motcua.sqlite"
    restore(done.path, fresh)
    assert _dump(fresh) == original
    assert hashlib.sha256(done.path.read_bytes()).hexdigest() == digest  # the backup itself is untouched


def test_a_restore_chosen_in_the_window_happens_at_the_next_start(tmp_path, fixed_now):
    from tests.conftest import make_office

    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now, admin=True)
    admin = login(db, username="quantri", password="matkhau-quantri")
    clerk = login(db, username="canbo1", password="matkhau123")
    update_device_settings(db, {"backup_dir": str(tmp_path / "usb")}, actor_id=admin.id)
    first = _receive(db, clerk, "Nguyễn Thị Hường")
    done = backups.run_backup(db, actor=admin)
    later = _receive(db, clerk, "Lê Văn Tám")  # after the backup: brought back from the kept file
    with pytest.raises(Forbidden):
        backups.schedule_restore(db, done.path, actor=clerk)
    backups.schedule_restore(db, done.path, actor=admin)
    db.close()
    pending, result = backups.apply_pending_restore(path)
    assert pending.actor_name == "Võ Minh Tâm" and result.kept is not None and result.recovered >= 1
    assert backups.pending_restore(path) is None
    db = Database(path)
    try:
        from app.services.dossiers import get_dossier

        assert get_dossier(db, first.code) and get_dossier(db, later.code)
        lines = audit.trail(db, admin, date_from=date(2026, 11, 1), date_to=date(2030, 1, 1), kind="backup")
        assert [x.action for x in lines][:2] == ["Khôi phục", "Sao lưu"]
    finally:
        db.close()
