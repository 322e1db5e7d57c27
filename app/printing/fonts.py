"""Bundled fonts for printed forms.

Liberation Serif (SIL OFL 1.1, metric-compatible with Times New Roman, full Vietnamese coverage)
ships in ``resources/fonts`` with its licence.  The same files are used by reportlab (here) and by
the Qt UI (``QFontDatabase.addApplicationFont`` on every path of :func:`font_paths`).

Never fall back to a built-in PDF font: the 14 standard fonts drop Vietnamese accents silently.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from resources import resource

FONTS_DIR = resource("fonts")

#: reportlab family name used by every form.
FAMILY = "MotCuaSerif"
REGULAR = FAMILY
BOLD = f"{FAMILY}-Bold"
ITALIC = f"{FAMILY}-Italic"
BOLD_ITALIC = f"{FAMILY}-BoldItalic"

_FILES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bold_italic": "LiberationSerif-BoldItalic.ttf",
}
_NAMES = {"regular": REGULAR, "bold": BOLD, "italic": ITALIC, "bold_italic": BOLD_ITALIC}

LICENSE_FILE = FONTS_DIR / "LICENSE-LiberationFonts.txt"

_lock = threading.Lock()
_registered = False


def font_paths() -> dict[str, Path]:
    """Paths of the bundled TTF files, keyed ``regular``, ``bold``, ``italic``, ``bold_italic``."""
    paths = {style: FONTS_DIR / name for style, name in _FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"bundled fonts missing: {', '.join(missing)}")
    return paths


def register_fonts() -> str:
    """Register the bundled family with reportlab (idempotent, thread-safe); return the family name.

    After this, ``<b>``/``<i>`` in Paragraph markup map to the bundled bold/italic faces.
    """
    global _registered
    with _lock:
        if _registered:
            return FAMILY
        for style, path in font_paths().items():
            pdfmetrics.registerFont(TTFont(_NAMES[style], str(path)))
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, ITALIC)
        addMapping(FAMILY, 1, 1, BOLD_ITALIC)
        pdfmetrics.registerFontFamily(
            FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
        )
        _registered = True
        return FAMILY


_printable: frozenset[int] | None = None


def printable_codepoints() -> frozenset[int]:
    """Code points every face of the bundled family can draw: what a form can print without a gap
    (reportlab draws nothing for a character the font lacks, so an emoji would silently vanish)."""
    global _printable
    with _lock:
        if _printable is None:
            faces = [set(TTFont(f"probe-{s}", str(p)).face.charToGlyph) for s, p in font_paths().items()]
            _printable = frozenset(set.intersection(*faces))
        return _printable
