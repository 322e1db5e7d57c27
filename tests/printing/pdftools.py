"""Helpers for the printing tests (imported by the test modules): extract text with pdftotext, decode symbols with zbarimg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HAVE_PDFTOTEXT = shutil.which("pdftotext") is not None
HAVE_PDFTOPPM = shutil.which("pdftoppm") is not None
HAVE_ZBARIMG = shutil.which("zbarimg") is not None

needs_pdftotext = pytest.mark.skipif(not HAVE_PDFTOTEXT, reason="pdftotext (poppler-utils) is not installed")
needs_zbar = pytest.mark.skipif(
    not (HAVE_PDFTOPPM and HAVE_ZBARIMG),
    reason="pdftoppm (poppler-utils) and zbarimg (zbar-tools) are needed",
)


def write_pdf(tmp_path: Path, pdf: bytes, name: str = "out.pdf") -> Path:
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo gave no page count")


def pdf_text(path: Path, *, first: int | None = None, last: int | None = None, mode: str = "layout") -> str:
    """``mode``: ``"layout"`` (physical layout) or ``"raw"`` (content-stream order: a table cell's
    wrapped lines stay together, so multi-line table headers read as one string)."""
    cmd = ["pdftotext"]
    if mode in ("layout", "raw"):
        cmd.append(f"-{mode}")
    if first is not None:
        cmd += ["-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    cmd += [str(path), "-"]
    return subprocess.run(cmd, capture_output=True, check=True).stdout.decode("utf-8")


def page_texts(path: Path) -> list[str]:
    """Text of each page (pdftotext separates pages with form feeds)."""
    return pdf_text(path).split("\f")[: pdf_pages(path)]


def decode_symbols(path: Path, tmp_path: Path, *, dpi: int = 150) -> list[list[str]]:
    """Render every page at ``dpi`` and decode it with zbarimg: one list of payloads per page."""
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(prefix)], check=True)
    out = []
    for png in sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        res = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True)
        # exit status 4: no symbol found on that page
        assert res.returncode in (0, 4), res.stderr.decode("utf-8", "replace")
        out.append([line for line in res.stdout.decode("utf-8").splitlines() if line])
    return out


def squash(text: str) -> str:
    """Collapse runs of whitespace (pdftotext -layout pads columns with spaces)."""
    return " ".join(text.split())


def font_size_at(pdf: bytes, text: str, page: int = 0) -> float:
    """The font size (pt) the PDF prints the first character of ``text`` in, as pdfium reads it."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(pdf)
    try:
        tp = doc[page].get_textpage()
        chars = tp.get_text_range(0, tp.count_chars())
        index = chars.find(text)
        assert index >= 0, f"{text!r} not on page {page + 1}"
        return round(raw.FPDFText_GetFontSize(tp.raw, index), 2)
    finally:
        doc.close()
