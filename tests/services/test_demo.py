"""The demo commune is realistic: a real ward's early / on-time / late shares, every open state, extensions,
intake slips, and its past days closed in the day book, in a file marked complete only at the end."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select

from app.domain.lifecycle import DueState, verdict
from app.services.database import Database
from app.services.daybook import pending_days
from app.services.demo import demo_state, seed_demo
from db.models import Dossier, IntakeSlip


def test_the_demo_looks_like_a_real_ward(tmp_path):
    db = Database(tmp_path / "demo.sqlite", create=True)
    db.clock = lambda: datetime(2026, 11, 16, 2, 5, tzinfo=UTC)  # Monday 09:05: the same demo every run
    steps = []
    try:
        n = seed_demo(db, dossiers=150, progress=lambda done, total, text: steps.append((done, text)))
        assert n == 150 and demo_state(db) == "complete"
        assert steps[0][0] == 0 and any(t.startswith("Chốt sổ ngày") for _d, t in steps)
        with db.reading() as s:
            dossiers = list(s.scalars(select(Dossier)))
            slips = Counter(s.scalars(select(IntakeSlip.kind)))
        verdicts = Counter(verdict(d.result_at, d.original_due_at) for d in dossiers if d.result_at)
        resolved = sum(verdicts.values())
        early, late = verdicts[DueState.EARLY] / resolved, verdicts[DueState.LATE] / resolved
        assert 0.08 <= early <= 0.18 and 0.02 <= late <= 0.09, verdicts  # the ward: 12.4 % and 4.6 %
        statuses = Counter(d.status for d in dossiers)
        assert {"received", "in_progress", "supplement", "result_ready", "returned"} <= set(statuses), statuses
        assert statuses["stopped"] + statuses["cancelled"] >= 1
        assert any(d.extensions for d in dossiers)
        assert slips["guidance"] >= 1
        assert pending_days(db) == []  # an office closes its days: the demo does not open on 40 unclosed ones
    finally:
        db.close()
