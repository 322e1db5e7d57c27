"""Every form a dossier's life issues, rendered from the real projections and read back with pdftotext."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.dossiers import get_dossier
from app.services.errors import ValidationFailed
from app.services.forms import FormKind, dossier_form_pdf, forms_of, intake_slip_pdf
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from tests.conftest import admin_of
from tests.printing.pdftools import decode_symbols, pdf_text, squash, write_pdf


def at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=TZ)


def step(db, when, fn, *args, **kw):
    db.clock = lambda: when
    return fn(db, *args, **kw)


@pytest.fixture
def walked(office_db):
    """A dossier handed over, paused for a supplement, extended, back with the result and stopped? no: returned."""
    clerk = login(office_db, username="canbo1", password="matkhau123")
    leader = login(office_db, username="lanhdao", password="matkhau123")
    r = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Đặng Thị Lan",
                                                      phone="0912345678", address="Ấp Tân Lập"), clerk=clerk)
    step(office_db, at(16, 10), lc.transfer, r.code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch")
    step(office_db, at(18, 16), lc.request_supplement, r.code, actor=clerk, reason="Giấy tờ bị mờ",
         items=[{"name": "Bản sao Giấy khai sinh", "certified": True}, {"name": "Tờ khai (ký lại)", "original": True}])
    step(office_db, at(23, 8), lc.receive_supplement, r.code, actor=clerk)
    step(office_db, at(23, 9), lc.extend, r.code, actor=leader, new_due=at(27, 11, 5),
         reason="Phải xác minh tại nơi cư trú trước đây", signer_name="Phạm Quốc Hùng", signer_title="Phó Chủ tịch")
    step(office_db, at(26, 10), lc.result_ready, r.code, actor=clerk, from_name="Lê Văn Đức")
    step(office_db, at(26, 14), lc.return_result, r.code, actor=clerk)
    return office_db, r.code


def text_of(tmp_path, pdf, name):
    return squash(pdf_text(write_pdf(tmp_path, pdf, name)))


def test_every_issued_form_is_listed_for_reprint(walked):
    db, code = walked
    kinds = [f.kind for f in forms_of(get_dossier(db, code))]
    assert kinds == [FormKind.RECEIPT, FormKind.CONTROL, FormKind.SUPPLEMENT, FormKind.APOLOGY]


def test_control_slip_has_a_row_per_handover_with_its_verdict(walked, tmp_path):
    db, code = walked
    path = write_pdf(tmp_path, dossier_form_pdf(db, code, FormKind.CONTROL), "06.pdf")
    text = squash(pdf_text(path))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert code in text and "Tư pháp - Hộ tịch" in text and "Lê Văn Đức" in text
    # handed over on 16/11 (before the due day: early); result back on 26/11 after the 23/11 due: late
    assert "Trước hạn" in text and "Quá hạn" in text
    assert [code] in decode_symbols(path, tmp_path) or any(code in s for s in decode_symbols(path, tmp_path))


def test_supplement_request_lists_every_item_and_the_reason(walked, tmp_path):
    db, code = walked
    text = text_of(tmp_path, dossier_form_pdf(db, code, FormKind.SUPPLEMENT), "02.pdf")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Bản sao Giấy khai sinh" in text and "Tờ khai (ký lại)" in text and "Giấy tờ bị mờ" in text
    assert "Đặng Thị Lan" in text


def test_apology_gives_old_and_new_dates_and_the_signer(walked, tmp_path):
    db, code = walked
    text = text_of(tmp_path, dossier_form_pdf(db, code, FormKind.APOLOGY), "04.pdf")
    assert "xin lỗi" in text.lower() and "gia hạn" in text.lower()
    assert "Phải xác minh tại nơi cư trú trước đây" in text and "Phạm Quốc Hùng" in text
    assert "27" in text and code in text


def test_stop_notice_and_intake_slips(office_db, tmp_path):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    r = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Ngô Văn Tú",
                                                      phone="0912345678"), clerk=clerk)
    step(office_db, at(16, 9, 30), lc.stop, r.code, actor=clerk, reason="Công dân xin rút hồ sơ",
         requested_by="Ông Ngô Văn Tú")
    text = text_of(tmp_path, dossier_form_pdf(office_db, r.code, FormKind.STOP), "05.pdf")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Công dân xin rút hồ sơ" in text
    # issued by the body competent to decide (its name keeps its capitals), signed by the leader, not the clerk
    assert "Ủy ban nhân dân xã Tân Hưng thông báo" in text
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Phạm Quốc Hùng" in text
    assert "Trần Thị Mai" not in text and "Số: " in text and "Nơi nhận" in text and "Mẫu số 05" in text
    g = lc.issue_guidance(office_db, actor=clerk, procedure_code="1.001193", applicant_name="Trần Văn Bình",
                          items=[{"name": "Giấy chứng sinh", "original": True}], reason="Chưa có giấy chứng sinh")
    text = text_of(tmp_path, intake_slip_pdf(office_db, g.event_id), "02g.pdf")
    assert "Giấy chứng sinh" in text and "Trần Văn Bình" in text
    f = lc.refuse_intake(office_db, actor=clerk, procedure_code="1.013978", applicant_name="Trần Văn Bình",
                         reason="Thửa đất nằm ở xã khác; ông vui lòng nộp tại xã nơi có đất")
    text = text_of(tmp_path, intake_slip_pdf(office_db, f.event_id), "03.pdf")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "nộp tại xã nơi có đất" in text


def test_apology_is_headed_worded_and_signed_by_one_body(walked, tmp_path):
    db, code = walked
    text = text_of(tmp_path, dossier_form_pdf(db, code, FormKind.APOLOGY), "04.pdf")
    head = text[:text.index("CỘNG HÒA")]
    assert "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG" in head and "TRUNG TÂM" not in head
    assert "Ủy ban nhân dân xã Tân Hưng chân thành xin lỗi" in text
    assert "Trung tâm Phục vụ hành chính công xã Tân Hưng đã tiếp nhận" in text  # the counter received it
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "THỦ TRƯỞNG ĐƠN VỊ" not in text
    assert "Số: " in text and "Nơi nhận" in text and "Mẫu số 04" in text


def test_a_late_dossier_can_still_be_apologised_for_and_its_signer_defaults_to_the_leader(office_db, tmp_path):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    r = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Ngô Văn Tú",
                                                      phone="0912345678"), clerk=clerk)  # due Thu 19/11 09:05
    step(office_db, at(16, 10), lc.transfer, r.code, actor=clerk, to_name="Lê Văn Đức")
    step(office_db, at(20, 9), lc.extend, r.code, actor=clerk, new_due=at(25, 16),
         reason="Phải xác minh tại nơi cư trú trước đây")
    text = text_of(tmp_path, dossier_form_pdf(office_db, r.code, FormKind.APOLOGY), "04.pdf")
    assert "Phạm Quốc Hùng" in text and "PHÓ CHỦ TỊCH" in text and "Trần Thị Mai" not in text
    with pytest.raises(ValidationFailed) as e:
        step(office_db, at(20, 9, 30), lc.stop, r.code, actor=clerk, reason="Công dân xin rút hồ sơ",
             signer_name="Trần Thị Mai")
    assert "chức vụ" in e.value.errors["signer_title"]


def test_control_slip_names_no_persons_title_as_a_cooperating_agency(office_db, tmp_path):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    r = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Ngô Văn Tú",
                                                      phone="0912345678"), clerk=clerk)
    step(office_db, at(16, 10), lc.transfer, r.code, actor=clerk, to_name="Phạm Quốc Hùng",
         to_unit="Phó Chủ tịch UBND xã")
    step(office_db, at(16, 11), lc.transfer, r.code, actor=clerk, to_name="Nguyễn Văn An",
         to_unit="Văn phòng đăng ký đất đai")
    step(office_db, at(17, 9), lc.result_ready, r.code, actor=clerk)
    text = text_of(tmp_path, dossier_form_pdf(office_db, r.code, FormKind.CONTROL), "06.pdf")
    assert "Cơ quan phối hợp giải quyết hồ sơ: Văn phòng đăng ký đất đai" in text
    raw = squash(pdf_text(write_pdf(tmp_path, dossier_form_pdf(office_db, r.code, FormKind.CONTROL)), mode="raw"))
    assert "Trả kết quả về Trung tâm Phục vụ hành chính công xã Tân Hưng" in raw and "Bộ phận Một cửa" not in raw


def test_guidance_gives_the_counters_phone_and_every_form_its_number(walked, tmp_path):
    db, code = walked
    from app.services.settings import update_settings

    update_settings(db, {"contact_phone": "0251 3861 234"}, actor_id=admin_of(db).id)
    text = text_of(tmp_path, dossier_form_pdf(db, code, FormKind.SUPPLEMENT), "02.pdf")
    assert "số điện thoại 0251 3861 234" in text
    for kind in FormKind:
        if kind not in (FormKind.REFUSAL, FormKind.STOP):  # refusal and stop: tested with their own dossiers
            assert f"Mẫu số {kind.value}" in text_of(tmp_path, dossier_form_pdf(db, code, kind), f"{kind}.pdf")


@pytest.mark.parametrize("kind", [FormKind.SUPPLEMENT, FormKind.APOLOGY, FormKind.CONTROL, FormKind.RECEIPT])
def test_every_code128_on_a_dossiers_forms_decodes_at_100_dpi(walked, tmp_path, kind):
    db, code = walked
    path = write_pdf(tmp_path, dossier_form_pdf(db, code, kind), f"{kind}.pdf")
    assert all(code in page for page in decode_symbols(path, tmp_path, dpi=100))
