"""The on-screen logbook: search while typing (accent-free), Vietnamese sorting, due filter and badge,
opening a dossier, exports; driven through the real widgets on a real office file."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QPoint, Qt

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.reception import ReceptionForm, receive_dossier
from app.services.reports import logbook_lines
from app.services.search import DossierFilter, search_dossiers
from app.services.users import login
from ui import workers
from ui.dossier_list import COL_NAME, COL_RECEIVED, DossierListPanel, DueBadge

LEFT = Qt.MouseButton.LeftButton


def at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=TZ)


def receive(db, clerk, when, name, code="1.004873", **kw):
    db.clock = lambda: when
    kw.setdefault("phone", f"0355{when.day:02d}{when.hour:02d}{when.minute:02d}")
    return receive_dossier(db, form=ReceptionForm(procedure_code=code, applicant_name=name, received_at=when,
                                                  **kw), clerk=clerk).code


@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


@pytest.fixture
def book(office_db, clerk):
    """Seven dossiers over Mon 9 – Fri 13/11/2026; the clock then stays at Mon 16/11 09:05."""
    db = office_db
    c = {}
    c["huong"] = receive(db, clerk, at(9, 8), "Nguyễn Thị Hường", address="Thôn Bàu Sen")  # due Thu 12/11
    c["dang"] = receive(db, clerk, at(10, 9), "Đặng Văn Lâm", code="2.000815")  # same day
    c["duong"] = receive(db, clerk, at(10, 10), "Dương Thị Bích", code="2.000815")
    c["ha"] = receive(db, clerk, at(11, 8), "Hà Thị Lan")  # 3 wd: due Mon 16/11 08:00 -> overdue
    c["do"] = receive(db, clerk, at(11, 9), "Đỗ Minh Khoa")  # due Mon 16/11 09:00 -> overdue
    c["bui"] = receive(db, clerk, at(13, 8), "Bùi Văn Cường")  # due Wed 18/11 08:00
    c["tran"] = receive(db, clerk, at(13, 9), "Trần Hữu Nghĩa", code="1.013978", channel="online")
    db.clock = lambda: at(10, 10, 30)
    lc.result_ready(db, c["dang"], actor=clerk)
    db.clock = lambda: at(10, 11)
    lc.return_result(db, c["dang"], actor=clerk)
    db.clock = lambda: at(12, 9)
    lc.result_ready(db, c["huong"], actor=clerk)
    db.clock = lambda: at(13, 10)
    lc.request_supplement(db, c["bui"], actor=clerk, reason="Thiếu giấy", items=[{"name": "Bản sao CCCD"}])
    db.clock = lambda: at(16, 9, 5)
    return c


def make_panel(qtbot, db, user) -> DossierListPanel:
    p = DossierListPanel(db, user)
    qtbot.addWidget(p)
    p.resize(1200, 600)
    p.show()
    qtbot.waitUntil(lambda: not p._loading, timeout=5000)
    return p


def shown_codes(p: DossierListPanel) -> set[str]:
    return {r.code for r in p.model.rows}


def test_typing_without_accents_finds_the_name_while_typing(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    assert len(p.model.rows) == 7 and p.count_label.text() == "Tìm thấy 7 hồ sơ"
    qtbot.keyClicks(p.search, "nguyen thi huong")
    qtbot.waitUntil(lambda: shown_codes(p) == {book["huong"]}, timeout=5000)
    assert p.visible_column(COL_NAME) == ["Nguyễn Thị Hường"]
    assert p.count_label.text() == "Tìm thấy 1 hồ sơ"
    p.search.clear()
    qtbot.keyClicks(p.search, "dang")
    # "dang" finds Đặng and also "Đăng ký đất đai …" (the procedure of Trần Hữu Nghĩa)
    qtbot.waitUntil(lambda: shown_codes(p) == {book["dang"], book["tran"]}, timeout=5000)
    assert "Đặng Văn Lâm" in p.visible_column(COL_NAME)


def test_fast_typing_runs_one_query_after_the_last_key(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    before = p._request
    qtbot.keyClicks(p.search, "tran huu nghia", delay=0)
    assert p._request == before  # nothing yet: the debounce waits for a pause in typing
    qtbot.waitUntil(lambda: shown_codes(p) == {book["tran"]}, timeout=5000)
    assert p._request == before + 1


def test_a_slow_old_answer_never_overwrites_a_newer_one(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    p.search.setText("nguyen")
    p.refresh()
    old = p._request
    p.search.setText("tran huu")
    p.refresh()
    qtbot.waitUntil(lambda: shown_codes(p) == {book["tran"]} and not p._loading, timeout=5000)
    # the first query's answer arrives late: dropped
    stale = search_dossiers(office_db, DossierFilter(text="nguyen"))
    p._landed(old, 0, stale)
    assert shown_codes(p) == {book["tran"]}


def test_names_sort_in_vietnamese_order(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    header = p.table.horizontalHeader()
    x = header.sectionViewportPosition(COL_NAME) + 10
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: p.proxy.sortColumn() == COL_NAME)
    names = p.visible_column(COL_NAME)
    if p.proxy.sortOrder() == Qt.SortOrder.DescendingOrder:
        names.reverse()
    # D < Đ < H: Dương before Đặng before Đỗ before Hà (Python's sorted() would put Đ after T)
    assert names == ["Bùi Văn Cường", "Dương Thị Bích", "Đặng Văn Lâm", "Đỗ Minh Khoa", "Hà Thị Lan",
                     "Nguyễn Thị Hường", "Trần Hữu Nghĩa"]
    assert sorted(names) != names  # the plain code-point order is wrong for Vietnamese
    p.table.sortByColumn(COL_RECEIVED, Qt.SortOrder.AscendingOrder)
    received = [p.proxy.index(r, COL_RECEIVED).data(Qt.ItemDataRole.UserRole) for r in range(7)]
    assert received == sorted(received)


def test_due_filter_overdue_shows_only_overdue_rows_and_the_badge_sets_it(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    combo = p.due_combo
    combo.setCurrentIndex(combo.findText("Quá hạn"))
    # Hà and Đỗ passed their appointments this morning; Dương (same-day certification) last Tuesday
    qtbot.waitUntil(lambda: shown_codes(p) == {book["ha"], book["do"], book["duong"]}, timeout=5000)
    assert {r.due_state for r in p.model.rows} == {"overdue"}
    assert p.model.index(0, 7).data() == "Quá hạn"
    assert p.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None  # tinted
    p.clear_button.click()
    qtbot.waitUntil(lambda: len(p.model.rows) == 7, timeout=5000)

    badge = DueBadge(office_db)
    qtbot.addWidget(badge)
    badge.due_clicked.connect(p.set_due_filter)
    badge.refresh()
    qtbot.waitUntil(lambda: badge.alerts is not None, timeout=5000)
    # only the counts with dossiers in them take room in the status bar
    assert badge.text() == "Quá hạn: 3 · Chờ bổ sung: 1"
    assert badge.buttons["today"].isHidden() and badge.buttons["soon"].isHidden()
    qtbot.mouseClick(badge.buttons["paused"], LEFT)
    qtbot.waitUntil(lambda: shown_codes(p) == {book["bui"]}, timeout=5000)
    assert p.due_combo.currentText() == "Tạm dừng chờ bổ sung"


def test_other_filters_and_count(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    p.channel_combo.setCurrentIndex(p.channel_combo.findData("online"))
    qtbot.waitUntil(lambda: shown_codes(p) == {book["tran"]}, timeout=5000)
    p.clear_button.click()
    qtbot.waitUntil(lambda: len(p.model.rows) == 7, timeout=5000)
    qtbot.waitUntil(lambda: p.field_combo.count() > 1, timeout=5000)
    p.field_combo.setCurrentIndex(p.field_combo.findText("Chứng thực"))
    qtbot.waitUntil(lambda: shown_codes(p) == {book["dang"], book["duong"]}, timeout=5000)
    p.clear_button.click()
    p.all_dates.setChecked(False)
    p.date_from.setDate(date(2026, 11, 10))
    p.date_to.setDate(date(2026, 11, 11))
    qtbot.waitUntil(lambda: shown_codes(p) == {book["dang"], book["duong"], book["ha"], book["do"]}, timeout=5000)
    assert p.count_label.text() == "Tìm thấy 4 hồ sơ"


def test_paging_load_more(qtbot, office_db, clerk, book, monkeypatch):
    monkeypatch.setattr("ui.dossier_list.PAGE", 3)
    p = make_panel(qtbot, office_db, clerk)
    assert len(p.model.rows) == 3 and p.more_button.isEnabled()
    assert p.count_label.text() == "Tìm thấy 7 hồ sơ (đang hiện 3)"
    qtbot.mouseClick(p.more_button, LEFT)
    qtbot.waitUntil(lambda: len(p.model.rows) == 6, timeout=5000)
    qtbot.mouseClick(p.more_button, LEFT)
    qtbot.waitUntil(lambda: len(p.model.rows) == 7, timeout=5000)
    assert not p.more_button.isEnabled() and len(shown_codes(p)) == 7
    p.search.setText("H56")  # every code: with text there is no total, so "more than"
    p.refresh()
    qtbot.waitUntil(lambda: not p._loading and bool(p.model.rows), timeout=5000)
    assert p.count_label.text() == "Hơn 3 hồ sơ — hãy lọc thêm"


def test_double_click_and_enter_open_the_dossier(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    p.search.setText(book["ha"])
    p.refresh()
    qtbot.waitUntil(lambda: shown_codes(p) == {book["ha"]}, timeout=5000)
    rect = p.table.visualRect(p.proxy.index(0, 1))
    qtbot.mouseClick(p.table.viewport(), LEFT, pos=rect.center())  # QTest needs the first click of the pair
    with qtbot.waitSignal(p.open_dossier, timeout=2000) as sig:
        qtbot.mouseDClick(p.table.viewport(), LEFT, pos=rect.center())
    assert sig.args == [book["ha"]]
    p.table.setFocus()
    p.table.setCurrentIndex(p.proxy.index(0, 0))
    with qtbot.waitSignal(p.open_dossier, timeout=2000) as sig:
        qtbot.keyClick(p.table, Qt.Key.Key_Return)
    assert sig.args == [book["ha"]]


def test_exports_write_files_and_a_bad_path_says_so(qtbot, office_db, clerk, book, tmp_path, monkeypatch):
    p = make_panel(qtbot, office_db, clerk)
    p.set_received_range(date(2026, 11, 9), date(2026, 11, 13))
    target = tmp_path / "so.xlsx"
    monkeypatch.setattr(p, "ask_save_path", lambda *a: str(target))
    qtbot.mouseClick(p.xlsx_button, LEFT)
    qtbot.waitUntil(lambda: p.last_saved == str(target), timeout=10000)
    assert target.read_bytes()[:2] == b"PK"
    csv_target = tmp_path / "so.csv"
    monkeypatch.setattr(p, "ask_save_path", lambda *a: str(csv_target))
    qtbot.mouseClick(p.csv_button, LEFT)
    qtbot.waitUntil(lambda: p.last_saved == str(csv_target), timeout=10000)
    text = csv_target.read_bytes().decode("utf-8-sig")
    assert "Nguyễn Thị Hường" in text and "Đặng Văn Lâm" in text
    assert len(logbook_lines(office_db, date(2026, 11, 9), date(2026, 11, 13))) == 7
    bad = tmp_path / "no-such-dir" / "so.csv"
    monkeypatch.setattr(p, "ask_save_path", lambda *a: str(bad))
    qtbot.mouseClick(p.csv_button, LEFT)
    qtbot.waitUntil(lambda: p.message_box is not None, timeout=10000)
    assert p.message_box.text().startswith(f"Không ghi được tệp {bad}")
    assert p.message_box.buttons()[0].text() == "Đóng"
    p.message_box.close()


def test_print_logbook_opens_the_preview(qtbot, office_db, clerk, book):
    p = make_panel(qtbot, office_db, clerk)
    p.set_received_range(date(2026, 11, 9), date(2026, 11, 13))
    with qtbot.waitSignal(p.pdf_ready, timeout=20000) as sig:
        qtbot.mouseClick(p.print_button, LEFT)
    assert sig.args[0].startswith(b"%PDF")
    qtbot.waitUntil(lambda: p.preview is not None, timeout=5000)
    p.preview.close()
    assert workers.wait_idle(10000)


def _pdf_text(tmp_path, pdf: bytes) -> str:
    import subprocess

    path = tmp_path / "extract.pdf"
    path.write_bytes(pdf)
    return " ".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True).stdout.split())


def test_print_with_all_dates_ticked_prints_every_day_as_an_extract(qtbot, office_db, clerk, book, tmp_path):
    p = make_panel(qtbot, office_db, clerk)
    assert p.all_dates.isChecked()  # "Mọi ngày" is how the tab opens
    with qtbot.waitSignal(p.pdf_ready, timeout=20000) as sig:
        qtbot.mouseClick(p.print_button, LEFT)
    text = _pdf_text(tmp_path, sig.args[0])
    assert "TRÍCH SỔ THEO DÕI HỒ SƠ" in text and "không thay cho các trang sổ đã chốt" in text
    assert "Từ ngày 09/11/2026 đến ngày 13/11/2026" in text
    for name in ("Nguyễn Thị Hường", "Đặng Văn Lâm", "Dương Thị Bích", "Hà Thị Lan", "Đỗ Minh Khoa",
                 "Bùi Văn Cường", "Trần Hữu Nghĩa"):
        assert name in text, name
    p.preview.close()
    assert workers.wait_idle(10000)


def test_print_prints_what_the_filters_select_and_says_which(qtbot, office_db, clerk, book, tmp_path):
    p = make_panel(qtbot, office_db, clerk)
    p.set_due_filter("overdue")
    qtbot.waitUntil(lambda: shown_codes(p) == {book["ha"], book["do"], book["duong"]}, timeout=5000)
    with qtbot.waitSignal(p.pdf_ready, timeout=20000) as sig:
        qtbot.mouseClick(p.print_button, LEFT)
    text = _pdf_text(tmp_path, sig.args[0])
    assert "Hà Thị Lan" in text and "Đỗ Minh Khoa" in text and "Dương Thị Bích" in text
    assert "Bùi Văn Cường" not in text and "Nguyễn Thị Hường" not in text
    assert "Điều kiện lọc: Hạn: Quá hạn" in text
    p.preview.close()
    assert workers.wait_idle(10000)


def test_a_late_result_then_its_return_read_trễ_hạn_in_red_in_the_list(qtbot, office_db, clerk, book):
    from ui.dossier_list import COL_CODE, COL_STATE

    # "huong" was due Thu 12/11 08:00 and her result came at 09:00: late, whatever happens next
    office_db.clock = lambda: at(16, 10)
    lc.return_result(office_db, book["huong"], actor=clerk)
    p = make_panel(qtbot, office_db, clerk)
    rows = {p.proxy.index(r, COL_CODE).data(): r for r in range(p.proxy.rowCount())}
    row = rows[book["huong"]]
    cell = p.proxy.index(row, COL_STATE)
    assert cell.data() == "Trễ hạn" and cell.data(Qt.ItemDataRole.ToolTipRole) == "Giải quyết trễ hạn"
    assert cell.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert p.proxy.index(rows[book["dang"]], COL_STATE).data() == "Đúng hạn"  # same day, by 17:00
