"""Shared drawing engine of every printed form (DOMAIN.md §3).

Pure functions and reportlab flowables: no Qt, no database.  Every string that reaches the PDF goes
through :func:`nfc` (Vietnamese text typed with some input methods arrives decomposed, and NFD accents
land in the wrong place when printed).

Pieces:

* dates: :func:`vn_date`, :func:`vn_datetime`, :func:`place_date_line`, :func:`short_date` …
* pages: :func:`page_spec` (A4 / A5, portrait / landscape) and :class:`Styles` (all sizes from one base);
* the common header (:class:`OfficeHeader`, :class:`HeaderBlock`), title lines, field lines,
  grid tables (:func:`grid_table`), signature blocks (:class:`Signer`, :func:`signature_block`);
* :func:`build_pdf`: sections (one per copy) → PDF bytes, with per-section page numbering and an
  optional running header on continuation pages; :func:`fit_font_size` shrinks a story to one page.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.pagesizes import landscape as rl_landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.printing.fonts import BOLD, BOLD_ITALIC, ITALIC, REGULAR, register_fonts

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

__all__ = [
    "TZ",
    "NATION",
    "MOTTO",
    "OfficeHeader",
    "PageSpec",
    "Styles",
    "Signer",
    "Section",
    "HeaderBlock",
    "nfc",
    "esc",
    "to_local",
    "vn_date",
    "vn_datetime",
    "vn_time_date",
    "place_date_line",
    "short_date",
    "short_datetime",
    "two_digits",
    "number_line",
    "page_spec",
    "para",
    "field_line",
    "field_row",
    "Columns",
    "title_block",
    "grid_table",
    "layout_table",
    "signature_block",
    "signature_with_recipients",
    "sign_lines",
    "optional_fields",
    "body_paragraph",
    "form_pdf",
    "build_pdf",
    "fit_font_size",
    "fit_story",
    "lay_out",
    "OnePage",
    "one_page_pdf",
    "draw_form_number",
]


# --------------------------------------------------------------------------- text


def nfc(value: object) -> str:
    """``str(value)`` in Unicode NFC; ``None`` becomes ``""``."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value))


def esc(value: object) -> str:
    """NFC + XML-escaped, for Paragraph markup (a name may hold ``&`` or ``<``)."""
    return escape(nfc(value))


def two_digits(n: int) -> str:
    """``1 -> "01"``, ``12 -> "12"`` (official forms zero-pad counts, days and months)."""
    return f"{n:02d}"


# --------------------------------------------------------------------------- dates


def to_local(value: datetime) -> datetime:
    """An aware datetime in Asia/Ho_Chi_Minh; a naive one is taken as already local."""
    if value.tzinfo is None:
        return value.replace(tzinfo=TZ)
    return value.astimezone(TZ)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return to_local(value).date()
    return value


def vn_date(value: date | datetime) -> str:
    """``"ngày 16 tháng 11 năm 2026"`` (day and month zero-padded)."""
    d = _as_date(value)
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def vn_datetime(value: datetime) -> str:
    """``"09 giờ 05 phút, ngày 16 tháng 11 năm 2026"`` in local time."""
    t = to_local(value)
    return f"{t.hour:02d} giờ {t.minute:02d} phút, {vn_date(t)}"


def vn_time_date(value: datetime) -> str:
    """Compact ``"09 giờ 05 phút, ngày 16/11/2026"`` for table cells."""
    t = to_local(value)
    return f"{t.hour:02d} giờ {t.minute:02d} phút, ngày {t:%d/%m/%Y}"


def place_date_line(place: str, value: date | datetime) -> str:
    """``"Tân Hưng, ngày 16 tháng 11 năm 2026"``."""
    return f"{nfc(place)}, {vn_date(value)}"


def short_date(value: date | datetime | None) -> str:
    """``"16/11/2026"``; ``""`` for ``None``."""
    if value is None:
        return ""
    return f"{_as_date(value):%d/%m/%Y}"


def short_datetime(value: datetime | None) -> str:
    """``"09:05 16/11/2026"`` in local time; ``""`` for ``None``."""
    if value is None:
        return ""
    return f"{to_local(value):%H:%M %d/%m/%Y}"


def number_line(number: str | None) -> str | None:
    """``"Số: 12/PYCBS"`` for the header's left column; ``None`` when there is no number."""
    n = nfc(number).strip()
    return f"Số: {n}" if n else None


# --------------------------------------------------------------------------- pages and styles


