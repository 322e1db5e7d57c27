"""Hostile input: schemathesis drives every operation of the server's OpenAPI (/api/v1/openapi.json) with
valid and invalid requests, with a real device token and without one, against the app on a real PostgreSQL.
No request may give a 5xx, and no answer may carry a stack trace.

Bounded for CI (MOTCUA_FUZZ_EXAMPLES per operation and mode, default 30); set it higher for a long run.
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app.domain.ids import uuid7
from app.sync.server import service
from app.sync.server.app import create_app
from tests.sync.helpers import Province

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "30"))
A = "000.17.22.H56"
ENGLISH = re.compile(r"\b(error|the|not found|method|field|required|invalid|body|allowed)\b", re.I)


@pytest.fixture
def province(pg_url, tmp_path):
    p = Province(pg_url, tmp_path)
    p.commune(A, "xã Tân Hưng")
    p.app = create_app(p.db, public_rate=1_000_000)  # the limiter would answer 429 to most of the run
    yield p
    p.close()


def _token(province: Province) -> tuple[str, str]:
    from db.models import SyncState

    counter = province.device(A, 1)
    province.sync(counter)
    with counter.reading() as s:
        state = s.get(SyncState, counter.device.device_id)
        return state.device_id, state.token


def _own(case, device_id: str, acked: int, ids: list[str]) -> None:
    """Make a generated push look like the device's own (its id on the batch and every event, numbered after
    what the server holds, event ids that are UUIDs, some of them used before), so that the run gets past the
    403, the 409 and the 422 into scope checks, quarantine and storing."""
    body = case.body
    if not isinstance(body, dict):
        return
    body["device_id"] = device_id
    for i, e in enumerate(body.get("events") or []):
        if isinstance(e, dict):
            e["device_id"] = device_id
            e["device_seq"] = acked + 1 + i
            pick = sum(map(ord, str(e.get("event_id"))))
            if ids and pick % 3 == 0:
                e["event_id"] = ids[pick % len(ids)]
            else:
                e["event_id"] = str(uuid7())
                ids.append(e["event_id"])


def _fuzz(province: Province, op, mode, device_id: str, token: str, ids: list[str], seen: dict[str, set[int]]
          ) -> None:
    """Hypothesis over one operation: every answer below 500, no stack trace, a Vietnamese sentence."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode), auth=st.sampled_from(["token", "token", "none", "wrong"]),
           own=st.booleans())
    def run(case, auth, own):
        headers = {"token": {"Authorization": f"Bearer {token}"}, "none": {},
                   "wrong": {"Authorization": "Bearer x" * 3}}[auth]
        if own and op.path == "/api/v1/sync/push":
            _own(case, device_id, service.authenticate(province.db, token).acked_seq, ids)
        response = case.call(headers=headers)
        seen.setdefault(op.label, set()).add(response.status_code)
        assert response.status_code < 500, (op.label, auth, case.body, response.text[:500])
        assert "Traceback" not in response.text and 'File "' not in response.text
        if response.status_code >= 400 and response.text.startswith("{"):
            detail = response.json()["detail"]  # a sentence a person reads: Vietnamese, not the framework's
            assert isinstance(detail, str) and not ENGLISH.search(detail), (op.label, detail)

    try:
        run()
    except Unsatisfiable:
        # nothing in this operation's schema can be broken (a free-text path segment): the valid run covers it
        assert mode == GenerationMode.NEGATIVE, op.label


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_request_to_the_api_gets_a_server_error(province, mode):
    device_id, token = _token(province)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", province.app)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/sync/hello",
                                               "/api/v1/enroll", "/api/v1/ref/{dataset}", "/tra-cuu/{code}"}
    seen: dict[str, set[int]] = {}
    ids: list[str] = []
    for op in operations:
        if mode == GenerationMode.NEGATIVE and not (op.body or op.path_parameters or op.query):
            continue  # nothing to get wrong
        t = time.perf_counter()
        _fuzz(province, op, mode, device_id, token, ids, seen)
        print(f"{op.label}: {time.perf_counter() - t:.1f} s, answers {sorted(seen.get(op.label, ()))}")
    # the token made it past authentication somewhere, and the run got answers other than 401/422
    assert any(codes - {401, 422} for codes in seen.values()), seen
    # whatever was stored, the projector folds it and its projections equal a fresh fold of the log
    check = service.check(province.db)
    assert check.ok, check


