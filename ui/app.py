"""The QApplication of the counter: bundled Vietnamese-complete font, vi_VN locale, the counter stylesheet."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parents[1] / "resources" / "styles" / "counter.qss"
FONT_POINT_SIZE = 11
APP_NAME = "MotCua"


def register_fonts() -> str | None:
    """Register the bundled TTF files with Qt; the family name, or None when they cannot be loaded."""
    try:
        from app.printing.fonts import font_paths

        paths = font_paths()
    except (ImportError, FileNotFoundError) as exc:
        log.warning("bundled fonts unavailable, using the system font: %s", exc)
        return None
    family = None
    for path in paths.values():
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families and family is None:
            family = families[0]
    return family


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication (reused if one exists, e.g. under pytest-qt), styled for the counter."""
    app = QApplication.instance() or QApplication(list(argv or [APP_NAME]))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    QLocale.setDefault(QLocale("vi_VN"))
    family = register_fonts()
    font = QFont(family) if family else QFont(app.font())
    font.setPointSize(FONT_POINT_SIZE)
    app.setFont(font)
    try:
        app.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))
    except OSError as exc:
        log.warning("stylesheet %s not loaded: %s", STYLESHEET, exc)
    return app
