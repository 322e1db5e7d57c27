"""The province server's database: PostgreSQL through SQLAlchemy and psycopg 3 (a SQLite file for a single
office or quick tests), the shared event-log schema plus the server's own tables, each with its Alembic
chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from app.services.errors import ServiceError
from db.engine import alembic_config, make_engine

SERVER_MIGRATIONS = Path(str(files("db").joinpath("server_migrations")))


def engine_for(url: str) -> Engine:
    """A SQLAlchemy URL (postgresql+psycopg://…) or the path of a SQLite file."""
    if "://" not in url:
        return make_engine(Path(url), writer=True, create=True)
    if url.startswith("sqlite"):
        return make_engine(Path(url.split("///", 1)[1]), writer=True, create=True)
    # READ COMMITTED (PostgreSQL's default): a push that waited on the head row reads the committed last_seq.
    # No ping before each checkout (a round trip per transaction, a third of an idle poll's cost): a connection
    # PostgreSQL closed (a restart) fails one request with a 500, is dropped with the pool, and the device retries.
    # Each worker process holds up to 16 connections (this pool's 15 and its event loop's own one): PostgreSQL's
    # max_connections must cover processes × workers × 16.
    return create_engine(url, pool_size=10, max_overflow=5, pool_recycle=1800, pool_use_lifo=True)


def server_alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVER_MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


class ServerDB:
    """The server's database. Stateless apart from it: any number of server processes may share one."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.engine = engine_for(url)
        except Exception as exc:  # a malformed URL
            raise ServiceError(f"Địa chỉ cơ sở dữ liệu “{_safe(url)}” không dùng được: {exc}") from exc
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._loop_con: Connection | None = None
        self._loop_engine: Engine | None = None
        self._loop_lock = threading.Lock()

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def migrate(self) -> None:
        """Create or upgrade both schemas (the shared log and projections, then the server's tables)."""
        try:
            if not self.postgres:
                with self.engine.connect() as con:  # several server processes on one file: readers never wait
                    con.exec_driver_sql("PRAGMA journal_mode=WAL")
            command.upgrade(alembic_config(self.engine), "head")
            command.upgrade(server_alembic_config(self.engine), "head")
        except OperationalError as exc:
            raise ServiceError(f"Không kết nối được cơ sở dữ liệu {_safe(self.url)}: {exc.orig}") from exc

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads that need no transaction of their own (one statement, or statements that may
        see different commits): on PostgreSQL in autocommit, so a poll costs no BEGIN and COMMIT round trips."""
        with self.engine.connect() as con:
            if self.postgres:
                con = con.execution_options(isolation_level="AUTOCOMMIT")
            yield con

    @contextmanager
    def loop_connection(self) -> Iterator[Connection | None]:
        """The connection of the server's event loop (PostgreSQL, autocommit), for the single quick reads the loop
        answers itself (an idle device's hello); None on SQLite, or while another thread uses it (the caller
        then goes to a worker thread). Never waits on a lock or on the pool (the connection is the loop's own,
        not one of the pool's). A connection that fails is closed and replaced at the next use."""
        if not self.postgres or not self._loop_lock.acquire(blocking=False):
            yield None
            return
        try:
            if self._loop_con is None:  # its own, outside the pool: never queued behind the threads' requests
                if self._loop_engine is None:
                    self._loop_engine = create_engine(self.engine.url, poolclass=NullPool)
                self._loop_con = self._loop_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                yield self._loop_con
            except BaseException:
                self._drop_loop_connection()
                raise
        finally:
            self._loop_lock.release()

    def _drop_loop_connection(self) -> None:
        con, self._loop_con = self._loop_con, None
        if con is not None:
            try:
                con.invalidate()
                con.close()
            except Exception:  # noqa: BLE001 - already broken
                pass

    def close(self) -> None:
        with self._loop_lock:
            self._drop_loop_connection()
            if self._loop_engine is not None:
                self._loop_engine.dispose()
        self.engine.dispose()


def _safe(url: str) -> str:
    """A URL without its password, for messages and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