@dataclass(frozen=True)
class OfficeHeader:
    parent_body: str  # e.g. "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG"
    center_name: str  # e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    place_name: str  # e.g. "Tân Hưng"  (for "<Địa danh>, ngày …")


@dataclass(frozen=True)
class PageSpec:
    name: str
    size: tuple[float, float]
    left: float
    right: float
    top: float
    bottom: float
    font_size: float

    @property
    def width(self) -> float:
        return self.size[0] - self.left - self.right

    @property
    def height(self) -> float:
        return self.size[1] - self.top - self.bottom


_SIZES = {"A4": A4, "A5": A5}


def page_spec(name: str = "A4", *, landscape: bool = False, compact: bool = False) -> PageSpec:
    """Page geometry and base font size.

    ``compact`` uses narrow margins (receipts, which must fit one page per copy).
    """
    key = (name or "").strip().upper()
    if key not in _SIZES:
        raise ValueError(f"unsupported page size {name!r}: use 'A4' or 'A5'")
    size = rl_landscape(_SIZES[key]) if landscape else _SIZES[key]
    if key == "A4":
        if landscape:
            return PageSpec(key, size, 12 * mm, 10 * mm, 12 * mm, 12 * mm, 10)
        if compact:
            return PageSpec(key, size, 20 * mm, 15 * mm, 12 * mm, 12 * mm, 13)
        return PageSpec(key, size, 25 * mm, 15 * mm, 18 * mm, 18 * mm, 13)
    # A5
    if landscape:
        return PageSpec(key, size, 10 * mm, 8 * mm, 8 * mm, 8 * mm, 8)
    return PageSpec(key, size, 12 * mm, 9 * mm, 8 * mm, 8 * mm, 9 if compact else 9.5)


class Styles:
    """Every paragraph style of a form, derived from one base size (so a story can be shrunk)."""

    def __init__(self, size: float, *, cell_size: float | None = None) -> None:
        register_fonts()
        self.size = size
        lead = size * 1.22
        cs = cell_size if cell_size is not None else max(size - 1.5, 6)
        self.cell_size = cs

        def st(name: str, **kw: Any) -> ParagraphStyle:
            base: dict[str, Any] = {"fontName": REGULAR, "fontSize": size, "leading": lead}
            base.update(kw)
            return ParagraphStyle(name, **base)

        self.normal = st("normal", alignment=TA_JUSTIFY)
        self.body = st("body", alignment=TA_JUSTIFY, firstLineIndent=size * 2.2, spaceBefore=size * 0.3)
        self.bold_italic = st("bold_italic", fontName=BOLD_ITALIC)
        self.recipients = st("recipients", fontSize=size - 2, leading=(size - 2) * 1.2)
        self.left = st("left", alignment=TA_LEFT)
        self.field = st("field", alignment=TA_LEFT, spaceBefore=size * 0.12)
        self.bold = st("bold", fontName=BOLD)
        self.italic = st("italic", fontName=ITALIC)
        self.center = st("center", alignment=TA_CENTER)
        self.center_bold = st("center_bold", fontName=BOLD, alignment=TA_CENTER)
        self.center_italic = st("center_italic", fontName=ITALIC, alignment=TA_CENTER)
        self.right_italic = st("right_italic", fontName=ITALIC, alignment=TA_RIGHT)
        self.title = st(
            "title", fontName=BOLD, fontSize=size + 1.5, leading=(size + 1.5) * 1.22, alignment=TA_CENTER
        )
        self.small = st("small", fontSize=size - 2, leading=(size - 2) * 1.2)
        self.small_italic = st("small_italic", fontName=ITALIC, fontSize=size - 2, leading=(size - 2) * 1.2)
        self.small_center = st(
            "small_center",
            fontName=ITALIC,
            fontSize=size - 2.5,
            leading=(size - 2.5) * 1.15,
            alignment=TA_CENTER,
        )
        self.cell = st("cell", fontSize=cs, leading=cs * 1.18, alignment=TA_LEFT)
        self.cell_center = st("cell_center", fontSize=cs, leading=cs * 1.18, alignment=TA_CENTER)
        self.cell_right = st("cell_right", fontSize=cs, leading=cs * 1.18, alignment=TA_RIGHT)
        self.cell_head = st("cell_head", fontName=BOLD, fontSize=cs, leading=cs * 1.18, alignment=TA_CENTER)
        self.cell_bold = st("cell_bold", fontName=BOLD, fontSize=cs, leading=cs * 1.18, alignment=TA_LEFT)

    def cell_style(self, align: str) -> ParagraphStyle:
        return {"LEFT": self.cell, "CENTER": self.cell_center, "RIGHT": self.cell_right}[align.upper()]