# --- what the fuzzing found, kept as regression tests (not slow) ----------------------------------------------


@pytest.fixture
def counter(province):
    """An enrolled counter of commune A (its file), after a first sync."""
    db = province.device(A, 1)
    province.sync(db)
    return db


def _client(province: Province, db):
    from db.models import SyncState

    with db.reading() as s:
        token = s.get(SyncState, db.device.device_id).token
    return province.client("http://tinh.test", token)


def _next_event(province: Province, db, **changes) -> dict:
    from app.domain.ids import uuid7 as new_id

    seq = service.authenticate(province.db, _token_of(db)).acked_seq + 1
    return {"event_id": str(new_id()), "device_id": db.device.device_id, "device_seq": seq, "stream_type": "dossier",
            "stream_id": str(new_id()), "type": "dossier.received", "type_version": 1, "payload": {"code": "x"},
            "actor_id": None, "occurred_at": "2026-11-16T02:05:00Z", "base_version": 0, **changes}


def _token_of(db) -> str:
    from db.models import SyncState

    with db.reading() as s:
        return s.get(SyncState, db.device.device_id).token


@pytest.mark.parametrize("payload", [{"note": "a\x00b"}, None, {"n": float("nan")}], ids=["nul", "null", "nan"])
def test_a_payload_the_database_cannot_keep_is_quarantined_and_the_queue_goes_on(province, counter, payload):
    http = _client(province, counter)
    event = _next_event(province, counter, payload=payload)
    body = json.dumps({"device_id": counter.device.device_id, "events": [event]}, allow_nan=True)
    answer = http.post("/api/v1/sync/push", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert [(r["status"], r["reason"]) for r in answer.json()["results"]] == [("quarantined", "invalid")]
    assert answer.json()["acked_seq"] == event["device_seq"]
    assert http.get("/api/v1/sync/pull").status_code == 200
    assert service.check(province.db).ok


def test_an_envelope_the_database_cannot_keep_is_refused_whole(province, counter):
    http = _client(province, counter)
    for changes in ({"event_id": "0" * 35 + "\x00"}, {"event_id": "not-a-uuid-but-36-characters-long-xx"},
                    {"stream_id": "a\x00b"}, {"base_version": 2**40}):
        event = _next_event(province, counter, **changes)
        answer = http.post("/api/v1/sync/push", json={"device_id": counter.device.device_id, "events": [event]})
        assert answer.status_code == 422 and "không hợp lệ" in answer.json()["detail"], (changes, answer.text)
    assert not service.quarantined(province.db)


def test_an_absurd_clock_and_an_instant_near_year_one_are_kept_and_read_back(province, counter):
    http = _client(province, counter)
    hello = http.post("/api/v1/sync/hello", json={"device_time": "0001-01-01T00:00:00Z", "local_seq": 0})
    assert hello.status_code == 200 and "lệch" in hello.json()["message"]
    event = _next_event(province, counter, occurred_at="0101-01-15T22:10:55+05:00", type="kiosk.unknown_thing",
                        stream_type="rating")
    assert http.post("/api/v1/sync/push", json={"device_id": counter.device.device_id,
                                                "events": [event]}).status_code == 200
    page = http.get("/api/v1/sync/pull")
    assert page.status_code == 200
    assert any(e["event_id"] == event["event_id"] for e in page.json()["events"])


def test_a_body_over_the_limit_and_one_that_is_not_json_get_vietnamese_answers(province, counter):
    http = _client(province, counter)
    big = http.post("/api/v1/sync/push", content=b"x" * (5 * 1024 * 1024),
                    headers={"Content-Type": "application/json"})
    assert big.status_code == 413 and "quá lớn" in big.json()["detail"]
    broken = http.post("/api/v1/sync/push", content=b'{"device_id": ', headers={"Content-Type": "application/json"})
    assert broken.status_code in (400, 422) and not ENGLISH.search(broken.json()["detail"])
