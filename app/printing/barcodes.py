"""Code128 and QR codes drawn as vector shapes on a reportlab canvas.

The symbols are *encoded* by python-barcode (Code128 module pattern) and segno (QR matrix) and
*drawn* here as filled rectangles, so they stay sharp at any printer resolution.  Module widths are
chosen so that a cheap printer, a 100 dpi scan (``pdftoppm -r 100``) or a phone photo still decodes
with zbar (see :data:`MODULES`).
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
from app.printing.fonts import BOLD, REGULAR, register_fonts

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
#: Module widths to try, widest first; a symbol takes the widest that fits its column.  Measured with
#: zbarimg on pdftoppm rasters of dossier codes at several sub-pixel offsets: 1.44 pt (0.51 mm, 2 px at
#: 100 dpi, 3 at 150, 6 dots at 300) decodes at every resolution from 96 to 300 dpi; 1.08 pt (1.5 px at
#: 100 dpi) decodes at 100 dpi and above, and is what fits an A5 receipt; 0.96 pt needs 150 dpi.
MODULES = (1.44, 1.08)
DEFAULT_MODULE = MODULES[0]
MIN_MODULE = MODULES[-1]


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


def _fill_runs(canv, rects: list[str]) -> None:
    """Fill rectangles given as ready PDF operands ("x y w h") in the current (scaled) user space.

    The symbols are drawn in module units after one transform, so every coordinate is a small whole
    number written straight into the content stream: a QR is hundreds of rectangles, and reportlab's
    general float formatting of each was most of a receipt's drawing time.
    """
    if rects:
        canv.addLiteral(" re ".join(rects) + " re f")


def draw_code128(canv, x: float, y: float, code: str, *, module: float, bar_height: float) -> float:
    """Draw the bars with their quiet zones from (x, y) = bottom-left of the quiet zone; return width."""
    pattern = code128_pattern(code)
    canv.saveState()
    canv.setFillColorRGB(0, 0, 0)
    canv.transform(module, 0, 0, bar_height, x + QUIET_MODULES * module, y)
    _fill_runs(canv, [f"{start} 0 {length} 1" for start, length in _runs(pattern)])
    canv.restoreState()
    return (len(pattern) + 2 * QUIET_MODULES) * module


def _qr_rects(matrix: tuple[tuple[bool, ...], ...]) -> list[str]:
    """Dark runs of each row, merged with the same run in the rows under it (fewer, taller rectangles);
    y counts rows from the top, in module units."""
    out = []
    open_runs: dict[tuple[int, int], int] = {}  # run -> first row it appeared in (still continuing)
    n = len(matrix)
    for r in range(n + 1):
        runs = set(_runs(matrix[r])) if r < n else set()
        for run in [k for k in open_runs if k not in runs]:
            first = open_runs.pop(run)
            # a hair of overlap between rows avoids white seams in some rasterisers
            out.append(f"{run[0]} {n - r} {run[1]} {r - first}.02")
        for run in runs:
            open_runs.setdefault(run, r)
    return out


@lru_cache(maxsize=64)
def _qr_ops(data: str) -> tuple[int, tuple[str, ...]]:
    matrix = qr_matrix(data)
    return len(matrix), tuple(_qr_rects(matrix))


def draw_qr(canv, x: float, y: float, data: str, *, size: float, border: int = 4) -> None:
    """Draw a QR code whose square (border included) has side ``size`` and bottom-left (x, y)."""
    n, rects = _qr_ops(nfc(data))
    m = size / (n + 2 * border)
    canv.saveState()
    canv.setFillColorRGB(0, 0, 0)
    canv.transform(m, 0, 0, m, x + border * m, y + border * m)
    _fill_runs(canv, list(rects))
    canv.restoreState()


class Code128Flowable(Flowable):
    """A Code128 symbol with its human-readable text centred under the bars.

    The module width is the widest of ``modules`` whose symbol fits the available width; when none
    fits, the narrowest (and the symbol overflows rather than shrink below what scans at 100 dpi).
    """

    def __init__(
        self,
        code: str,
        *,
        modules: tuple[float, ...] = MODULES,
        bar_height: float = 11 * mm,
        text_size: float = 9,
        show_text: bool = True,
        align: str = "CENTER",
    ) -> None:
        super().__init__()
        register_fonts()
        self.code = nfc(code)
        self.pattern = code128_pattern(self.code)
        self.modules = tuple(sorted(modules, reverse=True))
        self.bar_height = bar_height
        self.text_size = text_size
        self.show_text = show_text
        self.hAlign = align

    def _symbol_width(self, module: float) -> float:
        return (len(self.pattern) + 2 * QUIET_MODULES) * module

    def module_for(self, avail_width: float) -> float:
        return next((m for m in self.modules if self._symbol_width(m) <= avail_width + 0.01), self.modules[-1])

    def wrap(self, availWidth: float, availHeight: float):  # noqa: N803 (reportlab API)
        m = self.module_for(availWidth)
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
    """``"Mã hồ sơ: <code>"`` with its Code128 symbol and human-readable text.

    Used by the forms that refer to an existing dossier (02 with a code, 04, 05, 06).  The text and the
    bars share a line when both fit; otherwise the bars (at a width that scans at 100 dpi) go under it.
    """
    text = para(f"{esc(label)} <b>{esc(code)}</b>", styles.left, markup=True)
    bars = Code128Flowable(code, bar_height=bar_height, text_size=max(styles.size - 3, 7), align="RIGHT")
    bars_w = bars.wrap(width, 1000)[0]
    text_w = stringWidth(f"{nfc(label)} {nfc(code)}", BOLD, styles.size) + 4 * mm
    if bars_w + text_w <= width:
        left_w = width - bars_w
        return layout_table(
            [[text, bars]], [left_w, bars_w], valign="MIDDLE", extra=[("ALIGN", (1, 0), (1, 0), "RIGHT")]
        )
    bars.hAlign = "CENTER"
    return layout_table([[text], [bars]], [width], extra=[("ALIGN", (0, 1), (0, 1), "CENTER"),
                                                          ("TOPPADDING", (0, 1), (0, 1), 2)])
