"""IT staff's tools: rebuild projections from the log, check the file, back up and restore.

None of them blocks a counter for long: `check` reads a snapshot (SQLite's backup API under one read
transaction, which in WAL mode never stops a writer) and folds the log in that private copy; `rebuild`
folds in a snapshot too, then swaps the projection tables in one short write transaction that also
folds the events written meanwhile. `restore` refuses while any program has the file open, never
loses the current file (it is kept aside, and the events it holds beyond the backup are folded back
in), and never lets a counter issue a number twice (see app.services.highwater).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.eventlog import PROJECTION_TABLES, event_from_row, ingest, rebuild, refold
from app.services.database import Database, damage_marker, problem_kind
from app.services.errors import ServiceError
from app.services.filelock import FileLock, LockBusy
from app.services.highwater import HighWater
from app.services.highwater import key as highwater_key
from app.services.paths import make_private, make_private_dir
from db.engine import alembic_config, head_revision, known_revisions, make_engine, session_factory, sqlite_uri
from db.models import Counter, Event

log = logging.getLogger(__name__)

REQUIRED_TABLES = {"alembic_version", "settings", "devices", "counters", "events", "dossiers", "users"}


def projection_rows(s: Session) -> dict[str, list[tuple]]:
    """Every projection row as plain tuples, in primary-key order (what `rebuild` must reproduce)."""
    out = {}
    for t in PROJECTION_TABLES:
        rows = s.execute(select(t).order_by(*t.primary_key.columns.values())).all()
        out[t.name] = [tuple(r) for r in rows]
    return out


def projection_digest(s: Session) -> str:
    h = hashlib.sha256()
    for name, rows in sorted(projection_rows(s).items()):
        h.update(name.encode())
        for row in rows:
            h.update(repr(row).encode())
    return h.hexdigest()


# --- snapshots -------------------------------------------------------------------------------------


def _copy(src_path: Path, dst_path: Path) -> None:
    """A consistent copy of a (possibly live) SQLite file through SQLite's backup API: one read
    transaction, which in WAL mode lets writers go on. The copy is 0600 from birth."""
    if not dst_path.exists():
        os.close(os.open(dst_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(sqlite_uri(src_path), uri=True)
    try:
        dst = sqlite3.connect(str(dst_path))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    make_private(dst_path)


@contextmanager
def _snapshot(db: Database) -> Iterator[Path]:
    """A private copy of the live file beside it, deleted afterwards."""
    fd, name = tempfile.mkstemp(prefix=f".{db.path.name}.anh-chup-", suffix=".sqlite", dir=db.path.parent)
    os.close(fd)
    path = Path(name)
    try:
        _copy(db.path, path)
        yield path
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)


# --- rebuild -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildResult:
    events: int
    digest_before: str
    digest_after: str

    @property
    def identical(self) -> bool:
        return self.digest_before == self.digest_after


def _columns(table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)


def rebuild_projections(db: Database) -> RebuildResult:
    """Fold the whole log again. The fold runs in a snapshot; the live file is written only to swap the
    projection tables in, in one short transaction (events committed meanwhile are folded into the
    snapshot first, and the swap is retried if more arrive just before it)."""
    if db.damaged:
        raise ServiceError(db.damaged)
    cols = [c.name for c in Event.__table__.columns]
    with _snapshot(db) as snap:
        engine = make_engine(snap)
        try:
            with session_factory(engine)() as s:
                before = projection_digest(s)
                count = rebuild(s)
                s.flush()
                after = projection_digest(s)
                last = s.scalar(select(func.max(Event.local_seq))) or 0
                s.commit()
            for _attempt in range(20):
                with db.reading() as live, session_factory(engine)() as s:
                    arrived = list(live.scalars(select(Event).where(Event.local_seq > last)
                                                .order_by(Event.local_seq)))
                    for old in arrived:
                        s.add(Event(**{c: getattr(old, c) for c in cols}))
                        last, count = old.local_seq, count + 1
                    s.flush()
                    refold(s, [(old.stream_type, old.stream_id) for old in arrived])
                    s.commit()
                if _swap_projections(db, snap, last):
                    return RebuildResult(count, before, after)
        finally:
            engine.dispose()
    raise ServiceError("Không dựng lại được: các quầy đang ghi liên tục. Hãy chạy lại lúc vắng hồ sơ.")


def _swap_projections(db: Database, snap: Path, last: int) -> bool:
    """Replace the live projection tables by the snapshot's in one transaction, unless events beyond
    `last` arrived meanwhile (then nothing is changed and False is returned)."""
    raw = db.engine.raw_connection()
    try:
        con = raw.driver_connection
        con.execute("ATTACH DATABASE ? AS snap", (sqlite_uri(snap),))
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                newer = con.execute("SELECT count(*) FROM main.events WHERE local_seq > ?", (last,)).fetchone()[0]
                if newer:
                    con.execute("ROLLBACK")
                    return False
                for table in reversed(PROJECTION_TABLES):  # children (steps) before their dossiers
                    con.execute(f"DELETE FROM main.{table.name}")
                for table in PROJECTION_TABLES:
                    c = _columns(table)
                    con.execute(f"INSERT INTO main.{table.name} ({c}) SELECT {c} FROM snap.{table.name}")
                con.execute("COMMIT")
                return True
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        finally:
            con.execute("DETACH DATABASE snap")
    finally:
        raw.close()


# --- check ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    integrity: str
    events: int
    sequence_gaps: list[tuple[str, int, int]]
    projections_match_log: bool | None  # None: not compared (the file is damaged)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.sequence_gaps and self.projections_match_log is True


def _integrity(path: Path) -> list[str]:
    """SQLite's integrity_check of the live file, read-only and without blocking writers (WAL)."""
    con = sqlite3.connect(sqlite_uri(path), uri=True)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check(50)").fetchall()]
    finally:
        con.close()


