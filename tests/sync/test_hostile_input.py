"""Hostile input: schemathesis drives every operation of the server's OpenAPI (/api/v1/openapi.json) with
valid and invalid requests, with a real device token and without one, against the app on a real PostgreSQL.
No request may give a 5xx, and no answer may carry a stack trace.

Bounded for CI (MOTCUA_FUZZ_EXAMPLES per operation and mode, default 30); set it higher for a long run.
"""

from __future__ import annotations

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

pytestmark = pytest.mark.slow

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
