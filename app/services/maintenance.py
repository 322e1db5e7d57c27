"""IT staff's tools: rebuild projections from the log, check the file, back up and restore."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.eventlog import PROJECTION_TABLES, rebuild
from app.services.database import Database
from app.services.errors import ServiceError
from db.models import Event


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


@dataclass(frozen=True)
class RebuildResult:
    events: int
    digest_before: str
    digest_after: str

    @property
    def identical(self) -> bool:
        return self.digest_before == self.digest_after


def rebuild_projections(db: Database) -> RebuildResult:
    with db.transaction() as s:
        before = projection_digest(s)
        count = rebuild(s)
        after = projection_digest(s)
    return RebuildResult(count, before, after)


@dataclass(frozen=True)
class CheckReport:
    integrity: str
    events: int
    sequence_gaps: list[tuple[str, int, int]]
    projections_match_log: bool

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.sequence_gaps and self.projections_match_log


def check_database(db: Database) -> CheckReport:
    """SQLite integrity, gapless device sequences, and projections equal to a fresh fold (then rolled back)."""
    with db.transaction() as s:
        integrity = s.execute(text("PRAGMA integrity_check")).scalar_one()
        gaps = []
        for device_id, lo, hi, n in s.execute(
            select(Event.device_id, func.min(Event.device_seq), func.max(Event.device_seq), func.count())
            .group_by(Event.device_id)
        ):
            if lo != 1 or hi != n:
                gaps.append((device_id, n, hi))
        events = s.scalar(select(func.count()).select_from(Event))
        before = projection_rows(s)
        rebuild(s)
        match = before == projection_rows(s)
        s.rollback()
    return CheckReport(integrity, events, gaps, match)


def backup(db: Database, target: Path | str | None = None) -> Path:
    """A consistent copy of the live file (WAL included) through SQLite's backup API."""
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = db.path.with_name(f"{db.path.stem}-saoluu-{stamp}{db.path.suffix}")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(str(db.path))
        dst = sqlite3.connect(str(target))
        with dst:
            src.backup(dst)
        dst.close()
        src.close()
    except sqlite3.Error as exc:
        raise ServiceError(f"Không sao lưu được vào {target}: {exc}. Hãy kiểm tra dung lượng và quyền ghi.") from exc
    return target


def restore(backup_file: Path | str, db_path: Path | str) -> Path | None:
    """Put a backup in place of the database file; the current file is kept aside, never overwritten."""
    backup_file, db_path = Path(backup_file), Path(db_path)
    try:
        con = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        con.execute("SELECT count(*) FROM events").fetchone()
        con.close()
    except sqlite3.Error as exc:
        raise ServiceError(f"Tệp {backup_file} không phải bản sao lưu MotCua hợp lệ: {exc}") from exc
    if ok != "ok":
        raise ServiceError(f"Bản sao lưu {backup_file} bị hỏng ({ok}); không khôi phục.")
    kept = None
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.stem}-truoc-khoi-phuc-{datetime.now():%Y%m%d-%H%M%S}{db_path.suffix}")
        shutil.move(str(db_path), kept)
        for suffix in ("-wal", "-shm"):
            side = Path(str(db_path) + suffix)
            if side.exists():
                shutil.move(str(side), str(kept) + suffix)
    shutil.copy2(backup_file, db_path)
    return kept
