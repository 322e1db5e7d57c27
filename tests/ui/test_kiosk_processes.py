"""The counter's "Mời đánh giá" reaching a kiosk that is another program: on the same PC (one shared file) and on
another PC of the office (its own file, over the network), within a second; a kiosk started later, a counter
restarted meanwhile; the rating coming back to the counter."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.services import lifecycle as lc
from app.services.kiosk_link import KioskLinkServer, create_pairing, join_counter
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from db.models import Rating
from ui.counter_window import CounterWindow

ROOT = Path(__file__).resolve().parents[2]
LEFT = Qt.MouseButton.LeftButton


class KioskProcess:
    """`python -m tests.ui.kiosk_process`, its JSON lines read by a thread."""

    def __init__(self, path: Path, now, level: str = ""):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.ui.kiosk_process", str(path), now.isoformat(),
                                      *([level] if level else [])], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                self.lines.put(json.loads(line))
            except ValueError:
                pass

    def wait(self, qtbot, pred, timeout: float) -> dict:
        """The first message (from now on) `pred` accepts, pumping this process's Qt events meanwhile."""
        found: list[dict] = []

        def check() -> bool:
            while not self.lines.empty():
                msg = self.lines.get()
                self.seen.append(msg)
                if not found and pred(msg):
                    found.append(msg)
            return bool(found) or self.proc.poll() is not None

        qtbot.waitUntil(check, timeout=int(timeout * 1000))
        assert found, f"kiosk process ended: {self.proc.stderr.read()[-2000:]}"
        return found[0]

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


def returned(db, clerk, name: str) -> str:
    at = db.clock() - timedelta(hours=1)
    code = receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name=name, phone="0912345678",
                                                  received_at=at), clerk=clerk).code
    lc.result_ready(db, code, actor=clerk, at=at + timedelta(minutes=20))
    lc.return_result(db, code, actor=clerk, at=at + timedelta(minutes=30))
    return code


def open_counter(qtbot, db, clerk, code):
    window = CounterWindow(db, clerk, scanner=False)
    qtbot.addWidget(window)
    window.show()
    dossier = window.open_dossier(code)
    qtbot.waitUntil(lambda: dossier.rating is not None and dossier.rating_invite_button.isVisible(), timeout=5000)
    return window, dossier


def invite_and_time(qtbot, kiosk: KioskProcess, dossier, code: str) -> float:
    t0 = time.time()
    qtbot.mouseClick(dossier.rating_invite_button, LEFT)
    shown = kiosk.wait(qtbot, lambda m: m.get("screen") == "faces" and m.get("code") == code, 10)
    assert shown["via"] == "invitation"
    return shown["t"] - t0


def test_invitation_reaches_a_kiosk_process_sharing_the_counters_file_within_a_second(qtbot, office_db, clerk,
                                                                                      fixed_now):
    code = returned(office_db, clerk, "Nguyễn Thị Hường")
    kiosk = KioskProcess(office_db.path, fixed_now, level="satisfied")
    try:
        kiosk.wait(qtbot, lambda m: m.get("ready"), 60)
        window, dossier = open_counter(qtbot, office_db, clerk, code)
        qtbot.wait(800)  # both programs idle
        assert invite_and_time(qtbot, kiosk, dossier, code) < 1.0
        # the citizen taps a face there; the counter learns that (not how) the dossier was rated
        kiosk.wait(qtbot, lambda m: "stored" in m, 10)
        qtbot.waitUntil(lambda: "Công dân đã đánh giá" in dossier.rating_label.text(), timeout=5000)
        with office_db.reading() as s:
            r = s.scalar(select(Rating))
        assert (r.code, r.via, r.clerk_id, r.counted) == (code, "invitation", clerk.id, True)
    finally:
        kiosk.stop()


def test_a_kiosk_on_another_pc_pairs_starts_later_gets_invitations_within_a_second_and_survives_a_restart(
        qtbot, office_db, clerk, fixed_now, tmp_path):
    first, second, third = (returned(office_db, clerk, n) for n in ("Lê Văn Tám", "Trần Thị Bích", "Phan Văn Lợi"))
    server = KioskLinkServer(office_db, host="127.0.0.1", port=0).start()
    port = server.port
    kiosk_file = tmp_path / "kiosk.sqlite"
    pairing = create_pairing(office_db)
    join_counter(kiosk_file, f"127.0.0.1:{port}", pairing.code, name="Máy đánh giá quầy 1").close()
    window, dossier = open_counter(qtbot, office_db, clerk, first)
    # the invitation is made before the kiosk program starts: it shows as soon as the kiosk is up
    qtbot.mouseClick(dossier.rating_invite_button, LEFT)
    qtbot.waitUntil(lambda: "Đã mời" in dossier.rating_label.text(), timeout=5000)
    kiosk = KioskProcess(kiosk_file, fixed_now, level="very_satisfied")
    try:
        shown = kiosk.wait(qtbot, lambda m: m.get("screen") == "faces" and m.get("code") == first, 60)
        assert shown["via"] == "invitation"
        kiosk.wait(qtbot, lambda m: "stored" in m, 10)
        # the rating travels back to the counter's file and its window
        qtbot.waitUntil(lambda: "Công dân đã đánh giá" in dossier.rating_label.text(), timeout=8000)
        # while both run, within a second
        live = window.open_dossier(second)
        qtbot.waitUntil(lambda: live.rating is not None and live.rating_invite_button.isVisible(), timeout=5000)
        qtbot.wait(800)
        assert invite_and_time(qtbot, kiosk, live, second) < 1.0
        kiosk.wait(qtbot, lambda m: "stored" in m, 10)
        other = window.open_dossier(third)
        qtbot.waitUntil(lambda: other.rating is not None and other.rating_invite_button.isVisible(), timeout=5000)
        # counter restarted: the listener goes away, the invitation is made, the listener comes back
        server.stop()
        qtbot.wait(1500)  # the kiosk notices and backs off
        qtbot.mouseClick(other.rating_invite_button, LEFT)
        qtbot.waitUntil(lambda: "Đã mời" in other.rating_label.text(), timeout=5000)
        server = KioskLinkServer(office_db, host="127.0.0.1", port=port).start()
        shown = kiosk.wait(qtbot, lambda m: m.get("screen") == "faces" and m.get("code") == third, 10)
        kiosk.wait(qtbot, lambda m: "stored" in m, 10)
        qtbot.waitUntil(lambda: "Công dân đã đánh giá" in other.rating_label.text(), timeout=8000)
        with office_db.reading() as s:
            rows = {r.code: (r.level, r.counted) for r in s.scalars(select(Rating))}
        assert rows == {code: ("very_satisfied", True) for code in (first, second, third)}
    finally:
        kiosk.stop()
        server.stop()
