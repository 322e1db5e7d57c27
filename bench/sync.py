"""Benchmarks of the province server (issue 7), on a real PostgreSQL with real `motcua server run` processes
(uvicorn, 2 workers), driven from this process by a small asyncio HTTP/1.1 client (pre-built request bytes,
keep-alive connections) so that the load generator takes little of the two cores it shares with the server.

- ingest: events/s of devices pushing their logs at once, vs a raw psycopg `executemany` of the same rows into
  the same table; what the head row's lock (every push of a province passes it one at a time) lets through on
  its own; the bytes per dossier the server keeps, and what a compressed dump takes;
- pull: a fresh device pulling its commune's whole log (~100,000 events at full size), over HTTP and with the
  real client into a fresh SQLite file, vs the same rows read by a raw SELECT in pages;
- poll: an up-to-date device asking for news (hello, an empty pull), vs the server's own statements by raw
  psycopg from as many connections, and what dominates (the framework, authentication, the queries);
- devices: 200 simulated devices syncing at once for 60 s (hello, push what they have, pull), more than the
  server can answer, then 60 s at a round every 5-15 s each: errors and latencies.

Each load says where the CPU went (server workers, projector, PostgreSQL, load generator, other processes: the
machine may be shared). The data are communes made by bench.generate (each with its own agency code, so that
dossier codes never clash across communes); devices push the events the generator wrote for them, in
device_seq order. A throw-away PostgreSQL cluster is started for the run (with fsync on, unlike the tests'
cluster; as the `postgres` account when run as root), or $MOTCUA_BENCH_PG (a SQLAlchemy URL of an account that
may create databases) is used.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.core import Measure, Table, benchmark

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "matkhau123"
BATCH = 500  # events per push (the protocol's largest batch)
PAGE = 1000  # events per pull page (the protocol's largest page)
COLUMNS = ("event_id", "device_id", "device_seq", "stream_type", "stream_id", "type", "type_version", "payload",
           "actor_id", "occurred_at", "base_version")


# --- PostgreSQL ---------------------------------------------------------------------------------------------

_CLUSTER = None


def admin_url() -> str:
    """A PostgreSQL server for the whole run (started once, stopped at exit)."""
    global _CLUSTER
    if os.environ.get("MOTCUA_BENCH_PG"):
        return os.environ["MOTCUA_BENCH_PG"]
    if _CLUSTER is None:
        from tests.pg import Cluster, _bin

        class Durable(Cluster):
            """The tests' throw-away cluster, but durable like a real server (fsync and synchronous commit on)."""

            def start(self) -> None:
                initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
                if not initdb or not pg_ctl:
                    raise RuntimeError("PostgreSQL is not installed: run `bash packaging/install.sh --dev`.")
                self.folder.mkdir(parents=True, exist_ok=True)
                if self.as_root:
                    import shutil

                    os.chmod(self.folder, 0o755)
                    shutil.chown(self.folder, "postgres", "postgres")
                data = self.folder / "data"
                self._run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--encoding=UTF8",
                          "--locale=C.UTF-8")
                self._run(pg_ctl, "-D", str(data), "-w", "-l", str(self.folder / "log"), "-o",
                          f"-k {self.folder} -p {self.port} -c listen_addresses='' -c max_connections=300 "
                          "-c shared_buffers=256MB", "start")
                self.started = True

        _CLUSTER = Durable()
        _CLUSTER.port = 56432 + os.getpid() % 1000
        _CLUSTER.start()
        atexit.register(_CLUSTER.stop)
    return _CLUSTER.admin_url()


def new_database() -> str:
    from tests.pg import new_database as make

    return make(admin_url())


def dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- the server ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`motcua server run --workers N` on loopback, as a province runs it."""

    def __init__(self, url: str, workers: int = 2):
        self.port = free_port()
        self.log = Path(tempfile.mkstemp(prefix="motcua-bench-server-", suffix=".log")[1])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "server", "run", "--db", url, "--port", str(self.port),
             "--workers", str(workers)], cwd=ROOT, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _ = asyncio.run(_once("GET", self.port, "/api/v1/health"))
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(timeout=30)
        self.log.unlink(missing_ok=True)


class CpuShare:
    """CPU time each part took between `start()` and `note()`, read from /proc (Linux): the server's workers, its
    projector (the server's child at a lower priority), PostgreSQL, this load generator, and every other process
    on the machine (it is shared: what others took, the server did not get)."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.before: dict[int, tuple[int, int, int, str]] = {}
        self.t = 0.0

    @staticmethod
    def _snap() -> dict[int, tuple[int, int, int, str]]:
        out = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat") as f:
                    stat = f.read()
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    cmd = f.read(200).replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            comm, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
            # utime + stime, parent, nice
            out[int(name)] = (int(fields[11]) + int(fields[12]), int(fields[1]), int(fields[16]), cmd or comm)
        return out

    def start(self) -> CpuShare:
        self.before, self.t = self._snap(), time.perf_counter()
        return self

    def note(self) -> str:
        if not os.path.isdir("/proc/self"):
            return "CPU shares: not measured (no /proc)"
        after, wall = self._snap(), time.perf_counter() - self.t
        tree, grew = {self.server_pid}, True
        while grew:
            more = {pid for pid, v in after.items() if v[1] in tree} - tree
            grew, tree = bool(more), tree | more
        parts: dict[str, float] = {}
        for pid, (ticks, _, nice, cmd) in after.items():
            used = (ticks - self.before.get(pid, (0,))[0]) / os.sysconf("SC_CLK_TCK")
            if pid in tree:
                kind = "projector" if nice > 0 else "server workers"
            elif cmd.startswith(("postgres", "/usr/lib/postgresql")):
                kind = "PostgreSQL"
            elif pid == os.getpid():
                kind = "load generator"
            else:
                kind = "other processes"
            parts[kind] = parts.get(kind, 0.0) + used
        cores = os.cpu_count() or 1
        order = ("server workers", "projector", "PostgreSQL", "load generator", "other processes")
        return (f"CPU over {wall:.3g} s ({cores} cores = {cores * wall:.3g} CPU-s): "
                + ", ".join(f"{k} {100 * parts.get(k, 0) / (cores * wall):.0f} %" for k in order))


# --- a small HTTP/1.1 client --------------------------------------------------------------------------------


class Conn:
    """One keep-alive connection; requests are pre-built bytes, answers are (status, body)."""

    def __init__(self, port: int, token: str = ""):
        self.port = port
        self.auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Conn:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=2**24)
        return self

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None or self.reader.at_eof():  # the server closed it while idle (keep-alive timeout, 5 s):
            self.close()                                  # a new one, as any HTTP client's pool does
            await self.open()
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n").encode() + self.auth
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
        self.writer.write(head + b"\r\n" + (body or b""))
        try:
            status_line = await self.reader.readuntil(b"\r\n")
            if not status_line:
                raise ConnectionError("closed")
            status = int(status_line.split(b" ", 2)[1])
            length, chunked, close = 0, False, False
            while True:
                line = await self.reader.readuntil(b"\r\n")
                if line == b"\r\n":
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
                elif name == b"connection" and b"close" in value.lower():
                    close = True
            if chunked:
                data = b""
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                    data += await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
                data = data[:-2]
            else:
                data = await self.reader.readexactly(length) if length else b""
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _once(method: str, port: int, path: str, body: bytes | None = None, token: str = "") -> tuple[int, bytes]:
    c = await Conn(port, token).open()
    try:
        return await c.request(method, path, body)
    finally:
        c.close()


# --- data ---------------------------------------------------------------------------------------------------


@dataclass
class Device:
    device_id: str
    slot: int
    events: list[str]  # each event as its wire JSON text, in device_seq order
    types: list[str]
    token: str = ""
    sent: int = 0  # events pushed so far
    cursor: str = ""


@dataclass
class Commune:
    agency_code: str
    path: Path
    devices: list[Device]
    dossiers: int
    rows: list[tuple] = field(default_factory=list)  # the events as table rows (for the baselines)


def commune_file(agency: str, *, dossiers: int, devices: int, seed: int) -> Path:
    """A generated commune with its own agency code (cached beside bench.generate's files)."""
    import bench.generate as gen
    from app.services.demo import DEMO_SETTINGS

    if agency == DEMO_SETTINGS["agency_code"]:
        return gen.cached(dossiers=dossiers, devices=devices, seed=seed, quiet=True)
    path = gen.CACHE_DIR / f"sync-v{gen.GEN_VERSION}-{agency}-n{dossiers}-d{devices}-s{seed}.sqlite"
    if not path.exists():
        office = {**DEMO_SETTINGS, "agency_code": agency, "commune_name": f"xã Thử Nghiệm {seed}",
                  "place_name": f"Thử Nghiệm {seed}"}
        tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}{path.suffix}")
        gen.generate(tmp, dossiers=dossiers, devices=devices, seed=seed, quiet=True, office=office)
        for suffix in ("-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
    return path


def load_commune(path: Path) -> Commune:
    """A generated commune's devices and their events as they travel (the payload's JSON text is embedded as it
    is stored: nothing here reads it)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        agency = con.execute("SELECT agency_code FROM devices WHERE kind = 'counter' LIMIT 1").fetchone()[0]
        slots = dict(con.execute("SELECT id, slot FROM devices WHERE kind = 'counter'").fetchall())
        dossiers = con.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        by_device: dict[str, Device] = {}
        rows = []
        for r in con.execute(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY device_id, device_seq"):
            rec = dict(zip(COLUMNS, r, strict=True))
            dev = by_device.setdefault(rec["device_id"], Device(rec["device_id"], slots.get(rec["device_id"], 0),
                                                                [], []))
            payload = rec.pop("payload")
            text = json.dumps(rec, ensure_ascii=False)[:-1] + ', "payload": ' + payload + "}"
            dev.events.append(text)
            dev.types.append(rec["type"])
            rows.append(r)
    finally:
        con.close()
    devices = sorted(by_device.values(), key=lambda d: d.slot)
    return Commune(agency, path, devices, dossiers, rows)


def push_body(dev: Device, events: list[str]) -> bytes:
    return (f'{{"device_id": "{dev.device_id}", "events": [' + ", ".join(events) + "]}").encode()


def hello_body(dev: Device) -> bytes:
    """A hello as the client sends it: the device's clock now (a fixed time would drift from the server's by a
    second a second, and the server writes the device's row whenever its clock offset moved by more than 5 s)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return json.dumps({"protocol": 1, "app_version": "bench", "device_time": now, "local_seq": dev.sent,
                       "cursor": dev.cursor}).encode()