# --------------------------------------------------------------------------- paragraphs


def para(text: object, style: ParagraphStyle, *, markup: bool = False) -> Paragraph:
    """A Paragraph of plain text (escaped) or, with ``markup=True``, of trusted markup (NFC'd only)."""
    return Paragraph(nfc(text) if markup else esc(text), style)


def layout_table(
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    *,
    valign: str = "TOP",
    align: str | None = None,
    hpad: float = 0,
    top: float = 0,
    bottom: float = 0,
    extra: Sequence[tuple] = (),
) -> Table:
    """A borderless table used only to place blocks side by side (cells hold flowables)."""
    t = Table([list(r) for r in rows], colWidths=list(col_widths))
    cmds: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), valign),
        ("LEFTPADDING", (0, 0), (-1, -1), hpad),
        ("RIGHTPADDING", (0, 0), (-1, -1), hpad),
        ("TOPPADDING", (0, 0), (-1, -1), top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
    ]
    if align:
        cmds.append(("ALIGN", (0, 0), (-1, -1), align))
    cmds.extend(extra)
    t.setStyle(TableStyle(cmds))
    return t


class Columns(Flowable):
    """Blocks side by side, each a list of flowables stacked in its column: what a borderless
    :func:`layout_table` does for a one-row layout, without a table's style machinery (a receipt has
    half a dozen of these).  Never splits; ``valign`` "TOP" or "MIDDLE"; ``aligns`` per column
    ("LEFT", "CENTER", "RIGHT") places flowables narrower than their column."""

    def __init__(self, cells: Sequence[Sequence[Flowable]], widths: Sequence[float], *, valign: str = "TOP",
                 aligns: Sequence[str] | None = None, pad: float = 0, space_before: float = 0) -> None:
        super().__init__()
        self.cells = [list(c) for c in cells]
        self.widths = list(widths)
        self.valign = valign
        self.aligns = list(aligns or ["LEFT"] * len(self.cells))
        self.pad = pad
        self.spaceBefore = space_before

    def wrap(self, availWidth: float, availHeight: float):  # noqa: N803 (reportlab API)
        self._placed = []
        heights = []
        canv = getattr(self, "canv", None)  # set by a frame; a table cell wraps its content without one
        for cell, w in zip(self.cells, self.widths, strict=True):
            inner = w - 2 * self.pad
            col, y = [], 0.0
            for f in cell:
                fw, fh = f.wrapOn(canv, inner, availHeight) if canv is not None else f.wrap(inner, availHeight)
                col.append((f, y, fw, fh))
                y += fh + (f.getSpaceAfter() if f is not cell[-1] else 0)
            self._placed.append(col)
            heights.append(y)
        self._heights = heights
        self.width, self.height = sum(self.widths), max(heights, default=0)
        return self.width, self.height

    def draw(self) -> None:
        x = 0.0
        for col, w, h, align in zip(self._placed, self.widths, self._heights, self.aligns, strict=True):
            top = self.height - ((self.height - h) / 2 if self.valign == "MIDDLE" else 0)
            for f, y, fw, fh in col:
                inner = w - 2 * self.pad
                dx = {"CENTER": (inner - fw) / 2, "RIGHT": inner - fw}.get(align.upper(), 0)
                f.drawOn(self.canv, x + self.pad + dx, top - y - fh)
            x += w


def field_line(
    label: str, value: object, styles: Styles, *, bold_value: bool = False, style=None
) -> Paragraph:
    """``"<label> <value>"`` on one wrapping paragraph (the label is regular, the value optionally bold)."""
    v = esc(value)
    if bold_value and v:
        v = f"<b>{v}</b>"
    return Paragraph(f"{esc(label)} {v}".rstrip(), style or styles.field)


def field_row(pairs: Sequence[tuple[str, object]], styles: Styles, width: float, *, ratios=None) -> Flowable:
    """Several ``label value`` fields side by side on one line (borderless table)."""
    n = len(pairs)
    ratios = ratios or [1 / n] * n
    cells = [[field_line(lbl, val, styles)] for lbl, val in pairs]
    return Columns(cells, [width * r for r in ratios], space_before=styles.field.spaceBefore)


def title_block(
    title: str, styles: Styles, *, subtitles: Sequence[str] = (), space_before: float | None = None
):
    """The form title (bold, centred, upper case as given) and optional italic lines under it."""
    out: list[Flowable] = [Spacer(1, styles.size * 0.9 if space_before is None else space_before)]
    out.append(para(title, styles.title))
    for s in subtitles:
        if s:
            out.append(para(s, styles.center_italic))
    out.append(Spacer(1, styles.size * 0.5))
    return out


