"""Benchmarks of the issue "the rating kiosk": a tap on a face to the thanks screen painted, and the kiosk's
start-up to its welcome screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.core import Measure, Table, benchmark
from bench.counter import _work_copy, commune

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1280, 800)


def _pump_until(flag, timeout_s: float = 5.0) -> None:
    from PySide6.QtCore import QCoreApplication

    end = time.perf_counter() + timeout_s
    while not flag() and time.perf_counter() < end:
        QCoreApplication.processEvents()
    if not flag():
        raise RuntimeError("the screen was never painted")


def _admin_id(db) -> str:
    """The office's administrator (made once in a generated commune, which has none): settings need one."""
    from app.services.users import first_accounts, list_users

    found = next((u for u in list_users(db) if u.role == "admin"), None)
    if found is None:
        with db.transaction() as s:
            found = first_accounts(s, db.device, username="quantri", full_name="Võ Minh Tâm", password="matkhau123",
                                   role="admin", at=db.clock())
    return found.id


def _office(tmp: Path, n: int):
    """A small office with `n` returned dossiers, a PIN, and its kiosk sharing the file."""
    from app.services import lifecycle as lc
    from app.services.database import Database
    from app.services.ratings import kiosk_device_in
    from app.services.reception import ReceptionForm, receive_dossier
    from app.services.settings import update_settings
    from app.services.setup import StaffAccount, initialise_office
    from app.services.users import list_users

    db = Database(tmp / "office.sqlite", create=True)
    initialise_office(db, settings={"agency_code": "000.17.22.H56", "center_name": "Trung tâm Phục vụ hành chính "
                                    "công xã Tân Hưng", "parent_body": "Ủy ban nhân dân xã Tân Hưng",
                                    "place_name": "Tân Hưng"}, slot=1, device_name="Quầy 1",
                      staff=[StaffAccount("canbo1", "Trần Thị Mai", "matkhau123"),
                             StaffAccount("quantri", "Võ Minh Tâm", "matkhau123", "admin")])
    clerk = next(u for u in list_users(db) if u.role == "clerk")
    names = ("Nguyễn Thị Hường", "Lê Văn Tám", "Trần Thị Bích", "Phạm Văn Đồng", "Hồ Thị Lan", "Võ Văn Kiệt")
    codes = []
    start = db.clock() - timedelta(hours=2)
    for i in range(n):
        at = start + timedelta(seconds=i)
        code = receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name=names[i % len(names)],
                                                      phone="0912345678", received_at=at), clerk=clerk).code
        lc.result_ready(db, code, actor=clerk, at=at + timedelta(minutes=30))
        lc.return_result(db, code, actor=clerk, at=at + timedelta(minutes=40))
        codes.append(code)
    update_settings(db, {"kiosk_pin": "2468"}, actor_id=_admin_id(db))
    kiosk_device_in(db)
    return db, codes


@benchmark("kiosktap", issue="the rating kiosk", needs=("ui.kiosk_window:KioskWindow",))
def kiosk_tap(quick: bool) -> Table:
    """A tap on a face to the thanks screen painted (the rating written in a worker meanwhile) vs a click that
    switches between two empty pages of a QStackedWidget, in the same window size and the same run."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPushButton, QStackedWidget, QVBoxLayout, QWidget

    from app.services.database import Database
    from app.services.ratings import check_scanned
    from ui.app import create_application
    from ui.kiosk_window import KioskWindow
    from ui.workers import wait_idle

    n = 5 if quick else 40
    app = create_application([])
    app.setStyleSheet("")

    class Page(QWidget):
        painted = False

        def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
            super().paintEvent(event)
            self.painted = True

    stack_window = QWidget()
    stack = QStackedWidget()
    first, second = QWidget(), Page()
    button = QPushButton("→", first)
    button.resize(200, 120)
    button.clicked.connect(lambda: stack.setCurrentWidget(second))
    stack.addWidget(first)
    stack.addWidget(second)
    QVBoxLayout(stack_window).addWidget(stack)
    stack_window.resize(*SIZE)
    stack_window.show()

    def bare() -> float:
        stack.setCurrentWidget(first)
        _pump_until(lambda: first.isVisible())
        second.painted = False
        t = time.perf_counter()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        _pump_until(lambda: second.painted)
        return time.perf_counter() - t

    with tempfile.TemporaryDirectory(dir="/tmp") as tmpdir:
        office, codes = _office(Path(tmpdir), n + 2)
        kiosk_db = Database(office.path, device_kind="kiosk")
        kiosk_db.clock = office.clock
        w = KioskWindow(kiosk_db, windowed=True)
        w.resize(*SIZE)
        w.show()
        painted = {"thanks": False}
        w.thanks.painted.connect(lambda: painted.update(thanks=True))
        targets = [check_scanned(kiosk_db, c).target for c in codes]

        def tap(target) -> float:
            w.start_rating(target, touched=True)
            _pump_until(lambda: w.faces.isVisible())
            w.faces.shown_at = 0.0  # the double-tap guard is not what is measured
            painted["thanks"] = False
            t = time.perf_counter()
            QTest.mouseClick(w.faces.faces["very_satisfied"], Qt.MouseButton.LeftButton)
            _pump_until(lambda: painted["thanks"])
            elapsed = time.perf_counter() - t
            wait_idle(5000)  # the worker's write finishes before the next tap (outside the measure)
            return elapsed

        def switch_only(target) -> float:
            """The same screens without the tap's write: what painting the thanks screen costs by itself."""
            w.start_rating(target, touched=True)
            _pump_until(lambda: w.faces.isVisible())
            painted["thanks"] = False
            t = time.perf_counter()
            w._go("thanks")
            _pump_until(lambda: painted["thanks"])
            return time.perf_counter() - t

        bare()
        tap(targets[0])  # warm-up of both paths
        stacks, taps, switches = [], [], []
        for target in targets[1:n + 1]:  # interleaved, so a slow moment of the machine hits all
            stacks.append(bare())
            taps.append(tap(target))
            switches.append(switch_only(targets[0]))
        w.allow_close = True
        w.close()
        kiosk_db.close()
        office.close()
    stack_window.close()
    return Table(f"kiosktap: tap on a face to the thanks screen painted ({SIZE[0]}x{SIZE[1]}, offscreen)", [
        Measure("QStackedWidget: click, empty page painted", stacks),
        Measure("KioskWindow: thanks screen shown, painted", switches, "no tap, no write: the painting alone"),
        Measure("KioskWindow: tap a face, thanks painted", taps, "rating written in a worker meanwhile"),
    ], baseline="QStackedWidget: click, empty page painted")