class Province:
    """A province database with the communes' devices enrolled (each keeps its own device id, as a PC set up
    before the province had a server does), behind a running server."""

    def __init__(self, communes: list[Commune], workers: int = 2):
        from app.sync.server import service
        from app.sync.server.store import ServerDB

        self.url = new_database()
        self.db = ServerDB(self.url)
        service.init_server(self.db)
        for c in communes:
            service.add_commune(self.db, agency_code=c.agency_code, name=f"xã {c.agency_code}", admin_user="quantri",
                                admin_name="Quản trị", admin_password=PASSWORD)
        self.server = Server(self.url, workers)
        self.port = self.server.port

        async def enrol_all():
            for c in communes:
                for dev in c.devices:
                    code = service.enrol_code(self.db, agency_code=c.agency_code, kind="counter", slot=dev.slot)
                    status, body = await _once("POST", self.port, "/api/v1/enroll", json.dumps(
                        {"code": code, "device_id": dev.device_id, "agency_code": c.agency_code}).encode())
                    assert status == 200, body
                    dev.token = json.loads(body)["token"]

        asyncio.run(enrol_all())

    def enrol_new(self, agency: str, slot: int) -> str:
        """A fresh device's token (a PC that enrols with nothing of its own)."""
        from app.sync.server import service

        code = service.enrol_code(self.db, agency_code=agency, kind="counter", slot=slot)
        status, body = asyncio.run(_once("POST", self.port, "/api/v1/enroll", json.dumps({"code": code}).encode()))
        assert status == 200, body
        return json.loads(body)["token"]

    def close(self) -> None:
        self.server.stop()
        self.db.close()


def setup_events(dev: Device) -> int:
    """How many of the first device's events set the office up (users the others' events name as actors)."""
    last = max((i for i, t in enumerate(dev.types) if t.startswith(("user.", "settings.", "catalogue."))), default=-1)
    return last + 1


async def push_all(port: int, dev: Device, upto: int | None = None, batch: int = BATCH,
                   latencies: list[float] | None = None) -> dict[str, int]:
    """Push a device's events (from where it is) in batches; counts of stored / duplicate / quarantined."""
    counts: dict[str, int] = {}
    conn = await Conn(port, dev.token).open()
    end = len(dev.events) if upto is None else upto
    try:
        while dev.sent < end:
            chunk = dev.events[dev.sent:min(end, dev.sent + batch)]
            t = time.perf_counter()
            status, body = await conn.request("POST", "/api/v1/sync/push", push_body(dev, chunk))
            if latencies is not None:
                latencies.append(time.perf_counter() - t)
            if status != 200:
                raise RuntimeError(f"push answered {status}: {body[:300]!r}")
            answer = json.loads(body)
            for r in answer["results"]:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
            dev.sent = answer["acked_seq"]
    finally:
        conn.close()
    return counts


def wait_projector(db, timeout: float = 600) -> float:
    """Seconds until the server's projections have folded everything pushed."""
    from app.sync.server import service
    from db.server_models import Head, Projector

    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        with db.transaction() as s:
            if s.get(Projector, 1).projected_seq >= s.get(Head, 1).last_seq:
                return time.perf_counter() - t
        time.sleep(0.2)
    service.catch_up(db)
    return time.perf_counter() - t


# --- baselines ----------------------------------------------------------------------------------------------


def raw_insert(url: str, rows: list[tuple], agency: str) -> float:
    """Seconds for a raw psycopg executemany of the rows into a fresh copy of the server's events table, 500 per
    transaction, one connection (server_seq, commune and a payload hash given)."""
    import psycopg

    from app.sync.server.store import ServerDB

    target = new_database()
    sdb = ServerDB(target)
    sdb.migrate()
    sdb.close()
    cols = (*COLUMNS, "server_seq", "commune", "payload_sha256")
    sql = f"INSERT INTO events ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    prepared = [(*r, i + 1, agency, "0" * 64) for i, r in enumerate(rows)]
    with psycopg.connect(dsn(target)) as con:
        t = time.perf_counter()
        for i in range(0, len(prepared), BATCH):
            with con.cursor() as cur:
                cur.executemany(sql, prepared[i:i + BATCH])
            con.commit()
        return time.perf_counter() - t


