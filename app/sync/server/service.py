"""What the province server does, apart from HTTP: communes, enrolment and tokens, push (idempotent, gapless per
device, commit-ordered server_seq), pull by scope and cursor, reference snapshots, the projector that folds
the log with the devices' own fold, and the check that the projections equal a fresh fold.

Every function takes a ServerDB and runs its own transaction; nothing here knows about FastAPI.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import String, Text, and_, delete, func, insert, or_, select, text, type_coerce, update
from sqlalchemy.orm import Session

from app.domain.codes import AGENCY_RE
from app.domain.ids import uuid7
from app.domain.text import nfc
from app.eventlog import Event, decode
from app.eventlog import payloads as p
from app.eventlog.fold import fold_stream
from app.eventlog.registry import (
    CALENDAR,
    CATALOGUE,
    DEVICE,
    LOGBOOK,
    RATING,
    SETTINGS,
    USER,
    Unreadable,
    reference_stream,
    stream_type_of,
)
from app.eventlog.store import EVENTS, T, event_row, refold
from app.services.catalogue import SEED_CATALOGUE, catalogue_payload
from app.services.errors import AuthError, NotFound, ServiceError
from app.sync import protocol as proto
from app.sync.server.store import ServerDB
from db.server_models import Commune, EnrolledDevice, Head, Projector, Quarantined, Share
from db.types import UTCDateTime

# Reference data is folded per commune on request (a snapshot with its version); the server keeps no
# single-commune tables of it.
REFERENCE_TYPES = (SETTINGS, CALENDAR, CATALOGUE)
# a kiosk gets its office's reference data, devices and the rating streams (the counters' invitations)
KIOSK_PULLS = (SETTINGS, CALENDAR, CATALOGUE, DEVICE, RATING)
KIOSK_WRITES_PREFIXES = ("rating.", "kiosk.", "device.")
SERVER_TABLES = tuple(name for name in T if name not in ("settings", "calendar_days", "procedures",
                                                          "reference_versions"))
CODE_LIFETIME = timedelta(days=7)
SEEN_EVERY = timedelta(minutes=1)  # how stale a device's last_seen_at may get
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(dt: datetime) -> datetime:
    """A device's instant in UTC. One without a zone is taken as UTC; one so near year 1 or 9999 that its zone
    takes it out of range is pinned to that end (a device's clock is informational, never used for ordering)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:
        return (datetime.min if dt.year < 5000 else datetime.max).replace(tzinfo=UTC)


MAX_OFFSET_S = 50 * 366 * 86400  # a clock further off than 50 years is reported as 50 years off (fits int32)


def clock_offset(now: datetime, device_time: datetime) -> int:
    """Server time − device time in seconds, bounded (it is stored in an integer column)."""
    seconds = int((now - as_utc(device_time)).total_seconds())
    return max(-MAX_OFFSET_S, min(MAX_OFFSET_S, seconds))


INT32 = 2**31 - 1  # sequence numbers and versions are integer columns
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Malformed(Exception):
    """A request no genuine device sends (a NUL character the database cannot store, a number beyond its
    columns): refused whole with 422, nothing stored."""

    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


def _bad_text(value) -> bool:
    """Whether a value holds, at any depth, a string with a NUL character (PostgreSQL's text refuses it) or a
    number JSON cannot carry (NaN, infinity: Python's JSON reader takes them, every other one refuses them)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_bad_text(k) or _bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_text(v) for v in value)
    return False


def check_request(req: proto.Message) -> None:
    """Refuse (Malformed) a request whose envelope the database could not store. An event's payload is not
    looked at here: a payload that cannot be stored is quarantined, so that the device's queue goes on."""
    for name, value in req:
        if name == "events":
            for i, w in enumerate(value):  # field by field: this runs for every pushed event
                if not UUID_RE.match(w.event_id):
                    raise Malformed(f"events.{i}.event_id")
                if "\x00" in f"{w.device_id}{w.stream_type}{w.stream_id}{w.type}{w.actor_id or ''}{w.commune}":
                    raise Malformed(f"events.{i}")
                if w.device_seq > INT32 or w.base_version > INT32 or not -INT32 <= (w.server_seq or 0) <= INT32:
                    raise Malformed(f"events.{i}")
        elif _bad_text(value) or (isinstance(value, int) and not isinstance(value, bool)
                                  and not -INT32 <= value <= INT32):
            raise Malformed(name)


def content_hash(w: proto.WireEvent) -> str:
    """What identifies an event's content: a resend has the same hash, another event with the same id not."""
    body = {"device_id": w.device_id, "device_seq": w.device_seq, "stream_type": w.stream_type,
            "stream_id": w.stream_id, "type": w.type, "type_version": w.type_version, "payload": w.payload,
            "actor_id": w.actor_id, "occurred_at": as_utc(w.occurred_at).strftime("%Y-%m-%dT%H:%M:%SZ")}
    return sha(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


# --- set-up --------------------------------------------------------------------------------------------------


def init_server(db: ServerDB) -> Head:
    """Create or upgrade the schema; the first time, give the server its id and first epoch."""
    db.migrate()
    with db.transaction() as s:
        head = s.get(Head, 1)
        if head is None:
            head = Head(id=1, server_id=str(uuid7()), epoch=str(uuid7()), last_seq=0)
            s.add(head)
        if s.get(Projector, 1) is None:
            s.add(Projector(id=1, projected_seq=0))
        return head


def head_of(s: Session) -> Head:
    head = s.get(Head, 1)
    if head is None:
        raise ServiceError("Máy chủ chưa được khởi tạo: hãy chạy “motcua server init --db …”.")
    return head


def rotate_epoch(db: ServerDB) -> str:
    """After restoring the server's database from a backup: devices pull their scope again from the start
    (their events are kept; what the backup lost, they push again)."""
    with db.transaction() as s:
        head = head_of(s)
        head.epoch = str(uuid7())
        return head.epoch


def check_agency_code(code: str) -> str:
    code = nfc(code).upper()
    if not AGENCY_RE.match(code):
        raise ServiceError(f"Mã cơ quan “{code}” không đúng dạng mã định danh điện tử (ví dụ 000.17.22.H56).")
    return code


def commune_settings(agency_code: str, name: str, public_url: str = "") -> dict:
    """The first settings of a commune; its administrator changes them later from a counter."""
    bare = re.sub(r"^(xã|phường|đặc khu|thị trấn)\s+", "", name, flags=re.I)
    settings = {"agency_code": agency_code, "commune_name": name, "place_name": bare,
                "parent_body": f"Ủy ban nhân dân {name}", "center_name": f"Trung tâm Phục vụ hành chính công {name}"}
    if public_url:
        settings["lookup_url_template"] = public_url.rstrip("/") + "/tra-cuu/{code}"
    return settings


def add_commune(db: ServerDB, *, agency_code: str, name: str, admin_user: str, admin_name: str,
                admin_password: str, public_url: str = "", now: datetime | None = None) -> str:
    """A new commune: the server's own device for it writes its settings, the seed catalogue and its first
    administrator, so that any device that enrols gets them. Returns the commune's agency code."""
    from app.services.users import new_user_payload

    agency_code = check_agency_code(agency_code)
    name = nfc(name)
    if not name:
        raise ServiceError("Hãy ghi tên xã, phường (ví dụ “xã Tân Hưng”).")
    user = new_user_payload(username=admin_user, full_name=admin_name or admin_user, password=admin_password,
                            role="admin")
    now = now or now_utc()
    catalogue = catalogue_payload(json.loads(SEED_CATALOGUE.read_text(encoding="utf-8")))
    with db.transaction() as s:
        if s.get(Commune, agency_code) is not None:
            raise ServiceError(f"Đã có xã, phường với mã {agency_code}.")
        device_id = str(uuid7())
        s.add(Commune(agency_code=agency_code, name=name, server_device_id=device_id, created_at=now))
        dev = EnrolledDevice(device_id=device_id, agency_code=agency_code, kind="server", slot=0,
                             name=f"Máy chủ tỉnh – {name}", status="active", acked_seq=0, app_version="",
                             created_at=now)
        s.add(dev)
        s.flush()
        user_id = str(uuid7())
        write_server_events(s, dev, [
            (device_id, p.DeviceRegistered(kind="server", slot=0, name=dev.name, agency_code=agency_code)),
            (reference_stream(SETTINGS, agency_code), p.SettingsChanged(values=commune_settings(
                agency_code, name, public_url))),
            (reference_stream(CATALOGUE, agency_code), catalogue),
            (user_id, user),
        ], now)
    return agency_code


def write_server_events(s: Session, dev: EnrolledDevice, items: list[tuple[str, p.Payload]], now: datetime,
                        actor_id: str | None = None) -> list[Event]:
    """Events of the server's own device for a commune, sequenced like any push."""
    events = []
    for stream_id, payload in items:
        dev.acked_seq += 1
        events.append(Event(event_id=str(uuid7()), device_id=dev.device_id, device_seq=dev.acked_seq,
                            stream_type=stream_type_of(payload.TYPE), stream_id=stream_id, type=payload.TYPE,
                            type_version=payload.VERSION, payload=payload, actor_id=actor_id, occurred_at=now,
                            commune=dev.agency_code))
    rows = []
    for e in events:
        row = event_row(e)
        row["payload_sha256"] = content_hash(wire_of(e))
        rows.append(row)
    _sequence(s, rows)
    s.execute(insert(EVENTS), rows)
    return events


def _sequence(s: Session, rows: list[dict]) -> None:
    """Give rows their server_seq: take the head row's lock (held until COMMIT, so the numbers follow commit
    order and a late commit is never skipped by a pull) and move it on by len(rows)."""
    if not rows:
        return
    last = s.execute(update(Head).where(Head.id == 1).values(last_seq=Head.last_seq + len(rows))
                     .returning(Head.last_seq)).scalar_one()
    for i, row in enumerate(rows):
        row["server_seq"] = last - len(rows) + 1 + i


# --- enrolment and tokens ------------------------------------------------------------------------------------


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _norm_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def enrol_code(db: ServerDB, *, agency_code: str, kind: str, slot: int, name: str = "",
               now: datetime | None = None) -> str:
    """A one-time code (valid 7 days) for a device of `kind` and `slot` of a commune. A slot whose device
    is active is refused; a revoked device's slot gets a code for that same device (re-enrolment: a new
    token, its events continue)."""
    agency_code = check_agency_code(agency_code)
    if kind not in ("counter", "kiosk"):
        raise ServiceError("Loại thiết bị chỉ là counter (quầy) hoặc kiosk (ki-ốt đánh giá).")
    if not 1 <= slot <= 9:
        raise ServiceError("Số hiệu máy (slot) phải từ 1 đến 9.")
    now = now or now_utc()
    code = _new_code()
    with db.transaction() as s:
        if s.get(Commune, agency_code) is None:
            raise NotFound(f"Chưa có xã, phường mã {agency_code}: hãy tạo bằng “motcua server add-commune”.")
        dev = s.scalar(select(EnrolledDevice).where(EnrolledDevice.agency_code == agency_code,
                                                    EnrolledDevice.kind == kind, EnrolledDevice.slot == slot))
        if dev is not None and dev.status == "active":
            raise ServiceError(f"Máy số {slot} ({kind}) của {agency_code} đang hoạt động; không cấp mã cho máy "
                               "thứ hai cùng số hiệu. Nếu thay máy, hãy thu hồi máy cũ trước (“server revoke”).")
        if dev is None:
            label = name or (f"Quầy {slot}" if kind == "counter" else f"Ki-ốt quầy {slot}")
            dev = EnrolledDevice(device_id=str(uuid7()), agency_code=agency_code, kind=kind, slot=slot, name=label,
                                 status="pending", acked_seq=0, app_version="", created_at=now)
            s.add(dev)
        elif name:
            dev.name = name
        dev.code_hash = sha(_norm_code(code))
        dev.code_expires_at = now + CODE_LIFETIME
    return code


def enroll(db: ServerDB, req: proto.EnrollRequest, *, now: datetime | None = None) -> proto.EnrollResponse:
    check_request(req)
    now = now or now_utc()
    token = secrets.token_urlsafe(32)
    with db.transaction() as s:
        dev = s.scalar(select(EnrolledDevice).where(EnrolledDevice.code_hash == sha(_norm_code(req.code))))
        if dev is None or dev.code_expires_at is None or dev.code_expires_at < now:
            raise AuthError("Mã đăng ký không đúng hoặc đã hết hạn. Hãy xin quản trị máy chủ tỉnh cấp mã mới.")
        if req.device_id and req.device_id != dev.device_id:
            if req.agency_code != dev.agency_code:
                raise ServiceError(f"Máy này thuộc đơn vị {req.agency_code}, còn mã đăng ký dành cho "
                                   f"{dev.agency_code}; hãy xin mã của đúng xã, phường.")
            if dev.acked_seq or s.get(EnrolledDevice, req.device_id) is not None:
                raise ServiceError("Mã đăng ký này dành cho một máy đã có dữ liệu trên máy chủ; hãy xin mã mới.")
            dev.device_id = req.device_id  # adopt the PC's own identity: its log continues as it is
        dev.code_hash = None
        dev.code_expires_at = None
        dev.token_hash = sha(token)
        forget_tokens()
        dev.status = "active"
        dev.app_version = req.app_version[:32]
        dev.last_seen_at = now
        commune = s.get(Commune, dev.agency_code)
        head = head_of(s)
        return proto.EnrollResponse(device_id=dev.device_id, token=token, kind=dev.kind, slot=dev.slot,
                                    name=dev.name, agency_code=dev.agency_code, commune_name=commune.name,
                                    server_id=head.server_id, epoch=head.epoch, acked_seq=dev.acked_seq)


def revoke(db: ServerDB, *, agency_code: str, slot: int, kind: str = "counter") -> str:
    with db.transaction() as s:
        dev = s.scalar(select(EnrolledDevice).where(EnrolledDevice.agency_code == check_agency_code(agency_code),
                                                    EnrolledDevice.kind == kind, EnrolledDevice.slot == slot))
        if dev is None:
            raise NotFound(f"Không có máy số {slot} ({kind}) của {agency_code}.")
        dev.status = "revoked"
        dev.token_hash = None
        dev.code_hash = None
        forget_tokens()
        return dev.device_id


def accept_gap(db: ServerDB, *, agency_code: str, slot: int, kind: str, through: int) -> tuple[int, int]:
    """An administrator's decision that a device's events up to `through` that the server never received are
    lost (the PC was restored from an old backup and the file that held them is gone): its sequence goes on
    after them. Returns the range accepted as missing."""
    with db.transaction() as s:
        dev = s.scalar(select(EnrolledDevice).where(EnrolledDevice.agency_code == check_agency_code(agency_code),
                                                    EnrolledDevice.kind == kind, EnrolledDevice.slot == slot)
                       .with_for_update())
        if dev is None:
            raise NotFound(f"Không có máy số {slot} ({kind}) của {agency_code}.")
        if through <= dev.acked_seq:
            raise ServiceError(f"Máy chủ đã có đủ sự kiện đến số {dev.acked_seq}; không có khoảng thiếu nào đến "
                               f"số {through}.")
        missing = (dev.acked_seq + 1, through)
        dev.acked_seq = through
        return missing


TOKEN_TTL_S = 5.0
_tokens: dict[str, tuple[float, EnrolledDevice]] = {}  # sha256(token) -> (when looked up, device)
_tokens_lock = threading.Lock()


def authenticate_cached(db: ServerDB, token: str) -> EnrolledDevice:
    """`authenticate`, remembered for TOKEN_TTL_S seconds in this process (an idle poll then costs no lookup of its
    own). Only identity and scope are used from it: push and hello read the device's row anyway and refuse a
    revoked device there; a revocation by another process reaches a pull within TOKEN_TTL_S, and one by this
    process (revoke, enroll) at once."""
    if not token:
        raise AuthError("Thiếu mã xác thực thiết bị.")
    dev = cached_device(token)
    if dev is not None:
        return dev
    key, now = sha(token), time.monotonic()
    dev = authenticate(db, token)
    with _tokens_lock:
        if len(_tokens) > 50_000:
            _tokens.clear()
        _tokens[key] = (now, dev)
    return dev


def cached_device(token: str) -> EnrolledDevice | None:
    """The device of a token this process looked up less than TOKEN_TTL_S seconds ago, without touching the
    database (None otherwise)."""
    with _tokens_lock:
        hit = _tokens.get(sha(token))
    if hit is not None and time.monotonic() - hit[0] < TOKEN_TTL_S:
        return hit[1]
    return None


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()


def _refuse_revoked(row: EnrolledDevice) -> None:
    if row.status != "active":
        forget_tokens()
        raise AuthError("Thiết bị chưa đăng ký hoặc đã bị thu hồi; hãy đăng ký lại với mã mới.")


def authenticate(db: ServerDB, token: str) -> EnrolledDevice:
    if not token:
        raise AuthError("Thiếu mã xác thực thiết bị.")
    with db.transaction() as s:
        dev = s.scalar(select(EnrolledDevice).where(EnrolledDevice.token_hash == sha(token)))
        if dev is None or dev.status != "active":
            raise AuthError("Thiết bị chưa đăng ký hoặc đã bị thu hồi; hãy đăng ký lại với mã mới.")
        s.expunge(dev)
        return dev


# --- hello, push, pull -----------------------------------------------------------------------------------------


# written out once (an idle device's hello pays for no statement building); last_seen_at typed as the model's
def _hello_sql(kind: str):
    """Hello's one statement: the head, the device's row, and whether the device's scope holds events after its
    cursor (`behind`: the same scope a pull reads, or wider, never narrower), so that an up-to-date device's
    whole idle round is this one request.

    Written so that any plan is an index probe: the commune's newest position is a max() over the (commune,
    server_seq) index, compared with the cursor outside it; a shared dossier's newest position likewise by its
    stream. (An EXISTS with `server_seq > $cursor` inside lets PostgreSQL's generic plan for a prepared
    statement pick a sequential scan that expects to stop at the first row, and reads the whole log when the
    device is up to date: 38 ms instead of 0.3.)"""
    if kind == "kiosk":
        assert all(re.fullmatch(r"[a-z_]+", t) for t in KIOSK_PULLS)
        types = ", ".join(f"'{t}'" for t in KIOSK_PULLS)
        behind = (f"COALESCE((SELECT server_seq FROM events WHERE commune = :agency AND server_seq > :seq "
                  f"AND stream_type IN ({types}) ORDER BY server_seq LIMIT 1), 0) > 0")
    else:
        behind = ("(COALESCE((SELECT max(server_seq) FROM events WHERE commune = :agency), 0) > :seq OR EXISTS "
                  "(SELECT 1 FROM srv_shares s WHERE s.agency_code = :agency AND "
                  "COALESCE((SELECT max(e.server_seq) FROM events e WHERE e.stream_id = s.stream_id), 0) > :seq))")
    return text("SELECT h.server_id, h.epoch, d.status, d.acked_seq, d.last_seen_at, d.clock_offset_s, "
                f"d.app_version, {behind} AS behind FROM srv_head h JOIN srv_devices d ON true "
                "WHERE h.id = 1 AND d.device_id = :id").columns(last_seen_at=UTCDateTime)


_HELLO_SQL = {kind: _hello_sql(kind) for kind in ("counter", "kiosk")}


def hello(db: ServerDB, dev: EnrolledDevice, req: proto.HelloRequest, *, now: datetime | None = None
          ) -> proto.HelloResponse:
    check_request(req)
    cur = proto.parse_cursor(req.cursor) if req.cursor else None
    with db.read() as con:  # one round trip for an idle device: the head, its row and whether it is behind
        got = _hello_row(con, dev, cur)
    return _hello_answer(db, dev, req, cur, got, now or now_utc(), write=True)  # type: ignore[return-value]


def hello_on_loop(db: ServerDB, dev: EnrolledDevice, req: proto.HelloRequest
                  ) -> proto.HelloResponse | Callable[[], proto.HelloResponse]:
    """`hello` as the server's event loop runs it: the statement on the loop's own connection (PostgreSQL; a few
    index probes that take no lock, cheaper than the hop to a worker thread and back, which cost a third of an
    idle poll), and the answer when nothing more is needed. Otherwise the rest of the work, for a worker thread:
    the write to the device's row or the refusal with the row already read, or the whole `hello` when the loop's
    connection is in use, broken or absent (SQLite)."""
    check_request(req)
    now = now_utc()
    cur = proto.parse_cursor(req.cursor) if req.cursor else None
    try:
        with db.loop_connection() as con:
            got = _hello_row(con, dev, cur) if con is not None else None
    except Exception:  # noqa: BLE001 - the broken connection was dropped; the whole hello runs in a thread
        con = None
    if con is None:
        return partial(hello, db, dev, req, now=now)
    answer = _hello_answer(db, dev, req, cur, got, now, write=False)
    return answer or partial(_hello_answer, db, dev, req, cur, got, now, write=True)


def _hello_row(con, dev: EnrolledDevice, cur: tuple[str, str, int] | None):
    sql = _HELLO_SQL["kiosk" if dev.kind == "kiosk" else "counter"]
    return con.execute(sql, {"id": dev.device_id, "agency": dev.agency_code,
                             "seq": cur[2] if cur else -1}).one_or_none()


def _hello_answer(db: ServerDB, dev: EnrolledDevice, req: proto.HelloRequest, cur: tuple[str, str, int] | None,
                  got, now: datetime, *, write: bool) -> proto.HelloResponse | None:
    """The answer to a hello from its row; with `write=False`, None when it needs a write or a refusal."""
    offset = clock_offset(now, req.device_time)
    version = req.app_version[:32]
    if got is None or got.status != "active":
        if not write:
            return None
        if got is None:
            with db.transaction() as s:
                head_of(s)
        forget_tokens()
        raise AuthError("Thiết bị chưa đăng ký hoặc đã bị thu hồi; hãy đăng ký lại với mã mới.")
    # written when it says something new: an idle device's hello every few seconds costs no commit to disk
    if (got.last_seen_at is None or now - got.last_seen_at >= SEEN_EVERY or got.clock_offset_s is None
            or abs(got.clock_offset_s - offset) > 5 or got.app_version != version):
        if not write:
            return None
        D = EnrolledDevice
        with db.transaction() as s:
            s.execute(update(D).where(D.device_id == dev.device_id)
                      .values(last_seen_at=now, clock_offset_s=offset, app_version=version))
    resync = bool(req.cursor) and (cur is None or cur[0] != got.server_id or cur[1] != got.epoch)
    message = ""
    if abs(offset) > 300:
        message = (f"Đồng hồ máy này lệch {abs(offset) // 60} phút so với máy chủ tỉnh: hãy chỉnh lại giờ máy "
                   "để giấy hẹn ghi đúng thời điểm tiếp nhận.")
    return proto.HelloResponse(server_id=got.server_id, epoch=got.epoch, server_time=now, acked_seq=got.acked_seq,
                               must_resync=resync, clock_offset_s=offset, message=message,
                               behind=resync or cur is None or bool(got.behind))


class Gap(Exception):
    def __init__(self, expected: int):
        super().__init__(f"expected device_seq {expected}")
        self.expected = expected


class Forbidden(Exception):
    pass


@dataclass
class _Batch:
    """What the server learns while checking one push (streams' communes, users of the commune), so that
    each is looked up once, and what the events before in the batch establish for the ones after."""

    streams: dict[str, str | None]  # stream id -> commune (None: not on the server yet)
    users: dict[str, bool]  # user id -> is a user of the pushing device's commune


def _prefetch(s: Session, agency: str, events: list[proto.WireEvent]) -> _Batch:
    """The communes of the streams a batch writes to and which of its actors are users of the commune, each
    looked up in one statement for the whole batch (not one per stream: a batch of 500 events touches a few
    hundred dossiers)."""
    batch = _Batch({}, {})
    ids = sorted({w.stream_id for w in events if w.stream_type not in (SETTINGS, CALENDAR, CATALOGUE, LOGBOOK,
                                                                         DEVICE)})
    if ids:
        first = (select(EVENTS.c.stream_id, func.min(EVENTS.c.server_seq).label("seq"))
                 .where(EVENTS.c.stream_id.in_(ids)).group_by(EVENTS.c.stream_id).subquery())
        found = dict(s.execute(select(EVENTS.c.stream_id, EVENTS.c.commune).join(
            first, and_(EVENTS.c.stream_id == first.c.stream_id, EVENTS.c.server_seq == first.c.seq))).all())
        batch.streams.update({i: found.get(i) for i in ids})
    actors = sorted({w.actor_id for w in events if w.actor_id})
    if actors:
        known = set(s.scalars(select(EVENTS.c.stream_id).where(EVENTS.c.stream_id.in_(actors),
                                                                EVENTS.c.type == p.UserCreated.TYPE,
                                                                EVENTS.c.commune == agency)))
        batch.users.update({a: a in known for a in actors})
    return batch


def _stream_commune(s: Session, batch: _Batch, stream_id: str) -> str | None:
    """The commune a stream belongs to: the commune of its first event on the server."""
    if stream_id not in batch.streams:
        batch.streams[stream_id] = s.scalar(select(EVENTS.c.commune).where(EVENTS.c.stream_id == stream_id)
                                            .order_by(EVENTS.c.server_seq).limit(1))
    return batch.streams[stream_id]


def _shared_with(s: Session, stream_id: str, agency: str) -> bool:
    return s.get(Share, (stream_id, agency)) is not None


def _user_of(s: Session, batch: _Batch, user_id: str, agency: str) -> bool:
    if user_id not in batch.users:
        batch.users[user_id] = s.scalar(select(func.count()).select_from(EVENTS).where(
            EVENTS.c.stream_id == user_id, EVENTS.c.type == p.UserCreated.TYPE, EVENTS.c.commune == agency)) > 0
    return batch.users[user_id]


def _refuse(s: Session, dev: EnrolledDevice, w: proto.WireEvent, body, batch: _Batch) -> tuple[str, str] | None:
    """Why an authenticated device's event is kept aside (quarantined) instead of stored: (reason, detail)."""
    agency = dev.agency_code
    if dev.kind == "kiosk" and not w.type.startswith(KIOSK_WRITES_PREFIXES):
        return "kind", f"Ki-ốt không được ghi sự kiện loại {w.type}."
    known = stream_type_of(w.type)
    if known is not None and known != w.stream_type:
        return "invalid", f"Sự kiện {w.type} không thuộc loại luồng {w.stream_type}."
    if w.payload is None:
        return "invalid", f"Sự kiện {w.type} không có nội dung."
    if _bad_text(w.payload):
        return "invalid", f"Nội dung sự kiện {w.type} có ký tự NUL hoặc số không hợp lệ (NaN), không lưu được."
    if isinstance(body, Unreadable) and body.reason == "invalid":
        return "invalid", f"Nội dung sự kiện {w.type} phiên bản {w.type_version} không hợp lệ."
    if w.stream_type in (SETTINGS, CALENDAR, CATALOGUE):
        if w.stream_id != reference_stream(w.stream_type, agency):
            return "scope", "Dữ liệu tham chiếu của xã khác."
    elif w.stream_type == LOGBOOK:
        if w.stream_id != f"{LOGBOOK}/{dev.device_id}":
            return "scope", "Sổ theo dõi của máy khác."
    elif w.stream_type == DEVICE:
        if w.stream_id != dev.device_id:
            return "scope", "Thông tin thiết bị khác."
    else:  # dossiers, intake slips, users, ratings…: a stream belongs to the commune that began it
        owner = _stream_commune(s, batch, w.stream_id)
        if owner is not None and owner != agency and not _shared_with(s, w.stream_id, agency):
            return "scope", "Hồ sơ hoặc tài khoản của xã khác, chưa được chuyển cho xã này."
    if w.actor_id and not _user_of(s, batch, w.actor_id, agency):
        return "actor", "Người thực hiện không phải cán bộ của xã này."
    return None


def push(db: ServerDB, dev: EnrolledDevice, req: proto.PushRequest, *, now: datetime | None = None
         ) -> proto.PushResponse:
    """Store a device's events: idempotent by event id, contiguous per device (Gap when the first new one is not
    the next), quarantined when another event already has the id or the device may not write it; a rule the
    dossier's state breaks is stored and flagged by the fold, never bounced. One transaction."""
    check_request(req)
    now = now or now_utc()
    if req.device_id != dev.device_id or any(w.device_id != dev.device_id for w in req.events):
        raise Forbidden("Lô sự kiện mang mã thiết bị khác với thiết bị đã xác thực.")
    events = sorted(req.events, key=lambda w: w.device_seq)
    with db.transaction() as s:
        row = s.execute(select(EnrolledDevice).where(EnrolledDevice.device_id == dev.device_id)
                        .with_for_update()).scalar_one()
        _refuse_revoked(row)
        acked = row.acked_seq
        ids = [w.event_id for w in events]
        stored = {r.event_id: r for r in s.execute(select(EVENTS.c.event_id, EVENTS.c.device_id, EVENTS.c.device_seq,
                                                          EVENTS.c.payload_sha256)
                                                   .where(EVENTS.c.event_id.in_(ids)))} if ids else {}
        held = {}
        if ids:
            for q in s.scalars(select(Quarantined).where(Quarantined.event_id.in_(ids))):
                held[q.event_id] = q
        results: list[proto.PushResult] = []
        shares: list[tuple[str, str, str]] = []
        fresh: list[dict] = []
        quarantine: list[dict] = []
        batch = _prefetch(s, row.agency_code, [w for w in events if w.device_seq > acked])
        expected = acked + 1
        for w in events:
            h = content_hash(w)
            old = stored.get(w.event_id)
            if w.device_seq <= acked or old is not None:
                if old is not None and old.payload_sha256 == h:
                    results.append(proto.PushResult(event_id=w.event_id, status="duplicate"))
                elif w.event_id in held and held[w.event_id].body.get("sha256") == h:
                    results.append(proto.PushResult(event_id=w.event_id, status="quarantined",
                                                    reason=held[w.event_id].reason))
                else:
                    quarantine.append(_held(w, h, "id_reuse", "Mã sự kiện đã dùng cho nội dung khác.", now))
                    results.append(proto.PushResult(event_id=w.event_id, status="quarantined", reason="id_reuse"))
                continue
            if w.device_seq != expected:
                if expected == acked + 1:
                    raise Gap(expected)
                break  # the rest waits: the device resends from the acknowledged number
            expected += 1
            body = decode(w.type, w.type_version, w.payload)
            why = _refuse(s, row, w, body, batch)
            if why is not None:
                quarantine.append(_held(w, h, why[0], why[1], now))
                results.append(proto.PushResult(event_id=w.event_id, status="quarantined", reason=why[0]))
                continue
            if batch.streams.get(w.stream_id) is None:
                batch.streams[w.stream_id] = row.agency_code
            if isinstance(body, p.UserCreated):
                batch.users[w.stream_id] = True
            if isinstance(body, p.DossierShared):
                shares.append((w.event_id, w.stream_id, body.agency_code))
            fresh.append({"event_id": w.event_id, "device_id": w.device_id, "device_seq": w.device_seq,
                          "stream_type": w.stream_type, "stream_id": w.stream_id, "type": w.type,
                          "type_version": w.type_version, "payload": w.payload, "actor_id": w.actor_id,
                          "occurred_at": as_utc(w.occurred_at).replace(microsecond=0),
                          "base_version": w.base_version, "commune": row.agency_code, "payload_sha256": h})
            results.append(proto.PushResult(event_id=w.event_id, status="stored"))
        if quarantine:
            s.execute(insert(Quarantined.__table__), quarantine)
        row.acked_seq = expected - 1
        row.last_seen_at = now
        s.flush()  # the device's row before the head's lock: nothing but the COMMIT may follow that
        if fresh:
            # as late as possible: the head row's lock is held until COMMIT
            if db.postgres:
                _insert_sequenced(s, fresh)
            else:
                _sequence(s, fresh)
                s.execute(insert(EVENTS), fresh)
            seq_of = {r["event_id"]: r["server_seq"] for r in fresh}
            for event_id, stream_id, agency in shares:  # rare (a dossier handed to another commune)
                _share(s, stream_id, agency, seq_of[event_id])
        return proto.PushResponse(acked_seq=row.acked_seq, results=results)


_SEQUENCED_COLS = ("event_id", "device_id", "device_seq", "stream_type", "stream_id", "type", "type_version",
                   "payload", "actor_id", "occurred_at", "base_version", "commune", "payload_sha256")
_SEQUENCED_TYPES = {"device_seq": "integer", "type_version": "integer", "base_version": "integer"}
# The head row's lock and the insert as one statement (PostgreSQL), the last before COMMIT. Every pusher of the
# province waits on that lock until COMMIT, so what runs between taking it and committing is paid by all of them
# in turn: taking the head, then inserting, then updating the device row held it through three round trips, each
# a wait for the interpreter's lock and the CPU in a busy worker (bench devices, 100 devices on one profiled
# worker: 237 ms of a push's 402 ms went to waiting for the head; 34 ms of 172 since).
_SEQUENCED_SQL = (
    "WITH h AS (UPDATE srv_head SET last_seq = last_seq + %(n)s WHERE id = 1 RETURNING last_seq) "
    f"INSERT INTO events ({', '.join(_SEQUENCED_COLS)}, server_seq) "
    f"SELECT {', '.join('u.' + c for c in _SEQUENCED_COLS)}, h.last_seq - %(n)s + u.ord "
    "FROM h, unnest("
    + ", ".join(f"%({c})s::{_SEQUENCED_TYPES.get(c, 'text')}[]" for c in _SEQUENCED_COLS)
    + f") WITH ORDINALITY AS u({', '.join(_SEQUENCED_COLS)}, ord) RETURNING event_id, server_seq")


def _insert_sequenced(s: Session, rows: list[dict]) -> None:
    """Insert the rows with their server_seq taken from the head row in the same statement (PostgreSQL), in the
    rows' order. The lock it takes is held until COMMIT, so the numbers follow commit order."""
    dialect = s.get_bind().dialect
    params: dict = {"n": len(rows)}
    for name in _SEQUENCED_COLS:
        convert = EVENTS.c[name].type.bind_processor(dialect)  # the column's own conversion (JSON, UTC text)
        values = [r[name] for r in rows]
        params[name] = [convert(v) for v in values] if convert else values
    seq_of = dict(s.connection().exec_driver_sql(_SEQUENCED_SQL, params).all())
    for r in rows:
        r["server_seq"] = seq_of[r["event_id"]]


def _share(s: Session, stream_id: str, agency: str, seq: int) -> None:
    if agency and s.get(Share, (stream_id, agency)) is None and s.get(Commune, agency) is not None:
        s.add(Share(stream_id=stream_id, agency_code=agency, shared_at_seq=seq))
        s.flush()


def _held(w: proto.WireEvent, h: str, reason: str, detail: str, now: datetime) -> dict:
    body = json.loads(w.model_dump_json())
    body["sha256"] = h
    return {"event_id": w.event_id, "device_id": w.device_id, "device_seq": w.device_seq, "reason": reason,
            "detail": detail, "body": body, "received_at": now, "reviewed": False}


class MustResync(Exception):
    def __init__(self, epoch: str):
        super().__init__("cursor of another epoch")
        self.epoch = epoch


def wire_of(e: Event) -> proto.WireEvent:
    return proto.WireEvent(event_id=e.event_id, device_id=e.device_id, device_seq=e.device_seq,
                           stream_type=e.stream_type, stream_id=e.stream_id, type=e.type, type_version=e.type_version,
                           payload=e.stored_payload(), actor_id=e.actor_id, occurred_at=e.occurred_at,
                           base_version=e.base_version, server_seq=e.server_seq, commune=e.commune)


_WIRE_COLS = (EVENTS.c.event_id, EVENTS.c.device_id, EVENTS.c.device_seq, EVENTS.c.stream_type, EVENTS.c.stream_id,
              EVENTS.c.type, EVENTS.c.type_version, EVENTS.c.actor_id,
              type_coerce(EVENTS.c.occurred_at, String).label("occurred_at"), EVENTS.c.base_version,
              EVENTS.c.server_seq, EVENTS.c.commune, type_coerce(EVENTS.c.payload, Text).label("payload"))


_WIRE_SQL = ("event_id, device_id, device_seq, stream_type, stream_id, type, type_version, actor_id, occurred_at, "
             "base_version, server_seq, commune, payload")
# The page of a pull on PostgreSQL, with the head, as one statement written out (an idle poll pays for neither
# building nor compiling a statement). The commune's own events and the events of dossiers shared with it are
# two index range scans (commune, server_seq) and (stream_id) merged, not one OR that would walk every commune's
# events after the cursor.
_PULL_SQL = f"""
SELECT h.server_id AS head_server_id, h.epoch AS head_epoch, p.* FROM srv_head h LEFT JOIN LATERAL (
  SELECT * FROM (
    (SELECT {_WIRE_SQL} FROM events
      WHERE commune = %(agency)s AND server_seq > %(seq)s ORDER BY server_seq LIMIT %(n)s)
    UNION ALL
    (SELECT {', '.join('e.' + c.strip() for c in _WIRE_SQL.split(','))} FROM srv_shares s
      JOIN events e ON e.stream_id = s.stream_id
      WHERE s.agency_code = %(agency)s AND e.commune <> %(agency)s AND e.server_seq > %(seq)s
      ORDER BY e.server_seq LIMIT %(n)s)
  ) u ORDER BY server_seq LIMIT %(n)s
) p ON true WHERE h.id = 1 ORDER BY p.server_seq"""
_PULL_KIOSK_SQL = f"""
SELECT h.server_id AS head_server_id, h.epoch AS head_epoch, p.* FROM srv_head h LEFT JOIN LATERAL (
  SELECT {_WIRE_SQL} FROM events
   WHERE commune = %(agency)s AND server_seq > %(seq)s AND stream_type = ANY(%(types)s)
   ORDER BY server_seq LIMIT %(n)s
) p ON true WHERE h.id = 1 ORDER BY p.server_seq"""


def _wire_text(r) -> str:
    """An event as a WireEvent's JSON, its payload spliced in as stored (already JSON): a page of a thousand
    events is neither parsed nor validated again on its way out."""
    head = json.dumps({"event_id": r.event_id, "device_id": r.device_id, "device_seq": r.device_seq,
                       "stream_type": r.stream_type, "stream_id": r.stream_id, "type": r.type,
                       "type_version": r.type_version, "actor_id": r.actor_id, "occurred_at": r.occurred_at,
                       "base_version": r.base_version, "server_seq": r.server_seq, "commune": r.commune},
                      ensure_ascii=False, separators=(",", ":"))
    return f'{head[:-1]},"payload":{r.payload}}}'


def pull_json(db: ServerDB, dev: EnrolledDevice, cursor: str, limit: int) -> str:
    """The events of the device's scope after its cursor, in server order, as a PullResponse's JSON: its
    commune's, and the whole history of dossiers handed to it from elsewhere (sent with the page that hands
    them over). A kiosk gets reference data only.

    On PostgreSQL the head (server id, epoch) and the page come in one statement outside any transaction, so
    the poll of an up-to-date device is one round trip. Events commit in server_seq order (the head row's lock,
    see `_sequence`), so what one statement sees is a prefix of the log and the cursor never passes a late
    commit."""
    limit = max(1, min(limit, proto.MAX_PAGE))
    cur = proto.parse_cursor(cursor) if cursor else None
    if cursor and cur is None:
        with db.read() as con:
            raise MustResync(con.execute(select(Head.epoch).where(Head.id == 1)).scalar_one())
    seq = cur[2] if cur else 0
    agency = dev.agency_code
    with db.read() as con:
        if db.postgres:
            sql = _PULL_KIOSK_SQL if dev.kind == "kiosk" else _PULL_SQL
            got = con.exec_driver_sql(sql, {"agency": agency, "seq": seq, "n": limit + 1,
                                            "types": list(KIOSK_PULLS)}).all()
            if not got:
                raise ServiceError("Máy chủ chưa được khởi tạo: hãy chạy “motcua server init --db …”.")
            server_id, epoch = got[0].head_server_id, got[0].head_epoch
            rows = [r for r in got if r.event_id is not None]
        else:
            scope = EVENTS.c.commune == agency
            if dev.kind == "kiosk":
                scope = and_(scope, EVENTS.c.stream_type.in_(KIOSK_PULLS))
            else:
                scope = or_(scope, EVENTS.c.stream_id.in_(select(Share.stream_id).where(Share.agency_code == agency)))
            page = (select(*_WIRE_COLS).where(EVENTS.c.server_seq > seq, scope).order_by(EVENTS.c.server_seq)
                    .limit(limit + 1))
            with con.begin():
                head = con.execute(select(Head.server_id, Head.epoch).where(Head.id == 1)).one_or_none()
                if head is None:
                    raise ServiceError("Máy chủ chưa được khởi tạo: hãy chạy “motcua server init --db …”.")
                server_id, epoch = head
                rows = con.execute(page).all()
        if cur is not None and (cur[0] != server_id or cur[1] != epoch):
            raise MustResync(epoch)
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1].server_seq if rows else seq
        out = [_wire_text(r) for r in rows]
        if dev.kind != "kiosk" and rows:
            for share in con.execute(select(Share.stream_id, Share.shared_at_seq)
                                     .where(Share.agency_code == agency, Share.shared_at_seq > seq,
                                            Share.shared_at_seq <= last)).all():
                earlier = con.execute(select(*_WIRE_COLS).where(EVENTS.c.stream_id == share.stream_id,
                                                                EVENTS.c.server_seq < share.shared_at_seq,
                                                                EVENTS.c.commune != agency)
                                      .order_by(EVENTS.c.server_seq)).all()
                out += [_wire_text(r) for r in earlier]
    tail = json.dumps({"next_cursor": proto.cursor_text(server_id, epoch, last), "has_more": more,
                       "epoch": epoch}, separators=(",", ":"))
    return '{"events":[' + ",".join(out) + "]," + tail[1:]


def pull(db: ServerDB, dev: EnrolledDevice, cursor: str, limit: int) -> proto.PullResponse:
    """`pull_json`, as the message."""
    return proto.PullResponse.model_validate_json(pull_json(db, dev, cursor, limit))


# --- reference snapshots -----------------------------------------------------------------------------------------

DATASETS = {"users": USER, "settings": SETTINGS, "calendar": CALENDAR, "catalogue": CATALOGUE}


def reference(db: ServerDB, dev: EnrolledDevice, dataset: str) -> proto.RefSnapshot:
    """A commune's users (without password hashes), settings, calendar decisions or catalogue, folded from its
    events with the devices' own fold; `version` is the server position of its latest event (the ETag)."""
    stream_type = DATASETS.get(dataset)
    if stream_type is None:
        raise NotFound(f"Không có bộ dữ liệu “{dataset}”.")
    from app.eventlog.store import event_from_row

    with db.transaction() as s:
        rows = s.execute(select(EVENTS).where(EVENTS.c.commune == dev.agency_code,
                                              EVENTS.c.stream_type == stream_type)
                         .order_by(EVENTS.c.stream_id, EVENTS.c.server_seq)).all()
    by_stream: dict[str, list[Event]] = {}
    for r in rows:
        by_stream.setdefault(r.stream_id, []).append(event_from_row(r))
    table = {"users": "users", "settings": "settings", "calendar": "calendar_days", "catalogue": "procedures"}[dataset]
    items = []
    for stream_id, evs in by_stream.items():
        items += fold_stream(stream_type, stream_id, evs).get(table, [])
    if dataset == "users":
        items = [{k: v for k, v in u.items() if k != "password_hash"} for u in items]
    items = json.loads(json.dumps(items, default=str, ensure_ascii=False))
    return proto.RefSnapshot(dataset=dataset, version=max((r.server_seq for r in rows), default=0), items=items)


# --- the projector -----------------------------------------------------------------------------------------------


def catch_up(db: ServerDB, *, batch: int = 2000) -> int:
    """Fold the events committed since the last run into the server's projections, in server order, with the
    devices' own fold. Only one process folds at a time (the projector row's lock; others skip)."""
    done = 0
    while True:
        with db.transaction() as s:
            q = select(Projector).where(Projector.id == 1)
            q = q.with_for_update(skip_locked=True) if db.postgres else q
            proj = s.execute(q).scalar_one_or_none()
            if proj is None:
                return done
            rows = s.execute(select(EVENTS.c.stream_type, EVENTS.c.stream_id, EVENTS.c.server_seq)
                             .where(EVENTS.c.server_seq > proj.projected_seq)
                             .order_by(EVENTS.c.server_seq).limit(batch)).all()
            if not rows:
                return done
            refold(s, [(r.stream_type, r.stream_id) for r in rows], skip_types=REFERENCE_TYPES)
            proj.projected_seq = rows[-1].server_seq
            done += len(rows)


@dataclass(frozen=True)
class ServerCheck:
    events: int
    projected_seq: int
    last_seq: int
    tables: dict[str, tuple[int, int]]  # table -> (rows stored, rows a fresh fold gives)
    differing: list[str]

    @property
    def ok(self) -> bool:
        return not self.differing and self.projected_seq == self.last_seq


def check(db: ServerDB) -> ServerCheck:
    """Fold up to date, then compare every projection table with a fresh fold of the whole log, clashes between
    dossiers (two with one code or one book line) included: the fresh rows are written in a savepoint that is
    rolled back, so they come back through the same column types and the same clash rule as the stored ones."""
    from app.eventlog import fold_all
    from app.eventlog.store import refresh_clashes

    catch_up(db)
    with db.transaction() as s:
        head = head_of(s)
        proj = s.get(Projector, 1)

        def rows_of() -> dict[str, list[dict]]:
            out = {}
            for name in SERVER_TABLES:
                keys = [c.name for c in T[name].primary_key.columns]
                out[name] = sorted((dict(r) for r in s.execute(select(T[name])).mappings()),
                                   key=lambda r: tuple(str(r[k]) for k in keys))
            return out

        stored = rows_of()
        fresh_rows = fold_all(s, skip_types=REFERENCE_TYPES)
        savepoint = s.begin_nested()
        try:
            for name in reversed(SERVER_TABLES):
                s.execute(delete(T[name]))
            for name in SERVER_TABLES:
                if fresh_rows.get(name):
                    s.execute(insert(T[name]), fresh_rows[name])
            refresh_clashes(s, None, None)
            folded = rows_of()
        finally:
            savepoint.rollback()
        tables = {name: (len(stored[name]), len(folded[name])) for name in SERVER_TABLES}
        differing = [name for name in SERVER_TABLES if stored[name] != folded[name]]
        events = s.scalar(select(func.count()).select_from(EVENTS))
        return ServerCheck(events, proj.projected_seq, head.last_seq, tables, differing)


def quarantined(db: ServerDB) -> list[Quarantined]:
    with db.transaction() as s:
        rows = list(s.scalars(select(Quarantined).order_by(Quarantined.received_at, Quarantined.id)))
        for r in rows:
            s.expunge(r)
        return rows


__all__ = ["Forbidden", "Gap", "Malformed", "MustResync", "add_commune", "authenticate", "catch_up", "check",
           "enrol_code", "enroll", "hello", "init_server", "pull", "push", "quarantined", "reference", "revoke",
           "rotate_epoch"]
