"""Several server processes on one PostgreSQL database give the results one would: two `motcua server run`
processes (one with two workers, so three processes in all) take pushes from eight counters of two communes at
once, in small batches sent to either server, while a ninth device keeps pulling. Afterwards: server_seq is
gapless and follows commit order (each push's events are one unbroken run of numbers), every device's events
are in its own order, the projections equal a fresh fold (`server check`), every device folds the same dossiers
as the server, and the device that pulled all along missed nothing (no late commit was skipped by its cursor).
"""

from __future__ import annotations

import random
import threading

import httpx2
import psycopg
import pytest

from app.services.database import Database
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from app.sync import client as sync
from app.sync.server import service
from app.sync.server.store import ServerDB
from tests.sync.test_end_to_end import PASSWORD, Server, dossier_rows, motcua

A, B = "000.17.22.H56", "000.17.22.H57"
COUNTERS = [(A, 1), (A, 2), (A, 3), (A, 4), (B, 1), (B, 2), (B, 3), (B, 4)]
DOSSIERS = 6  # per counter
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Võ Thị Giang"]


@pytest.fixture
def province(pg_url, tmp_path):
    motcua("server", "init", "--db", pg_url)
    for agency, name in ((A, "xã Tân Hưng"), (B, "xã Tân An")):
        motcua("server", "add-commune", "--db", pg_url, "--agency-code", agency, "--name", name,
               "--admin-user", "quantri", "--admin-name", "Võ Minh Tâm")
    one = Server(pg_url, 2, tmp_path / "one.log").start()
    two = Server(pg_url, 1, tmp_path / "two.log").start()
    yield pg_url, one, two
    one.stop()
    two.stop()


def enrol(db_url: str, server: Server, path, agency: str, slot: int) -> Database:
    sdb = ServerDB(db_url)
    try:
        code = service.enrol_code(sdb, agency_code=agency, kind="counter", slot=slot)
    finally:
        sdb.close()
    db = Database(path, create=True)
    sync.enroll(db, server_url=server.url, code=code)
    return db


def test_three_processes_on_one_database_number_in_commit_order_and_skip_nothing(province, tmp_path):
    db_url, one, two = province
    servers = [one, two]
    devices = [enrol(db_url, servers[i % 2], tmp_path / f"{agency}-{slot}.sqlite", agency, slot)
               for i, (agency, slot) in enumerate(COUNTERS)]
    watcher = enrol(db_url, two, tmp_path / "watcher.sqlite", A, 9)
    try:
        for db in devices + [watcher]:
            sync.SyncClient(db).sync_once()
        for db in devices:
            clerk = login(db, username="quantri", password=PASSWORD)
            for i in range(DOSSIERS):
                receive_dossier(db, form=ReceptionForm(procedure_code="1.004873", applicant_name=NAMES[i],
                                                       phone="0912345678"), clerk=clerk)

        # every counter pushes in batches of 2 to a server picked at random for each request, all at once
        errors: list[BaseException] = []
        done = threading.Event()

        def factory_for(seed: int):
            rng = random.Random(seed)

            def factory(base_url: str, token: str) -> httpx2.Client:
                server = rng.choice(servers)
                return httpx2.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

            return factory

        def push(db: Database, seed: int) -> None:
            try:
                for _ in range(3):  # a round may stop on a transient answer; the next goes on from there
                    try:
                        if sync.SyncClient(db, client=factory_for(seed), batch=2, page=7).sync_once().clean:
                            return
                    except sync.SyncError:
                        continue
                raise AssertionError(f"{db.path.name} did not finish")
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        seen: list[str] = []

        def watch() -> None:
            cursor = ""
            with httpx2.Client(base_url=two.url, headers={"Authorization": f"Bearer {token_of(watcher)}"},
                               timeout=60) as http:
                while True:
                    last_round = done.is_set()
                    page = http.get("/api/v1/sync/pull", params={"cursor": cursor, "limit": 5}).json()
                    seen.extend(e["event_id"] for e in page["events"])
                    cursor = page["next_cursor"]
                    if last_round and not page["has_more"]:
                        return

        threads = [threading.Thread(target=push, args=(db, i)) for i, db in enumerate(devices)]
        poller = threading.Thread(target=watch)
        poller.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        done.set()
        poller.join(timeout=120)
        assert not errors, errors

        with db_url_connection(db_url) as con:
            rows = con.execute("SELECT server_seq, device_id, device_seq, xmin::text::bigint, event_id, commune "
                               "FROM events ORDER BY server_seq").fetchall()
            head = con.execute("SELECT last_seq FROM srv_head").fetchone()[0]
        seqs = [r[0] for r in rows]
        assert seqs == list(range(1, len(rows) + 1)) and head == len(rows)  # gapless
        runs: dict[int, list[int]] = {}
        for seq, _, _, xid, _, _ in rows:
            runs.setdefault(xid, []).append(seq)
        for xid, numbers in runs.items():  # one push, one unbroken run: numbers were handed out in commit order
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), (xid, numbers)
        by_device: dict[str, list[int]] = {}
        for _, device_id, device_seq, _, _, _ in rows:
            by_device.setdefault(device_id, []).append(device_seq)
        for device_id, order in by_device.items():
            assert order == sorted(order) and order == list(range(1, len(order) + 1)), device_id
        pushes = [x for x in runs if len(runs[x]) <= 2]
        assert len(pushes) >= len(COUNTERS) * DOSSIERS // 2  # many small transactions really interleaved

        # the device that pulled all along, a page of five at a time, got every event of its commune
        assert set(seen) == {r[4] for r in rows if r[5] == A} and len(seen) == len(set(seen))

        assert motcua("server", "check", "--db", db_url).returncode == 0
        for db in devices:
            sync.SyncClient(db).sync_once()
        for agency in (A, B):
            server_rows = dossier_rows(db_url, agency)
            assert len(server_rows) == 4 * DOSSIERS
            for db in devices:
                if db.device.agency_code == agency:
                    assert dossier_rows(db, agency) == server_rows
    finally:
        for db in devices + [watcher]:
            db.close()


def db_url_connection(url: str):
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def token_of(db: Database) -> str:
    from db.models import SyncState

    with db.reading() as s:
        return s.get(SyncState, db.device.device_id).token
