"""The fold: a stream's events, in canonical order, to the projection rows they produce. Pure.

``fold_stream(stream_type, events)`` returns, for each projection table, the rows of that stream as plain
dicts of column values. It depends on nothing but the events (not on the clock, the settings or the
catalogue of the moment, nor on other streams), so folding one stream again gives the same rows as
folding the whole log, on any device and on the server.

The fold is total: it never raises on what a log can hold. A step the dossier's state no longer allows
(returned after cancelled, returned twice by two counters that were apart, a supplement received while
no supplement was requested…) is kept in the dossier's timeline as not applied and **flagged**; an event
this program cannot read (a newer version, an unknown type) is kept and flagged for an upgrade; events
that precede their dossier's reception wait for it. A person resolves a flag with a new event
(``flag.resolved``), never by editing the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from app.domain.calendar import TZ
from app.domain.dossier import STATUS_TEXT, Status
from app.domain.lifecycle import ACTION_TEXT, Action, cancel_refusal, refusal
from app.domain.rating import is_satisfied
from app.domain.text import search_key
from app.eventlog import payloads as p
from app.eventlog import registry as r
from app.eventlog.event import Event
from app.eventlog.registry import Unreadable

Rows = dict[str, list[dict]]

# Which lifecycle action a dossier event is, for the same state machine the writers check.
ACTION_OF: dict[type, Action] = {
    p.DossierTransferred: Action.TRANSFER,
    p.DossierHandedBack: Action.BACK,
    p.SupplementRequested: Action.SUPPLEMENT_REQUEST,
    p.SupplementReceived: Action.SUPPLEMENT_RECEIVED,
    p.ResultReady: Action.RESULT_READY,
    p.DossierReturned: Action.RETURN,
    p.DossierExtended: Action.EXTEND,
    p.DossierStopped: Action.STOP,
    p.DossierCancelled: Action.CANCEL,
    p.ApplicantCorrected: Action.CORRECT,
}
STEP_KIND: dict[type, str] = {
    p.DossierTransferred: "transferred",
    p.DossierHandedBack: "handed_back",
    p.SupplementRequested: "supplement_requested",
    p.SupplementReceived: "supplement_received",
    p.ResultReady: "result_ready",
    p.DossierReturned: "returned",
    p.DossierExtended: "extended",
    p.DossierStopped: "stopped",
    p.DossierCancelled: "cancelled",
    p.ApplicantCorrected: "corrected",
    p.FlagResolved: "flag_resolved",
    p.DossierShared: "shared",
}
TERMINAL = {Status.RETURNED, Status.STOPPED, Status.CANCELLED}

# flag kinds
TRANSITION_CONFLICT = "transition_conflict"
STEP_ON_CANCELLED = "step_on_cancelled"
CONCURRENT_CHANGE = "concurrent_change"
DUPLICATE_RECEPTION = "duplicate_reception"
NEEDS_UPGRADE = "needs_upgrade"
INVALID_EVENT = "invalid_event"
CODE_CLASH = "code_clash"
NUMBER_CLASH = "number_clash"
FLAG_TEXT = {
    TRANSITION_CONFLICT: "Bước không áp dụng được",
    STEP_ON_CANCELLED: "Bước ghi trên hồ sơ đã hủy",
    CONCURRENT_CHANGE: "Hai nơi cùng xử lý hồ sơ",
    DUPLICATE_RECEPTION: "Tiếp nhận trùng",
    NEEDS_UPGRADE: "Cần cập nhật phần mềm",
    INVALID_EVENT: "Bước ghi bị lỗi dữ liệu",
    CODE_CLASH: "Trùng mã hồ sơ",
    NUMBER_CLASH: "Trùng số thứ tự trong sổ",
}


def minute(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(second=0, microsecond=0)


def step_time(ev: Event) -> datetime:
    """When a step happened: as recorded in its payload, else the event's own minute."""
    at = getattr(ev.payload, "at", None)
    return at if at is not None else minute(ev.occurred_at)


