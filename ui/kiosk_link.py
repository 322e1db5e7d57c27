"""The kiosk's side of its link with the counter, on a timer: one push-and-pull round in a worker every few
hundred milliseconds (slower while the counter cannot be reached), so that a counter's "Mời đánh giá" shows
within a second and the kiosk's ratings reach the counter."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.kiosk_link import SyncReport, link_sync, remote_lookup
from app.services.ratings import RemoteDossier
from ui.workers import run_in_thread

log = logging.getLogger(__name__)

T = {"down": "Chưa kết nối được với máy quầy; đánh giá vẫn được lưu trên máy này và gửi sau."}

POLL_MS = 300
BACKOFF_MS = (1000, 2000, 3000)  # after 1, 2, 3+ failed rounds in a row


class LinkPoller(QObject):
    """Signals: `synced(int)` after a round (events stored from the counter), `status(str)` ("" when fine)."""

    synced = Signal(int)
    status = Signal(str)

    def __init__(self, db, parent: QObject | None = None, *, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.db = db
        self.interval_ms = interval_ms
        self.busy = False
        self.failures = 0
        self.last: SyncReport | None = None
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start(0)

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        if self.busy:
            return
        self.busy = True
        db = self.db
        run_in_thread(lambda: link_sync(db), self._done, self._failed, parent=self, name="link_sync")

    def _done(self, report: SyncReport) -> None:
        self.busy = False
        self.last = report
        if report.ok:
            if self.failures:
                log.info("kiosk link: connected again")
            self.failures = 0
            self.status.emit("")
        else:
            if not self.failures:
                log.warning("kiosk link: %s", report.error)
            self.failures += 1
            self.status.emit(T["down"])
        self.synced.emit(report.pulled)
        delay = self.interval_ms if report.ok else BACKOFF_MS[min(self.failures, len(BACKOFF_MS)) - 1]
        self.timer.start(delay)

    def _failed(self, exc: BaseException) -> None:
        self._done(SyncReport(False, error=type(exc).__name__))

    def lookup(self, code: str) -> RemoteDossier:
        """Ask the counter about a scanned code (called in a worker; raises LinkDown)."""
        return remote_lookup(self.db, code)
