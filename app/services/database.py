"""Opening a device's database: schema upgrade with backup, sessions, and storage errors in Vietnamese.

Only `admin setup`, `demo` and enrolment create a database (`Database(path, create=True)`); every
other open refuses a missing, empty or foreign file instead of making one. A problem is named for
what it is: busy (another program is writing), read-only, damaged (SQLite says so), not a MotCua file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.eventlog.store import ALLOCATE, PEEK
from app.services import highwater
from app.services.errors import StorageError
from app.services.filelock import FileLock, LockBusy
from app.services.paths import make_private, make_private_dir
from db.engine import (
    DatabaseTooNew,
    DatabaseUnreadable,
    ForeignDatabase,
    make_engine,
    session_factory,
    upgrade,
)

log = logging.getLogger(__name__)

SIDE_FILES = ("-wal", "-shm")
SETUP_HINT = ("Để thiết lập máy mới: “motcua admin setup --db <tệp> …” (xem motcua admin setup --help); "
              "để dùng thử: “motcua demo”.")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def damage_marker(path: Path) -> Path:
    """A file beside the database saying it was found damaged; writes are refused while it exists."""
    return path.with_name(path.name + "-hong")


def sqlite_error_name(exc: BaseException) -> str:
    """SQLite's error name (SQLITE_BUSY, SQLITE_CORRUPT…) of an error or of its cause, '' if none."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DBAPIError) and exc.orig is not None:
            exc = exc.orig
            continue
        name = getattr(exc, "sqlite_errorname", None)
        if name:
            return name
        exc = exc.__cause__ or exc.__context__
    return ""


def problem_kind(exc: BaseException) -> str:
    """busy | readonly | full | damaged | notadb | cantopen | other, from SQLite's code or its text."""
    name = sqlite_error_name(exc)
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "busy"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "readonly"
    if name.startswith("SQLITE_FULL") or "disk is full" in text or "disk full" in text:
        return "full"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return "damaged"
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return "notadb"
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) or "unable to open" in text:
        return "cantopen"
    return "other"


BUSY = ("Cơ sở dữ liệu đang bận (một chương trình khác đang ghi hoặc đang kiểm tra, sao lưu). "
        "Dữ liệu không bị hỏng: hãy thử lại sau vài giây.")
READONLY = ("Tệp dữ liệu hoặc thư mục chứa nó đang ở chế độ chỉ đọc, chưa ghi được. Dữ liệu không bị hỏng: "
            "hãy báo cán bộ CNTT cấp quyền ghi cho tệp và thư mục {folder}.")
FULL = ("Ổ đĩa đã đầy, chưa lưu được. Dữ liệu trên màn hình vẫn còn nguyên: hãy giải phóng "
        "dung lượng ổ đĩa (hoặc báo cán bộ CNTT) rồi bấm Lưu lại.")
DAMAGED = ("Tệp dữ liệu {path} bị hỏng ở một số trang (SQLite báo: {detail}). Chương trình không ghi thêm vào "
           "tệp này để tránh hỏng nặng hơn; vẫn xem và in được. Hãy báo cán bộ CNTT: sao lưu tệp hiện tại "
           "(motcua admin backup), chạy “motcua admin check”, rồi khôi phục bản sao lưu gần nhất "
           "(motcua admin restore; tệp hiện tại được giữ lại và các hồ sơ mới hơn được lấy lại nếu đọc được).")


def storage_message(exc: BaseException, path: Path | None = None) -> str:
    kind = problem_kind(exc)
    folder = path.parent if path else "chứa dữ liệu"
    if kind == "full":
        return FULL
    if kind == "readonly" or kind == "cantopen":
        return READONLY.format(folder=folder)
    if kind == "busy":
        return BUSY
    if kind == "damaged":
        return DAMAGED.format(path=path or "", detail=str(getattr(exc, "orig", None) or exc)[:200])
    return f"Không ghi được vào cơ sở dữ liệu ({type(exc).__name__}). Dữ liệu trên màn hình vẫn còn nguyên; hãy thử lại."