def head_lock_ceiling(batch: int, conns: int, seconds: float) -> tuple[float, float]:
    """What the head row's lock lets through on its own: `conns` threads, each its own device, commit the server's
    own sequencing statement (the head's lock and the insert of `batch` events) and COMMIT, as fast as they can,
    on a fresh database (raw psycopg, nothing else running). Every push of a province passes this lock one at a
    time: (pushes/s, median ms from the statement to the end of its COMMIT)."""
    import statistics
    import threading
    import uuid

    import psycopg

    from app.sync.server import service
    from app.sync.server.store import ServerDB

    url = new_database()
    sdb = ServerDB(url)
    service.init_server(sdb)
    sdb.close()
    payload = json.dumps({"note": "x" * 380})  # a payload of the usual size
    stop = time.perf_counter() + seconds
    done: list[float] = []

    def pusher() -> None:
        device, seq = str(uuid.uuid4()), 0
        with psycopg.connect(dsn(url)) as con:
            while time.perf_counter() < stop:
                ids = [str(uuid.uuid4()) for _ in range(batch)]
                params = {"n": batch, "event_id": ids, "device_id": [device] * batch,
                          "device_seq": list(range(seq + 1, seq + batch + 1)), "stream_type": ["dossier"] * batch,
                          "stream_id": ids, "type": ["dossier.noted"] * batch, "type_version": [1] * batch,
                          "payload": [payload] * batch, "actor_id": [None] * batch,
                          "occurred_at": ["2026-12-01T02:00:00Z"] * batch, "base_version": [0] * batch,
                          "commune": ["000.00.00.H00"] * batch, "payload_sha256": ["0" * 64] * batch}
                seq += batch
                t = time.perf_counter()
                con.execute(service._SEQUENCED_SQL, params).fetchall()
                con.commit()
                done.append(time.perf_counter() - t)

    threads = [threading.Thread(target=pusher) for _ in range(conns)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(done) / (time.perf_counter() - t), statistics.median(done) * 1000


# --- ingest -------------------------------------------------------------------------------------------------


def _sizes(quick: bool) -> dict:
    if quick:
        return {"dossiers": 300, "devices": 2}
    return {"dossiers": 31_000, "devices": 8}  # ~100,000 events: what the pull benchmark pulls


_STATE: dict = {}


def ingested(quick: bool) -> tuple[Province, Commune, dict]:
    """A province server holding one commune's whole log, pushed by its devices at once (made once per run and
    shared by the ingest, pull and poll benchmarks)."""
    key = ("ingested", quick)
    if key in _STATE:
        return _STATE[key]
    from app.services.demo import DEMO_SETTINGS

    commune = load_commune(commune_file(DEMO_SETTINGS["agency_code"], seed=1, **_sizes(quick)))
    province = Province([commune])
    atexit.register(province.close)
    first = commune.devices[0]

    async def run() -> dict:
        counts: dict[str, int] = {}
        latencies: list[float] = []
        await push_all(province.port, first, upto=setup_events(first))  # the office first (untimed)
        t = time.perf_counter()
        results = await asyncio.gather(*(push_all(province.port, d, latencies=latencies) for d in commune.devices))
        wall = time.perf_counter() - t
        for r in results:
            for k, v in r.items():
                counts[k] = counts.get(k, 0) + v
        return {"wall": wall, "counts": counts, "latencies": latencies,
                "events": sum(counts.values())}

    cpu = CpuShare(province.server.proc.pid).start()
    stats = asyncio.run(run())
    stats["cpu"] = cpu.note()
    stats["projector_lag"] = wait_projector(province.db)
    _STATE[key] = (province, commune, stats)
    return _STATE[key]


def storage_notes(province: Province, commune: Commune) -> list[str]:
    """Bytes per dossier on the server (event log, its indexes, the projections), and compressed."""
    import psycopg

    with psycopg.connect(dsn(province.url)) as con:
        rows = con.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "pg_indexes_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'").fetchall()
        dossiers = con.execute("SELECT count(*) FROM dossiers").fetchone()[0] or 1
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        payload_size = con.execute("SELECT sum(octet_length(payload)), sum(pg_column_size(payload)) FROM events"
                              ).fetchone()
        db_size = con.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        sample = con.execute("SELECT payload FROM events ORDER BY server_seq LIMIT 20000").fetchall()
    total = {name: t for name, t, _, _ in rows}
    heap = {name: h for name, _, h, _ in rows}
    idx = {name: i for name, _, _, i in rows}
    log = total.get("events", 0)
    proj = sum(v for k, v in total.items() if k not in ("events",) and not k.startswith(("srv_", "alembic")))
    text = "\n".join(r[0] for r in sample).encode()
    squeezed = len(zlib.compress(text, 6)) / len(text) if text else 0
    dump = _dump_size(province.url)
    notes = [f"server storage: {events:,} events, {dossiers:,} dossiers ({events / dossiers:.1f} events each); "
             f"database {db_size / dossiers / 1024:.1f} KB per dossier: event log {log / dossiers / 1024:.1f} KB "
             f"(table {heap.get('events', 0) / dossiers / 1024:.1f} KB + indexes {idx.get('events', 0) / dossiers / 1024:.1f}"
             f" KB), projections {proj / dossiers / 1024:.1f} KB (dossiers, steps, book lines, flags, users…)",
             f"payload JSON {payload_size[0] / events:,.0f} bytes per event as text, {payload_size[1] / events:,.0f} as stored "
             f"(PostgreSQL compresses only values over ~2 KB); zlib -6 takes payloads to {100 * squeezed:.0f} %"]
    if dump:
        notes.append(f"pg_dump -Fc (compressed): {dump / dossiers / 1024:.1f} KB per dossier "
                     f"({100 * dump / db_size:.0f} % of the live database)")
    return notes


