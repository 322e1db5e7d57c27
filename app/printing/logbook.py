"""Form 07: SỔ THEO DÕI HỒ SƠ (DOMAIN.md §3), A4 landscape, in type a person reads without glasses.

Four documents share one table:

* :func:`build_daybook_pdf`: the pages of one closed day of a volume (``Quyển số``), numbered as the
  next pages of that volume, ending with the day's totals and signature lines; a reprint says so;
  an unclosed day can be printed as an automatic archive copy without volume page numbers;
* :func:`build_volume_end_pdf`: the page that closes a volume at the end of the year (khóa sổ);
* :func:`build_cover_pdf`: the volume's cover;
* :func:`build_logbook_pdf`: an extract (any list of lines: a month, search results), titled as an
  extract so that it is never taken for book pages.

Rows are as tall as their text needs (9 pt, wrapped). A cell whose text would make its row taller than
:data:`MAX_CELL_LINES` lines is shortened with a visible mark, and its whole text is printed after the
table ("Ghi đầy đủ các ô dài"), so that no stored text can make the book fail to print and none is lost.
Cell texts come as plain strings (:func:`line_values`), so a closed day can be reprinted from what was
stored when it was closed, identically.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)

from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    PageSpec,
    Signer,
    Styles,
    esc,
    grid_table,
    layout_table,
    nfc,
    para,
    place_date_line,
    short_date,
    short_datetime,
    signature_block,
    to_local,
    vn_date,
)
from app.printing.fonts import BOLD, ITALIC, REGULAR, register_fonts

__all__ = [
    "LogbookLine",
    "LogbookData",
    "LogbookColumn",
    "LOGBOOK_COLUMNS",
    "DEFAULT_COLUMNS",
    "BookRow",
    "BookUpdate",
    "DayTotals",
    "DayBookData",
    "VolumeEndData",
    "CoverData",
    "line_values",
    "build_logbook_pdf",
    "build_daybook_pdf",
    "build_volume_end_pdf",
    "build_cover_pdf",
    "TITLE",
    "EXTRACT_TITLE",
    "CELL_SIZE",
]

TITLE = "SỔ THEO DÕI HỒ SƠ"
EXTRACT_TITLE = "TRÍCH SỔ THEO DÕI HỒ SƠ"
BASE_SIZE = 11.0  # titles, totals, signatures
CELL_SIZE = 9.0  # table text (issue: >= 9 pt on A4 landscape)
FOOT_SIZE = 9.0  # page numbers, running header
MAX_CELL_LINES = 12  # a longer cell is shortened in the table and printed whole after it
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

# --- every text this module prints (one place, for a later translation) ------------------------------
T = {
    "extract_note": "Bản trích để tra cứu, không thay cho các trang sổ đã chốt",
    "volume": "Quyển số: {volume}",
    "device": "Máy: {device}",
    "day_title": "Ngày {day} ({weekday})",
    "numbers": "Ghi từ số {first} đến số {last}",
    "no_lines": "Không có hồ sơ nào được tiếp nhận vào sổ trong ngày.",
    "no_lines_period": "Không có hồ sơ trong kỳ.",
    "late_title": "Các dòng ghi sau khi đã chốt sổ ngày nhận hồ sơ",
    "updates_title": "CẬP NHẬT CÁC DÒNG ĐÃ IN",
    "updates_intro": "Những dòng đã in ở các trang trước, có thông tin thay đổi sau khi in:",
    "upd_number": "Số TT (quyển)",
    "upd_code": "Mã hồ sơ",
    "upd_received": "Ngày nhận hồ sơ",
    "upd_changes": "Nội dung cập nhật",
    "long_title": "GHI ĐẦY ĐỦ CÁC Ô DÀI",
    "long_mark": "… [xem *{k} ở cuối]",
    "long_item": "*{k} – Số {number}, cột “{column}”: ",
    "totals_title": "TỔNG HỢP NGÀY {day}",
    "t_received": "Tiếp nhận: {n} hồ sơ ({sets} bộ)",
    "t_range": ", ghi từ số {first} đến số {last}",
    "t_cancelled": "; trong đó {n} hồ sơ đã hủy do nhập nhầm (không tính vào các số dưới đây)",
    "t_by_field": "Theo lĩnh vực: {items}",
    "t_by_channel": "Theo hình thức nộp: {items}",
    "t_returned": "Trả kết quả trong ngày: {n} hồ sơ",
    "t_verdicts": " (trước hạn {early}, đúng hạn {on_time}, quá hạn {late})",
    "t_late": "Ghi thêm {n} dòng nhận trước ngày này (số {numbers})",
    "t_updates": "Cập nhật {n} dòng đã in ở các trang trước",
    "t_none": "không có",
    "preparer": "NGƯỜI LẬP SỔ",
    "sign_hint": "(Ký, ghi rõ họ tên)",
    "reprint": "BẢN IN LẠI – bản in đầu lúc {first}",
    "reprint_line": "Bản in lại lúc {now}; bản in đầu lúc {first}.",
    "provisional": "BẢN LƯU TỰ ĐỘNG – NGÀY CHƯA CHỐT SỔ (lập lúc {now})",
    "page": "Trang {n}",
    "page_of_day": "Ngày {day}: trang {i}/{k}",
    "page_doc": "Trang {i}/{k}",
    "page_extract": "Trang {i}/{k} của bản trích",
    "continued": " (tiếp theo)",
    "end_title": "KHÓA SỔ",
    "end_text": "Sổ này có {pages} trang, ghi từ số {first} đến số {last}, khóa sổ {day}.",
    "end_empty": "Sổ này có {pages} trang, không ghi dòng nào, khóa sổ {day}.",
    "end_detail": "Số dòng đã ghi: {lines}. Số ngày đã chốt sổ: {days}, từ ngày {first_day} đến ngày {last_day}.",
    "end_next": "Hồ sơ tiếp nhận từ năm {year} ghi vào Quyển số {volume}.",
    "cover_year": "NĂM {year}",
    "cover_device": "Máy tiếp nhận: {device} (số hiệu máy {slot})",
    "cover_agency": "Mã cơ quan: {agency}",
    "cover_start": "Bắt đầu ghi sổ: {start}",
    "cover_end": "Khóa sổ: {end}",
    "cover_dots": "ngày ..... tháng ..... năm ........",
}


@dataclass(frozen=True)
class LogbookLine:
    number: int  # Số thứ tự in the volume (TT)
    code: str
    procedure_name: str
    sets_count: int
    applicant_name: str
    address: str
    phone: str
    competent_unit: str
    received_at: datetime
    due_at: datetime | None  # None: no statutory deadline
    transferred_at: datetime | None = None  # Ngày chuyển hồ sơ
    result_received_at: datetime | None = None  # Ngày nhận kết quả (from the competent unit)
    returned_at: datetime | None = None  # Ngày trả kết quả (to the citizen)
    return_method: str = ""  # Phương thức nhận kết quả
    signed_by: str = ""  # Ký nhận: name of who collected, "" leaves room to sign
    note: str = ""


@dataclass(frozen=True)
class LogbookColumn:
    title: str
    kind: str  # "num" | "code" | "date" | "text" | "sign"
    weight: float = 1.0  # share of the free width (text columns)
    width_mm: float = 0.0  # fixed width (num / date / sign / short text columns)


LOGBOOK_COLUMNS: dict[str, LogbookColumn] = {
    "tt": LogbookColumn("TT", "num", width_mm=10),
    "code": LogbookColumn("Mã hồ sơ", "code"),
    "procedure": LogbookColumn("Tên TTHC", "text", weight=1.6),
    "sets": LogbookColumn("Số lượng hồ sơ (bộ)", "num", width_mm=12),
    "applicant": LogbookColumn("Tên cá nhân, tổ chức", "text", weight=1.1),
    "address_phone": LogbookColumn("Địa chỉ, số điện thoại", "text", weight=1.3),
    "competent_unit": LogbookColumn("Cơ quan chủ trì giải quyết", "text", weight=1.0),
    "received": LogbookColumn("Ngày nhận hồ sơ", "date", width_mm=17.2),
    "due": LogbookColumn("Ngày hẹn trả kết quả", "date", width_mm=17.2),
    "transferred": LogbookColumn("Ngày chuyển hồ sơ", "date", width_mm=17.2),
    "result_received": LogbookColumn("Ngày nhận kết quả", "date", width_mm=17.2),
    "returned": LogbookColumn("Ngày trả kết quả", "date", width_mm=17.2),
    "return_method": LogbookColumn("Phương thức nhận kết quả", "text", width_mm=16),
    "signature": LogbookColumn("Ký nhận", "sign", width_mm=15),
    "note": LogbookColumn("Ghi chú", "text", weight=0.9),
}
DEFAULT_COLUMNS: tuple[str, ...] = tuple(LOGBOOK_COLUMNS)


# --- cell texts ---------------------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    t = to_local(value)
    return f"{t.day:02d}/{t.month:02d}/{t.year}\n{t.hour:02d}:{t.minute:02d}"  # strftime is 3x slower


def _address_phone(line: LogbookLine) -> str:
    parts = [nfc(line.address).strip(), nfc(line.phone).strip()]
    return "; ".join(p for p in parts if p)


_VALUES: dict[str, Callable[[LogbookLine], str]] = {
    "tt": lambda ln: str(ln.number),
    "code": lambda ln: nfc(ln.code),
    "procedure": lambda ln: nfc(ln.procedure_name),
    "sets": lambda ln: f"{ln.sets_count:02d}",
    "applicant": lambda ln: nfc(ln.applicant_name),
    "address_phone": _address_phone,
    "competent_unit": lambda ln: nfc(ln.competent_unit),
    "received": lambda ln: _when(ln.received_at),
    "due": lambda ln: _when(ln.due_at) if ln.due_at is not None else "Không\ncó hạn",
    "transferred": lambda ln: _when(ln.transferred_at),
    "result_received": lambda ln: _when(ln.result_received_at),
    "returned": lambda ln: _when(ln.returned_at),
    "return_method": lambda ln: nfc(ln.return_method),
    "signature": lambda ln: nfc(ln.signed_by),
    "note": lambda ln: nfc(ln.note),
}


def line_values(line: LogbookLine) -> dict[str, str]:
    """Every column's cell text for a line, as printed ("\\n" breaks a date from its time)."""
    return {key: fn(line) for key, fn in _VALUES.items()}


