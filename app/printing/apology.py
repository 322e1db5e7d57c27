"""Form 04: VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT (DOMAIN.md §3).

Issued (before the due time passes) by the unit that caused the delay and signed by its head.
``header`` is that unit's header (its parent body and its own name), which may differ from the
counter's.
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
    page_spec,
    para,
    procedure_label,
    short_date,
    signature_with_recipients,
    title_block,
    vn_datetime,
)

__all__ = ["ApologyData", "build_apology_pdf", "TITLE"]

TITLE = "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"


@dataclass(frozen=True)
class ApologyData:
    header: OfficeHeader  # header of the unit that caused the delay
    issued_at: datetime  # date of the letter
    applicant_name: str  # "Kính gửi: Ông/Bà …" (the caller may include "Ông"/"Bà" or an organisation name)
    code: str
    procedure_name: str
    received_at: datetime
    original_due_at: datetime
    delay_reason: str
    new_due_at: datetime  # proposed new return time
    responsible_unit: str  # the unit that caused the delay, e.g. "Phòng Kinh tế xã Tân Hưng"
    signer_title: str  # head of that unit, e.g. "TRƯỞNG PHÒNG" / "CHỦ TỊCH"
    signer_name: str
    receiving_unit: str = ""  # the counter that received the dossier ("" -> responsible_unit)
    address: str = ""
    number: str = ""  # "Số: …" in the header, "" to omit
    signer_authority: str = ""  # line above the title, e.g. "KT. CHỦ TỊCH"
    recipients: tuple[str, ...] = ()  # "Nơi nhận:" lines
    procedure_code: str = ""
    form_number: str = "Mẫu số 04"  # as the law's annex numbers it (TT 03/2025)


def _story(data: ApologyData, styles: Styles, width: float) -> list[Flowable]:
    s = styles
    unit = nfc(data.responsible_unit)
    counter = nfc(data.receiving_unit) or unit
    story: list[Flowable] = [
        HeaderBlock(data.header, s, when=data.issued_at, number=number_line(data.number))
    ]
    story += title_block(TITLE, s)
    kg = para(f"Kính gửi: <b>{esc(data.applicant_name)}</b>", s.center, markup=True)
    story += [kg, Spacer(1, s.size * 0.4)]
    if nfc(data.address).strip():
        story.append(field_line("Địa chỉ:", data.address, s))
    procedure = procedure_label(data.procedure_name, data.procedure_code)
    story += [
        code_block(data.code, s, width),
        field_line("Nội dung yêu cầu giải quyết:", procedure, s, bold_value=True),
        field_line("Thời gian nhận hồ sơ:", vn_datetime(data.received_at), s),
        field_line("Thời gian hẹn trả kết quả:", vn_datetime(data.original_due_at), s),
        Spacer(1, s.size * 0.3),
        body_paragraph(
            f"Ngày {short_date(data.received_at)}, {esc(counter)} đã tiếp nhận hồ sơ của Ông/Bà "
            f"(mã hồ sơ <b>{esc(data.code)}</b>) và hẹn trả kết quả vào {esc(vn_datetime(data.original_due_at))}. "
            f"Tuy nhiên, đến nay {esc(unit)} chưa giải quyết xong hồ sơ của Ông/Bà đúng thời hạn như đã hẹn "
            "trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
            s,
            markup=True,
        ),
        body_paragraph(f"Lý do chậm giải quyết: {esc(data.delay_reason)}", s, markup=True),
        body_paragraph(
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {esc(unit)} chân thành xin lỗi Ông/Bà và đề nghị "
            "được gia hạn thời gian giải quyết hồ sơ. Thời gian hẹn trả kết quả mới là: "
            f"<b>{esc(vn_datetime(data.new_due_at))}</b>.",
            s,
            markup=True,
        ),
        body_paragraph(
            f"{esc(unit)} xin trân trọng cảm ơn sự hợp tác của Ông/Bà./.",
            s,
            markup=True,
        ),
        Spacer(1, s.size * 0.8),
    ]
    above = (nfc(data.signer_authority),) if nfc(data.signer_authority).strip() else ()
    signer = Signer(nfc(data.signer_title).upper(), hint="", name=data.signer_name, above=above)
    story.append(signature_with_recipients(signer, data.recipients, s, width))
    return story


def build_apology_pdf(data: ApologyData, *, page_size: str = "A4") -> bytes:
    spec = page_spec(page_size)
    styles = Styles(spec.font_size)
    return form_pdf(_story(data, styles, spec.width), spec, styles, title=TITLE, form_number=data.form_number)