# --------------------------------------------------------------------------- header


def _fit_size(text: str, font: str, size: float, width: float, minimum: float) -> float:
    """The largest size <= ``size`` at which ``text`` fits ``width`` on one line (not below ``minimum``)."""
    while size > minimum and stringWidth(text, font, size) > width:
        size -= 0.25
    return size


class HeaderBlock(Flowable):
    """The common header of DOMAIN §3.

    Left column: parent body / centre name (bold) / short rule / optional ``Số: …``.
    Right column: national title (bold caps) / motto (bold, underlined) / italic place-and-date.
    """

    def __init__(
        self,
        header: OfficeHeader,
        styles: Styles,
        *,
        when: date | datetime | None = None,
        number: str | None = None,
        date_text: str | None = None,
        left_ratio: float = 0.45,
    ) -> None:
        super().__init__()
        self.header = header
        self.styles = styles
        self.when = when
        self.number = number
        self.date_text = date_text
        self.left_ratio = left_ratio

    def _layout(self, avail_width: float) -> None:
        s = self.styles
        size = s.size
        self.width = avail_width
        gap = 4 * mm
        lw = avail_width * self.left_ratio - gap / 2
        rw = avail_width - lw - gap
        self.lw, self.rw, self.gap = lw, rw, gap
        hsize = max(size - 0.5, 6)
        self.left_paras = []
        left_lines = [
            (nfc(self.header.parent_body).upper(), REGULAR),
            (nfc(self.header.center_name).upper(), BOLD),
        ]
        for text, font in left_lines:
            if not text.strip():
                continue
            # shrink a little to keep each name on one line; wrap only names that are still too long
            fs = _fit_size(text, font, hsize, lw - 1, max(hsize - 2.5, 6))
            if stringWidth(text, font, fs) > lw - 1:
                fs = max(hsize - 1, 6)  # it wraps anyway: keep it legible
            style = ParagraphStyle("hl", fontName=font, fontSize=fs, leading=fs * 1.18, alignment=TA_CENTER)
            self.left_paras.append(Paragraph(escape(text), style))
        nation_size = _fit_size(NATION, BOLD, hsize, rw, 5)
        motto_size = _fit_size(MOTTO, BOLD, max(hsize + 0.5, nation_size), rw, 5)
        self.nation_size, self.motto_size = nation_size, motto_size
        self.number_text = nfc(self.number) if self.number else ""
        if self.date_text is not None:
            self.dline = nfc(self.date_text)
        elif self.when is not None:
            self.dline = place_date_line(self.header.place_name, self.when)
        else:
            self.dline = f"{nfc(self.header.place_name)}, ngày ..... tháng ..... năm ........"
        self.date_size = _fit_size(self.dline, ITALIC, hsize, rw, 5)
        self.num_size = hsize
        # heights
        self.left_h = [p.wrap(lw, 10_000)[1] for p in self.left_paras]
        self.rule_gap = hsize * 0.45
        left_total = sum(self.left_h) + self.rule_gap + 1
        right_total = nation_size * 1.2 + motto_size * 1.2 + self.rule_gap + 1
        self.top_h = max(left_total, right_total)
        self.line2_gap = hsize * 0.8
        self.height = self.top_h + self.line2_gap + hsize * 1.25

    def wrap(self, availWidth: float, availHeight: float):  # noqa: N803 (reportlab API)
        self._layout(availWidth)
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        lw, rw, gap = self.lw, self.rw, self.gap
        y = self.height
        # left column
        for p, h in zip(self.left_paras, self.left_h, strict=True):
            p.drawOn(c, 0, y - h)
            y -= h
        name_w = min(stringWidth(nfc(self.header.center_name).upper(), BOLD, self.num_size), lw)
        rule_w = min(max(name_w * 0.4, 18 * mm), lw * 0.6)
        y_rule = y - self.rule_gap
        c.setLineWidth(0.6)
        c.line(lw / 2 - rule_w / 2, y_rule, lw / 2 + rule_w / 2, y_rule)
        # right column
        rx = lw + gap
        cx = rx + rw / 2
        y = self.height - self.nation_size
        c.setFont(BOLD, self.nation_size)
        c.drawCentredString(cx, y + self.nation_size * 0.2, NATION)
        y -= self.motto_size * 1.2
        c.setFont(BOLD, self.motto_size)
        c.drawCentredString(cx, y + self.nation_size * 0.2, MOTTO)
        mw = stringWidth(MOTTO, BOLD, self.motto_size)
        y_ul = y + self.nation_size * 0.2 - self.motto_size * 0.28
        c.line(cx - mw / 2, y_ul, cx + mw / 2, y_ul)
        # second line: "Số: …" (left) and place/date (right), same baseline
        base = self.height - self.top_h - self.line2_gap - self.num_size * 0.9
        if self.number_text:
            c.setFont(REGULAR, self.num_size)
            c.drawCentredString(lw / 2, base, self.number_text)
        c.setFont(ITALIC, self.date_size)
        c.drawCentredString(cx, base, self.dline)


