"""End to end, as a province runs it: real `motcua server run` processes (two of them, one with two workers)
on loopback and one real PostgreSQL database; two counters and a kiosk of one commune and a counter of
another, each its own file, driven by the `motcua` command as scripts and IT staff drive it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from app.domain.rating import levels_of
from app.services.database import Database
from app.services.dossiers import get_dossier
from app.services.errors import NotFound
from app.services.ratings import invite, new_rating_id, open_invitation, rating_status, record_rating
from app.services.users import login
from app.sync.client import SyncClient

ROOT = Path(__file__).resolve().parents[2]
A, B = "000.17.22.H56", "000.17.22.H57"
PASSWORD = "matkhau123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def motcua(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, MOTCUA_ADMIN_PASSWORD=PASSWORD, MOTCUA_USER="quantri", MOTCUA_PASSWORD=PASSWORD,
               QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    if check and out.returncode != 0:
        raise AssertionError(f"motcua {' '.join(args)} → {out.returncode}\n{out.stdout}\n{out.stderr}")
    return out


class Server:
    def __init__(self, db_url: str, workers: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, "-m", "ui.cli", "server", "run", "--db", db_url, "--port", str(self.port),
                     "--workers", str(workers)]
        self.log = log
        self.proc = None

    def start(self) -> Server:
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=open(self.log, "a"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if httpx2.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx2.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(timeout=20)
            self.proc = None


@pytest.fixture
def servers(pg_url, tmp_path):
    motcua("server", "init", "--db", pg_url)
    motcua("server", "add-commune", "--db", pg_url, "--agency-code", A, "--name", "xã Tân Hưng",
           "--admin-user", "quantri", "--admin-name", "Võ Minh Tâm")
    motcua("server", "add-commune", "--db", pg_url, "--agency-code", B, "--name", "xã Tân An",
           "--admin-user", "quantri", "--admin-name", "Lê Thị Hoa")
    one = Server(pg_url, 2, tmp_path / "server1.log")
    two = Server(pg_url, 1, tmp_path / "server2.log")
    yield pg_url, one, two
    one.stop()
    two.stop()


def enrol(pg_url: str, server: Server, path: Path, agency: str, kind: str, slot: int) -> None:
    code = motcua("server", "enrol-code", "--db", pg_url, "--agency-code", agency, "--kind", kind,
                  "--slot", str(slot)).stdout.strip().splitlines()[-1]
    motcua("admin", "enroll", "--db", str(path), "--server", server.url, "--code", code, "--kind", kind)


def dossier_rows(db_or_url, code_prefix: str) -> list[tuple]:
    """The dossier projection of a commune, as comparable tuples (same columns on a device and the server)."""
    from sqlalchemy import select

    from db.models import Dossier

    cols = [c for c in Dossier.__table__.columns]
    if isinstance(db_or_url, Database):
        with db_or_url.reading() as s:
            rows = s.execute(select(*cols).where(Dossier.code.like(f"{code_prefix}%")).order_by(Dossier.id)).all()
    else:
        from app.sync.server.store import ServerDB

        sdb = ServerDB(db_or_url)
        with sdb.transaction() as s:
            rows = s.execute(select(*cols).where(Dossier.code.like(f"{code_prefix}%")).order_by(Dossier.id)).all()
        sdb.close()
    return [tuple(r) for r in rows]


def test_a_province_of_two_communes_syncs_through_real_servers_on_postgresql(servers, tmp_path):
    pg_url, one, two = servers
    one.start()
    two.start()
    files = {"a1": tmp_path / "a-quay1.sqlite", "a2": tmp_path / "a-quay2.sqlite", "ak": tmp_path / "a-kiosk.sqlite",
             "b1": tmp_path / "b-quay1.sqlite"}
    enrol(pg_url, one, files["a1"], A, "counter", 1)
    enrol(pg_url, two, files["a2"], A, "counter", 2)
    enrol(pg_url, one, files["ak"], A, "kiosk", 1)
    enrol(pg_url, two, files["b1"], B, "counter", 1)
    one.stop()
    two.stop()

    # the network is down: counter A1 receives a dossier anyway, and a sync says so and keeps it
    got = json.loads(motcua("receive", "--db", str(files["a1"]), "--procedure", "1.004873", "--name",
                            "Phạm Thị Bích Ngọc", "--phone", "0912345678", "--id", "079190012345", "--address",
                            "Số 5, ấp Tân Lập", "--json").stdout)
    code = got["code"]
    down = motcua("sync", "--db", str(files["a1"]), check=False)
    assert down.returncode != 0 and "Không kết nối được máy chủ tỉnh" in down.stderr and "1 sự kiện chờ gửi" in down.stderr

    one.start()
    two.start()
    assert json.loads(motcua("sync", "--db", str(files["a1"]), "--json").stdout)["unsent"] == 0
    motcua("sync", "--db", str(files["a2"]))
    for action, extra in (("transfer", ["--to", "Lê Văn Đức", "--unit", "Tư pháp - Hộ tịch"]), ("result-ready", []),
                          ("return", [])):
        motcua("dossier", action, code, "--db", str(files["a2"]), *extra)
    motcua("sync", "--db", str(files["a2"]))
    motcua("sync", "--db", str(files["a1"]))
    motcua("sync", "--db", str(files["b1"]))
    kiosk_round = json.loads(motcua("sync", "--db", str(files["ak"]), "--json").stdout)
    assert kiosk_round["ok"]

    a1, a2, b1 = Database(files["a1"]), Database(files["a2"]), Database(files["b1"])
    kiosk = Database(files["ak"], device_kind="kiosk")
    try:
        assert get_dossier(a1, code).status == "returned"
        assert [st.kind for st in get_dossier(a1, code).steps] == ["received", "transferred", "result_ready",
                                                                  "returned"]
        with pytest.raises(NotFound):
            get_dossier(b1, code)
        with pytest.raises(NotFound):
            get_dossier(kiosk, code)  # a kiosk holds no dossier and no citizen's data
        assert motcua("server", "check", "--db", pg_url).returncode == 0
        server_rows = dossier_rows(pg_url, A)
        assert server_rows and server_rows == dossier_rows(a1, A) == dossier_rows(a2, A)
        assert dossier_rows(pg_url, B) == dossier_rows(b1, B) == []

        # "Mời đánh giá" at counter 1: the invitation reaches its kiosk (which has its own file and no link
        # to the counter) through the server, and the citizen's rating comes back the same way
        invite(a1, code, clerk=login(a1, username="quantri", password=PASSWORD))
        assert SyncClient(a1).sync_once().clean and SyncClient(kiosk).sync_once().clean
        target = open_invitation(kiosk, 1)
        assert target is not None and target.code == code
        record_rating(kiosk, target, levels_of(3)[0], rating_id=new_rating_id(), scale=3)
        assert SyncClient(kiosk).sync_once().clean and SyncClient(a1).sync_once().clean
        assert rating_status(a1, code).rated_at is not None
        assert open_invitation(kiosk, 1) is None
    finally:
        for db in (a1, a2, b1, kiosk):
            db.close()

    page = httpx2.get(f"{two.url}/tra-cuu/{code}")
    assert page.status_code == 200 and "Đã trả kết quả" in page.text and code in page.text
    for personal in ("Phạm Thị Bích Ngọc", "Ngọc", "0912345678", "079190012345", "ấp Tân Lập"):
        assert personal not in page.text
