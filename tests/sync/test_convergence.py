"""Convergence under a faulty network (hypothesis, stateful): several counters work offline at random, sync
through a transport that drops requests, drops answers after the server committed, delivers twice, resends
an old batch late, answers 503, crashes the device in the middle of folding a pulled page; the server
restarts and is even restored from an older backup. After the network settles, every replica is identical
and no event is lost or applied twice.

The server is the real FastAPI app on a SQLite file, reached in-process through Starlette's test client; the
devices are real SQLite files with the real client. Files are copied from templates made once, so an example
costs milliseconds to set up. CI runs a bounded number of examples; HYPOTHESIS_PROFILE=thorough runs more.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import httpx2
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select
from starlette.testclient import TestClient

from app.services import lifecycle as lc
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from app.sync import client as sync
from app.sync.server import service
from app.sync.server.app import create_app
from app.sync.server.store import ServerDB
from db.models import Dossier, DossierStep
from db.models import Event as EventRow
from tests.sync.helpers import PASSWORD, Province

A, B = "000.17.22.H56", "000.17.22.H57"
DEVICES = [(A, 1), (A, 2), (B, 1)]
FAULTS = ["none", "drop_request", "drop_response", "duplicate", "stale_batch", "unavailable", "crash_in_page"]
ACTIONS = ["transfer", "back", "result", "return", "cancel", "supplement", "supplemented"]
EXAMPLES = int(os.environ.get("MOTCUA_CONVERGENCE_EXAMPLES", "12" if os.environ.get("CI") else "20"))


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """A server with two communes and three enrolled, synced counters, made once."""
    folder = tmp_path_factory.mktemp("templates")
    province = Province(str(folder / "server.sqlite"), folder)
    province.commune(A, "xã Tân Hưng")
    province.commune(B, "xã Tân An")
    for agency, slot in DEVICES:
        province.sync(province.device(agency, slot))
    paths = [Path(db.path) for db in province.devices]
    province.close()
    for path in [folder / "server.sqlite", *paths]:
        con = sqlite3.connect(path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    return folder / "server.sqlite", paths


class FaultyNetwork:
    """Wraps the server's test client: one armed fault hits one request of the next round."""

    def __init__(self, machine):
        self.machine = machine
        self.fault = "none"
        self.hit_at = 0
        self.calls = 0
        self.last_push: dict | None = None

    def arm(self, fault: str, hit_at: int) -> None:
        self.fault, self.hit_at, self.calls = fault, hit_at, 0

    def factory(self, base_url: str, token: str):
        net = self

        class Client(TestClient):
            def request(self, method, url, **kw):
                net.calls += 1
                fault = net.fault if net.calls == net.hit_at else "none"
                if fault == "drop_request":
                    raise httpx2.ConnectError("dropped before the server")
                if fault == "unavailable":
                    return httpx2.Response(503, json={"detail": "Máy chủ đang bảo trì."}, request=None)
                if fault == "crash_in_page" and "pull" in str(url):
                    net.machine.crash_next_page = True
                response = super().request(method, url, **kw)
                if fault == "duplicate":
                    response = super().request(method, url, **kw)
                if "push" in str(url):
                    if fault == "stale_batch" and net.last_push is not None:
                        super().request("POST", "/api/v1/sync/push", json=net.last_push)
                    net.last_push = kw.get("json")
                if fault == "drop_response":
                    raise httpx2.ReadTimeout("the answer was lost after the server committed")
                return response

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return Client(self.machine.app, base_url=base_url, headers=headers, raise_server_exceptions=False)


