"""`motcua demo` with a window: a progress window while the demo commune is made (in a worker: the window
keeps painting), then the counter signed in as the demo clerk."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QProgressBar, QVBoxLayout, QWidget

from app.services.errors import ServiceError
from ui.app import create_application
from ui.workers import run_in_thread

T = {
    "title": "MotCua – Xã mẫu",
    "heading": "Đang tạo xã mẫu để dùng thử",
    "intro": "Xã mẫu là một tệp dữ liệu riêng ({path}), không phải dữ liệu thật: danh mục thủ tục, cán bộ và "
             "{n} hồ sơ trong hai tháng qua ở đủ mọi trạng thái. Việc này mất chừng một phút.",
    "starting": "Chuẩn bị…",
    "failed_title": "MotCua – Không tạo được xã mẫu",
    "failed": "Không tạo được xã mẫu: {msg}\n\nChạy lại “motcua demo --reset” để tạo lại từ đầu.",
    "ok": "Đóng",
}


class _Relay(QObject):
    step = Signal(int, int, str)


class DemoProgress(QDialog):
    """What the demo is doing, step by step: `show_step(done, total, text)` from any thread via `relay`."""

    def __init__(self, path: Path, dossiers: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(T["title"])
        self.setObjectName("demoProgress")
        self.relay = _Relay(self)
        self.relay.step.connect(self.show_step, Qt.ConnectionType.QueuedConnection)
        heading = QLabel(T["heading"])
        heading.setObjectName("panelTitle")
        intro = QLabel(T["intro"].format(path=path, n=dossiers))
        intro.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, max(dossiers, 1))
        self.bar.setFormat("%v / %m")
        self.text = QLabel(T["starting"])
        self.text.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        for w in (heading, intro, self.bar, self.text):
            lay.addWidget(w)
        self.setMinimumWidth(560)
        self.steps_seen = 0

    def show_step(self, done: int, total: int, text: str) -> None:
        self.steps_seen += 1
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.text.setText(text)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        event.ignore()  # the demo is being written: closing now would leave it half-made (it would be redone)


def make_demo(path: Path, dossiers: int, progress: DemoProgress) -> BaseException | None:
    """Seed the demo in a worker while `progress` shows each step; returns the error, if any."""
    from ui.cli import seed_demo_file

    loop = QEventLoop()
    outcome: dict = {}

    def done(_n) -> None:
        outcome["error"] = None
        loop.quit()

    def failed(exc: BaseException) -> None:
        outcome["error"] = exc
        loop.quit()

    relay = progress.relay
    run_in_thread(lambda: seed_demo_file(path, dossiers, progress=relay.step.emit), done, failed, name="seed_demo")
    loop.exec()
    return outcome["error"]


def run_demo(db_path: Path, *, seed: bool, dossiers: int) -> int:
    app = create_application(sys.argv)
    from ui.error_dialog import install_error_reporter

    install_error_reporter(app)
    if seed:
        progress = DemoProgress(db_path, dossiers)
        progress.show()
        error = make_demo(db_path, dossiers, progress)
        progress.hide()
        progress.deleteLater()
        if error is not None:
            msg = error.message if isinstance(error, ServiceError) else type(error).__name__
            box = QMessageBox(QMessageBox.Icon.Critical, T["failed_title"], T["failed"].format(msg=msg),
                              QMessageBox.StandardButton.Ok)
            box.button(QMessageBox.StandardButton.Ok).setText(T["ok"])
            box.exec()
            return 1
    del app
    from ui.counter_app import run_counter

    return run_counter(db_path, username="canbo")
