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
