"""Forms 02–06: every one builds, carries the common header, and prints its fields (pdftotext)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.printing.apology import ApologyData, build_apology_pdf
from app.printing.common import OfficeHeader
from app.printing.control_slip import (
    RESULT_EARLY,
    RESULT_LATE,
    RESULT_ON_TIME,
    ControlSlipData,
    HandoverRow,
    build_control_slip_pdf,
)
from app.printing.refusal import RefusalData, build_refusal_pdf
from app.printing.stop_notice import NO_FEE_CONSEQUENCE, StopNoticeData, build_stop_notice_pdf
from app.printing.supplement import SupplementData, SupplementItem, build_supplement_pdf
from tests.printing.pdftools import (
    decode_symbols,
    needs_pdftotext,
    needs_zbar,
    pdf_pages,
    pdf_text,
    squash,
    write_pdf,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = OfficeHeader("ỦY BAN NHÂN DÂN XÃ TÂN HƯNG", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "Tân Hưng")
NOW = datetime(2026, 11, 22, 10, 30, tzinfo=TZ)
CODE = "000.17.22.H56-261116-1002"
COMMON = [
    "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Tân Hưng, ngày 22 tháng 11 năm 2026",
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def text_of(tmp_path, pdf: bytes) -> str:
    """Layout text and raw (content-order) text, squashed, joined: table headers that wrap inside
    their cells read whole in the raw part."""
    path = write_pdf(tmp_path, pdf)
    return squash(pdf_text(path)) + " || " + squash(pdf_text(path, mode="raw"))


def assert_all(text: str, expected: list[str]) -> None:
    missing = [e for e in expected if e not in text]
    assert not missing, missing


def supplement(**kw) -> SupplementData:
    base = dict(
        header=HEADER,
        issued_at=NOW,
        applicant_name=nfd("Nguyễn Thị Hường"),
        address="Số 12, ấp Bình Thạnh",
        phone="0912345678",
        procedure_name="Đăng ký khai sinh",
        items=(
            SupplementItem("Giấy chứng sinh", 1, original=True, note="Bản nộp bị mờ"),
            SupplementItem("Giấy chứng nhận kết hôn của cha mẹ", 2, certified=True),
            SupplementItem("Căn cước công dân", 1, photocopy=True),
        ),
        reason="Hồ sơ còn thiếu giấy tờ theo quy định",
        clerk_name="Trần Văn Bình",
        clerk_phone="0277 3812 345",
        clerk_unit="Trung tâm Phục vụ hành chính công xã Tân Hưng",
    )
    base.update(kw)
    return SupplementData(**base)


@needs_pdftotext
def test_supplement_intake_slip_without_code(tmp_path):
    text = text_of(tmp_path, build_supplement_pdf(supplement()))
    assert_all(
        text,
        COMMON
        + [
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Hồ sơ của: Nguyễn Thị Hường",
            "Địa chỉ: Số 12, ấp Bình Thạnh",
            "Số điện thoại: 0912345678",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:",
            "TT Thành phần hồ sơ Số lượng Bản chính Bản chứng thực Bản photo",
            "1 Giấy chứng sinh",
            "(Bản nộp bị mờ)",
            "Giấy chứng nhận kết hôn của cha mẹ 02 x",
            "Lý do: Hồ sơ còn thiếu giấy tờ theo quy định",
            "liên hệ với Trần Văn Bình",
            "0277 3812 345",
            "NGƯỜI HƯỚNG DẪN",
            "(Ký và ghi rõ họ tên)",
        ],
    )
    assert "Mã hồ sơ" not in text


@needs_zbar
def test_supplement_with_code_has_barcode(tmp_path):
    path = write_pdf(tmp_path, build_supplement_pdf(supplement(code=CODE, number="15/PYCBS")))
    assert "Mã hồ sơ: " + CODE in squash(pdf_text(path))
    assert "Số: 15/PYCBS" in pdf_text(path)
    assert decode_symbols(path, tmp_path) == [[CODE]]


@needs_pdftotext
def test_refusal(tmp_path):
    data = RefusalData(
        header=HEADER,
        issued_at=NOW,
        receiving_unit="Trung tâm Phục vụ hành chính công xã Tân Hưng",
        applicant_name="Lê Văn Nam",
        address="Ấp 3, xã Tân Hưng",
        phone="0987654321",
        procedure_name="Đăng ký kết hôn",
        reason="Hai bên chưa đủ tuổi kết hôn theo quy định.\nĐề nghị nộp lại khi đủ điều kiện.",
        clerk_name="Trần Văn Bình",
        email="nam@example.vn",
    )
    text = text_of(tmp_path, build_refusal_pdf(data))
    assert_all(
        text,
        COMMON
        + [
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "tiếp nhận hồ sơ của: Lê Văn Nam",
            "Địa chỉ: Ấp 3, xã Tân Hưng",
            "Số điện thoại: 0987654321",
            "Email: nam@example.vn",
            "Nội dung yêu cầu giải quyết: Đăng ký kết hôn",
            "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            "Hai bên chưa đủ tuổi kết hôn theo quy định.",
            "Đề nghị nộp lại khi đủ điều kiện.",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Trần Văn Bình",
        ],
    )


@needs_pdftotext
def test_apology(tmp_path):
    data = ApologyData(
        header=OfficeHeader("ỦY BAN NHÂN DÂN XÃ TÂN HƯNG", "PHÒNG KINH TẾ", "Tân Hưng"),
        issued_at=NOW,
        applicant_name="Bà Nguyễn Thị Hường",
        code=CODE,
        procedure_name="Đăng ký thành lập hộ kinh doanh",
        received_at=datetime(2026, 11, 16, 9, 5, tzinfo=TZ),
        original_due_at=datetime(2026, 11, 19, 9, 5, tzinfo=TZ),
        delay_reason="Cần xác minh địa điểm kinh doanh.",
        new_due_at=datetime(2026, 11, 25, 16, 0, tzinfo=TZ),
        responsible_unit="Phòng Kinh tế xã Tân Hưng",
        signer_title="Trưởng phòng",
        signer_name="Phạm Minh Đức",
        signer_authority="",
        recipients=("Như trên;", "Lưu: VT."),
        number="21/XL-PKT",
    )
    text = text_of(tmp_path, build_apology_pdf(data))
    assert_all(
        text,
        COMMON
        + [
            "PHÒNG KINH TẾ",
            "Số: 21/XL-PKT",
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "Kính gửi: Bà Nguyễn Thị Hường",
            f"Mã hồ sơ: {CODE}",
            "Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 16 tháng 11 năm 2026",
            "Thời gian hẹn trả kết quả: 09 giờ 05 phút, ngày 19 tháng 11 năm 2026",
            "Lý do chậm giải quyết: Cần xác minh địa điểm kinh doanh.",
            "xin lỗi",
            "16 giờ 00 phút, ngày 25 tháng 11 năm 2026",
            "TRƯỞNG PHÒNG",
            "Phạm Minh Đức",
            "Nơi nhận:",
            "- Lưu: VT.",
        ],
    )


@needs_pdftotext
def test_stop_notice(tmp_path):
    data = StopNoticeData(
        header=HEADER,
        issued_at=NOW,
        applicant_name="Ông Lê Văn Nam",
        address="Ấp 3, xã Tân Hưng",
        phone="0987654321",
        code=CODE,
        procedure_name="Chứng thực hợp đồng, giao dịch",
        received_at=datetime(2026, 11, 10, 14, 0, tzinfo=TZ),
        request_text="Đề nghị dừng chứng thực hợp đồng mua bán xe",
        stage_text="Đang thẩm định hồ sơ",
        decision_text="Dừng giải quyết theo đề nghị của người nộp hồ sơ",
        fee_text="",
        signer_title="Giám đốc",
        signer_name="Võ Thị Lan",
        signer_authority="KT. CHỦ TỊCH",
    )
    text = text_of(tmp_path, build_stop_notice_pdf(data))
    assert_all(
        text,
        COMMON
        + [
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "Kính gửi: Ông Lê Văn Nam",
            f"Mã hồ sơ: {CODE}",
            "Thủ tục hành chính: Chứng thực hợp đồng, giao dịch",
            "Thời gian nhận hồ sơ: 14 giờ 00 phút, ngày 10 tháng 11 năm 2026",
            "Nội dung yêu cầu: Đề nghị dừng chứng thực hợp đồng mua bán xe",
            "Giai đoạn giải quyết khi dừng: Đang thẩm định hồ sơ",
            "Dừng giải quyết theo đề nghị của người nộp hồ sơ",
            f"Về phí, lệ phí: {NO_FEE_CONSEQUENCE}",
            "KT. CHỦ TỊCH",
            "GIÁM ĐỐC",
            "Võ Thị Lan",
        ],
    )


def control_slip(**kw) -> ControlSlipData:
    base = dict(
        header=HEADER,
        code=CODE,
        competent_unit="Phòng Kinh tế xã Tân Hưng",
        cooperating_units=("Chi cục Thuế khu vực", "Công an xã"),
        rows=(
            HandoverRow(
                "Trung tâm Phục vụ hành chính công",
                "Phòng Kinh tế",
                datetime(2026, 11, 16, 10, 0, tzinfo=TZ),
                "Trần Văn Bình",
                "Nguyễn Văn An",
                RESULT_EARLY,
            ),
            HandoverRow(
                "Phòng Kinh tế",
                "Lãnh đạo UBND xã",
                datetime(2026, 11, 17, 15, 30, tzinfo=TZ),
                "Nguyễn Văn An",
                "Phạm Minh Đức",
                RESULT_ON_TIME,
                "Trình ký",
            ),
            HandoverRow("Lãnh đạo UBND xã", "Trung tâm Phục vụ hành chính công", None, result=RESULT_LATE),
        ),
        issued_at=NOW,
    )
    base.update(kw)
    return ControlSlipData(**base)


@needs_pdftotext
def test_control_slip(tmp_path):
    text = text_of(tmp_path, build_control_slip_pdf(control_slip(blank_rows=1)))
    assert_all(
        text,
        COMMON
        + [
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            f"Mã hồ sơ: {CODE}",
            "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Kinh tế xã Tân Hưng",
            "Cơ quan phối hợp giải quyết hồ sơ: Chi cục Thuế khu vực; Công an xã",
            "TÊN CƠ QUAN",
            "THỜI GIAN GIAO, NHẬN HỒ SƠ",
            "KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
            "GHI CHÚ",
            "Người giao",
            "Người nhận",
            "1. Giao: Trung tâm Phục vụ hành chính công",
            "2. Nhận: Phòng Kinh tế",
            "10 giờ 00 phút, ngày 16/11/2026",
            "Trần Văn Bình",
            "Nguyễn Văn An",
            RESULT_EARLY,
            RESULT_ON_TIME,
            RESULT_LATE,
            "Trình ký",
        ],
    )


@needs_zbar
def test_control_slip_barcode_and_many_rows(tmp_path):
    rows = tuple(
        HandoverRow(f"Đơn vị {i}", f"Đơn vị {i + 1}", NOW, f"Người {i}", f"Người {i + 1}") for i in range(14)
    )
    path = write_pdf(tmp_path, build_control_slip_pdf(control_slip(rows=rows)))
    assert pdf_pages(path) >= 2
    text = squash(pdf_text(path))
    assert "1. Giao: Đơn vị 13" in text and "Trang 2/" in text
    assert decode_symbols(path, tmp_path)[0] == [CODE]


@pytest.mark.parametrize(
    "build",
    [
        lambda: build_supplement_pdf(supplement(), page_size="A5"),
        lambda: build_control_slip_pdf(control_slip(), page_size="A5"),
    ],
)
def test_a5_variants_build(build):
    assert build().startswith(b"%PDF-")
