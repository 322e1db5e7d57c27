"""The daily automatic backup while the counter runs: a look every few minutes (the first a while after start,
not while the clerk begins work), the backup itself in a worker (SQLite's online backup: the counter keeps
working), and for an administrator a status-bar item that turns red when the last backup is too old."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.services.backups import backup_due, backup_status, run_backup
from app.services.errors import ServiceError
from ui.workers import run_in_thread

log = logging.getLogger(__name__)

T = {
    "item_ok": "Sao lưu: {when}",
    "item_never": "Chưa sao lưu",
    "item_old": "Sao lưu đã cũ: {when}",
    "tip": "Lần sao lưu gần nhất: {when}\nThư mục: {folder}\n{warning}Bấm để mở phần Sao lưu của Quản trị hệ thống.",
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


class BackupStatusItem(QPushButton):
    """For administrators: the last backup's time in the status bar, red with a warning when it is old."""

    open_requested = Signal()

    def __init__(self, watch: BackupWatch, parent: QWidget | None = None):
        super().__init__(T["item_never"], parent)
        self.watch = watch
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setObjectName("backupItem")
        self.clicked.connect(self.open_requested.emit)
        watch.status.connect(self.show_status)
        self.warning = ""

    def show_status(self, st) -> None:
        when = f"{st.last.at:%H:%M %d/%m}" if st.last else "chưa có"
        self.warning = st.warning or self.watch.last_error
        stale = st.last is None or "cách đây" in st.warning
        if st.last is None:
            self.setText(T["item_never"])
        else:
            self.setText((T["item_old"] if stale else T["item_ok"]).format(when=when))
        red = stale or bool(self.watch.last_error)
        color, weight = ("#b3261e", "font-weight: bold;") if red else ("#444444", "")
        self.setStyleSheet(f"QPushButton {{ color: {color}; {weight} padding: 2px 6px; border: none; }}"
                           "QPushButton:hover { text-decoration: underline; }")
        self.setToolTip(T["tip"].format(when=when, folder=st.folder,
                                        warning=(self.warning + "\n") if self.warning else ""))