@dataclass(frozen=True)
class BookRow:
    """A printed line: its number in the volume and its cell texts keyed like LOGBOOK_COLUMNS."""

    number: int
    values: Mapping[str, str]

    @staticmethod
    def of(line: LogbookLine) -> BookRow:
        return BookRow(line.number, line_values(line))


@dataclass(frozen=True)
class BookUpdate:
    """A line printed on an earlier page whose values changed since: what it says now."""

    volume: str
    number: int
    code: str
    received: str  # "13/11/2026"
    changes: tuple[tuple[str, str], ...]  # (column key, new cell text)


@dataclass(frozen=True)
class DayTotals:
    received: int = 0  # lines of the day, cancelled ones excluded
    sets: int = 0
    cancelled: int = 0
    first_number: int | None = None  # the day's own lines (not the late ones)
    last_number: int | None = None
    by_field: tuple[tuple[str, int], ...] = ()
    by_channel: tuple[tuple[str, int], ...] = ()
    returned: int = 0
    returned_early: int = 0
    returned_on_time: int = 0
    returned_late: int = 0
    late_numbers: tuple[int, ...] = ()  # lines received on an earlier day, written after it was closed
    updates: int = 0


@dataclass(frozen=True)
class DayBookData:
    header: OfficeHeader
    volume: str  # "1/2026"
    device_name: str
    day: date
    rows: tuple[BookRow, ...]  # the day's lines and the late ones, by number
    updates: tuple[BookUpdate, ...]
    totals: DayTotals
    first_page: int | None  # the volume's page number of the first page; None: the day is not closed
    printed_at: datetime  # first print (closing) or, for an unclosed day, when this copy was made
    preparer_name: str = ""  # người lập sổ: who closed the day
    signer_title: str = "LÃNH ĐẠO ĐƠN VỊ"
    signer_name: str = ""
    reprinted_at: datetime | None = None  # set on a reprint: says "Bản in lại"
    columns: tuple[str, ...] = DEFAULT_COLUMNS


