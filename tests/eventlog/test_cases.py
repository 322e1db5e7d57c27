"""The cases a sync delivers to a counter, one by one: each folds, none raises, and what cannot be applied
is flagged for a person (who resolves it with a new event)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.eventlog import Event, ingest
from app.eventlog import payloads as p
from app.eventlog.registry import decode
from app.services.dossiers import get_dossier
from app.services.flags import list_flags, resolve_flag
from app.services.maintenance import check_database, projection_rows, rebuild_projections
from app.services.reception import ReceptionForm, receive_dossier
from app.services.setup import register_local_device
from app.services.users import login
from db.models import Counter, Dossier, Flag
from db.models import Event as EventRow
from tests.eventlog.histories import CLERKS, DEADLINE, DEVICES, PROCEDURE, _id

T0 = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


def received(n: int, *, code: str, device: int = 0, seq: int = 1, server_seq: int | None = None) -> Event:
    at = T0 + timedelta(minutes=n)
    payload = p.DossierReceived(code=code, volume="1/2026", number=n, received_at=at, due_at=at + timedelta(days=3),
                                clerk_name="Trần Thị Mai", procedure=PROCEDURE,
                                applicant=p.ApplicantData(name="Nguyễn Thị Hường", phone="0901234567"),
                                deadline=DEADLINE)
    return Event(event_id=_id(n), device_id=DEVICES[device], device_seq=seq, stream_type="dossier",
                 stream_id=_id(1000 + n), type=payload.TYPE, type_version=payload.VERSION, payload=payload,
                 actor_id=CLERKS[device], occurred_at=at, server_seq=server_seq)


def step(n: int, dossier: int, payload, *, device: int = 0, seq: int = 2, server_seq: int | None = None,
         base_version: int = 0) -> Event:
    at = T0 + timedelta(minutes=n)
    if isinstance(payload, tuple):
        type_, version, raw = payload
        body = decode(type_, version, raw)
    else:
        type_, version, body = payload.TYPE, payload.VERSION, payload
    return Event(event_id=_id(n), device_id=DEVICES[device], device_seq=seq, stream_type="dossier",
                 stream_id=_id(1000 + dossier), type=type_, type_version=version, payload=body,
                 actor_id=CLERKS[device], occurred_at=at, server_seq=server_seq, base_version=base_version)


def take(db, *events: Event) -> dict[str, int]:
    with db.transaction() as s:
        return ingest(s, list(events))


def test_an_event_delivered_twice_is_stored_once_and_changes_nothing(office_db):
    r = received(1, code="000.17.22.H56-261116-2001", device=1)
    assert take(office_db, r) == {"stored": 1, "duplicate": 0, "quarantined": 0}
    with office_db.reading() as s:
        before = projection_rows(s)
    assert take(office_db, r, r) == {"stored": 0, "duplicate": 2, "quarantined": 0}
    with office_db.reading() as s:
        assert projection_rows(s) == before
        assert s.scalar(select(func.count()).select_from(EventRow).where(EventRow.event_id == r.event_id)) == 1


def test_the_same_id_with_other_content_is_quarantined_not_applied(office_db):
    r = received(1, code="000.17.22.H56-261116-2001", device=1)
    take(office_db, r)
    forged = replace(r, payload=r.payload.model_copy(update={"code": "000.17.22.H56-261116-2999"}))
    assert take(office_db, forged)["quarantined"] == 1
    assert get_dossier(office_db, r.stream_id).code == "000.17.22.H56-261116-2001"


def test_a_step_for_a_dossier_not_yet_here_waits_for_its_reception(office_db):
    transfer = step(2, 1, p.DossierTransferred(to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch"), device=1)
    take(office_db, transfer)  # no error, nothing to show yet, the event is kept
    with office_db.reading() as s:
        assert s.get(Dossier, _id(1001)) is None
        assert s.scalar(select(EventRow).where(EventRow.event_id == transfer.event_id)) is not None
    take(office_db, received(1, code="000.17.22.H56-261116-2001", device=1))
    d = get_dossier(office_db, _id(1001))
    assert d.status == "in_progress" and d.holder == "Lê Văn Đức"
    assert [s.kind for s in d.steps] == ["received", "transferred"] and not d.open_flags


def test_two_devices_sharing_a_slot_make_the_same_code_and_the_later_one_is_flagged(office_db):
    a = received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=10)
    b = received(2, code="000.17.22.H56-261116-2001", device=2, server_seq=11)
    take(office_db, b, a)  # arrival order does not decide which one is "later": the server order does
    with office_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 2
    flags = list_flags(office_db)
    assert [(f.kind, f.dossier_id) for f in flags] == [("code_clash", b.stream_id)]
    assert "trùng" in flags[0].message and "số hiệu máy" in flags[0].message
    assert check_database(office_db).ok


def test_cancelled_on_one_counter_and_returned_on_another_is_flagged_and_stays_cancelled(office_db):
    take(office_db, received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=1))
    cancel = step(2, 1, p.DossierCancelled(reason="Nhập trùng", actor_name="Trần Thị Mai"), device=1, server_seq=2)
    ready = step(3, 1, p.ResultReady(actor_name="Võ Văn Cường"), device=2, seq=1, server_seq=3)
    give = step(4, 1, p.DossierReturned(collected_by="Nguyễn Thị Hường", actor_name="Võ Văn Cường"), device=2,
                seq=2, server_seq=4)
    take(office_db, give, cancel, ready)
    d = get_dossier(office_db, _id(1001))
    assert d.status == "cancelled"
    assert [(s.kind, s.applied) for s in d.steps] == [("received", True), ("cancelled", True),
                                                      ("result_ready", False), ("returned", False)]
    kinds = sorted(f.kind for f in d.open_flags)
    assert kinds == ["step_on_cancelled", "step_on_cancelled"]
    assert any("đã bị hủy" in f.message and "Võ Văn Cường" in f.message for f in d.open_flags)


def test_returned_then_cancelled_without_knowing_is_flagged(office_db):
    """The other order: the return reached the server first; a clerk who had not pulled it cancels."""
    take(office_db, received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=1),
         step(2, 1, p.ResultReady(), device=2, seq=1, server_seq=2, base_version=1),
         step(3, 1, p.DossierReturned(collected_by="Nguyễn Thị Hường"), device=2, seq=2, server_seq=3,
              base_version=1),
         step(4, 1, p.DossierCancelled(reason="Nhập trùng"), device=1, seq=2, server_seq=4, base_version=1))
    d = get_dossier(office_db, _id(1001))
    assert d.status == "returned"
    assert [f.kind for f in d.open_flags] == ["transition_conflict"]
    assert "đã trả kết quả" in d.open_flags[0].message


def test_a_leader_cancelling_without_knowing_of_a_supplement_request_is_flagged_as_concurrent(office_db):
    take(office_db, received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=1),
         step(2, 1, p.DossierTransferred(to_name="Lê Văn Đức"), device=1, seq=2, server_seq=2, base_version=1),
         step(3, 1, p.SupplementRequested(reason="Thiếu bản sao"), device=2, seq=1, server_seq=3, base_version=2),
         step(4, 1, p.DossierCancelled(reason="Sai thủ tục", override=True), device=1, seq=3, server_seq=4,
              base_version=2))
    d = get_dossier(office_db, _id(1001))
    assert d.status == "cancelled"
    assert [f.kind for f in d.open_flags] == ["concurrent_change"]
    assert "Yêu cầu bổ sung" in d.open_flags[0].message


def test_the_fold_checks_transitions_itself(office_db):
    take(office_db, received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=1),
         step(2, 1, p.SupplementReceived(paused_minutes=30), device=1, server_seq=2))
    d = get_dossier(office_db, _id(1001))
    assert d.status == "received" and d.paused_minutes == 0
    assert [f.kind for f in d.open_flags] == ["transition_conflict"]


def test_an_unknown_event_type_or_newer_version_is_kept_and_flagged_for_an_upgrade(office_db):
    take(office_db, received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=1),
         step(2, 1, ("dossier.photo_attached", 1, {"sha256": "ab" * 32}), device=1, server_seq=2),
         step(3, 1, ("dossier.returned", 7, {"collected_by": "X", "biometric": True}), device=1, seq=3,
              server_seq=3))
    d = get_dossier(office_db, _id(1001))
    assert d.status == "received"
    assert [s.kind for s in d.steps] == ["received", "unreadable", "unreadable"]
    assert [f.kind for f in d.open_flags] == ["needs_upgrade", "needs_upgrade"]
    with office_db.reading() as s:
        raw = s.scalar(select(EventRow.payload).where(EventRow.event_id == _id(3)))
    assert raw == {"collected_by": "X", "biometric": True}  # stored exactly as it came
    assert rebuild_projections(office_db).identical


def test_a_flag_is_resolved_by_an_event_that_every_rebuild_keeps(office_db):
    take(office_db, received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=1),
         step(2, 1, p.SupplementReceived(paused_minutes=30), device=1, server_seq=2))
    leader = login(office_db, username="lanhdao", password="matkhau123")
    flag = list_flags(office_db)[0]
    done = resolve_flag(office_db, flag.id, actor=leader, outcome="Đã kiểm tra: bấm nhầm, không có bổ sung")
    assert done.resolved_by == "Phạm Quốc Hùng" and done.resolved_at is not None
    assert list_flags(office_db) == []
    assert get_dossier(office_db, _id(1001)).steps[-1].kind == "flag_resolved"
    assert rebuild_projections(office_db).identical and list_flags(office_db) == []


def test_a_kiosk_sharing_the_counters_file_has_its_own_sequence_and_counters(office_db, tmp_path):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    form = ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam", phone="0901234567")
    receive_dossier(office_db, form=form, clerk=clerk)
    with office_db.transaction() as s:
        kiosk = register_local_device(s, kind="kiosk", slot=1, name="Ki-ốt quầy 1", agency_code="000.17.22.H56",
                                      at=office_db.clock())
    from app.services.database import Database

    kiosk_db = Database(office_db.path, device_kind="kiosk")
    try:
        assert kiosk_db.device.device_id == kiosk.device_id != office_db.device.device_id
        receive_dossier(office_db, form=form, clerk=clerk)
        with office_db.reading() as s:
            seqs = {dev: sorted(s.scalars(select(EventRow.device_seq).where(EventRow.device_id == dev)))
                    for dev in (office_db.device.device_id, kiosk.device_id)}
            counters = {(c.device_id, c.name): c.value for c in s.scalars(select(Counter))}
        assert seqs[kiosk.device_id] == [1]
        mine = seqs[office_db.device.device_id]
        assert mine == list(range(1, len(mine) + 1))
        assert counters[(kiosk.device_id, "event_seq")] == 1
        assert counters[(office_db.device.device_id, "event_seq")] == len(mine)
    finally:
        kiosk_db.close()


def test_users_created_at_one_counter_keep_their_id_on_another(office_db, tmp_path):
    """A user is an event: the id made at the first counter is the id everywhere the event goes."""
    from tests.conftest import make_office

    other = make_office(tmp_path / "quay2.sqlite", slot=2)
    try:
        with office_db.reading() as s:
            user_events = list(s.scalars(select(EventRow).where(EventRow.stream_type == "user")))
        from app.eventlog import event_from_row

        with other.transaction() as s:
            ingest(s, [event_from_row(e) for e in user_events])
        mai = login(office_db, username="canbo1", password="matkhau123")
        # the second counter made its own accounts with the same names; the first counter's ones arrive
        with other.reading() as s:
            from db.models import User

            assert s.get(User, mai.id).full_name == "Trần Thị Mai"
    finally:
        other.close()


@pytest.mark.parametrize("order", ["canonical", "reversed"])
def test_rebuild_replays_in_server_order_not_arrival_order(office_db, order):
    events = [received(1, code="000.17.22.H56-261116-2001", device=1, server_seq=1),
              step(2, 1, p.DossierTransferred(to_name="A"), device=1, server_seq=2),
              step(3, 1, p.DossierTransferred(to_name="B"), device=2, seq=1, server_seq=3)]
    take(office_db, *(events if order == "canonical" else reversed(events)))
    assert get_dossier(office_db, _id(1001)).holder == "B"
    assert rebuild_projections(office_db).identical
    with office_db.reading() as s:
        assert s.scalar(select(Flag)) is None
