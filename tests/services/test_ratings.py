"""Ratings as the counter and the kiosk record them: one per dossier, never edited, the clerk never told the
level, the office's rules for when a dossier may be rated, and the staff PIN kept only as a hash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.services import lifecycle as lc
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.maintenance import rebuild_projections
from app.services.ratings import (
    PinGuard,
    RatingTarget,
    check_pin,
    check_scanned,
    invite,
    kiosk_config,
    kiosk_device_in,
    new_rating_id,
    open_invitation,
    rating_status,
    record_rating,
    record_reasons,
    withdraw_invitation,
)
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import read_settings, update_settings
from app.services.users import login
from db.models import Event, Rating, RatingInvitation
from tests.conftest import admin_of


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


def returned_dossier(db, clerk, name="Nguyễn Thị Hường") -> str:
    """A same-day dossier received and returned (the usual thing a citizen rates)."""
    at = db.clock() - timedelta(hours=1)
    form = ReceptionForm(procedure_code="2.000815", applicant_name=name, phone="0912345678", received_at=at)
    code = receive_dossier(db, form=form, clerk=clerk).code
    lc.result_ready(db, code, actor=clerk, at=at + timedelta(minutes=30))
    lc.return_result(db, code, actor=clerk, at=at + timedelta(minutes=40))
    return code


@pytest.fixture
def kiosk(office_db):
    """The kiosk of counter 1 sharing the counter's file (as `motcua kiosk` registers it)."""
    kiosk_device_in(office_db)
    db = Database(office_db.path, device_kind="kiosk")
    db.clock = office_db.clock
    yield db
    db.close()


def events_of(db, type_: str) -> list:
    with db.reading() as s:
        return list(s.scalars(select(Event).where(Event.type == type_)))


def test_an_invitation_reaches_the_kiosk_of_that_counter_and_the_rating_names_the_clerk(office_db, clerk, kiosk):
    code = returned_dossier(office_db, clerk)
    status = invite(office_db, code, clerk=clerk)
    assert status.invitation_id and status.may_invite
    assert open_invitation(kiosk, 2) is None  # another counter's kiosk shows nothing
    target = open_invitation(kiosk, 1)
    assert target is not None and target.code == code and target.via == "invitation"
    assert target.procedure_name.startswith("Chứng thực bản sao")

    rid = record_rating(kiosk, target, "satisfied", rating_id=new_rating_id(), scale=3)
    with kiosk.reading() as s:
        r = s.get(Rating, rid)
        inv = s.get(RatingInvitation, status.invitation_id)
    assert (r.counted, r.satisfied, r.clerk_id, r.via) == (True, True, clerk.id, "invitation")
    assert inv.state == "rated"
    assert open_invitation(kiosk, 1) is None
    # the counter learns that, and when, never the level
    after = rating_status(office_db, code)
    assert after.rated_at is not None and not after.may_invite
    assert "satisf" not in repr(after) and "hài lòng" not in after.refusal.lower()


def test_one_rating_per_dossier_a_second_is_kept_but_not_counted_and_the_scan_is_told_with_the_date(
        office_db, clerk, kiosk):
    code = returned_dossier(office_db, clerk)
    outcome = check_scanned(kiosk, code)
    assert outcome.target is not None and outcome.target.clerk_id == clerk.id
    first = record_rating(kiosk, outcome.target, "very_satisfied", rating_id=new_rating_id(), scale=3)
    # the same id again (a double tap, a retried write) stores nothing more
    assert record_rating(kiosk, outcome.target, "very_satisfied", rating_id=first, scale=3) == first
    assert len(events_of(kiosk, "rating.submitted")) == 1

    again = check_scanned(kiosk, code)
    assert again.target is None and again.refusal == "already_rated"
    assert "đã được đánh giá lúc 09:05 ngày 16/11/2026" in again.message

    # a second rating written anyway (another kiosk that had not heard of the first) is kept, not counted
    second = record_rating(kiosk, outcome.target, "dissatisfied", rating_id=new_rating_id(), scale=3)
    with kiosk.reading() as s:
        rows = {r.event_id: (r.level, r.counted) for r in s.scalars(select(Rating))}
    assert rows == {first: ("very_satisfied", True), second: ("dissatisfied", False)}
    # and a rebuild from the log gives exactly that again
    assert rebuild_projections(office_db).identical