@dataclass(frozen=True)
class VolumeEndData:
    header: OfficeHeader
    volume: str
    device_name: str
    year: int
    first_page: int  # the volume's page number of this document's first page
    pages: int  # "Sổ này có … trang": the volume's last page, this document's last
    first_number: int | None
    last_number: int | None
    lines: int
    days: int  # closed days
    first_day: date | None
    last_day: date | None
    closed_on: date
    next_volume: str = ""  # where the new year is written, e.g. "1/2027"
    rows: tuple[BookRow, ...] = ()  # lines written after the last day was closed, printed here
    preparer_name: str = ""
    signer_title: str = "LÃNH ĐẠO ĐƠN VỊ"
    signer_name: str = ""
    printed_at: datetime | None = None
    reprinted_at: datetime | None = None
    columns: tuple[str, ...] = DEFAULT_COLUMNS


@dataclass(frozen=True)
class CoverData:
    header: OfficeHeader
    volume: str
    year: int
    device_name: str
    slot: int
    agency_code: str
    started_on: date | None = None
    closed_on: date | None = None


@dataclass(frozen=True)
class LogbookData:
    """An extract: any lines (a period, search results), printed as a list, never as book pages."""

    header: OfficeHeader
    volume: str  # Quyển số, e.g. "1/2026" (several joined by ", ")
    period_from: date
    period_to: date
    lines: tuple[LogbookLine, ...]
    printed_at: datetime  # header date line
    columns: tuple[str, ...] = DEFAULT_COLUMNS  # keys of LOGBOOK_COLUMNS, in print order
    scope: str = ""  # what was selected, e.g. "Trạng thái: Quá hạn"


