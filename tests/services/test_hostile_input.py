"""Input that would break the records is refused with a Vietnamese message, or normalised so that it
prints, exports and is found (issue 9, point 14)."""

from __future__ import annotations

import pytest

from app.services import lifecycle as lc
from app.services.errors import ServiceError, ValidationFailed
from app.services.reception import ReceptionForm, receive_dossier
from app.services.search import quick_search
from app.services.users import create_user, login
from tests.conftest import admin_of


def _form(**kw):
    return ReceptionForm(**{"procedure_code": "2.000815", "applicant_name": "Đặng Văn Long", "phone": "0987654321",
                            **kw})


@pytest.mark.parametrize("name, says", [
    ("Nguyễn\x07Văn A", "ký tự điều khiển"),
    ("\x1b[31mNguyễn", "ký tự điều khiển"),
    ("Nguyễn Văn A\x7f", "ký tự điều khiển"),
    ("\u200b\u200b\u200b", "Chưa nhập họ tên"),
    ("!!! ???", "phải có chữ cái"),
    ("Nguyễn " * 20000, "quá dài"),
    ("Nguyễn \u202eVăn A", "đảo chiều văn bản"),
    ("Lan 😀", "không in được trên giấy tờ"),
    ("Lan @#$", "không dùng trong tên người"),
])
def test_names_that_break_the_records_are_refused_with_a_message(office_db, name, says):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    with pytest.raises(ValidationFailed) as info:
        receive_dossier(office_db, form=_form(applicant_name=name), clerk=clerk)
    assert says in info.value.errors["applicant_name"]


@pytest.mark.parametrize("field, value, says", [
    ("address", "Ấp 3 🏠", "không in được"),
    ("note", "x" * 501, "tối đa 500"),
    ("email", "a@b.vn\x00", "ký tự điều khiển"),
    ("address", "Số 5\u202e", "đảo chiều"),
])
def test_every_text_field_is_bounded_and_printable(office_db, field, value, says):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    with pytest.raises(ValidationFailed) as info:
        receive_dossier(office_db, form=_form(**{field: value}), clerk=clerk)
    assert says in info.value.errors[field]


def test_full_width_and_arabic_indic_digits_are_stored_as_ascii_and_found(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    r = receive_dossier(office_db, form=_form(id_number="０７９１９００１２３４５", phone="٠٩٨٧٦٥٤٣٢١"), clerk=clerk)
    found = quick_search(office_db, "079190012345")
    assert [x.code for x in found] == [r.code] and found[0].phone == "0987654321"
    assert quick_search(office_db, "０９８７６５４３２１")[0].code == r.code


def test_invisible_characters_are_dropped_and_decomposed_text_is_composed(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    r = receive_dossier(office_db, form=_form(applicant_name="Nguye\u0302\u0303n\u200b Văn\ufeff Long"), clerk=clerk)
    assert quick_search(office_db, "nguyen van long")[0].code == r.code
    assert quick_search(office_db, "nguyen van long")[0].applicant_name == "Nguyễn Văn Long"


def test_steps_and_accounts_are_bounded_too(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    code = receive_dossier(office_db, form=_form(), clerk=clerk).code
    with pytest.raises(ValidationFailed) as info:
        lc.transfer(office_db, code, actor=clerk, to_name="Lê Văn Đức", note="y" * 5000)
    assert "tối đa 500" in info.value.errors["note"]
    with pytest.raises(ValidationFailed) as info:
        lc.cancel(office_db, code, actor=clerk, reason="\u202eNhập trùng")
    assert "đảo chiều" in info.value.errors["reason"]
    admin = admin_of(office_db)
    with office_db.transaction() as s, pytest.raises(ServiceError) as err:
        create_user(s, office_db.device, username="canbo 2", full_name="Lê Thị Hoa", password="matkhau123",
                    at=office_db.clock(), actor_id=admin.id)
    assert "Tên đăng nhập gồm" in err.value.message
