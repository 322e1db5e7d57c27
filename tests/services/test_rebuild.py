"""The projections are a pure fold of the event log: rebuilding them gives the same rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.services.maintenance import check_database, projection_rows, rebuild_projections
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from db.models import Event


def test_rebuild_reproduces_projections_exactly(office_db):
    user = login(office_db, username="canbo1", password="matkhau123")
    for i, code in enumerate(["1.001193", "2.000815", "1.004873", "1.001612", "1.013978"]):
        receive_dossier(office_db, form=ReceptionForm(
            procedure_code=code, applicant_name=f"Bùi Thị Thu {chr(65 + i)}", phone="0901234567",
            received_at=datetime(2026, 11, 13, 8 + i, 15)), clerk=user)
    with office_db.reading() as s:
        before = projection_rows(s)
    assert len(before["dossiers"]) == 5 and len(before["logbook_entries"]) == 5
    with office_db.reading() as s:
        events = s.scalar(select(func.count()).select_from(Event))
    result = rebuild_projections(office_db)
    assert result.events == events and result.identical
    with office_db.reading() as s:
        assert projection_rows(s) == before


def test_check_reports_a_healthy_file(office_db):
    user = login(office_db, username="canbo1", password="matkhau123")
    receive_dossier(office_db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Hồ Văn Nam",
                                                  phone="0901234567"), clerk=user)
    report = check_database(office_db)
    with office_db.reading() as s:
        events = s.scalar(select(func.count()).select_from(Event))
    assert report.ok and report.integrity == "ok" and report.events == events
