"""Form 07: SỔ THEO DÕI HỒ SƠ (DOMAIN.md §3), A4 landscape.

One volume (``Quyển số``) over a date range.  The column set is configurable (``columns`` holds keys
of :data:`LOGBOOK_COLUMNS`, in print order).  The table header repeats on every page, continuation
pages carry a compact page header, and every page is numbered "Trang x/y".

Built for speed: short values (numbers, codes, dates) are plain table strings; only the free-text
columns are wrapped Paragraphs; the table is a LongTable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer

from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    Section,
    Styles,
    build_pdf,
    esc,
    grid_table,
    nfc,
    page_spec,
    para,
    short_date,
    to_local,
)
from app.printing.fonts import REGULAR

__all__ = [
    "LogbookLine",
    "LogbookData",
    "LogbookColumn",
    "LOGBOOK_COLUMNS",
    "DEFAULT_COLUMNS",
    "build_logbook_pdf",
    "TITLE",
]

TITLE = "SỔ THEO DÕI HỒ SƠ"


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
    width_mm: float = 0.0  # fixed width (num / date / sign columns)


LOGBOOK_COLUMNS: dict[str, LogbookColumn] = {
    "tt": LogbookColumn("TT", "num", width_mm=9),
    "code": LogbookColumn("Mã hồ sơ", "code"),
    "procedure": LogbookColumn("Tên TTHC", "text", weight=1.6),
    "sets": LogbookColumn("Số lượng hồ sơ (bộ)", "num", width_mm=11),
    "applicant": LogbookColumn("Tên cá nhân, tổ chức", "text", weight=1.1),
    "address_phone": LogbookColumn("Địa chỉ, số điện thoại", "text", weight=1.3),
    "competent_unit": LogbookColumn("Cơ quan chủ trì giải quyết", "text", weight=1.0),
    "received": LogbookColumn("Ngày nhận hồ sơ", "date", width_mm=15),
    "due": LogbookColumn("Ngày hẹn trả kết quả", "date", width_mm=15),
    "transferred": LogbookColumn("Ngày chuyển hồ sơ", "date", width_mm=15),
    "result_received": LogbookColumn("Ngày nhận kết quả", "date", width_mm=15),
    "returned": LogbookColumn("Ngày trả kết quả", "date", width_mm=15),
    "return_method": LogbookColumn("Phương thức nhận kết quả", "text", weight=0.75),
    "signature": LogbookColumn("Ký nhận", "sign", width_mm=15),
    "note": LogbookColumn("Ghi chú", "text", weight=0.7),
}
DEFAULT_COLUMNS: tuple[str, ...] = tuple(LOGBOOK_COLUMNS)


@dataclass(frozen=True)
class LogbookData:
    header: OfficeHeader
    volume: str  # Quyển số, e.g. "1/2026"
    period_from: date
    period_to: date
    lines: tuple[LogbookLine, ...]
    printed_at: datetime  # header date line
    columns: tuple[str, ...] = DEFAULT_COLUMNS  # keys of LOGBOOK_COLUMNS, in print order


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    t = to_local(value)
    return f"{t:%d/%m/%Y}\n{t:%H:%M}"


def _address_phone(line: LogbookLine) -> str:
    parts = [nfc(line.address).strip(), nfc(line.phone).strip()]
    return "; ".join(p for p in parts if p)


_VALUES: dict[str, Callable[[LogbookLine], object]] = {
    "tt": lambda ln: str(ln.number),
    "code": lambda ln: nfc(ln.code),
    "procedure": lambda ln: ln.procedure_name,
    "sets": lambda ln: f"{ln.sets_count:02d}",
    "applicant": lambda ln: ln.applicant_name,
    "address_phone": _address_phone,
    "competent_unit": lambda ln: ln.competent_unit,
    "received": lambda ln: _when(ln.received_at),
    "due": lambda ln: _when(ln.due_at) if ln.due_at is not None else "Không\ncó hạn",
    "transferred": lambda ln: _when(ln.transferred_at),
    "result_received": lambda ln: _when(ln.result_received_at),
    "returned": lambda ln: _when(ln.returned_at),
    "return_method": lambda ln: ln.return_method,
    "note": lambda ln: ln.note,
}


def _widths(keys: list[str], data: LogbookData, styles: Styles, width: float) -> list[float]:
    pad = 2 * (max(styles.cell_size * 0.25, 1.5) + 0.5) + 1
    fixed: dict[str, float] = {}
    for k in keys:
        col = LOGBOOK_COLUMNS[k]
        if col.kind == "code":
            widest = max(
                (stringWidth(nfc(ln.code), REGULAR, styles.cell_size) for ln in data.lines), default=0
            )
            fixed[k] = max(widest + pad, 18 * mm)
        elif col.kind != "text":
            fixed[k] = col.width_mm * mm
    free = max(width - sum(fixed.values()), 0)
    weights = sum(LOGBOOK_COLUMNS[k].weight for k in keys if k not in fixed) or 1
    return [fixed.get(k, free * LOGBOOK_COLUMNS[k].weight / weights) for k in keys]


def _table(data: LogbookData, styles: Styles, width: float) -> Flowable:
    keys = [k for k in data.columns if k in LOGBOOK_COLUMNS]
    if not keys:
        raise ValueError("no known logbook column selected")
    widths = _widths(keys, data, styles, width)
    plain = [i for i, k in enumerate(keys) if LOGBOOK_COLUMNS[k].kind in ("num", "code", "date")]
    aligns = ["CENTER" if LOGBOOK_COLUMNS[k].kind != "text" else "LEFT" for k in keys]
    sign_space = Spacer(1, styles.cell_size * 2.2)
    rows = []
    for ln in data.lines:
        row: list[object] = []
        for k in keys:
            if k == "signature":
                row.append(
                    [sign_space, para(ln.signed_by, styles.cell_center)] if ln.signed_by else [sign_space]
                )
            else:
                row.append(_VALUES[k](ln))
        rows.append(row)
    head = [[LOGBOOK_COLUMNS[k].title for k in keys]]
    numbers = [[para(f"({i})", styles.cell_center) for i in range(1, len(keys) + 1)]]
    table = grid_table(
        head + numbers,
        rows,
        widths,
        styles,
        aligns=aligns,
        plain_columns=plain,
        long=True,
    )
    return table


def _period(data: LogbookData) -> str:
    if data.period_from == data.period_to:
        return f"Ngày {short_date(data.period_from)}"
    return f"Từ ngày {short_date(data.period_from)} đến ngày {short_date(data.period_to)}"


def build_logbook_pdf(data: LogbookData) -> bytes:
    """The logbook as an A4 landscape PDF (any number of lines; 300 lines build in about a second)."""
    spec = page_spec("A4", landscape=True)
    styles = Styles(spec.font_size, cell_size=7.5)
    s = styles
    story: list[Flowable] = [
        HeaderBlock(data.header, s, when=data.printed_at, left_ratio=0.4),
        Spacer(1, s.size * 0.6),
        para(TITLE, s.title),
        para(f"Quyển số: <b>{esc(data.volume)}</b>", s.center, markup=True),
        para(_period(data), s.center_italic),
        Spacer(1, s.size * 0.5),
    ]
    if data.lines:
        story.append(_table(data, s, spec.width))
    else:
        story.append(para("Không có hồ sơ trong kỳ.", s.center_italic))
    running = (
        f"{nfc(data.header.parent_body)} - {nfc(data.header.center_name)}\n"
        f"{TITLE} - Quyển số: {nfc(data.volume)} - {_period(data)}"
    )
    section = Section(story, running_header=running, page_numbers="always")
    return build_pdf([section], spec, s, title=f"{TITLE} - Quyển số {nfc(data.volume)}")
