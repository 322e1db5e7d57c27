"""Sync as the counter window shows it: the status item follows the rounds (synced, unsent, offline), an
administrator connects a counter that was set up on its own, and the flags list opens the dossier."""

from __future__ import annotations

import httpx2
import pytest
from PySide6.QtCore import Qt

from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from app.sync import client as sync
from app.sync.server import service
from tests.conftest import make_office
from tests.sync.helpers import PASSWORD, Province
from tests.ui.keys import type_vi
from ui.counter_window import CounterWindow

A = "000.17.22.H56"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def province(tmp_path):
    p = Province(str(tmp_path / "tinh.sqlite"), tmp_path)
    p.commune(A, "xã Tân Hưng")
    yield p
    p.close()


def offline(base_url: str, token: str):
    def refuse(request):
        raise httpx2.ConnectError("the network is down")

    return httpx2.Client(base_url=base_url, transport=httpx2.MockTransport(refuse))


def test_the_status_item_follows_rounds_online_and_offline(qtbot, province):
    db = province.device(A, 1)
    province.sync(db)
    clerk = login(db, username="quantri", password=PASSWORD)
    w = CounterWindow(db, clerk, scanner=False)
    qtbot.addWidget(w)
    w.sync.client = province.client
    w.show()
    qtbot.waitUntil(lambda: "Đã đồng bộ" in w.sync_item.text(), timeout=10000)
    receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam",
                                           phone="0901234567"), clerk=clerk)
    # the change is noticed and sent on its own, in the background
    qtbot.waitUntil(lambda: sync.unsent_count(db) == 0, timeout=15000)
    qtbot.waitUntil(lambda: "chờ gửi" not in w.sync_item.text(), timeout=10000)
    w.sync.client = offline
    receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Lê Thị Hoa",
                                           phone="0901234568"), clerk=clerk)
    qtbot.mouseClick(w.sync_item, LEFT)
    qtbot.waitUntil(lambda: "Mất kết nối" in w.sync_item.text(), timeout=10000)
    assert "1 chờ gửi" in w.sync_item.text()
    assert "sẽ tự gửi khi có mạng" in w.sync_item.toolTip()


def test_an_administrator_connects_a_counter_that_was_set_up_on_its_own(qtbot, province, tmp_path):
    db = make_office(tmp_path / "quay3.sqlite", slot=3, admin=True)
    admin = login(db, username="quantri", password="matkhau-quantri")
    receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam",
                                           phone="0901234567"), clerk=admin)
    code = service.enrol_code(province.db, agency_code=A, kind="counter", slot=3)
    w = CounterWindow(db, admin, scanner=False)
    qtbot.addWidget(w)
    w.sync.client = province.client
    w.show()
    dialog = w.open_enroll()
    type_vi(dialog.server, "http://tinh.test")
    type_vi(dialog.code, code.lower())
    with qtbot.waitSignal(dialog.enrolled, timeout=10000):
        qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: sync.status(db).enrolled and sync.unsent_count(db) == 0, timeout=15000)
    service.catch_up(province.db)
    other = province.device(A, 1)
    province.sync(other)
    # the counter kept its identity and its log: its dossier reached the commune's other counter
    from app.services.dossiers import list_received_on

    assert [d.applicant_name for d in list_received_on(other, db.clock().date(), this_counter=False)] == ["Hồ Văn Nam"]
    db.close()


def test_a_wrong_code_says_so_and_keeps_the_dialog_open(qtbot, province, tmp_path):
    db = make_office(tmp_path / "quay4.sqlite", slot=4, admin=True)
    admin = login(db, username="quantri", password="matkhau-quantri")
    w = CounterWindow(db, admin, scanner=False)
    qtbot.addWidget(w)
    w.sync.client = province.client
    dialog = w.open_enroll()
    type_vi(dialog.server, "http://tinh.test")
    type_vi(dialog.code, "SAI-MA-NHAP")
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: "không đúng hoặc đã hết hạn" in dialog.message.text(), timeout=10000)
    assert dialog.isVisible() and dialog.ok.isEnabled()
    assert not sync.status(db).enrolled
    db.close()


def test_a_clerk_has_no_connect_entry(qtbot, office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    w = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(w)
    from PySide6.QtWidgets import QMenu

    texts = [a.text() for menu in w.findChildren(QMenu) for a in menu.actions()]
    assert "Kết nối máy chủ tỉnh…" not in texts and "Cảnh báo cần xử lý…" in texts


def test_the_flags_list_shows_a_conflict_and_opens_its_dossier(qtbot, office_db):
    from app.eventlog import Event, ingest
    from app.eventlog import payloads as p

    clerk = login(office_db, username="canbo1", password="matkhau123")
    r = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Hồ Văn Nam",
                                                      phone="0901234567"), clerk=clerk)
    late = Event(event_id="01900000-0000-7000-8000-00000000bb01", device_id="01900000-0000-7000-8000-0000000000d9",
                 device_seq=1, stream_type="dossier", stream_id=r.id, type="dossier.returned", type_version=2,
                 payload=p.DossierReturned(actor_name="Võ Văn Cường"), actor_id=None, occurred_at=office_db.clock())
    with office_db.transaction() as s:
        ingest(s, [late])
    w = CounterWindow(office_db, clerk, scanner=False)
    qtbot.addWidget(w)
    dialog = w.open_flags()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    assert dialog.table.item(0, 1).text() == r.code and "Võ Văn Cường" in dialog.table.item(0, 3).text()
    with qtbot.waitSignal(dialog.open_dossier, timeout=5000):
        dialog.table.cellDoubleClicked.emit(0, 0)
    qtbot.waitUntil(lambda: any(d.view is not None and d.view.code == r.code for d in w.dossier_windows), timeout=5000)