# --- page geometry and styles -------------------------------------------------------------------------

SPEC = PageSpec("A4", (297 * mm, 210 * mm), 12 * mm, 10 * mm, 15 * mm, 13 * mm, BASE_SIZE)


def _styles() -> Styles:
    s = Styles(BASE_SIZE, cell_size=CELL_SIZE)
    s.section = ParagraphStyle("section", fontName=BOLD, fontSize=BASE_SIZE, leading=BASE_SIZE * 1.25,
                               alignment=TA_LEFT, spaceBefore=BASE_SIZE * 0.6, spaceAfter=BASE_SIZE * 0.3)
    s.totals = ParagraphStyle("totals", fontName=REGULAR, fontSize=BASE_SIZE, leading=BASE_SIZE * 1.3,
                              leftIndent=5 * mm, bulletIndent=0)
    s.long = ParagraphStyle("long", fontName=REGULAR, fontSize=CELL_SIZE + 0.5, leading=(CELL_SIZE + 0.5) * 1.25,
                            alignment=TA_LEFT, spaceAfter=2)
    s.banner = ParagraphStyle("banner", fontName=BOLD, fontSize=BASE_SIZE, leading=BASE_SIZE * 1.25,
                              alignment=TA_CENTER)
    return s


# --- the table ---------------------------------------------------------------------------------------


@dataclass
class _LongTexts:
    """Cells shortened in the table; printed whole after it."""

    items: list[tuple[int, int, str, str]] = field(default_factory=list)  # (k, number, column title, text)

    def add(self, number: int, key: str, text: str) -> int:
        k = len(self.items) + 1
        self.items.append((k, number, LOGBOOK_COLUMNS[key].title, text))
        return k


def _pad(styles: Styles) -> float:
    return 2 * (max(styles.cell_size * 0.25, 1.5) + 0.5) + 1


def _code_text(code: str, width: float, styles: Styles) -> str:
    """A dossier code on two lines (agency / date and number) when it does not fit on one."""
    if stringWidth(code, REGULAR, styles.cell_size) <= width - _pad(styles):
        return code
    head, sep, tail = code.partition("-")
    return f"{head}{sep}\n{tail}" if sep else code


def _widths(keys: list[str], rows: Sequence[BookRow], styles: Styles, width: float) -> list[float]:
    fixed: dict[str, float] = {}
    pad = _pad(styles)
    for k in keys:
        col = LOGBOOK_COLUMNS[k]
        if col.kind == "code":
            widest = 0.0
            for r in rows:
                code = r.values.get("code", "")
                head, sep, tail = code.partition("-")
                parts = (head + sep, tail) if sep else (code,)
                widest = max(widest, *(stringWidth(p, REGULAR, styles.cell_size) for p in parts))
            fixed[k] = max(widest + pad, 20 * mm)
        elif col.width_mm:
            fixed[k] = col.width_mm * mm
    free = max(width - sum(fixed.values()), 0)
    weights = sum(LOGBOOK_COLUMNS[k].weight for k in keys if k not in fixed) or 1
    return [fixed.get(k, free * LOGBOOK_COLUMNS[k].weight / weights) for k in keys]


