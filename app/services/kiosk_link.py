"""A kiosk on its own PC talks to its counter over the office network: a small HTTP listener in the counter
program, polled by the kiosk. Pure Python (standard library), no Qt.

- **Pairing** (no province server needed): on the counter, `create_pairing` makes a one-time 6-digit code
  (valid 15 minutes, 5 wrong tries void it); on the kiosk PC, `join_counter` sends it with the counter's
  address and receives the kiosk's device id and a random bearer token. The kiosk's file is created then: its
  own kiosk device (its events have their own sequence), the link row, and the counter's settings pulled at
  once. The counter keeps only the token's SHA-256 (and the code's argon2 hash while it waits).
- **Pull**: every few hundred milliseconds the kiosk asks for the counter's events after its cursor (the
  counter's local arrival order) of the settings and rating streams, and ingests them (idempotent by event id):
  invitations, other kiosks' ratings (so "already rated" is known) and office settings. A kiosk holds no
  dossier and no personal data; to check a scanned code it asks `/dossier` and, if the counter cannot be
  reached, decides alone (the rating is kept and joined to its dossier later).
- **Push**: the kiosk sends its own events (ratings, reasons, closed invitations, its registration) after the
  highest one the counter acknowledged; the counter ingests them (idempotent, a changed duplicate is
  quarantined) and only accepts a kiosk's own events of rating and device streams.

Because both sides keep everything in their files and every message is repeatable, a counter restart or a
kiosk starting later only delays delivery: the kiosk pulls from its cursor and pushes from its acknowledgment.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy import func, select, update

from app.domain.calendar import TZ
from app.domain.ids import uuid7
from app.eventlog import KIOSK, Event, decode, ingest, local_devices
from app.eventlog.registry import CURRENT, DEVICE, RATING, SETTINGS
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.ratings import LinkDown, RemoteDossier, dossier_facts
from app.services.settings import load_settings
from app.services.users import password_hasher
from app.sync.protocol import WireEvent
from db.models import Event as EventRow
from db.models import KioskLink, KioskPairing

log = logging.getLogger(__name__)

API = "/api/kiosk/v1"
DEFAULT_PORT = 8770
CODE_MINUTES = 15
CODE_TRIES = 5
PAGE = 500
MAX_BODY = 4 * 1024 * 1024
PULLED_STREAMS = (SETTINGS, RATING)
PUSHED_STREAMS = (RATING, DEVICE)
TIMEOUT_S = 2.0
LOOKUP_TIMEOUT_S = 1.5

# --- every sentence a person reads from here ------------------------------------------------------------------------
T = {
    "bad_code": "Mã ghép không đúng hoặc đã hết hạn. Hãy tạo mã mới trên máy quầy (motcua admin kiosk-pair).",
    "no_token": "Máy đánh giá chưa được ghép với quầy này (hoặc đã bị thu hồi).",
    "not_yours": "Máy đánh giá chỉ được gửi đánh giá của chính nó.",
    "unreachable": "Không kết nối được với máy quầy {url} ({why}). Hãy kiểm tra máy quầy đang bật, chương trình "
                   "MotCua đang chạy và hai máy cùng mạng.",
    "refused": "Máy quầy từ chối: {detail}",
    "has_devices": "Tệp {path} đã là tệp dữ liệu của một máy (quầy hoặc máy đánh giá); hãy chọn tệp mới cho máy "
                   "đánh giá này.",
    "bad_slot": "Số hiệu quầy phải từ 1 đến 9.",
    "no_counter": "Tệp này không có máy quầy; mã ghép được tạo trên tệp dữ liệu của máy quầy.",
}


class Unauthorized(Exception):
    """No token, an unknown or revoked one, or a wrong pairing code (HTTP 401)."""


class Forbidden(Exception):
    """A paired kiosk asking for what is not its own (HTTP 403)."""


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- events on the wire -------------------------------------------------------------------------------------------


def to_wire(e: Event) -> dict:
    return WireEvent(event_id=e.event_id, device_id=e.device_id, device_seq=e.device_seq, stream_type=e.stream_type,
                     stream_id=e.stream_id, type=e.type, type_version=e.type_version, payload=e.stored_payload(),
                     actor_id=e.actor_id, occurred_at=e.occurred_at, base_version=e.base_version
                     ).model_dump(mode="json")


def from_wire(data: dict, *, commune: str) -> Event:
    w = WireEvent.model_validate(data)
    return Event(event_id=w.event_id, device_id=w.device_id, device_seq=w.device_seq, stream_type=w.stream_type,
                 stream_id=w.stream_id, type=w.type, type_version=w.type_version,
                 payload=decode(w.type, w.type_version, w.payload), actor_id=w.actor_id,
                 occurred_at=w.occurred_at.astimezone(UTC), base_version=w.base_version, commune=commune,
                 raw_payload=w.payload)


def _row_event(r: EventRow) -> Event:
    from app.eventlog import event_from_row

    return event_from_row(r)


def _current(e: Event) -> bool:
    """Only payloads at their current version travel here (re-encoding an upcast one would change it)."""
    cls = CURRENT.get(e.type)
    return cls is not None and e.readable and cls.VERSION == e.type_version


# --- the counter's side -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairingCode:
    code: str
    counter_slot: int
    expires_at: datetime


def create_pairing(db: Database, *, counter_slot: int | None = None, minutes: int = CODE_MINUTES) -> PairingCode:
    """A one-time code a kiosk on another PC trades for its token (see `join_counter`)."""
    now = db.clock()
    with db.transaction() as s:
        counters = [d for d in local_devices(s) if d.kind == "counter"]
        if not counters:
            raise ServiceError(T["no_counter"])
        slot = counter_slot or counters[0].slot
        if not 1 <= slot <= 9:
            raise ServiceError(T["bad_slot"])
        code = f"{secrets.randbelow(1_000_000):06d}"
        expires = now + timedelta(minutes=minutes)
        s.add(KioskPairing(id=uuid7(), counter_slot=slot, code_hash=password_hasher().hash(code),
                           code_expires_at=expires, code_tries=0, token_hash="", kiosk_name="", created_at=now,
                           revoked=False))
    return PairingCode(code, slot, expires)


def paired_kiosks(db: Database) -> list[KioskPairing]:
    with db.reading() as s:
        return list(s.scalars(select(KioskPairing).where(KioskPairing.token_hash != "",
                                                         KioskPairing.revoked.is_(False))))


class CounterLink:
    """What the counter's listener does for its kiosks, on the counter's database (thread-safe: each call has
    its own session)."""

    def __init__(self, db: Database):
        self.db = db

    def pair(self, code: str, name: str) -> dict:
        now = self.db.clock()
        with self.db.transaction() as s:
            open_ = list(s.scalars(select(KioskPairing).where(KioskPairing.code_hash != "",
                                                              KioskPairing.code_expires_at > now,
                                                              KioskPairing.code_tries < CODE_TRIES)))
            match = None
            for p in open_:
                try:
                    if password_hasher().verify(p.code_hash, code.strip()):
                        match = p
                        break
                except (VerificationError, InvalidHashError):
                    continue
            if match is None:
                for p in open_:  # every waiting code pays for a wrong guess: no brute force
                    p.code_tries += 1
                s.commit()
                log.warning("kiosk link: mã ghép sai")
                raise Unauthorized(T["bad_code"])
            token = secrets.token_urlsafe(32)
            match.code_hash = ""
            match.token_hash = _sha(token)
            match.kiosk_device_id = uuid7()
            match.kiosk_name = name[:60]
            match.paired_at = now
            agency = load_settings(s).agency_code
            log.info("kiosk link: ghép máy đánh giá “%s” với quầy %d", match.kiosk_name, match.counter_slot)
            return {"device_id": match.kiosk_device_id, "slot": match.counter_slot,
                    "counter_slot": match.counter_slot, "agency_code": agency, "token": token, "name": match.kiosk_name}

    def kiosk_of(self, token: str | None) -> KioskPairing:
        if not token:
            raise Unauthorized(T["no_token"])
        with self.db.reading() as s:
            p = s.scalar(select(KioskPairing).where(KioskPairing.token_hash == _sha(token),
                                                    KioskPairing.revoked.is_(False)))
        if p is None:
            raise Unauthorized(T["no_token"])
        return p

    def events_after(self, kiosk: KioskPairing, after: int, limit: int = PAGE) -> dict:
        E = EventRow
        with self.db.reading() as s:
            rows = list(s.scalars(select(E).where(E.local_seq > after, E.stream_type.in_(PULLED_STREAMS),
                                                  E.device_id != kiosk.kiosk_device_id)
                                  .order_by(E.local_seq).limit(limit)))
            top = s.scalar(select(func.max(E.local_seq))) or 0
        events = [_row_event(r) for r in rows]
        last = rows[-1].local_seq if len(rows) == limit else max(top, after)
        return {"events": [to_wire(e) for e in events if _current(e)], "last": last, "more": len(rows) == limit}

    def take(self, kiosk: KioskPairing, wire: list[dict]) -> dict:
        agency = self._agency()
        events = [from_wire(w, commune=agency) for w in wire]
        for e in events:
            if e.device_id != kiosk.kiosk_device_id or e.stream_type not in PUSHED_STREAMS or not _current(e) \
                    or (e.stream_type == DEVICE and e.stream_id != kiosk.kiosk_device_id):
                raise Forbidden(T["not_yours"])
        with self.db.transaction() as s:
            counts = ingest(s, events) if events else {"stored": 0, "duplicate": 0, "quarantined": 0}
            seqs = sorted(s.scalars(select(EventRow.device_seq).where(EventRow.device_id == kiosk.kiosk_device_id)))
            s.execute(update(KioskPairing).where(KioskPairing.id == kiosk.id).values(last_seen_at=self.db.clock()))
        acked = 0
        for q in seqs:  # the highest contiguous sequence number held
            if q != acked + 1:
                break
            acked = q
        return {**counts, "acked": acked}

    def seen(self, kiosk: KioskPairing) -> None:
        with self.db.transaction() as s:
            s.execute(update(KioskPairing).where(KioskPairing.id == kiosk.id).values(last_seen_at=self.db.clock()))

    def dossier(self, code: str) -> dict:
        with self.db.reading() as s:
            st = load_settings(s)
            facts = dossier_facts(s, code, st.agency_code, self.db.clock().astimezone(TZ).date())
        return {"found": facts.found, "absent": facts.absent, "status": facts.status,
                "procedure_name": facts.procedure_name, "clerk_id": facts.clerk_id,
                "rated_at": facts.rated_at.isoformat() if facts.rated_at else None}

    def _agency(self) -> str:
        with self.db.reading() as s:
            return load_settings(s).agency_code


class _Handler(BaseHTTPRequestHandler):
    server_version = "MotCuaKioskLink/1"
    link: CounterLink  # set on the subclass made per server

    def log_message(self, fmt, *args) -> None:  # requests are not logged: codes and tokens stay out of logs
        return

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return json.loads(self.rfile.read(n) or b"{}")

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None

    def _route(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        try:
            if method == "POST" and url.path == f"{API}/pair":
                body = self._body()
                self._send(200, self.link.pair(str(body.get("code", "")), str(body.get("name", ""))))
                return
            kiosk = self.link.kiosk_of(self._token())
            if method == "GET" and url.path == f"{API}/events":
                after = int(query.get("after", ["0"])[0])
                self.link.seen(kiosk)
                self._send(200, self.link.events_after(kiosk, after))
            elif method == "POST" and url.path == f"{API}/events":
                self._send(200, self.link.take(kiosk, list(self._body().get("events", []))))
            elif method == "GET" and url.path == f"{API}/dossier":
                self._send(200, self.link.dossier(query.get("code", [""])[0]))
            else:
                self._send(404, {"detail": "Không có địa chỉ này."})
        except Unauthorized as exc:
            self._send(401, {"detail": str(exc)})
        except Forbidden as exc:
            self._send(403, {"detail": str(exc)})
        except (ValueError, ValidationError, json.JSONDecodeError) as exc:
            self._send(400, {"detail": f"Yêu cầu không hợp lệ ({type(exc).__name__})."})
        except ServiceError as exc:
            self._send(503, {"detail": exc.message})
        except Exception as exc:  # noqa: BLE001 - a kiosk's request must never take the counter down
            log.exception("kiosk link: request failed")
            self._send(500, {"detail": f"Lỗi máy quầy ({type(exc).__name__})."})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self._route("POST")


class KioskLinkServer:
    """The counter's listener for kiosks on other PCs; `start()` serves in a daemon thread, `stop()` ends it."""

    def __init__(self, db: Database, *, host: str = "0.0.0.0", port: int = DEFAULT_PORT):
        handler = type("KioskLinkHandler", (_Handler,), {"link": CounterLink(db)})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def start(self) -> KioskLinkServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="kiosk-link", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def start_listener(db: Database) -> KioskLinkServer | None:
    """The counter's listener when the office set a port (kiosk_link_port) and this file has a counter."""
    with db.reading() as s:
        port = int(load_settings(s).kiosk_link_port or 0)
        has_counter = any(d.kind == "counter" for d in local_devices(s))
    if not port or not has_counter:
        return None
    try:
        return KioskLinkServer(db, port=port).start()
    except OSError as exc:
        log.warning("kiosk link: cannot listen on port %d: %s", port, exc.strerror)
        return None