_CHILD = r"""
import json, os, sys, time
T0 = float(os.environ["MOTCUA_BENCH_T0"])
marks = {}
def mark(k):
    marks[k] = time.monotonic() - T0
mark("interpreter")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEvent, QObject, QTimer
mode = sys.argv[1]
if mode == "empty":
    from PySide6.QtWidgets import QApplication, QMainWindow
    mark("imports")
    app = QApplication([])
    mark("qapp")
    w = QMainWindow()
    w.resize(1280, 800)
    w.show()
    mark("shown")
    target = w
else:
    from ui.app import create_application
    from ui.kiosk_app import open_kiosk_database
    from ui.kiosk_window import KioskWindow
    mark("imports")
    app = create_application([])
    app.setStyleSheet("")
    mark("qapp")
    db = open_kiosk_database(sys.argv[2])
    mark("db")
    w = KioskWindow(db, windowed=True)
    mark("window")
    w.resize(1280, 800)
    w.show()
    mark("shown")
    target = w.welcome
class Painted(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "ready" not in marks:
            QTimer.singleShot(0, done)
        return False
def done():
    if "ready" in marks:
        return
    mark("ready")
    sys.stdout.write(json.dumps(marks) + "\n")
    sys.stdout.flush()
    os._exit(0)
f = Painted()
target.installEventFilter(f)
app.exec()
"""


def _start(args: list[str]) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["MOTCUA_BENCH_T0"] = repr(time.monotonic())
    out = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"start-up child failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@benchmark("kioskstart", issue="the rating kiosk", needs=("ui.kiosk_window:KioskWindow", "ui.kiosk_app"))
def kiosk_start(quick: bool) -> Table:
    """Process start to the kiosk's welcome screen painted, on the counter's file it shares, vs an empty
    QMainWindow of the same size shown and painted."""
    from app.services.database import Database
    from app.services.ratings import kiosk_device_in
    from app.services.settings import update_settings

    runs = 1 if quick else 5
    with tempfile.TemporaryDirectory(dir="/tmp") as tmpdir:
        path = _work_copy(commune(quick), Path(tmpdir))
        db = Database(path)  # the upgrade to this schema and the kiosk's registration happen once, here
        update_settings(db, {"kiosk_pin": "2468"}, actor_id=_admin_id(db))
        kiosk_device_in(db)
        db.close()
        _start(["empty"])  # warm the OS file cache for Qt's libraries before either measure
        empty, kiosk = [], []
        for _ in range(runs):
            empty.append(_start(["empty"]))
            kiosk.append(_start(["kiosk", str(path)]))
    phases = ["interpreter", "imports", "qapp", "db", "window", "shown", "ready"]

    def median_of(runs_: list[dict], key: str) -> float:
        vals = sorted(r[key] for r in runs_ if key in r)
        return vals[len(vals) // 2] if vals else float("nan")

    notes = ["phases, median ms from process start (empty | kiosk):"]
    for key in phases:
        notes.append(f"  {key:<12} {median_of(empty, key) * 1e3:>8.1f} | {median_of(kiosk, key) * 1e3:>8.1f}")
    size = "300" if quick else "50,000"
    return Table(f"kioskstart: process start to the welcome screen painted (counter's file, {size} dossiers)", [
        Measure("empty QMainWindow 1280x800 painted", [r["ready"] for r in empty]),
        Measure("motcua kiosk: welcome painted", [r["ready"] for r in kiosk]),
    ], baseline="empty QMainWindow 1280x800 painted", notes=notes)
