"""Benchmarks of the issue "the event log other devices and a server can replay": the fold's speed and the
file's size per dossier."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.core import Measure, Table, benchmark, time_calls
from bench.counter import commune
from bench.generate import copy_of

PAGE = 1_000  # what one sync pull folds at a time


def _events(path: Path, limit: int | None = None) -> list:
    """The file's dossier events as app.eventlog.Event objects (canonical order), as a pull would bring them."""
    from app.eventlog import event_from_row
    from app.services.database import Database

    db = Database(path)
    try:
        from sqlalchemy import select

        from db.models import Event as EventRow

        with db.reading() as s:
            q = select(EventRow).where(EventRow.stream_type == "dossier").order_by(EventRow.server_seq.is_(None),
                                                                                   EventRow.server_seq,
                                                                                   EventRow.local_seq)
            if limit:
                q = q.limit(limit)
            return [event_from_row(r) for r in s.scalars(q)]
    finally:
        db.close()


def size_notes(path: Path) -> list[str]:
    """Bytes per dossier on disk, and how much of it the event payloads take."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dossiers = con.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        payload = con.execute("SELECT sum(length(CAST(payload AS BLOB))) FROM events").fetchone()[0]
        pages = con.execute("PRAGMA page_count").fetchone()[0] * con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()
    return [f"file: {pages / dossiers / 1024:.2f} KB per dossier ({dossiers:,} dossiers, {events:,} events, "
            f"{events / dossiers:.1f} events per dossier); event payloads {payload / dossiers:,.0f} bytes per "
            f"dossier = {100 * payload / pages:.0f} % of the file"]


@benchmark("fold", issue="event log", needs=("app.eventlog:rebuild", "app.eventlog:ingest"))
def fold(quick: bool) -> Table:
    """Rebuild of a commune's projections and sync-sized pages folded into a fresh device, vs reading the
    same events and parsing their JSON."""
    from app.eventlog import ingest, rebuild
    from app.services.database import Database

    src = commune(quick)
    with tempfile.TemporaryDirectory(dir="/tmp") as tmpdir:
        tmp = Path(tmpdir)
        work = copy_of(src, tmp / "work.sqlite")
        con = sqlite3.connect(str(work))
        n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        con.close()

        def scan() -> None:
            c = sqlite3.connect(str(work))
            for (payload,) in c.execute("SELECT payload FROM events"):
                json.loads(payload)
            c.close()

        base = time_calls(scan, 3)
        db = Database(work)

        def full() -> None:
            with db.transaction() as s:
                rebuild(s)

        app = time_calls(full, 1 if not quick else 3, warmup=0)
        db.close()

        # a fresh device pulling the log: pages of 1,000 events into an empty file, each page one transaction
        events = _events(src, limit=None if quick else 20 * PAGE)
        empty = tmp / "empty.sqlite"
        Database(empty, create=True).close()
        fresh = tmp / "fresh.sqlite"

        def pull() -> None:
            shutil.copy(empty, fresh)
            for suffix in ("-wal", "-shm"):
                Path(f"{fresh}{suffix}").unlink(missing_ok=True)
            target = Database(fresh)
            try:
                for i in range(0, len(events), PAGE):
                    with target.transaction() as s:
                        ingest(s, events[i:i + PAGE])
            finally:
                target.close()

        t = time.perf_counter()
        pull()
        pulled = [time.perf_counter() - t]
        for suffix in ("", "-wal", "-shm"):
            Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    per_event_scan = base and sorted(base)[len(base) // 2] / n_events
    size = "300" if quick else "50,000"
    rebuild_rate = n_events / sorted(app)[len(app) // 2]
    pull_rate = len(events) / pulled[0]
    scaled = [x / n_events * len(events) for x in base]  # the scan, scaled to the pulled events
    return Table(f"fold: the event log of a {size}-dossier commune ({n_events:,} events)", [
        Measure("read every event + json.loads", base, f"{per_event_scan * 1e6:.1f} µs per event"),
        Measure("rebuild (admin rebuild)", app, f"{rebuild_rate:,.0f} events/s: decode, upcast, fold, write"),
        Measure(f"same scan, {len(events):,} events", scaled, "baseline for the pull below"),
        Measure(f"ingest {len(events):,} events in pages of {PAGE:,}", pulled,
                f"{pull_rate:,.0f} events/s into an empty device (a first sync)"),
    ], baseline="read every event + json.loads", notes=size_notes(src) + [f"pid {os.getpid()}"][:0])
