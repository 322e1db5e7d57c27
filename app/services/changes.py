"""What changed in the database since a window last looked (any process: a kiosk sharing the file, the
sync worker, another window). Cheap: one indexed query; windows poll it."""

from __future__ import annotations

from app.eventlog import ChangeSet, changes_since, latest_change
from app.services.database import Database

__all__ = ["ChangeSet", "changes", "last_change"]


def last_change(db: Database) -> int:
    with db.reading() as s:
        return latest_change(s)


def changes(db: Database, since: int) -> ChangeSet:
    with db.reading() as s:
        return changes_since(s, since)
