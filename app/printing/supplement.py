"""Form 02: PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ (DOMAIN.md §3).

Used both at intake (the guidance slip for an incomplete dossier: no dossier code yet) and during
processing (with the dossier code).  Every missing item is listed at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.printing.barcodes import code_block
from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    Signer,
    Styles,
    applicant_lines,
    field_line,
    form_pdf,
    grid_table,
    nfc,
    number_line,
    page_spec,
    para,
    signature_block,
    title_block,
    two_digits,
    vn_datetime,
)

__all__ = ["SupplementItem", "SupplementData", "build_supplement_pdf", "TITLE"]

TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REQUEST_SENTENCE = "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:"


@dataclass(frozen=True)
class SupplementItem:
    name: str  # Thành phần hồ sơ (what to add or fix)
    count: int = 1  # Số lượng
    original: bool = False  # Bản chính
    certified: bool = False  # Bản chứng thực
    photocopy: bool = False  # Bản photo
    note: str = ""  # what is wrong with it, printed under the name


@dataclass(frozen=True)
class SupplementData:
    header: OfficeHeader
    issued_at: datetime  # date of the slip (header date line)
    applicant_name: str
    address: str
    phone: str
    procedure_name: str
    items: tuple[SupplementItem, ...]
    reason: str  # Lý do
    clerk_name: str  # NGƯỜI HƯỚNG DẪN, also the contact for questions
    clerk_phone: str = ""
    clerk_unit: str = ""  # where to reach the clerk, e.g. "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    code: str | None = None  # dossier code when issued during processing; None at intake
    number: str = ""  # "Số: …" in the header, "" to omit
    email: str = ""
    procedure_code: str = ""
    received_at: datetime | None = None  # when the dossier was received (processing case)
    form_number: str = "Mẫu số 02"  # as the law's annex numbers it (TT 03/2025)


def _items_table(data: SupplementData, styles: Styles, width: float) -> Flowable:
    fixed = [9 * mm, 16 * mm, 17 * mm, 20 * mm, 16 * mm]
    if width < 140 * mm:
        fixed = [7 * mm, 12 * mm, 13 * mm, 15 * mm, 12 * mm]
    widths = [fixed[0], width - sum(fixed), *fixed[1:]]
    head = [["TT", "Thành phần hồ sơ", "Số lượng", "Bản chính", "Bản chứng thực", "Bản photo"]]
    rows = []
    for i, it in enumerate(data.items, start=1):
        name: object = it.name
        if nfc(it.note).strip():
            name = [para(it.name, styles.cell), para(f"({nfc(it.note)})", styles.cell_style("LEFT"))]
        rows.append(
            [
                str(i),
                name,
                two_digits(it.count),
                "x" if it.original else "",
                "x" if it.certified else "",
                "x" if it.photocopy else "",
            ]
        )
    if not rows:
        rows = [["", "", "", "", "", ""]]
    return grid_table(
        head, rows, widths, styles, aligns=["CENTER", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER"]
    )


def _story(data: SupplementData, styles: Styles, width: float) -> list[Flowable]:
    s = styles
    story: list[Flowable] = [
        HeaderBlock(data.header, s, when=data.issued_at, number=number_line(data.number))
    ]
    story += title_block(TITLE, s)
    if data.code:
        story.append(code_block(data.code, s, width))
    story += applicant_lines("Hồ sơ của:", data, s, width)
    if data.received_at is not None:
        story.append(field_line("Ngày tiếp nhận hồ sơ:", vn_datetime(data.received_at), s))
    story += [
        Spacer(1, s.size * 0.3),
        para(REQUEST_SENTENCE, s.field),
        Spacer(1, s.size * 0.3),
        _items_table(data, s, width),
        Spacer(1, s.size * 0.3),
        field_line("Lý do:", data.reason, s),
    ]
    contact = f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với {nfc(data.clerk_name)}"
    if nfc(data.clerk_unit).strip():
        contact += f" - {nfc(data.clerk_unit)}"
    if nfc(data.clerk_phone).strip():
        contact += f", số điện thoại {nfc(data.clerk_phone)}"
    contact += " để được hướng dẫn."
    story.append(para(contact, s.body))
    story.append(Spacer(1, s.size * 0.8))
    story.append(signature_block([Signer("NGƯỜI HƯỚNG DẪN", name=data.clerk_name)], s, width))
    return story


def build_supplement_pdf(data: SupplementData, *, page_size: str = "A4") -> bytes:
    spec = page_spec(page_size)
    styles = Styles(spec.font_size)
    return form_pdf(_story(data, styles, spec.width), spec, styles, title=TITLE, form_number=data.form_number)
