"""The thread pool every window uses for slow work: results come back on the main thread, none is lost or
delivered twice, a window closed meanwhile is not called, and a failing callback does not swallow others."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtWidgets import QLabel

from ui import workers


def test_many_jobs_deliver_every_result_once_on_the_main_thread(qtbot):
    main = threading.get_ident()
    got: dict[int, tuple[int, list[int]]] = {}
    seen_threads: set[int] = set()

    def job(i: int):
        def fn():
            seen_threads.add(threading.get_ident())
            time.sleep(0.0005 * (i % 3))
            return [i] * 3  # a Python object, as the windows' jobs return

        return fn

    def done(i: int):
        def cb(value):
            assert threading.get_ident() == main
            assert i not in got, "delivered twice"
            got[i] = (threading.get_ident(), value)

        return cb

    for i in range(600):
        workers.run_in_thread(job(i), done(i), name=f"job{i}")
    assert workers.wait_idle(20000)
    assert sorted(got) == list(range(600))
    assert all(value == [i] * 3 for i, (_t, value) in got.items())
    assert main not in seen_threads
    assert workers.busy() == 0


def test_an_exception_reaches_on_error_and_a_closed_window_is_not_called(qtbot):
    errors: list[BaseException] = []
    workers.run_in_thread(lambda: 1 / 0, lambda _v: pytest.fail("no result expected"), errors.append)
    label = QLabel("cửa sổ")
    qtbot.addWidget(label)
    called: list[object] = []
    gate = threading.Event()
    workers.run_in_thread(lambda: gate.wait(5), called.append, parent=label)
    label.deleteLater()
    qtbot.waitUntil(lambda: not _valid(label))
    gate.set()
    assert workers.wait_idle(5000)
    assert [type(e) for e in errors] == [ZeroDivisionError]
    assert called == []


def test_a_callback_that_raises_does_not_lose_the_results_behind_it(qtbot):
    got: list[int] = []
    gate = threading.Event()

    def boom(_v):
        raise RuntimeError("hỏng")

    workers.run_in_thread(lambda: gate.wait(5) and 0, boom)
    for i in range(1, 6):
        workers.run_in_thread(lambda i=i: (gate.wait(5), i)[1], got.append)
    with qtbot.captureExceptions() as raised:
        gate.set()
        assert workers.wait_idle(5000)
    assert sorted(got) == [1, 2, 3, 4, 5]
    assert [type(e[1]) for e in raised] == [RuntimeError]


def _valid(obj) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)
