"""The log in a database: append an event, ingest events from elsewhere, and keep the projections equal to
the fold of the log (one stream at a time, or all of it).

Every write goes through here, in the caller's transaction: the event row, the projection rows of its
stream (folded again from all of the stream's events in canonical order) and a change notice, together.
A stream is re-folded whole because a pulled event can land before events already folded here; streams
are small (a dossier has a handful of events), so this costs about a millisecond and needs no second,
incremental code path that could disagree with the full fold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, text, true, update
from sqlalchemy.orm import Session

from app.domain.ids import uuid7
from app.eventlog import registry
from app.eventlog.device import DeviceContext
from app.eventlog.event import Event, canonical_key
from app.eventlog.fold import CODE_CLASH, NUMBER_CLASH, PER_EVENT, Rows, fold_stream, minute, rating_code
from app.eventlog.payloads import Payload
from db import models as m

T = {t.__tablename__: t.__table__ for t in (m.Dossier, m.DossierStep, m.LogbookEntry, m.Flag, m.FlagResolution,
                                             m.IntakeSlip, m.Device, m.User, m.Setting, m.CalendarDayRow,
                                             m.Procedure, m.ReferenceVersion, m.LogbookClosing, m.LogbookPrinted,
                                             m.Rating, m.RatingInvitation, m.DeviceSetting, m.AuditEntry)}
# Every table the fold writes; `rebuild` empties them and folds the whole log again.
PROJECTION_TABLES: tuple[Table, ...] = tuple(T.values())
EVENTS: Table = m.Event.__table__
CROSS_STREAM_FLAGS = (CODE_CLASH, NUMBER_CLASH)


def _key_cols(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _scope(stream_type: str, ids: list[str], events: Sequence[Event]) -> dict[str, object]:
    """For each table streams of this type write, the WHERE clause selecting those streams' existing rows."""
    if stream_type == registry.DOSSIER:
        return {
            "dossiers": T["dossiers"].c.id.in_(ids),
            "dossier_steps": T["dossier_steps"].c.dossier_id.in_(ids),
            "logbook_entries": T["logbook_entries"].c.dossier_id.in_(ids),
            "flags": and_(T["flags"].c.stream_id.in_(ids), T["flags"].c.kind.not_in(CROSS_STREAM_FLAGS)),
            "flag_resolutions": T["flag_resolutions"].c.dossier_id.in_(ids),
        }
    if stream_type == registry.INTAKE:
        return {"intake_slips": T["intake_slips"].c.event_id.in_([e.event_id for e in events])}
    if stream_type == registry.DEVICE:
        return {"devices": T["devices"].c.id.in_(ids)}
    if stream_type == registry.LOGBOOK:
        devices = [i.split("/", 1)[1] for i in ids]
        return {"logbook_closings": T["logbook_closings"].c.device_id.in_(devices),
                "logbook_printed": T["logbook_printed"].c.device_id.in_(devices)}
    if stream_type == registry.USER:
        return {"users": T["users"].c.id.in_(ids)}
    if stream_type == registry.RATING:
        codes = [rating_code(i) for i in ids]
        return {"ratings": T["ratings"].c.code.in_(codes), "rating_invitations": T["rating_invitations"].c.code.in_(codes)}
    if stream_type == registry.DEVICE_SETTINGS:
        return {"device_settings": T["device_settings"].c.device_id.in_([i.split("/", 1)[1] for i in ids])}
    versions = T["reference_versions"].c.kind == stream_type
    if stream_type == registry.SETTINGS:
        return {"settings": true(), "reference_versions": versions}
    if stream_type == registry.CALENDAR:
        return {"calendar_days": true(), "reference_versions": versions}
    if stream_type == registry.CATALOGUE:
        return {"procedures": true(), "reference_versions": versions}
    return {}


def _chunks(items: list, n: int = 500):
    for i in range(0, len(items), n):
        yield items[i:i + n]


# --- reading events -------------------------------------------------------------------------------------------


def event_from_row(row) -> Event:
    """An `events` row (Core or ORM) as an Event with its payload decoded (upcast if older)."""
    return Event(
        event_id=row.event_id, device_id=row.device_id, device_seq=row.device_seq, stream_type=row.stream_type,
        stream_id=row.stream_id, type=row.type, type_version=row.type_version,
        payload=registry.decode(row.type, row.type_version, row.payload), actor_id=row.actor_id,
        occurred_at=row.occurred_at, server_seq=row.server_seq, local_seq=row.local_seq,
        base_version=row.base_version or 0, commune=row.commune or "", payload_sha256=row.payload_sha256,
        raw_payload=row.payload)