# --- the kiosk's side ---------------------------------------------------------------------------------------------


def _request(url: str, *, token: str | None = None, body: dict | None = None,
             timeout: float = TIMEOUT_S) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    base = url.split(API)[0]
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read() or b"{}").get("detail", "")
        except ValueError:
            detail = ""
        raise ServiceError(T["refused"].format(detail=detail or exc.reason)) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        why = getattr(exc, "reason", None) or exc
        raise LinkDown(T["unreachable"].format(url=base, why=why)) from exc


def normalise_url(text: str) -> str:
    t = text.strip().rstrip("/")
    if "://" not in t:
        t = "http://" + t
    parts = urllib.parse.urlsplit(t)
    if parts.port is None:
        t = f"{parts.scheme}://{parts.hostname}:{DEFAULT_PORT}"
    return t


def join_counter(db_path: str | Path, counter_url: str, code: str, *, name: str = "") -> Database:
    """Pair a new kiosk file with a counter (the code from `create_pairing`) and pull the office's settings.
    Returns the file opened as the kiosk."""
    from app.services.setup import register_local_device

    url = normalise_url(counter_url)
    probe = Database(db_path, create=True)  # the kiosk PC makes its own file here
    try:
        with probe.reading() as s:
            if local_devices(s):
                raise ServiceError(T["has_devices"].format(path=db_path))
    finally:
        probe.close()
    try:
        got = _request(f"{url}{API}/pair", body={"code": code, "name": name or "Máy đánh giá"})
    except LinkDown as exc:
        raise ServiceError(str(exc)) from exc
    db = Database(db_path)
    with db.transaction() as s:
        register_local_device(s, kind=KIOSK, slot=int(got["slot"]), name=got.get("name") or name or "Máy đánh giá",
                              agency_code=got["agency_code"], at=db.clock(), device_id=got["device_id"])
        s.add(KioskLink(device_id=got["device_id"], counter_url=url, token=got["token"],
                        counter_slot=int(got["counter_slot"]), pushed_seq=0, pull_cursor=0, last_error=""))
    db.close()
    kiosk = Database(db_path, device_kind=KIOSK)
    link_sync(kiosk)
    return kiosk


