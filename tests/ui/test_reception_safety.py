"""The reception window under failure: a retry makes no duplicate (issue 9, point 4) and a failing
reception leaves no citizen's data in the log (point 13)."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import func, select

import app.services.reception as reception
from app.services.errors import StorageError
from app.services.users import login
from db.models import Dossier
from tests.ui.keys import type_vi
from tests.ui.test_counter_flow import pick_procedure
from ui.counter_window import CounterWindow

LEFT = Qt.MouseButton.LeftButton
NAME, PHONE, ID, ADDRESS = "Nguyễn Thị Hường", "0912345678", "079190012345", "Số 5 ấp Tân Lập"


@pytest.fixture
def panel(qtbot, office_db):
    w = CounterWindow(office_db, login(office_db, username="canbo1", password="matkhau123"), scanner=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not w.loading, timeout=5000)
    p = w.reception
    pick_procedure(qtbot, p, "2.000815", "2.000815")
    type_vi(p.name, NAME)
    QTest.keyClicks(p.phone, PHONE)
    QTest.keyClicks(p.id_number, ID)
    type_vi(p.address, ADDRESS)
    return p


def test_a_save_whose_answer_was_lost_is_retried_without_a_duplicate(qtbot, office_db, panel, monkeypatch):
    real = reception.receive_dossier
    saved = []

    def saved_then_lost(*a, **kw):
        saved.append(real(*a, **kw))
        raise StorageError("Mất kết nối tới cơ sở dữ liệu.")  # the answer never reaches the window

    monkeypatch.setattr("ui.reception_form.receive_dossier", saved_then_lost)
    with qtbot.waitSignal(panel.save_failed, timeout=10000):
        qtbot.mouseClick(panel.save_button, LEFT)
    assert panel.name.text() == NAME  # nothing typed is lost
    monkeypatch.setattr("ui.reception_form.receive_dossier", real)
    with qtbot.waitSignal(panel.dossier_saved, timeout=10000) as done:
        qtbot.mouseClick(panel.save_button, LEFT)
    qtbot.waitUntil(lambda: panel.preview is not None, timeout=10000)
    panel.preview.close()
    assert done.args[0] == saved[0].code
    with office_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 1


def test_an_unexpected_failure_logs_no_personal_data(qtbot, office_db, panel, monkeypatch, tmp_path):
    from app.services.paths import setup_logging

    monkeypatch.setenv("MOTCUA_HOME", str(tmp_path / "home"))
    root = logging.getLogger()
    before = list(root.handlers)
    log_path = setup_logging()
    try:
        def broken(s, device, payload, **kw):  # a bug deep in the save, quoting what it was given
            raise RuntimeError(f"không ghi được {payload.applicant} {payload.code}")

        monkeypatch.setattr(reception, "append", broken)
        with qtbot.waitSignal(panel.save_failed, timeout=10000):
            qtbot.mouseClick(panel.save_button, LEFT)
    finally:
        for h in root.handlers[len(before):]:
            h.flush()
            root.removeHandler(h)
            h.close()
    text = log_path.read_text(encoding="utf-8")
    assert "RuntimeError" in text and "receive_dossier" in text  # the failure is there, for IT staff
    for secret in (NAME, PHONE, ID, ADDRESS, NAME.split()[-1]):
        assert secret not in text
    assert oct(log_path.stat().st_mode & 0o777) == "0o600"
