"""A real PostgreSQL for the server's tests: a private, throw-away cluster started for the test session.

It uses the PostgreSQL programs the project's installer puts on the machine (Debian's `postgresql`), in a
temporary folder, listening only on a Unix socket there; run as the `postgres` account when the tests run
as root (CI does), since PostgreSQL refuses to run as root. `MOTCUA_TEST_PG` (a SQLAlchemy URL to an
account allowed to create databases) uses an existing server instead. Each test gets a new database.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class Cluster:
    def __init__(self, folder: Path | None = None):
        # not under pytest's private temporary folders: the postgres account must be able to reach it
        self.folder = folder or Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        self.port = 55432 + os.getpid() % 1000
        self.as_root = os.geteuid() == 0
        self.started = False

    def _run(self, *cmd: str) -> None:
        if self.as_root:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL is not installed (Debian package `postgresql`): "
                               "run `bash packaging/install.sh --dev`.")
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_root:  # the postgres account must reach and own it
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        self._run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8")
        self._run(pg_ctl, "-D", str(data), "-w", "-l", str(self.folder / "log"), "-o",
                  f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off -c max_connections=200",
                  "start")
        self.started = True

    def stop(self) -> None:
        if self.started:
            self._run(_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@/postgres?host={self.folder}&port={self.port}"


def new_database(admin_url: str) -> str:
    """A fresh, empty database on the server of `admin_url`; returns its SQLAlchemy URL."""
    name = f"motcua_{uuid.uuid4().hex[:12]}"
    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin_url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
