"""A file written by the previous release (0.1.0, schema 0002) opens in this one with its data, its codes
and its books unchanged; its reference data is now in the log, and the counter keeps numbering from it.

tests/db/data/release-0.1.0.sqlite was made by that release's own code: `motcua demo --no-gui
--dossiers 60`, then a guidance slip, a refusal, an office off-day and an applicant correction.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.dossiers import get_dossier
from app.services.maintenance import check_database
from app.services.reception import ReceptionForm, receive_dossier
from app.services.settings import calendar_of, read_settings
from app.services.users import login
from db.engine import current_revision, head_revision
from db.models import Dossier, Event, IntakeSlip, Procedure, User

RELEASE = Path(__file__).parent / "data" / "release-0.1.0.sqlite"
DOSSIER_COLUMNS = ("code", "status", "volume", "number", "received_at", "due_at", "original_due_at", "result_at",
                   "returned_at", "applicant_name", "phone", "holder", "paused_minutes", "extensions",
                   "procedure_code", "clerk_name", "device_id", "calendar_version")


@pytest.fixture
def old_file(tmp_path) -> Path:
    path = tmp_path / "counter.sqlite"
    shutil.copy(RELEASE, path)
    return path


def _old(path: Path):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        dossiers = {r["id"]: {c: r[c] for c in DOSSIER_COLUMNS}
                    for r in con.execute(f"SELECT id, {', '.join(DOSSIER_COLUMNS)} FROM dossiers")}
        steps = {r[0]: r[1] for r in con.execute("SELECT dossier_id, count(*) FROM dossier_steps GROUP BY 1")}
        users = {r["id"]: r["username"] for r in con.execute("SELECT id, username FROM users")}
        settings = {r["key"]: r["value"] for r in con.execute("SELECT key, value FROM settings")}
        counters = {r["name"]: r["value"] for r in con.execute("SELECT name, value FROM counters")}
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        procedures = con.execute("SELECT count(*) FROM procedures WHERE active").fetchone()[0]
        return dossiers, steps, users, settings, counters, events, procedures
    finally:
        con.close()


def test_a_release_file_upgrades_with_every_dossier_code_and_book_line_unchanged(old_file, office_db_factory):
    dossiers, steps, users, settings, counters, events_before, procedures = _old(old_file)
    assert len(dossiers) == 60 and "event_seq" in counters

    db = office_db_factory(old_file)
    assert current_revision(db.engine) == head_revision()
    assert db.backup_before_upgrade is not None and "truoc-nang-cap-0002" in db.backup_before_upgrade.name
    with db.reading() as s:
        for dossier_id, old in dossiers.items():
            row = s.execute(select(*(getattr(Dossier, c) for c in DOSSIER_COLUMNS))
                            .where(Dossier.id == dossier_id)).one()
            new = dict(zip(DOSSIER_COLUMNS, row, strict=True))
            for c in DOSSIER_COLUMNS:
                value = new[c]
                if hasattr(value, "strftime"):
                    value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
                assert value == old[c], (old["code"], c)
        # the old events are all still there, untouched; the reference data joined them in the log
        assert s.query(Event).filter(Event.stream_type.in_(("dossier", "intake"))).count() == events_before
        assert {u.id: u.username for u in s.scalars(select(User))} == users
        assert s.query(Procedure).filter(Procedure.active.is_(True)).count() == procedures
        assert s.query(IntakeSlip).count() == 2
    for dossier_id, n in steps.items():
        assert len(get_dossier(db, dossier_id).steps) == n
    assert read_settings(db).center_name == "Trung tâm Phục vụ hành chính công xã Tân Hưng"
    assert any(d.reason == "Nghỉ bù theo Thông báo" for d in calendar_of(db).off_days(2027))
    assert check_database(db).ok

    # the same accounts log in, and the counter continues its codes and its book
    clerk = login(db, username="canbo", password="motcua123")
    r = receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam",
                                               phone="0901234567"), clerk=clerk)
    year = r.received_at.year
    assert r.number == counters[f"book:{year}"] + 1
    day_key = f"code:{r.received_at:%Y%m%d}"
    assert r.code.endswith(f"-1{counters.get(day_key, 0) + 1:03d}")
    assert r.code not in {d["code"] for d in dossiers.values()}
    db.close()


def test_a_release_file_opened_twice_is_upgraded_once(old_file, office_db_factory):
    office_db_factory(old_file).close()
    db = office_db_factory(old_file)
    assert db.backup_before_upgrade is None
    assert check_database(db).ok
    db.close()
