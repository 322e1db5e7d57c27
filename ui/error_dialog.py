"""An unexpected error in a window: the details go to the log (with the traceback, never a citizen's data), the
person sees what happened and what to do, in Vietnamese, and the counter keeps running."""

from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from app.services.paths import log_dir

log = logging.getLogger("motcua.window")

T = {
    "title": "MotCua – Lỗi ngoài dự kiến",
    "text": "Chương trình gặp một lỗi ngoài dự kiến ({kind}).",
    "info": "Những gì đã lưu trước đó không bị mất; thao tác vừa làm có thể chưa xong. Hãy mở lại hồ sơ hoặc màn hình "
            "vừa dùng để kiểm tra, rồi làm lại. Nếu lỗi lặp lại, hãy báo cán bộ CNTT và gửi kèm tệp nhật ký trong "
            "thư mục {folder} (tệp không chứa dữ liệu cá nhân của công dân).",
    "ok": "Tiếp tục làm việc",
}


class _Bridge(QObject):
    """Carries an error from any thread to the main thread, where the dialog is shown."""

    happened = Signal(str)


class ErrorReporter:
    """Installed as sys.excepthook and threading.excepthook while the windows run. At most one dialog at a
    time: a burst of the same error (a timer's slot failing every second) is logged each time, shown once."""

    def __init__(self, app: QApplication):
        self.app = app
        self.bridge = _Bridge()
        self.bridge.happened.connect(self.show, Qt.ConnectionType.QueuedConnection)
        self.box: QMessageBox | None = None
        self.shown = 0
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> ErrorReporter:
        sys.excepthook = self.handle
        threading.excepthook = lambda args: self.handle(args.exc_type, args.exc_value, args.exc_traceback)
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def handle(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self.app.quit()
            return
        log.error("unexpected error in the window", exc_info=(exc_type, exc, tb))
        self.bridge.happened.emit(exc_type.__name__)

    def show(self, kind: str) -> None:
        if self.box is not None:  # one open already (or about to open): say it once
            return
        self.shown += 1
        box = QMessageBox(QMessageBox.Icon.Critical, T["title"], T["text"].format(kind=kind),
                          QMessageBox.StandardButton.Ok, QApplication.activeWindow())
        box.setInformativeText(T["info"].format(folder=log_dir()))
        box.button(QMessageBox.StandardButton.Ok).setText(T["ok"])
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: setattr(self, "box", None))
        self.box = box
        QTimer.singleShot(0, box.open)


def install_error_reporter(app: QApplication) -> ErrorReporter:
    reporter = app.findChild(QObject, "errorReporterHolder")
    if reporter is not None:
        return reporter.reporter  # type: ignore[attr-defined]
    holder = QObject(app)
    holder.setObjectName("errorReporterHolder")
    holder.reporter = ErrorReporter(app).install()  # type: ignore[attr-defined]
    return holder.reporter  # type: ignore[attr-defined]