class Database:
    """One device's SQLite file. `clock` returns the current UTC instant (tests may replace it).

    `create=False` (every caller but set-up, demo and enrolment) refuses a file that does not exist,
    is empty or is not a MotCua database, instead of making one. The object holds a shared lock on the
    file for its whole life (see app.services.filelock): `close()` it when done.

    `device_kind` (and `device_slot` where a file holds two devices of a kind) says which local device
    this process writes as: "counter" by default, "kiosk" for the kiosk sharing the counter's file.
    """

    def __init__(self, path: Path | str, *, create: bool = False, device_kind: str = "counter",
                 device_slot: int | None = None):
        self.path = Path(path)
        self.device_kind = device_kind
        self.device_slot = device_slot
        self._device = None
        self.damaged: str | None = None
        self._lock = FileLock(self.path)
        weakref.finalize(self, self._lock.release)  # a Database dropped without close() still lets go
        self._check_path(create)
        try:
            self._lock.acquire(shared=True, timeout=10)
        except LockBusy:
            raise StorageError("Tệp dữ liệu đang được khôi phục từ bản sao lưu; hãy mở lại sau ít phút.") from None
        except OSError as exc:
            raise StorageError(READONLY.format(folder=self.path.parent) + f" ({exc.strerror})") from exc
        self.engine = make_engine(self.path, writer=True)
        self.read_engine = make_engine(self.path, writer=False)
        try:
            self.backup_before_upgrade = upgrade(self.engine, self.path, read_engine=self.read_engine,
                                                 create=create)
        except DatabaseTooNew as exc:
            self.close()
            raise StorageError(
                f"Tệp dữ liệu {self.path} được tạo bởi phiên bản MotCua mới hơn (lược đồ {exc}). "
                "Hãy cài phiên bản MotCua mới nhất; không mở tệp này bằng phiên bản cũ để tránh hỏng dữ liệu."
            ) from exc
        except ForeignDatabase as exc:
            self.close()
            raise StorageError(
                f"Tệp {self.path} là một cơ sở dữ liệu SQLite nhưng không phải của MotCua; chương trình không "
                "ghi gì vào đó. Hãy kiểm tra lại đường dẫn. " + SETUP_HINT) from exc
        except DatabaseUnreadable as exc:
            self.close()
            raise StorageError(self._open_message(exc)) from exc
        except (DBAPIError, sqlite3.Error) as exc:  # the upgrade itself could not write
            self.close()
            raise StorageError(storage_message(exc, self.path)) from exc
        for suffix in ("", *SIDE_FILES):
            make_private(Path(str(self.path) + suffix))
        self.highwater = highwater.HighWater(self.path)
        self._writer = session_factory(self.engine, info={highwater.SESSION_KEY: self.highwater,
                                                          ALLOCATE: highwater.next_value, PEEK: highwater.peek})
        self._reader = session_factory(self.read_engine)
        self.clock: Callable[[], datetime] = utc_now
        marker = damage_marker(self.path)
        if marker.exists():
            self.damaged = DAMAGED.format(path=self.path, detail=marker.read_text(encoding="utf-8", errors="replace")
                                          .strip()[:200] or "integrity_check")
        self._run_pending_tasks()
        self._sync_highwater()

    def _run_pending_tasks(self) -> None:
        """Work a schema upgrade left: fold the projections again from the log (their shape changed)."""
        from sqlalchemy import delete

        from app.eventlog import rebuild
        from db.models import PendingTask

        with self.reading() as s:  # without the write lock: a busy file still opens
            if not s.scalar(select(PendingTask.name).limit(1)):
                return
        with self.transaction() as s:
            tasks = set(s.scalars(select(PendingTask.name)))
            if "refold" in tasks:
                rebuild(s)
            elif "refold_reference" in tasks:  # the catalogue and calendar tables changed shape (0007)
                from app.eventlog import refold
                from app.eventlog.registry import CALENDAR, CATALOGUE
                from db.models import Event

                refold(s, s.execute(select(Event.stream_type, Event.stream_id).distinct()
                                    .where(Event.stream_type.in_((CALENDAR, CATALOGUE)))).tuples().all())
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

    def _check_path(self, create: bool) -> None:
        p = self.path
        if create:
            if not p.parent.exists():
                make_private_dir(p.parent)
            if not p.exists():  # born private: 0600 before SQLite writes anything into it
                os.close(os.open(p, os.O_WRONLY | os.O_CREAT, 0o600))
            return
        if p.is_dir():
            raise StorageError(f"{p} là một thư mục, không phải tệp dữ liệu MotCua. Hãy kiểm tra lại đường dẫn --db.")
        if not p.exists():
            where = "Thư mục " + str(p.parent) + " không tồn tại" if not p.parent.exists() else "Không có tệp " + str(p)
            raise StorageError(f"{where}: chưa có dữ liệu MotCua ở đây (chương trình không tự tạo tệp mới). "
                               f"Hãy kiểm tra lại đường dẫn --db hoặc MOTCUA_DB. {SETUP_HINT}")
        if p.stat().st_size == 0:
            raise StorageError(f"Tệp {p} rỗng (0 byte): không phải dữ liệu MotCua. Hãy kiểm tra lại đường dẫn, "
                               f"hoặc khôi phục từ bản sao lưu (motcua admin restore). {SETUP_HINT}")

    def _open_message(self, exc: BaseException) -> str:
        kind = problem_kind(exc)
        if kind == "busy":
            return BUSY
        if kind in ("readonly", "cantopen"):
            return READONLY.format(folder=self.path.parent)
        if kind == "damaged":
            return DAMAGED.format(path=self.path, detail=str(exc.__cause__ or exc)[:200])
        if kind == "notadb":
            return (f"Tệp {self.path} không phải cơ sở dữ liệu MotCua (không phải tệp SQLite: có thể chọn nhầm tệp, "
                    "hoặc phần đầu tệp đã bị ghi đè). Hãy chọn đúng tệp, hoặc khôi phục từ bản sao lưu (motcua admin restore).")
        return f"Không mở được tệp dữ liệu {self.path} ({exc.__cause__ or exc})."

    def _sync_highwater(self) -> None:
        """Raise the high-water store to the file's counters (covers a kill between commit and its write)."""
        from db.models import Counter

        try:
            with self.reading() as s:
                values = {highwater.key(c.device_id, c.name): c.value for c in s.scalars(select(Counter))}
            self.highwater.raise_to(values)
            self.highwater.prune(self.clock().date())
        except Exception:  # never stop a counter from opening over this; allocation still takes the max
            log.warning("high-water store not synchronised", exc_info=True)

    def close(self) -> None:
        for name in ("engine", "read_engine"):
            engine = getattr(self, name, None)
            if engine is not None:
                engine.dispose()
        hw = getattr(self, "highwater", None)
        if hw is not None:
            hw.close()
        self._lock.release()

    def mark_damaged(self, detail: str) -> None:
        """Refuse writes from now on, in this process and every later one, until a check finds the file ok."""
        self.damaged = DAMAGED.format(path=self.path, detail=detail[:200])
        try:
            damage_marker(self.path).write_text(detail + "\n", encoding="utf-8")
            make_private(damage_marker(self.path))
        except OSError:
            log.warning("damage marker not written", exc_info=True)

    def clear_damaged(self) -> None:
        self.damaged = None
        damage_marker(self.path).unlink(missing_ok=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write unit of work: everything in it commits together or not at all."""
        if self.damaged:
            raise StorageError(self.damaged)
        session = self._writer()
        try:
            yield session
            session.commit()
        except (DBAPIError, sqlite3.Error) as exc:
            session.rollback()
            highwater.discard_pending(session)
            if problem_kind(exc) == "damaged":
                self.mark_damaged(str(getattr(exc, "orig", None) or exc))
            raise StorageError(storage_message(exc, self.path)) from exc
        except BaseException:
            session.rollback()
            highwater.discard_pending(session)
            raise
        else:
            try:
                highwater.commit_pending(session)
            except Exception:  # saved already: never report a saved dossier as failed; next open catches up
                log.warning("high-water store not raised after a commit", exc_info=True)
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._reader()
        try:
            yield session
        except (DBAPIError, sqlite3.Error) as exc:
            if problem_kind(exc) == "damaged":
                self.mark_damaged(str(getattr(exc, "orig", None) or exc))
            raise StorageError(storage_message(exc, self.path)) from exc
        finally:
            # close() ends the read transaction and detaches objects with their loaded values intact
            # (a rollback() would expire them and make plain reads after the block fail).
            session.close()


def open_database(path: Path | str, *, create: bool = False, device_kind: str = "counter") -> Database:
    return Database(path, create=create, device_kind=device_kind)
