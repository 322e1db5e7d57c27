"""The fold is deterministic, idempotent and total: property tests over random histories of several devices.

Whatever order the same events arrive in, however often, in whatever batches, the projections come out the
same; folding one dossier again gives the rows the whole log gives; `rebuild` equals the live rows; nothing
raises, whatever the history holds (conflicting steps, clashing codes, unknown types, old payload shapes).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.eventlog import Event, canonical_key, decode, encode, fold_all, ingest, rebuild, refold
from app.eventlog.fold import fold_stream
from app.services.database import Database
from app.services.maintenance import projection_rows
from tests.eventlog.histories import histories

RELEASE = Path(__file__).parents[1] / "db" / "data" / "release-0.1.0.sqlite"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    Database(path, create=True).close()
    return path


class Files:
    """Fresh copies of an empty database for one example."""

    def __init__(self, template: Path):
        self.template = template
        self.dir = tempfile.TemporaryDirectory()
        self.opened: list[Database] = []

    def new(self, name: str) -> Database:
        path = Path(self.dir.name) / f"{name}.sqlite"
        shutil.copy(self.template, path)
        db = Database(path)
        self.opened.append(db)
        return db

    def close(self) -> None:
        for db in self.opened:
            db.close()
        self.dir.cleanup()


def rows_of(db: Database) -> dict:
    with db.reading() as s:
        return projection_rows(s)


def ingest_all(db: Database, batches: list[list[Event]]) -> None:
    for batch in batches:
        with db.transaction() as s:
            ingest(s, batch)


@SETTINGS
@given(events=histories(), data=st.data())
def test_any_arrival_order_duplication_and_batching_folds_to_the_same_projections(template, events, data):
    files = Files(template)
    try:
        reference = files.new("reference")
        ingest_all(reference, [sorted(events, key=canonical_key)])
        expected = rows_of(reference)

        # the same events, shuffled, some delivered twice or three times, in random batches
        arrival = data.draw(st.permutations(events))
        repeats = data.draw(st.lists(st.sampled_from(events), max_size=len(events)))
        stream = list(arrival) + repeats
        stream = data.draw(st.permutations(stream))
        cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=4)))
        batches = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True) if b > a]
        replica = files.new("replica")
        ingest_all(replica, batches)
        assert rows_of(replica) == expected

        # a full rebuild, and re-folding any one dossier, give the same rows
        with replica.transaction() as s:
            rebuild(s)
        assert rows_of(replica) == expected
        with replica.transaction() as s:
            refold(s, [("dossier", e.stream_id) for e in events[:1]])
        assert rows_of(replica) == expected
        # and the pure fold of the whole log (what `admin check` compares) equals the stored rows
        with replica.reading() as s:
            folded = fold_all(s)
        for name in ("dossiers", "dossier_steps", "logbook_entries", "flag_resolutions"):
            assert len(folded.get(name, [])) == len(expected[name])
    finally:
        files.close()


@SETTINGS
@given(events=histories())
def test_the_fold_is_a_pure_function_of_the_stream(events):
    by_stream: dict[str, list[Event]] = {}
    for e in sorted(events, key=canonical_key):
        by_stream.setdefault(e.stream_id, []).append(e)
    for stream_id, evs in by_stream.items():
        first = fold_stream("dossier", stream_id, evs)
        assert fold_stream("dossier", stream_id, list(evs)) == first
        # every event either shows in the timeline or waits for its dossier; none is dropped silently
        if first["dossiers"]:
            assert {s["event_id"] for s in first["dossier_steps"]} == {e.event_id for e in evs}


def _release_events() -> list[tuple[str, int, dict]]:
    con = sqlite3.connect(f"file:{RELEASE}?mode=ro", uri=True)
    try:
        import json

        return [(t, v, json.loads(p)) for t, v, p in con.execute("SELECT type, type_version, payload FROM events")]
    finally:
        con.close()


def test_every_payload_release_0_1_0_wrote_upcasts_and_reads_back_the_same():
    rows = _release_events()
    assert {t for t, _v, _p in rows} >= {"dossier.received", "dossier.transferred", "dossier.returned",
                                         "intake.guidance_issued", "dossier.applicant_corrected"}
    for type_, version, raw in rows:
        old = decode(type_, version, raw)
        assert not hasattr(old, "reason") or old.reason is not None
        assert type(old).__name__ != "Unreadable", (type_, raw)
        again = decode(type_, type(old).VERSION, encode(old))
        assert again == old


@SETTINGS
@given(events=histories())
def test_old_payload_shapes_fold_like_new_ones(events):
    """The same history written with version-1 reception payloads (as release 0.1.0 wrote them) and with
    version-2 ones folds to the same rows."""
    from dataclasses import replace

    current = [replace(e, type_version=type(e.payload).VERSION) if e.readable else e for e in events]
    ordered = sorted(events, key=canonical_key)
    ordered_now = sorted(current, key=canonical_key)
    for e in ordered:
        if e.readable:
            assert decode(e.type, type(e.payload).VERSION, encode(e.payload)) == e.payload
    streams = {e.stream_id for e in events}
    for sid in streams:
        a = fold_stream("dossier", sid, [e for e in ordered if e.stream_id == sid])
        b = fold_stream("dossier", sid, [e for e in ordered_now if e.stream_id == sid])
        assert a == b