# --------------------------------------------------------------------------- tables


def _cellify(value: object, style: ParagraphStyle) -> object:
    if value is None:
        return ""
    if isinstance(value, Flowable | list):
        return value
    return Paragraph(esc(value), style)


def grid_table(
    header_rows: Sequence[Sequence[object]],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    styles: Styles,
    *,
    aligns: Sequence[str] | None = None,
    spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
    row_styles: Sequence[tuple] = (),
    long: bool = False,
    header_fill: colors.Color | None = None,
    plain_columns: Sequence[int] = (),
) -> Table:
    """A gridded table with bold centred header rows that repeat on every page.

    ``rows`` hold strings (wrapped in Paragraphs: long text wraps inside its cell) or ready flowables.
    ``plain_columns`` are columns whose short values are drawn as plain strings (much faster for
    long tables; they must not need wrapping).  ``spans`` are ``((col0, row0), (col1, row1))`` in
    whole-table coordinates (header rows first); a spanned-over cell should be ``None``.
    """
    ncols = len(col_widths)
    aligns = list(aligns or ["LEFT"] * ncols)
    head = [[_cellify(v, styles.cell_head) for v in r] for r in header_rows]
    plain = set(plain_columns)
    body = []
    for r in rows:
        out = []
        for i, v in enumerate(r):
            if v is None or (i in plain and isinstance(v, str | int)):
                out.append(nfc(v))
            else:
                out.append(_cellify(v, styles.cell_style(aligns[i])))
        body.append(out)
    nh = len(head)
    cls = LongTable if long else Table
    t = cls(head + body, colWidths=list(col_widths), repeatRows=nh)
    pad = max(styles.cell_size * 0.25, 1.5)
    cmds: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, nh - 1), "MIDDLE"),
        ("VALIGN", (0, nh), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad + 0.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad + 0.5),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 0.5),
        ("FONTNAME", (0, nh), (-1, -1), REGULAR),
        ("FONTSIZE", (0, nh), (-1, -1), styles.cell_size),
        ("LEADING", (0, nh), (-1, -1), styles.cell_size * 1.18),
    ]
    for i, a in enumerate(aligns):
        cmds.append(("ALIGN", (i, nh), (i, -1), a.upper()))
    if header_fill is not None:
        cmds.append(("BACKGROUND", (0, 0), (-1, nh - 1), header_fill))
    for (c0, r0), (c1, r1) in spans:
        cmds.append(("SPAN", (c0, r0), (c1, r1)))
    cmds.extend(row_styles)
    t.setStyle(TableStyle(cmds))
    return t


# --------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class Signer:
    """One signature column: optional lines above the title, the title, the hint, the space, the name."""

    title: str  # "NGƯỜI TIẾP NHẬN HỒ SƠ"
    hint: str = "(Ký và ghi rõ họ tên)"
    name: str = ""
    above: tuple[str, ...] = ()  # e.g. ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC") or an italic date line
    above_italic: bool = False


def signature_block(
    signers: Sequence[Signer],
    styles: Styles,
    width: float,
    *,
    space: float | None = None,
    right_only: bool = True,
    keep: bool = True,
) -> Flowable:
    """Signature columns side by side.  A single signer sits in the right half (official layout)."""
    space = space if space is not None else styles.size * 4.4
    cols: list[list[Flowable]] = []
    for s in signers:
        cell: list[Flowable] = []
        for a in s.above:
            cell.append(para(a, styles.center_italic if s.above_italic else styles.center_bold))
        cell.append(para(s.title, styles.center_bold))
        if s.hint:
            cell.append(para(s.hint, styles.center_italic))
        cell.append(Spacer(1, space))
        cell.append(para(s.name, styles.center_bold) if s.name else Spacer(1, styles.size))
        cols.append(cell)
    if len(signers) == 1 and right_only:
        cols.insert(0, [Spacer(1, 1)])
    n = len(cols)
    t = Columns(cols, [width / n] * n, pad=2)
    return KeepTogether([t]) if keep else t