def test_reasons_attach_to_the_low_score_without_changing_it(office_db, clerk, kiosk):
    code = returned_dossier(office_db, clerk)
    target = check_scanned(kiosk, code).target
    rid = record_rating(kiosk, target, "dissatisfied", rating_id=new_rating_id(), scale=3)
    record_reasons(kiosk, code, rid, ["Chậm trễ", "Phải đi lại nhiều lần"], "Phải chờ lâu quá")
    record_reasons(kiosk, code, rid, ["Thái độ chưa tốt"], "lần hai")  # only the first counts
    with kiosk.reading() as s:
        r = s.get(Rating, rid)
    assert (r.level, r.reasons, r.comment) == ("dissatisfied", ["Chậm trễ", "Phải đi lại nhiều lần"],
                                               "Phải chờ lâu quá")
    assert rebuild_projections(office_db).identical


def test_unknown_codes_cards_and_codes_of_other_offices_are_refused_politely(office_db, kiosk):
    assert check_scanned(kiosk, "000.17.22.H56-261116-1999").refusal == "unknown"  # this counter's slot
    assert check_scanned(kiosk, "000.99.99.H99-261116-1001").refusal == "unknown"  # another office
    assert check_scanned(kiosk, "000.17.22.H56-271116-1001").refusal == "unknown"  # a date to come
    assert check_scanned(kiosk, "8935049501234").refusal == "not_a_code"
    card = "079123456789|123456789|Nguyễn Thị Hường|01011990|Nữ|Tân Hưng|01012021"
    assert check_scanned(kiosk, card).refusal == "card"
    # a code of another counter of this office, which this file does not hold: taken, joined later
    other = check_scanned(kiosk, "000.17.22.H56-261116-2001")
    assert other.target is not None and other.target.procedure_name == ""


def test_a_dossier_not_yet_returned_is_rated_after_intake_only_when_the_office_says_so(office_db, clerk, kiosk):
    form = ReceptionForm(procedure_code="1.004873", applicant_name="Hồ Văn Nam", phone="0987654321")
    code = receive_dossier(office_db, form=form, clerk=clerk).code
    assert check_scanned(kiosk, code).refusal == "not_returned"
    with pytest.raises(ServiceError, match="chưa trả kết quả"):
        invite(office_db, code, clerk=clerk)
    update_settings(office_db, {"rating_after": "intake"}, actor_id=admin_of(office_db).id)
    assert check_scanned(kiosk, code).target is not None
    assert invite(office_db, code, clerk=clerk).invitation_id


def test_a_new_invitation_replaces_the_counters_older_one_and_a_withdrawn_one_disappears(office_db, clerk, kiosk):
    a, b = returned_dossier(office_db, clerk, "Lê Thị A"), returned_dossier(office_db, clerk, "Lê Thị B")
    first = invite(office_db, a, clerk=clerk)
    invite(office_db, b, clerk=clerk)
    assert open_invitation(kiosk, 1).code == b
    with office_db.reading() as s:
        assert s.get(RatingInvitation, first.invitation_id).state == "replaced"
    withdraw_invitation(office_db, b, clerk=clerk)
    assert open_invitation(kiosk, 1) is None


def test_an_invitation_expires_after_the_offices_minutes(office_db, clerk, kiosk):
    code = returned_dossier(office_db, clerk)
    invite(office_db, code, clerk=clerk)
    now = office_db.clock()
    assert open_invitation(kiosk, 1, now=now + timedelta(minutes=4, seconds=59)) is not None
    assert open_invitation(kiosk, 1, now=now + timedelta(minutes=5)) is None


