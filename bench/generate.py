"""A realistic commune database, fast: office set up by the services, then years of dossiers and their lives.

The office (settings, this device, staff, the seed catalogue) is made by ``initialise_office`` like
``tests/conftest.make_office``. Dossiers are then written the way counters would have written them,
minus the per-dossier commit: each step is an ``app.eventlog.Event`` with the typed payloads the
services write (``app.eventlog.payloads``), and the generator follows each living dossier through the
real fold (``app.eventlog.fold.DossierFolder``) to decide its next step. Only the events are written
(``executemany``, one transaction per chunk, in a writer thread); the projections (dossiers, steps,
logbook, FTS5 index) are then made by ``app.eventlog.rebuild``, exactly as ``motcua admin rebuild``
makes them, which also measures the fold.

The event log is in arrival order (every device's steps interleaved by time), device sequences are
gapless, the events older than the last day carry a server position (this device's last day is
unsent), the counters continue where the data stops (``receive_dossier`` works on the file), and
``app.services.maintenance.check_database`` finds the projections equal to a fresh fold.

    python -m bench.generate OUT.sqlite --dossiers 50000 [--years 1] [--devices 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import heapq
import os
import queue
import random
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from app.domain import applicant as ap
from app.domain.calendar import TZ
from app.domain.codes import format_code, volume_label
from app.domain.deadline import (
    RULE_VERSION,
    DurationKind,
    add_working_minutes,
    compute_due,
    extend_for_pause,
    suggest_extension,
    working_minutes_between,
)
from app.domain.dossier import status_text
from app.domain.text import nfc, title_name
from app.eventlog import Event, rebuild
from app.eventlog import payloads as ev
from app.eventlog.fold import DossierFolder
from app.eventlog.registry import DEVICE
from app.eventlog.store import event_row
from app.services.catalogue import all_procedures
from app.services.database import Database
from app.services.demo import DEMO_SETTINGS
from app.services.reception import competent_unit
from app.services.sample_people import PeopleGenerator
from app.services.settings import load_settings, office_calendar
from app.services.setup import StaffAccount, initialise_office

# Bump when the generated data changes shape, so cached files are not reused across versions.
GEN_VERSION = 4
CACHE_DIR = Path(os.environ.get("MOTCUA_BENCH_CACHE", "/tmp/motcua-bench"))
# "Today" of the generated data: Sunday 22/11/2026 09:00 local; everything after it has not happened.
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)

OFFICE = DEMO_SETTINGS  # the same demo commune as `motcua demo`
CLERKS = [("canbo1", "Trần Thị Mai"), ("canbo2", "Nguyễn Văn Bình"), ("canbo3", "Lê Thị Thu Hà"),
          ("canbo4", "Phạm Minh Tuấn"), ("canbo5", "Võ Thị Ngọc Ánh"), ("canbo6", "Đỗ Quang Huy"),
          ("canbo7", "Hồ Thị Lan"), ("canbo8", "Bùi Đức Thắng"), ("canbo9", "Đặng Thị Hồng")]
SPECIALISTS = [
    StaffAccount("hotich", "Lê Văn Đức", "matkhau123", "specialist", "Công chức Tư pháp - Hộ tịch",
                 "Tư pháp - Hộ tịch"),
    StaffAccount("diachinh", "Nguyễn Hữu Phước", "matkhau123", "specialist", "Công chức Địa chính - Xây dựng",
                 "Địa chính - Xây dựng"),
    StaffAccount("vanhoa", "Trương Thị Kim Oanh", "matkhau123", "specialist", "Công chức Văn hóa - Xã hội",
                 "Văn hóa - Xã hội"),
    StaffAccount("lanhdao", "Phạm Quốc Hùng", "matkhau123", "leader", "Phó Chủ tịch UBND xã"),
]
# The specialist unit that handles a field (index into SPECIALISTS).
FIELD_UNIT = {"Hộ tịch": 0, "Chứng thực": 0, "Đất đai": 1, "Xây dựng": 1, "Bảo trợ xã hội": 2, "Giảm nghèo": 2}

CHUNK = 20_000  # receptions per transaction

# Life of a dossier (shares of all dossiers, DOMAIN.md §8 for the result mix).
P_CANCEL = 0.01
P_STOP = 0.015
P_SUPPLEMENT = 0.07  # of dossiers handed to a specialist
P_SUPPLEMENT_NEVER = 0.10  # of supplement requests: the citizen never comes back
P_STUCK = 0.004  # of handed-over dossiers: waiting on a higher level, no result yet
P_EARLY, P_LATE = 0.12, 0.05
P_EXTEND_LATE = 0.4  # of late dossiers: an apology and extension was issued in time
P_NOT_COLLECTED = 0.02  # result ready, citizen never came


# --- helpers -------------------------------------------------------------------------------------


def _uuid7(at: datetime, rng: random.Random) -> str:
    """A UUIDv7 for the instant `at` (deterministic for the seed), like app.domain.ids.uuid7 at that time."""
    ms = int(at.timestamp() * 1000)
    rand = rng.getrandbits(74)
    value = ((ms & ((1 << 48) - 1)) << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62) \
        | (rand & ((1 << 62) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class _EventRows:
    """Event rows as parameter tuples, converted by the events table's own column types."""

    def __init__(self, dialect):
        from db.models import Event as EventRow

        table = EventRow.__table__
        self.keys = [c.key for c in table.columns]
        self.procs = [c.type._cached_bind_processor(dialect) for c in table.columns]
        self.insert_sql = (f"INSERT INTO {table.name} ({', '.join(self.keys)}) "
                           f"VALUES ({', '.join('?' * len(self.keys))})")

    def row(self, e: Event) -> tuple:
        values = {**event_row(e), "local_seq": e.local_seq}
        return tuple(values[k] if p is None else p(values[k]) for k, p in zip(self.keys, self.procs, strict=True))