def check_database(db: Database) -> CheckReport:
    """SQLite integrity, gapless device sequences, and projections equal to a fresh fold of a snapshot.

    A damaged file is reported, marked (writes are refused from then on) and left alone; a file found
    sound clears an earlier mark."""
    try:
        problems = _integrity(db.path)
    except sqlite3.DatabaseError as exc:
        problems = [f"{problem_kind(exc)}: {exc}"]
        if problem_kind(exc) == "busy":
            raise ServiceError("Không kiểm tra được: tệp đang bận quá lâu; hãy chạy lại sau ít phút.") from exc
    if problems != ["ok"]:
        db.mark_damaged("; ".join(problems[:3]))
        return CheckReport("hỏng", 0, [], None, problems)
    try:
        with _snapshot(db) as snap:
            engine = make_engine(snap)
            try:
                with session_factory(engine)() as s:
                    gaps = []
                    for device_id, lo, hi, n in s.execute(
                        select(Event.device_id, func.min(Event.device_seq), func.max(Event.device_seq),
                               func.count()).group_by(Event.device_id)
                    ):
                        if lo != 1 or hi != n:
                            gaps.append((device_id, n, hi))
                    events = s.scalar(select(func.count()).select_from(Event)) or 0
                    before = projection_rows(s)
                    rebuild(s)
                    match = before == projection_rows(s)
                    s.rollback()
            finally:
                engine.dispose()
    except sqlite3.DatabaseError as exc:
        if problem_kind(exc) != "damaged":
            raise
        db.mark_damaged(str(exc))
        return CheckReport("hỏng", 0, [], None, [str(exc)])
    except Exception as exc:
        if problem_kind(exc) != "damaged":
            raise
        db.mark_damaged(str(getattr(exc, "orig", exc)))
        return CheckReport("hỏng", 0, [], None, [str(getattr(exc, "orig", exc))])
    db.clear_damaged()
    return CheckReport("ok", events, gaps, match)


# --- backup --------------------------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def backup(db: Database, target: Path | str | None = None) -> Path:
    """A consistent copy of the live file (WAL included) through SQLite's backup API, private (0600)."""
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = db.path.with_name(f"{db.path.stem}-saoluu-{stamp}{db.path.suffix}")
    target = Path(target)
    if _same_file(target, db.path) or target.resolve() == db.path.resolve() or \
            target.name.startswith(db.path.name + "-"):
        raise ServiceError(f"Tệp đích {target} là chính tệp dữ liệu đang dùng (hoặc tệp đi kèm nó); "
                           "hãy chọn một tên khác cho bản sao lưu.")
    try:
        make_private_dir(target.parent)
        _copy(db.path, target)
    except (sqlite3.Error, OSError) as exc:
        raise ServiceError(f"Không sao lưu được vào {target}: {exc}. Hãy kiểm tra dung lượng và quyền ghi.") from exc
    return target