def _dump_size(url: str) -> int:
    from tests.pg import _bin

    pg_dump = _bin("pg_dump")
    if not pg_dump:
        return 0
    out = Path(tempfile.mkstemp(prefix="motcua-bench-dump-")[1])
    try:
        subprocess.run([pg_dump, "-Fc", "-f", str(out), dsn(url)], check=True, capture_output=True, timeout=600)
        return out.stat().st_size
    finally:
        out.unlink(missing_ok=True)


@benchmark("ingest", issue="sync (7)", needs=("app.sync.server.service:push",))
def ingest(quick: bool) -> Table:
    """Events/s pushed by a commune's devices at once into a server with 2 workers on PostgreSQL, vs a raw
    executemany of the same rows into the same table; bytes per dossier on the server."""
    province, commune, stats = ingested(quick)
    base = [raw_insert(province.url, commune.rows, commune.agency_code) for _ in range(1 if quick else 3)]
    n = len(commune.rows)
    per_k = [b / n * 1000 for b in base]
    app = stats["wall"] / stats["events"] * 1000
    rate, base_rate = stats["events"] / stats["wall"], n / sorted(base)[len(base) // 2]
    lock_s = 1.0 if quick else 5.0
    small, small_ms = head_lock_ceiling(5, 8, lock_s)
    large, large_ms = head_lock_ceiling(BATCH, 4, lock_s)
    lat = stats["latencies"]
    counts = ", ".join(f"{v:,} {k}" for k, v in sorted(stats["counts"].items()))
    return Table(f"ingest: {len(commune.devices)} devices push {n:,} events at once ({commune.dossiers:,} dossiers), "
                 "server with 2 workers on PostgreSQL", [
                     Measure("raw executemany, 500 rows per COMMIT (1 conn)", per_k,
                             f"{base_rate:,.0f} events/s; time per 1,000 events"),
                     Measure("push over HTTP, 500 events per request", [app],
                             f"{rate:,.0f} events/s acknowledged ({counts}); time per 1,000 events"),
                     Measure("  one push request (latency)", lat, f"{len(lat)} requests"),
                 ], baseline="raw executemany, 500 rows per COMMIT (1 conn)",
                 notes=[f"pushes: {stats['cpu']}",
                        f"the head row's lock alone (the server's sequencing statement + COMMIT, raw psycopg, nothing "
                        f"else running): pushes of 5 events from 8 connections {small:,.0f}/s ({small_ms:.1f} ms "
                        f"each), of {BATCH} events from 4 connections {large:,.0f}/s = {large * BATCH:,.0f} events/s "
                        f"({large_ms:.1f} ms each)",
                        f"projector caught up {stats['projector_lag']:.1f} s after the last push (its own process, "
                        "at a lower priority, folds while the devices push)", *storage_notes(province, commune)])


# --- pull ---------------------------------------------------------------------------------------------------


async def pull_all(port: int, token: str, cursor: str = "", limit: int = PAGE) -> tuple[int, str, list[float]]:
    conn = await Conn(port, token).open()
    n, pages = 0, []
    try:
        while True:
            t = time.perf_counter()
            status, body = await conn.request("GET", f"/api/v1/sync/pull?limit={limit}&cursor={cursor}")
            if status != 200:
                raise RuntimeError(f"pull answered {status}: {body[:300]!r}")
            page = json.loads(body)
            pages.append(time.perf_counter() - t)
            n += len(page["events"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return n, cursor, pages
    finally:
        conn.close()


def raw_pull(url: str, agency: str) -> tuple[int, float]:
    """The same rows by a raw SELECT in pages of 1,000 by server_seq (psycopg, one connection)."""
    import psycopg

    with psycopg.connect(dsn(url)) as con:
        cur = con.execute("SELECT * FROM events LIMIT 0")
        col = [d.name for d in cur.description].index("server_seq")
        t = time.perf_counter()
        seq, n = 0, 0
        while True:
            rows = con.execute("SELECT * FROM events WHERE commune = %s AND server_seq > %s ORDER BY server_seq "
                               "LIMIT %s", (agency, seq, PAGE)).fetchall()
            if not rows:
                return n, time.perf_counter() - t
            n += len(rows)
            seq = rows[-1][col]


def real_device_pull(province: Province, agency: str, slot: int) -> tuple[int, float]:
    """A fresh PC enrols and makes its first sync with the real client (pages folded into its SQLite file)."""
    from app.services.database import Database
    from app.sync import client
    from app.sync.server import service

    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-device-"))
    try:
        code = service.enrol_code(province.db, agency_code=agency, kind="counter", slot=slot)
        db = Database(folder / "quay.sqlite", create=True)
        try:
            t = time.perf_counter()
            client.enroll(db, server_url=f"http://127.0.0.1:{province.port}", code=code)
            report = client.SyncClient(db, page=PAGE).sync_once()
            return report.pulled, time.perf_counter() - t
        finally:
            db.close()
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


@benchmark("pull", issue="sync (7)", needs=("app.sync.server.service:pull",))
def pull(quick: bool) -> Table:
    """A fresh device pulling its commune's whole log (~100,000 events at full size) over HTTP, and with the real
    client into a fresh SQLite file, vs the same rows by a raw SELECT in pages."""
    province, commune, _ = ingested(quick)
    base = [raw_pull(province.url, commune.agency_code) for _ in range(3)]
    n_base = base[0][0]
    token = province.enrol_new(commune.agency_code, 9)
    runs = [asyncio.run(pull_all(province.port, token)) for _ in range(1 if quick else 2)]
    n = runs[0][0]
    times = [sum(r[2]) for r in runs]
    pages = [p for r in runs for p in r[2]]
    real_n, real_t = _real(province, commune)
    return Table(f"pull: a fresh device pulls its commune's {n:,} events (pages of {PAGE:,})", [
        Measure("raw SELECT, pages of 1,000 (psycopg)", [t for _, t in base], f"{n_base / base[0][1]:,.0f} rows/s"),
        Measure("HTTP pull, whole log", times, f"{n / min(times):,.0f} rows/s (JSON parsed by the caller)"),
        Measure("  one page (latency)", pages, f"{len(pages)} pages"),
        Measure("real device: enrol + first sync (fold into SQLite)", [real_t],
                f"{real_n:,} events, {real_n / real_t:,.0f} rows/s, including the device's own fold"),
    ], baseline="raw SELECT, pages of 1,000 (psycopg)")


def _real(province: Province, commune: Commune) -> tuple[int, float]:
    from app.sync.server import service

    service.revoke(province.db, agency_code=commune.agency_code, slot=9)  # the HTTP pull's device
    return real_device_pull(province, commune.agency_code, 9)


# --- idle polls ---------------------------------------------------------------------------------------------


Request = tuple[str, str, "bytes | None | Callable[[], bytes]", str]  # method, path, body (or its maker), token


async def hammer(port: int, requests: list[Request], seconds: float, conns: int
                 ) -> tuple[int, int, float, list[float]]:
    """`conns` connections send their requests round-robin for `seconds`: (answered, errors, wall, latencies)."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = 0

    async def worker(i: int) -> None:
        nonlocal errors
        method, path, body, token = requests[i % len(requests)]
        c = await Conn(port, token).open()
        try:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                status, _ = await c.request(method, path, body() if callable(body) else body)
                latencies.append(time.perf_counter() - t)
                if status >= 400:
                    errors += 1
        finally:
            c.close()

    t = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(conns)))
    return len(latencies), errors, time.perf_counter() - t, latencies


def poll_statements(device_id: str, agency: str, seq: int) -> list[tuple[str, dict]]:
    """The statements the server runs for an idle round (its own text): hello's one statement, the head, the
    device's row and whether anything is new after its cursor (nothing is, so the device does not pull; the
    token is remembered by the process, so it costs no query)."""
    from app.sync.server import service

    sql = str(service._HELLO_SQL["counter"])
    for name in ("id", "agency", "seq"):
        sql = sql.replace(f":{name}", f"%({name})s")
    return [(sql, {"id": device_id, "agency": agency, "seq": seq})]


def raw_poll(url: str, statements: list[tuple[str, dict]], n: int) -> list[float]:
    """An idle round's statements by raw psycopg, one connection in autocommit, one after the other: latency."""
    import psycopg

    out = []
    with psycopg.connect(dsn(url), autocommit=True) as con:
        for _ in range(n):
            t = time.perf_counter()
            for sql, params in statements:
                con.execute(sql, params).fetchall()
            out.append(time.perf_counter() - t)
    return out


async def raw_poll_many(url: str, statements: list[list[tuple[str, dict]]], seconds: float, conns: int
                        ) -> tuple[float, list[float]]:
    """The same statements from `conns` connections at once (async psycopg in this process), as the server is
    driven: (rounds/s, latencies). What PostgreSQL and a Python client make of the same work on these cores."""
    import psycopg

    stop = time.perf_counter() + seconds
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with await psycopg.AsyncConnection.connect(dsn(url), autocommit=True) as con:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                for sql, params in statements[i % len(statements)]:
                    await (await con.execute(sql, params)).fetchall()
                latencies.append(time.perf_counter() - t)

    t = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(conns)))
    return len(latencies) / (time.perf_counter() - t), latencies


