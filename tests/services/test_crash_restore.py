"""Crash and restore (issue 9, done-means): a counter process keeps receiving and is killed again and
again, while another process backs up and tries to restore; restores happen between kills. Afterwards
every code a counter printed is in the live file's history, and no code or book number is issued twice.

CI runs MOTCUA_CRASH_ROUNDS=6 rounds (a few seconds each); set it higher for a long run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from app.services.database import Database
from app.services.errors import ServiceError
from app.services.maintenance import backup, check_database, restore
from tests.conftest import make_office

ROOT = Path(__file__).resolve().parents[2]


class CounterProcess:
    def __init__(self, path: Path, seed: int):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.services.crash_counter", str(path), str(seed)],
                                     cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.codes: list[tuple[str, str, int]] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            parts = line.split()
            if parts == ["ready"]:
                self.ready.set()
            elif len(parts) == 3:
                self.codes.append((parts[0], parts[1], int(parts[2])))

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.reader.join(5)


def _history(path: Path) -> list[tuple[str, str, int]]:
    con = sqlite3.connect(path)
    try:
        return [(json.loads(p)["code"], json.loads(p)["volume"], json.loads(p)["number"]) for (p,) in
                con.execute("SELECT payload FROM events WHERE type = 'dossier.received' ORDER BY local_seq")]
    finally:
        con.close()


@pytest.mark.slow
def test_kills_backups_and_restores_never_lose_or_reissue_a_code(tmp_path, fixed_now):
    rounds = int(os.environ.get("MOTCUA_CRASH_ROUNDS", "6"))
    rng = random.Random(9)
    path = tmp_path / "quay.sqlite"
    make_office(path, now=fixed_now).close()
    issued: list[tuple[str, str, int]] = []
    backups: list[Path] = []
    stats = Counter()
    for i in range(rounds):
        counter = CounterProcess(path, seed=i)
        assert counter.ready.wait(30), counter.proc.stderr.read() if counter.proc.poll() is not None else "no start"
        deadline = time.monotonic() + 10
        while len(counter.codes) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        db = Database(path)  # another process backs up while the counter writes
        try:
            backups.append(backup(db, tmp_path / f"saoluu-{i}.sqlite"))
        finally:
            db.close()
        with pytest.raises(ServiceError) as refused:  # and may not restore under it
            restore(rng.choice(backups), path)
        assert "đang được mở" in refused.value.message
        stats["restore refused while running"] += 1
        time.sleep(rng.uniform(0.05, 0.6))
        counter.kill()
        stats["kills"] += 1
        issued += counter.codes
        if i % 2 == 1:  # the counter is down: restore an older backup
            result = restore(rng.choice(backups[:-1]), path)
            stats["restores"] += 1
            stats["events brought back from the kept file"] += result.recovered
            assert not result.recovery_problem
    history = _history(path)
    codes = [c for c, _v, _n in history]
    books = [(v, n) for _c, v, n in history]
    missing = {c for c, _v, _n in issued} - set(codes)
    assert not missing, f"issued but missing from the live file: {sorted(missing)[:5]}"
    assert len(codes) == len(set(codes)), "a code was issued twice"
    assert len(books) == len(set(books)), "a book number was issued twice"
    db = Database(path)
    try:
        report = check_database(db)
    finally:
        db.close()
    assert report.ok, report
    stats["dossiers printed by counters"] = len(issued)
    stats["dossiers in the live file"] = len(codes)
    print("\ncrash-restore:", dict(stats))
