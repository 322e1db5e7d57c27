"""A retried reception never makes a duplicate; a saved dossier is never reported as failed
(issue 9, point 4), and a device's 1000th code of a day has a way on (point 7)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.services.errors import ServiceError
from app.services.reception import ReceptionForm, receive_dossier
from app.services.slots import add_extra_slot
from app.services.users import login
from db.models import Counter, Dossier, Event
from tests.conftest import admin_of


def _form(**kw):
    return ReceptionForm(**{"procedure_code": "2.000815", "applicant_name": "Đặng Văn Long", "phone": "0987654321",
                            **kw})


def test_the_same_request_id_returns_the_same_dossier_and_writes_nothing(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    key = uuid.uuid4()
    first = receive_dossier(office_db, form=_form(), clerk=clerk, request_id=key)
    again = receive_dossier(office_db, form=_form(), clerk=clerk, request_id=key)
    by_text = receive_dossier(office_db, form=_form(), clerk=clerk, request_id=str(key))
    assert again.code == by_text.code == first.code and again.repeated and not first.repeated
    with office_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.type == "dossier.received")) == 1
    other = receive_dossier(office_db, form=_form(), clerk=clerk, request_id="giay-ngay-20-11-so-7")
    assert receive_dossier(office_db, form=_form(), clerk=clerk, request_id="giay-ngay-20-11-so-7").code == other.code
    assert other.code != first.code


def test_a_request_id_reused_for_another_citizen_is_refused(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    first = receive_dossier(office_db, form=_form(), clerk=clerk, request_id="k1")
    with pytest.raises(ServiceError) as info:
        receive_dossier(office_db, form=_form(applicant_name="Trần Văn Bình"), clerk=clerk, request_id="k1")
    assert first.code in info.value.message


def test_the_1000th_code_of_a_day_says_what_to_do_and_continues_under_an_extra_slot(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    with office_db.transaction() as s:
        s.add(Counter(device_id=office_db.device.device_id, name="code:20261116", value=999))
    with pytest.raises(ServiceError) as info:  # used to be a CodeError traceback
        receive_dossier(office_db, form=_form(), clerk=clerk)
    assert "đã cấp đủ 999 mã hồ sơ trong ngày 16/11/2026" in info.value.message
    assert "motcua admin extra-slot" in info.value.message
    with office_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 0
        assert s.get(Counter, (office_db.device.device_id, "code:20261116")).value == 999  # nothing was taken
    with pytest.raises(ServiceError) as info:
        add_extra_slot(office_db, 1, actor_id=admin_of(office_db).id)
    assert "đã được dùng" in info.value.message
    assert add_extra_slot(office_db, 5, actor_id=admin_of(office_db).id) == [1, 5]
    r = receive_dossier(office_db, form=_form(), clerk=clerk)
    assert r.code == "000.17.22.H56-261116-5001" and r.number == 1