def _fmt(dt: datetime) -> str:
    return f"{dt.astimezone(TZ):%H:%M %d/%m/%Y}"


def dossier_search_key(row: dict) -> str:
    parts = [row["code"], row["applicant_name"], row["phone"], row["applicant_id_number"], row["address"],
             row["procedure_name"]]
    return search_key(" ".join(x for x in parts if x))


# --- dossier streams -----------------------------------------------------------------------------------------


class _DossierFold:
    def __init__(self, stream_id: str):
        self.stream_id = stream_id
        self.d: dict | None = None
        self.steps: list[dict] = []
        self.book: list[dict] = []
        self.flags: list[dict] = []
        self.resolutions: list[dict] = []
        self.held: list[tuple[int, Event]] = []
        # (event, its index among the server-ordered events or None, whether it changed the status)
        self.history: list[tuple[Event, int | None, bool]] = []
        self.server_index = 0
        self.count = 0
        self.last_event_id = ""

    # --- helpers
    def flag(self, kind: str, ev: Event, message: str) -> None:
        self.flags.append({"id": f"{kind}:{ev.event_id}", "stream_id": self.stream_id, "event_id": ev.event_id,
                           "kind": kind, "raised_at": minute(ev.occurred_at), "message": message})

    def step(self, ev: Event, position: int, kind: str, *, applied: bool = True, giver: str = "",
             receiver: str = "", unit: str = "", at: datetime | None = None) -> None:
        pl = ev.payload
        # the timeline's order is the order the fold applied the steps (a step that arrived before its
        # dossier's reception comes right after it)
        self.steps.append({
            "event_id": ev.event_id, "dossier_id": self.stream_id, "position": len(self.steps), "kind": kind,
            "at": at or (step_time(ev) if not isinstance(pl, Unreadable) else minute(ev.occurred_at)),
            "actor_id": ev.actor_id, "actor_name": getattr(pl, "actor_name", "") or "",
            "device_id": ev.device_id, "giver": giver, "receiver": receiver, "unit": unit,
            "note": getattr(pl, "note", "") or "", "applied": applied,
        })

    def stamp(self, ev: Event) -> None:
        self.d["updated_at"] = ev.occurred_at.astimezone(UTC).replace(microsecond=0)

    # --- the walk
    def add(self, ev: Event) -> None:
        """Fold the next event (in canonical order)."""
        position = self.count
        self.count += 1
        index = None
        if ev.server_seq is not None:
            index, self.server_index = self.server_index, self.server_index + 1
        if self.d is None and not isinstance(ev.payload, p.DossierReceived):
            self.held.append((position, ev))
            return
        self.apply(position, ev, index)
        if isinstance(ev.payload, p.DossierReceived) and self.held:
            held, self.held = self.held, []
            for pos, h in held:
                self.apply(pos, h, None)
        self.last_event_id = ev.event_id

    def finish(self) -> None:
        if self.d is not None:
            self.d["version"] = self.count
            self.d["last_event_id"] = self.last_event_id
            self.d["search_key"] = dossier_search_key(self.d)

    def apply(self, position: int, ev: Event, server_index: int | None) -> None:
        pl = ev.payload
        if isinstance(pl, Unreadable):
            self.step(ev, position, "unreadable", applied=False)
            if pl.reason == "invalid":
                self.flag(INVALID_EVENT, ev, f"Một bước ghi lúc {_fmt(ev.occurred_at)} có dữ liệu không hợp lệ "
                          f"({pl.type}) nên không được áp dụng. Hãy báo quản trị hệ thống.")
            else:
                self.flag(NEEDS_UPGRADE, ev, f"Hồ sơ có một bước ({pl.type}, phiên bản {pl.version}) do phiên bản "
                          "MotCua mới hơn ghi; hãy cập nhật phần mềm để xem và xử lý đầy đủ.")
            self.history.append((ev, server_index, False))
            return
        if isinstance(pl, p.DossierReceived):
            if self.d is not None:
                self.step(ev, position, "received", applied=False, at=pl.received_at)
                self.flag(DUPLICATE_RECEPTION, ev, f"Hồ sơ {self.d['code']} được ghi tiếp nhận hai lần "
                          f"(lần sau với mã {pl.code}); lần sau không được áp dụng.")
                return
            self.receive(position, ev, pl)
            self.history.append((ev, server_index, False))  # nobody acts on a dossier before seeing it
            return
        if isinstance(pl, p.DossierShared):  # who may see the dossier, not where it is in its life
            self.step(ev, position, "shared", receiver=pl.commune_name or pl.agency_code)
            self.stamp(ev)
            self.history.append((ev, server_index, False))
            return
        if isinstance(pl, p.FlagResolved):
            self.step(ev, position, "flag_resolved")
            self.resolutions.append({"flag_id": pl.flag_id, "dossier_id": self.stream_id, "event_id": ev.event_id,
                                     "at": step_time(ev), "actor_id": ev.actor_id, "actor_name": pl.actor_name,
                                     "outcome": pl.outcome, "note": pl.note})
            self.stamp(ev)
            return
        d = self.d
        action = ACTION_OF[type(pl)]
        status = Status(d["status"])
        why = refusal(action, status, d["code"])
        if action == Action.CANCEL and why is None:
            # a data-entry mistake is cancelled before the dossier moves on; after a hand-over only a leader
            # may cancel (the writer records that as `override`)
            why = cancel_refusal(d["code"], handed_over=d["first_transfer_at"] is not None,
                                 role="leader" if pl.override else "clerk")
        if why is not None:
            self.step(ev, position, STEP_KIND[type(pl)], applied=False)
            kind = STEP_ON_CANCELLED if status == Status.CANCELLED else TRANSITION_CONFLICT
            self.flag(kind, ev, f"Bước “{ACTION_TEXT[action]}” ghi lúc {_fmt(step_time(ev))}"
                      f"{' bởi ' + pl.actor_name if pl.actor_name else ''} không được áp dụng: {why}")
            self.history.append((ev, server_index, False))
            return
        before = d["status"]
        getattr(self, "on_" + STEP_KIND[type(pl)])(position, ev, pl)
        self.stamp(ev)
        changed = d["status"] != before
        if changed:
            self.check_concurrent(ev, action)
        self.history.append((ev, server_index, changed))

    def check_concurrent(self, ev: Event, action: Action) -> None:
        """A status change written without knowing of another device's status change that the server had
        ordered before it: both are applied in server order, and a person looks at the outcome."""
        unseen = [h for h, idx, changed in self.history
                  if changed and idx is not None and idx >= ev.base_version and h.device_id != ev.device_id]
        if not unseen or Status(self.d["status"]) not in TERMINAL:
            return
        other = unseen[-1]
        other_kind = STEP_KIND.get(type(other.payload))
        other_text = next((ACTION_TEXT[a] for t, a in ACTION_OF.items() if STEP_KIND[t] == other_kind), "")
        self.flag(CONCURRENT_CHANGE, ev, f"Hồ sơ {self.d['code']} được xử lý ở hai nơi khi chưa đồng bộ: "
                  f"“{other_text}” lúc {_fmt(step_time(other))} và “{ACTION_TEXT[action]}” lúc "
                  f"{_fmt(step_time(ev))}; trạng thái hiện tại là “{STATUS_TEXT[Status(self.d['status'])]}”.")

    # --- reception
    def receive(self, position: int, ev: Event, pl: p.DossierReceived) -> None:
        a, proc, dl = pl.applicant, pl.procedure, pl.deadline
        received_at = pl.received_at
        self.d = {
            "id": self.stream_id, "code": pl.code, "device_id": ev.device_id, "clerk_id": ev.actor_id,
            "clerk_name": pl.clerk_name, "procedure_code": proc.code, "procedure_name": proc.name,
            "field": proc.field, "competent_unit": proc.competent_unit, "applicant_name": a.name,
            "applicant_id_number": a.id_number, "applicant_birth_date": a.birth_date, "address": a.address,
            "phone": a.phone, "email": a.email, "channel": pl.channel, "return_method": pl.return_method,
            "sets_count": pl.sets_count, "papers": [x.model_dump(mode="json") for x in pl.papers],
            "fee_text": proc.fee_text, "note": pl.note, "duration": dl.duration.model_dump(mode="json"),
            "received_at": received_at, "received_day": received_at.astimezone(TZ).date(),
            "due_at": pl.due_at, "original_due_at": pl.due_at, "paused_at": None, "extensions": 0,
            "status": Status.RECEIVED.value, "result_at": None, "returned_at": None, "first_transfer_at": None,
            "closed_note": "", "holder": "", "paused_minutes": 0, "rule_version": dl.rule_version,
            "calendar_version": dl.calendar_version, "catalogue_version": dl.catalogue_version,
            "volume": pl.volume, "number": pl.number, "search_key": "", "updated_at": None,
            "last_event_id": ev.event_id, "version": 0,
        }
        self.stamp(ev)
        self.book.append({"dossier_id": self.stream_id, "device_id": ev.device_id, "volume": pl.volume,
                          "number": pl.number, "received_at": received_at})
        self.step(ev, position, "received", giver=a.name, receiver=pl.clerk_name, unit=pl.receiving_unit,
                  at=received_at)

    # --- the steps after reception (each applies what its event recorded)
    def on_transferred(self, position, ev, pl: p.DossierTransferred) -> None:
        d = self.d
        d["status"] = Status.IN_PROGRESS.value
        d["holder"] = pl.to_unit or pl.to_name
        if d["first_transfer_at"] is None:
            d["first_transfer_at"] = step_time(ev)
        self.step(ev, position, "transferred", giver=pl.from_name, receiver=pl.to_name, unit=pl.to_unit)

    def on_handed_back(self, position, ev, pl: p.DossierHandedBack) -> None:
        self.d["holder"] = ""
        self.step(ev, position, "handed_back", giver=pl.from_name, receiver=pl.to_name, unit=pl.from_unit)

    def on_supplement_requested(self, position, ev, pl: p.SupplementRequested) -> None:
        self.d["status"] = Status.SUPPLEMENT.value
        self.d["paused_at"] = step_time(ev)
        self.step(ev, position, "supplement_requested", receiver=self.d["applicant_name"])

    def on_supplement_received(self, position, ev, pl: p.SupplementReceived) -> None:
        d = self.d
        d["status"] = pl.resume_status
        d["paused_at"] = None
        d["paused_minutes"] += pl.paused_minutes
        d["due_at"] = pl.new_due_at
        d["original_due_at"] = pl.new_statutory_due_at
        self.step(ev, position, "supplement_received", giver=d["applicant_name"])

    def on_result_ready(self, position, ev, pl: p.ResultReady) -> None:
        d = self.d
        d["status"] = Status.RESULT_READY.value
        d["result_at"] = step_time(ev)
        d["holder"] = ""
        self.step(ev, position, "result_ready", giver=pl.from_name, receiver=pl.to_name, unit=pl.from_unit)

    def on_returned(self, position, ev, pl: p.DossierReturned) -> None:
        d = self.d
        d["status"] = Status.RETURNED.value
        d["returned_at"] = step_time(ev)
        if d["result_at"] is None:
            d["result_at"] = d["returned_at"]
        self.step(ev, position, "returned", giver=pl.actor_name, receiver=pl.collected_by)

    def on_extended(self, position, ev, pl: p.DossierExtended) -> None:
        self.d["due_at"] = pl.new_due_at
        self.d["extensions"] += 1
        self.step(ev, position, "extended")

    def on_stopped(self, position, ev, pl: p.DossierStopped) -> None:
        d = self.d
        d["status"] = Status.STOPPED.value
        d["paused_at"] = None
        d["closed_note"] = pl.reason
        self.step(ev, position, "stopped")

    def on_cancelled(self, position, ev, pl: p.DossierCancelled) -> None:
        d = self.d
        d["status"] = Status.CANCELLED.value
        d["paused_at"] = None
        d["closed_note"] = pl.reason
        self.step(ev, position, "cancelled")

    def on_corrected(self, position, ev, pl: p.ApplicantCorrected) -> None:
        d = self.d
        for key, (_old, new) in pl.changes.items():
            column = CORRECTABLE.get(key)
            if column is None:
                continue
            if key == "birth_date":
                d[column] = _date_or_none(new)
            else:
                d[column] = new or ""
        self.step(ev, position, "corrected")