def test_the_staff_pin_is_stored_as_an_argon2_hash_only_and_never_shown(office_db, kiosk):
    with pytest.raises(ServiceError, match="chữ số"):
        update_settings(office_db, {"kiosk_pin": "12a4"}, actor_id=admin_of(office_db).id)
    settings = update_settings(office_db, {"kiosk_pin": "2468"}, actor_id=admin_of(office_db).id)
    assert settings.raw["kiosk_pin"] == "(đã đặt)"
    assert settings.kiosk_pin.startswith("$argon2id$") and "2468" not in settings.kiosk_pin
    stored = [e.payload for e in events_of(office_db, "settings.changed")]
    assert not any("2468" in str(p) for p in stored)
    assert check_pin(kiosk, "2468") and not check_pin(kiosk, "2469") and not check_pin(kiosk, "")
    assert kiosk_config(kiosk).pin_set


def test_the_pin_pad_locks_after_the_set_number_of_wrong_tries_and_logs_without_the_digits(caplog):
    now = [1000.0]
    guard = PinGuard(tries=3, lock_minutes=5, clock=lambda: now[0])
    for _ in range(2):
        guard.wrong()
    assert guard.locked_for() == 0
    guard.wrong()
    assert guard.locked_for() == 300
    now[0] += 299
    assert guard.locked_for() == pytest.approx(1)
    now[0] += 1
    assert guard.locked_for() == 0
    assert "lần 3/3" in caplog.text and "khóa nhập mã PIN 5 phút" in caplog.text


def test_wrong_pins_and_a_lock_out_survive_a_restart_in_a_private_file(tmp_path):
    import os
    import stat

    wall, mono = [1_000_000.0], [50.0]
    state = tmp_path / "kiosk.sqlite-kiosk-pin-1"

    def guard() -> PinGuard:
        return PinGuard(tries=3, lock_minutes=5, clock=lambda: mono[0], wall=lambda: wall[0], state_file=state)

    first = guard()
    first.wrong()
    first.wrong()
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    restarted = guard()  # the plug pulled after two wrong tries: the third still locks
    assert restarted.failures == 2 and restarted.locked_for() == 0
    restarted.wrong()
    assert restarted.locked_for() == 300
    wall[0] += 100
    mono[0] = 7.0  # a new process: its monotonic clock starts anew
    assert guard().locked_for() == pytest.approx(200)
    wall[0] -= 86_400  # the clock set back a day: the lock-out still ends within its 5 minutes
    assert guard().locked_for() == pytest.approx(300)
    wall[0] += 86_400 + 300
    opened = guard()
    assert opened.locked_for() == 0
    opened.right()
    assert guard().failures == 0
    state.write_text("hỏng")
    assert guard().locked_for() == 0  # an unreadable file is a fresh pad, not a crash


def test_kiosk_settings_are_checked_and_saved_as_events(office_db, kiosk):
    update_settings(office_db, {"rating_scale": "5", "rating_reasons": "Chậm trễ; Thái độ chưa tốt",
                                "kiosk_idle_seconds": "30", "kiosk_counters": "1:2"}, actor_id=admin_of(office_db).id)
    cfg = kiosk_config(kiosk)
    assert (cfg.scale, cfg.reasons, cfg.idle_seconds, cfg.counter_slot) == (
        5, ("Chậm trễ", "Thái độ chưa tốt"), 30, 2)
    assert cfg.levels == ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
    assert kiosk_config(kiosk, counter_slot=3).counter_slot == 3  # the command line wins
    for key, bad in (("kiosk_idle_seconds", "5"), ("rating_reasons", ";".join(f"L{i}" for i in range(9))),
                     ("kiosk_counters", "x"), ("rating_after", "never"), ("kiosk_link_port", "80")):
        with pytest.raises(ServiceError):
            update_settings(office_db, {key: bad}, actor_id=admin_of(office_db).id)
    assert read_settings(office_db).rating_scale == 5


def test_record_rating_refuses_a_level_of_the_other_scale(office_db, kiosk):
    with pytest.raises(ServiceError):
        record_rating(kiosk, RatingTarget(code="000.17.22.H56-261116-2001"), "neutral", rating_id=new_rating_id(),
                      scale=3)
