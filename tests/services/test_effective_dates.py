"""Catalogue versions and calendar decisions take effect on their effective date; a dossier keeps the versions
its deadline was computed with (issue 7)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from app.domain.calendar import TZ
from app.domain.deadline import compute_due
from app.eventlog import payloads as p
from app.eventlog.registry import decode
from app.services.calendar_admin import set_calendar_day
from app.services.catalogue import (
    SEED_CATALOGUE,
    all_procedures,
    catalogue_versions,
    get_procedure,
    import_catalogue_file,
    search_procedures,
)
from app.services.dossiers import get_dossier
from app.services.errors import NotFound, ServiceError, ValidationFailed
from app.services.maintenance import projection_digest
from app.services.reception import ReceptionForm, preview_due, receive_dossier
from app.services.settings import office_calendar
from app.services.users import login
from tests.conftest import admin_of, make_office

SEED = json.loads(SEED_CATALOGUE.read_text(encoding="utf-8"))
MARRIAGE_STATUS = "1.004873"  # 3 working days in the seed
DROPPED = "1.004837"  # guardianship: left out of the new version
NEW = "9.999001"


def at(day: int, month: int = 12, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ).astimezone(UTC)


def new_version(tmp_path) -> str:
    data = json.loads(json.dumps(SEED))
    data["version"] = "2027.1"
    procs = [x for x in data["procedures"] if x["code"] != DROPPED]
    for x in procs:
        if x["code"] == MARRIAGE_STATUS:
            x["duration"] = {"kind": "working_days", "value": 5}
    procs.append({"code": NEW, "name": "Thủ tục thí điểm cấp xã", "field": "Khác",
                  "duration": {"kind": "working_days", "value": 2}})
    data["procedures"] = procs
    path = tmp_path / "catalogue-2027.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def office(tmp_path):
    now = {"t": at(16, 11)}
    db = make_office(tmp_path / "office.sqlite")
    db.clock = lambda: now["t"]
    yield db, now
    db.close()


def receive(db, code: str, **kw):
    clerk = login(db, username="canbo1", password="matkhau123")
    return receive_dossier(db, form=ReceptionForm(procedure_code=code, applicant_name="Đặng Thị Lan",
                                                                 phone="0912345678", **kw),
                           clerk=clerk)


def test_a_catalogue_version_applies_from_its_effective_date_and_dossiers_keep_theirs(office, tmp_path):
    db, now = office
    r = import_catalogue_file(db, new_version(tmp_path), actor_id=admin_of(db).id, effective_from=date(2026, 12, 1))
    assert (r.version, r.effective_from, r.procedures) == ("2027.1", date(2026, 12, 1), 35)

    # before 01/12 the seed version is in effect: old duration, the dropped procedure, not the new one
    assert get_procedure(db, MARRIAGE_STATUS).duration.value == 3
    assert get_procedure(db, DROPPED).version == "seed-2026.1"
    with pytest.raises(NotFound):
        get_procedure(db, NEW)
    assert not search_procedures(db, "thí điểm")
    early = receive(db, MARRIAGE_STATUS)
    early_view = get_dossier(db, early.code)
    assert early_view.catalogue_version == "seed-2026.1"
    assert early.due_at.astimezone(TZ).date() == date(2026, 11, 19)  # Mon + 3 working days
    assert [v.version for v in catalogue_versions(db)] == ["seed-2026.1", "2027.1"]
    assert catalogue_versions(db)[1].effective_from == date(2026, 12, 1)

    # from 01/12 the new version: 5 working days, the dropped one refused with the day named, the new one found
    now["t"] = at(1)
    assert get_procedure(db, MARRIAGE_STATUS).duration.value == 5
    late = receive(db, MARRIAGE_STATUS)
    assert get_dossier(db, late.code).catalogue_version == "2027.1"
    assert late.due_at.astimezone(TZ).date() == date(2026, 12, 8)  # Tue 01/12 + 5 working days
    with pytest.raises(ValidationFailed) as exc:
        receive(db, DROPPED)
    assert "01/12/2026" in exc.value.errors["procedure_code"]
    assert get_procedure(db, NEW).name == "Thủ tục thí điểm cấp xã"
    assert NEW in {x.code for x in all_procedures(db)} and DROPPED not in {x.code for x in all_procedures(db)}

    # a dossier entered late for 30/11 is received under the catalogue in effect that day
    back = receive(db, MARRIAGE_STATUS, received_at=datetime(2026, 11, 30, 15, 0))
    assert get_dossier(db, back.code).catalogue_version == "seed-2026.1"
    assert preview_due(db, MARRIAGE_STATUS, datetime(2026, 11, 30, 15, 0)).due_at == back.due_at

    # the dossier received on 16/11 kept what it was promised
    again = get_dossier(db, early.code)
    assert (again.due_at, again.catalogue_version) == (early_view.due_at, "seed-2026.1")


def test_the_fold_of_versions_is_whole_and_a_rebuild_gives_the_same_rows(office, tmp_path):
    from app.eventlog import rebuild

    db, now = office
    newer = new_version(tmp_path)
    import_catalogue_file(db, newer, actor_id=admin_of(db).id, effective_from=date(2027, 1, 1))
    # a correction of the current catalogue at once, published after the scheduled one
    fix = json.loads(json.dumps(SEED))
    fix["version"] = "seed-2026.2"
    fix["procedures"].append({"code": "9.999002", "name": "Thủ tục bổ sung tạm thời", "field": "Khác",
                              "duration": {"kind": "same_day", "value": 0}})
    path = tmp_path / "fix.json"
    path.write_text(json.dumps(fix, ensure_ascii=False), encoding="utf-8")
    import_catalogue_file(db, path, actor_id=admin_of(db).id)
    assert get_procedure(db, "9.999002").version == "seed-2026.2"
    assert get_procedure(db, MARRIAGE_STATUS).version == "seed-2026.2"
    now["t"] = at(2, 1).replace(year=2027)
    # from 2027 the scheduled version applies as a whole: the temporary procedure is not in it
    with pytest.raises(NotFound):
        get_procedure(db, "9.999002")
    assert get_procedure(db, MARRIAGE_STATUS).version == "2027.1"
    with db.reading() as s:
        live = projection_digest(s)
    with db.transaction() as s:
        rebuild(s)
    with db.reading() as s:
        assert projection_digest(s) == live


def test_the_first_catalogue_cannot_wait_for_a_later_date(tmp_path, fixed_now):
    from app.services.database import Database
    from app.services.setup import initialise_office
    from tests.conftest import CLERK, OFFICE

    db = Database(tmp_path / "empty.sqlite", create=True)
    db.clock = lambda: fixed_now
    try:
        initialise_office(db, settings=OFFICE, slot=1, device_name="Quầy 1", staff=[CLERK], catalogue=None)
        with pytest.raises(ServiceError) as exc:
            import_catalogue_file(db, SEED_CATALOGUE, actor_id=admin_of(db).id, effective_from=date(2027, 1, 1))
        assert "phải áp dụng ngay" in exc.value.message
        assert import_catalogue_file(db, SEED_CATALOGUE, actor_id=admin_of(db).id).procedures == 35
    finally:
        db.close()


def test_calendar_decisions_count_from_their_effective_date(office):
    db, now = office
    # decided on 16/11: Thursday 03/12 is off, counted in deadlines computed from 01/12 on
    set_calendar_day(db, actor_id=admin_of(db).id, day=date(2026, 12, 3), kind="off", reason="Nghỉ theo quyết định của tỉnh",
                     effective_from=date(2026, 12, 1))
    with db.reading() as s:
        assert office_calendar(s, on=date(2026, 11, 30)).is_working_day(date(2026, 12, 3))
        assert not office_calendar(s, on=date(2026, 12, 1)).is_working_day(date(2026, 12, 3))
        assert not office_calendar(s).is_working_day(date(2026, 12, 3))  # looking ahead: every decision
    # received Monday 30/11 (decision not yet in effect): 3 working days end Thursday 03/12
    now["t"] = at(30, 11)
    before = receive(db, MARRIAGE_STATUS)
    assert before.due_at.astimezone(TZ).date() == date(2026, 12, 3)
    now["t"] = at(1)
    after = receive(db, MARRIAGE_STATUS)
    assert after.due_at.astimezone(TZ).date() == date(2026, 12, 7)  # Tue + 3 working days, skipping Thu
    with db.reading() as s:
        cal = office_calendar(s, on=date(2026, 12, 1))
    assert after.due_at == compute_due(at(1).astimezone(TZ), get_procedure(db, MARRIAGE_STATUS).duration, cal)
    # withdrawn from 02/12: deadlines computed from then on count Thursday again; the one given stays
    set_calendar_day(db, actor_id=admin_of(db).id, day=date(2026, 12, 3), kind="none", reason="", effective_from=date(2026, 12, 2))
    with db.reading() as s:
        assert not office_calendar(s, on=date(2026, 12, 1)).is_working_day(date(2026, 12, 3))
        assert office_calendar(s, on=date(2026, 12, 2)).is_working_day(date(2026, 12, 3))
    assert get_dossier(db, after.code).due_at.date() == date(2026, 12, 7)
    # withdrawn at once: as if never decided
    set_calendar_day(db, actor_id=admin_of(db).id, day=date(2026, 12, 3), kind="none", reason="")
    with db.reading() as s:
        assert office_calendar(s, on=date(2026, 12, 1)).is_working_day(date(2026, 12, 3))


def test_version_1_payloads_read_as_in_effect_at_once():
    seed = decode("catalogue.published", 1, {"version": "v", "procedures": []})
    assert isinstance(seed, p.CataloguePublished) and seed.effective_from is None
    day = decode("calendar.day_set", 1, {"day": "2026-12-03", "kind": "off", "reason": "x"})
    assert isinstance(day, p.CalendarDaySet) and day.effective_from is None
    assert type(decode("catalogue.published", 3, {"version": "v", "procedures": []})).__name__ == "Unreadable"
