"""The benchmark kit still works: the generator writes real data, and `python -m bench --quick` prints tables.

No timing is asserted here: benchmarks measure, they never pass or fail on speed.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import bench.generate as gen
from app.services.database import Database
from app.services.maintenance import check_database
from bench.core import all_benchmarks

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench-cache")
    old = gen.CACHE_DIR
    gen.CACHE_DIR = path
    try:
        gen.cached(dossiers=300, quiet=True)  # the file `--quick` uses, made once for both tests
    finally:
        gen.CACHE_DIR = old
    return path


def _commune(cache_dir: Path) -> Path:
    return cache_dir / gen.cache_path(dossiers=300).name


def test_generated_commune_is_what_the_services_would_have_written(cache_dir):
    path = _commune(cache_dir)
    db = Database(path)
    try:
        report = check_database(db)
    finally:
        db.close()
    assert report.integrity == "ok"
    assert report.sequence_gaps == []
    assert report.projections_match_log  # the rows equal a fresh fold of the log by the app's own code

    con = sqlite3.connect(path)
    try:
        n, codes = con.execute("SELECT count(*), count(DISTINCT code) FROM dossiers").fetchone()
        assert n == 300 and codes == 300
        assert con.execute("SELECT count(*) FROM events WHERE type = 'dossier.received'").fetchone()[0] == 300
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        statuses = dict(con.execute("SELECT status, count(*) FROM dossiers GROUP BY status").fetchall())
        assert statuses["returned"] > 200 and len(statuses) >= 4, statuses
        channels = dict(con.execute("SELECT channel, count(*) FROM dossiers GROUP BY channel").fetchall())
        assert channels["direct"] > channels.get("online", 0) > 0
        assert len(con.execute("SELECT DISTINCT device_id FROM dossiers").fetchall()) == 2
        names = [r[0] for r in con.execute("SELECT applicant_name FROM dossiers")]
        accented = [x for x in names if unicodedata.normalize("NFD", x) != x]
        assert len(accented) > 250, names[:5]
        assert all(unicodedata.is_normalized("NFC", x) for x in names)
        # The search index follows the rows (the schema's triggers ran during the bulk load).
        fts = con.execute("SELECT count(*) FROM dossier_fts WHERE dossier_fts MATCH 'nguyen'").fetchone()[0]
        assert fts == con.execute("SELECT count(*) FROM dossiers WHERE search_key LIKE '%nguyen%'").fetchone()[0]
        # The device counters continue where the data stops, so the counter can keep receiving.
        me = con.execute("SELECT device_id FROM local_devices WHERE kind = 'counter'").fetchone()[0]
        seq = con.execute("SELECT value FROM counters WHERE device_id = ? AND name = 'event_seq'", (me,)).fetchone()[0]
        assert seq == con.execute("SELECT max(device_seq) FROM events WHERE device_id = ?", (me,)).fetchone()[0]
    finally:
        con.close()


def test_quick_benchmarks_print_their_tables(cache_dir):
    runnable = [name for name, b in all_benchmarks().items() if not b.missing()]
    env = dict(os.environ, MOTCUA_BENCH_CACHE=str(cache_dir), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "bench", "--quick", *runnable], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for name in runnable:
        assert f"== {name}: " in out.stdout, out.stdout
    assert out.stdout.count("p95 ms") == len(runnable)
    assert out.stdout.count("ratio = median / median of") == len(runnable)