def _fit_chars(text: str, width: float, size: float) -> int:
    """How many leading characters of `text` fit `width` (at least one)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid], REGULAR, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _wrap(text: str, width: float, size: float) -> list[str]:
    """`text` broken into lines of at most `width` (at spaces; a word longer than a line is cut)."""
    out: list[str] = []
    for line in simpleSplit(text, REGULAR, size, width):
        while len(line) > 1 and stringWidth(line, REGULAR, size) > width:
            n = _fit_chars(line, width, size)
            out.append(line[:n])
            line = line[n:]
        out.append(line)
    return out


def _cell(key: str, row: BookRow, width: float, styles: Styles, long: _LongTexts) -> str:
    """A free-text cell, wrapped to its column as plain lines (much faster to lay out than a Paragraph);
    a text longer than MAX_CELL_LINES lines is cut with a mark and kept whole for after the table."""
    text = nfc(row.values.get(key, ""))
    size = styles.cell_size
    inner = width - _pad(styles)
    lines = _wrap(text, inner, size)
    if len(lines) > MAX_CELL_LINES:
        k = long.add(row.number, key, text)
        tail = _wrap(T["long_mark"].format(k=k).strip(), inner, size)
        lines = lines[:MAX_CELL_LINES - len(tail)] + tail
    return "\n".join(lines)


def _table(rows: Sequence[BookRow], columns: Sequence[str], styles: Styles, width: float,
           long: _LongTexts) -> Flowable:
    keys = [k for k in columns if k in LOGBOOK_COLUMNS]
    if not keys:
        raise ValueError("no known logbook column selected")
    widths = _widths(keys, rows, styles, width)
    plain = [i for i, k in enumerate(keys) if LOGBOOK_COLUMNS[k].kind != "sign"]
    aligns = ["LEFT" if LOGBOOK_COLUMNS[k].kind == "text" else "CENTER" for k in keys]
    sign_space = Spacer(1, styles.cell_size * 2.4)
    body = []
    for r in rows:
        out: list[object] = []
        for k, w in zip(keys, widths, strict=True):
            kind = LOGBOOK_COLUMNS[k].kind
            if kind == "sign":
                name = nfc(r.values.get(k, ""))
                out.append([sign_space, para(name, styles.cell_center)] if name else [sign_space])
            elif kind == "code":
                out.append(_code_text(nfc(r.values.get(k, "")), w, styles))
            elif kind in ("num", "date"):
                out.append(nfc(r.values.get(k, "")))
            else:
                out.append(_cell(k, r, w, styles, long))
        body.append(out)
    head = [[LOGBOOK_COLUMNS[k].title for k in keys]]
    numbers = [[para(f"({i})", styles.cell_center) for i in range(1, len(keys) + 1)]]
    return grid_table(head + numbers, body, widths, styles, aligns=aligns, plain_columns=plain, long=True)


def _long_section(long: _LongTexts, styles: Styles) -> list[Flowable]:
    if not long.items:
        return []
    out: list[Flowable] = [para(T["long_title"], styles.section)]
    for k, number, column, text in long.items:
        lead = T["long_item"].format(k=k, number=number, column=column)
        out.append(Paragraph(f"<b>{esc(lead)}</b>{esc(text)}", styles.long))
    return out


# --- the document: pages numbered as the caller says, running header, banner ---------------------------


@dataclass(frozen=True)
class _Decor:
    running: tuple[str, ...]  # lines drawn above the frame on pages after the first
    footer: Callable[[int, int], str]  # (page in this document, pages in it) -> centred text
    footer_right: Callable[[int, int], str] | None = None
    banner: str = ""  # drawn on every page, top right, bold (reprints, archive copies)


def _canvas_class(decor: _Decor):
    class _BookCanvas(rl_canvas.Canvas):
        """Defers page output so each page knows how many pages the document has."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if not kwargs.get("initialFontName"):
                kwargs["initialFontName"] = REGULAR  # never reference a built-in PDF font
            super().__init__(*args, **kwargs)
            self._book_states: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._book_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._book_states)
            for i, st in enumerate(self._book_states, start=1):
                self.__dict__.update(st)
                self._decorate(i, total)
                rl_canvas.Canvas.showPage(self)
            rl_canvas.Canvas.save(self)

        def _decorate(self, page: int, total: int) -> None:
            w, h = SPEC.size
            size = FOOT_SIZE
            self.saveState()
            top = h - SPEC.top
            if decor.banner:  # above the running header's two lines
                self.setFont(BOLD, size)
                self.drawRightString(w - SPEC.right, top + size * (0.9 + 1.25 * 2), decor.banner)
            if page > 1 and decor.running:
                lines = list(decor.running)
                lines[-1] += T["continued"]
                self.setFont(ITALIC, size)
                for i, line in enumerate(reversed(lines)):
                    self.drawString(SPEC.left, top + size * (0.9 + 1.25 * i), line)
            self.setFont(BOLD, size + 1)
            self.drawCentredString(w / 2, SPEC.bottom / 2 - size / 3, decor.footer(page, total))
            if decor.footer_right is not None:
                self.setFont(ITALIC, size)
                self.drawRightString(w - SPEC.right, SPEC.bottom / 2 - size / 3, decor.footer_right(page, total))
            self.restoreState()

    return _BookCanvas


