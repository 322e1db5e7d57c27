"""The daily automatic backup while the counter runs: a look every few minutes (the first a while after start,
not while the clerk begins work), the backup itself in a worker (SQLite's online backup: the counter keeps
working), and for an administrator a status-bar item that turns red when the last backup is too old."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.backups import backup_due, backup_status, run_backup
from app.services.errors import ServiceError
from ui.workers import run_in_thread

log = logging.getLogger(__name__)

T = {
    "item_ok": "Lần sao lưu gần nhất: {when}",
    "item_never": "Chưa sao lưu lần nào",
    "notice": "<b>Sao lưu dữ liệu:</b> {warning} Thư mục sao lưu: {folder}",
    "open": "Mở phần Sao lưu",
    "later": "Để sau",
    "failed": "Sao lưu tự động chưa được: {msg}",
}
CHECK_MS = 10 * 60 * 1000  # a look every ten minutes
FIRST_CHECK_MS = 2 * 60 * 1000  # the first one two minutes after start


class BackupWatch(QObject):
    """`status(BackupStatus)` after each look; `done(BackupDone)` / `failed(str)` after each automatic backup."""

    status = Signal(object)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, db, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        self.running = False
        self.last_error = ""
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)

    def start(self, first_check_ms: int = FIRST_CHECK_MS) -> None:
        self.refresh()
        self.timer.start()
        QTimer.singleShot(first_check_ms, self, self.check)

    def refresh(self) -> None:
        db = self.db
        run_in_thread(lambda: backup_status(db), self.status.emit, lambda _e: None, parent=self,
                      name="backup_status")

    def check(self) -> None:
        """Back up now if today's backup is due (in a worker; nothing else waits for it)."""
        if self.running:
            return
        self.running = True
        db = self.db

        def job():
            return run_backup(db, automatic=True) if backup_due(db) else None

        run_in_thread(job, self._done, self._failed, parent=self, name="daily_backup")

    def _done(self, result) -> None:
        self.running = False
        self.last_error = ""
        if result is not None:
            self.done.emit(result)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.last_error = exc.message if isinstance(exc, ServiceError) else type(exc).__name__
        log.warning("automatic backup failed: %s", type(exc).__name__)
        self.failed.emit(T["failed"].format(msg=self.last_error))
        self.refresh()


class BackupNotice(QFrame):
    """For administrators, at the top of the counter window: the last backup is too old (or there is none, or the
    automatic one failed); a button opens the administration's backup page. Hidden when all is well: the status
    bar of a 1366-pixel screen has no room to spare, and the time of the last backup is on that page."""

    open_requested = Signal()

    def __init__(self, watch: BackupWatch, parent: QWidget | None = None):
        super().__init__(parent)
        self.watch = watch
        self.setObjectName("backupNotice")
        self.setStyleSheet("#backupNotice { background: #fde7e4; border-bottom: 1px solid #e6a79e; }")
        self.dismissed = False
        self.warning = ""
        self.last_text = ""
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.open_button = QPushButton(T["open"])
        self.later_button = QPushButton(T["later"])
        self.open_button.clicked.connect(self.open_requested.emit)
        self.later_button.clicked.connect(self.dismiss)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.open_button)
        lay.addWidget(self.later_button)
        self.hide()
        watch.status.connect(self.show_status)

    def show_status(self, st) -> None:
        self.last_text = T["item_ok"].format(when=f"{st.last.at:%H:%M %d/%m/%Y}") if st.last else T["item_never"]
        stale = st.last is None or "cách đây" in st.warning
        self.warning = st.warning if stale else ""
        if self.watch.last_error:
            self.warning = " ".join(x for x in (self.warning, T["failed"].format(msg=self.watch.last_error)) if x)
        self.label.setText(T["notice"].format(warning=self.warning, folder=st.folder))
        self.setVisible(bool(self.warning) and not self.dismissed)

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()