class Convergence(RuleBasedStateMachine):
    dossiers = Bundle("dossiers")

    def __init__(self):
        super().__init__()
        server_template, device_templates = TEMPLATES
        self.dir = Path(tempfile.mkdtemp(prefix="motcua-conv-"))
        self.server_path = self.dir / "server.sqlite"
        shutil.copy(server_template, self.server_path)
        self.server = ServerDB(str(self.server_path))
        self.app = create_app(self.server)
        self.net = FaultyNetwork(self)
        self.crash_next_page = False
        self.devices: list[Database] = []
        for i, path in enumerate(device_templates):
            copy = self.dir / f"device{i}.sqlite"
            shutil.copy(path, copy)
            self.devices.append(Database(copy))
        self.clerks = [login(db, username="quantri", password=PASSWORD) for db in self.devices]
        self.snapshot: Path | None = None
        self.n = 0

    def teardown(self):
        try:
            self.quiesce()
            self.check_converged()
        finally:
            for db in self.devices:
                db.close()
            self.server.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- rules --------------------------------------------------------------------------------------------------
    @rule(target=dossiers, d=st.integers(0, len(DEVICES) - 1), proc=st.sampled_from(["1.004873", "2.000815"]))
    def receive(self, d, proc):
        self.n += 1
        r = receive_dossier(self.devices[d], form=ReceptionForm(
            procedure_code=proc, applicant_name=f"Nguyễn Văn {chr(65 + self.n % 26)}", phone="0912345678"),
            clerk=self.clerks[d])
        return r.code

    @rule(d=st.integers(0, len(DEVICES) - 1), code=dossiers, action=st.sampled_from(ACTIONS))
    def act(self, d, code, action):
        db, clerk = self.devices[d], self.clerks[d]
        try:
            if action == "transfer":
                lc.transfer(db, code, actor=clerk, to_name="Lê Văn Đức")
            elif action == "back":
                lc.hand_back(db, code, actor=clerk)
            elif action == "result":
                lc.result_ready(db, code, actor=clerk)
            elif action == "return":
                lc.return_result(db, code, actor=clerk)
            elif action == "cancel":
                lc.cancel(db, code, actor=clerk, reason="Nhập trùng")
            elif action == "supplement":
                lc.request_supplement(db, code, actor=clerk, items=[{"name": "Bản sao CCCD"}], reason="Thiếu")
            elif action == "supplemented":
                lc.receive_supplement(db, code, actor=clerk)
        except ServiceError:
            pass  # not known on this device yet, or not allowed in its state: nothing written

    @rule(d=st.integers(0, len(DEVICES) - 1), fault=st.sampled_from(FAULTS), hit_at=st.integers(1, 6),
          page=st.integers(1, 7))
    def sync(self, d, fault, hit_at, page):
        self.net.arm(fault, hit_at)
        original = sync.ingest
        machine = self

        def ingest_then_maybe_crash(s, events, **kw):
            out = original(s, events, **kw)
            if machine.crash_next_page:
                machine.crash_next_page = False
                raise RuntimeError("power cut while folding a pulled page")
            return out

        sync.ingest = ingest_then_maybe_crash
        try:
            sync.SyncClient(self.devices[d], client=self.net.factory, batch=3, page=page).sync_once()
        except (sync.SyncError, RuntimeError):
            pass
        finally:
            sync.ingest = original
            self.net.arm("none", 0)
            self.crash_next_page = False

    @rule()
    def server_restart(self):
        self.server.close()
        self.server = ServerDB(str(self.server_path))
        self.app = create_app(self.server)

    @rule()
    def take_backup(self):
        self.snapshot = self.dir / "backup.sqlite"
        src, dst = sqlite3.connect(self.server_path), sqlite3.connect(self.snapshot)
        src.backup(dst)
        src.close()
        dst.close()

    @precondition(lambda self: self.snapshot is not None)
    @rule()
    def restore_backup(self):
        self.server.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.server_path}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.snapshot, self.server_path)
        self.server = ServerDB(str(self.server_path))
        service.rotate_epoch(self.server)
        self.app = create_app(self.server)

    # --- invariants -----------------------------------------------------------------------------------------------
    @invariant()
    def each_devices_sequence_is_gapless_on_the_server(self):
        with self.server.transaction() as s:
            for device_id, lo, hi, n in s.execute(select(EventRow.device_id, func.min(EventRow.device_seq),
                                                         func.max(EventRow.device_seq), func.count())
                                                  .group_by(EventRow.device_id)):
                assert (lo, hi) == (1, n), device_id

    # --- after the network settles ------------------------------------------------------------------------------
    def quiesce(self):
        self.net.arm("none", 0)
        for _ in range(6):
            moved = 0
            for db in self.devices:
                report = sync.SyncClient(db, client=self.net.factory, batch=50, page=100).sync_once()
                moved += report.pushed + report.pulled
            if moved == 0:
                break
        service.catch_up(self.server)

    def check_converged(self):
        with self.server.transaction() as s:
            on_server = {r.event_id: (r.device_id, r.device_seq) for r in s.execute(
                select(EventRow.event_id, EventRow.device_id, EventRow.device_seq))}
        for db in self.devices:
            with db.reading() as s:
                mine = s.execute(select(EventRow.event_id, EventRow.device_id, EventRow.device_seq)
                                 .where(EventRow.device_id == db.device.device_id)).all()
            for event_id, device_id, seq in mine:
                assert on_server.get(event_id) == (device_id, seq), "a device's event is missing on the server"
            assert sync.unsent_count(db) == 0
        for agency in (A, B):
            server_rows = rows_of(self.server, agency)
            for db, (dev_agency, _slot) in zip(self.devices, DEVICES, strict=True):
                if dev_agency == agency:
                    assert rows_of(db, agency) == server_rows
                else:
                    assert rows_of(db, agency) == ([], [])
        assert service.check(self.server).ok


def rows_of(db, agency: str):
    cols = [c for c in Dossier.__table__.columns]
    step_cols = [c for c in DossierStep.__table__.columns]

    def read(s):
        d = [tuple(r) for r in s.execute(select(*cols).where(Dossier.code.like(f"{agency}%")).order_by(Dossier.id))]
        ids = [r[0] for r in d]
        steps = [tuple(r) for r in s.execute(select(*step_cols).where(DossierStep.dossier_id.in_(ids))
                                             .order_by(DossierStep.event_id))] if ids else []
        return d, steps

    if isinstance(db, Database):
        with db.reading() as s:
            return read(s)
    with db.transaction() as s:
        return read(s)


TEMPLATES = None


@pytest.mark.slow
def test_replicas_converge_whatever_the_network_does(templates):
    global TEMPLATES
    TEMPLATES = templates
    runner = Convergence.TestCase
    runner.settings = settings(max_examples=EXAMPLES, stateful_step_count=25, deadline=None,
                               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    runner("runTest").runTest()
