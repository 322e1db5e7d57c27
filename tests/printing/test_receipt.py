from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.printing.receipt import (
    COPY_LABELS,
    NO_DEADLINE,
    OfficeHeader,
    PaperLine,
    ReceiptData,
    build_receipt_pdf,
    receipt_styles,
)
from tests.printing.pdftools import (
    decode_symbols,
    font_size_at,
    needs_pdftotext,
    needs_zbar,
    page_texts,
    pdf_pages,
    pdf_text,
    squash,
    write_pdf,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.17.22.H56-261122-1001"
URL = f"https://motcua.tanhung.gov.vn/tra-cuu/{CODE}"
NAME = "Nguyễn Thị Hường"


def make_receipt(**changes) -> ReceiptData:
    data = ReceiptData(
        header=OfficeHeader("ỦY BAN NHÂN DÂN XÃ TÂN HƯNG", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "Tân Hưng"),
        code=CODE,
        lookup_url=URL,
        receiving_unit="Trung tâm Phục vụ hành chính công xã Tân Hưng",
        competent_unit="Ủy ban nhân dân xã Tân Hưng",
        applicant_name=unicodedata.normalize("NFD", NAME),
        applicant_id_number="079190012345",
        address="Số 12, ấp Bình Thạnh, xã Tân Hưng, tỉnh Đồng Tháp",
        phone="0912345678",
        email="huong.nguyen@example.vn",
        channel="Trực tiếp",
        procedure_name="Cấp Giấy xác nhận tình trạng hôn nhân",
        procedure_code="1.004873",
        papers=(
            PaperLine("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", original=True, copy=False, count=1),
            PaperLine("Bản sao Căn cước công dân", original=False, copy=True, count=2),
        ),
        sets_count=1,
        duration_text="03 ngày làm việc",
        received_at=datetime(2026, 11, 16, 9, 5, tzinfo=TZ),
        due_at=datetime(2026, 11, 19, 9, 5, tzinfo=TZ),
        return_method="Tại Trung tâm Phục vụ hành chính công",
        fee_text="Miễn lệ phí",
        volume="1/2026",
        number=1001,
        clerk_name="Trần Văn Bình",
        note="Hồ sơ nộp bổ sung lần 1",
    )
    return replace(data, **changes)


def ten_papers() -> tuple[PaperLine, ...]:
    long_name = (
        "Tờ khai đăng ký khai sinh theo mẫu quy định, kèm Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp"
    )
    return tuple(
        PaperLine(
            f"{i}. {long_name if i % 3 == 0 else 'Bản sao Căn cước công dân'}", i % 2 == 0, i % 2 == 1, i
        )
        for i in range(1, 11)
    )


@needs_pdftotext
def test_receipt_text_holds_every_label_and_value(tmp_path):
    path = write_pdf(tmp_path, build_receipt_pdf(make_receipt()))
    assert pdf_pages(path) == 2
    pages = [squash(t) for t in page_texts(path)]
    expected = [
        "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Tân Hưng, ngày 16 tháng 11 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {CODE}",
        "Quét để tra cứu tình trạng hồ sơ",
        "Trung tâm Phục vụ hành chính công xã Tân Hưng",
        "Cơ quan chủ trì giải quyết: Ủy ban nhân dân xã Tân Hưng",
        f"Tiếp nhận hồ sơ của: {NAME}",
        "Địa chỉ: Số 12, ấp Bình Thạnh, xã Tân Hưng, tỉnh Đồng Tháp",
        "Số điện thoại: 0912345678",
        "Email: huong.nguyen@example.vn",
        "Số CCCD/Định danh: 079190012345",
        "Hình thức nộp: Trực tiếp",
        "Nội dung yêu cầu giải quyết: Cấp Giấy xác nhận tình trạng hôn nhân",
        "1.004873",
        "1. Thành phần hồ sơ nộp gồm:",
        "TT Tên giấy tờ Bản chính Bản sao Số lượng",
        "1 Tờ khai cấp Giấy xác nhận tình trạng hôn nhân x 01",
        "2 Bản sao Căn cước công dân x 02",
        "2. Số lượng hồ sơ: 01 (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định là: 03 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 16 tháng 11 năm 2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 05 phút, ngày 19 tháng 11 năm 2026",
        "6. Đăng ký nhận kết quả tại: Tại Trung tâm Phục vụ hành chính công",
        "Lệ phí: Miễn lệ phí",
        "Ghi chú: Hồ sơ nộp bổ sung lần 1",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 1/2026",
        "Số thứ tự: 1001",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        "Trần Văn Bình",
        "mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả này khi đến nhận kết quả",
    ]
    for page, label in zip(pages, COPY_LABELS, strict=True):
        for text in expected:
            assert text in page, text
        assert label in page
    assert COPY_LABELS[1] not in pages[0] and COPY_LABELS[0] not in pages[1]


@needs_pdftotext
def test_nfd_name_is_printed_as_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", NAME)
    assert nfd != NAME
    path = write_pdf(
        tmp_path,
        build_receipt_pdf(
            make_receipt(applicant_name=nfd, address=unicodedata.normalize("NFD", "Thôn Đông"))
        ),
    )
    text = pdf_text(path)
    assert NAME in text
    assert "Thôn Đông" in text
    assert nfd not in text


@needs_zbar
@pytest.mark.parametrize("page_size", ["A4", "A5"])
def test_barcode_and_qr_decode(tmp_path, page_size):
    path = write_pdf(tmp_path, build_receipt_pdf(make_receipt(papers=ten_papers()), page_size=page_size))
    pages = decode_symbols(path, tmp_path, dpi=150)
    assert len(pages) == 2
    for symbols in pages:
        assert sorted(symbols) == sorted([CODE, URL])


@needs_zbar
def test_no_qr_without_lookup_url(tmp_path):
    path = write_pdf(tmp_path, build_receipt_pdf(make_receipt(lookup_url=None)))
    assert decode_symbols(path, tmp_path) == [[CODE], [CODE]]


@needs_pdftotext
def test_no_deadline_sentence(tmp_path):
    path = write_pdf(tmp_path, build_receipt_pdf(make_receipt(due_at=None, fee_text="", note="")))
    text = squash(pdf_text(path))
    assert f"5. Thời gian trả kết quả giải quyết hồ sơ: {NO_DEADLINE}" in text
    assert "Lệ phí" not in text
    assert "Ghi chú" not in text


@needs_pdftotext
@pytest.mark.parametrize("page_size", ["A4", "A5"])
def test_ten_papers_fit_one_page_per_copy(tmp_path, page_size):
    path = write_pdf(tmp_path, build_receipt_pdf(make_receipt(papers=ten_papers()), page_size=page_size))
    assert pdf_pages(path) == 2
    pages = [squash(t) for t in page_texts(path)]
    for page in pages:
        assert "10. Bản sao Căn cước công dân x 10" in page
        assert "Trần Văn Bình" in page


@needs_pdftotext
def test_long_paper_list_flows_within_each_copy(tmp_path):
    papers = tuple(PaperLine(f"Giấy tờ thứ {i}", True, False, 1) for i in range(1, 61))
    path = write_pdf(tmp_path, build_receipt_pdf(make_receipt(papers=papers)))
    pages = [squash(t) for t in page_texts(path)]
    assert len(pages) >= 4 and len(pages) % 2 == 0
    half = len(pages) // 2
    copy1, copy2 = " ".join(pages[:half]), " ".join(pages[half:])
    for copy, label in ((copy1, COPY_LABELS[0]), (copy2, COPY_LABELS[1])):
        assert label in copy
        assert "Giấy tờ thứ 60" in copy
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in copy
    assert COPY_LABELS[1] not in copy1
    assert "Trang 2/2" in pages[1]  # continuation is numbered within its copy


def test_a5_builds_and_rejects_unknown_size():
    assert build_receipt_pdf(make_receipt(), page_size="A5").startswith(b"%PDF-")
    with pytest.raises(ValueError):
        build_receipt_pdf(make_receipt(), page_size="Letter")


def test_no_builtin_pdf_fonts():
    pdf = build_receipt_pdf(make_receipt())
    for name in (b"/Helvetica", b"/Times-Roman", b"/Courier"):
        assert name not in pdf


def test_a_usual_receipt_prints_its_body_at_11_pt_or_more_on_a4():
    pdf = build_receipt_pdf(make_receipt())
    for page in (0, 1):
        assert font_size_at(pdf, "Tiếp nhận hồ sơ của", page) >= 11
        assert font_size_at(pdf, "5. Thời gian trả kết quả", page) >= 11
        assert font_size_at(pdf, "Bản sao Căn cước công dân", page) >= 9.5  # the papers table
    assert receipt_styles(make_receipt()).size >= 11


def test_story_height_counts_a_keep_together_block_by_its_content():
    from reportlab.platypus import KeepTogether, Paragraph

    from app.printing.common import Styles, story_height

    s = Styles(12)
    block = KeepTogether([Paragraph("Người tiếp nhận hồ sơ", s.normal), Paragraph("(Ký và ghi rõ họ tên)", s.normal)])
    assert story_height([block], 400, 800) == pytest.approx(2 * s.normal.leading, abs=1)


def test_the_receipt_is_laid_out_once_when_it_fits(monkeypatch):
    import app.printing.common as common

    calls = []
    real = common.lay_out
    monkeypatch.setattr(common, "lay_out", lambda *a, **k: calls.append(1) or real(*a, **k))
    build_receipt_pdf(make_receipt())
    assert len(calls) == 1  # one layout, drawn on both copies


@needs_zbar
@pytest.mark.parametrize("page_size", ["A4", "A5"])
def test_code128_on_the_receipt_decodes_at_100_dpi(tmp_path, page_size):
    path = write_pdf(tmp_path, build_receipt_pdf(make_receipt(lookup_url=None), page_size=page_size))
    assert decode_symbols(path, tmp_path, dpi=100) == [[CODE], [CODE]]


@needs_pdftotext
def test_empty_optional_fields_are_left_out_and_a_postal_dossier_is_not_asked_to_sign(tmp_path):
    data = make_receipt(email="", applicant_id_number="", channel="Qua dịch vụ bưu chính", in_person=False,
                        result_by_post=True, return_method="Qua dịch vụ bưu chính công ích")
    text = squash(pdf_text(write_pdf(tmp_path, build_receipt_pdf(data))))
    assert "Email:" not in text and "Số CCCD" not in text
    assert "Số điện thoại: 0912345678" in text and "Hình thức nộp: Qua dịch vụ bưu chính" in text
    assert "NGƯỜI NỘP HỒ SƠ" not in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "khi đến nhận kết quả" not in text and "gửi qua dịch vụ bưu chính công ích" in text


@needs_pdftotext
def test_the_receipt_carries_its_form_number(tmp_path):
    pages = page_texts(write_pdf(tmp_path, build_receipt_pdf(make_receipt())))
    assert all("Mẫu số 01" in p for p in pages)
