"""Form 07 logbook and the Biểu II.06a statistics report."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.printing.common import OfficeHeader
from app.printing.logbook import LOGBOOK_COLUMNS, LogbookData, LogbookLine, build_logbook_pdf
from app.printing.stats_report import StatsReportData, StatsRow, build_stats_report_pdf, vn_number, vn_percent
from tests.printing.pdftools import needs_pdftotext, page_texts, pdf_pages, pdf_text, squash, write_pdf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = OfficeHeader("ỦY BAN NHÂN DÂN XÃ TÂN HƯNG", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "Tân Hưng")
PRINTED = datetime(2026, 11, 22, 16, 0, tzinfo=TZ)
START = datetime(2026, 11, 1, 8, 0, tzinfo=TZ)


def line(i: int) -> LogbookLine:
    r = START + timedelta(hours=2 * i)
    return LogbookLine(
        number=i + 1,
        code=f"000.17.22.H56-{r:%y%m%d}-{1001 + i % 50}",
        procedure_name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        sets_count=1 + i % 2,
        applicant_name=f"Nguyễn Thị Hường {i + 1}",
        address="Số 12, ấp Bình Thạnh",
        phone="0912345678",
        competent_unit="UBND xã Tân Hưng",
        received_at=r,
        due_at=r + timedelta(days=3) if i % 5 else None,
        transferred_at=r + timedelta(hours=1),
        result_received_at=r + timedelta(days=2),
        returned_at=r + timedelta(days=3) if i % 3 == 1 else None,
        return_method="Trực tiếp",
        signed_by="",
        note="Bổ sung" if i % 7 == 0 else "",
    )


def logbook(n: int, **kw) -> LogbookData:
    base = dict(
        header=HEADER,
        volume="1/2026",
        period_from=date(2026, 11, 1),
        period_to=date(2026, 11, 22),
        lines=tuple(line(i) for i in range(n)),
        printed_at=PRINTED,
    )
    base.update(kw)
    return LogbookData(**base)


@needs_pdftotext
def test_logbook_columns_header_and_values(tmp_path):
    path = write_pdf(tmp_path, build_logbook_pdf(logbook(3)))
    layout = squash(pdf_text(path))
    raw = squash(pdf_text(path, mode="raw"))
    for text in (
        "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Tân Hưng, ngày 22 tháng 11 năm 2026",
        "SỔ THEO DÕI HỒ SƠ",
        "Quyển số: 1/2026",
        "Từ ngày 01/11/2026 đến ngày 22/11/2026",
        "01/11/2026",
        "Trang 1/1",
    ):
        assert text in layout, text
    # the code wraps after the agency part, so that it fits a narrow column at 9 pt
    assert "000.17.22.H56- 261101-1001" in raw
    # wrapped cells read whole in content order
    for text in ["Nguyễn Thị Hường 1", "Số 12, ấp Bình Thạnh; 0912345678"]:
        assert text in raw, text
    for col in LOGBOOK_COLUMNS.values():
        assert col.title in raw, col.title


@needs_pdftotext
def test_logbook_300_lines_is_fast_and_repeats_headers(tmp_path):
    data = logbook(300)
    t0 = time.perf_counter()
    pdf = build_logbook_pdf(data)
    elapsed = time.perf_counter() - t0
    assert elapsed < 5, f"300 lines took {elapsed:.1f}s"
    path = write_pdf(tmp_path, pdf)
    n = pdf_pages(path)
    assert n > 5
    pages = [squash(t) for t in page_texts(path)]
    for i, page in enumerate(pages, start=1):
        assert f"Trang {i}/{n}" in page
        assert "Mã hồ sơ" in page and "Ký nhận" in page and "Ghi chú" in page  # table header repeated
        assert "SỔ THEO DÕI HỒ SƠ" in page and "Quyển số: 1/2026" in page  # page header on every page
    everything = squash(pdf_text(path, mode="raw"))
    assert "Nguyễn Thị Hường 300" in everything
    assert everything.count("Nguyễn Thị Hường ") == 300


@needs_pdftotext
def test_logbook_column_selection(tmp_path):
    path = write_pdf(
        tmp_path, build_logbook_pdf(logbook(2, columns=("tt", "code", "applicant", "signature")))
    )
    text = squash(pdf_text(path, mode="raw"))
    assert "Mã hồ sơ" in text and "Ký nhận" in text
    assert "Tên TTHC" not in text and "Ghi chú" not in text
    with pytest.raises(ValueError):
        build_logbook_pdf(logbook(1, columns=("nonsense",)))


@needs_pdftotext
def test_logbook_empty_period(tmp_path):
    path = write_pdf(tmp_path, build_logbook_pdf(logbook(0, period_to=date(2026, 11, 1))))
    text = squash(pdf_text(path))
    assert "Ngày 01/11/2026" in text and "Không có hồ sơ trong kỳ." in text


def stats(**kw) -> StatsReportData:
    base = dict(
        header=HEADER,
        reporting_unit="Trung tâm Phục vụ hành chính công xã Tân Hưng",
        receiving_unit="Văn phòng UBND tỉnh",
        period_from=date(2026, 10, 1),
        period_to=date(2026, 12, 31),
        rows=(
            StatsRow("Hộ tịch", 120, 3400, 12, 500, 2950, 40, 30, 12),
            StatsRow("Chứng thực", 5, 2100, 0, 100, 2000, 5, 0, 0),
        ),
        issued_at=PRINTED,
        period_label="Quý IV năm 2026",
        preparer_name="Trần Văn Bình",
        signer_title="Giám đốc",
        signer_name="Võ Thị Lan",
    )
    base.update(kw)
    return StatsReportData(**base)


def test_stats_row_totals():
    r = StatsRow("Hộ tịch", 1, 2, 3, 4, 5, 6, 7, 8)
    assert (r.received_total, r.resolved_total, r.pending_total) == (6, 15, 15)
    assert vn_number(7706) == "7.706" and vn_number(0) == "0"
    assert vn_percent(9413, 9728) == "96,8%" and vn_percent(1, 0) == ""


@needs_pdftotext
def test_stats_report(tmp_path):
    path = write_pdf(tmp_path, build_stats_report_pdf(stats()))
    layout = squash(pdf_text(path))
    raw = squash(pdf_text(path, mode="raw"))
    for text in (
        "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Kỳ báo cáo: Quý IV năm 2026",
        "Từ ngày 01/10/2026 đến ngày 31/12/2026",
        "Biểu II.06a/VPCP/KSTT",
        "Đơn vị báo cáo: Trung tâm Phục vụ hành chính công xã Tân Hưng",
        "Đơn vị nhận báo cáo: Văn phòng UBND tỉnh",
        # Hộ tịch: received 3.532 = 120 + 3.400 + 12; resolved 3.490; pending 42
        "1 Hộ tịch 3.532 120 3.400 12 3.490 500 2.950 40 42 30 12",
        "2 Chứng thực 2.105 5 2.100 0 2.105 100 2.000 5 0 0 0",
        "TỔNG SỐ 5.637 125 5.500 12 5.595 600 4.950 45 42 30 12",
        "NGƯỜI LẬP BIỂU",
        "GIÁM ĐỐC",
        "Trần Văn Bình",
        "Võ Thị Lan",
    ):
        assert text in layout, text
    for text in (
        "Số hồ sơ tiếp nhận",
        "Số hồ sơ đã giải quyết",
        "Số hồ sơ đang giải quyết",
        "Trực tuyến",
        "Trực tiếp, bưu chính",
        "Từ kỳ trước chuyển sang",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Trong hạn",
    ):
        assert text in raw, text


@needs_pdftotext
def test_any_stored_text_prints_in_the_logbook_long_cells_are_shortened_with_a_mark_and_printed_whole(tmp_path):
    """A 1,500-character note, an 800-character name, a 1,200-character address and a 2,000-character word
    used to end in LayoutError; now the row is capped and the whole texts follow the table."""
    note = "Ghi chú dài về hồ sơ, " * 75  # 1,650 characters
    name = "Nguyễn Thị Ngọc Bích " * 40  # 840
    address = "Tổ 5, khu phố Bình Thạnh, " * 48  # 1,248
    word = "x" * 2000
    long_line = LogbookLine(**{**line(1).__dict__, "note": note, "applicant_name": name, "address": address})
    no_spaces = LogbookLine(**{**line(2).__dict__, "procedure_name": word})
    data = logbook(4, lines=(line(0), long_line, no_spaces, line(3)))
    path = write_pdf(tmp_path, build_logbook_pdf(data))
    raw = squash(pdf_text(path, mode="raw"))
    for k in (1, 2, 3, 4):
        assert f"[xem *{k} ở cuối]" in raw
    assert "GHI ĐẦY ĐỦ CÁC Ô DÀI" in raw
    words = iter(raw.split())
    assert all(any(w == p for p in words) for w in (name + note).split())  # whole, in order
    words = iter(raw.split())
    assert all(any(w == p for p in words) for w in address.split()[:-1])  # (its last comma meets "; phone")
    assert raw.replace(" ", "").count("x" * 100) >= 19  # the long word is printed whole too
    assert "Nguyễn Thị Hường 4" in raw  # the row after them is there
    for page in page_texts(path):
        assert "Trang" in page
