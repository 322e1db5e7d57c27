"""Receiving a dossier: one event, the dossier and its logbook line, the right code and due time."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest
from sqlalchemy import event, func, select

from app.domain.calendar import TZ
from app.services.dossiers import get_dossier, list_received_on
from app.services.errors import StorageError, ValidationFailed
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from db.models import Dossier, Event, LogbookEntry


def clerk(db):
    return login(db, username="canbo1", password="matkhau123")


def form(**kw) -> ReceptionForm:
    base = dict(procedure_code="1.001193", applicant_name="Nguyễn Thị Hường", phone="0912345678",
                id_number="079190012345", address="Số 5, ấp Tân Lập, xã Tân Hưng")
    base.update(kw)
    return ReceptionForm(**base)


def test_receiving_writes_one_event_the_dossier_and_its_logbook_line(office_db):
    r = receive_dossier(office_db, form=form(), clerk=clerk(office_db))
    with office_db.reading() as s:
        before = s.scalar(select(Event).where(Event.type == "dossier.received"))
        events = s.scalars(select(Event).where(Event.stream_type == "dossier")).all()
        assert [e.type for e in events] == ["dossier.received"]
        # the office's set-up (device, settings, staff, catalogue) came first, from the same device
        setup = s.scalars(select(Event.device_seq).where(Event.stream_type != "dossier")).all()
        assert events[0].device_seq == len(setup) + 1 and events[0].stream_id == r.id == before.stream_id
        d = s.get(Dossier, r.id)
        assert d.code == r.code and d.status == "received"
        line = s.scalar(select(LogbookEntry).where(LogbookEntry.dossier_id == r.id))
        assert (line.volume, line.number) == ("1/2026", 1)


def test_code_is_agency_date_slot_and_daily_number(office_db):
    user = clerk(office_db)
    codes = [receive_dossier(office_db, form=form(), clerk=user).code for _ in range(3)]
    assert codes == ["000.17.22.H56-261116-1001", "000.17.22.H56-261116-1002", "000.17.22.H56-261116-1003"]


def test_same_day_procedure_received_at_0905_is_due_at_1700_today(office_db):
    r = receive_dossier(office_db, form=form(), clerk=clerk(office_db))
    assert r.received_at == datetime(2026, 11, 16, 9, 5, tzinfo=TZ)
    assert r.due_at == datetime(2026, 11, 16, 17, 0, tzinfo=TZ)


def test_three_working_days_from_monday_morning_end_thursday_same_time(office_db):
    # 1.004873: 3 working days = 24 working hours of office time.
    r = receive_dossier(office_db, form=form(procedure_code="1.004873",
                                              received_at=datetime(2026, 11, 16, 8, 0)), clerk=clerk(office_db))
    assert r.due_at == datetime(2026, 11, 19, 8, 0, tzinfo=TZ)


def test_due_time_and_versions_are_stored_with_the_dossier(office_db):
    r = receive_dossier(office_db, form=form(procedure_code="1.004873"), clerk=clerk(office_db))
    d = get_dossier(office_db, r.code)
    assert d.due_at == r.due_at and d.original_due_at == r.due_at
    assert d.rule_version and d.calendar_version and d.catalogue_version != "none"
    assert d.duration == {"kind": "working_days", "value": 3.0} or d.duration["kind"] == "working_days"


def test_invalid_form_lists_every_problem_and_writes_nothing(office_db):
    with pytest.raises(ValidationFailed) as info:
        receive_dossier(office_db, form=form(applicant_name="  ", id_number="12345678", phone="12345"),
                        clerk=clerk(office_db))
    errors = info.value.errors
    assert set(errors) == {"applicant_name", "id_number", "phone"}
    assert "12 chữ số" in errors["id_number"]
    assert "10 chữ số" in errors["phone"]
    with office_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.stream_type == "dossier")) == 0


def test_nfd_name_is_stored_as_nfc(office_db):
    nfd = unicodedata.normalize("NFD", "nguyễn thị hường")
    r = receive_dossier(office_db, form=form(applicant_name=nfd), clerk=clerk(office_db))
    assert get_dossier(office_db, r.code).applicant_name == "Nguyễn Thị Hường"


def test_phone_with_country_code_is_normalised(office_db):
    r = receive_dossier(office_db, form=form(phone="+84 912 345 678"), clerk=clerk(office_db))
    assert get_dossier(office_db, r.code).phone == "0912345678"


def test_backdating_more_than_sixty_days_is_refused(office_db):
    with pytest.raises(ValidationFailed) as info:
        receive_dossier(office_db, form=form(received_at=datetime(2026, 8, 1, 9, 0)), clerk=clerk(office_db))
    assert "received_at" in info.value.errors


def test_unknown_procedure_is_a_field_error(office_db):
    with pytest.raises(ValidationFailed) as info:
        receive_dossier(office_db, form=form(procedure_code="9.999999"), clerk=clerk(office_db))
    assert "9.999999" in info.value.errors["procedure_code"]


def test_todays_list_shows_this_counters_dossiers_newest_first(office_db):
    user = clerk(office_db)
    a = receive_dossier(office_db, form=form(received_at=datetime(2026, 11, 16, 8, 0)), clerk=user)
    b = receive_dossier(office_db, form=form(received_at=datetime(2026, 11, 16, 9, 0)), clerk=user)
    receive_dossier(office_db, form=form(received_at=datetime(2026, 11, 13, 9, 0)), clerk=user)
    assert [x.code for x in list_received_on(office_db)] == [b.code, a.code]


def test_full_disk_gives_a_vietnamese_message_and_keeps_earlier_dossiers(office_db):
    user = clerk(office_db)
    first = receive_dossier(office_db, form=form(), clerk=user)
    with office_db.reading() as s:
        pages = s.execute(select(func.count()).select_from(Event)).scalar()  # warm the connection
    with office_db.engine.connect() as c:
        pages = c.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(office_db.engine, "connect")
    def _cap(dbapi_conn, _rec):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    office_db.engine.dispose()
    with pytest.raises(StorageError) as info:
        for _ in range(1000):
            receive_dossier(office_db, form=form(note="x" * 450), clerk=user)
    assert "Ổ đĩa đã đầy" in info.value.message
    assert get_dossier(office_db, first.code).code == first.code