def link_of(db: Database) -> KioskLink | None:
    with db.reading() as s:
        return s.scalar(select(KioskLink))


@dataclass(frozen=True)
class SyncReport:
    ok: bool
    pulled: int = 0  # events stored from the counter
    pushed: int = 0  # own events the counter acknowledged now
    error: str = ""


def link_sync(db: Database) -> SyncReport:
    """One round with the counter: push this kiosk's unacknowledged events, then pull the counter's new ones.
    Never raises for a network problem: the report says it (and the link row keeps the last error)."""
    link = link_of(db)
    if link is None:
        return SyncReport(False, error="no link")
    pushed = pulled = 0
    try:
        with db.reading() as s:
            mine = [_row_event(r) for r in s.scalars(
                select(EventRow).where(EventRow.device_id == link.device_id, EventRow.device_seq > link.pushed_seq)
                .order_by(EventRow.device_seq).limit(PAGE))]
        if mine:
            ack = _request(f"{link.counter_url}{API}/events", token=link.token,
                           body={"events": [to_wire(e) for e in mine]})
            acked = int(ack.get("acked", 0))
            pushed = max(0, acked - link.pushed_seq)
            with db.transaction() as s:
                s.execute(update(KioskLink).where(KioskLink.device_id == link.device_id)
                          .values(pushed_seq=max(acked, link.pushed_seq)))
        cursor = link.pull_cursor
        while True:
            page = _request(f"{link.counter_url}{API}/events?after={cursor}", token=link.token)
            with db.reading() as s:
                agency = load_settings(s).agency_code
            events = [from_wire(w, commune=agency) for w in page.get("events", [])]
            with db.transaction() as s:
                if events:
                    pulled += ingest(s, events)["stored"]
                cursor = int(page.get("last", cursor))
                s.execute(update(KioskLink).where(KioskLink.device_id == link.device_id)
                          .values(pull_cursor=cursor, last_success_at=db.clock(), last_error=""))
            if not page.get("more"):
                break
        return SyncReport(True, pulled, pushed)
    except (LinkDown, ServiceError) as exc:
        message = exc.message if isinstance(exc, ServiceError) else str(exc)
        with db.transaction() as s:
            s.execute(update(KioskLink).where(KioskLink.device_id == link.device_id).values(last_error=message[:500]))
        return SyncReport(False, pulled, pushed, message)


def remote_lookup(db: Database, code: str) -> RemoteDossier:
    """The counter's answer about a scanned code (raises LinkDown when it cannot be asked)."""
    link = link_of(db)
    if link is None:
        raise LinkDown("no link")
    try:
        got = _request(f"{link.counter_url}{API}/dossier?code={urllib.parse.quote(code)}", token=link.token,
                       timeout=LOOKUP_TIMEOUT_S)
    except ServiceError as exc:
        raise LinkDown(exc.message) from exc
    rated = got.get("rated_at")
    return RemoteDossier(found=bool(got.get("found")), absent=bool(got.get("absent")), status=got.get("status", ""),
                         procedure_name=got.get("procedure_name", ""), clerk_id=got.get("clerk_id", ""),
                         rated_at=datetime.fromisoformat(rated) if rated else None)
