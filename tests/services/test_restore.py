"""Restore never loses the current file, never runs under an open counter, never re-issues a code
(issue 9, points 1 and 2)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services.database import Database
from app.services.errors import ServiceError
from app.services.maintenance import backup, restore
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from db.models import Dossier, Event, LogbookEntry
from tests.conftest import make_office

ROOT = Path(__file__).resolve().parents[2]


def _receive(db, n=1):
    user = login(db, username="canbo1", password="matkhau123")
    return [receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Đặng Văn Long",
                                                   phone="0987654321"), clerk=user) for _ in range(n)]


def _open(path, now):
    db = Database(path)
    db.clock = lambda: now
    return db


def _codes(path):
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT json_extract(payload, '$.code') FROM events "
                                          "WHERE type = 'dossier.received' ORDER BY local_seq")]
    finally:
        con.close()


def test_restore_is_refused_while_another_process_has_the_file_open(tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db, 2)
    saved = backup(db, tmp_path / "saoluu.sqlite")
    db.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from app.services.database import Database; "
         f"db = Database({str(path)!r}); print('open', flush=True); time.sleep(60)"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(ServiceError) as info:
            restore(saved, path)
        assert "đang được mở bởi chương trình MotCua khác" in info.value.message
        assert not list(tmp_path.glob("*truoc-khoi-phuc*"))  # nothing was moved aside
    finally:
        holder.kill()
        holder.wait()
    # once the counter is stopped (even killed), the restore goes through
    assert restore(saved, path).kept is not None


def test_after_restoring_an_older_backup_codes_and_book_numbers_continue_after_the_highest_issued(
        tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db, 2)
    saved = backup(db, tmp_path / "saoluu.sqlite")
    later = _receive(db, 3)  # printed on three citizens' receipts after the backup
    assert later[-1].code.endswith("-1005") and later[-1].number == 5
    db.close()
    # the live file is lost beyond reading (so its events cannot be brought back)
    path.write_bytes(b"\0" * 4096)
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    result = restore(saved, path)
    assert result.recovered == 0 and result.recovery_problem
    db = _open(path, fixed_now)
    nxt = _receive(db)[0]
    assert nxt.code.endswith("-1006") and nxt.number == 6
    with db.reading() as s:
        seqs = [e.device_seq for e in s.scalars(select(Event).where(Event.type == "dossier.received")
                                                 .order_by(Event.local_seq))]
        setup = s.scalar(select(func.count()).select_from(Event).where(Event.stream_type != "dossier"))
    # the gap (the three receptions the lost file had) says what is missing; nothing is numbered twice
    assert seqs == [setup + 1, setup + 2, setup + 6]
    db.close()


def test_restore_brings_back_the_dossiers_received_after_the_backup_from_the_kept_file(tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db, 2)
    saved = backup(db, tmp_path / "saoluu.sqlite")
    later = [r.code for r in _receive(db, 3)]
    db.close()
    result = restore(saved, path)
    assert result.kept.exists() and result.recovered == 3
    db = _open(path, fixed_now)
    with db.reading() as s:
        codes = set(s.scalars(select(Dossier.code)))
        numbers = sorted(s.scalars(select(LogbookEntry.number)))
    assert set(later) <= codes and numbers == [1, 2, 3, 4, 5]
    assert _receive(db)[0].code.endswith("-1006")
    db.close()
    assert len(_codes(path)) == len(set(_codes(path))) == 6


def test_restore_with_the_live_file_as_the_backup_is_refused_and_the_file_stays(tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db, 2)
    db.close()
    for candidate in (path, tmp_path / "." / "xa.sqlite", Path(str(path) + "-wal")):
        if candidate.exists():
            with pytest.raises(ServiceError) as info:
                restore(candidate, path)
            assert "đang dùng" in info.value.message or "không phải bản sao lưu" in info.value.message
    db = _open(path, fixed_now)
    assert _receive(db)[0].code.endswith("-1003")
    db.close()


def test_a_foreign_file_with_an_events_table_or_a_newer_backup_is_refused_before_anything_moves(
        tmp_path, fixed_now):
    path = tmp_path / "xa.sqlite"
    db = make_office(path, now=fixed_now)
    _receive(db)
    newer = backup(db, tmp_path / "moi-hon.sqlite")
    db.close()
    foreign = tmp_path / "khac.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)")
    con.commit()
    con.close()
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ServiceError) as info:
        restore(foreign, path)
    assert "không phải bản sao lưu MotCua" in info.value.message
    with pytest.raises(ServiceError) as info:
        restore(newer, path)
    assert "phiên bản MotCua mới hơn" in info.value.message
    with pytest.raises(ServiceError) as info:
        restore(tmp_path / "khong-co.sqlite", path)
    assert "Không có tệp sao lưu" in info.value.message
    assert path.read_bytes() == before and not list(tmp_path.glob("*truoc-khoi-phuc*"))
    assert not list(tmp_path.glob(".*dang-khoi-phuc*"))


def test_another_devices_backup_is_refused_unless_asked(tmp_path, fixed_now):
    a = make_office(tmp_path / "quay1.sqlite", slot=1, now=fixed_now)
    b = make_office(tmp_path / "quay2.sqlite", slot=2, now=fixed_now)
    other = backup(b, tmp_path / "quay2-saoluu.sqlite")
    a.close()
    b.close()
    with pytest.raises(ServiceError) as info:
        restore(other, tmp_path / "quay1.sqlite")
    assert "của một máy khác" in info.value.message
    assert restore(other, tmp_path / "quay1.sqlite", other_device=True).kept is not None


def test_backup_into_the_live_file_is_refused(office_db):
    with pytest.raises(ServiceError) as info:
        backup(office_db, office_db.path)
    assert "là chính tệp dữ liệu đang dùng" in info.value.message


def test_an_open_waits_for_a_restore_and_then_sees_the_restored_file(tmp_path, fixed_now):
    from app.services.filelock import FileLock

    path = tmp_path / "xa.sqlite"
    make_office(path, now=fixed_now).close()
    lock = FileLock(path)
    lock.acquire(shared=False)
    t0 = time.monotonic()
    import threading

    threading.Timer(0.5, lock.release).start()
    db = Database(path)
    assert time.monotonic() - t0 >= 0.4
    db.close()
