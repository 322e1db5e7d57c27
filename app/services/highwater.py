"""The highest number ever issued by each allocation counter, kept outside the database file.

A restore from an older backup rolls the file's counters back; receipts already printed carry the
later numbers. This store (`<file>-highwater`, a tiny SQLite file beside the database) remembers the
highest value of every counter (event sequence, daily code numbers, book numbers), so allocation
continues from max(file, high-water) and never issues a code or a book number twice.

It is raised right after each commit (a kill before the commit then leaves no gap in the book), and
from the database's own counters whenever a file is opened or moved aside by a restore, which covers a
kill between the commit and this write. The store is merged by max, so concurrent writers (counter
and kiosk on one file) cannot lower it.

Keyed by device and counter (`key()`). Used by `app.eventlog.next_counter` (through a hook the session
carries, `next_value`) and `Database.transaction` (`commit_pending`).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

SESSION_KEY = "highwater"
_PENDING = "highwater_pending"
_DATED = re.compile(r":(\d{8})$")
KEEP_DAYS = 400  # daily code counters older than this can no longer be allocated (back-entry is 60 days)


def key(device_id: str, name: str) -> str:
    """A device's counter in the store: a kiosk sharing the counter's file has its own sequence."""
    return f"{device_id}/{name}"


def store_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-highwater")


class HighWater:
    """The high-water store of one database file."""

    def __init__(self, db_path: Path | str):
        self.path = store_path(Path(db_path))
        self._lock = threading.Lock()
        self._con: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._con is None:
            con = sqlite3.connect(str(self.path), timeout=10, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            # No fsync of its own: the numbers it records are already durable in the database file (committed
            # with synchronous=FULL just before), and every open raises this store from the file's counters.
            # A power cut can only lose what the file also holds; what this store adds (numbers beyond an
            # older file put back by a restore) reaches the disk with the next checkpoint.
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("CREATE TABLE IF NOT EXISTS highwater (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            self._con = con
            from app.services.paths import make_private

            for suffix in ("", "-wal", "-shm"):
                make_private(str(self.path) + suffix)
        return self._con

    def floor(self, name: str) -> int:
        """The highest value of `name` ever issued (0 if never)."""
        with self._lock:
            row = self._conn().execute("SELECT value FROM highwater WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def values(self) -> dict[str, int]:
        with self._lock:
            return {n: int(v) for n, v in self._conn().execute("SELECT name, value FROM highwater")}

    def raise_to(self, values: Mapping[str, int]) -> None:
        """Raise each counter to at least the given value (never lowers), durably."""
        if not values:
            return
        with self._lock:
            con = self._conn()
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(
                    "INSERT INTO highwater(name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
                    [(n, int(v)) for n, v in values.items()])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def prune(self, today: date) -> None:
        """Forget daily counters too old to be allocated again (keeps the store small)."""
        limit = (today - timedelta(days=KEEP_DAYS)).strftime("%Y%m%d")
        old = [n for n in self.values() if (m := _DATED.search(n)) and m.group(1) < limit]
        if old:
            with self._lock:
                self._conn().executemany("DELETE FROM highwater WHERE name = ?", [(n,) for n in old])

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


def next_value(s: Session, name: str, current: int) -> int:
    """The next number of counter `name` whose value in the file is `current`: one above the file's value
    and above the highest value ever issued. Remembered for `commit_pending`."""
    hw: HighWater | None = s.info.get(SESSION_KEY)
    if hw is None:
        return current + 1
    value = max(current, hw.floor(name)) + 1
    s.info.setdefault(_PENDING, {})[name] = value
    return value


def peek(s: Session, name: str, current: int) -> int:
    """The highest number of `name` issued so far (the file's `current` or the high-water), taking none."""
    hw: HighWater | None = s.info.get(SESSION_KEY)
    return max(current, hw.floor(name)) if hw is not None else current


def commit_pending(s: Session) -> None:
    """After the commit: record the numbers the transaction issued."""
    pending = s.info.pop(_PENDING, None)
    hw: HighWater | None = s.info.get(SESSION_KEY)
    if pending and hw is not None:
        hw.raise_to(pending)


def discard_pending(s: Session) -> None:
    s.info.pop(_PENDING, None)
