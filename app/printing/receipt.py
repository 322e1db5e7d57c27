"""Form 01: GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ (DOMAIN.md §3), printed in two copies.

``build_receipt_pdf(data, page_size="A4" | "A5") -> bytes``: page 1 is "Liên 1: Lưu", page 2 is
"Liên 2: Giao người nộp hồ sơ".  Each copy is a complete form on one page, in the largest type that
fits it (see :func:`app.printing.common.fit_story`); the copy is laid out once and drawn on both pages.
A list of papers too long even at the smallest type flows onto a continuation page of that same copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer

from app.printing.barcodes import Code128Flowable, QRFlowable
from app.printing.common import (
    Columns,
    HeaderBlock,
    OfficeHeader,
    PageSpec,
    Section,
    Signer,
    Styles,
    build_pdf,
    draw_form_number,
    esc,
    field_line,
    field_row,
    fit_story,
    grid_table,
    nfc,
    one_page_pdf,
    page_spec,
    para,
    procedure_label,
    signature_block,
    title_block,
    two_digits,
    vn_datetime,
)
from app.printing.fonts import BOLD, ITALIC

__all__ = [
    "OfficeHeader",
    "PaperLine",
    "ReceiptData",
    "build_receipt_pdf",
    "receipt_styles",
    "COPY_LABELS",
    "TITLE",
    "NO_DEADLINE",
    "FORM_NUMBER",
]

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
FORM_NUMBER = "Mẫu số 01"
COPY_LABELS = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")
NO_DEADLINE = "Không có ngày hẹn trả cụ thể theo quy định"
QR_CAPTION = "Quét để tra cứu tình trạng hồ sơ"
FOOTNOTE_COUNTER = (
    "Lưu ý: Ông/Bà vui lòng mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả này khi đến nhận kết quả "
    "giải quyết hồ sơ."
)
FOOTNOTE_POST = (
    "Lưu ý: Kết quả giải quyết hồ sơ được gửi qua dịch vụ bưu chính công ích đến địa chỉ của Ông/Bà ghi "
    "trên giấy này; Ông/Bà giữ giấy này để tra cứu và đối chiếu khi nhận kết quả."
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
    applicant_id_number: str  # may be "" (then the line is left out)
    address: str
    phone: str
    email: str  # may be "" (then the line is left out)
    channel: str  # display text, e.g. "Trực tiếp"
    procedure_name: str
    procedure_code: str
    papers: tuple[PaperLine, ...]
    sets_count: int
    duration_text: str  # e.g. "03 ngày làm việc"
    received_at: datetime  # aware, Asia/Ho_Chi_Minh
    due_at: datetime | None  # None -> "Không có ngày hẹn trả cụ thể theo quy định"
    return_method: str  # e.g. "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    fee_text: str  # "" if none
    volume: str  # Quyển số, e.g. "1/2026"
    number: int  # Số thứ tự
    clerk_name: str
    note: str = ""
    in_person: bool = True  # filed at the counter: the citizen signs; False for post / online
    result_by_post: bool = False  # the result goes by post: no "bring this paper" footnote
    form_number: str = FORM_NUMBER


class CopyLabel(Flowable):
    """The italic "(Liên 1: Lưu)" under the title: one laid-out copy is drawn once per label."""

    def __init__(self, labels: tuple[str, ...], styles: Styles):
        super().__init__()
        self.labels = tuple(f"({nfc(x)})" for x in labels)
        self.current = self.labels[0]
        self.size = styles.size
        self.leading = styles.center_italic.leading

    def wrap(self, availWidth: float, availHeight: float):  # noqa: N803 (reportlab API)
        self.width = availWidth
        self.height = self.leading
        return self.width, self.height

    def draw(self) -> None:
        if not self.current:
            return
        self.canv.setFont(ITALIC, self.size)
        self.canv.drawCentredString(self.width / 2, self.leading - self.size, self.current)


def _code_block(data: ReceiptData, styles: Styles, width: float, spec: PageSpec) -> Flowable:
    """ "Mã hồ sơ: …" and, under it across the page, the Code128 symbol wide enough to scan at 100 dpi."""
    small = spec.name == "A5"
    code_line = para(f"Mã hồ sơ: <b>{esc(data.code)}</b>", styles.center, markup=True)
    bars = Code128Flowable(data.code, bar_height=(9 if small else 11) * mm, text_size=max(styles.size - 3, 7))
    return Columns([[code_line, Spacer(1, styles.size * 0.2), bars]], [width], aligns=["CENTER"])


def _papers_table(data: ReceiptData, styles: Styles, width: float) -> Flowable:
    head = [["TT", "Tên giấy tờ", "Bản chính", "Bản sao", "Số lượng"]]
    # the short columns as wide as their titles on one line (a title broken over two lines costs a row)
    pad = 2 * max(styles.cell_size * 0.25, 1.5) + 3
    fixed = [stringWidth(t, BOLD, styles.cell_size) + pad for t in ("TT", "Bản chính", "Bản sao", "Số lượng")]
    col_widths = [fixed[0], width - sum(fixed), fixed[1], fixed[2], fixed[3]]
    rows = [
        [str(i), p.name, "x" if p.original else "", "x" if p.copy else "", two_digits(p.count)]
        for i, p in enumerate(data.papers, start=1)
    ]
    if not rows:
        rows = [["", "(Không có)", "", "", ""]]
    return grid_table(head, rows, col_widths, styles, aligns=["CENTER", "LEFT", "CENTER", "CENTER", "CENTER"])


def _pairs(pairs: list[tuple[str, object]], s: Styles, w: float) -> list[Flowable]:
    """Two fields side by side; an empty one is left out rather than printed as a bare label."""
    kept = [(label, value) for label, value in pairs if nfc(value).strip()]
    if len(kept) == 2:
        return [field_row(kept, s, w, ratios=[0.42, 0.58])]
    return [field_line(label, value, s) for label, value in kept]


def _footer(data: ReceiptData, s: Styles, width: float, spec: PageSpec) -> Flowable:
    """The footnote and the lookup address, with the status QR beside them."""
    note = FOOTNOTE_POST if data.result_by_post else FOOTNOTE_COUNTER
    left: list[Flowable] = [para(note, s.small_italic)]
    if not data.lookup_url:
        return Columns([left], [width])
    left.append(field_line("Tra cứu tình trạng hồ sơ tại:", data.lookup_url, s, style=s.small_italic))
    qr_size = (19 if spec.name == "A5" else 24) * mm
    caption_w = max(qr_size, stringWidth(QR_CAPTION, ITALIC, s.small_center.fontSize) * 0.55) + 4 * mm
    right = [QRFlowable(data.lookup_url, size=qr_size), para(QR_CAPTION, s.small_center)]
    return Columns([left, right], [width - caption_w, caption_w], valign="MIDDLE", aligns=["LEFT", "RIGHT"])


def _copy_story(data: ReceiptData, labels: tuple[str, ...], styles: Styles, spec: PageSpec) -> list[Flowable]:
    w = spec.width
    s = styles
    gap = s.size * 0.35
    story: list[Flowable] = [HeaderBlock(data.header, s, when=data.received_at)]
    title = title_block(TITLE, s, space_before=s.size * 0.5)
    story += [*title[:-1], CopyLabel(labels, s), title[-1]]
    story.append(_code_block(data, s, w, spec))
    story.append(Spacer(1, gap))

    procedure = procedure_label(data.procedure_name, data.procedure_code)
    story += [
        field_line("Cơ quan tiếp nhận hồ sơ:", data.receiving_unit, s),
        field_line("Cơ quan chủ trì giải quyết:", data.competent_unit, s),
        field_line("Tiếp nhận hồ sơ của:", data.applicant_name, s, bold_value=True),
    ]
    if nfc(data.address).strip():
        story.append(field_line("Địa chỉ:", data.address, s))
    story += _pairs([("Số điện thoại:", data.phone), ("Email:", data.email)], s, w)
    story += _pairs([("Số CCCD/Định danh:", data.applicant_id_number), ("Hình thức nộp:", data.channel)], s, w)
    story += [
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
    # A dossier that came by post or online has nobody at the counter to sign for it.
    signers = [Signer("NGƯỜI NỘP HỒ SƠ")] if data.in_person else []
    signers.append(Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.clerk_name))
    story.append(signature_block(signers, s, w, space=s.size * (4.2 if spec.name == "A4" else 3.4)))
    story.append(Spacer(1, gap * 1.5))
    story.append(_footer(data, s, w, spec))
    return story


def _spec_and_minimum(page_size: str) -> tuple[PageSpec, float]:
    spec = page_spec(page_size, compact=True)
    return spec, spec.font_size - (3 if spec.name == "A4" else 2)


def receipt_styles(data: ReceiptData, *, page_size: str = "A4") -> Styles:
    """The type the receipt prints in (the largest that fits one page per copy)."""
    spec, minimum = _spec_and_minimum(page_size)
    return fit_story(lambda st: _copy_story(data, COPY_LABELS, st, spec), spec, minimum=minimum)[0]


def build_receipt_pdf(data: ReceiptData, *, page_size: str = "A4") -> bytes:
    """Form 01 in two copies ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ") as PDF bytes."""
    spec, minimum = _spec_and_minimum(page_size)
    styles, story, page = fit_story(lambda st: _copy_story(data, COPY_LABELS, st, spec), spec, minimum=minimum)
    title, subject = f"{TITLE} {nfc(data.code)}", nfc(data.procedure_name)
    if page is not None:
        # The copy is drawn once into a form XObject that every page shows; only the label differs.
        label = next(f for f in story if isinstance(f, CopyLabel))
        x, top = spec.left, spec.size[1] - spec.top

        def copy(index: int):
            def draw(canv) -> None:
                if index == 0:
                    canv.beginForm("receipt_copy")
                    label.current = ""
                    draw_form_number(canv, spec, data.form_number)
                    page.draw(canv, x, top)
                    canv.endForm()
                canv.doForm("receipt_copy")
                label.current = label.labels[index]
                page.draw(canv, x, top, only=label)

            return draw

        return one_page_pdf([copy(i) for i in range(len(COPY_LABELS))], spec, title=title, subject=subject)
    # Too long for one page even in the smallest type: each copy flows over its own numbered pages.
    sections = [
        Section(
            _copy_story(data, (label,), styles, spec),
            label=label,
            running_header=f"{TITLE} - Mã hồ sơ: {data.code}",
            form_number=data.form_number,
        )
        for label in COPY_LABELS
    ]
    return build_pdf(sections, spec, styles, title=title, subject=subject)