@benchmark("poll", issue="sync (7)", needs=("app.sync.server.service:hello",))
def poll(quick: bool) -> Table:
    """Idle polls of up-to-date devices against 2 workers (a hello that says nothing is new, so no pull; and the
    older round of hello + an empty pull), what dominates (framework, authentication, queries), vs the same
    statement by raw psycopg from as many connections."""
    province, commune, _ = ingested(quick)
    devices = commune.devices
    for d in devices:  # up to date: its cursor at the end of the log
        _, d.cursor, _ = asyncio.run(pull_all(province.port, d.token, d.cursor))
    seconds, conns = (1.0, 8) if quick else (5.0, 16)
    statements = [poll_statements(d.device_id, commune.agency_code, int(d.cursor.rsplit(":", 1)[1]))
                  for d in devices]
    raw_rate, raw_lat = asyncio.run(raw_poll_many(province.url, statements, seconds, conns))
    base = raw_poll(province.url, statements[0], 200 if quick else 2000)
    baseline = f"raw statement of an idle poll ({conns} conns)"
    measures = [Measure(baseline, raw_lat, f"{raw_rate:,.0f} polls/s (async psycopg, autocommit)"),
                Measure("  the same, 1 conn, one after the other", base, f"{len(base) / sum(base):,.0f} polls/s")]
    cases = {
        "GET /health (no auth, 1 ORM transaction)": [("GET", "/api/v1/health", None, "")],
        "GET /ref/x (auth only, 404)": [("GET", "/api/v1/ref/x", None, d.token) for d in devices],
        "GET /sync/pull, nothing new": [("GET", f"/api/v1/sync/pull?cursor={d.cursor}", None, d.token)
                                        for d in devices],
        "POST /sync/hello": [("POST", "/api/v1/sync/hello", (lambda d=d: hello_body(d)), d.token) for d in devices],
    }
    for name, reqs in cases.items():
        n, errors, wall, lat = asyncio.run(hammer(province.port, reqs, seconds, conns))
        expected = name.startswith("GET /ref/x")  # its 404 is the answer measured
        measures.append(Measure(name, lat, f"{n / wall:,.0f} requests/s"
                                + (f", {errors} errors" if errors and not expected else "")))

    async def idle_rounds(with_pull: bool) -> tuple[int, float, list[float]]:
        stop = time.perf_counter() + seconds
        lat: list[float] = []

        async def one(i: int) -> None:
            d = devices[i % len(devices)]
            c = await Conn(province.port, d.token).open()
            try:
                while time.perf_counter() < stop:
                    t = time.perf_counter()
                    status, body = await c.request("POST", "/api/v1/sync/hello", hello_body(d))
                    if status != 200 or json.loads(body)["behind"]:
                        raise AssertionError(f"an up-to-date device was told to pull ({status})")
                    if with_pull:
                        await c.request("GET", f"/api/v1/sync/pull?cursor={d.cursor}")
                    lat.append(time.perf_counter() - t)
            finally:
                c.close()

        t = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(conns)))
        return len(lat), time.perf_counter() - t, lat

    n, wall, lat = asyncio.run(idle_rounds(True))
    measures.append(Measure("  hello + an empty pull (the round before hello said `behind`)", lat,
                            f"{n / wall:,.0f} rounds/s"))
    cpu = CpuShare(province.server.proc.pid).start()
    n, wall, lat = asyncio.run(idle_rounds(False))
    measures.append(Measure("idle poll as the client does it (hello: nothing new, no pull)", lat,
                            f"{n / wall:,.0f} polls/s"))
    return Table(f"poll: up-to-date devices asking for news, server with 2 workers ({conns} connections, "
                 f"{seconds:.0f} s each)", measures, baseline=baseline,
                 notes=["requests/s are what the server answered with the load generator on the same 2 cores",
                        f"idle polls: {cpu.note()}"])


