"""Biểu II.06a adds up on every row, on screen, in the PDF, the Excel file and the JSON, over the demo
commune's generated months (every fate: early, on time, late, paused, stopped, cancelled)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.database import Database
from app.services.demo import seed_demo
from app.services.reception import ReceptionForm, receive_dossier
from app.services.reports import STATS_HEADER_ROW, stats_json, stats_pdf, stats_values, stats_xlsx
from app.services.search import DossierFilter, search_dossiers
from app.services.stats import compute_stats
from app.services.users import login
from tests.printing.pdftools import needs_pdftotext, pdf_text, write_pdf
from ui.stats_screen import StatsScreen

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tue 01/12/2026 10:00 local


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = Database(tmp_path_factory.mktemp("demo") / "demo.sqlite", create=True)
    db.clock = lambda: NOW
    seed_demo(db, dossiers=150, days=45)
    db.clock = lambda: NOW
    # a leader cancels a dossier already handed over: it must stay in the statistics
    leader = login(db, username="lanhdao", password="motcua123")
    row = search_dossiers(db, DossierFilter(statuses=("in_progress",)), limit=1).rows[0]
    lc.cancel(db, row.code, actor=leader, reason="Nhập nhầm thủ tục")
    # and one result well before its due day (the demo's lives are on time or late)
    clerk = login(db, username="canbo", password="motcua123")
    received = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    db.clock = lambda: received
    r = receive_dossier(db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Đặng Thị Lan",
                                               phone="0912345678", received_at=received), clerk=clerk)
    db.clock = lambda: NOW
    lc.result_ready(db, r.code, actor=clerk, at=datetime(2026, 11, 25, 9, 0, tzinfo=TZ))
    yield db
    db.close()


def periods() -> list[tuple[date, date]]:
    today = NOW.astimezone(TZ).date()
    out = [(today - timedelta(days=70), today), (date(2026, 11, 1), date(2026, 11, 30)),
           (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 11, 16), date(2026, 11, 20)),
           (date(2026, 11, 25), date(2026, 11, 25))]
    return out


def balanced(values: list[int]) -> bool:
    total, online, direct, carried, res, early, on_time, late, prog, within, overdue, stopped = values
    return (total == online + direct + carried == res + prog + stopped and res == early + on_time + late
            and prog == within + overdue)


def test_every_row_adds_up_in_the_service_and_the_json(demo):
    for lo, hi in periods():
        rep = compute_stats(demo, lo, hi)
        assert rep.rows, (lo, hi)
        for r in [*rep.rows, rep.total]:
            assert r.balanced and balanced(stats_values(r)), (lo, hi, r)
        data = json.loads(json.dumps(stats_json(rep), ensure_ascii=False))
        for r in [*data["rows"], data["total"]]:
            assert r["intake_total"] == r["resolved_total"] + r["in_progress_total"] + r["stopped"], (lo, hi, r)
    whole = compute_stats(demo, *periods()[0]).total
    assert whole.stopped >= 1 and whole.late >= 1 and whole.early >= 1  # the data holds every fate


def test_every_row_adds_up_in_excel(demo):
    for lo, hi in periods():
        rep = compute_stats(demo, lo, hi)
        ws = load_workbook(io.BytesIO(stats_xlsx(rep))).active
        first = STATS_HEADER_ROW + 3
        rows = [[c.value for c in ws[r]] for r in range(first, first + len(rep.rows) + 1)]
        for cells, r in zip(rows, [*rep.rows, rep.total], strict=True):
            assert cells[1] == r.field and cells[2:14] == stats_values(r) and balanced(cells[2:14]), (lo, hi)


@needs_pdftotext
def test_every_row_adds_up_in_the_pdf(demo, tmp_path):
    number = re.compile(r"^\s*(?:\d+\s+)?(.+?)\s+((?:[\d.]+\s+){11}[\d.]+)\s*$")
    for lo, hi in periods():
        rep = compute_stats(demo, lo, hi)
        text = pdf_text(write_pdf(tmp_path, stats_pdf(rep)))
        printed = {}
        for line in text.splitlines():
            m = number.match(line)
            if m:
                printed[m.group(1).strip()] = [int(v.replace(".", "")) for v in m.group(2).split()]
        assert len(printed) == len(rep.rows) + 1, (lo, hi, printed)
        for r in rep.rows:
            assert printed[r.field] == stats_values(r)
        assert printed["TỔNG SỐ"] == stats_values(rep.total) and all(balanced(v) for v in printed.values())


def test_every_row_adds_up_on_screen(qtbot, demo):
    clerk = login(demo, username="canbo", password="motcua123")
    s = StatsScreen(demo, clerk)
    qtbot.addWidget(s)
    for lo, hi in periods():
        s.set_period("range", date_from=lo, date_to=hi)
        s.report = None
        s.compute()
        qtbot.waitUntil(lambda: s.report is not None, timeout=10000)
        for r in [*s.report.rows, s.report.total]:
            shown = [int(s.cell_text(r.field, col).replace(".", "")) for col in range(1, 13)]
            assert shown == stats_values(r) and balanced(shown), (lo, hi, r.field)
