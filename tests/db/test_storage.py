"""The SQLite file: pragmas, schema at head, and refusing a file written by a newer program."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.services.database import Database
from app.services.errors import StorageError
from db.engine import current_revision, head_revision


def test_pragmas_wal_full_sync_foreign_keys(tmp_path):
    db = Database(tmp_path / "a.sqlite", create=True)
    with db.transaction() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert current_revision(db.engine) == head_revision()


def test_database_from_a_newer_program_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "b.sqlite"
    Database(path, create=True).close()
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


def test_upgrading_an_older_file_backs_it_up_first_and_keeps_its_data(tmp_path):
    import sqlite3

    from alembic import command

    from db.engine import alembic_config, make_engine

    path = tmp_path / "old.sqlite"
    engine = make_engine(path, create=True)
    command.upgrade(alembic_config(engine), "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO settings(key, value) VALUES ('place_name', '\"Tân Hưng\"')")
    con.commit()
    con.close()
    db = Database(path)
    assert db.backup_before_upgrade is not None and db.backup_before_upgrade.exists()
    assert "truoc-nang-cap-0001" in db.backup_before_upgrade.name
    backup = sqlite3.connect(db.backup_before_upgrade)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    backup.close()
    assert current_revision(db.engine) == head_revision()
    with db.reading() as s:
        assert s.execute(text("SELECT value FROM settings WHERE key='place_name'")).scalar() == '"Tân Hưng"'


def test_models_and_migrations_describe_the_same_schema(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import Base

    db = Database(tmp_path / "schema.sqlite", create=True)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # the FTS5 shadow tables exist only in SQL; everything the models declare must match exactly
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("dossier_fts"))]
    assert diff == []
