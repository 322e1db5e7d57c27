"""Sync rounds between counters and a province server (in-process, on a SQLite server file): enrolment brings a
commune's data, a dossier moves between counters, scopes hold, pushes are idempotent and gapless."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.dossiers import get_dossier
from app.services.errors import NotFound
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import read_settings
from app.services.users import login
from app.sync import protocol as proto
from app.sync.client import dossier_synced, status
from app.sync.server import service
from tests.sync.helpers import PASSWORD, Province

A, B = "000.17.22.H56", "000.17.22.H57"


@pytest.fixture
def province(tmp_path):
    p = Province(str(tmp_path / "tinh.sqlite"), tmp_path)
    p.commune(A, "xã Tân Hưng")
    p.commune(B, "xã Tân An")
    yield p
    p.close()


def receive(db, name="Nguyễn Thị Hường"):
    admin = login(db, username="quantri", password=PASSWORD)
    form = ReceptionForm(procedure_code="1.004873", applicant_name=name, phone="0912345678",
                         id_number="079190012345", address="Ấp Tân Lập")
    return receive_dossier(db, form=form, clerk=admin)


def test_a_fresh_pc_that_enrols_gets_its_communes_settings_users_and_catalogue(province):
    counter = province.device(A, 1)
    report = province.sync(counter)
    assert report.pulled > 0 and report.clean
    assert read_settings(counter).center_name == "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    assert login(counter, username="quantri", password=PASSWORD).full_name == "Võ Minh Tâm"
    assert counter.device.slot == 1 and counter.device.agency_code == A
    r = receive(counter)
    assert r.code.startswith(f"{A}-") and r.code.endswith("-1001")
    st = status(counter)
    assert st.enrolled and st.unsent == 1 and st.last_success_at is not None


def test_a_dossier_received_at_one_counter_is_returned_at_another_and_both_agree(province):
    a, b, other = province.device(A, 1), province.device(A, 2), province.device(B, 1)
    for db in (a, b, other):
        province.sync(db)
    r = receive(a)
    assert not dossier_synced(a, r.id)
    province.sync(a)
    assert dossier_synced(a, r.id)
    province.sync(b)
    clerk_b = login(b, username="quantri", password=PASSWORD)
    lc.transfer(b, r.code, actor=clerk_b, to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch")
    lc.result_ready(b, r.code, actor=clerk_b)
    lc.return_result(b, r.code, actor=clerk_b)
    province.sync(b)
    province.sync(a)
    assert get_dossier(a, r.code).status == "returned"
    assert get_dossier(b, r.code).status == "returned"
    province.sync(other)
    with pytest.raises(NotFound):
        get_dossier(other, r.code)
    check = service.check(province.db)
    assert check.ok, check


def test_push_is_idempotent_gapless_and_quarantines_an_id_reused_for_other_content(province):
    a = province.device(A, 1)
    province.sync(a)
    receive(a)
    province.sync(a)
    dev = _enrolled(province, a)
    from app.eventlog.store import event_from_row
    from app.sync.client import _wire
    from db.models import Event as EventRow

    with a.reading() as s:
        rows = [event_from_row(r) for r in s.query(EventRow).filter(EventRow.device_id == a.device.device_id)
                .order_by(EventRow.device_seq)]
    wire = [proto.WireEvent.model_validate(_wire(e)) for e in rows]
    again = service.push(province.db, dev, proto.PushRequest(device_id=dev.device_id, events=wire))
    assert {r.status for r in again.results} == {"duplicate"}
    forged = wire[-1].model_copy(update={"payload": {**wire[-1].payload, "code": f"{A}-261116-1999"}})
    held = service.push(province.db, dev, proto.PushRequest(device_id=dev.device_id, events=[forged]))
    assert [(r.status, r.reason) for r in held.results] == [("quarantined", "id_reuse")]
    assert [q.reason for q in service.quarantined(province.db)] == ["id_reuse"]
    later = wire[-1].model_copy(update={"event_id": "01900000-0000-7000-8000-0000000000ff",
                                        "device_seq": wire[-1].device_seq + 5})
    with pytest.raises(service.Gap) as gap:
        service.push(province.db, dev, proto.PushRequest(device_id=dev.device_id, events=[later]))
    assert gap.value.expected == wire[-1].device_seq + 1


def _enrolled(province, db):
    from db.server_models import EnrolledDevice

    with province.db.transaction() as s:
        dev = s.get(EnrolledDevice, db.device.device_id)
        s.expunge(dev)
        return dev


def test_the_public_page_shows_status_and_dates_and_nothing_personal(province):
    a = province.device(A, 1)
    province.sync(a)
    r = receive(a, name="Phạm Thị Bích Ngọc")
    province.sync(a)
    service.catch_up(province.db)
    client = province.client("http://tinh.test", "")
    page = client.get(f"/tra-cuu/{r.code}")
    assert page.status_code == 200
    text = page.text
    assert r.code in text and "Cấp Giấy xác nhận tình trạng hôn nhân" in text and "Đã tiếp nhận" in text
    assert f"{r.due_at.astimezone(TZ):%d/%m/%Y}" in text
    for secret in ("Phạm Thị Bích Ngọc", "Ngọc", "0912345678", "079190012345", "Ấp Tân Lập"):
        assert secret not in text
    missing = client.get(f"/tra-cuu/{A}-261116-1999")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.text


def test_a_revoked_or_unknown_token_is_refused_and_the_round_keeps_every_event(province):
    a = province.device(A, 1)
    province.sync(a)
    receive(a)
    service.revoke(province.db, agency_code=A, slot=1)
    from app.sync.client import SyncError

    with pytest.raises(SyncError) as err:
        province.sync(a)
    assert "thu hồi" in err.value.message or "không nhận" in err.value.message
    assert status(a).unsent == 1
    bad = province.client("http://tinh.test", "not-a-token").get("/api/v1/sync/pull")
    assert bad.status_code == 401 and "đăng ký" in bad.json()["detail"]


def test_a_second_device_for_a_slot_in_use_is_refused(province):
    province.device(A, 1)
    from app.services.errors import ServiceError

    with pytest.raises(ServiceError, match="đang hoạt động"):
        service.enrol_code(province.db, agency_code=A, kind="counter", slot=1)


def test_the_clock_offset_is_reported(province):
    a = province.device(A, 1)
    a.clock = lambda: datetime(2026, 11, 16, 2, 5, tzinfo=TZ).astimezone(TZ)
    report = province.sync(a)
    assert any("Đồng hồ máy này lệch" in w for w in report.warnings)


def test_a_device_goes_on_syncing_with_a_newer_server_that_answers_with_fields_it_does_not_know(province):
    """A province upgrades its server first and its counters over weeks: answers carrying fields this program
    does not know (in every answer and in every pulled event) are read, not refused."""
    import json

    from app.sync import client as sync

    inner = province.app

    async def newer(scope, receive, send):
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        start: dict = {}
        chunks: list[bytes] = []

        async def keep(message):
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    body = b"".join(chunks)
                    if body.startswith(b"{"):
                        data = json.loads(body)
                        data["tinh_nang_moi"] = {"phien_ban": 2}
                        for e in data.get("events", []):
                            e["truong_moi"] = "x"
                        body = json.dumps(data).encode()
                    headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                    await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})

        await inner(scope, receive, keep)

    province.app = newer
    a, b = province.device(A, 1), province.device(A, 2)
    for db in (a, b):
        assert province.sync(db).clean
    r = receive(a)
    report = sync.SyncClient(a, client=province.client).sync_once()
    assert report.pushed >= 1 and report.clean
    assert province.sync(b).pulled >= 1
    assert get_dossier(b, r.code).status == "received"
