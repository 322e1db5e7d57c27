"""The day book: closing days as the next pages of this device's volume, reprints, updates of lines
printed earlier, the automatic archive, the year's end; every page read back with pdftotext."""

from __future__ import annotations

import stat
from datetime import date, datetime

import pytest

from app.domain.calendar import TZ
from app.services import daybook
from app.services import lifecycle as lc
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.maintenance import check_database, rebuild_projections
from app.services.reception import ReceptionForm, receive_dossier
from app.services.reports import logbook_pdf
from app.services.settings import update_settings
from app.services.users import login
from tests.conftest import admin_of, make_office
from tests.printing.pdftools import needs_pdftotext, page_texts, pdf_pages, pdf_text, squash, write_pdf


def at(month, day, hh, mm=0, year=2026):
    return datetime(year, month, day, hh, mm, tzinfo=TZ)


@pytest.fixture
def db(tmp_path):
    """A counter set up on Monday 02/11/2026 at 07:30 (the book starts that day)."""
    d = make_office(tmp_path / "office.sqlite", now=at(11, 2, 7, 30))
    yield d
    d.close()


@pytest.fixture
def clerk(db):
    return login(db, username="canbo1", password="matkhau123")


@pytest.fixture
def leader(db):
    return login(db, username="lanhdao", password="matkhau123")


def clock(db, when):
    db.clock = lambda: when


def receive(db, clerk, when, name, *, code="1.004873", **kw):
    clock(db, when)
    kw.setdefault("phone", f"09{when.day:02d}{when.hour:02d}{when.minute:02d}11")
    return receive_dossier(db, form=ReceptionForm(procedure_code=code, applicant_name=name, received_at=when, **kw),
                           clerk=clerk)


def texts(tmp_path, pdf: bytes, name: str) -> list[str]:
    path = write_pdf(tmp_path, pdf, name)
    return [squash(t) for t in page_texts(path)]


def in_order(text: str, printed: str) -> bool:
    """Every word of `text` appears in `printed` in the same order (page footers may fall in between)."""
    words = iter(printed.split())
    return all(any(w == p for p in words) for w in text.split())


