"""Opening a file says what is wrong with it: missing, empty, foreign, busy, read-only or damaged;
nothing creates a database but set-up; a damaged file refuses writes (issue 9, points 3, 5 and 8)."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select, text

from app.services.database import Database, problem_kind, storage_message
from app.services.errors import StorageError
from app.services.maintenance import check_database, rebuild_projections
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from db.models import Event
from tests.conftest import make_office


def _receive(db, n=1):
    user = login(db, username="canbo1", password="matkhau123")
    return [receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Đặng Văn Long",
                                                   phone="0987654321"), clerk=user) for _ in range(n)]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- point 5: only set-up creates a database ------------------------------------------------------------


def test_a_mistyped_path_creates_neither_folder_nor_file(tmp_path):
    target = tmp_path / "khong-co" / "thu-muc" / "xa.sqlite"
    with pytest.raises(StorageError) as info:
        Database(target)
    assert "không tồn tại" in info.value.message and "motcua admin setup" in info.value.message
    assert not (tmp_path / "khong-co").exists()
    with pytest.raises(StorageError) as info:
        Database(tmp_path / "xa-go-nham.sqlite")
    assert "không tự tạo tệp mới" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_is_refused_and_left_empty(tmp_path):
    path = tmp_path / "rong.sqlite"
    path.touch()
    with pytest.raises(StorageError) as info:
        Database(path)
    assert "rỗng (0 byte)" in info.value.message
    assert path.stat().st_size == 0


@pytest.mark.parametrize("create", [False, True])
def test_a_foreign_sqlite_file_never_gets_our_schema(tmp_path, create):
    path = tmp_path / "ke-toan.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE so_cai (id INTEGER PRIMARY KEY, so_tien INTEGER)")
    con.execute("INSERT INTO so_cai VALUES (1, 500000)")
    con.commit()
    con.close()
    before = _digest(path)
    with pytest.raises(StorageError) as info:
        Database(path, create=create)
    assert "không phải của MotCua" in info.value.message
    assert _digest(path) == before


# --- point 3: busy is busy, read-only is read-only -----------------------------------------------------


def test_a_file_busy_with_a_long_write_opens_and_says_busy_not_damaged(tmp_path, fixed_now, monkeypatch):
    import db.engine

    path = tmp_path / "xa.sqlite"
    make_office(path, now=fixed_now).close()
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 300)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # what `admin rebuild` did for 15–25 s
    try:
        opened = Database(path)  # used to say "đã bị hỏng … khôi phục từ bản sao lưu"
        opened.clock = lambda: fixed_now
        with pytest.raises(StorageError) as info:
            _receive(opened)
        assert "đang bận" in info.value.message and "không bị hỏng" in info.value.message
        assert "hỏng ở" not in info.value.message
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _receive(opened)[0].code.endswith("-1001")
    opened.close()


def test_read_only_and_busy_errors_are_named_for_what_they_are():
    ro = sqlite3.OperationalError("attempt to write a readonly database")
    cant = sqlite3.OperationalError("unable to open database file")
    busy = sqlite3.OperationalError("database is locked")
    bad = sqlite3.DatabaseError("database disk image is malformed")
    assert [problem_kind(e) for e in (ro, cant, busy, bad)] == ["readonly", "cantopen", "busy", "damaged"]
    for exc in (ro, cant):
        assert "chỉ đọc" in storage_message(exc) and "không bị hỏng" in storage_message(exc)
    assert "khôi phục" not in storage_message(busy)


def test_check_and_rebuild_do_not_block_a_counter(tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db, 30)
    import app.services.maintenance as m

    slow_fold = m.rebuild

    def slow(s):  # a fold that takes its time, as on 10k events
        n = slow_fold(s)
        time.sleep(1.5)
        return n

    m_rebuild = m.rebuild
    m.rebuild = slow
    try:
        for job in (check_database, rebuild_projections):
            worker = Database(path)
            t = threading.Thread(target=job, args=(worker,))
            t.start()
            time.sleep(0.3)
            started = time.monotonic()
            _receive(db)  # during the long fold
            assert time.monotonic() - started < 1.0
            t.join()
            worker.close()
    finally:
        m.rebuild = m_rebuild
    report = check_database(db)
    with db.reading() as s:
        receptions = s.scalar(select(func.count()).select_from(Event).where(Event.type == "dossier.received"))
    assert report.ok and receptions == 32
    db.close()


def test_a_rebuild_keeps_dossiers_received_while_it_ran(tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db, 5)
    import app.services.maintenance as m

    fold = m.rebuild
    added = []

    def fold_while_receiving(s):
        n = fold(s)
        added.extend(r.code for r in _receive(db, 2))
        return n

    m.rebuild = fold_while_receiving
    try:
        result = rebuild_projections(db)
    finally:
        m.rebuild = fold
    with db.reading() as s:
        assert result.events == s.scalar(select(func.count()).select_from(Event)) and result.identical
    with db.reading() as s:
        codes = set(s.execute(text("SELECT code FROM dossiers")).scalars())
    assert set(added) <= codes and len(codes) == 7
    assert check_database(db).ok
    db.close()


# --- point 8: damaged pages -------------------------------------------------------------------------------


def _damage(path):
    """Overwrite the middle of the dossiers table's first page, as a bad sector would."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'dossiers'").fetchone()[0]
    con.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size + 8)
        f.write(b"\xff" * 200)


def test_check_reports_damaged_pages_plainly_and_the_file_then_refuses_writes(tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db, 20)
    db.close()
    _damage(path)
    db = Database(path)
    db.clock = lambda: fixed_now
    report = check_database(db)  # used to end in a traceback
    assert report.integrity == "hỏng" and report.problems and not report.ok
    db.close()
    again = Database(path)  # another program, later
    again.clock = lambda: fixed_now
    with pytest.raises(StorageError) as info:
        _receive(again)
    assert "bị hỏng ở một số trang" in info.value.message and "motcua admin restore" in info.value.message
    assert login(again, username="canbo1", password="matkhau123")  # still signs in to read and print
    again.close()