class _Writer:
    """One thread that runs the chunks' executemany in order (SQLite releases the GIL while it works)."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (work := self.queue.get()) is not None:
            if self.error is not None:
                continue
            try:
                self.con.execute("BEGIN")
                for sql, rows in work:
                    if rows:
                        self.con.executemany(sql, rows)
                self.con.execute("COMMIT")
            except BaseException as exc:  # reported by close()
                self.error = exc

    def put(self, work: list) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(work)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


@dataclass
class _DeviceState:
    id: str
    slot: int
    clerk_id: str
    clerk_name: str
    seq: int = 0
    day_counts: dict = field(default_factory=dict)  # "code:YYYYMMDD" -> n
    book: dict = field(default_factory=dict)  # year -> n


@dataclass
class _Life:
    """A dossier walking through its life; `step` names the next thing that happens to it."""

    dossier_id: str
    dev: _DeviceState
    same_day: bool
    specialist: object
    received_at: datetime
    step: str = ""
    t: datetime | None = None
    paused_at: datetime | None = None
    verdict: str = ""


class _View:
    """Attribute access to a dossier row dict of the fold (d.status, d.due_at…)."""

    __slots__ = ("row",)

    def __init__(self, row: dict):
        self.row = row

    def __getattr__(self, name):
        return self.row[name]


class Generator:
    def __init__(self, db: Database, *, seed: int, devices: int, lifecycle: bool, now: datetime = NOW):
        self.db = db
        self.rng = random.Random(seed)
        self.people = PeopleGenerator(seed)
        self.lifecycle = lifecycle
        self.now = now
        me = db.device
        with db.reading() as s:
            self.settings = load_settings(s)
            self.cal = office_calendar(s, self.settings)
            from app.services.catalogue import catalogue_version

            self.catalogue_version = catalogue_version(s)
            from db.models import Event as EventRow
            from db.models import User

            users = {u.username: u for u in s.query(User)}
            self.local_seq = s.query(EventRow).count()
            my_seq = s.query(EventRow).filter(EventRow.device_id == me.device_id).count()
        self.procs = [p for p in all_procedures(db) if p.frequency > 0]
        self.weights = [p.frequency for p in self.procs]
        self.proc_payload = {}
        for p in self.procs:
            self.proc_payload[p.code] = (
                ev.ProcedureRef(code=p.code, name=p.name, field=p.field,
                                competent_unit=competent_unit(p.competent_unit, self.settings.parent_body),
                                fee_text=p.fee_text),
                tuple(ev.PaperData(name=nfc(x.name), original=x.original, copy=x.copy, count=int(x.count))
                      for x in p.papers if x.required),
                ev.DeadlineData(duration=ev.DurationData(**p.duration.to_json()), rule_version=RULE_VERSION,
                                calendar_version=self.cal.version, catalogue_version=self.catalogue_version),
            )
        self.devices = [_DeviceState(me.device_id, me.slot, users["canbo1"].id, users["canbo1"].full_name,
                                     seq=my_seq)]
        self.events: list[Event] = []
        self.counts: dict[str, int] = {}
        for slot in range(2, devices + 1):
            dev_id = _uuid7(now - timedelta(days=4000), self.rng)
            u = users[f"canbo{slot}"]
            dev = _DeviceState(dev_id, slot, u.id, u.full_name)
            self.devices.append(dev)
            self._emit(dev, ev.DeviceRegistered(kind="counter", slot=slot, name=f"Quầy {slot}",
                                                agency_code=self.settings.agency_code),
                       dev_id, None, now - timedelta(days=4000))
        self.specialists = [users[a.username] for a in SPECIALISTS]
        self.heap: list = []
        self.tick = 0
        self.live: dict[str, DossierFolder] = {}
        self.early_debt = 0
        # This device's last day of events has not reached the server yet; the rest has, in arrival order.
        self.unsent_after = (now - timedelta(days=1)).astimezone(UTC)

    # --- events -----------------------------------------------------------------------------------
    def _emit(self, dev: _DeviceState, payload: ev.Payload, stream_id: str, actor_id: str | None,
              occurred: datetime) -> Event:
        dev.seq += 1
        self.local_seq += 1
        occurred = occurred.astimezone(UTC).replace(microsecond=0)
        sent = not (dev is self.devices[0] and occurred > self.unsent_after)
        e = Event(event_id=_uuid7(occurred, self.rng), device_id=dev.id, device_seq=dev.seq,
                  stream_type=DEVICE if isinstance(payload, ev.DeviceRegistered) else "dossier", stream_id=stream_id,
                  type=payload.TYPE, type_version=payload.VERSION, payload=payload, actor_id=actor_id,
                  occurred_at=occurred, server_seq=self.local_seq if sent else None, local_seq=self.local_seq,
                  commune=self.settings.agency_code)
        self.events.append(e)
        self.counts[payload.TYPE] = self.counts.get(payload.TYPE, 0) + 1
        return e

    def _event(self, dev: _DeviceState, payload: ev.Payload, at: datetime, dossier_id: str, actor_id: str,
               delay_s: int) -> Event:
        e = self._emit(dev, payload, dossier_id, actor_id, at + timedelta(seconds=delay_s))
        folder = self.live.get(dossier_id)
        if folder is None:
            folder = self.live[dossier_id] = DossierFolder(dossier_id)
        folder.add(e)
        return e

    def _schedule(self, life: _Life, step: str, at: datetime) -> None:
        if at >= self.now:  # has not happened yet: the dossier stays where it is
            self.live.pop(life.dossier_id, None)
            return
        life.step, life.t = step, at
        self.tick += 1
        heapq.heappush(self.heap, (at.timestamp(), self.tick, life))

    def _end(self, life: _Life) -> None:
        self.live.pop(life.dossier_id, None)

    def _drain(self, until: float) -> None:
        heap = self.heap
        while heap and heap[0][0] <= until:
            _, _, life = heapq.heappop(heap)
            self._step(life)

    # --- reception --------------------------------------------------------------------------------
    def receive(self, dev: _DeviceState, at: datetime) -> None:
        rng = self.rng
        proc = rng.choices(self.procs, self.weights)[0]
        person = self.people.person()
        r = rng.random()
        channel = "direct" if r < 0.85 else ("online" if r < 0.95 else "post")
        return_method = "post" if channel == "post" or (channel == "online" and rng.random() < 0.3) else "counter"
        due = compute_due(at, proc.duration, self.cal)
        day = at.date()
        ckey = f"code:{day:%Y%m%d}"
        n = dev.day_counts.get(ckey, 0) + 1
        dev.day_counts[ckey] = n
        number = dev.book.get(day.year, 0) + 1
        dev.book[day.year] = number
        proc_p, papers, deadline = self.proc_payload[proc.code]
        dossier_id = _uuid7(at, rng)
        payload = ev.DossierReceived(
            code=format_code(self.settings.agency_code, day, dev.slot, n), volume=volume_label(dev.slot, day.year),
            number=number, received_at=at, due_at=due, receiving_unit=self.settings.center_name,
            clerk_name=dev.clerk_name, procedure=proc_p,
            applicant=ev.ApplicantData(name=title_name(person.name), id_number=person.id_number,
                                       birth_date=person.birth_date, address=nfc(person.address),
                                       phone=ap.normalise_phone(person.phone), email=person.email),
            papers=papers, sets_count=1 if rng.random() < 0.93 else 2, channel=channel,
            return_method=return_method, deadline=deadline)
        self._event(dev, payload, at, dossier_id, dev.clerk_id, rng.randint(40, 180))
        if not self.lifecycle:
            self._end_id(dossier_id)
            return
        unit = FIELD_UNIT.get(proc.field, 2)
        life = _Life(dossier_id, dev, proc.duration.kind is DurationKind.SAME_DAY, self.specialists[unit], at)
        fate = rng.random()
        if fate < P_CANCEL:
            self._schedule(life, "cancel", at + timedelta(minutes=rng.randint(10, 60)))
        elif fate < P_CANCEL + P_STOP:
            self._schedule(life, "stop", add_working_minutes(at, rng.randint(60, 900), self.cal))
        elif life.same_day:
            self._plan_result(life, at)
        else:
            self._schedule(life, "transfer", add_working_minutes(at, rng.randint(15, 90), self.cal))

    def _end_id(self, dossier_id: str) -> None:
        self.live.pop(dossier_id, None)

    # --- the steps ----------------------------------------------------------------------------------
    def _step(self, life: _Life) -> None:
        rng, dev, t, cal = self.rng, life.dev, life.t, self.cal
        d = _View(self.live[life.dossier_id].state)
        clerk = _Clerk(dev.clerk_id, dev.clerk_name)
        sp = life.specialist
        step = life.step

        def emit(cls: type[ev.StepPayload], actor, **fields) -> None:
            delay = rng.randint(0, 50)
            occurred = (t + timedelta(seconds=delay)).astimezone(UTC)
            at = None if occurred.replace(second=0) == t.astimezone(UTC).replace(second=0, microsecond=0) else t
            self._event(dev, cls(at=at, actor_name=actor.full_name, **fields), t, life.dossier_id, actor.id, delay)

        if step == "cancel":
            emit(ev.DossierCancelled, clerk, reason="Nhập trùng hồ sơ đã tiếp nhận trước đó")
            return self._end(life)
        if step == "stop":
            emit(ev.DossierStopped, clerk, reason="Công dân có đơn xin rút hồ sơ", requested_by="Người nộp hồ sơ",
                 stage=status_text(d.status), fee_note="", signer_name=clerk.full_name, signer_title="", note="")
            return self._end(life)
        if step == "transfer":
            emit(ev.DossierTransferred, clerk, from_name=d.holder or clerk.full_name, to_name=sp.full_name,
                 to_unit=nfc(sp.unit or sp.title), note="")
            if rng.random() < P_STUCK:
                return self._end(life)
            if rng.random() < P_SUPPLEMENT:
                return self._schedule(life, "supplement", add_working_minutes(t, rng.randint(60, 600), cal))
            return self._plan_result(life, t)
        if step == "supplement":
            emit(ev.SupplementRequested, sp,
                 items=(ev.SupplementItem(name="Bản sao có chứng thực giấy tờ tùy thân", certified=True),),
                 reason="Giấy tờ chưa đầy đủ, cần bổ sung", note="", resume_status=d.status)
            life.paused_at = t
            if rng.random() < P_SUPPLEMENT_NEVER:
                return self._end(life)
            return self._schedule(life, "supplemented", add_working_minutes(t, rng.randint(240, 2400), cal))
        if step == "supplemented":
            paused_at = life.paused_at
            new_due = extend_for_pause(d.due_at, paused_at, t, cal) if d.due_at else None
            new_stat = extend_for_pause(d.original_due_at, paused_at, t, cal) if d.original_due_at else None
            emit(ev.SupplementReceived, clerk, paused_minutes=working_minutes_between(paused_at, t, cal),
                 new_due_at=new_due, new_statutory_due_at=new_stat, note="", resume_status="in_progress")
            return self._plan_result(life, t)
        if step == "extend":
            due = d.due_at.astimezone(TZ)
            new_due = suggest_extension(due, _duration(d), cal)
            leader = self.specialists[-1]
            emit(ev.DossierExtended, sp, old_due_at=due, new_due_at=new_due,
                 reason="Cần xác minh thêm với cơ quan liên quan", signer_name=leader.full_name,
                 signer_title=leader.title, override=False, note="")
            return self._schedule(life, "result", life.paused_at)  # paused_at holds the planned result time
        if step == "result":
            if life.same_day:
                emit(ev.ResultReady, clerk, from_name="", from_unit=d.holder, to_name=clerk.full_name,
                     result="", note="")
            else:
                emit(ev.ResultReady, clerk, from_name=d.holder and sp.full_name or "", from_unit=d.holder,
                     to_name=clerk.full_name, result="", note="")
            if rng.random() < P_NOT_COLLECTED:
                return self._end(life)
            return self._schedule(life, "return", add_working_minutes(t, rng.randint(10, 1500), cal))
        if step == "return":
            method = "post" if d.return_method == "post" else "counter"
            emit(ev.DossierReturned, clerk, collected_by=d.applicant_name,
                 id_shown=d.applicant_id_number if rng.random() < 0.5 else "", method=method, note="")
            return self._end(life)
        raise AssertionError(step)

    def _plan_result(self, life: _Life, t: datetime) -> None:
        """Result time for the early / on time / late mix; the deficit of impossible earlies is carried."""
        rng, cal = self.rng, self.cal
        d = _View(self.live[life.dossier_id].state)
        due = (d.original_due_at or d.due_at)
        if due is None:
            return self._schedule(life, "result", add_working_minutes(t, rng.randint(30, 2400), cal))
        due = due.astimezone(TZ)
        roll = rng.random()
        due_open = datetime.combine(due.date(), cal.hours.morning_start, tzinfo=TZ)
        if roll < P_LATE:
            ready = add_working_minutes(due, rng.randint(30, 1200), cal)
            span = working_minutes_between(t, due, cal)
            if span > 60 and rng.random() < P_EXTEND_LATE and not life.same_day:
                life.paused_at = ready
                return self._schedule(life, "extend", add_working_minutes(t, span // 2, cal))
            return self._schedule(life, "result", ready)
        if roll < P_LATE + P_EARLY:
            self.early_debt += 1
        if self.early_debt > 0:
            before = working_minutes_between(t, due_open, cal)
            if before > 20:
                ready = add_working_minutes(t, rng.randint(5, before - 10), cal)
                if ready.date() < due.date():
                    self.early_debt -= 1
                    return self._schedule(life, "result", ready)
        lo = max(t, due_open)
        window = working_minutes_between(lo, due, cal)
        back = rng.randint(0, min(window, 240)) if window > 0 else 0
        ready = add_working_minutes(lo, max(1, window - back), cal) if window > 0 else lo
        ready = min(ready, due)
        if ready <= t:
            ready = min(due, t + timedelta(minutes=5))
        self._schedule(life, "result", ready)

    # --- the whole run ------------------------------------------------------------------------------
    def run(self, writer: _Writer, dossiers: int, years: float, progress=None) -> dict:
        rng, cal = self.rng, self.cal
        self.rows = _EventRows(self.db.engine.dialect)
        start = (self.now - timedelta(days=round(365.25 * years))).date()
        days = []
        d = start
        while d <= self.now.date():
            if cal.is_working_day(d):
                w = rng.uniform(0.8, 1.2) * (1.25 if d.weekday() == 0 else 0.9 if d.weekday() == 4 else 1.0)
                days.append((d, w))
            d += timedelta(days=1)
        total_w = sum(w for _, w in days)
        counts = [int(dossiers * w / total_w) for _, w in days]
        for i in rng.sample(range(len(days)), dossiers - sum(counts)):
            counts[i] += 1
        per_device = max(counts) / len(self.devices)
        if per_device * 1.3 > 999:
            raise ValueError(f"{dossiers} dossiers over {years} years need about {per_device:.0f} codes per device "
                             "per day (at most 999): give more years or more devices.")
        written = 0
        t0 = time.perf_counter()
        open_am, close_am = 7 * 60 + 10, 11 * 60 + 20
        open_pm, close_pm = 13 * 60 + 35, 16 * 60 + 50
        for (day, _), n in zip(days, counts, strict=True):
            minutes = sorted(rng.randint(open_am, close_am) if rng.random() < 0.6 else rng.randint(open_pm, close_pm)
                             for _ in range(n))
            for m in minutes:
                at = datetime.combine(day, dtime(m // 60, m % 60), tzinfo=TZ)
                if at >= self.now:
                    break
                self._drain(at.timestamp() - 1)
                self.receive(rng.choice(self.devices), at)
                written += 1
                if written % CHUNK == 0:
                    self._commit(writer)
                    if progress:
                        progress(written, dossiers, time.perf_counter() - t0)
        self._drain(self.now.timestamp())
        self._commit(writer)
        if progress:
            progress(written, dossiers, time.perf_counter() - t0)
        return {"dossiers": written, "events": self.local_seq, "by_type": dict(self.counts)}

    def _commit(self, writer: _Writer) -> None:
        writer.put([(self.rows.insert_sql, [self.rows.row(e) for e in self.events])])
        self.events = []

    def finish(self, con: sqlite3.Connection) -> None:
        """This device's counters, continuing where the data stops; its set-up events count as sent."""
        con.execute("BEGIN")
        me = self.devices[0]
        counters = {"event_seq": me.seq}
        counters.update(me.day_counts)
        counters.update({f"book:{y}": n for y, n in me.book.items()})
        con.execute("DELETE FROM counters WHERE device_id = ?", (me.id,))
        con.executemany("INSERT INTO counters (device_id, name, value) VALUES (?, ?, ?)",
                        [(me.id, k, v) for k, v in counters.items()])
        con.execute("UPDATE events SET server_seq = local_seq WHERE server_seq IS NULL AND occurred_at <= ?",
                    (self.unsent_after.strftime("%Y-%m-%dT%H:%M:%SZ"),))
        con.execute("COMMIT")


