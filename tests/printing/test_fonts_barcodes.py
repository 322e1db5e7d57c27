from __future__ import annotations

import unicodedata

import pytest
from reportlab.pdfbase import pdfmetrics

from app.printing import fonts
from app.printing.barcodes import code128_pattern, qr_matrix
from app.printing.common import nfc, place_date_line, short_date, to_local, vn_date, vn_datetime


def test_font_paths_exist_with_licence():
    paths = fonts.font_paths()
    assert set(paths) == {"regular", "bold", "italic", "bold_italic"}
    for p in paths.values():
        assert p.is_file() and p.suffix == ".ttf"
    assert fonts.LICENSE_FILE.is_file()
    assert "SIL OPEN FONT LICENSE" in fonts.LICENSE_FILE.read_text(encoding="utf-8")


def test_register_fonts_is_idempotent_and_covers_vietnamese():
    assert fonts.register_fonts() == fonts.register_fonts() == fonts.FAMILY
    letters = "ăâđêôơưĂÂĐÊÔƠƯ"
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY":
        for mark in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
            letters += unicodedata.normalize("NFC", base + mark)
    for name in (fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC):
        face = pdfmetrics.getFont(name).face
        missing = [ch for ch in letters if ord(ch) not in face.charToGlyph]
        assert not missing, (name, missing)


def test_code128_pattern_and_errors():
    pattern = code128_pattern("000.17.22.H56-261122-1001")
    assert set(pattern) == {"0", "1"} and pattern.startswith("11010") and pattern.endswith("11")
    with pytest.raises(ValueError):
        code128_pattern("")
    with pytest.raises(ValueError):
        code128_pattern("Mã hồ sơ")


def test_qr_matrix_is_square():
    m = qr_matrix("https://example.vn/tra-cuu/000.17.22.H56-261122-1001")
    assert len(m) == len(m[0]) >= 21


def test_date_helpers():
    from datetime import UTC, date, datetime

    utc = datetime(2026, 11, 16, 2, 5, tzinfo=UTC)  # 09:05 in Hanoi
    assert to_local(utc).hour == 9
    assert vn_datetime(utc) == "09 giờ 05 phút, ngày 16 tháng 11 năm 2026"
    assert vn_date(date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert place_date_line("Tân Hưng", date(2026, 11, 22)) == "Tân Hưng, ngày 22 tháng 11 năm 2026"
    assert short_date(utc) == "16/11/2026" and short_date(None) == ""
    assert nfc(unicodedata.normalize("NFD", "Hường")) == "Hường" and nfc(None) == ""
