"""Two counters of one commune working offline on the same day never clash."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from db.models import Event, LogbookEntry
from tests.conftest import make_office


def test_two_devices_same_day_offline_make_disjoint_codes_and_gapless_books(tmp_path):
    now = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)
    a = make_office(tmp_path / "quay1.sqlite", slot=1, now=now)
    b = make_office(tmp_path / "quay2.sqlite", slot=2, now=now)
    codes = {}
    for db in (a, b):
        user = login(db, username="canbo1", password="matkhau123")
        codes[db] = [
            receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Đặng Văn Long",
                                                   phone="0987654321"), clerk=user).code
            for _ in range(40)
        ]
    assert len(set(codes[a])) == len(set(codes[b])) == 40
    assert not set(codes[a]) & set(codes[b])
    assert codes[a][0].endswith("-261116-1001") and codes[b][0].endswith("-261116-2001")
    for db in (a, b):
        with db.reading() as s:
            numbers = [e.number for e in s.scalars(select(LogbookEntry).order_by(LogbookEntry.number))]
            seqs = [e.device_seq for e in s.scalars(select(Event).order_by(Event.device_seq))]
            setup = s.query(Event).filter(Event.stream_type != "dossier").count()
        assert numbers == list(range(1, 41))
        assert seqs == list(range(1, 41 + setup))
    volumes = set()
    for db in (a, b):
        with db.reading() as s:
            volumes |= {e.volume for e in s.scalars(select(LogbookEntry))}
    assert volumes == {"1/2026", "2/2026"}
