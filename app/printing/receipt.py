"""Form 01: GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ (DOMAIN.md §3), printed in two copies.

``build_receipt_pdf(data, page_size="A4" | "A5") -> bytes``: page 1 is "Liên 1: Lưu", page 2 is
"Liên 2: Giao người nộp hồ sơ".  Each copy is a complete form on one page; the text shrinks a little
when the paper list is long, and a very long list flows onto a continuation page of that same copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.printing.barcodes import Code128Flowable, QRFlowable
from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    PageSpec,
    Section,
    Signer,
    Styles,
    build_pdf,
    esc,
    field_line,
    field_row,
    fit_font_size,
    grid_table,
    layout_table,
    nfc,
    page_spec,
    para,
    procedure_label,
    signature_block,
    title_block,
    two_digits,
    vn_datetime,
)

__all__ = [
    "OfficeHeader",
    "PaperLine",
    "ReceiptData",
    "build_receipt_pdf",
    "COPY_LABELS",
    "TITLE",
    "NO_DEADLINE",
]

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
COPY_LABELS = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")
NO_DEADLINE = "Không có ngày hẹn trả cụ thể theo quy định"
QR_CAPTION = "Quét để tra cứu tình trạng hồ sơ"
FOOTNOTE = (
    "Lưu ý: Ông/Bà vui lòng mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả này khi đến nhận kết quả "
    "giải quyết hồ sơ."
)


@dataclass(frozen=True)
class PaperLine:
    name: str
    original: bool
    copy: bool
    count: int


@dataclass(frozen=True)
class ReceiptData:
    header: OfficeHeader
    code: str  # dossier code, e.g. "000.17.22.H56-261122-1001"
    lookup_url: str | None  # status lookup URL for the QR (omit the QR if None)
    receiving_unit: str  # the center
    competent_unit: str  # cơ quan chủ trì giải quyết
    applicant_name: str
    applicant_id_number: str  # may be ""
    address: str
    phone: str
    email: str  # may be ""
    channel: str  # display text, e.g. "Trực tiếp"
    procedure_name: str
    procedure_code: str
    papers: tuple[PaperLine, ...]
    sets_count: int
    duration_text: str  # e.g. "03 ngày làm việc"
    received_at: datetime  # aware, Asia/Ho_Chi_Minh
    due_at: datetime | None  # None -> "Không có ngày hẹn trả cụ thể theo quy định"
    return_method: str  # e.g. "Tại Trung tâm Phục vụ hành chính công"
    fee_text: str  # "" if none
    volume: str  # Quyển số, e.g. "1/2026"
    number: int  # Số thứ tự
    clerk_name: str
    note: str = ""


def _code_block(data: ReceiptData, styles: Styles, width: float, spec: PageSpec) -> Flowable:
    """ "Mã hồ sơ: …" with the Code128 symbol (left) and the QR with its caption (right)."""
    small = spec.name == "A5"
    qr_size = (19 if small else 23) * mm
    right_w = max(qr_size + 6 * mm, (30 if small else 36) * mm) if data.lookup_url else 0
    left_w = width - right_w
    code_line = para(f"Mã hồ sơ: <b>{esc(data.code)}</b>", styles.center, markup=True)
    bars = Code128Flowable(data.code, bar_height=(9 if small else 11) * mm, text_size=max(styles.size - 2, 7))
    left = [code_line, Spacer(1, styles.size * 0.3), bars]
    if not data.lookup_url:
        return layout_table([[left]], [width], valign="MIDDLE", align="CENTER")
    right = [QRFlowable(data.lookup_url, size=qr_size), para(QR_CAPTION, styles.small_center)]
    return layout_table([[left, right]], [left_w, right_w], valign="MIDDLE", align="CENTER")


def _papers_table(data: ReceiptData, styles: Styles, width: float) -> Flowable:
    fixed = [9 * mm, 17 * mm, 15 * mm, 15 * mm] if width > 140 * mm else [7 * mm, 13 * mm, 11 * mm, 12 * mm]
    col_widths = [fixed[0], width - sum(fixed), fixed[1], fixed[2], fixed[3]]
    head = [["TT", "Tên giấy tờ", "Bản chính", "Bản sao", "Số lượng"]]
    rows = [
        [str(i), p.name, "x" if p.original else "", "x" if p.copy else "", two_digits(p.count)]
        for i, p in enumerate(data.papers, start=1)
    ]
    if not rows:
        rows = [["", "(Không có)", "", "", ""]]
    return grid_table(head, rows, col_widths, styles, aligns=["CENTER", "LEFT", "CENTER", "CENTER", "CENTER"])


def _copy_story(data: ReceiptData, label: str, styles: Styles, spec: PageSpec) -> list[Flowable]:
    w = spec.width
    s = styles
    gap = s.size * 0.35
    story: list[Flowable] = [HeaderBlock(data.header, s, when=data.received_at)]
    story += title_block(TITLE, s, subtitles=[f"({label})"], space_before=s.size * 0.8)
    story.append(_code_block(data, s, w, spec))
    story.append(Spacer(1, gap))

    procedure = procedure_label(data.procedure_name, data.procedure_code)
    story += [
        field_line("Cơ quan tiếp nhận hồ sơ:", data.receiving_unit, s),
        field_line("Cơ quan chủ trì giải quyết:", data.competent_unit, s),
        field_line("Tiếp nhận hồ sơ của:", data.applicant_name, s, bold_value=True),
        field_line("Địa chỉ:", data.address, s),
        field_row([("Số điện thoại:", data.phone), ("Email:", data.email)], s, w, ratios=[0.42, 0.58]),
        field_row(
            [("Số CCCD/Định danh:", data.applicant_id_number), ("Hình thức nộp:", data.channel)],
            s,
            w,
            ratios=[0.42, 0.58],
        ),
        field_line("Nội dung yêu cầu giải quyết:", procedure, s, bold_value=True),
        field_line("1. Thành phần hồ sơ nộp gồm:", "", s),
        Spacer(1, gap * 0.6),
        _papers_table(data, s, w),
        Spacer(1, gap * 0.6),
        field_line("2. Số lượng hồ sơ:", f"{two_digits(data.sets_count)} (bộ)", s),
        field_line("3. Thời gian giải quyết hồ sơ theo quy định là:", data.duration_text, s),
        field_line("4. Thời gian nhận hồ sơ:", vn_datetime(data.received_at), s),
        field_line(
            "5. Thời gian trả kết quả giải quyết hồ sơ:",
            vn_datetime(data.due_at) if data.due_at is not None else NO_DEADLINE,
            s,
            bold_value=True,
        ),
        field_line("6. Đăng ký nhận kết quả tại:", data.return_method, s),
    ]
    if nfc(data.fee_text).strip():
        story.append(field_line("Lệ phí:", data.fee_text, s))
    if nfc(data.note).strip():
        story.append(field_line("Ghi chú:", data.note, s))
    story.append(
        field_row(
            [("Vào Sổ theo dõi hồ sơ, Quyển số:", data.volume), ("Số thứ tự:", str(data.number))],
            s,
            w,
            ratios=[0.6, 0.4],
        )
    )
    story.append(Spacer(1, gap * 1.5))
    story.append(
        signature_block(
            [Signer("NGƯỜI NỘP HỒ SƠ"), Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.clerk_name)],
            s,
            w,
            space=s.size * (4.2 if spec.name == "A4" else 3.4),
        )
    )
    story.append(Spacer(1, gap * 1.5))
    story.append(para(FOOTNOTE, s.small_italic))
    if data.lookup_url:
        story.append(field_line("Tra cứu tình trạng hồ sơ tại:", data.lookup_url, s, style=s.small_italic))
    return story


def build_receipt_pdf(data: ReceiptData, *, page_size: str = "A4") -> bytes:
    """Form 01 in two copies ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ") as PDF bytes."""
    spec = page_spec(page_size, compact=True)
    minimum = spec.font_size - (3 if spec.name == "A4" else 2)
    styles = fit_font_size(lambda st: _copy_story(data, COPY_LABELS[0], st, spec), spec, minimum=minimum)
    sections = [
        Section(
            _copy_story(data, label, styles, spec),
            label=label,
            running_header=f"{TITLE} - Mã hồ sơ: {data.code}",
        )
        for label in COPY_LABELS
    ]
    return build_pdf(
        sections, spec, styles, title=f"{TITLE} {nfc(data.code)}", subject=nfc(data.procedure_name)
    )
