"""Open windows follow changes made underneath them by another process (another counter's hand-over
arriving by sync, a kiosk on the same PC): no restart, no "Tải lại"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.eventlog import Event, ingest
from app.eventlog import payloads as p
from app.services.dossiers import get_dossier
from app.services.flags import list_flags
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from tests.ui.keys import type_vi
from ui.counter_window import CounterWindow
from ui.dossier_window import DossierWindow

ROOT = Path(__file__).resolve().parents[2]
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def code(office_db, clerk):
    form = ReceptionForm(procedure_code="1.004873", applicant_name="Nguyễn Thị Hường", phone="0912345678")
    return receive_dossier(office_db, form=form, clerk=clerk).code


def other_process(db_path: Path, script: str) -> None:
    """Run `script` in a separate Python process on the same file (as a kiosk or the sync worker would)."""
    prelude = ("from datetime import datetime\n"
               "from app.domain.calendar import TZ\n"
               "from app.services.database import Database\n"
               "from app.services import lifecycle as lc\n"
               "from app.services.reception import ReceptionForm, receive_dossier\n"
               "from app.services.users import login\n"
               f"db = Database({str(db_path)!r})\n"
               "u = login(db, username='canbo1', password='matkhau123')\n")
    out = subprocess.run([sys.executable, "-c", prelude + script], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]


def test_a_hand_over_written_by_another_process_shows_in_the_open_windows(qtbot, office_db, clerk, code):
    window = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(window)
    window.show()
    dossier = window.open_dossier(code)
    qtbot.waitUntil(lambda: dossier.view is not None, timeout=5000)
    assert dossier.view.status == "received"

    other_process(office_db.path, f"lc.transfer(db, {code!r}, actor=u, to_name='Lê Văn Đức', "
                                  "to_unit='Tư pháp - Hộ tịch')")
    qtbot.waitUntil(lambda: dossier.view.status == "in_progress", timeout=5000)
    assert dossier.view.holder == "Lê Văn Đức"
    assert dossier.timeline.rowCount() == 2


def test_a_dossier_received_by_another_process_joins_todays_list(qtbot, office_db, clerk, code):
    window = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    other_process(office_db.path, "receive_dossier(db, form=ReceptionForm(procedure_code='2.000815', "
                                  "applicant_name='Hồ Văn Nam', phone='0987654321', "
                                  "received_at=datetime(2026, 11, 16, 9, 30, tzinfo=TZ)), clerk=u)")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    assert "Hồ Văn Nam" in {r.applicant_name for r in window.model.rows}


def test_a_conflict_shows_on_the_dossier_and_a_leader_records_what_was_done(qtbot, office_db, code):
    d = get_dossier(office_db, code)
    # another counter, apart from this one, recorded a supplement received that never was requested
    late = Event(event_id="01900000-0000-7000-8000-00000000aa01", device_id="01900000-0000-7000-8000-0000000000d2",
                 device_seq=1, stream_type="dossier", stream_id=d.id, type="dossier.supplement_received",
                 type_version=2, payload=p.SupplementReceived(paused_minutes=30, actor_name="Võ Văn Cường"),
                 actor_id=None, occurred_at=office_db.clock(), server_seq=None)
    with office_db.transaction() as s:
        ingest(s, [late])
    leader = login(office_db, username="lanhdao", password="matkhau123")
    w = DossierWindow(office_db, leader, code)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.view is not None, timeout=5000)
    assert w.flag_bar.isVisible() and "Võ Văn Cường" in w.flag_label.text()
    qtbot.mouseClick(w.flag_button, LEFT)
    dialog = w.current_flag_dialog
    assert not dialog.ok.isEnabled()  # nothing written yet
    type_vi(dialog.outcome, "Đã gọi anh Cường: bấm nhầm hồ sơ")
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: not w.flag_bar.isVisible(), timeout=5000)
    assert list_flags(office_db) == []
    assert w.view.steps[-1].kind == "flag_resolved"
