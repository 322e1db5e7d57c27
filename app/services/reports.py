"""Outputs of the office: the logbook (form 07, Sổ theo dõi hồ sơ) and the statistics (Biểu II.06a)
as Excel, CSV, JSON and PDF.

- Excel (openpyxl): the official header lines, the form's column titles, real date/datetime cells
  formatted dd/mm/yyyy hh:mm, wrapped text, frozen header, A4 landscape, header rows repeated on
  every printed page.
- CSV: UTF-8 with a BOM (Excel then opens Vietnamese correctly), comma separated, dates as text
  ``dd/mm/yyyy HH:MM``.
- PDF: built by ``app.printing.logbook`` and ``app.printing.stats_report`` (imported when called).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select

from app.domain.calendar import TZ
from app.domain.text import search_key
from app.services.database import Database
from app.services.settings import load_settings
from app.services.stats import StatsReport, StatsRow, period_label
from db.models import Dossier, LogbookEntry

__all__ = [
    "LOGBOOK_TITLES",
    "STATS_GROUPS",
    "LogbookLine",
    "logbook_csv",
    "book_line",
    "logbook_lines",
    "logbook_lines_of",
    "logbook_pdf",
    "logbook_span",
    "logbook_extract",
    "Extract",
    "join_pdfs",
    "print_line",
    "logbook_title_info",
    "logbook_xlsx",
    "stats_csv",
    "stats_json",
    "stats_pdf",
    "stats_values",
    "stats_xlsx",
]

LOGBOOK_TITLE = "SỔ THEO DÕI HỒ SƠ"
STATS_TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
STATS_FORM = "Biểu II.06a/VPCP/KSTT"
RETURN_TEXT = {"counter": "Trực tiếp", "post": "Bưu chính"}

# DOMAIN §3, form 07, in print order: (title, width in characters)
LOGBOOK_TITLES: tuple[tuple[str, float], ...] = (
    ("TT", 6), ("Mã hồ sơ", 26), ("Tên TTHC", 34), ("Số lượng hồ sơ (bộ)", 9), ("Tên cá nhân, tổ chức", 22),
    ("Địa chỉ, số điện thoại", 28), ("Cơ quan chủ trì giải quyết", 20), ("Ngày nhận hồ sơ", 16),
    ("Ngày hẹn trả kết quả", 16), ("Ngày chuyển hồ sơ", 16), ("Ngày nhận kết quả", 16),
    ("Ngày trả kết quả", 16), ("Phương thức nhận kết quả", 13), ("Ký nhận", 12), ("Ghi chú", 24),
)
STATS_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tiếp nhận", ("Tổng số", "Trực tuyến", "Trực tiếp, bưu chính", "Từ kỳ trước chuyển sang")),
    ("Đã giải quyết", ("Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn")),
    ("Đang giải quyết", ("Tổng số", "Trong hạn", "Quá hạn")),
    # Not a column of the official form: without it a stopped or withdrawn dossier is received but
    # neither resolved nor in progress, and no row adds up (see app.services.stats).
    ("Dừng giải quyết, rút hồ sơ", ("Tổng số",)),
)
STATS_IDENTITY = "Cột (3) = (4) + (5) + (6) = (7) + (11) + (14); (7) = (8) + (9) + (10); (11) = (12) + (13)."
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


@dataclass(frozen=True)
class LogbookLine:
    number: int  # Số thứ tự in the volume
    volume: str  # Quyển số
    code: str
    procedure_name: str
    sets_count: int
    applicant_name: str
    address_phone: str
    competent_unit: str
    received_at: datetime  # aware, local
    due_at: datetime | None  # the appointment (extension included); None = no deadline
    transferred_at: datetime | None  # Ngày chuyển hồ sơ (first hand-over)
    result_at: datetime | None  # Ngày nhận kết quả (the result came back to the counter)
    returned_at: datetime | None  # Ngày trả kết quả
    return_method: str
    note: str  # the dossier's note, "Gia hạn …", "Dừng: …", "Đã hủy: …"
    address: str = ""
    phone: str = ""


def _loc(dt: datetime | None) -> datetime | None:
    return dt.astimezone(TZ) if dt else None


def _note(d: Dossier) -> str:
    parts = [d.note] if d.note else []
    if d.extensions and d.due_at:
        parts.append(f"Gia hạn đến {d.due_at.astimezone(TZ):%H:%M %d/%m/%Y}")
    if d.status == "supplement":
        parts.append("Chờ bổ sung")
    if d.status == "stopped":
        parts.append(f"Dừng: {d.closed_note}".rstrip(": "))
    if d.status == "cancelled":
        parts.append(f"Đã hủy: {d.closed_note}".rstrip(": "))
    return "; ".join(parts)


def _volume_key(volume: str) -> tuple:
    slot, _, year = volume.partition("/")
    return (year, slot.zfill(3), volume)


# The dossier columns a logbook line is made of (a plain SELECT of these is much faster than ORM rows).
LINE_COLUMNS = (Dossier.id, Dossier.code, Dossier.procedure_name, Dossier.sets_count, Dossier.applicant_name,
                Dossier.address, Dossier.phone, Dossier.competent_unit, Dossier.received_at, Dossier.due_at,
                Dossier.first_transfer_at, Dossier.result_at, Dossier.returned_at, Dossier.return_method,
                Dossier.note, Dossier.extensions, Dossier.status, Dossier.closed_note)


def book_line(d, volume: str, number: int) -> LogbookLine:
    """The logbook line of a dossier (an ORM row or a row of LINE_COLUMNS) at its place in the book."""
    return LogbookLine(
        number=number, volume=volume, code=d.code, procedure_name=d.procedure_name, sets_count=d.sets_count,
        applicant_name=d.applicant_name,
        address_phone="; ".join(p for p in (d.address, d.phone) if p),
        competent_unit=d.competent_unit, received_at=_loc(d.received_at), due_at=_loc(d.due_at),
        transferred_at=_loc(d.first_transfer_at), result_at=_loc(d.result_at),
        returned_at=_loc(d.returned_at), return_method=RETURN_TEXT.get(d.return_method, d.return_method),
        note=_note(d), address=d.address, phone=d.phone,
    )


def print_line(ln: LogbookLine):
    """The same line as app.printing.logbook prints it."""
    from app.printing.logbook import LogbookLine as PrintLine

    return PrintLine(
        number=ln.number, code=ln.code, procedure_name=ln.procedure_name, sets_count=ln.sets_count,
        applicant_name=ln.applicant_name, address=ln.address, phone=ln.phone, competent_unit=ln.competent_unit,
        received_at=ln.received_at, due_at=ln.due_at, transferred_at=ln.transferred_at,
        result_received_at=ln.result_at, returned_at=ln.returned_at, return_method=ln.return_method,
        note=ln.note)


def logbook_lines(db: Database, date_from: date, date_to: date, *, volume: str | None = None) -> list[LogbookLine]:
    """Lines of the book for dossiers received on [date_from, date_to] (local), by volume then number.

    Cancelled dossiers stay in the book (a number is never skipped) with "Đã hủy: <lý do>" in the note.
    """
    with db.reading() as s:
        q = (select(*LINE_COLUMNS, LogbookEntry.volume, LogbookEntry.number)
             .join(LogbookEntry, LogbookEntry.dossier_id == Dossier.id)
             .where(Dossier.received_day >= date_from, Dossier.received_day <= date_to))
        if volume:
            q = q.where(LogbookEntry.volume == volume)
        lines = [book_line(d, d.volume, d.number) for d in s.execute(q)]
    lines.sort(key=lambda ln: (_volume_key(ln.volume), ln.number))
    return lines


def logbook_lines_of(db: Database, dossier_ids: list[str]) -> list[LogbookLine]:
    """Lines of the book for the given dossiers (e.g. a search's results), by volume then number."""
    lines: list[LogbookLine] = []
    with db.reading() as s:
        for i in range(0, len(dossier_ids), 500):
            chunk = dossier_ids[i:i + 500]
            q = (select(*LINE_COLUMNS, LogbookEntry.volume, LogbookEntry.number)
                 .join(LogbookEntry, LogbookEntry.dossier_id == Dossier.id).where(Dossier.id.in_(chunk)))
            lines += [book_line(d, d.volume, d.number) for d in s.execute(q)]
    lines.sort(key=lambda ln: (_volume_key(ln.volume), ln.number))
    return lines


EXTRACT_PDF_LIMIT = 2_000  # a printed extract longer than this is a book, not a list: filter first
EXTRACT_FILE_LIMIT = 200_000


@dataclass(frozen=True)
class Extract:
    """The lines a list on screen shows (every page of it, not only the rows loaded), and their period."""

    lines: list[LogbookLine]
    date_from: date
    date_to: date


def logbook_extract(db: Database, flt, *, limit: int = EXTRACT_PDF_LIMIT) -> Extract:
    """The logbook lines of every dossier matching `flt` (an app.services.search.DossierFilter).

    The period is the filter's received dates, or the first and last day of the lines when it has none.
    Raises ServiceError when more than `limit` dossiers match (a clerk then narrows the filter).
    """
    from app.services.errors import ServiceError
    from app.services.search import search_dossiers

    found = search_dossiers(db, flt, limit=limit, order="number")
    if found.has_more:
        raise ServiceError(f"Danh sách có hơn {limit:,} hồ sơ, quá nhiều cho một bản trích. ".replace(",", ".")
                           + "Hãy lọc thêm (theo ngày nhận, lĩnh vực, trạng thái…) rồi in hoặc xuất lại.")
    lines = logbook_lines_of(db, [r.id for r in found.rows])
    days = [ln.received_at.date() for ln in lines]
    first = flt.received_from or (min(days) if days else db.clock().astimezone(TZ).date())
    last = flt.received_to or (max(days) if days else first)
    return Extract(lines, first, last)


def logbook_span(db: Database) -> tuple[date, date] | None:
    """The first and last day on which any dossier was received (None for an empty book)."""
    with db.reading() as s:
        first, last = s.execute(select(func.min(Dossier.received_day), func.max(Dossier.received_day))).one()
    return (first, last) if first else None


def logbook_title_info(db: Database, date_from: date, date_to: date, *, volume: str | None = None,
                       lines: list[LogbookLine] | None = None) -> dict:
    """The header texts of the book: parent_body, center_name, place_name, volume, period."""
    with db.reading() as s:
        st = load_settings(s)
    volumes = [volume] if volume else sorted({ln.volume for ln in lines or []}, key=_volume_key)
    return {"parent_body": st.parent_body, "center_name": st.center_name, "place_name": st.place_name,
            "volume": ", ".join(volumes), "period": _period_text(date_from, date_to),
            "date_from": date_from, "date_to": date_to}


def _period_text(date_from: date, date_to: date) -> str:
    if date_from == date_to:
        return f"Ngày {date_from:%d/%m/%Y}"
    return f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


# --- Excel helpers --------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(name="Times New Roman", bold=True, size=12)
_NORMAL = Font(name="Times New Roman", size=11)


def _naive(dt: datetime | None) -> datetime | None:
    # Excel has no time zones: local wall-clock time.
    return dt.astimezone(TZ).replace(tzinfo=None) if dt else None


# What any stored text becomes in a spreadsheet cell: openpyxl refuses control characters (one of them
# used to fail the whole export with IllegalCharacterError), a cell holds at most 32,767 characters, and a
# text starting with "=" would become a formula (a name like =HYPERLINK(…) must stay text).
XLSX_MAX_CELL = 32767
_CUT = " … [đã cắt bớt, xem bản đầy đủ]"
_CSV_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value):
    """A value as an .xlsx cell can hold it: illegal characters shown as "�", long text cut with a mark."""
    if isinstance(value, str):
        value = _CSV_CONTROL.sub("\ufffd", ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        if len(value) > XLSX_MAX_CELL:
            value = value[: XLSX_MAX_CELL - len(_CUT)] + _CUT
    return value


def _put(ws: Worksheet, row: int, column: int, value=None):
    cell = ws.cell(row=row, column=column)
    cell.value = cell_text(value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
    return cell


def csv_text(value):
    """A value for a CSV cell: control characters shown as "�"; a text that a spreadsheet would run as a
    formula gets a leading apostrophe (the usual CSV-injection guard)."""
    if isinstance(value, str):
        value = _CSV_CONTROL.sub("\ufffd", value)
        if value.startswith(_FORMULA_START):
            value = "'" + value
    return value


def _merged(ws: Worksheet, row: int, c1: int, c2: int, value: str, font: Font, align: Alignment = _CENTER) -> None:
    ws.merge_cells(start_row=row, start_column=c1, end_row=row, end_column=c2)
    cell = _put(ws, row, c1, value)
    cell.font, cell.alignment = font, align


def _official_header(ws: Worksheet, ncols: int, parent_body: str, center_name: str, left_cols: int) -> None:
    right = left_cols + 2
    _merged(ws, 1, 1, left_cols, (parent_body or "").upper(), Font(name="Times New Roman", size=12))
    _merged(ws, 2, 1, left_cols, (center_name or "").upper(), _BOLD)
    _merged(ws, 1, right, ncols, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _BOLD)
    _merged(ws, 2, right, ncols, "Độc lập - Tự do - Hạnh phúc", Font(name="Times New Roman", bold=True,
                                                                       underline="single", size=12))


def _print_setup(ws: Worksheet, header_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Trang &P/&N"


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the logbook ----------------------------------------------------------------------------------


def _logbook_values(ln: LogbookLine) -> list:
    return [ln.number, ln.code, ln.procedure_name, ln.sets_count, ln.applicant_name, ln.address_phone,
            ln.competent_unit, ln.received_at, ln.due_at, ln.transferred_at, ln.result_at, ln.returned_at,
            ln.return_method, "", ln.note]


LOGBOOK_HEADER_ROW = 8  # column titles; row 9 holds the column numbers (1) … (15); data from row 10


def logbook_xlsx(lines: list[LogbookLine], *, title_info: dict) -> bytes:
    """The book as an .xlsx workbook (one sheet "So theo doi"). `title_info` as from logbook_title_info."""
    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi"
    n = len(LOGBOOK_TITLES)
    _official_header(ws, n, title_info.get("parent_body", ""), title_info.get("center_name", ""), 6)
    _merged(ws, 4, 1, n, LOGBOOK_TITLE, Font(name="Times New Roman", bold=True, size=14))
    if title_info.get("volume"):
        _merged(ws, 5, 1, n, f"Quyển số: {title_info['volume']}", _NORMAL)
    _merged(ws, 6, 1, n, title_info.get("period", ""), Font(name="Times New Roman", italic=True, size=11))
    h = LOGBOOK_HEADER_ROW
    for col, (title, width) in enumerate(LOGBOOK_TITLES, start=1):
        cell = _put(ws, h, col, title)
        cell.font, cell.alignment, cell.border = Font(name="Times New Roman", bold=True, size=11), _CENTER, _BOX
        num = _put(ws, h + 1, col, f"({col})")
        num.font, num.alignment, num.border = Font(name="Times New Roman", italic=True, size=10), _CENTER, _BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[h].height = 45
    for r, ln in enumerate(lines, start=h + 2):
        for col, value in enumerate(_logbook_values(ln), start=1):
            if isinstance(value, datetime):
                value = _naive(value)
            cell = _put(ws, r, col, value)
            cell.border, cell.font = _BOX, _NORMAL
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
                cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
            elif col in (1, 4):
                cell.alignment = Alignment(horizontal="center", vertical="top")
            else:
                cell.alignment = _WRAP
        if ln.due_at is None:
            _put(ws, r, 9, "Không có hạn").alignment = _WRAP
    ws.freeze_panes = ws.cell(row=h + 2, column=3)  # titles and TT / code stay in view
    ws.auto_filter.ref = f"A{h + 1}:{get_column_letter(n)}{max(h + 1, h + 1 + len(lines))}"
    _print_setup(ws, f"{h}:{h + 1}")
    return _save(wb)


def _text_dt(dt: datetime | None) -> str:
    return f"{dt.astimezone(TZ):%d/%m/%Y %H:%M}" if dt else ""


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows([[csv_text(v) for v in row] for row in rows])
    return buf.getvalue().encode("utf-8-sig")


def logbook_csv(lines: list[LogbookLine]) -> bytes:
    """The book as CSV (UTF-8 with BOM): a "Quyển số" column, then the form's columns."""
    rows: list[list] = [["Quyển số"] + [t for t, _ in LOGBOOK_TITLES]]
    for ln in lines:
        values = _logbook_values(ln)
        rows.append([ln.volume] + [_text_dt(v) if isinstance(v, datetime) else v for v in values])
        if ln.due_at is None:
            rows[-1][9] = "Không có hạn"
    return _csv(rows)


def logbook_pdf(db: Database, date_from: date, date_to: date, *, volume: str | None = None,
                columns: tuple[str, ...] | None = None, lines: list[LogbookLine] | None = None,
                scope: str = "") -> bytes:
    """An extract of the book (TRÍCH SỔ, not the volume's pages: those are printed by closing days,
    app.services.daybook) as an A4 landscape PDF; one part per volume when several counters' books meet.

    `lines` (default: every line received in the period) and `scope` (a sentence saying what was
    selected) let a list on screen print exactly what it shows.
    """
    from app.printing.common import OfficeHeader
    from app.printing.logbook import LogbookData, build_logbook_pdf

    if lines is None:
        lines = logbook_lines(db, date_from, date_to, volume=volume)
    info = logbook_title_info(db, date_from, date_to, volume=volume, lines=lines)
    header = OfficeHeader(info["parent_body"], info["center_name"], info["place_name"])
    printed = db.clock().astimezone(TZ)
    volumes = [volume] if volume else sorted({ln.volume for ln in lines}, key=_volume_key) or [""]
    parts = []
    for vol in volumes:
        plines = tuple(print_line(ln) for ln in lines if ln.volume == vol)
        kw = {"columns": columns} if columns else {}
        parts.append(build_logbook_pdf(LogbookData(header=header, volume=vol, period_from=date_from,
                                                   period_to=date_to, lines=plines, printed_at=printed,
                                                   scope=scope, **kw)))
    return join_pdfs(parts)


def join_pdfs(parts: list[bytes]) -> bytes:
    """Several PDFs as one, pages in order (one part is returned as it is)."""
    if len(parts) == 1:
        return parts[0]
    import pypdfium2 as pdfium

    from app.printing.pdfium import PDFIUM_LOCK

    with PDFIUM_LOCK:
        return _join_locked(pdfium, parts)


def _join_locked(pdfium, parts: list[bytes]) -> bytes:
    out = pdfium.PdfDocument.new()
    docs = [pdfium.PdfDocument(part) for part in parts]
    try:
        for doc in docs:
            out.import_pages(doc)
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:  # pdfium documents hold native memory; close them now, not at interpreter exit
        for doc in docs:
            doc.close()
        out.close()


# --- the statistics -------------------------------------------------------------------------------


def stats_values(r: StatsRow) -> list[int]:
    """The 12 counts of a row in the order of STATS_GROUPS' columns (what the screen and every file show)."""
    return [r.intake_total, r.received_online, r.received_direct_post, r.carried_over,
            r.resolved_total, r.early, r.on_time, r.late,
            r.in_progress_total, r.in_progress_within, r.in_progress_overdue, r.stopped]


_stats_values = stats_values


STATS_HEADER_ROW = 7  # group titles; row 8 the sub-titles; row 9 the column numbers; data from row 10


def stats_xlsx(report: StatsReport) -> bytes:
    """Biểu II.06a as .xlsx: grouped two-level header with merged cells, one row per field, "Tổng số";
    a second sheet "Theo thang" with the month trend."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Bieu II.06a"
    ncols = 2 + sum(len(subs) for _, subs in STATS_GROUPS)
    _official_header(ws, ncols, report.parent_body, report.unit_name, 5)
    _merged(ws, 3, 1, ncols, STATS_FORM, Font(name="Times New Roman", italic=True, size=10),
            Alignment(horizontal="right"))
    _merged(ws, 4, 1, ncols, STATS_TITLE, Font(name="Times New Roman", bold=True, size=14))
    _merged(ws, 5, 1, ncols, f"Kỳ báo cáo: {period_label(report.date_from, report.date_to)} "
                             f"(từ ngày {report.date_from:%d/%m/%Y} đến ngày {report.date_to:%d/%m/%Y})",
            Font(name="Times New Roman", italic=True, size=11))
    h = STATS_HEADER_ROW
    head_font = Font(name="Times New Roman", bold=True, size=11)
    for col, title in ((1, "STT"), (2, "Lĩnh vực")):
        ws.merge_cells(start_row=h, start_column=col, end_row=h + 1, end_column=col)
        _put(ws, h, col, title)
    col = 3
    for group, subs in STATS_GROUPS:
        ws.merge_cells(start_row=h, start_column=col, end_row=h, end_column=col + len(subs) - 1)
        _put(ws, h, col, group)
        for i, sub in enumerate(subs):
            _put(ws, h + 1, col + i, sub)
        col += len(subs)
    for c in range(1, ncols + 1):
        for r in (h, h + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border = head_font, _CENTER, _BOX
        num = _put(ws, h + 2, c, f"({c})")
        num.font, num.alignment, num.border = Font(name="Times New Roman", italic=True, size=10), _CENTER, _BOX
        ws.column_dimensions[get_column_letter(c)].width = 12
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 30
    ws.row_dimensions[h + 1].height = 45
    rows = [(str(i), r) for i, r in enumerate(report.rows, start=1)] + [("", report.total)]
    for rix, (stt, r) in enumerate(rows, start=h + 3):
        is_total = r is report.total
        values = [int(stt) if stt else None, r.field, *_stats_values(r)]
        for c, value in enumerate(values, start=1):
            cell = _put(ws, rix, c, value)
            cell.border = _BOX
            cell.font = Font(name="Times New Roman", size=11, bold=is_total)
            cell.alignment = _WRAP if c == 2 else Alignment(horizontal="center", vertical="top")
            if c > 2:
                cell.number_format = "#,##0"
    ws.freeze_panes = ws.cell(row=h + 3, column=3)
    _print_setup(ws, f"{h}:{h + 2}")
    note_row = h + 3 + len(rows) + 1
    _merged(ws, note_row, 1, ncols, f"Lập lúc {report.generated_at.astimezone(TZ):%H:%M ngày %d/%m/%Y}. "
                                    f"{STATS_IDENTITY}",
            Font(name="Times New Roman", italic=True, size=10), Alignment(horizontal="left"))
    ms = wb.create_sheet("Theo thang")
    ms.append(["Năm", "Tháng", "Tiếp nhận", "Đã giải quyết", "Tỷ lệ đúng hạn (%)"])  # fixed texts and numbers
    for cell in ms[1]:
        cell.font, cell.alignment, cell.border = head_font, _CENTER, _BOX
    for m in report.months:
        ms.append([m.year, m.month, m.received, m.resolved, m.on_time_share])
    for c, w in zip("ABCDE", (8, 8, 12, 14, 18), strict=True):
        ms.column_dimensions[c].width = w
    ms.freeze_panes = "A2"
    return _save(wb)


def stats_csv(report: StatsReport) -> bytes:
    """Biểu II.06a as CSV (UTF-8 with BOM): one flat header row "group - column", rows, then "Tổng số"."""
    head = ["STT", "Lĩnh vực"] + [f"{g} - {s}" for g, subs in STATS_GROUPS for s in subs]
    rows: list[list] = [head]
    rows += [[i, r.field, *_stats_values(r)] for i, r in enumerate(report.rows, start=1)]
    rows.append(["", report.total.field, *_stats_values(report.total)])
    return _csv(rows)


def _row_json(r: StatsRow) -> dict:
    return {**asdict(r), "intake_total": r.intake_total, "on_time_share": r.on_time_share}


def stats_json(report: StatsReport) -> dict:
    """Biểu II.06a as plain JSON-able data (dates ISO, instants with offset)."""
    return {
        "form": STATS_FORM,
        "unit_name": report.unit_name,
        "parent_body": report.parent_body,
        "date_from": report.date_from.isoformat(),
        "date_to": report.date_to.isoformat(),
        "period": period_label(report.date_from, report.date_to),
        "generated_at": report.generated_at.isoformat(),
        "rows": [_row_json(r) for r in report.rows],
        "total": _row_json(report.total),
        "months": [asdict(m) for m in report.months],
    }


def stats_pdf(report: StatsReport, *, receiving_unit: str = "", preparer_name: str = "",
              signer_title: str = "THỦ TRƯỞNG ĐƠN VỊ", signer_name: str = "",
              issued_at: datetime | None = None) -> bytes:
    """Biểu II.06a as an A4 landscape PDF (app.printing.stats_report)."""
    from app.printing.common import OfficeHeader
    from app.printing.stats_report import StatsReportData, build_stats_report_pdf
    from app.printing.stats_report import StatsRow as PrintRow

    rows = tuple(PrintRow(r.field, r.received_online, r.received_direct_post, r.carried_over, r.early, r.on_time,
                          r.late, r.in_progress_within, r.in_progress_overdue, r.stopped)
                 for r in sorted(report.rows, key=lambda r: search_key(r.field)))
    data = StatsReportData(
        header=OfficeHeader(report.parent_body, report.unit_name, report.place_name),
        reporting_unit=report.unit_name, receiving_unit=receiving_unit or report.parent_body,
        period_from=report.date_from, period_to=report.date_to, rows=rows,
        issued_at=issued_at or report.generated_at, period_label=period_label(report.date_from, report.date_to),
        preparer_name=preparer_name, signer_title=signer_title, signer_name=signer_name)
    return build_stats_report_pdf(data)