def _date_or_none(text: str | None):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


CORRECTABLE = {"applicant_name": "applicant_name", "id_number": "applicant_id_number", "address": "address",
               "phone": "phone", "email": "email", "birth_date": "applicant_birth_date"}


class DossierFolder(_DossierFold):
    """The dossier fold one event at a time (for a generator that needs the state as it goes): `add` each
    event in canonical order, read `state` (the dossier row so far), then `rows()`."""

    @property
    def state(self) -> dict | None:
        return self.d

    def rows(self) -> Rows:
        self.finish()
        if self.d is None:  # its reception has not arrived: nothing to show yet; the events wait in the log
            return {"dossiers": [], "dossier_steps": [], "logbook_entries": [], "flags": [], "flag_resolutions": []}
        return {"dossiers": [self.d], "dossier_steps": self.steps, "logbook_entries": self.book,
                "flags": self.flags, "flag_resolutions": self.resolutions}


def fold_dossier(stream_id: str, events: Sequence[Event]) -> Rows:
    f = DossierFolder(stream_id)
    for ev in events:
        f.add(ev)
    return f.rows()


# --- intakes without a dossier ----------------------------------------------------------------------------------


def fold_intake(stream_id: str, events: Sequence[Event]) -> Rows:
    rows = []
    for ev in events:
        pl = ev.payload
        if not isinstance(pl, p.IntakePayload):
            continue
        rows.append({
            "event_id": ev.event_id, "kind": "guidance" if isinstance(pl, p.GuidanceIssued) else "refusal",
            "at": step_time(ev), "device_id": ev.device_id, "clerk_id": ev.actor_id, "clerk_name": pl.actor_name,
            "procedure_code": pl.procedure.code, "procedure_name": pl.procedure.name,
            "applicant_name": pl.applicant.name, "address": pl.applicant.address, "phone": pl.applicant.phone,
            "reason": pl.reason, "items": [i.model_dump(mode="json") for i in pl.items],
        })
    return {"intake_slips": rows}