# --- restore -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    kept: Path | None  # the file that was in place, moved aside
    recovered: int  # events of the kept file newer than the backup, folded back in
    recovery_problem: str = ""  # why the kept file's newer events could not be brought back


def _bad_backup(path: Path, why: str) -> ServiceError:
    return ServiceError(f"Không khôi phục: {path} không phải bản sao lưu MotCua dùng được ({why}). "
                        "Tệp dữ liệu hiện tại không bị thay đổi.")


def _validate_backup(path: Path, shown: Path) -> tuple[str, str | None]:
    """(schema revision, this-device id) of a backup copy; raises ServiceError with the reason if unusable."""
    try:
        con = sqlite3.connect(sqlite_uri(path), uri=True)
        try:
            ok = [r[0] for r in con.execute("PRAGMA integrity_check(5)").fetchall()]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = REQUIRED_TABLES - tables
            if missing:
                raise _bad_backup(shown, "thiếu bảng " + ", ".join(sorted(missing)))
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
            device = _this_device(con, tables)
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise _bad_backup(shown, str(exc)) from exc
    if ok != ["ok"]:
        raise _bad_backup(shown, "bản sao lưu bị hỏng: " + "; ".join(ok[:2]))
    if revision is None:
        raise _bad_backup(shown, "không có phiên bản lược đồ")
    if revision[0] not in known_revisions():
        raise ServiceError(f"Không khôi phục: bản sao lưu {shown} được tạo bởi phiên bản MotCua mới hơn (lược đồ "
                           f"{revision[0]}). Hãy cài phiên bản MotCua mới nhất rồi khôi phục. "
                           "Tệp dữ liệu hiện tại không bị thay đổi.")
    if device is None:
        raise _bad_backup(shown, "tệp chưa được thiết lập cho máy nào")
    return revision[0], device[0]


def check_backup_file(backup_file: Path | str, db_path: Path | str) -> str | None:
    """The device id of a usable MotCua backup (checked in a private copy beside `db_path`, never in place: the
    backup stays untouched); ServiceError saying why it is not usable."""
    backup_file, db_path = Path(backup_file), Path(db_path)
    if not backup_file.is_file():
        raise ServiceError(f"Không có tệp sao lưu {backup_file}.")
    if _same_file(backup_file, db_path) or backup_file.name.startswith(db_path.name + "-"):
        raise ServiceError(f"{backup_file} chính là tệp dữ liệu đang dùng (hoặc tệp đi kèm nó), không phải bản sao lưu.")
    tmp = db_path.with_name(f".{db_path.name}.kiem-tra-{datetime.now():%Y%m%d-%H%M%S}")
    try:
        _copy(backup_file, tmp)
        return _validate_backup(tmp, backup_file)[1]
    except sqlite3.Error as exc:
        raise _bad_backup(backup_file, str(exc)) from exc
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)


def _this_device(con: sqlite3.Connection, tables: set[str]):
    """(id,) of the counter a file belongs to, in the current schema or in release 0.1.0's."""
    if "local_devices" in tables:
        return con.execute("SELECT device_id FROM local_devices WHERE kind = 'counter'").fetchone()
    return con.execute("SELECT id FROM devices WHERE is_self = 1").fetchone()


def _counters(con: sqlite3.Connection, device_id: str | None) -> dict[str, int]:
    """Every counter of a file as high-water keys (device and counter name)."""
    columns = {r[1] for r in con.execute("PRAGMA table_info(counters)")}
    if "device_id" in columns:
        rows = con.execute("SELECT device_id, name, value FROM counters").fetchall()
        return {highwater_key(d, n): v for d, n, v in rows}
    if device_id is None:
        return {}
    return {highwater_key(device_id, n): v for n, v in con.execute("SELECT name, value FROM counters")}


