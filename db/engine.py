"""Engine and session factory for a device's SQLite file, and the schema upgrade on open."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

MIGRATIONS_DIR = Path(str(files("db").joinpath("migrations")))  # a folder Alembic reads, wherever db/ lives
BUSY_TIMEOUT_MS = 10000  # how long a write waits for another program's transaction before saying "busy"


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer program; opening it could damage it."""


class DatabaseUnreadable(RuntimeError):
    """The file could not be read; `__cause__` holds SQLite's error (busy, read-only, damaged, not a database)."""


class ForeignDatabase(RuntimeError):
    """An SQLite file that is not MotCua's (tables, but no schema version): never add our schema to it."""


def _set_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # journal_mode=WAL is set once, by `upgrade`, after the file is known to be ours: switching a
    # foreign file into WAL would already be a write into it.
    # FULL: a committed dossier survives a power cut; the event log is the record of truth.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def sqlite_uri(path: Path | str, *, create: bool = False) -> str:
    """A URI that opens `path` read-write and, unless `create`, never makes a new file (a mistyped path
    must fail, not become an empty database)."""
    return f"{Path(path).resolve().as_uri()}?mode={'rwc' if create else 'rw'}"


def make_engine(path: Path | str, *, writer: bool = True, create: bool = False) -> Engine:
    """The writer engine takes SQLite's write lock at BEGIN; the reader engine never blocks writers.

    SQL parameters are hidden from error messages and logs: they hold citizens' names and numbers.
    """
    uri = sqlite_uri(path, create=create)
    engine = create_engine(
        "sqlite://", future=True, hide_parameters=True, poolclass=QueuePool,
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
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


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def file_state(read_engine: Engine) -> tuple[str | None, int]:
    """(schema revision or None, number of tables) read without taking the write lock.

    Raises DatabaseUnreadable (cause: SQLite's error) when the file cannot be read at all."""
    try:
        with read_engine.connect() as conn:
            tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar_one()
            revision = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
    except Exception as exc:  # sqlite3.DatabaseError: not a database, busy, read-only folder, damaged
        raise DatabaseUnreadable(str(exc)) from exc
    return revision, int(tables)


def backup_file(path: Path, label: str) -> Path:
    """Consistent copy of a live SQLite file (WAL included) beside it, via SQLite's backup API.

    The copy is made private to the owner (0600) before any data is written into it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.truoc-nang-cap-{label}-{stamp}{path.suffix}")
    _private_file(target)
    src = sqlite3.connect(sqlite_uri(path), uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (POSIX; on Windows the folder's ACL applies)."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def ensure_wal(engine: Engine) -> None:
    """WAL journal (persistent in the file): readers never block the writer, a crash loses nothing committed."""
    raw = engine.raw_connection()
    try:
        mode = raw.driver_connection.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")
    finally:
        raw.close()


def upgrade(engine: Engine, path: Path, *, read_engine: Engine | None = None, create: bool = False) -> Path | None:
    """Bring the schema to the program's head. Returns the backup made before changing a file.

    A file without our schema is given one only when `create` is set and it holds no tables at all;
    a foreign SQLite file (tables but no schema version) raises ForeignDatabase, untouched."""
    head = head_revision()
    current, tables = file_state(read_engine or engine)
    if current is None:
        if tables:
            raise ForeignDatabase(str(path))
        if not create:
            raise ForeignDatabase(str(path))
    elif current not in known_revisions():
        raise DatabaseTooNew(current)
    ensure_wal(engine)
    if current == head:
        return None
    backup = None
    if current is not None and path.exists() and path.stat().st_size > 0:
        backup = backup_file(path, current[:8])
    command.upgrade(alembic_config(engine), "head")
    return backup


def session_factory(engine: Engine, *, info: dict | None = None) -> sessionmaker[Session]:
    """Sessions on `engine`; `info` is copied into each session's `Session.info` (e.g. the high-water store)."""
    return sessionmaker(engine, expire_on_commit=False, future=True, info=info)
