"""What a device's token lets it do, through the HTTP API, on a SQLite server file and on PostgreSQL: a token of
commune X neither pushes into nor pulls from commune Y, a revoked token is refused everywhere, an event forged
with another device's id is refused (403), and an event about another commune's dossier, another commune's
reference data, an actor of another commune, or a dossier event from a kiosk is kept aside (quarantined: the
device's queue goes on, nothing of it is applied or sent to anyone)."""

from __future__ import annotations

import pytest

from app.domain.ids import uuid7
from app.services.database import Database
from app.services.users import login
from app.sync.client import _wire
from app.sync.server import service
from db.models import SyncState
from tests.sync.helpers import PASSWORD, Province
from tests.sync.test_sync_rounds import A, B, receive

URL = "http://tinh.test"


@pytest.fixture(params=["sqlite", "postgresql"])
def province(request, tmp_path):
    url = str(tmp_path / "tinh.sqlite") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    p = Province(url, tmp_path)
    p.commune(A, "xã Tân Hưng")
    p.commune(B, "xã Tân An")
    yield p
    p.close()


def token_of(db: Database) -> str:
    with db.reading() as s:
        return s.get(SyncState, db.device.device_id).token


def http(province: Province, db: Database):
    return province.client(URL, token_of(db))


def own_events(db: Database) -> list[dict]:
    """The device's events as it pushes them (wire dictionaries), in device_seq order."""
    from sqlalchemy import select

    from app.eventlog.store import event_from_row
    from db.models import Event as EventRow

    with db.reading() as s:
        rows = s.scalars(select(EventRow).where(EventRow.device_id == db.device.device_id)
                         .order_by(EventRow.device_seq)).all()
        return [_wire(event_from_row(r)) for r in rows]


def acked(province: Province, db: Database) -> int:
    return service.authenticate(province.db, token_of(db)).acked_seq


def forged(province: Province, db: Database, template: dict, **changes) -> dict:
    """A new event of `db`'s device, numbered next after what the server holds, built from `template`."""
    return {**template, "event_id": str(uuid7()), "device_id": db.device.device_id,
            "device_seq": acked(province, db) + 1, **changes}


def push(province: Province, db: Database, events: list[dict], device_id: str | None = None):
    return http(province, db).post("/api/v1/sync/push", json={"device_id": device_id or db.device.device_id,
                                                              "events": events})


