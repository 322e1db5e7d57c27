"""What changed in the file since a window last looked: the change journal every write adds to.

Any process writing to the file (the counter, a kiosk sharing it, the sync worker folding pulled events)
notes the streams it changed in the same transaction; an open window remembers the last journal number
it has seen and asks what changed since, so it refreshes only when and what it must.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.eventlog import registry
from db.models import Change

# the kinds of data a window can care about
DOSSIERS, REFERENCE = "dossiers", "reference"


@dataclass(frozen=True)
class ChangeSet:
    last: int  # journal number to ask from next time
    dossier_ids: frozenset[str] = field(default_factory=frozenset)
    kinds: frozenset[str] = field(default_factory=frozenset)  # stream types that changed
    everything: bool = False  # the journal was trimmed past `since`: refresh all

    @property
    def empty(self) -> bool:
        return not (self.dossier_ids or self.kinds or self.everything)

    def touches(self, stream_type: str) -> bool:
        return self.everything or stream_type in self.kinds


def latest_change(s: Session) -> int:
    return s.execute(select(func.max(Change.seq))).scalar() or 0


def changes_since(s: Session, since: int) -> ChangeSet:
    first = s.execute(select(func.min(Change.seq))).scalar()
    rows = s.execute(select(Change.seq, Change.stream_type, Change.stream_id).where(Change.seq > since)).all()
    if not rows:
        return ChangeSet(since)
    last = max(r.seq for r in rows)
    trimmed = first is not None and since + 1 < first and since > 0
    return ChangeSet(last, frozenset(r.stream_id for r in rows if r.stream_type == registry.DOSSIER),
                     frozenset(r.stream_type for r in rows), trimmed)