# --- reference data ------------------------------------------------------------------------------------------


def fold_device(stream_id: str, events: Sequence[Event]) -> Rows:
    row = None
    for ev in events:
        pl = ev.payload
        if isinstance(pl, p.DeviceRegistered):
            row = {"id": stream_id, "name": pl.name, "slot": pl.slot, "agency_code": pl.agency_code, "kind": pl.kind,
                   "enrolled_at": ev.occurred_at.astimezone(UTC).replace(microsecond=0)}
    return {"devices": [row] if row else []}


def fold_user(stream_id: str, events: Sequence[Event]) -> Rows:
    row = None
    pending = []
    for ev in events:
        pl = ev.payload
        if isinstance(pl, p.UserCreated):
            row = {"id": stream_id, "username": pl.username, "full_name": pl.full_name,
                   "password_hash": pl.password_hash, "role": pl.role, "title": pl.title, "unit": pl.unit,
                   "active": True, "version": 0}
            for upd in pending:
                _update_user(row, upd)
            pending = []
        elif isinstance(pl, p.UserUpdated):
            if row is None:
                pending.append(pl)
            else:
                _update_user(row, pl)
    if row is None:
        return {"users": []}
    row["version"] = len(events)
    return {"users": [row]}


def _update_user(row: dict, pl: p.UserUpdated) -> None:
    for key in ("full_name", "password_hash", "role", "title", "unit", "active"):
        value = getattr(pl, key)
        if value is not None:
            row[key] = value


