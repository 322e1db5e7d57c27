"""Opening a device's database: schema upgrade with backup, sessions, and storage errors in Vietnamese."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.services.errors import StorageError
from db.engine import DatabaseTooNew, DatabaseUnreadable, make_engine, session_factory, upgrade


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def storage_message(exc: BaseException) -> str:
    text = str(exc).lower()
    if "disk is full" in text or "disk full" in text:
        return ("Ổ đĩa đã đầy, chưa lưu được. Dữ liệu trên màn hình vẫn còn nguyên: hãy giải phóng "
                "dung lượng ổ đĩa (hoặc báo cán bộ CNTT) rồi bấm Lưu lại.")
    if "readonly" in text or "read-only" in text:
        return "Tệp dữ liệu đang ở chế độ chỉ đọc, chưa lưu được. Hãy báo cán bộ CNTT kiểm tra quyền ghi."
    if "locked" in text or "busy" in text:
        return "Cơ sở dữ liệu đang bận (một chương trình khác đang ghi). Hãy bấm Lưu lại sau vài giây."
    return f"Không ghi được vào cơ sở dữ liệu ({exc}). Dữ liệu trên màn hình vẫn còn nguyên; hãy thử lại."


class Database:
    """One device's SQLite file. `clock` returns the current UTC instant (tests may replace it).

    `device_kind` (and `device_slot` where a file holds two devices of a kind) says which local device
    this process writes as: "counter" by default, "kiosk" for the kiosk sharing the counter's file.
    """

    def __init__(self, path: Path | str, *, device_kind: str = "counter", device_slot: int | None = None):
        self.path = Path(path)
        self.device_kind = device_kind
        self.device_slot = device_slot
        self._device = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(self.path, writer=True)
        self.read_engine = make_engine(self.path, writer=False)
        try:
            self.backup_before_upgrade = upgrade(self.engine, self.path)
        except DatabaseTooNew as exc:
            self.close()
            raise StorageError(
                f"Tệp dữ liệu {self.path} được tạo bởi phiên bản MotCua mới hơn (lược đồ {exc}). "
                "Hãy cài phiên bản MotCua mới nhất; không mở tệp này bằng phiên bản cũ để tránh hỏng dữ liệu."
            ) from exc
        except DatabaseUnreadable as exc:
            self.close()
            raise StorageError(
                f"Tệp {self.path} không phải cơ sở dữ liệu MotCua hoặc đã bị hỏng. "
                "Hãy chọn đúng tệp hoặc khôi phục từ bản sao lưu (motcua admin restore)."
            ) from exc
        self._writer = session_factory(self.engine)
        self._reader = session_factory(self.read_engine)
        self.clock: Callable[[], datetime] = utc_now
        self._run_pending_tasks()

    def _run_pending_tasks(self) -> None:
        """Work a schema upgrade left: fold the projections again from the log (their shape changed)."""
        from sqlalchemy import delete, select

        from app.eventlog import rebuild
        from db.models import PendingTask

        with self.transaction() as s:
            tasks = set(s.scalars(select(PendingTask.name)))
            if "refold" in tasks:
                rebuild(s)
            if tasks:
                s.execute(delete(PendingTask))

    @property
    def device(self):
        """The DeviceContext this process writes events as (raises ServiceError if the file has none)."""
        if self._device is None:
            from app.services.settings import this_device

            with self.reading() as s:
                self._device = this_device(s, self.device_kind, self.device_slot)
        return self._device

    def forget_device(self) -> None:
        """After setup or enrolment registered a device in this file."""
        self._device = None

    def close(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write unit of work: everything in it commits together or not at all."""
        session = self._writer()
        try:
            yield session
            session.commit()
        except (OperationalError, sqlite3.OperationalError) as exc:
            session.rollback()
            raise StorageError(storage_message(exc)) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._reader()
        try:
            yield session
        finally:
            # close() ends the read transaction and detaches objects with their loaded values intact
            # (a rollback() would expire them and make plain reads after the block fail).
            session.close()


def open_database(path: Path | str) -> Database:
    return Database(path)
