"""Satisfaction ratings as the counter and the kiosk use them: the clerk's "Mời đánh giá", what a kiosk shows
(the open invitation of its counter, a scanned receipt), recording a rating and the reasons given after a low
score, and the staff PIN that lets staff leave the kiosk.

Trust rules kept here: one rating per dossier (the fold counts the first in canonical order; the kiosk and
the counter refuse a second one when they know of the first); a rating is written once, by its id made
when the citizen starts, so a repeated tap or a retried write stores nothing more; nothing here ever returns
the level of a rating to the counter (`rating_status` says only whether and when).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.calendar import TZ
from app.domain.codes import parse_code
from app.domain.dossier import Status
from app.domain.ids import uuid7
from app.domain.rating import MAX_COMMENT, MAX_REASON_LENGTH, MAX_REASONS, levels_of
from app.domain.scan import ScanKind, classify_scan
from app.domain.text import nfc
from app.eventlog import KIOSK, append, get_event, local_devices
from app.eventlog.payloads import RatingInvitationClosed, RatingInvited, RatingReasonsGiven, RatingSubmitted
from app.eventlog.registry import rating_stream
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.paths import write_private
from app.services.settings import load_settings
from app.services.users import UserInfo, password_hasher
from db.models import Device, Dossier, DossierStep, KioskLink, Rating, RatingInvitation

log = logging.getLogger(__name__)

# --- every sentence a citizen or a clerk reads from here ------------------------------------------------------
T = {
    "not_a_code": "Mã vừa quét không phải mã vạch trên giấy hẹn. Xin mời quét mã vạch in trên Giấy tiếp nhận "
                  "hồ sơ và hẹn trả kết quả.",
    "card": "Đây là thẻ căn cước. Xin mời quét mã vạch trên giấy hẹn trả kết quả.",
    "unknown": "Không tìm thấy hồ sơ có mã {code}. Xin ông/bà hỏi cán bộ tại quầy.",
    "already": "Hồ sơ {code} đã được đánh giá lúc {at}. Mỗi hồ sơ được đánh giá một lần. Cảm ơn ông/bà!",
    "not_returned": "Hồ sơ {code} chưa trả kết quả. Mời ông/bà đánh giá khi nhận kết quả.",
    "cancelled": "Hồ sơ {code} đã bị hủy nên không đánh giá được.",
    "invite_not_found": "Không tìm thấy hồ sơ {code}.",
    "invite_rated": "Công dân đã đánh giá hồ sơ {code} lúc {at}; mỗi hồ sơ chỉ đánh giá một lần.",
    "invite_not_returned": "Hồ sơ {code} chưa trả kết quả. Theo thiết lập của đơn vị, chỉ mời đánh giá sau "
                           "khi trả kết quả.",
    "invite_cancelled": "Hồ sơ {code} đã bị hủy; không mời đánh giá.",
    "no_invitation": "Hồ sơ {code} không có lời mời đánh giá nào đang chờ.",
    "no_kiosk_device": "Tệp dữ liệu này chưa có máy đánh giá. Hãy chạy “motcua kiosk” trên máy của quầy (máy "
                       "đánh giá dùng chung tệp dữ liệu) hoặc ghép máy đánh giá với quầy qua mạng "
                       "(“motcua admin kiosk-join”).",
    "bad_level": "Mức đánh giá không hợp lệ.",
}


def _when(dt: datetime) -> str:
    return f"{dt.astimezone(TZ):%H:%M} ngày {dt.astimezone(TZ):%d/%m/%Y}"


# --- the kiosk's configuration ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KioskConfig:
    """What a kiosk shows and how it behaves, from the office settings and this kiosk device."""

    center_name: str
    commune_name: str
    agency_code: str
    scale: int
    levels: tuple[str, ...]
    reasons: tuple[str, ...]
    idle_seconds: int
    invite_minutes: int
    pin_set: bool
    pin_tries: int
    pin_lock_minutes: int
    rating_after: str
    counter_slot: int  # whose invitations this kiosk shows
    kiosk_slot: int
    kiosk_name: str


def kiosk_device_in(db: Database, *, slot: int | None = None, name: str = "") -> bool:
    """Make sure the file has a kiosk device for this process: a kiosk sharing its counter's file is registered
    in it on its first start (slot: the counter's); a kiosk's own file already has one (pairing made it).
    Returns True when one was registered now."""
    from app.services.setup import register_local_device

    with db.transaction() as s:
        devices = local_devices(s)
        counter = next((d for d in devices if d.kind == "counter"), None)
        kiosks = [d for d in devices if d.kind == KIOSK]
        if counter is None and kiosks:
            return False  # a kiosk's own file: its one kiosk (the counter it serves is a setting)
        if any(slot is None or d.slot == slot for d in kiosks):
            return False
        if counter is None:
            raise ServiceError(T["no_kiosk_device"])
        kiosk_slot = slot or counter.slot
        register_local_device(s, kind=KIOSK, slot=kiosk_slot, name=name or f"Máy đánh giá quầy {kiosk_slot}",
                              agency_code=counter.agency_code, at=db.clock())
    db.forget_device()
    return True


def local_kiosk_slots(db: Database) -> set[int]:
    """The slots of the kiosks that write in this file."""
    with db.reading() as s:
        return {d.slot for d in local_devices(s) if d.kind == KIOSK}


def counter_slot_of(s: Session, kiosk_slot: int, counters: dict, override: int | None = None) -> int:
    """The counter a kiosk serves: the command line's choice, else the office's kiosk_counters setting, else
    the counter its LAN pairing names, else the counter with the kiosk's own number."""
    if override:
        return override
    if str(kiosk_slot) in counters:
        return int(counters[str(kiosk_slot)])
    link = s.scalar(select(KioskLink))
    return link.counter_slot if link is not None else kiosk_slot


def kiosk_config(db: Database, *, counter_slot: int | None = None) -> KioskConfig:
    device = db.device
    with db.reading() as s:
        st = load_settings(s)
        slot = counter_slot_of(s, device.slot, st.kiosk_counters, counter_slot)
    scale = st.rating_scale if st.rating_scale in (3, 5) else 3
    return KioskConfig(
        center_name=st.center_name, commune_name=st.commune_name, agency_code=st.agency_code, scale=scale,
        levels=levels_of(scale), reasons=tuple(st.rating_reasons)[:MAX_REASONS], idle_seconds=int(st.kiosk_idle_seconds),
        invite_minutes=int(st.kiosk_invite_minutes), pin_set=bool(st.kiosk_pin), pin_tries=int(st.kiosk_pin_tries),
        pin_lock_minutes=int(st.kiosk_pin_lock_minutes), rating_after=st.rating_after, counter_slot=slot,
        kiosk_slot=device.slot, kiosk_name=device.name)


# --- what a kiosk rates ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingTarget:
    """A dossier the citizen at the kiosk is about to rate (no personal data: the code and the procedure)."""

    code: str
    procedure_name: str = ""
    clerk_id: str = ""
    counter_slot: int = 0
    via: str = "scan"  # "scan" | "invitation"
    invitation_id: str = ""
    expires_at: datetime | None = None  # an invitation's end


@dataclass(frozen=True)
class ScanOutcome:
    """What a scanned text leads to: a target to rate, or the sentence to show instead (`refusal` names why:
    "not_a_code", "card", "unknown", "already_rated", "not_returned", "cancelled")."""

    target: RatingTarget | None = None
    refusal: str = ""
    message: str = ""


@dataclass(frozen=True)
class RemoteDossier:
    """The counter's answer about a code, for a kiosk on its own PC (see app.services.kiosk_link)."""

    found: bool
    absent: bool = False  # the counter knows there is no such dossier (it holds all dossiers of that slot)
    status: str = ""
    procedure_name: str = ""
    clerk_id: str = ""
    rated_at: datetime | None = None


class LinkDown(Exception):
    """The counter could not be asked (PC off, network down): the kiosk decides alone."""


def _serving_clerk(s: Session, d: Dossier) -> str:
    """The clerk who served the citizen: the one who returned the result, else the one who received it."""
    returned = s.scalar(select(DossierStep.actor_id).where(DossierStep.dossier_id == d.id,
                                                           DossierStep.kind == "returned",
                                                           DossierStep.applied.is_(True))
                        .order_by(DossierStep.position.desc()).limit(1))
    return returned or d.clerk_id or ""


def counted_rating_at(s: Session, code: str) -> datetime | None:
    return s.scalar(select(Rating.rated_at).where(Rating.code == code, Rating.counted.is_(True)).limit(1))


def known_absent(s: Session, code: str, agency_code: str, today) -> bool:
    """True when this file can tell that no dossier has this code: another agency's code, a date to come, or a
    code of a counter whose every dossier this file holds (a counter writing here)."""
    parsed = parse_code(code)
    if parsed is None or parsed.agency != agency_code or parsed.day > today:
        return True
    mine = {d.slot for d in local_devices(s) if d.kind == "counter"}
    return parsed.slot in mine


def dossier_facts(s: Session, code: str, agency_code: str, today) -> RemoteDossier:
    """What this file knows about a code (the answer a counter gives its kiosks too)."""
    d = s.scalar(select(Dossier).where(Dossier.code == code).order_by(Dossier.received_at).limit(1))
    rated = counted_rating_at(s, code)
    if d is None:
        return RemoteDossier(found=False, absent=known_absent(s, code, agency_code, today), rated_at=rated)
    return RemoteDossier(found=True, status=d.status, procedure_name=d.procedure_name,
                         clerk_id=_serving_clerk(s, d), rated_at=rated)


def _rateable(status: str, after: str) -> str:
    """"" when a dossier in `status` may be rated under the office's rating_after, else the refusal kind."""
    if status == Status.CANCELLED:
        return "cancelled"
    if after == "return" and status not in (Status.RETURNED, Status.STOPPED):
        return "not_returned"
    return ""


def check_scanned(db: Database, text: str, *, remote: Callable[[str], RemoteDossier] | None = None,
                  counter_slot: int = 0) -> ScanOutcome:
    """A receipt scanned at the kiosk: the dossier to rate, or why not. This file's own knowledge first, then
    the counter's (`remote`, for a kiosk on its own PC); when neither can tell (the counter is off and the
    code is not of a counter writing here) the rating is taken for a code of this office, to be joined to its
    dossier when that arrives."""
    scan = classify_scan(text)
    if scan.kind == ScanKind.CARD:
        return ScanOutcome(refusal="card", message=T["card"])
    if scan.kind != ScanKind.DOSSIER:
        return ScanOutcome(refusal="not_a_code", message=T["not_a_code"])
    code = scan.code
    with db.reading() as s:
        st = load_settings(s)
        today = db.clock().astimezone(TZ).date()
        facts = dossier_facts(s, code, st.agency_code, today)
    if not facts.found and not facts.absent and remote is not None:
        try:
            theirs = remote(code)
        except LinkDown:
            theirs = None
        if theirs is not None:
            facts = RemoteDossier(found=theirs.found, absent=theirs.absent, status=theirs.status,
                                  procedure_name=theirs.procedure_name, clerk_id=theirs.clerk_id,
                                  rated_at=facts.rated_at or theirs.rated_at)
    if facts.rated_at is not None:
        return ScanOutcome(refusal="already_rated", message=T["already"].format(code=code, at=_when(facts.rated_at)))
    if facts.absent and not facts.found:
        return ScanOutcome(refusal="unknown", message=T["unknown"].format(code=code))
    if facts.found:
        why = _rateable(facts.status, st.rating_after)
        if why:
            return ScanOutcome(refusal=why, message=T[why].format(code=code))
    return ScanOutcome(target=RatingTarget(code=code, procedure_name=facts.procedure_name, clerk_id=facts.clerk_id,
                                           counter_slot=counter_slot))


def open_invitation(db: Database, counter_slot: int, *, now: datetime | None = None) -> RatingTarget | None:
    """The invitation a kiosk of `counter_slot` shows now: the counter's latest one, while it is open, not
    expired and its dossier not rated (a newer invitation of the counter replaces an older one)."""
    now = now or db.clock()
    with db.reading() as s:
        inv = s.scalar(select(RatingInvitation).where(RatingInvitation.counter_slot == counter_slot)
                       .order_by(RatingInvitation.invited_at.desc(), RatingInvitation.event_id.desc()).limit(1))
        if inv is None or inv.state != "open" or inv.expires_at <= now or counted_rating_at(s, inv.code):
            return None
        return RatingTarget(code=inv.code, procedure_name=inv.procedure_name, clerk_id=inv.clerk_id or "",
                            counter_slot=inv.counter_slot, via="invitation", invitation_id=inv.event_id,
                            expires_at=inv.expires_at)


# --- recording at the kiosk ---------------------------------------------------------------------------------------


def new_rating_id() -> str:
    """The id of the rating a citizen is making, made when they start: writing it twice stores it once."""
    return uuid7()


def record_rating(db: Database, target: RatingTarget, level: str, *, rating_id: str, scale: int) -> str:
    """Store the citizen's choice as a rating.submitted of this kiosk (idempotent by `rating_id`)."""
    if level not in levels_of(scale):
        raise ServiceError(T["bad_level"])
    with db.transaction() as s:
        if get_event(s, rating_id) is not None:
            return rating_id
        append(s, db.device, RatingSubmitted(code=target.code, level=level, scale=scale, via=target.via,
                                             invitation_id=target.invitation_id, clerk_id=target.clerk_id,
                                             counter_slot=target.counter_slot),
               stream_id=rating_stream(target.code), actor_id=None, occurred_at=db.clock(), event_id=rating_id)
    return rating_id


def record_reasons(db: Database, code: str, rating_id: str, reasons: list[str], comment: str, *,
                   event_id: str | None = None) -> str | None:
    """The reasons and comment given after a low score (nothing is written when both are empty)."""
    tags = [nfc(x)[:MAX_REASON_LENGTH] for x in reasons if nfc(x)][:MAX_REASONS]
    text = nfc(comment)[:MAX_COMMENT]
    if not tags and not text:
        return None
    event_id = event_id or uuid7()
    with db.transaction() as s:
        if get_event(s, event_id) is not None:
            return event_id
        append(s, db.device, RatingReasonsGiven(rating_id=rating_id, reasons=tuple(tags), comment=text),
               stream_id=rating_stream(code), actor_id=None, occurred_at=db.clock(), event_id=event_id)
    return event_id


def close_invitation(db: Database, code: str, invitation_id: str, *, reason: str = "timeout",
                     actor_id: str | None = None) -> None:
    """End an open invitation without a rating (the kiosk went back to welcome; the clerk withdrew it)."""
    with db.transaction() as s:
        inv = s.get(RatingInvitation, invitation_id)
        if inv is None or inv.state != "open":
            return
        append(s, db.device, RatingInvitationClosed(invitation_id=invitation_id, reason=reason),
               stream_id=rating_stream(code), actor_id=actor_id, occurred_at=db.clock())


# --- the counter's side: "Mời đánh giá" ------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingStatus:
    """Whether a dossier may be invited, is invited, or was rated: never how it was rated."""

    code: str
    may_invite: bool
    refusal: str = ""  # why not, as a sentence
    invited_at: datetime | None = None  # the open invitation's time
    invitation_id: str = ""
    expires_at: datetime | None = None
    rated_at: datetime | None = None


def _status(s: Session, code: str, after: str, now: datetime) -> RatingStatus:
    d = s.scalar(select(Dossier).where(Dossier.code == code).order_by(Dossier.received_at).limit(1))
    if d is None:
        return RatingStatus(code, False, T["invite_not_found"].format(code=code))
    rated = counted_rating_at(s, code)
    if rated is not None:
        return RatingStatus(code, False, T["invite_rated"].format(code=code, at=_when(rated)), rated_at=rated)
    why = _rateable(d.status, after)
    if why:
        return RatingStatus(code, False, T[f"invite_{why}"].format(code=code))
    inv = s.scalar(select(RatingInvitation).where(RatingInvitation.code == code, RatingInvitation.state == "open",
                                                  RatingInvitation.expires_at > now)
                   .order_by(RatingInvitation.invited_at.desc()).limit(1))
    if inv is None:
        return RatingStatus(code, True)
    return RatingStatus(code, True, invited_at=inv.invited_at, invitation_id=inv.event_id, expires_at=inv.expires_at)


def rating_status(db: Database, code: str) -> RatingStatus:
    with db.reading() as s:
        return _status(s, code, load_settings(s).rating_after, db.clock())


def invite(db: Database, code: str, *, clerk: UserInfo) -> RatingStatus:
    """"Mời đánh giá": the kiosk of this counter shows this dossier until it is rated or the invitation expires
    (kiosk_invite_minutes). An open invitation of this counter for another dossier is closed as replaced."""
    device = db.device
    now = db.clock()
    with db.transaction() as s:
        st = load_settings(s)
        status = _status(s, code, st.rating_after, now)
        if not status.may_invite:
            raise ServiceError(status.refusal)
        d = s.scalar(select(Dossier).where(Dossier.code == code).order_by(Dossier.received_at).limit(1))
        older = s.scalars(select(RatingInvitation).where(RatingInvitation.counter_slot == device.slot,
                                                         RatingInvitation.state == "open",
                                                         RatingInvitation.expires_at > now)).all()
        for inv in older:
            append(s, device, RatingInvitationClosed(invitation_id=inv.event_id, reason="replaced"),
                   stream_id=rating_stream(inv.code), actor_id=clerk.id, occurred_at=now)
        stage = "return" if d.status in (Status.RETURNED, Status.STOPPED) else "intake"
        append(s, device, RatingInvited(code=code, counter_slot=device.slot, stage=stage, clerk_name=clerk.full_name,
                                        procedure_name=d.procedure_name,
                                        expires_at=now + timedelta(minutes=int(st.kiosk_invite_minutes))),
               stream_id=rating_stream(code), actor_id=clerk.id, occurred_at=now)
        return _status(s, code, st.rating_after, now)


def withdraw_invitation(db: Database, code: str, *, clerk: UserInfo) -> RatingStatus:
    """The clerk takes back an open invitation (the citizen left, the wrong dossier was invited)."""
    status = rating_status(db, code)
    if not status.invitation_id:
        raise ServiceError(T["no_invitation"].format(code=code))
    close_invitation(db, code, status.invitation_id, reason="withdrawn", actor_id=clerk.id)
    return rating_status(db, code)


# --- the staff PIN -----------------------------------------------------------------------------------------------


def check_pin(db: Database, pin: str) -> bool:
    """Whether `pin` is the kiosk's staff PIN (argon2; the PIN is never stored, shown or logged)."""
    with db.reading() as s:
        stored = load_settings(s).kiosk_pin
    if not stored or not pin:
        return False
    try:
        return password_hasher().verify(stored, pin)
    except (VerificationError, InvalidHashError):
        return False


@dataclass
class PinGuard:
    """Counts wrong PINs in a row; after `tries` of them the PIN pad is locked for `lock_minutes`. Each wrong
    try and each lock-out is logged, without the digits and without anything about a citizen.

    With a `state_file` (the kiosk keeps one beside its data file, 0600) the count and the lock-out survive a
    restart: pulling the plug does not give anyone a fresh set of tries. The lock-out's end is kept as wall-clock
    time and, read back, never extends past `lock_minutes` from now (a clock set forward cannot lock the pad for
    a day)."""

    tries: int = 5
    lock_minutes: int = 5
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    locked_until: float = 0.0
    log_name: str = field(default="kiosk")
    state_file: Path | None = None
    wall: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if self.state_file is None:
            return
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            failures, until = int(state.get("failures", 0)), float(state.get("locked_until", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            return  # none yet, or unreadable: a fresh pad (the PIN itself still has to be right)
        self.failures = max(0, min(failures, self.tries - 1))
        left = min(max(0.0, until - self.wall()), 60.0 * self.lock_minutes)
        if left > 0:
            self.locked_until = self.clock() + left

    def _save(self) -> None:
        if self.state_file is None:
            return
        until = self.wall() + self.locked_for() if self.locked_for() > 0 else 0
        try:
            write_private(self.state_file, json.dumps({"failures": self.failures, "locked_until": until}).encode())
        except OSError as exc:
            log.warning("%s: không ghi được trạng thái khóa mã PIN (%s)", self.log_name, type(exc).__name__)

    def locked_for(self) -> float:
        """Seconds left of a lock-out (0 when the pad is open)."""
        return max(0.0, self.locked_until - self.clock())

    def wrong(self) -> None:
        self.failures += 1
        log.warning("%s: sai mã PIN cán bộ (lần %d/%d liên tiếp)", self.log_name, self.failures, self.tries)
        if self.failures >= self.tries:
            self.locked_until = self.clock() + 60 * self.lock_minutes
            self.failures = 0
            log.warning("%s: khóa nhập mã PIN %d phút sau %d lần sai liên tiếp", self.log_name, self.lock_minutes,
                        self.tries)
        self._save()

    def right(self) -> None:
        if self.failures:
            log.info("%s: mã PIN đúng sau %d lần sai", self.log_name, self.failures)
        self.failures = 0
        log.info("%s: cán bộ mở khóa máy đánh giá", self.log_name)
        self._save()


def pin_state_file(db: Database, kiosk_slot: int) -> Path:
    """Where a kiosk keeps its PIN pad's wrong tries and lock-out, beside its data file."""
    return db.path.with_name(f"{db.path.name}-kiosk-pin-{kiosk_slot}")


@dataclass(frozen=True)
class KioskInfo:
    device_id: str
    slot: int
    name: str


def find_kiosks(db: Database) -> list[KioskInfo]:
    """The office's kiosks this file has heard of (their registrations arrive with their events)."""
    with db.reading() as s:
        return [KioskInfo(d.id, d.slot, d.name) for d in s.scalars(select(Device).where(Device.kind == KIOSK)
                                                                    .order_by(Device.slot, Device.name))]
