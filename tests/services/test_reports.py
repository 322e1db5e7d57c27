"""The logbook and statistics outputs: lines from the real services, Excel read back with openpyxl,
CSV with a BOM, JSON, and the PDFs through app.printing."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.reception import ReceptionForm, receive_dossier
from app.services.reports import (
    LOGBOOK_TITLES,
    logbook_csv,
    logbook_lines,
    logbook_pdf,
    logbook_title_info,
    logbook_xlsx,
    stats_csv,
    stats_json,
    stats_pdf,
    stats_xlsx,
)
from app.services.stats import compute_stats
from app.services.users import login


def at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=TZ)


def step(db, when, fn, *args, **kw):
    db.clock = lambda: when
    return fn(db, *args, **kw)


@pytest.fixture
def book(office_db):
    db = office_db
    clerk = login(db, username="canbo1", password="matkhau123")
    made = []
    for i, (when, proc, name) in enumerate([
        (at(9, 8), "1.004873", "Nguyễn Thị Hường"), (at(9, 9), "2.000815", "Đặng Văn Lâm"),
        (at(10, 8), "1.004873", "Trần Hữu Nghĩa"), (at(10, 9), "1.004873", "Lê Thị Hoa"),
        (at(12, 8), "1.013978", "Phạm Minh Tuấn"),
    ]):
        db.clock = lambda w=when: w
        made.append(receive_dossier(db, form=ReceptionForm(
            procedure_code=proc, applicant_name=name, phone=f"091234567{i}", address="Ấp Bình Thạnh, xã Tân Hưng",
            received_at=when, note="Hồ sơ ưu tiên" if i == 4 else ""), clerk=clerk))
    step(db, at(9, 9), lc.transfer, made[0].code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp")
    step(db, at(11, 10), lc.result_ready, made[0].code, actor=clerk)
    step(db, at(11, 14), lc.return_result, made[0].code, actor=clerk)
    step(db, at(10, 10), lc.stop, made[2].code, actor=clerk, reason="Công dân xin rút hồ sơ")
    step(db, at(10, 9, 30), lc.cancel, made[3].code, actor=clerk, reason="Nhập trùng")
    db.clock = lambda: at(16, 9)
    return made


def test_logbook_lines(office_db, book):
    lines = logbook_lines(office_db, date(2026, 11, 9), date(2026, 11, 12))
    assert [ln.number for ln in lines] == [1, 2, 3, 4, 5]
    assert {ln.volume for ln in lines} == {"1/2026"}
    first = lines[0]
    assert first.code == book[0].code and first.applicant_name == "Nguyễn Thị Hường"
    assert first.received_at == at(9, 8) and first.due_at == at(12, 8)
    assert first.transferred_at == at(9, 9) and first.result_at == at(11, 10) and first.returned_at == at(11, 14)
    assert first.address_phone == "Ấp Bình Thạnh, xã Tân Hưng; 0912345670"
    assert first.return_method == "Trực tiếp" and first.sets_count == 1 and first.competent_unit
    assert lines[2].note == "Dừng: Công dân xin rút hồ sơ"
    assert lines[3].note == "Đã hủy: Nhập trùng"
    assert lines[4].note == "Hồ sơ ưu tiên"
    assert [ln.number for ln in logbook_lines(office_db, date(2026, 11, 10), date(2026, 11, 10))] == [3, 4]
    assert logbook_lines(office_db, date(2026, 11, 9), date(2026, 11, 12), volume="2/2026") == []


def test_logbook_excel_read_back(office_db, book):
    lines = logbook_lines(office_db, date(2026, 11, 9), date(2026, 11, 12))
    info = logbook_title_info(office_db, date(2026, 11, 9), date(2026, 11, 12), lines=lines)
    wb = load_workbook(io.BytesIO(logbook_xlsx(lines, title_info=info)))
    ws = wb.active
    texts = [str(c.value) for row in ws.iter_rows(max_row=9) for c in row if c.value is not None]
    assert "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG" in texts
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ TÂN HƯNG" in texts
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "SỔ THEO DÕI HỒ SƠ" in texts
    assert "Quyển số: 1/2026" in texts and "Từ ngày 09/11/2026 đến ngày 12/11/2026" in texts
    assert [ws.cell(row=8, column=c).value for c in range(1, 16)] == [t for t, _ in LOGBOOK_TITLES]
    assert ws.freeze_panes == "C10"
    assert ws.print_title_rows == "$8:$9"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.cell(row=10, column=1).value == 1
    assert ws.cell(row=10, column=2).value == book[0].code
    received = ws.cell(row=10, column=8)
    assert isinstance(received.value, datetime) and received.value == datetime(2026, 11, 9, 8, 0)
    assert received.number_format == "dd/mm/yyyy hh:mm"
    assert ws.cell(row=10, column=12).value == datetime(2026, 11, 11, 14, 0)
    assert ws.cell(row=11, column=10).value is None  # not transferred
    assert ws.cell(row=13, column=15).value == "Đã hủy: Nhập trùng"
    assert ws.cell(row=10, column=3).alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width
    assert ws.max_row == 14


def test_logbook_csv_has_a_bom_and_vietnamese(office_db, book):
    lines = logbook_lines(office_db, date(2026, 11, 9), date(2026, 11, 12))
    data = logbook_csv(lines)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Quyển số" and rows[0][1:] == [t for t, _ in LOGBOOK_TITLES]
    assert rows[1][:3] == ["1/2026", "1", book[0].code]
    assert rows[1][5] == "Nguyễn Thị Hường" and rows[1][8] == "09/11/2026 08:00"
    assert len(rows) == 6


def test_stats_outputs(office_db, book):
    rep = compute_stats(office_db, date(2026, 11, 1), date(2026, 11, 30), now=at(16, 9))
    wb = load_workbook(io.BytesIO(stats_xlsx(rep)))
    ws = wb["Bieu II.06a"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A7:A8", "B7:B8", "C7:F7", "G7:J7", "K7:M7"} <= merged
    assert [ws.cell(row=7, column=c).value for c in (3, 7, 11)] == ["Tiếp nhận", "Đã giải quyết", "Đang giải quyết"]
    assert ws.cell(row=8, column=6).value == "Từ kỳ trước chuyển sang"
    fields = [ws.cell(row=r, column=2).value for r in range(10, 10 + len(rep.rows) + 1)]
    assert fields == [r.field for r in rep.rows] + ["Tổng số"]
    total_row = 10 + len(rep.rows)
    # 4 received (the cancelled one counts nowhere): 1 resolved early, 1 stopped, 2 in progress (Chứng thực overdue)
    assert [ws.cell(row=total_row, column=c).value for c in range(3, 14)] == [
        rep.total.intake_total, 0, 4, 0, 1, 1, 0, 0, 2, 1, 1]
    assert ws.freeze_panes == "C10" and ws.page_setup.orientation == "landscape"
    assert wb["Theo thang"].cell(row=2, column=3).value == 4
    data = stats_csv(rep)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][2] == "Tiếp nhận - Tổng số" and rows[-1][1] == "Tổng số" and rows[-1][2] == "4"
    js = stats_json(rep)
    json.dumps(js)
    assert js["total"]["received_total"] == 4 and js["period"] == "Tháng 11 năm 2026"
    assert js["rows"][0]["field"] == rep.rows[0].field


def _printing_ready():
    try:
        from app.printing.logbook import build_logbook_pdf  # noqa: F401
        from app.printing.stats_report import build_stats_report_pdf  # noqa: F401
    except Exception:  # the printing modules are written in parallel
        return False
    return True


@pytest.mark.skipif(not _printing_ready(), reason="app.printing logbook/stats_report not importable")
def test_pdfs(office_db, book):
    pdf = logbook_pdf(office_db, date(2026, 11, 9), date(2026, 11, 12))
    assert pdf.startswith(b"%PDF")
    rep = compute_stats(office_db, date(2026, 11, 1), date(2026, 11, 30), now=at(16, 9))
    assert stats_pdf(rep, receiving_unit="Văn phòng UBND tỉnh").startswith(b"%PDF")
