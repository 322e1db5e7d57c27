"""Shared fixtures: a real SQLite file per test, set up as a small commune office.

Qt runs offscreen (no display in CI); pytest-qt creates the one QApplication the UI tests share.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.services.database import Database  # noqa: E402
from app.services.setup import StaffAccount, initialise_office  # noqa: E402

OFFICE = {
    "agency_code": "000.17.22.H56",
    "parent_body": "Ủy ban nhân dân xã Tân Hưng",
    "center_name": "Trung tâm Phục vụ hành chính công xã Tân Hưng",
    "place_name": "Tân Hưng",
    "commune_name": "xã Tân Hưng",
    "province_name": "tỉnh Đồng Nai",
    "lookup_url_template": "http://127.0.0.1:8765/tra-cuu/{code}",
}
CLERK = StaffAccount("canbo1", "Trần Thị Mai", "matkhau123", "clerk")
SPECIALIST = StaffAccount("chuyenvien", "Lê Văn Đức", "matkhau123", "specialist", "Công chức Tư pháp - Hộ tịch")
LEADER = StaffAccount("lanhdao", "Phạm Quốc Hùng", "matkhau123", "leader", "Phó Chủ tịch UBND xã")


ADMIN = StaffAccount("quantri", "Võ Minh Tâm", "matkhau-quantri", "admin")


def make_office(path, *, slot: int = 1, now: datetime | None = None, admin: bool = False) -> Database:
    db = Database(path, create=True)
    if now is not None:
        db.clock = lambda: now
    initialise_office(db, settings=OFFICE, slot=slot, device_name=f"Quầy {slot}",
                      staff=[CLERK, SPECIALIST, LEADER, *([ADMIN] if admin else [])])
    return db


def admin_of(db: Database):
    """The office's administrator (made on first use in a file set up without one): the account settings,
    calendar and user changes need."""
    from app.services.users import first_accounts, list_users

    found = next((u for u in list_users(db) if u.role == "admin"), None)
    if found is not None:
        return found
    with db.transaction() as s:
        return first_accounts(s, db.device, username=ADMIN.username, full_name=ADMIN.full_name,
                              password=ADMIN.password, role="admin", at=db.clock())


@pytest.fixture
def fixed_now() -> datetime:
    # Monday 16/11/2026 09:05 local time
    return datetime(2026, 11, 16, 2, 5, tzinfo=UTC)


@pytest.fixture
def office_db(tmp_path, fixed_now):
    db = make_office(tmp_path / "office.sqlite", now=fixed_now)
    yield db
    db.close()


@pytest.fixture
def office_db_factory():
    """Open existing database files (closing them after the test)."""
    opened = []

    def open_(path) -> Database:
        db = Database(path)
        opened.append(db)
        return db

    yield open_
    for db in opened:
        db.close()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A PostgreSQL server for the test session (see tests/pg.py); its admin URL."""
    from tests.pg import Cluster

    if os.environ.get("MOTCUA_TEST_PG"):
        yield os.environ["MOTCUA_TEST_PG"]
        return
    cluster = Cluster()
    cluster.start()
    yield cluster.admin_url()
    cluster.stop()


@pytest.fixture
def pg_url(pg_server):
    """A new, empty PostgreSQL database for one test."""
    from tests.pg import new_database

    return new_database(pg_server)
