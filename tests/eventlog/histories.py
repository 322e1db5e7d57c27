"""Random multi-device histories of a commune's log, for the fold's property tests.

A history is what a province server would hold: events of several devices in one server order, each
device's events gapless and in its own order. Dossiers are received by one device and then stepped on by
any device, with actions drawn at random (so many arrive when the dossier's state no longer allows
them, which the fold must flag, never raise), some codes drawn from a tiny pool (so that two devices
sharing a slot clash), some events of a type or version this program does not know, and some payloads
in their version-1 shape (the upcasters must make them fold like new ones).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from app.eventlog import Event
from app.eventlog import payloads as p
from app.eventlog.registry import decode, encode

T0 = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
DEVICES = [str(uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0000 + i)) for i in range(1, 5)]
CLERKS = [str(uuid.UUID(int=0x0190_0000_0000_7000_9000_0000_0000_0000 + i)) for i in range(1, 5)]
AGENCY = "000.17.22.H56"
PROCEDURE = p.ProcedureRef(code="1.004873", name="Cấp Giấy xác nhận tình trạng hôn nhân", field="Hộ tịch",
                           competent_unit="Ủy ban nhân dân xã Tân Hưng")
DEADLINE = p.DeadlineData(duration=p.DurationData(kind="working_days", value=3), rule_version="r1",
                          calendar_version="c1", catalogue_version="seed")

STEPS = ["transferred", "handed_back", "supplement_requested", "supplement_received", "result_ready", "returned",
         "extended", "stopped", "cancelled", "cancelled_override", "corrected", "flag_resolved", "unknown",
         "newer_version"]


def _id(n: int) -> str:
    return str(uuid.UUID(int=0x0190_0000_0000_7000_a000_0000_0000_0000 + n))


def step_payload(kind: str, at: datetime, n: int):
    """The payload of a step (or (type, version, raw) for one this program cannot read)."""
    common = {"at": at, "actor_name": f"Cán bộ {n % 3}", "note": "ghi chú" if n % 4 == 0 else ""}
    if kind == "transferred":
        return p.DossierTransferred(to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch", **common)
    if kind == "handed_back":
        return p.DossierHandedBack(from_name="Lê Văn Đức", **common)
    if kind == "supplement_requested":
        return p.SupplementRequested(items=(p.SupplementItem(name="Bản sao CCCD", certified=True),), reason="Thiếu",
                                     resume_status="in_progress", **common)
    if kind == "supplement_received":
        return p.SupplementReceived(paused_minutes=30 + n, new_due_at=at + timedelta(days=3),
                                    new_statutory_due_at=at + timedelta(days=3), **common)
    if kind == "result_ready":
        return p.ResultReady(from_name="Lê Văn Đức", to_name="Trần Thị Mai", **common)
    if kind == "returned":
        return p.DossierReturned(collected_by="Nguyễn Thị Hường", **common)
    if kind == "extended":
        return p.DossierExtended(new_due_at=at + timedelta(days=5), reason="Cần xác minh", **common)
    if kind == "stopped":
        return p.DossierStopped(reason="Công dân rút hồ sơ", **common)
    if kind == "cancelled":
        return p.DossierCancelled(reason="Nhập trùng", **common)
    if kind == "cancelled_override":
        return p.DossierCancelled(reason="Lãnh đạo cho hủy", override=True, **common)
    if kind == "corrected":
        return p.ApplicantCorrected(changes={"phone": ("0901234567", f"09123456{n % 100:02d}")}, reason="Sai số",
                                    **common)
    if kind == "flag_resolved":
        return p.FlagResolved(flag_id=f"transition_conflict:{_id(n - 1)}", outcome="Đã kiểm tra", **common)
    if kind == "unknown":
        return ("dossier.photo_attached", 1, {"sha256": "ab" * 32})
    if kind == "newer_version":
        return ("dossier.returned", 9, {"collected_by": "X", "signature": "…"})
    raise AssertionError(kind)


@st.composite
def histories(draw, *, max_dossiers: int = 4, max_steps: int = 18) -> list[Event]:
    """Events in server order (server_seq 1..n), each device's device_seq gapless in that order."""
    n_devices = draw(st.integers(1, 3))
    n_dossiers = draw(st.integers(1, max_dossiers))
    ops: list[tuple] = []
    for d in range(n_dossiers):
        ops.append(("received", d, draw(st.integers(0, n_devices - 1)), draw(st.integers(1, 3))))
    for _ in range(draw(st.integers(0, max_steps))):
        ops.append((draw(st.sampled_from(STEPS)), draw(st.integers(0, n_dossiers - 1)),
                    draw(st.integers(0, n_devices - 1)), 0))
    # a step may come before its dossier's reception in server order (a device's delayed push)
    order = draw(st.permutations(range(len(ops)))) if draw(st.booleans()) else range(len(ops))
    v1 = draw(st.booleans())
    seqs = [0] * n_devices
    seen = [0] * n_devices  # server-ordered events a device had pulled when it wrote (its base_version)
    events = []
    for server_seq, i in enumerate(order, 1):
        kind, d, dev, code_n = ops[i]
        at = T0 + timedelta(minutes=7 * server_seq)
        seqs[dev] += 1
        if kind == "received":
            payload = p.DossierReceived(
                code=f"{AGENCY}-261116-1{code_n:03d}", volume="1/2026", number=d + 1, received_at=at,
                due_at=at + timedelta(days=3), clerk_name="Trần Thị Mai", procedure=PROCEDURE,
                applicant=p.ApplicantData(name=f"Nguyễn Thị Hường {d}", phone="0901234567"),
                papers=(p.PaperData(name="Tờ khai"),), deadline=DEADLINE)
        else:
            payload = step_payload(kind, at, server_seq)
        if isinstance(payload, tuple):
            type_, version, raw = payload
            body = decode(type_, version, raw)
        else:
            type_, version, body = payload.TYPE, payload.VERSION, payload
            if v1 and type_ == "dossier.received":  # as release 0.1.0 stored it
                raw = encode(body)
                raw["procedure"] = {**raw["procedure"], "duration_text": "03 ngày làm việc"}
                raw["deadline"] = {**raw["deadline"], "no_deadline": False}
                version, body = 1, decode(type_, 1, raw)
        base = draw(st.integers(0, seen[dev])) if seen[dev] else 0
        events.append(Event(event_id=_id(server_seq), device_id=DEVICES[dev], device_seq=seqs[dev],
                            stream_type="dossier", stream_id=_id(1000 + d), type=type_, type_version=version,
                            payload=body, actor_id=CLERKS[dev], occurred_at=at + timedelta(seconds=13),
                            server_seq=server_seq, base_version=base))
        seen[dev] = server_seq
    return events


def without_server_order(events: list[Event]) -> list[Event]:
    return [replace(e, server_seq=None) for e in events]
