"""Ratings fold like every other stream: one counted per dossier whatever the order events arrive in, the same
rows from one stream re-folded as from the whole log, a rebuild equal to the live rows, reasons only from the
rating's own kiosk."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.eventlog import Event, canonical_key, ingest, rebuild, refold
from app.eventlog import payloads as p
from app.eventlog.fold import fold_stream
from app.services.database import Database
from app.services.maintenance import projection_rows
from db.models import Rating

T0 = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
KIOSKS = [str(uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0100 + i)) for i in range(3)]
COUNTER = str(uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0001))
CLERK = str(uuid.UUID(int=0x0190_0000_0000_7000_9000_0000_0000_0001))
CODES = [f"000.17.22.H56-261116-10{n:02d}" for n in range(1, 4)]
LEVELS = ["very_satisfied", "satisfied", "dissatisfied"]


def _id(n: int) -> str:
    return str(uuid.UUID(int=0x0190_0000_0000_7000_b000_0000_0000_0000 + n))


@st.composite
def rating_histories(draw) -> list[Event]:
    """Invitations by the counter, ratings and reasons by up to three kiosks, closings; server-ordered."""
    events: list[Event] = []
    seqs = {d: 0 for d in [COUNTER, *KIOSKS]}
    ratings: list[tuple[str, str, str]] = []  # (event id, device, code)
    invitations: list[tuple[str, str]] = []
    for n in range(1, draw(st.integers(1, 14)) + 1):
        kind = draw(st.sampled_from(["invite", "rate", "rate", "reasons", "close"]))
        code = draw(st.sampled_from(CODES))
        at = T0 + timedelta(minutes=n)
        device = COUNTER if kind in ("invite", "close") else draw(st.sampled_from(KIOSKS))
        if kind == "invite":
            payload, actor = p.RatingInvited(code=code, counter_slot=1, clerk_name="Trần Thị Mai",
                                             expires_at=at + timedelta(minutes=5)), CLERK
            invitations.append((_id(n), code))
        elif kind == "rate":
            inv = [i for i, c in invitations if c == code]
            payload, actor = p.RatingSubmitted(code=code, level=draw(st.sampled_from(LEVELS)), via="invitation" if inv
                                               else "scan", invitation_id=inv[-1] if inv else ""), None
            ratings.append((_id(n), device, code))
        elif kind == "reasons" and ratings:
            rid, rdev, code = draw(st.sampled_from(ratings))
            device = draw(st.sampled_from([rdev, *KIOSKS]))  # sometimes another kiosk: must not attach
            payload, actor = p.RatingReasonsGiven(rating_id=rid, reasons=("Chậm trễ",), comment=f"lần {n}"), None
        elif kind == "close" and invitations:
            iid, code = draw(st.sampled_from(invitations))
            payload, actor = p.RatingInvitationClosed(invitation_id=iid, reason="withdrawn"), CLERK
        else:
            continue
        seqs[device] += 1
        events.append(Event(event_id=_id(n), device_id=device, device_seq=seqs[device], stream_type="rating",
                            stream_id=f"rating/{code}", type=payload.TYPE, type_version=payload.VERSION,
                            payload=payload, actor_id=actor, occurred_at=at, server_seq=n))
    return events


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rating-template") / "empty.sqlite"
    Database(path, create=True).close()
    return path


def _rows(db: Database) -> dict:
    with db.reading() as s:
        rows = projection_rows(s)
    return {"ratings": rows["ratings"], "rating_invitations": rows["rating_invitations"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=rating_histories(), data=st.data())
def test_any_arrival_order_gives_the_same_ratings_one_counted_per_dossier(template, events, data):
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"{n}.sqlite" for n in ("a", "b")]
        dbs = []
        for path in paths:
            shutil.copy(template, path)
            dbs.append(Database(path))
        try:
            a, b = dbs
            with a.transaction() as s:
                ingest(s, sorted(events, key=canonical_key))
            shuffled = data.draw(st.permutations(events))
            cut = data.draw(st.integers(0, len(shuffled)))
            for batch in (shuffled[:cut], shuffled[cut:], shuffled[:cut]):  # and some of it twice
                if batch:
                    with b.transaction() as s:
                        ingest(s, batch)
            expected = _rows(a)
            assert _rows(b) == expected
            with b.transaction() as s:
                rebuild(s)
                refold(s, [("rating", e.stream_id) for e in events[:1]])
            assert _rows(b) == expected
            # one counted rating per dossier that has any, and it is the first in server order
            with a.reading() as s:
                counted = {r.code: r.event_id for r in s.scalars(select(Rating).where(Rating.counted.is_(True)))}
            firsts: dict[str, str] = {}
            for e in sorted(events, key=canonical_key):
                if e.type == "rating.submitted":
                    firsts.setdefault(e.stream_id.split("/", 1)[1], e.event_id)
            assert counted == firsts
        finally:
            for db in dbs:
                db.close()


@settings(max_examples=40, deadline=None)
@given(events=rating_histories())
def test_the_rating_fold_is_pure_and_reasons_come_only_from_the_ratings_own_kiosk(events):
    streams: dict[str, list[Event]] = {}
    for e in sorted(events, key=canonical_key):
        streams.setdefault(e.stream_id, []).append(e)
    for sid, evs in streams.items():
        rows = fold_stream("rating", sid, evs)
        assert fold_stream("rating", sid, list(evs)) == rows
        device_of = {e.event_id: e.device_id for e in evs}
        for r in rows["ratings"]:
            given = [e for e in evs if e.type == "rating.reasons_given" and e.payload.rating_id == r["event_id"]
                     and e.device_id == device_of[r["event_id"]]]
            assert r["comment"] == (given[0].payload.comment if given else "")
        assert sum(r["counted"] for r in rows["ratings"]) == (1 if rows["ratings"] else 0)
        for inv in rows["rating_invitations"]:
            assert inv["state"] in ("open", "rated", "withdrawn")
            assert (inv["state"] == "rated") == bool(rows["ratings"])