_HEADS = ("Chủ tịch", "Giám đốc", "Trưởng phòng", "Trưởng ban", "Chánh Văn phòng", "Trưởng bộ phận")


def sign_lines(title: str) -> tuple[str, str]:
    """The authority line and the title a signer prints under, from the title as stored:
    "Phó Chủ tịch UBND xã" -> ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"); "Chủ tịch UBND xã" -> ("", "CHỦ TỊCH");
    anything else is printed in capitals as it is."""
    text = " ".join(nfc(title).split())
    deputy = text.lower().startswith("phó ")
    rest = text[4:] if deputy else text
    for head in _HEADS:
        if rest.lower().startswith(head.lower()):
            return (f"KT. {head.upper()}" if deputy else "", f"PHÓ {head.upper()}" if deputy else head.upper())
    return "", text.upper()


def body_paragraph(text: object, styles: Styles, *, markup: bool = False) -> Paragraph:
    """A justified body paragraph with a first-line indent (letters: forms 03, 04, 05)."""
    return para(text, styles.body, markup=markup)


def signature_with_recipients(
    signer: Signer,
    recipients: Sequence[str],
    styles: Styles,
    width: float,
    *,
    space: float | None = None,
) -> Flowable:
    """Official letter foot: "Nơi nhận:" list on the left, the signature on the right."""
    left: list[Flowable] = []
    if recipients:
        left.append(
            para("Nơi nhận:", ParagraphStyle("nn", parent=styles.bold_italic, fontSize=styles.size - 1))
        )
        left.extend(para(f"- {nfc(r)}", styles.recipients) for r in recipients)
    else:
        left.append(Spacer(1, 1))
    sig = signature_block([signer], styles, width * 0.55, space=space, right_only=False, keep=False)
    return KeepTogether([layout_table([[left, sig]], [width * 0.45, width * 0.55])])


def form_pdf(
    story: list[Flowable],
    spec: PageSpec,
    styles: Styles,
    *,
    title: str,
    running_header: str = "",
    page_numbers: Literal["never", "multi", "always"] = "multi",
    form_number: str = "",
) -> bytes:
    """A one-section form (everything but the two-copy receipt)."""
    section = Section(story, running_header=running_header or title, page_numbers=page_numbers,
                      form_number=form_number)
    return build_pdf([section], spec, styles, title=title)


def draw_form_number(canv, spec: PageSpec, text: str) -> None:
    """"Mẫu số 01" in the top margin, right-aligned, as the law's annex heads each form."""
    size = max(min(spec.font_size - 2, 11), 7)
    canv.saveState()
    canv.setFont(BOLD, size)
    canv.drawRightString(spec.size[0] - spec.right, spec.size[1] - spec.top + size * 0.45, nfc(text))
    canv.restoreState()


# --------------------------------------------------------------------------- document


@dataclass
class Section:
    """A part of the document that starts on a new page and is numbered on its own (e.g. one copy).

    ``label`` and ``running_header`` (may hold several lines) are drawn on continuation pages, in the
    top margin; ``page_numbers`` decides
    when "Trang x/y" is drawn: ``"never"``, ``"multi"`` (only when the section takes > 1 page),
    ``"always"``.
    """

    flowables: list[Flowable]
    label: str = ""
    running_header: str = ""
    page_numbers: Literal["never", "multi", "always"] = "multi"
    form_number: str = ""  # "Mẫu số 01", at the top right of the section's first page, as in the law's annex