@dataclass(frozen=True)
class _Clerk:
    id: str
    full_name: str


def _duration(d: _View):
    from app.domain.deadline import Duration

    return Duration.from_json(d.duration)


# --- entry points ----------------------------------------------------------------------------------


def generate(path: Path | str, *, dossiers: int, years: float = 1, seed: int = 1, devices: int = 2,
             lifecycle: bool = True, quiet: bool = False, office: dict | None = None) -> Path:
    """Build a commune database at `path` (replaced if it exists). Progress goes to stderr. `office`: the
    settings of another commune than the demo's (its agency code starts every dossier code)."""
    if not 1 <= devices <= 9:
        raise ValueError("devices must be 1..9 (one slot each)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    db = Database(path, create=True)
    db.clock = lambda: (NOW - timedelta(days=4000)).astimezone(UTC)
    staff = [StaffAccount(u, n, "matkhau123", "clerk", "Công chức tiếp nhận") for u, n in CLERKS[:devices]]
    initialise_office(db, settings=office or OFFICE, slot=1, device_name="Quầy 1", staff=staff + SPECIALISTS)
    gen = Generator(db, seed=seed, devices=devices, lifecycle=lifecycle)
    db.close()

    def progress(done: int, total: int, secs: float) -> None:
        if not quiet:
            rate = done / secs if secs else 0
            print(f"  {done:>9,}/{total:,} dossiers  {secs:6.1f} s  ({rate:,.0f}/s)", file=sys.stderr, flush=True)

    con = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    con.execute("PRAGMA foreign_keys=ON")
    try:
        writer = _Writer(con)
        try:
            stats = gen.run(writer, dossiers, years, progress)
        finally:
            writer.close()
        gen.finish(con)
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()
    t1 = time.perf_counter()
    db = Database(path)
    with db.transaction() as s:
        folded = rebuild(s)
    db.close()
    if not quiet:
        t2 = time.perf_counter()
        print(f"generated {stats['dossiers']:,} dossiers, {stats['events']:,} events in {t1 - t0:.1f} s; "
              f"folded {folded:,} events in {t2 - t1:.1f} s ({folded / (t2 - t1):,.0f}/s) -> {path}",
              file=sys.stderr, flush=True)
    return path


def cache_path(*, dossiers: int, years: float = 1, seed: int = 1, devices: int = 2, lifecycle: bool = True) -> Path:
    life = "" if lifecycle else "-nolife"
    return CACHE_DIR / f"commune-v{GEN_VERSION}-n{dossiers}-y{years:g}-s{seed}-d{devices}{life}.sqlite"


def cached(*, dossiers: int, years: float = 1, seed: int = 1, devices: int = 2, lifecycle: bool = True,
           quiet: bool = False) -> Path:
    """The generated file for these parameters, made once and reused (under /tmp/motcua-bench/)."""
    path = cache_path(dossiers=dossiers, years=years, seed=seed, devices=devices, lifecycle=lifecycle)
    if path.exists():
        return path
    tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}{path.suffix}")
    generate(tmp, dossiers=dossiers, years=years, seed=seed, devices=devices, lifecycle=lifecycle, quiet=quiet)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, path)
    return path


def copy_of(src: Path, dst: Path) -> Path:
    """A private copy of a cached file (for benchmarks that write), via SQLite's backup API."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    a, b = sqlite3.connect(str(src)), sqlite3.connect(str(dst))
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    return dst


def main(argv: list[str] | None = None) -> int:
    ap_ = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    ap_.add_argument("out", type=Path)
    ap_.add_argument("--dossiers", type=int, required=True)
    ap_.add_argument("--years", type=float, default=1)
    ap_.add_argument("--seed", type=int, default=1)
    ap_.add_argument("--devices", type=int, default=2)
    ap_.add_argument("--no-lifecycle", action="store_true")
    a = ap_.parse_args(argv)
    generate(a.out, dossiers=a.dossiers, years=a.years, seed=a.seed, devices=a.devices, lifecycle=not a.no_lifecycle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
