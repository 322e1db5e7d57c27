"""Every Excel and CSV export succeeds for any stored data (issue 9, point 6): control characters in old
records, a formula-looking name, text longer than a spreadsheet cell."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import update

from app.services.reception import ReceptionForm, receive_dossier
from app.services.reports import (
    logbook_csv,
    logbook_lines,
    logbook_title_info,
    logbook_xlsx,
    stats_csv,
    stats_xlsx,
)
from app.services.stats import compute_stats
from app.services.users import login
from db.models import Dossier

DAY = date(2026, 11, 16)


def test_exports_succeed_for_control_characters_formulas_and_huge_text(office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    r = receive_dossier(office_db, form=ReceptionForm(procedure_code="2.000815", applicant_name="Lê Văn Bình",
                                                      phone="0912345678"), clerk=clerk)
    # data written before the input rules (or by a sync peer): what the exports must survive
    with office_db.transaction() as s:
        s.execute(update(Dossier).where(Dossier.id == r.id).values(
            applicant_name="Lê\x07Văn\x1bBình\x7f", address="=HYPERLINK(\"http://x\",\"bấm\")",
            note="x" * 40000, field="Chứng\x00thực"))
    lines = logbook_lines(office_db, DAY, DAY)
    info = logbook_title_info(office_db, DAY, DAY, lines=lines)
    wb = load_workbook(io.BytesIO(logbook_xlsx(lines, title_info=info)))  # used to raise IllegalCharacterError
    ws = wb.active
    row = next(r for r in ws.iter_rows(values_only=False) if r[1].value == lines[0].code)
    assert row[4].value == "Lê\ufffdVăn\ufffdBình\ufffd"
    assert row[5].data_type == "s" and row[5].value.startswith("=HYPERLINK")  # text, not a formula
    assert len(row[14].value) <= 32767 and row[14].value.endswith("[đã cắt bớt, xem bản đầy đủ]")
    text = logbook_csv(lines).decode("utf-8-sig")
    got = list(csv.reader(io.StringIO(text)))[1]
    assert got[5] == "Lê\ufffdVăn\ufffdBình\ufffd" and got[6].startswith("'=HYPERLINK")
    report = compute_stats(office_db, DAY, DAY)
    load_workbook(io.BytesIO(stats_xlsx(report)))
    assert "Chứng\ufffdthực" in stats_csv(report).decode("utf-8-sig")