def fold_settings(stream_id: str, events: Sequence[Event]) -> Rows:
    values: dict = {}
    last = None
    for ev in events:
        if isinstance(ev.payload, p.SettingsChanged):
            values.update(ev.payload.values)
            last = ev
    rows = [{"key": k, "value": v} for k, v in sorted(values.items())]
    versions = [{"kind": "settings", "version": str(len(events)),
                 "updated_at": last.occurred_at.astimezone(UTC).replace(microsecond=0)}] if last else []
    return {"settings": rows, "reference_versions": versions}


def fold_calendar(stream_id: str, events: Sequence[Event]) -> Rows:
    """Per (day, effective date) the latest decision. A withdrawal ("none") from a date also drops what was
    decided earlier for that day from that date or later; it is kept as a row only where a decision in effect
    before its date needs overriding."""
    rows: dict[tuple, dict] = {}
    last = None
    for ev in events:
        pl = ev.payload
        if not isinstance(pl, p.CalendarDaySet):
            continue
        last = ev
        eff = pl.effective_from or p.ALWAYS
        if pl.kind == "none":
            for key in [k for k in rows if k[0] == pl.day and k[1] >= eff]:
                del rows[key]
            if not any(d == pl.day for d, _e in rows):
                continue  # nothing left to withdraw
        rows[(pl.day, eff)] = {"day": pl.day, "effective_from": eff, "kind": pl.kind, "reason": pl.reason}
    out = [rows[k] for k in sorted(rows)]
    versions = [{"kind": "calendar", "version": str(len(events)),
                 "updated_at": last.occurred_at.astimezone(UTC).replace(microsecond=0)}] if last else []
    return {"calendar_days": out, "reference_versions": versions}


