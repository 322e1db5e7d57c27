"""Run a plain function off the Qt main thread and hand its result (or exception) back on the main thread.

The worker never touches a widget, nor any Qt object: it runs in a plain Python thread pool, puts its result
on a queue and wakes the main thread by writing one byte into a socket pair (the self-pipe trick). The main
thread's QSocketNotifier reads the byte, drains the queue and calls the callbacks there, where the widgets
live. No Qt signal is emitted from a worker thread: PySide6 has crashed (SIGSEGV inside `emit`) when a
signal carrying a Python object was emitted from a pool thread while the main thread was busy tearing
windows down, and a socket needs no Qt on the worker's side at all.

A callback whose `parent` widget was deleted meanwhile is skipped.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

log = logging.getLogger(__name__)


class _Job:
    __slots__ = ("fn", "on_done", "on_error", "parent_widget", "name", "started")

    def __init__(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None] | None, parent_widget: QObject | None, name: str):
        self.fn = fn
        self.on_done = on_done
        self.on_error = on_error
        self.parent_widget = parent_widget
        self.name = name
        self.started = time.perf_counter()


class _Hub:
    """The pool, the queue of finished jobs and the wake-up socket; made once, on the main thread."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=max(4, os.cpu_count() or 1), thread_name_prefix="motcua-job")
        self.finished: deque[tuple[_Job, bool, Any]] = deque()
        self.running: set[_Job] = set()
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)
        self.notifier = QSocketNotifier(self.reader.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(lambda *_: self.drain())

    def wake(self) -> None:
        """From any thread: make the main thread drain the finished jobs (one byte; no Qt call)."""
        try:
            self.writer.send(b"\0")
        except OSError:
            pass  # full of wake-ups already, or closed at exit

    # --- on a worker thread: plain Python only --------------------------------------------------------------------
    def run(self, job: _Job) -> None:
        try:
            result = job.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller, never lost
            if not isinstance(exc, Exception) or not _is_expected(exc):
                log.exception("worker %s raised", job.name)
            self.finished.append((job, False, exc))
        else:
            self.finished.append((job, True, result))
        self.wake()

    # --- on the main thread ---------------------------------------------------------------------------------------
    def drain(self) -> None:
        try:
            while self.reader.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            return
        while self.finished:
            job, ok, value = self.finished.popleft()
            self.running.discard(job)
            try:
                _deliver(job, ok, value)
            except BaseException:
                if self.finished:  # a callback raised: the results behind it still get delivered, next turn
                    self.wake()
                raise


def _deliver(job: _Job, ok: bool, value: Any) -> None:
    elapsed = (time.perf_counter() - job.started) * 1000
    log.debug("worker %s finished in %.0f ms (ok=%s)", job.name, elapsed, ok)
    if job.parent_widget is not None and not shiboken6.isValid(job.parent_widget):
        return  # the window that asked is gone: nobody to tell
    if ok:
        job.on_done(value)
    elif job.on_error is not None:
        job.on_error(value)
    else:
        log.error("worker %s failed: %s", job.name, type(value).__name__)  # never the message: personal data


def _is_expected(exc: BaseException) -> bool:
    from app.services.errors import ServiceError

    return isinstance(exc, ServiceError)


_hub: _Hub | None = None


def _the_hub() -> _Hub:
    global _hub
    if _hub is None:
        _hub = _Hub()
    return _hub


def run_in_thread(fn: Callable[[], Any], on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None] | None = None, *,
                  parent: QObject | None = None, name: str | None = None) -> None:
    """Run `fn()` in the thread pool; call `on_done(result)` or `on_error(exception)` on the main thread.

    `fn` must not touch widgets. Pass `parent` (the widget that asked) so that the callback is skipped if
    that widget has been deleted before the result arrives. Call it on the main thread.
    """
    hub = _the_hub()
    job = _Job(fn, on_done, on_error, parent, name or getattr(fn, "__name__", "job"))
    hub.running.add(job)
    hub.executor.submit(hub.run, job)


def busy() -> int:
    """How many jobs have not delivered their result yet (tests and shutdown wait on this)."""
    return len(_hub.running) if _hub is not None else 0


def wait_idle(timeout_ms: int = 10000) -> bool:
    """Block until every job has finished and its result was delivered (for shutdown and tests only)."""
    if _hub is None:
        return True
    deadline = time.perf_counter() + timeout_ms / 1000
    while _hub.running and time.perf_counter() < deadline:
        QCoreApplication.processEvents()  # the socket notifier fires here and delivers what has finished
        if _hub.running:
            time.sleep(0.005)
    return not _hub.running