def pulled(province: Province, db: Database) -> list[dict]:
    out, cursor = [], ""
    while True:
        page = http(province, db).get("/api/v1/sync/pull", params={"cursor": cursor, "limit": 1000}).json()
        out += page["events"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return out


@pytest.fixture
def two_communes(province):
    """Counters A1 and B1, each with a dossier of its own commune on the server."""
    a, b = province.device(A, 1), province.device(B, 1)
    for db in (a, b):
        province.sync(db)
    ra, rb = receive(a), receive(b, name="Trần Văn Bình")
    for db in (a, b):
        province.sync(db)
    return a, b, ra, rb


def test_a_token_of_one_commune_pulls_nothing_of_another(province, two_communes):
    a, b, ra, rb = two_communes
    events = pulled(province, a)
    assert events and {e["commune"] for e in events} == {A}
    assert rb.id not in {e["stream_id"] for e in events} and ra.id in {e["stream_id"] for e in events}
    # a commune named in the request changes nothing: the scope comes from the token's device
    page = http(province, a).get("/api/v1/sync/pull", params={"cursor": "", "commune": B, "agency_code": B}).json()
    assert {e["commune"] for e in page["events"]} == {A}
    # nor does a cursor made up by hand
    head = service.authenticate(province.db, token_of(a))
    with province.db.transaction() as s:
        h = service.head_of(s)
        cursor = f"{h.server_id}:{h.epoch}:0"
    assert {e["commune"] for e in http(province, a).get("/api/v1/sync/pull", params={"cursor": cursor}).json()
            ["events"]} == {A}
    assert head.agency_code == A


def test_a_token_of_one_commune_cannot_push_into_another(province, two_communes):
    a, b, ra, rb = two_communes
    received = next(e for e in own_events(a) if e["type"] == "dossier.received")
    # the commune an event claims is ignored: the server takes it from the device record
    claim = forged(province, a, received, stream_id=str(uuid7()), commune=B)
    answer = push(province, a, [claim])
    assert answer.json()["results"][0]["status"] == "stored"
    assert claim["event_id"] not in {e["event_id"] for e in pulled(province, b)}
    assert next(e for e in pulled(province, a) if e["event_id"] == claim["event_id"])["commune"] == A
    # an event about commune B's dossier is kept aside, never applied, never pulled by anyone
    other = forged(province, a, received, stream_id=rb.id)
    answer = push(province, a, [other])
    assert answer.status_code == 200, answer.text
    assert [(r["status"], r["reason"]) for r in answer.json()["results"]] == [("quarantined", "scope")]
    assert answer.json()["acked_seq"] == other["device_seq"]  # the queue goes on
    assert other["event_id"] not in {e["event_id"] for e in pulled(province, b) + pulled(province, a)}
    # commune B's settings, catalogue or calendar: kept aside too
    settings = forged(province, a, received, stream_type="settings", stream_id=f"settings/{B}",
                      type="settings.changed", payload={"values": {"center_name": "Giả mạo"}})
    assert push(province, a, [settings]).json()["results"][0]["reason"] == "scope"
    # the same event about its own commune is stored
    mine = forged(province, a, received, stream_id=str(uuid7()))
    assert push(province, a, [mine]).json()["results"][0]["status"] == "stored"
    reasons = [q.reason for q in service.quarantined(province.db)]
    assert reasons.count("scope") == 2
    assert service.check(province.db).ok


def test_an_actor_of_another_commune_and_a_kiosk_writing_dossiers_are_kept_aside(province, two_communes):
    a, b, ra, rb = two_communes
    admin_b = login(b, username="quantri", password=PASSWORD)
    received = next(e for e in own_events(a) if e["type"] == "dossier.received")
    foreign_actor = forged(province, a, received, stream_id=str(uuid7()), actor_id=admin_b.id)
    assert push(province, a, [foreign_actor]).json()["results"][0]["reason"] == "actor"
    kiosk = province.device(A, 1, kind="kiosk")
    province.sync(kiosk)
    by_kiosk = forged(province, kiosk, received, stream_id=str(uuid7()))
    assert push(province, kiosk, [by_kiosk]).json()["results"][0]["reason"] == "kind"


def test_an_event_forged_with_another_devices_id_is_refused(province, two_communes):
    a, b, ra, rb = two_communes
    a2 = province.device(A, 2)
    province.sync(a2)
    received = next(e for e in own_events(a) if e["type"] == "dossier.received")
    before = acked(province, a2)
    for victim in (a2, b):  # a counter of the same commune, and one of another
        event = forged(province, victim, received, stream_id=str(uuid7()))
        # in the name of the other device, with this device's token
        answer = push(province, a, [event], device_id=victim.device.device_id)
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
        # or this device's batch carrying one event of the other device
        answer = push(province, a, [forged(province, a, received, stream_id=str(uuid7())), event])
        assert answer.status_code == 403, answer.text
        assert "thiết bị khác" in answer.json()["detail"]
    assert acked(province, a2) == before and not service.quarantined(province.db)


def test_a_revoked_token_is_refused_on_every_call_and_a_new_enrolment_gets_a_new_one(province, two_communes):
    a, b, ra, rb = two_communes
    old = token_of(a)
    service.revoke(province.db, agency_code=A, slot=1)
    client = province.client(URL, old)
    calls = [client.post("/api/v1/sync/hello", json={"device_time": "2026-11-16T02:05:00Z", "local_seq": 0}),
             client.post("/api/v1/sync/push", json={"device_id": a.device.device_id, "events": []}),
             client.get("/api/v1/sync/pull"), client.get("/api/v1/ref/users")]
    for answer in calls:
        assert answer.status_code == 401 and "thu hồi" in answer.json()["detail"]
    # re-enrolled (same device, same slot): a new token works, the old one stays refused
    from app.sync import client as sync

    code = service.enrol_code(province.db, agency_code=A, kind="counter", slot=1)
    sync.enroll(a, server_url=URL, code=code, client=province.client)
    assert token_of(a) != old
    assert province.sync(a).clean
    assert province.client(URL, old).get("/api/v1/sync/pull").status_code == 401


def test_a_dossier_shared_with_another_commune_reaches_it_whole_and_nothing_else_does(province, two_communes):
    """The pull's second scope (dossiers handed to the commune), on both databases: the shared dossier's whole
    history comes with the page that hands it over, its later events follow, the commune's other dossiers never."""
    from app.eventlog import append
    from app.eventlog import payloads as p
    from app.services import lifecycle as lc
    from app.services.dossiers import get_dossier
    from app.services.errors import NotFound

    a, b, ra, rb = two_communes
    kept = receive(a, name="Lê Thị Thu")  # stays in commune A
    clerk = login(a, username="quantri", password=PASSWORD)
    with a.transaction() as s:
        append(s, a.device, p.DossierShared(agency_code=B, commune_name="xã Tân An"), stream_id=ra.id,
               actor_id=clerk.id, occurred_at=a.clock())
    province.sync(a)
    province.sync(b)
    assert get_dossier(b, ra.code).status == get_dossier(a, ra.code).status
    with pytest.raises(NotFound):
        get_dossier(b, kept.code)
    lc.transfer(a, ra.code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch")
    province.sync(a)
    province.sync(b)
    assert get_dossier(b, ra.code).status == get_dossier(a, ra.code).status == "in_progress"
    streams = {e["stream_id"] for e in pulled(province, b)}
    assert ra.id in streams and kept.id not in streams
    assert service.check(province.db).ok


def test_an_idle_round_is_one_hello_and_hello_says_behind_exactly_when_the_scope_has_news(province):
    """An up-to-date device's round is a single request (the hello says nothing is new, so no pull); as soon as
    something of its scope arrives (its commune's other counter, a dossier handed to it, for a kiosk its
    reference data) the hello says so and the round pulls it. News outside the scope does not wake it."""
    from app.eventlog import append
    from app.eventlog import payloads as p
    from app.services.dossiers import get_dossier
    from app.services.settings import update_settings
    from app.sync import client as sync

    sent: list[str] = []

    def recording(base_url: str, token: str):
        c = province.client(base_url, token)
        c.event_hooks = {"request": [lambda req: sent.append(f"{req.method} {req.url.path}")], "response": []}
        return c

    def round_of(db: Database) -> tuple[list[str], int]:
        sent.clear()
        report = sync.SyncClient(db, client=recording).sync_once()
        return [s.removeprefix("POST /api/v1/sync/").removeprefix("GET /api/v1/sync/") for s in sent], report.pulled

    a, b, kiosk, other = (province.device(A, 1), province.device(A, 2), province.device(A, 3, kind="kiosk"),
                          province.device(B, 1))
    for db in (a, b, kiosk, other, a, b, kiosk, other):
        round_of(db)
    for db in (a, b, kiosk, other):
        assert round_of(db) == (["hello"], 0), db.device.slot

    r = receive(b)
    assert round_of(b)[0] == ["hello", "push", "pull"]  # its own events come back with their server order
    assert round_of(a)[0] == ["hello", "pull"] and get_dossier(a, r.code).status == "received"
    assert round_of(a) == (["hello"], 0)
    assert round_of(kiosk) == (["hello"], 0)  # a dossier is not a kiosk's business
    assert round_of(other) == (["hello"], 0)  # nor another commune's

    update_settings(b, {"rating_scale": "5"}, actor_id=login(b, username="quantri", password=PASSWORD).id)
    round_of(b)
    got, pulled = round_of(kiosk)
    assert got == ["hello", "pull"] and pulled >= 1

    clerk = login(b, username="quantri", password=PASSWORD)
    with b.transaction() as s:
        append(s, b.device, p.DossierShared(agency_code=B, commune_name="xã Tân An"), stream_id=r.id,
               actor_id=clerk.id, occurred_at=b.clock())
    round_of(b)
    assert round_of(other)[0] == ["hello", "pull"] and get_dossier(other, r.code).code == r.code
    assert round_of(other) == (["hello"], 0)
