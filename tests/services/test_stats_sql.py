"""The statistics' SQL says what the domain's Python says, on a counter's SQLite and on the province's
PostgreSQL: the verdict of a result and whether a dossier in progress is overdue (one verdict everywhere),
and Biểu II.06a of a commune computed on the server equals the counter's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from app.domain.deadline import classify_result, open_overdue
from app.eventlog import iso
from app.services.stats import _Dialect, overdue_sql, verdict_sql

instants = st.datetimes(min_value=datetime(2025, 12, 30), max_value=datetime(2026, 1, 2),
                        timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))
maybe = st.one_of(st.none(), instants)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(conn, dialect: str, res, due, at, paused) -> None:
    sql = _Dialect(dialect)
    res_, due_, at_, paused_ = (f"CAST(:{n} AS text)" for n in ("res", "due", "at", "paused"))
    q = text(f"SELECT {verdict_sql(sql, res_, due_)}, {overdue_sql(due_, at_, paused_)}")
    verdict, overdue = conn.execute(q, {"res": iso(res), "due": iso(due), "at": iso(at)[:16],
                                        "paused": iso(paused)}).one()
    assert verdict == (classify_result(due, res) if res else None)
    assert bool(overdue) == open_overdue(due, at, paused)


@SETTINGS
@given(res=maybe, due=maybe, at=instants, paused=maybe)
def test_the_sql_verdicts_are_the_domains_on_sqlite(res, due, at, paused):
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        _check(conn, "sqlite", res, due, at, paused)


@pytest.fixture(scope="module")
def pg_engine(pg_server):
    from tests.pg import new_database

    engine = create_engine(new_database(pg_server))
    yield engine
    engine.dispose()


@SETTINGS
@given(res=maybe, due=maybe, at=instants, paused=maybe)
def test_the_sql_verdicts_are_the_domains_on_postgresql(pg_engine, res, due, at, paused):
    with pg_engine.connect() as conn:
        _check(conn, "postgresql", res, due, at, paused)


def _lives(db, clerk, rng) -> None:
    """Dossiers over two weeks in every state: early, on time, late, waiting, stopped, cancelled."""
    from app.domain.calendar import TZ
    from app.services import lifecycle as lc
    from app.services.reception import ReceptionForm, receive_dossier

    real = db.clock
    start = datetime(2026, 11, 2, 8, 0, tzinfo=TZ)
    try:
        for i in range(60):
            at = start + timedelta(days=i // 5, hours=rng.randint(0, 7), minutes=rng.randint(0, 50))
            if at.weekday() >= 5:
                at += timedelta(days=2)
            db.clock = lambda at=at: at.astimezone(UTC)
            r = receive_dossier(db, form=ReceptionForm(procedure_code=rng.choice(["1.004873", "2.000815",
                                                                                   "1.001612"]),
                                                       applicant_name=f"Nguyễn Văn {chr(65 + i % 26)}",
                                                       phone="0912345678", received_at=at), clerk=clerk)
            fate = rng.random()
            t = at + timedelta(minutes=30)

            def step(fn, when, code=r.code, **kw):
                db.clock = lambda when=when: when.astimezone(UTC)
                fn(db, code, actor=clerk, at=when, **kw)

            if fate < 0.05:
                step(lc.cancel, t, reason="Nhập trùng")
                continue
            step(lc.transfer, t, to_name="Lê Văn Đức")
            if fate < 0.1:
                step(lc.stop, t + timedelta(hours=1), reason="Công dân rút hồ sơ", signer_name="Phạm Quốc Hùng",
                     signer_title="Phó Chủ tịch UBND xã")
                continue
            if fate < 0.2:
                step(lc.request_supplement, t + timedelta(hours=1), items=[{"name": "Bản sao CCCD"}], reason="Thiếu")
                continue
            if fate < 0.3:
                continue  # still with the specialist
            done = at + timedelta(days=rng.choice([0, 1, 3, 6, 9]), hours=rng.randint(0, 3))
            if done.weekday() >= 5:
                done += timedelta(days=2)
            step(lc.result_ready, done)
            if fate < 0.8:
                step(lc.return_result, done + timedelta(hours=1))
    finally:
        db.clock = real


def test_a_communes_statistics_on_the_server_equal_the_counters(pg_url, tmp_path):
    """A counter's dossiers in every state, pushed to the province's PostgreSQL: Biểu II.06a of that commune
    computed there is the counter's, row for row."""
    import random

    from app.services.settings import read_settings
    from app.services.stats import compute_stats, stats_of
    from app.services.users import login
    from app.sync.server import service
    from tests.sync.helpers import PASSWORD, Province

    province = Province(pg_url, tmp_path)
    try:
        province.commune("000.17.22.H56", "xã Tân Hưng")
        counter = province.device("000.17.22.H56", 1)
        province.sync(counter)
        _lives(counter, login(counter, username="quantri", password=PASSWORD), random.Random(7))
        province.sync(counter)
        service.catch_up(province.db)
        now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
        reports = []
        for first, last in ((date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 11, 9), date(2026, 11, 13))):
            on_counter = compute_stats(counter, first, last, now=now)
            with province.db.transaction() as s:
                on_server = stats_of(s, first, last, now=now, settings=read_settings(counter),
                                     agency_code="000.17.22.H56")
            assert on_server.rows == on_counter.rows and on_server.months == on_counter.months
            reports.append(on_counter.total)
        month = reports[0]
        assert 55 <= month.received_total < 60 and month.resolved_total > 0  # a data-entry cancel counts nowhere
        assert month.early and month.late and month.stopped and month.in_progress_overdue
    finally:
        province.close()


def test_a_period_with_nothing_is_empty(office_db):
    from app.services.stats import compute_stats

    report = compute_stats(office_db, date(2020, 1, 1), date(2020, 1, 31))
    assert report.rows == [] and report.total.received_total == 0
