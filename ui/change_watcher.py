"""Tells open windows that the data changed underneath them: another process wrote to the file (a kiosk on
the same PC, the sync worker folding pulled events) or another window of this one did.

It polls the change journal (app.services.changes) a few times a second, off the main thread, and emits
`changed(ChangeSet)` with the dossiers and kinds of reference data that changed.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.changes import ChangeSet, changes, last_change
from ui.workers import run_in_thread

log = logging.getLogger(__name__)
POLL_MS = 500


class ChangeWatcher(QObject):
    changed = Signal(object)  # ChangeSet

    def __init__(self, db, parent: QObject | None = None, *, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.db = db
        self.since = last_change(db)
        self.busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> None:
        if self.busy:
            return
        self.busy = True
        db, since = self.db, self.since
        run_in_thread(lambda: changes(db, since), self._result, self._failed, parent=self, name="changes")

    def _result(self, found: ChangeSet) -> None:
        self.busy = False
        if found.empty:
            return
        self.since = found.last
        self.changed.emit(found)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        log.warning("change journal unreadable: %s", type(exc).__name__)

    def stop(self) -> None:
        self.timer.stop()
