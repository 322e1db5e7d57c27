"""The search box and the logbook list: accent-free full-text search over the FTS5 index, every filter,
hostile input, due states and alerts, on a real SQLite file built through the real services."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.reception import ReceptionForm, receive_dossier
from app.services.search import (
    DossierFilter,
    due_alerts,
    filter_options,
    fts_query,
    like_scan,
    quick_search,
    raw_index_query,
    search_dossiers,
)
from app.services.users import login


def at(day, hh, mm=0, month=11):
    return datetime(2026, month, day, hh, mm, tzinfo=TZ)


def step(db, when, fn, *args, **kw):
    db.clock = lambda: when
    return fn(db, *args, **kw)


@pytest.fixture
def people(office_db):
    return (login(office_db, username="canbo1", password="matkhau123"),
            login(office_db, username="chuyenvien", password="matkhau123"))


def receive(db, clerk, when, code="1.004873", name="Nguyễn Văn An", **kw):
    db.clock = lambda: when
    kw.setdefault("phone", f"0355{when.day:02d}{when.hour:02d}{when.minute:02d}")
    return receive_dossier(db, form=ReceptionForm(procedure_code=code, applicant_name=name, received_at=when,
                                                  **kw), clerk=clerk)


@pytest.fixture
def book(office_db, people):
    """Six dossiers over Mon 9 – Mon 16/11/2026 (clock left at Mon 16/11 09:05 for the searches)."""
    clerk, spec = people
    db = office_db
    d = {}
    d["huong"] = receive(db, clerk, at(9, 8), name="Nguyễn Thị Hường", phone="0912345678",
                         id_number="079190012345", address="Thôn Bàu Sen, xã Tân Hưng")  # 3 wd: due Thu 12/11 08:00
    d["dang"] = receive(db, clerk, at(10, 9), code="2.000815", name="Đặng Văn Lâm", phone="0987654321",
                        channel="online", address="Ấp Cây Xoài")  # same day: due Tue 10/11 17:00
    d["tran"] = receive(db, clerk, at(12, 10), code="1.013978", name="Trần Hữu Nghĩa", phone="0911222333",
                        channel="post", address="Tổ 5, khu phố Hòa Bình")  # 20 wd
    d["soon"] = receive(db, clerk, at(13, 14), code="1.004873", name="Lê Thị Hoa")  # due Wed 18/11 14:00
    d["today"] = receive(db, clerk, at(11, 9), code="1.004873", name="Phạm Minh Tuấn")  # due Mon 16/11 09:00
    d["paused"] = receive(db, clerk, at(13, 8), code="1.004873", name="Võ Thị Nguyệt")  # due Wed 18/11 08:00
    # huong: result ready late (Fri 13/11), waiting for the citizen; dang: returned; paused: supplement.
    step(db, at(9, 9), lc.transfer, d["huong"].code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp")
    step(db, at(13, 10), lc.result_ready, d["huong"].code, actor=clerk)
    step(db, at(10, 10), lc.result_ready, d["dang"].code, actor=clerk)
    step(db, at(10, 11), lc.return_result, d["dang"].code, actor=clerk)
    step(db, at(13, 15), lc.request_supplement, d["paused"].code, actor=spec, reason="Thiếu giấy",
         items=[{"name": "Bản sao CCCD"}])
    step(db, at(12, 11), lc.transfer, d["tran"].code, actor=clerk, to_name="Địa chính")
    db.clock = lambda: at(16, 9, 5)
    return d


def codes(rows):
    return [r.code for r in rows]


def test_fts_query_quotes_every_word_and_survives_anything():
    assert fts_query("Nguyễn Thị Hường") == '"nguyen"* "thi"* "huong"*'
    assert fts_query("000.17.22.H56-261116-1001") == '"000 17 22 h56 261116 1001"*'
    assert fts_query('" * AND - ( ) : ^ NEAR') == '"and"* "near"*'
    assert fts_query("   ") == ""


def test_accent_free_search_finds_names_phone_id_and_address(office_db, book):
    db = office_db
    assert codes(search_dossiers(db, DossierFilter(text="nguyen thi huong")).rows) == [book["huong"].code]
    assert codes(search_dossiers(db, DossierFilter(text="NGUYEN  thi")).rows) == [book["huong"].code]
    assert codes(search_dossiers(db, DossierFilter(text="dang van")).rows) == [book["dang"].code]
    # the procedure name is indexed too: "Đăng ký đất đai …" also starts with "dang"
    assert codes(search_dossiers(db, DossierFilter(text="dang")).rows) == [book["tran"].code, book["dang"].code]
    assert codes(search_dossiers(db, DossierFilter(text="Đặng Văn")).rows) == [book["dang"].code]
    assert codes(search_dossiers(db, DossierFilter(text="0912")).rows) == [book["huong"].code]
    assert codes(search_dossiers(db, DossierFilter(text="079190012345")).rows) == [book["huong"].code]
    assert codes(search_dossiers(db, DossierFilter(text="bau sen")).rows) == [book["huong"].code]
    assert codes(search_dossiers(db, DossierFilter(text="hoa binh")).rows) == [book["tran"].code]
    # "nguy" prefixes both Nguyễn and Nguyệt: newest in the index first, total not counted with text
    res = search_dossiers(db, DossierFilter(text="nguy"))
    assert codes(res.rows) == [book["paused"].code, book["huong"].code]
    assert res.total is None and not res.has_more
    assert raw_index_query(db, "nguy") == [book["paused"].id, book["huong"].id]
    assert like_scan(db, "nguy") == [book["paused"].id, book["huong"].id]


def test_exact_code_comes_first_in_the_quick_search(office_db, book):
    db = office_db
    code = book["tran"].code
    rows = quick_search(db, code)
    assert rows[0].code == code and len(rows) == 1
    rows = quick_search(db, code.lower() + "  ")
    assert rows[0].code == code
    # a shared prefix of the code: every dossier of that day; exact match (if any) first, then newest
    prefix = code.rsplit("-", 1)[0]
    assert rows and set(codes(quick_search(db, prefix))) == {code}
    all_rows = quick_search(db, "000.17.22.H56")
    assert len(all_rows) == 6


@pytest.mark.parametrize("hostile", ['"', '""', "*", "AND", "OR NOT", "-", "(", ")", "a:b", "^x", "NEAR(",
                                     "'; DROP TABLE dossiers; --", "%", "_", "\\", "\x00", "🙂", "đ\u0301"])
def test_hostile_input_never_raises(office_db, book, hostile):
    search_dossiers(office_db, DossierFilter(text=hostile))
    quick_search(office_db, hostile)
    raw_index_query(office_db, hostile)
    like_scan(office_db, hostile)


def test_each_filter(office_db, book, people):
    db, clerk = office_db, people[0]
    s = lambda **kw: set(codes(search_dossiers(db, DossierFilter(**kw)).rows))  # noqa: E731
    b = {k: v.code for k, v in book.items()}
    assert s() == set(b.values())
    assert search_dossiers(db, DossierFilter()).total == 6
    assert s(statuses=("returned",)) == {b["dang"]}
    assert s(statuses=("received", "supplement")) == {b["soon"], b["today"], b["paused"]}
    assert s(field="Đất đai") == {b["tran"]}
    assert s(field="Chứng thực") == {b["dang"]}
    assert s(procedure_code="1.004873") == {b["huong"], b["soon"], b["today"], b["paused"]}
    assert s(clerk_id=clerk.id) == set(b.values())
    assert s(clerk_id="nobody") == set()
    assert s(received_from=date(2026, 11, 10), received_to=date(2026, 11, 12)) == {b["dang"], b["tran"], b["today"]}
    assert s(received_from=date(2026, 11, 13)) == {b["soon"], b["paused"]}
    assert s(channel="online") == {b["dang"]}
    assert s(channel="post") == {b["tran"]}
    # now Mon 16/11 09:05: "today" (due 09:00) has just passed; result_ready "huong" is not overdue
    assert s(due="overdue") == {b["today"]}
    assert s(due="paused") == {b["paused"]}
    assert s(due="today") == set()
    assert s(due="soon") == set()
    assert s(due="overdue", text="pham") == {b["today"]}
    assert s(due="overdue", text="nguyen") == set()
    # at Tue 17/11 15:00 "soon" (due Wed 18/11 14:00) is within one working day
    assert set(codes(search_dossiers(db, DossierFilter(due="soon"), now=at(17, 15)).rows)) == {b["soon"]}
    assert set(codes(search_dossiers(db, DossierFilter(due="today"), now=at(18, 8)).rows)) == {b["soon"]}
    assert set(codes(search_dossiers(db, DossierFilter(due="soon"), now=at(18, 8)).rows)) == {b["soon"]}
    with pytest.raises(ValueError):
        search_dossiers(db, DossierFilter(due="tomorrow"))


def test_rows_order_paging_and_due_states(office_db, book):
    db = office_db
    res = search_dossiers(db, DossierFilter(), limit=4)
    assert res.has_more and res.total == 6 and len(res.rows) == 4
    received = [r.received_at for r in res.rows]
    assert received == sorted(received, reverse=True)
    rest = search_dossiers(db, DossierFilter(), limit=4, offset=4)
    assert not rest.has_more and len(rest.rows) == 2
    by_code = {r.code: r for r in res.rows + rest.rows}
    assert by_code[book["today"].code].due_state == "overdue"
    assert by_code[book["huong"].code].due_state == "late"  # result came after the due: its verdict, never green
    assert by_code[book["dang"].code].due_state == "on_time"  # returned: its verdict, not just "closed"
    assert by_code[book["paused"].code].due_state == "paused"
    assert by_code[book["tran"].code].due_state == "within"
    r = by_code[book["huong"].code]
    assert r.received_at == at(9, 8) and r.received_at.tzinfo is not None
    assert r.status == "result_ready" and r.status_text and r.phone == "0912345678"
    assert r.id_number == "079190012345" and r.clerk_name == "Trần Thị Mai" and r.volume and r.number == 1
    due = codes(search_dossiers(db, DossierFilter(), order="due").rows)
    assert due[0] == book["dang"].code


def test_due_alerts_match_the_filters(office_db, book):
    db = office_db
    for now in (at(16, 9, 5), at(17, 13), at(18, 8), at(18, 15)):
        alerts = due_alerts(db, now=now)
        for kind, value in (("overdue", alerts.overdue), ("today", alerts.due_today), ("soon", alerts.due_soon),
                            ("paused", alerts.paused)):
            assert value == search_dossiers(db, DossierFilter(due=kind), now=now).total, (now, kind)
    assert due_alerts(db, now=at(18, 15)) .overdue == 2  # "today" and "soon" (due Wed 14:00)


def test_filter_options(office_db, book, people):
    opts = filter_options(office_db)
    assert "Hộ tịch" in opts["fields"] and "Đất đai" in opts["fields"]
    assert ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân") in opts["procedures"] or \
        any(code == "1.004873" for code, _ in opts["procedures"])
    assert (people[0].id, "Trần Thị Mai") in opts["clerks"]
