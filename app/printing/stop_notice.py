"""Form 05: THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ (DOMAIN.md §3, TT 03/2025).

States the dossier, what was requested, the stage at which processing stopped, the decision and
its reason, and the consequences for fees already paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable, Spacer

from app.printing.barcodes import code_block
from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    Signer,
    Styles,
    body_paragraph,
    esc,
    field_line,
    form_pdf,
    nfc,
    number_line,
    optional_fields,
    page_spec,
    para,
    procedure_label,
    signature_with_recipients,
    title_block,
    vn_datetime,
)

__all__ = ["StopNoticeData", "build_stop_notice_pdf", "TITLE", "NO_FEE_CONSEQUENCE"]

TITLE = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
NO_FEE_CONSEQUENCE = "Không phát sinh"


@dataclass(frozen=True)
class StopNoticeData:
    header: OfficeHeader
    issued_at: datetime  # date of the notice
    applicant_name: str
    address: str
    phone: str
    code: str
    procedure_name: str
    received_at: datetime
    request_text: str  # what was requested (the original request, or the citizen's request to stop)
    stage_text: str  # stage at which processing stopped, e.g. "Đang thẩm định tại Phòng Kinh tế"
    decision_text: str  # the decision and its reason
    fee_text: str  # consequences for fees/charges ("" -> "Không phát sinh")
    signer_title: str  # e.g. "GIÁM ĐỐC" / "NGƯỜI TIẾP NHẬN HỒ SƠ"
    signer_name: str
    issuing_unit: str = ""  # e.g. "Trung tâm Phục vụ hành chính công xã Tân Hưng" ("" -> header centre name)
    number: str = ""  # "Số: …" in the header, "" to omit
    signer_authority: str = ""  # line above the title, e.g. "KT. GIÁM ĐỐC"
    recipients: tuple[str, ...] = ()  # "Nơi nhận:" lines
    procedure_code: str = ""
    due_at: datetime | None = None  # the appointment that will no longer be kept
    form_number: str = "Mẫu số 05"  # as the law's annex numbers it (TT 03/2025)


def _story(data: StopNoticeData, styles: Styles, width: float) -> list[Flowable]:
    s = styles
    # The header holds the name in capitals; str.capitalize() would lower-case the place name too.
    unit = nfc(data.issuing_unit) or nfc(data.header.center_name)
    story: list[Flowable] = [
        HeaderBlock(data.header, s, when=data.issued_at, number=number_line(data.number))
    ]
    story += title_block(TITLE, s)
    story += [
        para(f"Kính gửi: <b>{esc(data.applicant_name)}</b>", s.center, markup=True),
        Spacer(1, s.size * 0.4),
        *optional_fields([("Địa chỉ:", data.address)], s, width),
        *optional_fields([("Số điện thoại:", data.phone)], s, width),
        body_paragraph(f"{esc(unit)} thông báo dừng giải quyết hồ sơ của Ông/Bà như sau:", s, markup=True),
        code_block(data.code, s, width),
    ]
    procedure = procedure_label(data.procedure_name, data.procedure_code)
    fee = nfc(data.fee_text).strip() or NO_FEE_CONSEQUENCE
    story += [
        field_line("1. Thủ tục hành chính:", procedure, s, bold_value=True),
        field_line("2. Thời gian nhận hồ sơ:", vn_datetime(data.received_at), s),
    ]
    n = 3
    if data.due_at is not None:
        story.append(field_line(f"{n}. Thời gian hẹn trả kết quả:", vn_datetime(data.due_at), s))
        n += 1
    story += [
        field_line(f"{n}. Nội dung yêu cầu:", data.request_text, s),
        field_line(f"{n + 1}. Giai đoạn giải quyết khi dừng:", data.stage_text, s),
        field_line(f"{n + 2}. Quyết định dừng giải quyết và lý do:", data.decision_text, s, bold_value=True),
        field_line(f"{n + 3}. Về phí, lệ phí:", fee, s),
        body_paragraph("Xin thông báo để Ông/Bà được biết./.", s),
        Spacer(1, s.size * 0.8),
    ]
    above = (nfc(data.signer_authority),) if nfc(data.signer_authority).strip() else ()
    signer = Signer(nfc(data.signer_title).upper(), hint="", name=data.signer_name, above=above)
    story.append(signature_with_recipients(signer, data.recipients, s, width))
    return story


def build_stop_notice_pdf(data: StopNoticeData, *, page_size: str = "A4") -> bytes:
    spec = page_spec(page_size)
    styles = Styles(spec.font_size)
    return form_pdf(_story(data, styles, spec.width), spec, styles, title=TITLE, form_number=data.form_number)
