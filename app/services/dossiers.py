"""Reading dossiers: one dossier in full, and today's list at this counter."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import or_, select

from app.domain.calendar import TZ
from app.domain.codes import parse_code
from app.domain.dossier import CHANNELS, RETURN_METHODS, status_text
from app.domain.lifecycle import holder_person, verdict
from app.eventlog import event_from_row
from app.eventlog.payloads import PaperData, Payload
from app.services.database import Database
from app.services.errors import NotFound
from db.models import Dossier, DossierStep, Event, Flag, FlagResolution, SyncState


def _loc(dt: datetime | None) -> datetime | None:
    return dt.astimezone(TZ) if dt else None


@dataclass(frozen=True)
class StepView:
    event_id: str
    kind: str
    at: datetime
    actor_name: str
    giver: str
    receiver: str
    unit: str
    note: str
    device_id: str
    # What the step recorded, as its typed payload (app.eventlog.payloads); None if this program cannot
    # read it (written by a newer version).
    details: Payload | None
    applied: bool = True  # False: the dossier's state did not allow it when it arrived (see its flag)


@dataclass(frozen=True)
class FlagView:
    id: str
    kind: str
    message: str
    raised_at: datetime
    resolved: bool
    resolution: str = ""  # who resolved it, when, and what they wrote


@dataclass(frozen=True)
class DossierView:
    id: str
    code: str
    status: str
    procedure_code: str
    procedure_name: str
    field: str
    competent_unit: str
    applicant_name: str
    id_number: str
    birth_date: date | None
    address: str
    phone: str
    email: str
    channel: str
    return_method: str
    sets_count: int
    papers: tuple[PaperData, ...]
    fee_text: str
    note: str
    duration: dict
    received_at: datetime
    due_at: datetime | None
    original_due_at: datetime | None
    paused_at: datetime | None
    extensions: int
    paused_minutes: int
    holder: str  # the person holding the paper dossier now ("" = at the counter)
    result_at: datetime | None
    returned_at: datetime | None
    volume: str
    number: int
    clerk_id: str | None
    clerk_name: str
    device_id: str
    calendar_version: str
    rule_version: str
    catalogue_version: str
    steps: tuple[StepView, ...] = ()
    flags: tuple[FlagView, ...] = ()
    # Whether every step has reached the province's server (None: this PC is not connected to one).
    synced: bool | None = None

    @property
    def open_flags(self) -> tuple[FlagView, ...]:
        return tuple(f for f in self.flags if not f.resolved)

    @property
    def status_text(self) -> str:
        return status_text(self.status)

    @property
    def channel_text(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def return_method_text(self) -> str:
        return RETURN_METHODS.get(self.return_method, self.return_method)


@dataclass(frozen=True)
class DossierSummary:
    id: str
    code: str
    applicant_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime | None
    status: str
    number: int
    verdict: str | None = None  # early / on_time / late once there is a result (app.domain.lifecycle.verdict)

    @property
    def status_text(self) -> str:
        text = status_text(self.status)
        if self.verdict:
            text += f" – {VERDICT_SHORT[self.verdict]}"
        return text


VERDICT_SHORT = {"early": "trước hạn", "on_time": "đúng hạn", "late": "trễ hạn"}


def view_of(d: Dossier, steps: list[StepView] = (), flags: list[FlagView] = ()) -> DossierView:
    applied = [st for st in steps if st.applied]
    return DossierView(
        id=d.id, code=d.code, status=d.status, procedure_code=d.procedure_code, procedure_name=d.procedure_name,
        field=d.field, competent_unit=d.competent_unit, applicant_name=d.applicant_name,
        id_number=d.applicant_id_number, birth_date=d.applicant_birth_date, address=d.address, phone=d.phone,
        email=d.email, channel=d.channel, return_method=d.return_method, sets_count=d.sets_count,
        papers=tuple(PaperData.model_validate(x) for x in d.papers), fee_text=d.fee_text, note=d.note,
        duration=dict(d.duration), received_at=_loc(d.received_at), due_at=_loc(d.due_at),
        original_due_at=_loc(d.original_due_at), paused_at=_loc(d.paused_at), extensions=d.extensions,
        paused_minutes=d.paused_minutes, result_at=_loc(d.result_at), returned_at=_loc(d.returned_at),
        volume=d.volume, number=d.number, clerk_id=d.clerk_id, clerk_name=d.clerk_name, device_id=d.device_id,
        calendar_version=d.calendar_version, rule_version=d.rule_version, catalogue_version=d.catalogue_version,
        holder=holder_person(applied), steps=tuple(steps), flags=tuple(flags),
    )


def _steps_of(s, dossier_id: str) -> list[StepView]:
    rows = s.execute(select(DossierStep, Event).join(Event, Event.event_id == DossierStep.event_id)
                     .where(DossierStep.dossier_id == dossier_id).order_by(DossierStep.position)).all()
    out = []
    for st, row in rows:
        event = event_from_row(row)
        out.append(StepView(st.event_id, st.kind, _loc(st.at), st.actor_name, st.giver, st.receiver, st.unit,
                            st.note, st.device_id, event.payload if event.readable else None, st.applied))
    return out


def _flags_of(s, dossier_id: str) -> list[FlagView]:
    resolutions = {}
    for r in s.scalars(select(FlagResolution).where(FlagResolution.dossier_id == dossier_id)
                       .order_by(FlagResolution.at)):
        text = f"{r.actor_name or 'Cán bộ'} lúc {_loc(r.at):%H:%M %d/%m/%Y}: {r.outcome or r.note}".rstrip(": ")
        resolutions[r.flag_id] = text
    return [FlagView(f.id, f.kind, f.message, _loc(f.raised_at), f.id in resolutions, resolutions.get(f.id, ""))
            for f in s.scalars(select(Flag).where(Flag.stream_id == dossier_id).order_by(Flag.raised_at, Flag.id))]


def get_dossier(db: Database, key: str) -> DossierView:
    """A dossier by id or by code (as typed or scanned: spaces and a stray Enter are ignored)."""
    key = key.strip()
    with db.reading() as s:
        found = s.scalars(select(Dossier).where(or_(Dossier.id == key, Dossier.code == key.upper(),
                                                    Dossier.code == key)).order_by(Dossier.received_at)).all()
        d = found[0] if found else None
        if d is None:
            if parse_code(key):
                raise NotFound(f"Không tìm thấy hồ sơ có mã {key} trên máy này.")
            raise NotFound(f"“{key}” không phải là mã hồ sơ (dạng <mã cơ quan>-<yyMMdd>-<số>).")
        view = view_of(d, _steps_of(s, d.id), _flags_of(s, d.id))
        if s.scalar(select(SyncState.device_id).where(SyncState.token != "").limit(1)) is not None:
            pending = s.scalar(select(Event.event_id).where(Event.stream_id == d.id, Event.server_seq.is_(None))
                               .limit(1))
            view = replace(view, synced=pending is None)
        return view


def list_received_on(db: Database, day: date | None = None, *, this_counter: bool = True) -> list[DossierSummary]:
    """Dossiers received on a local day (default today), newest first; by default only this device's."""
    day = day or db.clock().astimezone(TZ).date()
    with db.reading() as s:
        q = select(Dossier).where(Dossier.received_day == day)
        if this_counter:
            q = q.where(Dossier.device_id == db.device.device_id)
        rows = s.scalars(q.order_by(Dossier.received_at.desc(), Dossier.number.desc()))
        return [DossierSummary(d.id, d.code, d.applicant_name, d.procedure_name, _loc(d.received_at),
                               _loc(d.due_at), d.status, d.number, _verdict(d)) for d in rows]


def _verdict(d: Dossier) -> str | None:
    if d.status in ("stopped", "cancelled"):
        return None
    v = verdict(d.result_at, d.original_due_at)
    return v.value if v else None
