"""The device side of sync: enrol with the province's server, then rounds of hello → push → pull.

Nothing here ever blocks the counter: the counter writes to its own file whatever the network does, and a
round only moves events between that file and the server. Every step can fail and be repeated: pushes are
idempotent by event id and acknowledged by a watermark, each pulled page is folded in one transaction
together with the new cursor. Call off the Qt main thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx2
from sqlalchemy import func, select, update

from app.domain.calendar import TZ
from app.domain.codes import book_counter_name, day_counter_name, parse_code
from app.eventlog import Event, decode, find_local_device, ingest, local_devices, rebuild
from app.eventlog.store import event_from_row
from app.services.database import Database
from app.services.errors import ServiceError
from app.sync import protocol as proto
from app.version import __version__
from db.models import Counter, Dossier, QuarantinedEvent, SyncState
from db.models import Event as EventRow

log = logging.getLogger(__name__)
APP_VERSION = __version__
TIMEOUT = httpx2.Timeout(20.0, connect=5.0)

ClientFactory = Callable[[str, str], httpx2.Client]  # (base_url, token) -> client


def default_client(base_url: str, token: str) -> httpx2.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=TIMEOUT)


class SyncError(ServiceError):
    """A round that could not finish; everything local is kept and the next round goes on from there."""


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    quarantined: int = 0
    unsent: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.unsent == 0


def _explain(exc: Exception, url: str) -> SyncError:
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, httpx2.TimeoutException):
        return SyncError(f"Máy chủ tỉnh ({url}) không trả lời kịp; dữ liệu vẫn ở máy này và sẽ gửi lại sau.")
    if isinstance(exc, httpx2.TransportError):
        return SyncError(f"Không kết nối được máy chủ tỉnh ({url}): mạng đang mất hoặc máy chủ tắt. Dữ liệu vẫn ở "
                         "máy này và sẽ được gửi khi có mạng.")
    return SyncError(f"Đồng bộ chưa xong ({type(exc).__name__}); dữ liệu vẫn ở máy này và sẽ gửi lại sau.")


def _check(resp: httpx2.Response, url: str) -> httpx2.Response:
    if resp.status_code < 400:
        return resp
    try:
        detail = resp.json().get("detail", "")
    except ValueError:
        detail = ""
    if resp.status_code == 401:
        raise SyncError(f"Máy chủ tỉnh không nhận thiết bị này: {detail or 'thiết bị đã bị thu hồi'}. Hãy đăng ký "
                        "lại với mã mới (dữ liệu ở máy này được giữ nguyên).")
    if resp.status_code >= 500:
        raise SyncError(f"Máy chủ tỉnh ({url}) đang gặp lỗi; dữ liệu vẫn ở máy này và sẽ gửi lại sau.")
    raise SyncError(detail or f"Máy chủ tỉnh từ chối yêu cầu (mã {resp.status_code}).")


def _wire(e: Event) -> dict:
    return {"event_id": e.event_id, "device_id": e.device_id, "device_seq": e.device_seq,
            "stream_type": e.stream_type, "stream_id": e.stream_id, "type": e.type, "type_version": e.type_version,
            "payload": e.stored_payload(), "actor_id": e.actor_id,
            "occurred_at": e.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "base_version": e.base_version}


def _event(w: dict) -> Event:
    occurred = datetime.fromisoformat(str(w["occurred_at"]).replace("Z", "+00:00")).astimezone(UTC)
    return Event(event_id=w["event_id"], device_id=w["device_id"], device_seq=w["device_seq"],
                 stream_type=w["stream_type"], stream_id=w["stream_id"], type=w["type"],
                 type_version=w["type_version"], payload=decode(w["type"], w["type_version"], w["payload"]),
                 actor_id=w.get("actor_id"), occurred_at=occurred, server_seq=w.get("server_seq"),
                 base_version=w.get("base_version", 0), commune=w.get("commune", ""), raw_payload=w["payload"])


# --- enrolment --------------------------------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise SyncError("Địa chỉ máy chủ phải có dạng https://ten-may-chu (hoặc http:// trong mạng nội bộ).")
    return url


def enroll(db: Database, *, server_url: str, code: str, client: ClientFactory = default_client,
           kind: str = "counter") -> proto.EnrollResponse:
    """Trade a one-time code for this device's token. A fresh file becomes the device the server names (and then
    receives its commune's settings, catalogue, calendar and users by the first sync); a file that already has
    a device of this kind keeps its identity and its log, which the server adopts."""
    from app.services.setup import register_local_device

    url = normalise_url(server_url)
    with db.reading() as s:
        existing = find_local_device(s, kind)
    body = {"code": code.strip(), "app_version": APP_VERSION}
    if existing is not None:
        body |= {"device_id": existing.device_id, "agency_code": existing.agency_code}
    try:
        with client(url, "") as http:
            resp = _check(http.post("/api/v1/enroll", json=body), url)
    except (httpx2.HTTPError, SyncError) as exc:
        raise _explain(exc, url) from exc
    got = proto.EnrollResponse.model_validate(resp.json())
    if got.kind != kind:
        raise SyncError(f"Mã đăng ký này dành cho thiết bị loại {got.kind}, không phải {kind}.")
    now = db.clock()
    with db.transaction() as s:
        if existing is None:
            register_local_device(s, kind=got.kind, slot=got.slot, name=got.name, agency_code=got.agency_code,
                                  at=now, device_id=got.device_id, written=got.acked_seq)
        device_id = existing.device_id if existing else got.device_id
        state = s.get(SyncState, device_id) or SyncState(device_id=device_id)
        state.server_url, state.server_id, state.epoch = url, got.server_id, got.epoch
        state.token, state.acked_seq, state.pull_cursor, state.last_error = got.token, got.acked_seq, "", ""
        s.merge(state)
    db.forget_device()
    return got


# --- a round ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str
    last_success_at: datetime | None
    last_error: str
    unsent: int
    clock_offset_s: int | None


def unsent_count(db: Database) -> int:
    with db.reading() as s:
        return _unsent(s)


def _unsent(s) -> int:
    total = 0
    for dev in local_devices(s):
        state = s.get(SyncState, dev.device_id)
        acked = state.acked_seq if state else 0
        total += s.scalar(select(func.count()).select_from(EventRow).where(
            EventRow.device_id == dev.device_id, EventRow.device_seq > acked)) or 0
    return total


def status(db: Database) -> SyncStatus:
    with db.reading() as s:
        states = [st for st in s.scalars(select(SyncState)) if st.token]
        unsent = _unsent(s)
    if not states:
        return SyncStatus(False, "", None, "", unsent, None)
    last = [st.last_success_at for st in states if st.last_success_at]
    errors = [st.last_error for st in states if st.last_error]
    offset = next((st.clock_offset_s for st in states if st.clock_offset_s is not None), None)
    return SyncStatus(True, states[0].server_url, max(last) if last else None, errors[0] if errors else "", unsent,
                      offset)


def dossier_synced(db: Database, dossier_id: str) -> bool:
    """Whether every event of the dossier is in the server's log (it then reaches the commune's other devices)."""
    with db.reading() as s:
        return not s.scalar(select(func.count()).select_from(EventRow).where(
            EventRow.stream_id == dossier_id, EventRow.server_seq.is_(None)))


class SyncClient:
    def __init__(self, db: Database, *, client: ClientFactory = default_client, batch: int = proto.MAX_BATCH,
                 page: int = 500):
        self.db = db
        self.client = client
        self.batch = batch
        self.page = page

    def sync_once(self) -> SyncReport:
        """One round for every enrolled local device (a counter, and a kiosk sharing its file). Raises SyncError
        (Vietnamese, says what is kept) when a round cannot finish."""
        report = SyncReport()
        with self.db.reading() as s:
            work = [(dev, s.get(SyncState, dev.device_id)) for dev in local_devices(s)]
        work = [(dev, st) for dev, st in work if st is not None and st.token]
        if not work:
            raise SyncError("Máy này chưa đăng ký với máy chủ tỉnh: hãy đăng ký (máy chủ + mã đăng ký) trước.")
        for dev, state in work:
            try:
                with self.client(state.server_url, state.token) as http:
                    self._round(http, dev, state.server_url, report)
            except Exception as exc:
                err = _explain(exc, state.server_url)
                self._note(dev.device_id, error=err.message)
                raise err from exc
        with self.db.reading() as s:
            report.unsent = _unsent(s)
        return report

    def _note(self, device_id: str, *, error: str = "", success: bool = False, **values) -> None:
        with self.db.transaction() as s:
            state = s.get(SyncState, device_id)
            if state is None:
                return
            state.last_error = error
            if success:
                state.last_success_at = self.db.clock().replace(microsecond=0)
            for k, v in values.items():
                setattr(state, k, v)

    def _round(self, http: httpx2.Client, dev, url: str, report: SyncReport) -> None:
        db = self.db
        with db.reading() as s:
            state = s.get(SyncState, dev.device_id)
            local_seq = s.scalar(select(func.max(EventRow.device_seq)).where(EventRow.device_id == dev.device_id)) or 0
            cursor, acked, epoch = state.pull_cursor, state.acked_seq, state.epoch
        hello = proto.HelloResponse.model_validate(_check(http.post("/api/v1/sync/hello", json={
            "protocol": proto.PROTOCOL, "app_version": APP_VERSION,
            "device_time": db.clock().astimezone(UTC).isoformat(), "local_seq": local_seq, "cursor": cursor}), url
        ).json())
        if hello.message:
            report.warnings.append(hello.message)
        if hello.must_resync or (epoch and hello.epoch != epoch):
            self._resync(hello)
            cursor = ""
        # The server says what it holds: lower than we thought, it was restored and lost some of ours (they go
        # again); higher than we wrote, this file was restored from an older backup or is a reinstalled PC
        # (ours come back by the pull).
        acked = hello.acked_seq
        self._note(dev.device_id, acked_seq=acked, clock_offset_s=hello.clock_offset_s, server_id=hello.server_id,
                   epoch=hello.epoch)
        pushed = self._push(http, dev, acked, url, report) != acked
        # an up-to-date device with nothing to send ends its round with the hello: one request per idle poll
        if hello.behind or pushed or not cursor:
            self._pull(http, dev, cursor, url, report)
        with db.transaction() as s:
            if hello.acked_seq > local_seq:
                recover_counters(s, dev.device_id)
            lost = s.scalar(select(func.count()).select_from(EventRow).where(
                EventRow.device_id == dev.device_id, EventRow.device_seq <= hello.acked_seq,
                EventRow.server_seq.is_(None))) or 0
        if lost:
            report.warnings.append(f"{lost} sự kiện của máy này trùng số thứ tự với sự kiện máy chủ đã có (máy "
                                   "được khôi phục từ bản sao lưu cũ?); hãy báo quản trị hệ thống.")
        self._note(dev.device_id, success=True)

    def _resync(self, hello: proto.HelloResponse) -> None:
        """The server's log was restored (a new epoch): forget its old positions and pull again from the start;
        nothing of ours is lost (what the restore lost, the devices push again)."""
        with self.db.transaction() as s:
            s.execute(update(EventRow).values(server_seq=None))
            s.execute(update(SyncState).values(pull_cursor="", epoch=hello.epoch, server_id=hello.server_id))
            rebuild(s)

    def _push(self, http: httpx2.Client, dev, acked: int, url: str, report: SyncReport) -> int:
        size = self.batch
        while True:
            with self.db.reading() as s:
                rows = s.execute(select(EventRow).where(EventRow.device_id == dev.device_id,
                                                        EventRow.device_seq > acked)
                                 .order_by(EventRow.device_seq).limit(size)).scalars().all()
                events = [event_from_row(r) for r in rows]
            if not events:
                return acked
            resp = http.post("/api/v1/sync/push", json={"device_id": dev.device_id,
                                                        "events": [_wire(e) for e in events]})
            if resp.status_code == 409 and resp.json().get("code") == "gap":
                expected = int(resp.json()["expected_seq"])
                if events[0].device_seq == expected or expected - 1 == acked:
                    # we sent from where the server wanted and it still wants it: this file lacks those events
                    raise SyncError(
                        f"Máy chủ tỉnh còn thiếu các sự kiện từ số {expected} đến {events[0].device_seq - 1} của "
                        "máy này, và tệp dữ liệu ở máy này cũng không còn chúng (máy được khôi phục từ bản sao lưu "
                        "cũ?). Dữ liệu mới vẫn được giữ ở máy này. Hãy báo quản trị máy chủ kiểm tra và xác nhận "
                        f"khoảng thiếu (motcua server accept-gap … --through {events[0].device_seq - 1}).")
                acked = expected - 1
                self._note(dev.device_id, acked_seq=acked)
                continue
            if resp.status_code == 413 and size > 1:
                size = max(1, size // 2)
                continue
            answer = proto.PushResponse.model_validate(_check(resp, url).json())
            held = [r for r in answer.results if r.status == "quarantined"]
            if held:
                self._hold(held)
                report.quarantined += len(held)
            report.pushed += sum(r.status == "stored" for r in answer.results)
            if answer.acked_seq <= acked:
                raise SyncError("Máy chủ tỉnh không nhận thêm sự kiện nào của máy này; hãy báo quản trị.")
            acked = answer.acked_seq
            self._note(dev.device_id, acked_seq=acked)

    def _hold(self, held: list[proto.PushResult]) -> None:
        """What the server kept aside: recorded here so that the clerk and the administrator see it."""
        now = self.db.clock().replace(microsecond=0)
        with self.db.transaction() as s:
            for r in held:
                if s.scalar(select(QuarantinedEvent).where(QuarantinedEvent.event_id == r.event_id,
                                                           QuarantinedEvent.reason == f"server:{r.reason}")) is None:
                    s.add(QuarantinedEvent(event_id=r.event_id, reason=f"server:{r.reason}", received_at=now,
                                           body={"reason": r.reason}))

    def _pull(self, http: httpx2.Client, dev, cursor: str, url: str, report: SyncReport) -> None:
        while True:
            resp = http.get("/api/v1/sync/pull", params={"cursor": cursor, "limit": self.page})
            if resp.status_code == 409:
                self._resync(proto.HelloResponse.model_validate(_check(
                    http.post("/api/v1/sync/hello", json={"device_time": datetime.now(UTC).isoformat(),
                                                          "local_seq": 0}), url).json()))
                cursor = ""
                continue
            page = proto.PullResponse.model_validate(_check(resp, url).json())
            events = [_event(w.model_dump(mode="json")) for w in page.events]
            with self.db.transaction() as s:  # the page and its cursor together: a crash replays the page
                if events:
                    ingest(s, events)
                state = s.get(SyncState, dev.device_id)
                state.pull_cursor = page.next_cursor
            report.pulled += len(events)
            cursor = page.next_cursor
            if not page.has_more:
                return


def recover_counters(s, device_id: str) -> None:
    """After this device's own events came back from the server (a restored file, a reinstalled PC): its
    sequence, daily code numbers and book numbers continue after the highest it ever used."""
    values: dict[str, int] = {}
    seq = s.scalar(select(func.max(EventRow.device_seq)).where(EventRow.device_id == device_id)) or 0
    values["event_seq"] = seq
    for code, received, number in s.execute(select(Dossier.code, Dossier.received_at, Dossier.number)
                                            .where(Dossier.device_id == device_id)):
        parsed = parse_code(code)
        if parsed is not None:
            day_key = day_counter_name(parsed.day)
            values[day_key] = max(values.get(day_key, 0), parsed.number)
        book = book_counter_name(received.astimezone(TZ).year)
        values[book] = max(values.get(book, 0), number)
    for name, value in values.items():
        row = s.get(Counter, (device_id, name))
        if row is None:
            s.add(Counter(device_id=device_id, name=name, value=value))
        elif row.value < value:
            row.value = value


def enrolled_devices(db: Database) -> list[str]:
    with db.reading() as s:
        return [st.device_id for st in s.scalars(select(SyncState)) if st.token]


def create_file(path: Path) -> Database:
    """A new, empty database file for a PC that enrols (the only way besides set-up and the demo)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Database(path, create=True)


__all__ = ["SyncClient", "SyncError", "SyncReport", "SyncStatus", "dossier_synced", "enroll",
           "recover_counters", "status", "unsent_count"]