def fill_day(db, clerk, month, day, n, *, start=8):
    return [receive(db, clerk, at(month, day, start + i // 4, (i % 4) * 12), f"Nguyễn Văn Số {chr(65 + i)}",
                    address=f"Thôn {i + 1}, xã Tân Hưng") for i in range(n)]


@needs_pdftotext
def test_two_days_closed_in_a_row_continue_the_volumes_page_numbers(db, clerk, tmp_path):
    first = fill_day(db, clerk, 11, 2, 14)  # Monday: enough lines for more than one page
    second = fill_day(db, clerk, 11, 3, 3)
    clock(db, at(11, 3, 17, 40))
    assert daybook.pending_days(db) == [date(2026, 11, 2), date(2026, 11, 3)]

    monday = daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    tuesday = daybook.close_day(db, date(2026, 11, 3), actor=clerk)

    assert monday.first_page == 1 and monday.last_page > 1
    assert tuesday.first_page == monday.last_page + 1
    pages1 = texts(tmp_path, monday.pdf, "mon.pdf")
    pages2 = texts(tmp_path, tuesday.pdf, "tue.pdf")
    assert len(pages1) == monday.last_page and len(pages2) == tuesday.last_page - tuesday.first_page + 1
    for i, page in enumerate(pages1, start=1):
        assert f"Trang {i}" in page and f"Ngày 02/11/2026: trang {i}/{len(pages1)}" in page
        assert "Mã hồ sơ" in page  # the table's header repeats on every page
    for i, page in enumerate(pages2, start=tuesday.first_page):
        assert f"Trang {i}" in page
    assert "SỔ THEO DÕI HỒ SƠ" in pages1[0] and "Quyển số: 1/2026" in pages1[0]
    assert "Ngày 02/11/2026 (Thứ Hai)" in pages1[0] and "Ghi từ số 1 đến số 14" in pages1[0]
    assert "(tiếp theo)" in pages1[1]
    # the day's pages end with its totals and the signature lines
    last = pages1[-1]
    assert "TỔNG HỢP NGÀY 02/11/2026" in last and "Tiếp nhận: 14 hồ sơ (14 bộ), ghi từ số 1 đến số 14" in last
    assert "Theo lĩnh vực: Hộ tịch 14" in last and "Theo hình thức nộp: Trực tiếp 14" in last
    assert "NGƯỜI LẬP SỔ" in last and "LÃNH ĐẠO ĐƠN VỊ" in last and "Trần Thị Mai" in last
    raw = squash(pdf_text(write_pdf(tmp_path, monday.pdf, "mon.pdf"), mode="raw"))
    assert all(r.code.split("-", 1)[1] in raw for r in first)
    assert "Ghi từ số 15 đến số 17" in pages2[0]
    assert daybook.pending_days(db) == []
    assert [str(p.name) for p in sorted((daybook.archive_folder(db) / "quyen-1-2026").iterdir())] == [
        "so-theo-doi-2026-11-02.pdf", "so-theo-doi-2026-11-03.pdf"]
    assert second


@needs_pdftotext
def test_a_reprint_has_the_same_page_numbers_and_says_so(db, clerk, tmp_path):
    fill_day(db, clerk, 11, 2, 6)
    fill_day(db, clerk, 11, 3, 14)
    clock(db, at(11, 3, 17, 45))
    daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    closed = daybook.close_day(db, date(2026, 11, 3), actor=clerk)
    # later events must not change a reprint
    clock(db, at(11, 5, 10, 0))
    codes = [r.code for r in fill_day(db, clerk, 11, 5, 1)]
    lc.result_ready(db, codes[0], actor=clerk)
    clock(db, at(11, 6, 8, 15))
    again, was_closed = daybook.day_pdf(db, date(2026, 11, 3))
    assert was_closed
    first = texts(tmp_path, closed.pdf, "first.pdf")
    reprint = texts(tmp_path, again, "again.pdf")
    assert len(reprint) == len(first) == closed.last_page - closed.first_page + 1
    for n, (a, b) in enumerate(zip(first, reprint, strict=True), start=closed.first_page):
        assert f"Trang {n}" in a and f"Trang {n}" in b
        assert "BẢN IN LẠI – bản in đầu lúc 17:45 03/11/2026" in b
        assert "BẢN IN LẠI" not in a
    assert "Bản in lại lúc 08:15 06/11/2026; bản in đầu lúc 17:45 03/11/2026." in reprint[0]
    # the same lines on the same pages
    for a, b in zip(first, reprint, strict=True):
        assert [w for w in a.split() if w.startswith("Hưng") or w.isdigit()] == \
            [w for w in b.split() if w.startswith("Hưng") or w.isdigit()]


@needs_pdftotext
def test_a_return_after_closing_appears_in_the_next_days_update_section(db, clerk, tmp_path):
    monday = fill_day(db, clerk, 11, 2, 3)
    clock(db, at(11, 2, 17, 35))
    daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    code = monday[1].code  # line number 2
    clock(db, at(11, 3, 9, 0))
    lc.result_ready(db, code, actor=clerk)
    clock(db, at(11, 3, 10, 5))
    lc.return_result(db, code, actor=clerk, collected_by="Nguyễn Văn Số B")
    fill_day(db, clerk, 11, 3, 2)
    clock(db, at(11, 3, 17, 35))
    tuesday = daybook.close_day(db, date(2026, 11, 3), actor=clerk)
    assert tuesday.updates == 1
    text = " ".join(texts(tmp_path, tuesday.pdf, "tue.pdf"))
    assert "CẬP NHẬT CÁC DÒNG ĐÃ IN" in text
    raw = squash(pdf_text(write_pdf(tmp_path, tuesday.pdf, "tue.pdf"), mode="raw"))
    assert f"2 (1/2026) {code} 02/11/2026" in raw
    assert "Ngày nhận kết quả: 03/11/2026 09:00" in raw and "Ngày trả kết quả: 03/11/2026 10:05" in raw
    assert "Trả kết quả trong ngày: 1 hồ sơ (trước hạn 1, đúng hạn 0, quá hạn 0)" in text
    assert "Cập nhật 1 dòng đã in ở các trang trước" in text
    # printed once: the next closing does not repeat it
    clock(db, at(11, 4, 17, 35))
    wednesday = daybook.close_day(db, date(2026, 11, 4), actor=clerk)
    assert wednesday.updates == 0
    assert "CẬP NHẬT CÁC DÒNG ĐÃ IN" not in " ".join(texts(tmp_path, wednesday.pdf, "wed.pdf"))


@needs_pdftotext
def test_a_paper_dossier_entered_after_its_day_was_closed_is_printed_by_the_next_closing(db, clerk, tmp_path):
    fill_day(db, clerk, 11, 2, 2)
    clock(db, at(11, 2, 17, 35))
    daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    late = receive(db, clerk, at(11, 2, 16, 0), "Trương Thị Muộn")  # entered on Tuesday, for Monday
    clock(db, at(11, 3, 9, 0))
    fill_day(db, clerk, 11, 3, 1, start=9)
    clock(db, at(11, 3, 17, 35))
    tuesday = daybook.close_day(db, date(2026, 11, 3), actor=clerk)
    assert late.number == 3 and tuesday.lines == 2
    text = " ".join(texts(tmp_path, tuesday.pdf, "tue.pdf"))
    assert "Ghi thêm 1 dòng nhận trước ngày này (số 3)" in text
    assert "Tiếp nhận: 1 hồ sơ (1 bộ), ghi từ số 4 đến số 4" in text
    assert "Trương Thị Muộn" in squash(pdf_text(write_pdf(tmp_path, tuesday.pdf, "t.pdf"), mode="raw"))


def test_days_close_in_order_once_and_never_in_the_future(db, clerk):
    fill_day(db, clerk, 11, 2, 1)
    fill_day(db, clerk, 11, 3, 1)
    clock(db, at(11, 3, 12, 0))  # before the closing time: Tuesday is not finished yet
    assert daybook.pending_days(db) == [date(2026, 11, 2)]
    with pytest.raises(ServiceError, match="Còn ngày 02/11/2026 chưa chốt sổ"):
        daybook.close_day(db, date(2026, 11, 3), actor=clerk)
    with pytest.raises(ServiceError, match="Chưa đến ngày 04/11/2026"):
        daybook.close_day(db, date(2026, 11, 4), actor=clerk)
    daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    with pytest.raises(ServiceError, match=r"Ngày 02/11/2026 đã chốt sổ \(trang 1–1\)"):
        daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    with pytest.raises(ServiceError, match="ngày nghỉ"):
        daybook.close_day(db, date(2026, 11, 1), actor=clerk)


def test_only_leaders_close_when_the_office_says_so(db, clerk, leader):
    fill_day(db, clerk, 11, 2, 1)
    clock(db, at(11, 2, 17, 31))
    update_settings(db, {"daybook_closer_role": "leader"}, actor_id=admin_of(db).id)
    state = daybook.book_state(db, clerk)
    assert state.pending == [date(2026, 11, 2)] and "chỉ lãnh đạo được chốt sổ" in state.refusal
    with pytest.raises(ServiceError, match="chỉ lãnh đạo được chốt sổ"):
        daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    closed = daybook.close_day(db, date(2026, 11, 2), actor=leader)
    assert closed.first_page == 1 and daybook.book_state(db, leader).pending == []
    with pytest.raises(ServiceError, match="clerk"):
        update_settings(db, {"daybook_closer_role": "everyone"}, actor_id=admin_of(db).id)
    with pytest.raises(ServiceError, match="17:30"):
        update_settings(db, {"daybook_close_time": "5 giờ chiều"}, actor_id=admin_of(db).id)


def test_pending_days_are_this_devices_own(tmp_path):
    """Two counters of one office, each on its own file: closing at one says nothing about the other."""
    a = make_office(tmp_path / "a.sqlite", slot=1, now=at(11, 2, 7, 30))
    b = make_office(tmp_path / "b.sqlite", slot=2, now=at(11, 2, 7, 30))
    try:
        ca = login(a, username="canbo1", password="matkhau123")
        fill_day(a, ca, 11, 2, 2)
        for d in (a, b):
            clock(d, at(11, 2, 18, 0))
        daybook.close_day(a, date(2026, 11, 2), actor=ca)
        assert daybook.pending_days(a) == []
        assert daybook.pending_days(b) == [date(2026, 11, 2)]
        assert daybook.book_state(b).volume == "2/2026"
    finally:
        a.close()
        b.close()


def test_closing_is_an_event_the_fold_reproduces(db, clerk):
    monday = fill_day(db, clerk, 11, 2, 2)
    clock(db, at(11, 2, 17, 35))
    closed = daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    clock(db, at(11, 3, 9, 0))
    lc.transfer(db, monday[0].code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp")
    clock(db, at(11, 3, 17, 35))
    daybook.close_day(db, date(2026, 11, 3), actor=clerk)
    from app.eventlog import get_event

    with db.reading() as s:
        ev = get_event(s, closed.event_id)
        assert ev.type == "logbook.day_closed" and ev.actor_id == clerk.id
        assert (ev.payload.volume, ev.payload.day, ev.payload.first_page) == ("1/2026", date(2026, 11, 2), 1)
        assert [ln.number for ln in ev.payload.lines] == [1, 2]
    r = rebuild_projections(db)
    assert r.identical
    assert check_database(db).ok


@needs_pdftotext
def test_the_archive_holds_one_pdf_per_working_day_after_a_week_with_the_pc_off_one_day(db, clerk, tmp_path):
    """Mon 02/11 – Fri 06/11: the counter runs every day but Wednesday; nobody closes a day. The archive
    runs at the closing time each day the PC is on, and at the next start for the day it was off."""
    for day in (2, 3, 5, 6):
        if day == 5:  # Thursday morning: the counter starts after a day off and catches up
            clock(db, at(11, 5, 7, 25))
            report = daybook.archive_days(db)
            assert [p.name for p in report.written] == ["so-theo-doi-2026-11-04-chua-chot.pdf"]
        fill_day(db, clerk, 11, day, 2)
        clock(db, at(11, day, 17, 30))
        report = daybook.archive_days(db)
        assert [p.name for p in report.written] == [f"so-theo-doi-2026-11-{day:02d}-chua-chot.pdf"]
    folder = daybook.archive_folder(db) / "quyen-1-2026"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"so-theo-doi-2026-11-0{d}-chua-chot.pdf" for d in range(2, 7)]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for f in folder.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600  # names and addresses of citizens
    wednesday = texts(tmp_path, (folder / "so-theo-doi-2026-11-04-chua-chot.pdf").read_bytes(), "wed.pdf")
    assert "BẢN LƯU TỰ ĐỘNG – NGÀY CHƯA CHỐT SỔ" in wednesday[0]
    assert "Không có hồ sơ nào được tiếp nhận vào sổ trong ngày." in wednesday[0]
    # closing the days later replaces each day's copy by its pages as closed: still one file per day
    clock(db, at(11, 9, 8, 0))
    assert daybook.archive_days(db).written == []
    closed = daybook.close_pending(db, actor=clerk)
    assert [c.day.day for c in closed] == [2, 3, 4, 5, 6]
    assert sorted(p.name for p in folder.iterdir()) == [f"so-theo-doi-2026-11-0{d}.pdf" for d in range(2, 7)]
    thursday = texts(tmp_path, (folder / "so-theo-doi-2026-11-05.pdf").read_bytes(), "thu.pdf")
    assert f"Trang {closed[3].first_page}" in thursday[0] and "BẢN LƯU TỰ ĐỘNG" not in thursday[0]


@needs_pdftotext
def test_the_year_end_page_counts_match_the_volume(tmp_path):
    db = make_office(tmp_path / "year.sqlite", now=at(12, 21, 7, 30))
    try:
        clerk = login(db, username="canbo1", password="matkhau123")
        for day in (21, 22, 23):
            fill_day(db, clerk, 12, day, 9 if day == 22 else 2)
        clock(db, at(12, 30, 8, 0))
        with pytest.raises(ServiceError, match="Chỉ khóa sổ năm 2026 từ ngày 31/12/2026"):
            daybook.close_volume(db, 2026, actor=clerk)
        clock(db, at(12, 31, 17, 40))
        with pytest.raises(ServiceError, match="chưa chốt sổ"):
            daybook.close_volume(db, 2026, actor=clerk)
        days = daybook.close_pending(db, actor=clerk)
        assert [d.day.day for d in days] == [21, 22, 23, 24, 25, 28, 29, 30, 31]
        pages_so_far = days[-1].last_page
        end = daybook.close_volume(db, 2026, actor=clerk)
        assert end.first_page == pages_so_far + 1 and end.pages == pages_so_far + 1 and end.lines == 13
        page = texts(tmp_path, end.pdf, "end.pdf")
        assert len(page) == 1
        assert f"Sổ này có {pages_so_far + 1} trang, ghi từ số 1 đến số 13, khóa sổ ngày 31 tháng 12 năm 2026." \
            in page[0]
        assert f"Trang {pages_so_far + 1}" in page[0] and "KHÓA SỔ" in page[0]
        assert "Hồ sơ tiếp nhận từ năm 2027 ghi vào Quyển số 1/2027." in page[0]
        assert "NGƯỜI LẬP SỔ" in page[0] and "LÃNH ĐẠO ĐƠN VỊ" in page[0]
        # the statement counts every page the closings printed
        with db.reading() as s:
            from sqlalchemy import func, select

            from db.models import LogbookClosing

            total = s.scalar(select(func.sum(LogbookClosing.last_page - LogbookClosing.first_page + 1)))
        assert total == end.pages
        with pytest.raises(ServiceError, match="đã khóa sổ"):
            daybook.close_volume(db, 2026, actor=clerk)
        assert "BẢN IN LẠI" in texts(tmp_path, daybook.volume_end_pdf(db, 2026), "again.pdf")[0]
        cover = texts(tmp_path, daybook.cover_pdf(db, 2026), "cover.pdf")[0]
        for text in ("SỔ THEO DÕI HỒ SƠ", "QUYỂN SỐ: 1/2026", "NĂM 2026", "Quầy 1", "000.17.22.H56",
                     "Bắt đầu ghi sổ: 21/12/2026", "Khóa sổ: ngày 31 tháng 12 năm 2026"):
            assert text in cover, text
        # the new year is a new volume, numbered from 1, with its own pages
        clock(db, at(1, 4, 8, 0, year=2027))
        r = receive(db, clerk, at(1, 4, 8, 0, year=2027), "Lê Thị Năm Mới")
        assert (r.volume, r.number) == ("1/2027", 1)
        clock(db, at(1, 4, 17, 45, year=2027))
        first_2027 = daybook.close_day(db, date(2027, 1, 4), actor=clerk)
        assert (first_2027.volume, first_2027.first_page) == ("1/2027", 1)
    finally:
        db.close()


@needs_pdftotext
def test_a_1500_character_note_a_long_name_and_address_still_print(db, clerk, tmp_path, monkeypatch):
    # today's input limits are shorter; a book must still print what older files and other devices hold
    from app.services import inputs

    for key in ("applicant_name", "address", "note"):
        monkeypatch.setitem(inputs.LIMITS, key, inputs.Limit(inputs.LIMITS[key].label, 2000))
    note = ("Công dân đề nghị ghi rõ: " + "hồ sơ gồm nhiều giấy tờ cần đối chiếu bản chính, " * 40)[:1500]
    name = "Nguyễn " + "Thị Ngọc Bích Phượng Hoàng " * 30  # ~800 characters
    address = "Tổ 5, " + "khu phố Bình Thạnh, phường Tân Hưng, " * 33  # ~1,200 characters
    r = receive(db, clerk, at(11, 2, 9, 0), name[:800], note=note, address=address[:1200])
    receive(db, clerk, at(11, 2, 9, 30), "Lê Văn Ngắn")
    clock(db, at(11, 2, 17, 35))
    closed = daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    path = write_pdf(tmp_path, closed.pdf, "long.pdf")
    raw = squash(pdf_text(path, mode="raw"))
    assert "[xem *1 ở cuối]" in raw and "GHI ĐẦY ĐỦ CÁC Ô DÀI" in raw
    assert in_order(note, raw)  # printed whole after the table (across a page break)
    assert "Lê Văn Ngắn" in raw and "TỔNG HỢP NGÀY 02/11/2026" in raw
    assert pdf_pages(path) == closed.last_page
    # the extract of the same day prints too
    extract = logbook_pdf(db, date(2026, 11, 2), date(2026, 11, 2))
    assert in_order(note, squash(pdf_text(write_pdf(tmp_path, extract, "extract.pdf"), mode="raw")))
    assert r.number == 1


def test_book_state_says_what_the_status_bar_shows(db, clerk):
    fill_day(db, clerk, 11, 2, 1)
    clock(db, at(11, 4, 9, 0))
    state = daybook.book_state(db, clerk)
    assert state.pending == [date(2026, 11, 2), date(2026, 11, 3)]
    assert state.volume == "1/2026" and state.last_closed is None and state.refusal is None
    assert state.archive_dir == db.path.parent / "so-theo-doi"
    daybook.close_pending(db, actor=clerk)
    state = daybook.book_state(db, clerk)
    assert state.pending == [] and state.last_closed == date(2026, 11, 3) and state.last_page == 2


def test_a_file_upgraded_with_dossiers_starts_its_day_book_on_the_upgrade_day(db, clerk):
    """Older days were printed the old way: only days from the start setting are pending."""
    from alembic import command
    from sqlalchemy import text

    from db.engine import alembic_config

    fill_day(db, clerk, 11, 2, 2)
    fill_day(db, clerk, 11, 4, 1)
    command.downgrade(alembic_config(db.engine), "0003")  # as the file was before the day book
    command.upgrade(alembic_config(db.engine), "head")
    Database(db.path).close()  # the program opening it folds the setting the upgrade recorded
    with db.reading() as s:
        start = s.execute(text("SELECT value FROM settings WHERE key = 'daybook_start'")).scalar()
    assert start == f'"{datetime.now(TZ).date().isoformat()}"'
    update_settings(db, {"daybook_start": "2026-11-04"}, actor_id=admin_of(db).id)  # as an office would move it
    clock(db, at(11, 5, 18, 0))
    assert daybook.pending_days(db) == [date(2026, 11, 4), date(2026, 11, 5)]
    closed = daybook.close_day(db, date(2026, 11, 4), actor=clerk)
    assert closed.lines == 1 and closed.first_page == 1  # Monday's lines are not "late lines"
    with pytest.raises(ServiceError, match="YYYY-MM-DD"):
        update_settings(db, {"daybook_start": "04/11/2026"}, actor_id=admin_of(db).id)


def font_sizes(pdf: bytes) -> dict[float, int]:
    """How many visible characters of a PDF are set at each size (pdfium reads the real text matrices)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from app.printing.pdfium import PDFIUM_LOCK

    sizes: dict[float, int] = {}
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            for i in range(len(doc)):
                text = doc[i].get_textpage()
                for k in range(text.count_chars()):
                    if chr(raw.FPDFText_GetUnicode(text.raw, k)).strip():
                        size = round(raw.FPDFText_GetFontSize(text.raw, k), 1)
                        sizes[size] = sizes.get(size, 0) + 1
        finally:
            doc.close()
    return sizes


def test_every_character_of_the_book_is_at_least_9_pt(db, clerk):
    fill_day(db, clerk, 11, 2, 12)
    clock(db, at(11, 2, 17, 35))
    closed = daybook.close_day(db, date(2026, 11, 2), actor=clerk)
    sizes = font_sizes(closed.pdf)
    assert min(sizes) >= 9, sizes
    assert sum(n for s, n in sizes.items() if s == 9) > 1000  # the table itself is 9 pt, not larger
    for pdf in (daybook.cover_pdf(db, 2026), daybook.day_pdf(db, date(2026, 11, 2))[0]):
        assert min(font_sizes(pdf)) >= 9