def stream_events(s: Session, stream_id: str) -> list[Event]:
    """A stream's events in canonical order."""
    return events_of_streams(s, [stream_id]).get(stream_id, [])


def events_of_streams(s: Session, stream_ids: list[str]) -> dict[str, list[Event]]:
    """The events of several streams, each in canonical order."""
    out: dict[str, list[Event]] = defaultdict(list)
    for ids in _chunks(list(stream_ids)):
        for r in s.execute(select(EVENTS).where(EVENTS.c.stream_id.in_(ids))):
            out[r.stream_id].append(event_from_row(r))
    for events in out.values():
        events.sort(key=canonical_key)
    return out


def get_event(s: Session, event_id: str) -> Event | None:
    row = s.execute(select(EVENTS).where(EVENTS.c.event_id == event_id)).first()
    return event_from_row(row) if row else None


# --- writing projection rows --------------------------------------------------------------------------------


def _write_many(s: Session, work: list[tuple[Table, object, list[dict]]]) -> None:
    """Make the rows of each table selected by its WHERE clause equal to the given rows: deletions children
    first, then inserts and updates parents first; an update sets only the columns that differ (so an
    unchanged dossier row does not touch its full-text index)."""
    plans = []
    for table, where, rows in work:
        keys = [c.name for c in table.primary_key.columns]
        existing = {tuple(r[k] for k in keys): dict(r) for r in s.execute(select(table).where(where)).mappings()}
        wanted = {tuple(r[k] for k in keys): r for r in rows}
        gone = [k for k in existing if k not in wanted]
        fresh = [r for k, r in wanted.items() if k not in existing]
        changed: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for k, r in wanted.items():
            old = existing.get(k)
            if old is not None:
                diff = {c: v for c, v in r.items() if old.get(c) != v}
                if diff:
                    cols = tuple(sorted(diff))
                    changed[cols].append({**{f"k_{c}": v for c, v in zip(keys, k, strict=True)},
                                          **{f"v_{c}": v for c, v in diff.items()}})
        plans.append((table, keys, gone, fresh, changed))
    for table, keys, gone, _fresh, _changed in reversed(plans):
        for part in _chunks(gone, 300):
            if len(keys) == 1:
                s.execute(delete(table).where(table.c[keys[0]].in_([k[0] for k in part])))
            else:
                s.execute(delete(table).where(or_(*(and_(*(table.c[c] == v for c, v in zip(keys, k, strict=True)))
                                                    for k in part))))
    for table, keys, _gone, fresh, changed in plans:
        if fresh:
            s.execute(insert(table), fresh)
        for cols, params in changed.items():
            stmt = (update(table).where(and_(*(table.c[c] == bindparam(f"k_{c}", type_=table.c[c].type)
                                               for c in keys)))
                    .values({c: bindparam(f"v_{c}", type_=table.c[c].type) for c in cols}))
            s.connection().execute(stmt, params)


def _write_rows(s: Session, table: Table, where, new_rows: list[dict]) -> None:
    _write_many(s, [(table, where, new_rows)])