def fold_catalogue(stream_id: str, events: Sequence[Event]) -> Rows:
    """Each catalogue version's procedures from its effective date on. A version is whole: from its date, a
    procedure it leaves out gets an inactive row (if an earlier-dated version had it). Of two versions with
    the same effective date the later published wins."""
    by_date: dict[date, p.CataloguePublished] = {}
    last = None
    for ev in events:
        if isinstance(ev.payload, p.CataloguePublished):
            by_date[ev.payload.effective_from or p.ALWAYS] = ev.payload
            last = ev
    rows: list[dict] = []
    known: dict[str, dict] = {}  # code -> its latest row so far (by effective date)
    for eff in sorted(by_date):
        pl = by_date[eff]
        here = set()
        for x in pl.procedures:
            here.add(x.code)
            known[x.code] = {
                "code": x.code, "effective_from": eff, "catalogue_version": pl.version, "name": x.name,
                "field": x.field, "competent_unit": x.competent_unit,
                "duration_kind": x.duration.kind, "duration_value": x.duration.value,
                "duration_note": x.duration_note, "fee_text": x.fee_text,
                "papers": [pp.model_dump(mode="json") for pp in x.papers], "frequency": x.frequency,
                "search_key": search_key(f"{x.code} {x.name} {x.field}"), "active": x.active,
            }
            rows.append(known[x.code])
        for code in sorted(set(known) - here):
            known[code] = {**known[code], "effective_from": eff, "catalogue_version": pl.version, "active": False}
            rows.append(known[code])
    versions = [{"kind": "catalogue", "version": last.payload.version,
                 "updated_at": last.occurred_at.astimezone(UTC).replace(microsecond=0)}] if last else []
    return {"procedures": sorted(rows, key=lambda r: (r["code"], r["effective_from"])), "reference_versions": versions}