# --- many devices at once -----------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    rounds: list[float] = field(default_factory=list)
    pushed: int = 0
    pulled: int = 0
    wall: float = 0.0
    cpu: str = ""

    def note(self, kind: str, t: float, ok: bool) -> None:
        self.latencies.setdefault(kind, []).append(t)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1


async def device_loop(port: int, dev: Device, stop: float, tally: Tally, rng: random.Random,
                      pause: tuple[float, float] = (0.5, 1.5)) -> None:
    """A counter syncing as the client does: hello, push what it has (a few events a round), pull news; then
    waits a little (`pause` seconds: a clerk keeps working)."""
    conn = Conn(port, dev.token)
    await asyncio.sleep(min(rng.uniform(0, pause[1] - pause[0]), max(0.0, stop - time.perf_counter())))
    while time.perf_counter() < stop:
        start = time.perf_counter()
        try:
            t = time.perf_counter()
            status, body = await conn.request("POST", "/api/v1/sync/hello", hello_body(dev))
            tally.note("hello", time.perf_counter() - t, status == 200)
            more = status != 200 or json.loads(body).get("behind", True)  # as the client: no pull if nothing new
            new = rng.randint(1, 8)
            if dev.sent < len(dev.events):
                chunk = dev.events[dev.sent:dev.sent + new]
                t = time.perf_counter()
                status, body = await conn.request("POST", "/api/v1/sync/push", push_body(dev, chunk))
                tally.note("push", time.perf_counter() - t, status == 200)
                if status == 200:
                    acked = json.loads(body)["acked_seq"]
                    tally.pushed += acked - dev.sent
                    more = more or acked > dev.sent
                    dev.sent = acked
            while more:
                t = time.perf_counter()
                status, body = await conn.request("GET", f"/api/v1/sync/pull?limit=500&cursor={dev.cursor}")
                tally.note("pull", time.perf_counter() - t, status == 200)
                if status != 200:
                    break
                page = json.loads(body)
                tally.pulled += len(page["events"])
                dev.cursor, more = page["next_cursor"], page["has_more"]
            tally.rounds.append(time.perf_counter() - start)
        except (OSError, asyncio.IncompleteReadError, ConnectionError):
            tally.note("connection", time.perf_counter() - start, False)
            conn = Conn(port, dev.token)
        await asyncio.sleep(min(rng.uniform(*pause), max(0.0, stop - time.perf_counter())))
    conn.close()


