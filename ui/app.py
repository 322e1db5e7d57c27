"""The QApplication of the counter: bundled Vietnamese-complete font, vi_VN locale, the counter stylesheet."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QLocale, QObject, QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

from resources import resource

log = logging.getLogger(__name__)

STYLESHEET = resource("styles", "counter.qss")
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


class WheelGuard(QObject):
    """Spin boxes, date-time edits and drop-downs ignore the mouse wheel unless they have the focus.

    Scrolling a form over "Thời điểm tiếp nhận" must scroll the form, not move the time (and turn the
    dossier into a silently backdated one). Such widgets also stop taking the focus from the wheel;
    a wheel over an unfocused one goes on to the scroll area behind it.
    """

    GUARDED = (QAbstractSpinBox, QComboBox)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        et = event.type()
        if et == QEvent.Type.Polish and isinstance(obj, self.GUARDED):
            obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif et == QEvent.Type.Wheel and isinstance(obj, self.GUARDED) and not obj.hasFocus():
            event.ignore()  # not handled here: the parent (the form's scroll area) gets it
            return True
        return False


def install_wheel_guard(app: QApplication | None = None) -> WheelGuard | None:
    """Install the one WheelGuard on the application (idempotent); every window calls it."""
    app = app or QApplication.instance()
    if app is None:
        return None
    guard = app.findChild(WheelGuard, "wheelGuard")
    if guard is None:
        guard = WheelGuard(app)
        guard.setObjectName("wheelGuard")
        app.installEventFilter(guard)
    return guard


USABLE = QSize(1366, 728)  # the smallest screen a counter has: 1366×768 less a taskbar
FRAME = QSize(16, 40)  # what a window manager adds around a window: borders and the title bar


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Give `window` its preferred size, or less where the screen is smaller (its buttons stay visible):
    the available area of its screen minus the frame the window manager draws around it."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    avail = screen.availableGeometry().size() if screen is not None else USABLE
    window.resize(max(min(width, avail.width() - FRAME.width()), 320),
                  max(min(height, avail.height() - FRAME.height()), 240))


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication (reused if one exists, e.g. under pytest-qt), styled for the counter."""
    app = QApplication.instance() or QApplication(list(argv or [APP_NAME]))
    app.setApplicationName(APP_NAME)  # no display name: Qt would append " — MotCua" to every window title
    app.setWindowIcon(QIcon(str(resource("icons", "motcua.png"))))
    app.setOrganizationName(APP_NAME)
    QLocale.setDefault(QLocale("vi_VN"))
    family = register_fonts()
    font = QFont(family) if family else QFont(app.font())
    font.setPointSize(FONT_POINT_SIZE)
    app.setFont(font)
    install_wheel_guard(app)
    try:
        app.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))
    except OSError as exc:
        log.warning("stylesheet %s not loaded: %s", STYLESHEET, exc)
    return app