# --- the day book ------------------------------------------------------------------------------------------


def fold_logbook(stream_id: str, events: Sequence[Event]) -> Rows:
    """A device's closings (one per closed day, one per closed volume; a second closing of the same day keeps
    the first) and each of its lines as last printed."""
    closings: dict[tuple, dict] = {}
    printed: dict[tuple, dict] = {}
    for ev in events:
        pl = ev.payload
        if isinstance(pl, p.DayClosed):
            kind, day, lines, updates, totals = "day", pl.day, pl.lines, pl.updates, pl.totals
        elif isinstance(pl, p.VolumeClosed):
            kind, day, lines, updates, totals = "volume", pl.closed_on, pl.lines, (), pl.summary
        else:
            continue
        if (pl.volume, kind, day) in closings:
            continue
        closings[(pl.volume, kind, day)] = {
            "event_id": ev.event_id, "device_id": ev.device_id, "volume": pl.volume, "kind": kind, "day": day,
            "first_page": pl.first_page, "last_page": pl.last_page, "numbers": [ln.number for ln in lines],
            "rows": [{"number": ln.number, "values": dict(ln.values)} for ln in lines],
            "updates": [u.model_dump(mode="json") for u in updates], "totals": dict(totals),
            "context": dict(pl.context), "closed_at": ev.occurred_at.astimezone(UTC).replace(microsecond=0),
            "actor_id": ev.actor_id, "actor_name": pl.actor_name}
        for ln in lines:
            printed[(ev.device_id, pl.volume, ln.number)] = {
                "device_id": ev.device_id, "volume": pl.volume, "number": ln.number, "dossier_id": ln.dossier_id,
                "values": dict(ln.values), "event_id": ev.event_id}
        for u in updates:
            key = (ev.device_id, u.volume, u.number)
            old = printed.get(key, {}).get("values", {})
            printed[key] = {"device_id": ev.device_id, "volume": u.volume, "number": u.number,
                            "dossier_id": u.dossier_id, "values": {**old, **u.changes}, "event_id": ev.event_id}
    return {"logbook_closings": [closings[k] for k in sorted(closings, key=lambda k: (k[0], k[2], k[1]))],
            "logbook_printed": [printed[k] for k in sorted(printed)]}


# --- satisfaction ratings ------------------------------------------------------------------------------------


def rating_code(stream_id: str) -> str:
    """The dossier code of a ``rating/<code>`` stream."""
    return stream_id.split("/", 1)[1] if "/" in stream_id else stream_id