AGENCIES = [f"000.{10 + i // 9:02d}.{20 + i % 9:02d}.H{30 + i:02d}" for i in range(40)]


@benchmark("devices", issue="sync (7)", needs=("app.sync.server.service:push",))
def devices(quick: bool) -> Table:
    """200 simulated devices of 23 communes syncing at once for 60 s (hello, push, pull; a round about every
    second each, more than the server can answer), then 60 s at a round every 5-15 s each, against 2 workers:
    errors and latencies."""
    n_devices, seconds = (6, 3.0) if quick else (200, 60.0)
    per = 9
    n_communes = -(-n_devices // per)
    size = 60 if quick else 600
    communes = [load_commune(commune_file(AGENCIES[i], dossiers=size, devices=min(per, n_devices), seed=100 + i))
                for i in range(n_communes)]
    province = Province(communes)
    # seconds a device waits after a round
    phases = {"all at once": (0.5, 1.5), "paced": (1.0, 2.0) if quick else (5.0, 15.0)}
    tallies: dict[str, Tally] = {}
    try:
        fleet = [d for c in communes for d in c.devices][:n_devices]

        async def warm() -> None:  # each office's setup (its users) first, and every device up to date
            for c in communes:
                await push_all(province.port, c.devices[0], upto=setup_events(c.devices[0]))
            for d in fleet:
                _, d.cursor, _ = await pull_all(province.port, d.token)

        asyncio.run(warm())
        pending = sum(len(d.events) - d.sent for d in fleet)
        alone = Tally()  # the baseline: one device syncing on its own, round after round, on the idle server
        asyncio.run(device_loop(province.port, fleet[0], time.perf_counter() + (1.0 if quick else 5.0), alone,
                                random.Random(3), pause=(0.0, 0.0)))

        async def run(tally: Tally, pause: tuple[float, float]) -> float:
            rng = random.Random(7)
            stop = time.perf_counter() + seconds
            t = time.perf_counter()
            await asyncio.gather(*(device_loop(province.port, d, stop, tally, rng, pause) for d in fleet))
            return time.perf_counter() - t

        for phase, pause in phases.items():
            tally = tallies[phase] = Tally()
            cpu = CpuShare(province.server.proc.pid).start()
            tally.wall = asyncio.run(run(tally, pause))
            tally.cpu = cpu.note()
        lag = wait_projector(province.db)

        from app.sync.server import service

        check = service.check(province.db)
        seqs = _gapless(province.url)
    finally:
        province.close()
    baseline = "one device alone: a whole round"
    measures = [Measure(baseline, alone.rounds, f"{len(alone.rounds)} rounds back to back on the idle server "
                                                "(hello, push 1-8 events, pull)")]
    notes = []
    for phase, pause in phases.items():
        tally, wall = tallies[phase], tallies[phase].wall
        for kind in ("hello", "push", "pull", "connection"):
            if kind in tally.latencies:
                lat = tally.latencies[kind]
                measures.append(Measure(f"{phase}: {kind}", lat,
                                        f"{len(lat) / wall:,.0f}/s, {tally.errors.get(kind, 0)} errors"))
        measures.append(Measure(f"{phase}: whole round", tally.rounds, f"{len(tally.rounds) / wall:,.1f} rounds/s"))
        notes += [f"{phase}: each device waits {pause[0]:g}-{pause[1]:g} s after a round (an instant server would "
                  f"be asked for ~{len(fleet) / sum(pause) * 2:,.0f} rounds/s); {sum(tally.errors.values())} errors; "
                  f"{tally.pushed:,} events pushed ({tally.pushed / wall:,.0f}/s), {tally.pulled:,} pulled",
                  f"{phase}: {tally.cpu}"]
    notes.append(f"{pending:,} events were waiting on the devices; projector caught up {lag:.1f} s after the end; "
                 f"server check {'ok' if check.ok else 'NOT ok'}; server_seq {seqs}")
    return Table(f"devices: {len(fleet)} devices of {n_communes} communes sync for {seconds:.0f} s all at once, "
                 f"then {seconds:.0f} s paced, server with 2 workers", measures, baseline=baseline, notes=notes)


def _gapless(url: str) -> str:
    import psycopg

    with psycopg.connect(dsn(url)) as con:
        lo, hi, n = con.execute("SELECT min(server_seq), max(server_seq), count(*) FROM events").fetchone()
    return "gapless" if (lo, hi) == (1, n) else f"GAPS ({lo}..{hi}, {n} rows)"
