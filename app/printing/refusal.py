"""Form 03: PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ (DOMAIN.md §3).

The reason is a sentence a person understands (never an error code); the caller writes it.
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
    applicant_lines,
    body_paragraph,
    esc,
    form_pdf,
    nfc,
    number_line,
    page_spec,
    signature_block,
    title_block,
)

__all__ = ["RefusalData", "build_refusal_pdf", "TITLE"]

TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"


@dataclass(frozen=True)
class RefusalData:
    header: OfficeHeader
    issued_at: datetime  # date of the slip (header date line)
    receiving_unit: str  # the center that refuses, e.g. "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    applicant_name: str
    address: str
    phone: str
    procedure_name: str
    reason: str  # plain-language reason(s); newlines start new paragraphs
    clerk_name: str  # NGƯỜI TIẾP NHẬN HỒ SƠ
    email: str = ""
    procedure_code: str = ""
    number: str = ""  # "Số: …" in the header, "" to omit
    code: str | None = None  # only if a code was already given (e.g. online filing refused)
    form_number: str = "Mẫu số 03"  # as the law's annex numbers it (TT 03/2025)


def _story(data: RefusalData, styles: Styles, width: float) -> list[Flowable]:
    s = styles
    unit = nfc(data.receiving_unit)
    story: list[Flowable] = [
        HeaderBlock(data.header, s, when=data.issued_at, number=number_line(data.number))
    ]
    story += title_block(TITLE, s)
    if data.code:
        story.append(code_block(data.code, s, width))
    story += applicant_lines(f"{unit} tiếp nhận hồ sơ của:", data, s, width)
    story += [
        Spacer(1, s.size * 0.3),
        body_paragraph(
            "Sau khi nghiên cứu các quy định của pháp luật, đối chiếu với thành phần hồ sơ và yêu cầu giải quyết "
            f"của Ông/Bà, {unit} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            s,
        ),
    ]
    for line in [ln.strip() for ln in nfc(data.reason).splitlines() if ln.strip()] or [""]:
        story.append(body_paragraph(f"<b>{esc(line)}</b>", s, markup=True))
    story.append(body_paragraph("Xin thông báo để Ông/Bà được biết và thực hiện./.", s))
    story.append(Spacer(1, s.size * 0.8))
    story.append(signature_block([Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.clerk_name)], s, width))
    return story


def build_refusal_pdf(data: RefusalData, *, page_size: str = "A4") -> bytes:
    spec = page_spec(page_size)
    styles = Styles(spec.font_size)
    return form_pdf(_story(data, styles, spec.width), spec, styles, title=TITLE, form_number=data.form_number)
