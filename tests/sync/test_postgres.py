"""The same sync rounds on a real PostgreSQL (the province's database), and several server processes on one
database giving the same results as one."""

from __future__ import annotations

import pytest

from app.services.dossiers import get_dossier
from app.services.errors import NotFound
from app.sync.server import service
from tests.sync.helpers import Province
from tests.sync.test_sync_rounds import A, B, receive


@pytest.fixture
def province(pg_url, tmp_path):
    p = Province(pg_url, tmp_path)
    p.commune(A, "xã Tân Hưng")
    p.commune(B, "xã Tân An")
    yield p
    p.close()


def test_on_postgresql_a_dossier_moves_between_counters_and_the_server_folds_it_alike(province):
    from app.services import lifecycle as lc
    from app.services.users import login
    from tests.sync.helpers import PASSWORD

    a, b, other = province.device(A, 1), province.device(A, 2), province.device(B, 1)
    for db in (a, b, other):
        province.sync(db)
    r = receive(a)
    province.sync(a)
    province.sync(b)
    clerk = login(b, username="quantri", password=PASSWORD)
    lc.transfer(b, r.code, actor=clerk, to_name="Lê Văn Đức")
    lc.result_ready(b, r.code, actor=clerk)
    lc.return_result(b, r.code, actor=clerk)
    province.sync(b)
    province.sync(a)
    assert get_dossier(a, r.code).status == "returned"
    province.sync(other)
    with pytest.raises(NotFound):
        get_dossier(other, r.code)
    assert province.db.postgres
    check = service.check(province.db)
    assert check.ok, check


def test_a_push_holds_the_head_lock_for_one_statement_and_the_commit(province):
    """Every push of the province waits on the head row's lock until the pusher's COMMIT, so nothing may run
    between taking it and committing: the lock and the events' insert are one statement, the last before COMMIT
    (they were three round trips through a busy worker, and 200 syncing devices queued behind them)."""
    from sqlalchemy import event

    a = province.device(A, 1)
    province.sync(a)
    receive(a)
    seen: list[str] = []

    def statement(conn, cursor, sql, params, context, executemany):
        seen.append(sql)

    def commit(conn):
        seen.append("COMMIT")

    event.listen(province.db.engine, "before_cursor_execute", statement)
    event.listen(province.db.engine, "commit", commit)
    try:
        report = province.sync(a)
    finally:
        event.remove(province.db.engine, "before_cursor_execute", statement)
        event.remove(province.db.engine, "commit", commit)
    assert report.pushed > 0
    heads = [i for i, sql in enumerate(seen) if "srv_head" in sql and "UPDATE" in sql.upper()]
    assert len(heads) == 1, seen
    assert "INSERT INTO events" in seen[heads[0]]
    assert seen[heads[0] + 1] == "COMMIT", seen[heads[0]:]


def test_an_idle_hello_is_answered_on_the_loops_connection_and_survives_postgresql_dropping_it(province):
    """An up-to-date device's hello is read on the event loop's own connection; when PostgreSQL drops that
    connection (a restart, an administrator's pg_terminate_backend) the next hellos are still answered, and a
    revoked device is still refused (that answer goes through the full path)."""
    from sqlalchemy import text

    from app.sync import client as sync

    a = province.device(A, 1)
    for _ in range(2):
        province.sync(a)
    assert province.db._loop_con is not None  # the second round's hello was answered on the loop's connection
    with province.db.loop_connection() as con:
        assert con is not None
        pid = con.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with province.db.engine.connect() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
    for _ in range(3):
        report = sync.SyncClient(a, client=province.client).sync_once()
        assert report.clean and report.pulled == 0
    with province.db.loop_connection() as con:
        assert con.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    service.revoke(province.db, agency_code=A, slot=1)
    with pytest.raises(sync.SyncError):
        sync.SyncClient(a, client=province.client).sync_once()
