"""Code128 and QR codes drawn as vector shapes on a reportlab canvas.

The symbols are *encoded* by python-barcode (Code128 module pattern) and segno (QR matrix) and
*drawn* here as filled rectangles, so they stay sharp at any printer resolution.  Widths are chosen
so that a 150 dpi scan (or ``pdftoppm -r 150``) still decodes with zbar.
"""

from __future__ import annotations

from functools import lru_cache

import barcode
import segno
from barcode.errors import BarcodeError
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from app.printing.common import Styles, esc, layout_table, nfc, para
from app.printing.fonts import REGULAR, register_fonts

__all__ = [
    "code128_pattern",
    "qr_matrix",
    "Code128Flowable",
    "QRFlowable",
    "draw_code128",
    "draw_qr",
    "code_block",
]

#: quiet zone on each side of a Code128 symbol, in modules (the standard asks for at least 10).
QUIET_MODULES = 10
#: Module widths are whole multiples of 0.24 pt (1/300 inch): 0.96 pt is exactly 2 pixels at 150 dpi,
#: 4 dots at 300 dpi, 8 at 600 dpi, so the bars never alias; widths in between decode unreliably from a
#: 150 dpi raster (measured with zbarimg).  0.72 pt (1.5 px at 150 dpi) is the narrowest we use.
DEFAULT_MODULE = 0.96
MIN_MODULE = 0.72


@lru_cache(maxsize=256)
def code128_pattern(code: str) -> str:
    """The Code128 module string (``'1'`` bar, ``'0'`` space) without quiet zones."""
    code = nfc(code)
    if not code:
        raise ValueError("empty barcode payload")
    try:
        pattern = "".join(barcode.get_barcode_class("code128")(code).build())
    except (BarcodeError, KeyError, ValueError) as exc:  # non-ASCII characters, …
        raise ValueError(f"cannot encode {code!r} as Code128: {exc}") from exc
    if not pattern or set(pattern) - {"0", "1"}:
        raise ValueError(f"unexpected Code128 pattern for {code!r}")
    return pattern


@lru_cache(maxsize=64)
def qr_matrix(data: str, error: str = "m") -> tuple[tuple[bool, ...], ...]:
    """The QR module matrix (no border), ``True`` for a dark module."""
    qr = segno.make(nfc(data), error=error, micro=False)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


def _runs(bits: str | tuple[bool, ...]):
    """``(start, length)`` of every run of dark modules."""
    start = None
    for i, b in enumerate(bits):
        dark = b == "1" if isinstance(b, str) else bool(b)
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i - start
            start = None
    if start is not None:
        yield start, len(bits) - start


def draw_code128(canv, x: float, y: float, code: str, *, module: float, bar_height: float) -> float:
    """Draw the bars with their quiet zones from (x, y) = bottom-left of the quiet zone; return width."""
    pattern = code128_pattern(code)
    canv.saveState()
    canv.setFillColorRGB(0, 0, 0)
    x0 = x + QUIET_MODULES * module
    for start, length in _runs(pattern):
        canv.rect(x0 + start * module, y, length * module, bar_height, stroke=0, fill=1)
    canv.restoreState()
    return (len(pattern) + 2 * QUIET_MODULES) * module


def draw_qr(canv, x: float, y: float, data: str, *, size: float, border: int = 4) -> None:
    """Draw a QR code whose square (border included) has side ``size`` and bottom-left (x, y)."""
    matrix = qr_matrix(data)
    n = len(matrix)
    m = size / (n + 2 * border)
    canv.saveState()
    canv.setFillColorRGB(0, 0, 0)
    top = y + size - border * m
    for r, row in enumerate(matrix):
        yy = top - (r + 1) * m
        for start, length in _runs(row):
            # a hair of overlap between rows avoids white seams in some rasterisers
            canv.rect(x + (border + start) * m, yy - 0.01, length * m, m + 0.02, stroke=0, fill=1)
    canv.restoreState()


class Code128Flowable(Flowable):
    """A Code128 symbol with its human-readable text centred under the bars.

    The module width is ``module`` unless the symbol would be wider than the available width; it
    then falls back to :data:`MIN_MODULE` (and overflows rather than shrink further).
    """

    def __init__(
        self,
        code: str,
        *,
        module: float = DEFAULT_MODULE,
        bar_height: float = 11 * mm,
        text_size: float = 9,
        show_text: bool = True,
        align: str = "CENTER",
    ) -> None:
        super().__init__()
        register_fonts()
        self.code = nfc(code)
        self.pattern = code128_pattern(self.code)
        self.module = module
        self.bar_height = bar_height
        self.text_size = text_size
        self.show_text = show_text
        self.hAlign = align

    def _symbol_width(self, module: float) -> float:
        return (len(self.pattern) + 2 * QUIET_MODULES) * module

    def wrap(self, availWidth: float, availHeight: float):  # noqa: N803 (reportlab API)
        m = self.module
        if self._symbol_width(m) > availWidth:
            m = MIN_MODULE  # the only narrower width that still scans from a 150 dpi raster
        self.used_module = m
        self.width = self._symbol_width(m)
        self.height = self.bar_height + (self.text_size * 1.3 if self.show_text else 0)
        return self.width, self.height

    def draw(self) -> None:
        text_h = self.text_size * 1.3 if self.show_text else 0
        draw_code128(self.canv, 0, text_h, self.code, module=self.used_module, bar_height=self.bar_height)
        if self.show_text:
            size = self.text_size
            while size > 5 and stringWidth(self.code, REGULAR, size) > self.width:
                size -= 0.5
            self.canv.setFont(REGULAR, size)
            self.canv.drawCentredString(self.width / 2, text_h - size * 0.95, self.code)


class QRFlowable(Flowable):
    """A QR code square of side ``size`` (quiet zone of ``border`` modules included)."""

    def __init__(self, data: str, *, size: float = 24 * mm, border: int = 2, align: str = "CENTER") -> None:
        super().__init__()
        self.data = nfc(data)
        qr_matrix(self.data)  # fail early on unencodable data
        self.size = size
        self.border = border
        self.hAlign = align

    def wrap(self, availWidth: float, availHeight: float):  # noqa: N803
        self.width = self.height = self.size
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, 0, 0, self.data, size=self.size, border=self.border)


def code_block(
    code: str, styles: Styles, width: float, *, label: str = "Mã hồ sơ:", bar_height: float = 9 * mm
):
    """``"Mã hồ sơ: <code>"`` (left) with its Code128 symbol and human-readable text (right).

    Used by the forms that refer to an existing dossier (02 with a code, 04, 05, 06).
    """
    text = para(f"{esc(label)} <b>{esc(code)}</b>", styles.left, markup=True)
    bars = Code128Flowable(code, bar_height=bar_height, text_size=max(styles.size - 3, 7), align="RIGHT")
    bars_w = bars.wrap(width, 1000)[0]
    left_w = max(width - bars_w - 2 * mm, width * 0.35)
    return layout_table(
        [[text, bars]], [left_w, width - left_w], valign="MIDDLE", extra=[("ALIGN", (1, 0), (1, 0), "RIGHT")]
    )
