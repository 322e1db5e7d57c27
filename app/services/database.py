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
    """One device's SQLite file. `clock` returns the current UTC instant (tests may replace it)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
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
