"""Run a plain function off the Qt main thread and hand its result (or exception) back on the main thread.

The worker never touches a widget: it returns plain data, and the callbacks run on the main thread,
where the widgets live. A callback whose `parent` widget was deleted meanwhile is skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

# Jobs in flight. Holding them here keeps the signal objects (and the callbacks they call) alive until the
# result has been delivered, whatever the caller does with its own references meanwhile.
_running: set[_Relay] = set()


class _Relay(QObject):
    """Lives on the main thread: a signal emitted by the worker is queued here, and its slot runs there."""

    finished = Signal(bool, object)

    def __init__(self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None] | None,
                 parent_widget: QObject | None, name: str):
        super().__init__()
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        self.on_done = on_done
        self.on_error = on_error
        self.parent_widget = parent_widget
        self.name = name
        self.started = time.perf_counter()
        self.finished.connect(self._deliver)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        _running.discard(self)
        elapsed = (time.perf_counter() - self.started) * 1000
        log.debug("worker %s finished in %.0f ms (ok=%s)", self.name, elapsed, ok)
        if self.parent_widget is not None and not shiboken6.isValid(self.parent_widget):
            return  # the window that asked is gone: nobody to tell
        if ok:
            self.on_done(value)
        elif self.on_error is not None:
            self.on_error(value)  # type: ignore[arg-type]
        else:
            log.error("worker %s failed: %s", self.name, type(value).__name__)  # never the message: personal data
        self.deleteLater()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller, never lost
            if not isinstance(exc, Exception):
                log.exception("worker %s raised", self.relay.name)
            elif not _is_expected(exc):
                log.exception("worker %s raised", self.relay.name)
            self.relay.finished.emit(False, exc)
        else:
            self.relay.finished.emit(True, result)


def _is_expected(exc: BaseException) -> bool:
    from app.services.errors import ServiceError

    return isinstance(exc, ServiceError)


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


def run_in_thread(fn: Callable[[], Any], on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None] | None = None, *,
                  parent: QObject | None = None, name: str | None = None) -> None:
    """Run `fn()` in the thread pool; call `on_done(result)` or `on_error(exception)` on the main thread.

    `fn` must not touch widgets. Pass `parent` (the widget that asked) so that the callback is skipped if
    that widget has been deleted before the result arrives.
    """
    relay = _Relay(on_done, on_error, parent, name or getattr(fn, "__name__", "job"))
    _running.add(relay)
    pool().start(_Job(fn, relay))


def busy() -> int:
    """How many jobs have not delivered their result yet (tests and shutdown wait on this)."""
    return len(_running)


def wait_idle(timeout_ms: int = 10000) -> bool:
    """Block until the pool is empty and queued results are delivered (for shutdown and tests only)."""
    deadline = time.perf_counter() + timeout_ms / 1000
    done = pool().waitForDone(timeout_ms)
    while _running and time.perf_counter() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return done and not _running
