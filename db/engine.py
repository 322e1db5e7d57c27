"""Engine and session factory for a device's SQLite file, and the schema upgrade on open."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer program; opening it could damage it."""


class DatabaseUnreadable(RuntimeError):
    """The file is not a MotCua database (or is damaged)."""


def _set_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed dossier survives a power cut; the event log is the record of truth.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(path: Path | str, *, writer: bool = True) -> Engine:
    """The writer engine takes SQLite's write lock at BEGIN; the reader engine never blocks writers."""
    url = f"sqlite:///{Path(path)}"
    engine = create_engine(url, future=True)
    event.listen(engine, "connect", _set_pragmas)
    if not writer:
        return engine

    # pysqlite's own transaction handling defers BEGIN; take the write lock at BEGIN so that two
    # processes (counter + kiosk on one PC) never interleave between reading a counter and writing it.
    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_conn, _record):
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_file(path: Path, label: str) -> Path:
    """Consistent copy of a live SQLite file (WAL included) beside it, via SQLite's backup API."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.truoc-nang-cap-{label}-{stamp}{path.suffix}")
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine, path: Path) -> Path | None:
    """Bring the schema to the program's head. Returns the backup made before changing a file."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    try:
        current = current_revision(engine)
    except Exception as exc:  # sqlite3.DatabaseError: "file is not a database"
        raise DatabaseUnreadable(str(exc)) from exc
    if current == head:
        return None
    if current is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise DatabaseTooNew(current)
    backup = None
    if current is not None and path.exists() and path.stat().st_size > 0:
        backup = backup_file(path, current[:8])
    command.upgrade(alembic_config(engine), "head")
    return backup


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, future=True)
