"""The link between a counter and a kiosk on another PC: pairing with a one-time code, a kiosk that works with
the counter off and catches up, and a listener that takes from a kiosk only what is the kiosk's own."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.eventlog import Event
from app.eventlog import payloads as p
from app.services import lifecycle as lc
from app.services.errors import ServiceError
from app.services.kiosk_link import (
    API,
    KioskLinkServer,
    create_pairing,
    join_counter,
    link_of,
    link_sync,
    remote_lookup,
    to_wire,
)
from app.services.ratings import (
    check_scanned,
    find_kiosks,
    invite,
    kiosk_config,
    new_rating_id,
    open_invitation,
    record_rating,
)
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import update_settings
from app.services.users import login
from db.models import KioskPairing, Rating
from tests.conftest import admin_of


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def server(office_db):
    srv = KioskLinkServer(office_db, host="127.0.0.1", port=0).start()
    yield srv
    srv.stop()


def returned(db, clerk) -> str:
    at = db.clock() - timedelta(hours=1)
    code = receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Nguyễn Thị Hường",
                                                  phone="0912345678", received_at=at), clerk=clerk).code
    lc.result_ready(db, code, actor=clerk, at=at + timedelta(minutes=20))
    lc.return_result(db, code, actor=clerk, at=at + timedelta(minutes=30))
    return code


@pytest.fixture
def kiosk(office_db, server, tmp_path):
    update_settings(office_db, {"rating_scale": "5", "kiosk_pin": "2468"}, actor_id=admin_of(office_db).id)
    db = join_counter(tmp_path / "kiosk.sqlite", f"127.0.0.1:{server.port}", create_pairing(office_db).code,
                      name="Máy đánh giá quầy 1")
    db.clock = office_db.clock
    yield db
    db.close()


def test_pairing_makes_a_kiosk_file_with_the_offices_settings_and_registers_it_at_the_counter(office_db, kiosk):
    cfg = kiosk_config(kiosk)
    assert (cfg.scale, cfg.pin_set, cfg.counter_slot, cfg.kiosk_name) == (5, True, 1, "Máy đánh giá quầy 1")
    assert cfg.center_name == "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    with office_db.reading() as s:
        pairing = s.scalar(select(KioskPairing))
    assert pairing.code_hash == "" and len(pairing.token_hash) == 64  # the code is spent; only a hash is kept
    assert link_of(kiosk).token not in repr(pairing.__dict__)
    link_sync(kiosk)  # its registration reaches the counter's device list
    assert [(d.slot, d.name) for d in find_kiosks(office_db)] == [(1, "Máy đánh giá quầy 1")]


def test_a_wrong_code_is_refused_and_five_wrong_codes_void_a_waiting_one(office_db, server, tmp_path):
    good = create_pairing(office_db).code
    wrong = "000000" if good != "000000" else "111111"
    with pytest.raises(ServiceError, match="Mã ghép không đúng"):
        join_counter(tmp_path / "a.sqlite", f"127.0.0.1:{server.port}", wrong)
    for _ in range(4):
        with pytest.raises(ServiceError):
            join_counter(tmp_path / "b.sqlite", f"127.0.0.1:{server.port}", wrong)
    with pytest.raises(ServiceError, match="Mã ghép không đúng"):
        join_counter(tmp_path / "c.sqlite", f"127.0.0.1:{server.port}", good)


def test_the_kiosk_rates_with_the_counter_off_and_delivers_when_it_is_back(office_db, clerk, server, kiosk):
    code = returned(office_db, clerk)
    found = remote_lookup(kiosk, code)
    assert found.found and found.clerk_id == clerk.id and found.procedure_name.startswith("Chứng thực")
    port = server.port
    server.stop()
    outcome = check_scanned(kiosk, code, remote=lambda c: remote_lookup(kiosk, c))
    assert outcome.target is not None  # the counter cannot be asked: the rating is taken, joined later
    record_rating(kiosk, outcome.target, "satisfied", rating_id=new_rating_id(), scale=5)
    report = link_sync(kiosk)
    assert not report.ok and "Không kết nối được với máy quầy" in report.error
    again = KioskLinkServer(office_db, host="127.0.0.1", port=port).start()
    try:
        assert link_sync(kiosk).ok
        with office_db.reading() as s:
            r = s.scalar(select(Rating))
        assert (r.code, r.level, r.counted) == (code, "satisfied", True)
        # and the counter now refuses to invite for it; a second scan at the kiosk is told it was rated
        with pytest.raises(ServiceError, match="đã đánh giá"):
            invite(office_db, code, clerk=clerk)
        assert check_scanned(kiosk, code).refusal == "already_rated"
    finally:
        again.stop()


def test_invitations_are_pulled_and_the_counter_knows_an_unknown_code(office_db, clerk, kiosk):
    code = returned(office_db, clerk)
    invite(office_db, code, clerk=clerk)
    assert link_sync(kiosk).pulled >= 1
    target = open_invitation(kiosk, 1)
    assert target is not None and target.code == code
    missing = f"{code[:-4]}1999"
    assert check_scanned(kiosk, missing, remote=lambda c: remote_lookup(kiosk, c)).refusal == "unknown"


def test_the_listener_takes_only_the_kiosks_own_rating_events(office_db, server, kiosk):
    token = link_of(kiosk).token
    forged = Event(event_id="01900000-0000-7000-8000-0000000000f1", device_id=kiosk.device.device_id,
                   device_seq=99, stream_type="settings", stream_id="settings/000.17.22.H56",
                   type="settings.changed", type_version=1, payload=p.SettingsChanged(values={"kiosk_pin": ""}),
                   actor_id=None, occurred_at=office_db.clock())
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}{API}/events", method="POST",
                                 data=json.dumps({"events": [to_wire(forged)]}).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 403
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}{API}/events?after=0")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 401