def refold(s: Session, streams: Iterable[tuple[str, str]], *, skip_types: tuple[str, ...] = ()
           ) -> dict[str, Rows]:
    """Fold the given (stream_type, stream_id) streams again from their events and write their rows (a few
    statements per table for all of them together); then recompute the cross-stream flags (code and
    book-number clashes) they touch. Returns the rows by stream id."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for stream_type, stream_id in dict.fromkeys(streams):
        if stream_type not in skip_types:
            by_type[stream_type].append(stream_id)
    out: dict[str, Rows] = {}
    codes: set[str] = set()
    books: set[tuple] = set()
    D = T["dossiers"]
    for stream_type, ids in by_type.items():
        if stream_type in PER_EVENT:
            _fold_new_events(s, stream_type, ids)
            continue
        for part in _chunks(ids):
            events = events_of_streams(s, part)
            if stream_type == registry.DOSSIER:
                for r in s.execute(select(D.c.code, D.c.device_id, D.c.volume, D.c.number).where(D.c.id.in_(part))):
                    codes.add(r.code)
                    books.add((r.device_id, r.volume, r.number))
            merged: dict[str, list[dict]] = defaultdict(list)
            for stream_id in part:
                rows = fold_stream(stream_type, stream_id, events.get(stream_id, []))
                out[stream_id] = rows
                for name, table_rows in rows.items():
                    merged[name].extend(table_rows)
                for d in rows.get("dossiers", []):
                    codes.add(d["code"])
                    books.add((d["device_id"], d["volume"], d["number"]))
            all_events = [e for evs in events.values() for e in evs]
            _write_many(s, [(T[name], where, merged.get(name, []))
                            for name, where in _scope(stream_type, part, all_events).items()])
    if codes:
        refresh_clashes(s, codes, books)
    return out


# The table each one-row-per-event stream type writes, and its key column.
PER_EVENT_TABLE = {registry.AUDIT: "audit"}


def _fold_new_events(s: Session, stream_type: str, ids: list[str]) -> None:
    """Add the rows of the events of these streams that have none yet. Their fold is one independent row per
    event, so this equals folding the streams again, at the cost of the new events only."""
    table = T[PER_EVENT_TABLE[stream_type]]
    row_of = PER_EVENT[stream_type]
    for part in _chunks(ids):
        done = select(table.c.event_id)
        rows = [row_of(event_from_row(r)) for r in s.execute(
            select(EVENTS).where(EVENTS.c.stream_id.in_(part), EVENTS.c.event_id.not_in(done)))]
        rows = [r for r in rows if r is not None]
        if rows:
            s.execute(insert(table), rows)


# --- clashes between dossiers (the only cross-stream part of the fold) --------------------------------------


def _received_order(s: Session, dossier_ids: list[str]) -> dict[str, tuple]:
    best: dict[str, tuple] = {}
    for part in _chunks(dossier_ids):
        rows = s.execute(select(EVENTS.c.stream_id, EVENTS.c.server_seq, EVENTS.c.local_seq, EVENTS.c.device_seq,
                                EVENTS.c.event_id)
                         .where(EVENTS.c.stream_id.in_(part), EVENTS.c.type == "dossier.received"))
        for r in rows:
            key = (0, r.server_seq, 0) if r.server_seq is not None else (1, r.local_seq, r.device_seq)
            if r.stream_id not in best or key < best[r.stream_id][0]:
                best[r.stream_id] = (key, r.event_id)
    return best


def refresh_clashes(s: Session, codes: set[str] | None, books: set[tuple] | None) -> None:
    """Flag every dossier whose code (or book line) another dossier received earlier in canonical order
    already has. `None` means: all of them (after a rebuild)."""
    D, F = T["dossiers"], T["flags"]
    cols = (D.c.id, D.c.code, D.c.device_id, D.c.volume, D.c.number, D.c.received_at, D.c.updated_at)
    for kind, key_of, wanted in ((CODE_CLASH, lambda r: (r.code,), codes),
                                 (NUMBER_CLASH, lambda r: (r.device_id, r.volume, r.number), books)):
        if wanted is not None and not wanted:
            continue
        members: list = []
        if wanted is None:
            group = (D.c.code,) if kind == CODE_CLASH else (D.c.device_id, D.c.volume, D.c.number)
            dup = select(*group).group_by(*group).having(func.count() > 1).subquery()
            members = s.execute(select(*cols).join(dup, and_(*(c == dup.c[c.name] for c in group)))).all()
        elif kind == CODE_CLASH:
            for part in _chunks(sorted(wanted)):
                members += s.execute(select(*cols).where(D.c.code.in_(part))).all()
        else:
            # through the book's own index (device, volume, number), a hundred lines at a time
            L = T["logbook_entries"]
            for part in _chunks(sorted(wanted), 100):
                cond = or_(*(and_(L.c.device_id == a, L.c.volume == b, L.c.number == c) for a, b, c in part))
                members += s.execute(select(*cols).join(L, L.c.dossier_id == D.c.id).where(cond)).all()
        groups: dict[tuple, list] = defaultdict(list)
        for r in members:
            groups[key_of(r)].append(r)
        clashing = [g for g in groups.values() if len(g) > 1]
        order = _received_order(s, [r.id for g in clashing for r in g]) if clashing else {}
        flags: list[dict] = []
        for group in clashing:
            group.sort(key=lambda x: order.get(x.id, ((2, 0, 0), ""))[0])
            first = group[0]
            for x in group[1:]:
                if kind == CODE_CLASH:
                    msg = (f"Mã hồ sơ {x.code} trùng với một hồ sơ khác tiếp nhận lúc "
                           f"{_local(first.received_at)} (có thể hai máy dùng chung một số hiệu máy). Hãy kiểm "
                           "tra số hiệu máy và cấp lại giấy hẹn cho công dân của hồ sơ này.")
                else:
                    msg = (f"Số thứ tự {x.number} của sổ {x.volume} đã dùng cho hồ sơ {first.code}; hồ sơ {x.code} "
                           "trùng số (máy có thể đã được khôi phục từ bản sao lưu cũ).")
                flags.append({"id": f"{kind}:{x.id}", "stream_id": x.id, "event_id": order.get(x.id, (0, ""))[1],
                              "kind": kind, "raised_at": minute(x.updated_at or x.received_at), "message": msg})
        if wanted is None:
            _write_rows(s, F, F.c.kind == kind, flags)
        else:
            ids = [r.id for r in members]
            for part in _chunks(ids) if ids else []:
                part_flags = [f for f in flags if f["stream_id"] in set(part)]
                _write_rows(s, F, and_(F.c.kind == kind, F.c.stream_id.in_(part)), part_flags)


def _local(dt: datetime) -> str:
    from app.domain.calendar import TZ

    return f"{dt.astimezone(TZ):%H:%M %d/%m/%Y}"


# --- counters and change notices ----------------------------------------------------------------------------


# A file may keep the highest number each counter ever issued outside itself (app.services.highwater), so
# that a restore from an older backup never issues a code or book number twice: the session then carries
# these two hooks, called with "<device id>/<counter>" and the counter's value in the file.
ALLOCATE = "allocate_number"  # (session, key, current) -> the next number, remembered for after the commit
PEEK = "peek_number"  # (session, key, current) -> the highest number issued so far


_TAKE = text("INSERT INTO counters (device_id, name, value) VALUES (:device, :name, 1) "
             "ON CONFLICT (device_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value")
_SET = text("UPDATE counters SET value = :value WHERE device_id = :device AND name = :name")


def next_counter(s: Session, device_id: str, name: str) -> int:
    """Take the next number (1, 2, …) of a local device's counter, inside the caller's write transaction: one
    statement; a second only when the high-water store knows a higher number (after a restore)."""
    taken = s.execute(_TAKE, {"device": device_id, "name": name}).scalar_one()
    allocate = s.info.get(ALLOCATE)
    if allocate is None:
        return taken
    value = allocate(s, f"{device_id}/{name}", taken - 1)
    if value != taken:
        s.execute(_SET, {"value": value, "device": device_id, "name": name})
    return value


def peek_counter(s: Session, device_id: str, name: str) -> int:
    C = m.Counter.__table__
    current = s.execute(select(C.c.value).where(C.c.device_id == device_id, C.c.name == name)).scalar() or 0
    peek = s.info.get(PEEK)
    return peek(s, f"{device_id}/{name}", current) if peek else current


def note_changes(s: Session, streams: Iterable[tuple[str, str]]) -> None:
    C = m.Change.__table__
    rows = [{"stream_type": t, "stream_id": i} for t, i in dict.fromkeys(streams)]
    if not rows:
        return
    if len(rows) == 1:
        last = s.execute(insert(C).values(**rows[0])).inserted_primary_key[0]
    else:
        s.execute(insert(C), rows)
        last = s.execute(select(func.max(C.c.seq))).scalar() or 0
    if last % 200 < len(rows):  # now and then, forget all but the recent past
        s.execute(delete(C).where(C.c.seq <= last - 2000))


# --- appending and ingesting ----------------------------------------------------------------------------------


def event_row(e: Event) -> dict:
    """The `events` table row of an event (values before the column types convert them)."""
    return {"event_id": e.event_id, "device_id": e.device_id, "device_seq": e.device_seq,
            "stream_type": e.stream_type, "stream_id": e.stream_id, "type": e.type, "type_version": e.type_version,
            "payload": e.stored_payload(), "actor_id": e.actor_id, "occurred_at": e.occurred_at,
            "server_seq": e.server_seq, "base_version": e.base_version, "commune": e.commune,
            "payload_sha256": e.payload_sha256}


def append(s: Session, device: DeviceContext, payload: Payload, *, stream_id: str, actor_id: str | None,
           occurred_at: datetime, event_id: str | None = None) -> Event:
    """Write one event of a local device and fold it, in the caller's transaction.

    Takes the device's next gapless sequence number, records how much of the stream's server order the
    device has seen (for the fold's concurrency check), inserts the event, folds its stream again and
    notes the change for open windows. Returns the stored event.
    """
    s.flush()
    stream_type = registry.stream_type_of(payload.TYPE)
    if stream_type in PER_EVENT:  # a long append-only stream whose order matters to nobody: skip the count
        prior, base = 1, 0
    else:
        prior, base = s.execute(select(func.count(), func.count(EVENTS.c.server_seq))
                                .where(EVENTS.c.stream_id == stream_id)).one()
    event = Event(event_id=event_id or uuid7(), device_id=device.device_id,
                  device_seq=next_counter(s, device.device_id, "event_seq"), stream_type=stream_type,
                  stream_id=stream_id, type=payload.TYPE, type_version=payload.VERSION, payload=payload,
                  actor_id=actor_id, occurred_at=occurred_at.astimezone(UTC).replace(microsecond=0),
                  base_version=base, commune=device.agency_code)
    result = s.execute(insert(EVENTS).values(**event_row(event)))
    event = _with_local_seq(event, result.inserted_primary_key[0])
    if stream_type in PER_EVENT:
        row = PER_EVENT[stream_type](event)
        if row is not None:
            s.execute(insert(T[PER_EVENT_TABLE[stream_type]]), [row])
    elif prior == 0 and stream_type == registry.DOSSIER:
        # a new dossier: nothing of it is stored yet, so its rows are inserted without comparing
        rows = fold_stream(stream_type, stream_id, [event])
        for name in ("dossiers", "dossier_steps", "logbook_entries", "flags"):
            if rows.get(name):
                s.execute(insert(T[name]), rows[name])
        for d in rows["dossiers"]:
            if _may_clash(s, d):
                refresh_clashes(s, {d["code"]}, {(d["device_id"], d["volume"], d["number"])})
    else:
        refold(s, [(stream_type, stream_id)])
    note_changes(s, [(stream_type, stream_id)])
    s.expire_all()
    return event


_OTHER_HOLDER = text(
    "SELECT 1 FROM dossiers WHERE code = :code AND id != :id "
    "UNION ALL SELECT 1 FROM logbook_entries WHERE device_id = :device AND volume = :volume AND number = :number "
    "AND dossier_id != :id LIMIT 1")


def _may_clash(s: Session, d: dict) -> bool:
    """Whether another dossier has the new dossier's code or book line (one indexed look-up; a new stream has
    no flags yet, so without such a dossier there is nothing to flag)."""
    return s.execute(_OTHER_HOLDER, {"code": d["code"], "id": d["id"], "device": d["device_id"],
                                     "volume": d["volume"], "number": d["number"]}).first() is not None


def _with_local_seq(e: Event, local_seq: int) -> Event:
    from dataclasses import replace

    return replace(e, local_seq=local_seq)


def same_content(a: dict, b: dict) -> bool:
    keys = ("device_id", "device_seq", "stream_id", "type", "type_version", "payload", "actor_id")
    return all(a[k] == b[k] for k in keys) and minute(a["occurred_at"]) == minute(b["occurred_at"])


def ingest(s: Session, events: Sequence[Event], *, now: datetime | None = None) -> dict[str, int]:
    """Take events written elsewhere (pulled from the server, or another file) into this log, idempotently:
    an event already here is skipped (its server position is recorded if it had none); an id already used
    for other content, or a device sequence number already used by another event, is quarantined; the
    touched streams are folded again. Never raises on content."""
    counts = {"stored": 0, "duplicate": 0, "quarantined": 0}
    touched: list[tuple[str, str]] = []
    now = now or datetime.now(UTC)
    rows = [event_row(e) for e in events]
    known: dict[str, dict] = {}
    for part in _chunks([r["event_id"] for r in rows]):
        for old in s.execute(select(EVENTS).where(EVENTS.c.event_id.in_(part))).mappings():
            known[old["event_id"]] = dict(old)
    taken: dict[tuple, str] = {}
    by_device: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_device[r["device_id"]].append(r["device_seq"])
    for device_id, seqs in by_device.items():
        for part in _chunks(sorted(set(seqs))):
            for old in s.execute(select(EVENTS.c.device_seq, EVENTS.c.event_id)
                                 .where(EVENTS.c.device_id == device_id, EVENTS.c.device_seq.in_(part))):
                taken[(device_id, old.device_seq)] = old.event_id
    fresh: list[dict] = []
    seq_updates: list[dict] = []
    for r in rows:
        old = known.get(r["event_id"])
        if old is not None:
            if not same_content(old, r):
                _quarantine(s, r, "id_reuse", now)
                counts["quarantined"] += 1
                continue
            counts["duplicate"] += 1
            if r["server_seq"] is not None and old["server_seq"] != r["server_seq"]:
                seq_updates.append({"k_event_id": r["event_id"], "v_server_seq": r["server_seq"]})
                old["server_seq"] = r["server_seq"]
                touched.append((old["stream_type"], old["stream_id"]))
            continue
        holder = taken.get((r["device_id"], r["device_seq"]))
        if holder is not None and holder != r["event_id"]:
            _quarantine(s, r, "seq_reuse", now)
            counts["quarantined"] += 1
            continue
        known[r["event_id"]] = r
        taken[(r["device_id"], r["device_seq"])] = r["event_id"]
        fresh.append(r)
        counts["stored"] += 1
        touched.append((r["stream_type"], r["stream_id"]))
    if fresh:
        s.execute(insert(EVENTS), fresh)
    if seq_updates:
        s.connection().execute(update(EVENTS).where(EVENTS.c.event_id == bindparam("k_event_id"))
                               .values(server_seq=bindparam("v_server_seq")), seq_updates)
    if touched:
        refold(s, touched)
        note_changes(s, touched)
        s.expire_all()
    return counts


def _quarantine(s: Session, row: dict, reason: str, now: datetime) -> None:
    body = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
    s.execute(insert(m.QuarantinedEvent.__table__).values(event_id=row["event_id"], reason=reason,
                                                          received_at=now.replace(microsecond=0), body=body))


# --- the whole log --------------------------------------------------------------------------------------------


def all_streams(s: Session) -> Iterable[tuple[str, str, list[Event]]]:
    """Every stream with its events in canonical order, stream by stream (in stream-id order)."""
    current: str | None = None
    batch: list[Event] = []
    stream_type = ""
    q = select(EVENTS).order_by(EVENTS.c.stream_id)
    for row in s.execute(q).yield_per(5000):
        if row.stream_id != current:
            if batch:
                yield stream_type, current, sorted(batch, key=canonical_key)
            current, stream_type, batch = row.stream_id, row.stream_type, []
        batch.append(event_from_row(row))
    if batch:
        yield stream_type, current, sorted(batch, key=canonical_key)


def fold_all(s: Session, *, skip_types: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """The projection rows the whole log folds to, without writing (for `check`)."""
    out: dict[str, list[dict]] = defaultdict(list)
    for stream_type, stream_id, events in all_streams(s):
        if stream_type in skip_types:
            continue
        for name, rows in fold_stream(stream_type, stream_id, events).items():
            out[name].extend(rows)
    return out


def rebuild(s: Session, *, batch: int = 5000) -> int:
    """Empty every projection table and fold the whole log again, stream by stream. Returns the event count."""
    s.flush()
    for table in reversed(PROJECTION_TABLES):
        s.execute(delete(table))
    pending: dict[str, list[dict]] = defaultdict(list)
    count = 0
    order = list(T)  # parents before children (dossiers before their steps)

    def flush() -> None:
        for name in order:
            if pending.get(name):
                s.execute(insert(T[name]), pending[name])
        pending.clear()

    size = 0
    for stream_type, stream_id, events in all_streams(s):
        count += len(events)
        for name, rows in fold_stream(stream_type, stream_id, events).items():
            pending[name].extend(rows)
            size += len(rows)
        if size >= batch:
            flush()
            size = 0
    flush()
    refresh_clashes(s, None, None)
    s.expire_all()
    return count