class _SectionMark(Flowable):
    """Zero-size flowable that tells the canvas which section the current page belongs to."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def wrap(self, availWidth: float, availHeight: float):  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        self.canv._mc_section = self.index


def _make_canvas_class(sections: Sequence[Section], spec: PageSpec, styles: Styles):
    class _NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so each page knows its section's page count ("Trang x/y")."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if not kwargs.get("initialFontName"):
                kwargs["initialFontName"] = REGULAR  # never reference a built-in PDF font
            super().__init__(*args, **kwargs)
            self._mc_section = 0
            self._mc_states: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._mc_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            counts: dict[int, int] = {}
            for st in self._mc_states:
                counts[st["_mc_section"]] = counts.get(st["_mc_section"], 0) + 1
            seen: dict[int, int] = {}
            for st in self._mc_states:
                self.__dict__.update(st)
                idx = self._mc_section
                seen[idx] = seen.get(idx, 0) + 1
                self._mc_decorate(sections[idx], seen[idx], counts[idx])
                rl_canvas.Canvas.showPage(self)
            rl_canvas.Canvas.save(self)

        def _mc_decorate(self, section: Section, page: int, total: int) -> None:
            w, h = spec.size
            small = max(styles.size - 3, 6)
            self.saveState()
            if page == 1 and section.form_number:
                draw_form_number(self, spec, section.form_number)
            if page > 1 and (section.running_header or section.label):
                text = nfc(section.running_header or section.label)
                if section.running_header and section.label:
                    text = f"{nfc(section.running_header)} - {nfc(section.label)}"
                lines = text.splitlines() or [""]
                lines[-1] = f"{lines[-1]} (tiếp theo)"
                self.setFont(ITALIC, small)
                for i, line in enumerate(reversed(lines)):
                    self.drawString(spec.left, h - spec.top + small * (0.9 + 1.25 * i), line)
            show = section.page_numbers == "always" or (section.page_numbers == "multi" and total > 1)
            if show:
                self.setFont(REGULAR, small)
                label = (
                    f"{nfc(section.label)} - " if section.label and section.page_numbers == "multi" else ""
                )
                self.drawCentredString(w / 2, spec.bottom / 2 - small / 3, f"{label}Trang {page}/{total}")
            self.restoreState()

    return _NumberedCanvas


def one_page_pdf(
    pages: Sequence[Callable[[rl_canvas.Canvas], None]],
    spec: PageSpec,
    *,
    title: str = "",
    subject: str = "",
) -> bytes:
    """A PDF whose pages are each drawn by one function on a plain canvas (a laid-out story that fits
    one page needs no platypus document: see :class:`OnePage`).  Same fonts and metadata as
    :func:`build_pdf`."""
    register_fonts()
    buf = io.BytesIO()
    canv = rl_canvas.Canvas(buf, pagesize=spec.size, invariant=1, initialFontName=REGULAR)
    canv.setTitle(nfc(title))
    canv.setSubject(nfc(subject))
    canv.setAuthor("MotCua")
    canv.setCreator("MotCua")
    for draw in pages:
        draw(canv)
        canv.showPage()
    canv.save()
    return buf.getvalue()


def build_pdf(
    sections: Sequence[Section],
    spec: PageSpec,
    styles: Styles,
    *,
    title: str = "",
    subject: str = "",
) -> bytes:
    """Lay out the sections (each from a new page) and return the PDF bytes."""
    register_fonts()
    if not sections:
        raise ValueError("nothing to print")
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=spec.size,
        leftMargin=spec.left,
        rightMargin=spec.right,
        topMargin=spec.top,
        bottomMargin=spec.bottom,
        title=nfc(title),
        subject=nfc(subject),
        author="MotCua",
        creator="MotCua",
        invariant=1,
        initialFontName=REGULAR,
    )
    frame = Frame(
        spec.left,
        spec.bottom,
        spec.width,
        spec.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story: list[Flowable] = []
    for i, sec in enumerate(sections):
        if i:
            story.append(PageBreak())
        story.append(_SectionMark(i))
        story.extend(sec.flowables)
    doc.build(story, canvasmaker=_make_canvas_class(sections, spec, styles))
    return buf.getvalue()


def _flat(flowables: Sequence[Flowable]) -> list[Flowable]:
    """The flowables as a frame places them on one page: a KeepTogether is its content (its own wrap
    answers 0xffffff on purpose, to force a split, so it cannot be measured as a whole)."""
    out: list[Flowable] = []
    for f in flowables:
        if isinstance(f, KeepTogether):
            out.extend(_flat(f._content))
        else:
            out.append(f)
    return out


@dataclass
class OnePage:
    """A story laid out once in a frame of ``width``: each flowable with its top (from the frame's top)
    and size, and the height it all takes.  It can be drawn any number of times (one per copy)."""

    items: list[tuple[Flowable, float, float, float]]  # flowable, top, width, height
    width: float
    height: float

    def draw(self, canv, x: float, top: float, *, only: Flowable | None = None) -> None:
        """Draw at frame position (x, top) (top = the frame's upper edge, in canvas coordinates);
        with ``only``, just that one flowable, where it sits."""
        for f, y, w, h in self.items:
            if only is None or f is only:
                f.drawOn(canv, x, top - y - h, _sW=self.width - w)


def lay_out(flowables: Sequence[Flowable], width: float, avail: float = 10_000) -> OnePage:
    """Wrap every flowable once, stacked as platypus's Frame stacks them (the space between two is the
    larger of the first's spaceAfter and the second's spaceBefore; none above the first)."""
    canv = rl_canvas.Canvas(io.BytesIO())
    items = []
    y = 0.0
    prev_after = None
    for f in _flat(flowables):
        f.canv = canv
        w, h = f.wrap(width, avail)
        if prev_after is not None:
            y += prev_after + max(f.getSpaceBefore() - prev_after, 0)
        items.append((f, y, w, h))
        y += h
        prev_after = f.getSpaceAfter()
        del f.canv
    return OnePage(items, width, y)


def story_height(flowables: Sequence[Flowable], width: float, avail: float) -> float:
    """Laid-out height of ``flowables`` in one frame of ``width`` (KeepTogether blocks included)."""
    return lay_out(flowables, width, avail).height


@lru_cache(maxsize=32)
def _styles(size: float, cell_size: float) -> Styles:
    # Building the twenty paragraph styles is a visible part of a receipt's time; they are never mutated.
    return Styles(size, cell_size=cell_size)


def fit_story(
    make_story: Callable[[Styles], list[Flowable]],
    spec: PageSpec,
    *,
    minimum: float,
    step: float = 0.5,
    cell_delta: float = 1.5,
) -> tuple[Styles, list[Flowable], OnePage | None]:
    """The largest :class:`Styles` (``spec.font_size`` down to ``minimum``, in ``step``s) whose story
    fits one page, with that story and its layout; layout ``None`` when even ``minimum`` does not fit
    (the story must then flow onto continuation pages).

    Each size tried costs one layout: the first at ``spec.font_size``; when that is too tall, the next
    size comes from the heights measured so far (height grows about linearly with the size), and only
    then does it step down.  A usual story takes one or two layouts, never one per step.
    """
    room = spec.height - 2

    def attempt(size: float):
        styles = _styles(size, max(size - cell_delta, 6))
        story = make_story(styles)
        return styles, story, lay_out(story, spec.width, spec.height)

    def on_step(size: float) -> float:
        return max(minimum, math.floor(round(size / step, 6)) * step)

    size = spec.font_size
    styles, story, page = attempt(size)
    seen = [(size, page.height)]
    while page.height > room:
        if size <= minimum + 1e-9:
            return styles, story, None
        (s0, h0), (s1, h1) = (seen[-2] if len(seen) > 1 else (0.0, 0.0)), seen[-1]
        guess = s1 + (room - h1) * (s1 - s0) / (h1 - h0) if h1 != h0 else s1 - step
        size = min(on_step(guess), on_step(s1 - step))
        styles, story, page = attempt(size)
        seen.append((size, page.height))
    return styles, story, page


def fit_font_size(
    make_story: Callable[[Styles], list[Flowable]],
    spec: PageSpec,
    *,
    minimum: float,
    step: float = 0.5,
    cell_delta: float = 1.5,
) -> Styles:
    """The largest :class:`Styles` whose story fits one page (the smallest when none does)."""
    return fit_story(make_story, spec, minimum=minimum, step=step, cell_delta=cell_delta)[0]


def procedure_label(name: str, code: str = "") -> str:
    """"<procedure> (Mã TTHC: <code>)" as every form names the procedure; the code only when known."""
    text = nfc(name)
    return f"{text} (Mã TTHC: {nfc(code)})" if nfc(code).strip() else text


def applicant_lines(lead: str, data, styles: Styles, width: float) -> list[Flowable]:
    """Applicant, address, phone / e-mail and the procedure: the opening lines of forms 02 and 03."""
    s = styles
    out: list[Flowable] = [field_line(lead, data.applicant_name, s, bold_value=True)]
    out += optional_fields([("Địa chỉ:", data.address)], s, width)
    out += optional_fields([("Số điện thoại:", data.phone), ("Email:", data.email)], s, width)
    out.append(field_line("Nội dung yêu cầu giải quyết:", procedure_label(data.procedure_name, data.procedure_code),
                          s, bold_value=True))
    return out


def optional_fields(pairs: Sequence[tuple[str, object]], styles: Styles, width: float) -> list[Flowable]:
    """One or two fields on a line; an empty one is left out rather than printed as a bare label."""
    kept = [(label, value) for label, value in pairs if nfc(value).strip()]
    if len(kept) == 2:
        return [field_row(kept, styles, width, ratios=[0.45, 0.55])]
    return [field_line(label, value, styles) for label, value in kept]
