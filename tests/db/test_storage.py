"""The SQLite file: pragmas, schema at head, and refusing a file written by a newer program."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.services.database import Database
from app.services.errors import StorageError
from db.engine import current_revision, head_revision


def test_pragmas_wal_full_sync_foreign_keys(tmp_path):
    db = Database(tmp_path / "a.sqlite")
    with db.transaction() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert current_revision(db.engine) == head_revision()


def test_database_from_a_newer_program_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "b.sqlite"
    Database(path).close()
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.close()
    with pytest.raises(StorageError) as info:
        Database(path)
    assert "phiên bản MotCua mới hơn" in info.value.message


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as info:
        Database(path)
    assert "không phải cơ sở dữ liệu MotCua" in info.value.message