def _build(story: list[Flowable], decor: _Decor, *, title: str) -> tuple[bytes, int]:
    """Lay the story out on A4 landscape; returns the PDF and its page count."""
    register_fonts()
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=SPEC.size, leftMargin=SPEC.left, rightMargin=SPEC.right,
                          topMargin=SPEC.top, bottomMargin=SPEC.bottom, title=nfc(title), author="MotCua",
                          creator="MotCua", invariant=1, initialFontName=REGULAR)
    frame = Frame(SPEC.left, SPEC.bottom, SPEC.width, SPEC.height, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    pages: list[int] = []
    maker = _canvas_class(decor)

    class _Counting(maker):  # type: ignore[misc, valid-type]
        def save(self) -> None:
            pages.append(len(self._book_states))
            super().save()

    doc.build(story, canvasmaker=_Counting)
    return buf.getvalue(), pages[0]


# --- pieces of a day's pages --------------------------------------------------------------------------


def _office_lines(header: OfficeHeader) -> str:
    return f"{nfc(header.parent_body).upper()} - {nfc(header.center_name).upper()}"


def _book_head(header: OfficeHeader, styles: Styles, lines: Sequence[tuple[str, ParagraphStyle]]) -> Flowable:
    """Office on the left, the book's title and the given lines on the right: the top of a day's pages."""
    s = styles
    w = SPEC.width
    left = [para(nfc(header.parent_body).upper(), s.center), para(nfc(header.center_name).upper(), s.center_bold)]
    right: list[Flowable] = [para(TITLE, s.title)]
    right += [para(text, style) for text, style in lines]
    return layout_table([[left, right]], [w * 0.45, w * 0.55])


def _updates_table(updates: Sequence[BookUpdate], styles: Styles) -> list[Flowable]:
    if not updates:
        return []
    s = styles
    w = SPEC.width
    rows = []
    for u in updates:
        text = "; ".join(f"{LOGBOOK_COLUMNS[k].title}: {nfc(v).replace(chr(10), ' ')}" if v else
                         f"{LOGBOOK_COLUMNS[k].title}: (để trống)" for k, v in u.changes)
        rows.append([f"{u.number}\n({u.volume})", u.code, u.received, text])
    widths = [24 * mm, 46 * mm, 26 * mm, w - 96 * mm]
    table = grid_table([[T["upd_number"], T["upd_code"], T["upd_received"], T["upd_changes"]]], rows, widths, s,
                       aligns=["CENTER", "CENTER", "CENTER", "LEFT"], plain_columns=[0, 1, 2], long=True)
    return [para(T["updates_title"], s.section), para(T["updates_intro"], s.italic), Spacer(1, 3), table]


def _count_items(items: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{nfc(name)} {n}" for name, n in items) or T["t_none"]


def _totals(data: DayBookData, styles: Styles) -> list[Flowable]:
    s, t = styles, data.totals
    received = T["t_received"].format(n=t.received, sets=t.sets)
    if t.first_number is not None:
        received += T["t_range"].format(first=t.first_number, last=t.last_number)
    if t.cancelled:
        received += T["t_cancelled"].format(n=t.cancelled)
    returned = T["t_returned"].format(n=t.returned)
    if t.returned:
        returned += T["t_verdicts"].format(early=t.returned_early, on_time=t.returned_on_time, late=t.returned_late)
    items = [received + ".", T["t_by_field"].format(items=_count_items(t.by_field)) + ".",
             T["t_by_channel"].format(items=_count_items(t.by_channel)) + ".", returned + "."]
    if t.late_numbers:
        items.append(T["t_late"].format(n=len(t.late_numbers), numbers=", ".join(map(str, t.late_numbers))) + ".")
    if t.updates:
        items.append(T["t_updates"].format(n=t.updates) + ".")
    # Totals on the left, the two signatures on the right: a short day then fits on one page.
    listed: list[Flowable] = [para(T["totals_title"].format(day=short_date(data.day)), s.section)]
    listed += [Paragraph(esc(text), s.totals, bulletText="-") for text in items]
    w = SPEC.width
    signs = _signatures(data.header, data.day, data.preparer_name, data.signer_title, data.signer_name, s,
                        width=w * 0.5)
    return [Spacer(1, s.size * 0.6),
            KeepTogether([layout_table([[listed, [Spacer(1, s.size * 0.6), signs]]], [w * 0.5, w * 0.5])])]


def _signatures(header: OfficeHeader, day: date, preparer: str, signer_title: str, signer_name: str,
                styles: Styles, *, width: float = SPEC.width) -> Flowable:
    left = Signer(T["preparer"], T["sign_hint"], name=nfc(preparer))
    right = Signer(nfc(signer_title).upper(), T["sign_hint"], name=nfc(signer_name),
                   above=(place_date_line(header.place_name, day),), above_italic=True)
    # The place-and-date line sits above the right column only: the left column gets an empty line.
    left = Signer(left.title, left.hint, name=left.name, above=("\u00a0",), above_italic=True)
    return signature_block([left, right], styles, width, space=styles.size * 3.6, right_only=False, keep=False)


def _day_label(day: date) -> str:
    return T["day_title"].format(day=short_date(day), weekday=WEEKDAYS[day.weekday()])


def build_daybook_pdf(data: DayBookData) -> tuple[bytes, int]:
    """One day's pages of a volume; returns the PDF and its page count.

    With ``first_page`` set the pages are numbered as pages of the volume ("Trang 12"); without it (a
    day nobody has closed yet) the copy says so at the top of every page and is numbered on its own.
    """
    s = _styles()
    long = _LongTexts()
    day_text = _day_label(data.day)
    numbers = [r.number for r in data.rows]
    head_lines: list[tuple[str, ParagraphStyle]] = [
        (f"{T['volume'].format(volume=nfc(data.volume))} – {T['device'].format(device=nfc(data.device_name))}",
         s.center),
        (day_text, s.center_bold),
    ]
    if numbers:
        head_lines.append((T["numbers"].format(first=min(numbers), last=max(numbers)), s.center_italic))
    if data.reprinted_at is not None:
        head_lines.append((T["reprint_line"].format(now=short_datetime(data.reprinted_at),
                                                    first=short_datetime(data.printed_at)), s.center_bold))
    story: list[Flowable] = [_book_head(data.header, s, head_lines), Spacer(1, s.size * 0.5)]
    if data.rows:
        story.append(_table(data.rows, data.columns, s, SPEC.width, long))
    else:
        story.append(para(T["no_lines"], s.center_italic))
    story += _updates_table(data.updates, s)
    story += _long_section(long, s)
    story += _totals(data, s)

    running = (_office_lines(data.header), f"{TITLE} – {T['volume'].format(volume=nfc(data.volume))} – {day_text}")
    if data.first_page is not None:
        first = data.first_page
        banner = (T["reprint"].format(first=short_datetime(data.printed_at))
                  if data.reprinted_at is not None else "")
        decor = _Decor(running, lambda i, k: T["page"].format(n=first + i - 1),
                       lambda i, k: T["page_of_day"].format(day=short_date(data.day), i=i, k=k), banner)
    else:
        decor = _Decor(running, lambda i, k: T["page_doc"].format(i=i, k=k), None,
                       T["provisional"].format(now=short_datetime(data.printed_at)))
    return _build(story, decor, title=f"{TITLE} - Quyển số {nfc(data.volume)} - {short_date(data.day)}")


def build_volume_end_pdf(data: VolumeEndData) -> tuple[bytes, int]:
    """The last page(s) of a volume: lines still unprinted, if any, then how many pages and lines the
    volume holds, when it was closed, and the signatures. Returns the PDF and its page count."""
    s = _styles()
    long = _LongTexts()
    day_text = vn_date(data.closed_on)
    lines = [(f"{T['volume'].format(volume=nfc(data.volume))} – {T['device'].format(device=nfc(data.device_name))}",
              s.center), (T["cover_year"].format(year=data.year), s.center_bold)]
    if data.reprinted_at is not None and data.printed_at is not None:
        lines.append((T["reprint_line"].format(now=short_datetime(data.reprinted_at),
                                               first=short_datetime(data.printed_at)), s.center_bold))
    story: list[Flowable] = [_book_head(data.header, s, lines), Spacer(1, s.size)]
    if data.rows:
        story += [para(T["late_title"], s.section),
                  _table(data.rows, data.columns, s, SPEC.width, long)]
        story += _long_section(long, s)
    big = ParagraphStyle("end", parent=s.normal, fontSize=BASE_SIZE + 2, leading=(BASE_SIZE + 2) * 1.4)
    if data.lines:
        statement = T["end_text"].format(pages=data.pages, first=data.first_number, last=data.last_number,
                                         day=day_text)
    else:
        statement = T["end_empty"].format(pages=data.pages, day=day_text)
    end: list[Flowable] = [Spacer(1, s.size * 2), para(T["end_title"], s.title), Spacer(1, s.size * 1.2),
                           para(statement, big)]
    if data.first_day is not None and data.last_day is not None:
        end.append(para(T["end_detail"].format(lines=data.lines, days=data.days,
                                               first_day=short_date(data.first_day),
                                               last_day=short_date(data.last_day)), s.normal))
    if data.next_volume:
        end.append(para(T["end_next"].format(year=data.year + 1, volume=nfc(data.next_volume)), s.normal))
    end += [Spacer(1, s.size * 1.5),
            _signatures(data.header, data.closed_on, data.preparer_name, data.signer_title, data.signer_name, s)]
    story.append(KeepTogether(end))
    banner = ""
    if data.reprinted_at is not None and data.printed_at is not None:
        banner = T["reprint"].format(first=short_datetime(data.printed_at))
    running = (_office_lines(data.header), f"{TITLE} – {T['volume'].format(volume=nfc(data.volume))} – {T['end_title']}")
    first = data.first_page
    decor = _Decor(running, lambda i, k: T["page"].format(n=first + i - 1), None, banner)
    return _build(story, decor, title=f"{TITLE} - Quyển số {nfc(data.volume)} - khóa sổ")


def build_cover_pdf(data: CoverData) -> bytes:
    """The volume's cover: the office, the book, the year, the volume, the device (not a numbered page)."""
    s = _styles()
    huge = ParagraphStyle("cover_title", fontName=BOLD, fontSize=30, leading=38, alignment=TA_CENTER)
    big = ParagraphStyle("cover_big", fontName=BOLD, fontSize=18, leading=24, alignment=TA_CENTER)
    mid = ParagraphStyle("cover_mid", fontName=REGULAR, fontSize=13, leading=19, alignment=TA_CENTER)
    start = short_date(data.started_on) if data.started_on else T["cover_dots"]
    end = vn_date(data.closed_on) if data.closed_on else T["cover_dots"]
    story: list[Flowable] = [
        HeaderBlock(data.header, s, date_text="", left_ratio=0.45),
        Spacer(1, 30 * mm),
        para(TITLE, huge),
        Spacer(1, 8 * mm),
        para(T["volume"].format(volume=nfc(data.volume)).upper(), big),
        para(T["cover_year"].format(year=data.year), big),
        Spacer(1, 12 * mm),
        para(T["cover_device"].format(device=nfc(data.device_name), slot=data.slot), mid),
        para(T["cover_agency"].format(agency=nfc(data.agency_code)), mid),
        para(T["cover_start"].format(start=start), mid),
        para(T["cover_end"].format(end=end), mid),
    ]
    decor = _Decor((), lambda i, k: "")
    return _build(story, decor, title=f"{TITLE} - Quyển số {nfc(data.volume)} - bìa")[0]


# --- the extract ------------------------------------------------------------------------------------------


def _period(data: LogbookData) -> str:
    if data.period_from == data.period_to:
        return f"Ngày {short_date(data.period_from)}"
    return f"Từ ngày {short_date(data.period_from)} đến ngày {short_date(data.period_to)}"


def build_logbook_pdf(data: LogbookData) -> bytes:
    """An extract of the book (any lines) as an A4 landscape PDF, titled "TRÍCH SỔ THEO DÕI HỒ SƠ" and
    numbered as its own pages, so that it is never mistaken for the volume's pages."""
    s = _styles()
    long = _LongTexts()
    story: list[Flowable] = [
        HeaderBlock(data.header, s, when=data.printed_at, left_ratio=0.4),
        Spacer(1, s.size * 0.6),
        para(EXTRACT_TITLE, s.title),
        para(f"({T['extract_note']})", s.center_italic),
        para(f"Quyển số: <b>{esc(data.volume)}</b>", s.center, markup=True),
        para(_period(data), s.center_italic),
    ]
    if data.scope:
        story.append(para(data.scope, s.center_italic))
    story.append(Spacer(1, s.size * 0.5))
    if data.lines:
        story.append(_table([BookRow.of(ln) for ln in data.lines], data.columns, s, SPEC.width, long))
    else:
        story.append(para(T["no_lines_period"], s.center_italic))
    story += _long_section(long, s)
    running = (_office_lines(data.header), f"{EXTRACT_TITLE} - Quyển số: {nfc(data.volume)} - {_period(data)}")
    decor = _Decor(running, lambda i, k: T["page_extract"].format(i=i, k=k))
    return _build(story, decor, title=f"{EXTRACT_TITLE} - Quyển số {nfc(data.volume)}")[0]