def fold_rating(stream_id: str, events: Sequence[Event]) -> Rows:
    """A dossier's ratings and invitations. The first rating in canonical order is the one that counts (one
    rating per dossier, decided the same way on every device); a later one is kept, marked not counted. A
    rating's reasons are the first reasons event its own kiosk wrote for it. An invitation is "rated" once
    the dossier has a rating, else closed by the first closing event that names it, else open."""
    code = rating_code(stream_id)
    ratings: list[dict] = []
    invitations: dict[str, dict] = {}
    closings: dict[str, tuple[str, datetime]] = {}
    reasons: dict[tuple[str, str], p.RatingReasonsGiven] = {}
    for ev in events:
        pl = ev.payload
        at = ev.occurred_at.astimezone(UTC).replace(microsecond=0)
        if isinstance(pl, p.RatingInvited):
            invitations[ev.event_id] = {
                "event_id": ev.event_id, "code": code, "counter_slot": pl.counter_slot, "stage": pl.stage,
                "device_id": ev.device_id, "clerk_id": ev.actor_id, "clerk_name": pl.clerk_name,
                "procedure_name": pl.procedure_name, "invited_at": at, "expires_at": pl.expires_at,
                "state": "open", "closed_at": None}
        elif isinstance(pl, p.RatingInvitationClosed):
            closings.setdefault(pl.invitation_id, (pl.reason, at))
        elif isinstance(pl, p.RatingSubmitted):
            ratings.append({
                "event_id": ev.event_id, "code": code, "level": pl.level, "scale": pl.scale,
                "satisfied": is_satisfied(pl.level), "counted": not ratings, "via": pl.via,
                "invitation_id": pl.invitation_id, "clerk_id": pl.clerk_id, "counter_slot": pl.counter_slot,
                "device_id": ev.device_id, "rated_at": at, "reasons": [], "comment": ""})
        elif isinstance(pl, p.RatingReasonsGiven):
            reasons.setdefault((pl.rating_id, ev.device_id), pl)
    for row in ratings:
        given = reasons.get((row["event_id"], row["device_id"]))
        if given is not None:
            row["reasons"], row["comment"] = list(given.reasons), given.comment
        invitation = invitations.get(row["invitation_id"])
        if not row["clerk_id"] and invitation is not None and invitation["clerk_id"]:
            row["clerk_id"] = invitation["clerk_id"]  # the clerk who invited served the citizen
    for inv in invitations.values():
        if ratings:
            inv["state"], inv["closed_at"] = "rated", ratings[0]["rated_at"]
        elif inv["event_id"] in closings:
            inv["state"], inv["closed_at"] = closings[inv["event_id"]]
    return {"ratings": ratings, "rating_invitations": [invitations[k] for k in sorted(invitations)]}
# --- a device's own settings and the audit trail ----------------------------------------------------------------


def fold_device_settings(stream_id: str, events: Sequence[Event]) -> Rows:
    device_id = stream_id.split("/", 1)[1] if "/" in stream_id else stream_id
    values: dict = {}
    for ev in events:
        if isinstance(ev.payload, p.DeviceConfigured):
            values.update(ev.payload.values)
    return {"device_settings": [{"device_id": device_id, "key": k, "value": v} for k, v in sorted(values.items())]}


def audit_row(ev: Event) -> dict | None:
    """The audit row of one event (the audit fold is this, event by event: no row depends on another)."""
    pl = ev.payload
    if not isinstance(pl, p.AuditRecorded):
        return None
    return {"event_id": ev.event_id, "device_id": ev.device_id,
            "at": ev.occurred_at.astimezone(UTC).replace(microsecond=0), "actor_id": ev.actor_id,
            "actor_name": pl.actor_name, "action": pl.action, "subject": pl.subject, "ref": pl.ref,
            "detail": pl.detail}


def fold_audit(stream_id: str, events: Sequence[Event]) -> Rows:
    return {"audit": [row for row in map(audit_row, events) if row is not None]}


FOLDS = {r.DOSSIER: fold_dossier, r.INTAKE: fold_intake, r.DEVICE: fold_device, r.USER: fold_user,
         r.SETTINGS: fold_settings, r.CALENDAR: fold_calendar, r.CATALOGUE: fold_catalogue,
         r.LOGBOOK: fold_logbook, r.RATING: fold_rating, r.DEVICE_SETTINGS: fold_device_settings,
         r.AUDIT: fold_audit}
# Streams whose fold is one row per event, each independent of the others (the store adds rows for new events
# only: an audit stream grows all day and is never folded again whole).
PER_EVENT = {r.AUDIT: audit_row}


def fold_stream(stream_type: str, stream_id: str, events: Sequence[Event]) -> Rows:
    """The projection rows of one stream from its events in canonical order (see event.canonical_key)."""
    fold = FOLDS.get(stream_type)
    if fold is None:  # a stream kind from a newer program: kept in the log, nothing to show
        return {}
    return fold(stream_id, events)
