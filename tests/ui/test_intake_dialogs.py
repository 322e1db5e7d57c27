"""Intakes without a dossier: the guidance slip lists every ticked missing paper; a refusal needs a reason."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.services.users import login
from db.models import Event, IntakeSlip
from tests.printing.pdftools import needs_pdftotext, pdf_text, squash, write_pdf
from tests.ui.keys import type_vi
from ui.intake_dialogs import REFUSAL_TEMPLATES, GuidanceSlipDialog, RefusalDialog

LEFT = Qt.MouseButton.LeftButton




@pytest.fixture
def clerk(office_db):
    return login(office_db, username="canbo1", password="matkhau123")


def count(db, model) -> int:
    """Rows of `model`; for the event log, the events of dossiers and intakes (the office's set-up is
    in the log too)."""
    q = select(func.count()).select_from(model)
    if model is Event:
        q = q.where(Event.stream_type.in_(("dossier", "intake")))
    with db.reading() as s:
        return s.scalar(q)


@needs_pdftotext
def test_guidance_slip_lists_every_ticked_missing_paper(qtbot, office_db, clerk, tmp_path):
    dlg = GuidanceSlipDialog(office_db, clerk, procedure_code="1.001193",
                             applicant={"name": "Trần Văn Bình", "phone": "0912345678"})
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: getattr(dlg, "papers_loaded", None) == "1.001193", timeout=5000)
    table = dlg.items_table
    assert table.rowCount() >= 2 and dlg.applicant_name.text() == "Trần Văn Bình"
    missing = [table.item(r, table.NAME).text() for r in (0, 1)]
    table.set_needed(0)
    table.set_needed(1)
    type_vi(dlg.reason, "Cần bản chính giấy chứng sinh")
    with qtbot.waitSignal(dlg.pdf_ready, timeout=10000) as sig:
        qtbot.mouseClick(dlg.ok_button, LEFT)
    dlg.preview.close()
    text = squash(pdf_text(write_pdf(tmp_path, sig.args[0], "02.pdf"), mode="raw"))
    assert "Trần Văn Bình" in text
    for name in missing:
        assert name in text
    assert count(office_db, IntakeSlip) == 1


def test_guidance_without_a_ticked_paper_says_so_beside_the_list(qtbot, office_db, clerk):
    dlg = GuidanceSlipDialog(office_db, clerk, procedure_code="1.001193", applicant={"name": "Trần Văn Bình"})
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: getattr(dlg, "papers_loaded", None) == "1.001193", timeout=5000)
    with qtbot.waitSignal(dlg.invalid, timeout=5000):
        qtbot.mouseClick(dlg.ok_button, LEFT)
    assert "giấy tờ" in dlg.error_text("items")
    assert count(office_db, Event) == 0


def test_refusal_with_an_empty_reason_records_nothing(qtbot, office_db, clerk):
    dlg = RefusalDialog(office_db, clerk, procedure_code="1.013978", applicant={"name": "Trần Văn Bình"})
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.procedures_loaded and dlg.procedure_code() == "1.013978", timeout=5000)
    with qtbot.waitSignal(dlg.invalid, timeout=5000) as sig:
        qtbot.mouseClick(dlg.ok_button, LEFT)
    assert "reason" in sig.args[0] and "lý do" in dlg.error_text("reason") and dlg.isVisible()
    assert count(office_db, Event) == 0 and count(office_db, IntakeSlip) == 0


@needs_pdftotext
def test_refusal_from_a_template_prints_the_edited_reason(qtbot, office_db, clerk, tmp_path):
    dlg = RefusalDialog(office_db, clerk, procedure_code="1.013978", applicant={"name": "Trần Văn Bình"})
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.procedures_loaded, timeout=5000)
    dlg.templates.setCurrentIndex(2)
    dlg.templates.activated.emit(2)
    assert dlg.reason.toPlainText() == REFUSAL_TEMPLATES[1]
    assert dlg.reason.textCursor().selectedText() == "[Thửa đất / Nơi cư trú]"  # typing replaces the blank
    dlg.reason.setPlainText(REFUSAL_TEMPLATES[1].replace("[Thửa đất / Nơi cư trú]", "Thửa đất")
                            .replace("[tên xã]", "xã Tân Phú"))
    with qtbot.waitSignal(dlg.pdf_ready, timeout=10000) as sig:
        qtbot.mouseClick(dlg.ok_button, LEFT)
    dlg.preview.close()
    text = squash(pdf_text(write_pdf(tmp_path, sig.args[0], "03.pdf"), mode="raw"))
    assert "PHIẾU TỪ CHỐI" in text and "Ủy ban nhân dân xã Tân Phú" in text and "[" not in text


def test_a_template_with_its_blanks_left_in_cannot_be_saved(qtbot, office_db, clerk):
    dlg = RefusalDialog(office_db, clerk, procedure_code="1.013978", applicant={"name": "Trần Văn Bình"})
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.procedures_loaded and dlg.procedure_code() == "1.013978", timeout=5000)
    dlg.templates.setCurrentIndex(2)
    dlg.templates.activated.emit(2)
    dlg.reason.setPlainText(REFUSAL_TEMPLATES[1].replace("[Thửa đất / Nơi cư trú]", "Thửa đất"))
    with qtbot.waitSignal(dlg.invalid, timeout=5000):
        qtbot.mouseClick(dlg.ok_button, LEFT)
    assert "[tên xã]" in dlg.error_text("reason") and dlg.isVisible()
    assert dlg.reason.textCursor().selectedText() == "[tên xã]"
    assert count(office_db, Event) == 0 and count(office_db, IntakeSlip) == 0


def test_a_procedure_must_be_chosen(qtbot, office_db, clerk):
    dlg = RefusalDialog(office_db, clerk)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.procedures_loaded, timeout=5000)
    type_vi(dlg.applicant_name, "Trần Văn Bình")
    type_vi(dlg.reason, "Không thuộc thẩm quyền")
    with qtbot.waitSignal(dlg.invalid, timeout=5000):
        qtbot.mouseClick(dlg.ok_button, LEFT)
    assert "thủ tục" in dlg.error_text("procedure_code")
    assert count(office_db, Event) == 0
