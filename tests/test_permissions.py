"""Files that hold citizens' data are private to the account that runs MotCua (issue 9, point 9):
database, WAL/SHM, high-water and lock files, backups, pre-upgrade copies and logs 0600, folders 0700,
whatever the umask it was started with."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes; Windows uses the folder's ACL")


def _run(*args, home: Path, env=None):
    full = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_HOME=str(home), MOTCUA_FIXED_NOW="2026-11-22T10:00",
                MOTCUA_PASSWORD="mat-khau-quan-tri", MOTCUA_USER="quantri", **(env or {}))
    p = subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, capture_output=True, text=True,
                       env=full, stdin=subprocess.DEVNULL, preexec_fn=lambda: os.umask(0o022))
    assert p.returncode == 0, p.stderr
    return p


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_everything_made_from_a_fresh_setup_is_private(tmp_path):
    home = tmp_path / "home"
    db = home / "du-lieu" / "motcua.sqlite"
    _run("admin", "setup", "--db", str(db), "--agency-code", "000.17.22.H56", "--parent-body", "UBND xã Tân Hưng",
         "--center-name", "Trung tâm Phục vụ hành chính công xã Tân Hưng", "--place", "Tân Hưng", "--slot", "1",
         "--admin-user", "quantri", "--admin-name", "Võ Minh Tâm", home=home)
    _run("receive", "--db", str(db), "--procedure", "2.000815", "--name", "Hồ Văn Nam", "--phone", "0901234567",
         "--received", "2026-11-20T08:00", home=home)
    _run("admin", "backup", "--db", str(db), home=home)
    _run("admin", "backup", "--db", str(db), "--to", str(home / "sao-luu" / "thang11" / "xa.sqlite"), home=home)
    files = [p for p in home.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"motcua.sqlite", "motcua.sqlite-highwater", "motcua.sqlite-lock", "motcua.log"} <= names
    assert any("saoluu" in n for n in names) and "xa.sqlite" in names
    for p in files:
        assert _mode(p) == 0o600, p
    for d in (p for p in home.rglob("*") if p.is_dir()):
        assert _mode(d) == 0o700, d


def test_an_old_world_readable_file_is_made_private_and_its_upgrade_copy_too(tmp_path, monkeypatch):
    import sqlite3

    from alembic import command

    from app.services.database import Database
    from db.engine import alembic_config, make_engine

    path = tmp_path / "cu.sqlite"
    engine = make_engine(path, create=True)
    command.upgrade(alembic_config(engine), "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    os.chmod(path, 0o644)
    db = Database(path)
    assert db.backup_before_upgrade is not None
    assert _mode(path) == 0o600 and _mode(db.backup_before_upgrade) == 0o600
    for side in ("-wal", "-shm", "-highwater", "-lock"):
        p = Path(str(path) + side)
        if p.exists():
            assert _mode(p) == 0o600, p
    db.close()