def _read_live(path: Path) -> tuple[str | None, dict[str, int]]:
    """This device's id and counters of the file being replaced, if it can still be read."""
    try:
        con = sqlite3.connect(sqlite_uri(path), uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            device = _this_device(con, tables)
            counters = _counters(con, device[0] if device else None)
            with suppress(sqlite3.Error):
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the kept file then stands alone
        finally:
            con.close()
        return (device[0] if device else None), counters
    except sqlite3.Error:
        return None, {}


def restore(backup_file: Path | str, db_path: Path | str, *, other_device: bool = False) -> RestoreResult:
    """Put a backup in place of the database file; the current file is kept aside, never overwritten.

    Refused while any program has the file open, when the backup is the live file itself, damaged,
    not a MotCua backup, from a newer program, or (unless `other_device`) another device's.
    The backup is copied and checked beside the file before anything is moved, and the events of the
    kept file that the backup lacks (dossiers received after it) are folded back in."""
    backup_file, db_path = Path(backup_file), Path(db_path)
    if not backup_file.is_file():
        raise ServiceError(f"Không có tệp sao lưu {backup_file}. Tệp dữ liệu hiện tại không bị thay đổi.")
    if _same_file(backup_file, db_path) or backup_file.name.startswith(db_path.name + "-"):
        raise ServiceError(f"Không khôi phục: {backup_file} chính là tệp dữ liệu đang dùng (hoặc tệp đi kèm nó), "
                           "không phải bản sao lưu. Tệp dữ liệu hiện tại không bị thay đổi.")
    if not db_path.parent.exists():
        make_private_dir(db_path.parent)
    lock = FileLock(db_path)
    try:
        lock.acquire(shared=False)
    except LockBusy:
        raise ServiceError(
            f"Không khôi phục: tệp {db_path} đang được mở bởi chương trình MotCua khác (màn hình quầy, kiosk "
            "hoặc một lệnh đang chạy). Hãy đóng tất cả rồi chạy lại; không có gì bị thay đổi.") from None
    try:
        return _restore_locked(backup_file, db_path, other_device=other_device)
    finally:
        lock.release()


def _restore_locked(backup_file: Path, db_path: Path, *, other_device: bool) -> RestoreResult:
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    tmp = db_path.with_name(f".{db_path.name}.dang-khoi-phuc-{stamp}")
    try:
        _copy(backup_file, tmp)
        revision, device_id = _validate_backup(tmp, backup_file)
        live_device, live_counters = _read_live(db_path) if db_path.exists() else (None, {})
        if live_device and device_id != live_device and not other_device:
            raise ServiceError(
                f"Không khôi phục: {backup_file} là bản sao lưu của một máy khác (mã máy {device_id[:8]}…), không "
                "phải của máy này. Khôi phục nhầm sẽ làm hai máy cấp trùng mã hồ sơ. Nếu đúng là thay máy hỏng "
                "bằng máy này, thêm --other-device. Tệp dữ liệu hiện tại không bị thay đổi.")
        if revision != head_revision():
            engine = make_engine(tmp)
            try:
                command.upgrade(alembic_config(engine), "head")
            finally:
                engine.dispose()
        # the numbers already issued from the file being replaced stay issued
        hw = HighWater(db_path)
        try:
            hw.raise_to(live_counters)
        finally:
            hw.close()
        kept = None
        if db_path.exists():
            kept = db_path.with_name(f"{db_path.stem}-truoc-khoi-phuc-{stamp}{db_path.suffix}")
            os.replace(db_path, kept)
            for suffix in ("-wal", "-shm"):
                side = Path(str(db_path) + suffix)
                if side.exists():
                    os.replace(side, Path(str(kept) + suffix))
        os.replace(tmp, db_path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
    damage_marker(db_path).unlink(missing_ok=True)
    recovered, problem = 0, ""
    if kept is not None:
        try:
            recovered = _recover_events(kept, db_path)
        except Exception as exc:  # the kept file is damaged or clashes: the restore stands, the file is kept
            log.warning("events of the kept file not recovered (%s)", type(exc).__name__)
            problem = str(getattr(exc, "orig", None) or exc)[:200]
    return RestoreResult(kept, recovered, problem)


def _recover_events(kept: Path, target: Path) -> int:
    """Take into `target` the events of `kept` it lacks (idempotently, folded with the same fold), and raise
    its counters to the kept file's. All or nothing."""
    src_engine = make_engine(kept)
    engine = make_engine(target)
    try:
        with session_factory(src_engine)() as src, session_factory(engine)() as s:
            have = set(s.scalars(select(Event.event_id)))
            missing = [event_from_row(old) for old in src.scalars(select(Event).order_by(Event.local_seq))
                       if old.event_id not in have]
            if missing:
                ingest(s, missing)
            for c in src.scalars(select(Counter)):
                row = s.get(Counter, (c.device_id, c.name))
                if row is None:
                    s.add(Counter(device_id=c.device_id, name=c.name, value=c.value))
                elif row.value < c.value:
                    row.value = c.value
            s.commit()
    finally:
        src_engine.dispose()
        engine.dispose()
    return len(missing)
