"""Form 06: PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ (DOMAIN.md §3).

One row per hand-over: first row the counter gives the dossier to the specialist, last row the
competent unit gives the result back to the counter.  Travels with copy 1 of the receipt.
``blank_rows`` adds empty rows to be filled in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.printing.barcodes import code_block
from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    Styles,
    field_line,
    form_pdf,
    grid_table,
    nfc,
    page_spec,
    para,
    title_block,
    vn_datetime,
    vn_time_date,
)

__all__ = [
    "HandoverRow",
    "ControlSlipData",
    "build_control_slip_pdf",
    "TITLE",
    "RESULT_EARLY",
    "RESULT_ON_TIME",
    "RESULT_LATE",
]

TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
RESULT_EARLY = "Trước hạn"
RESULT_ON_TIME = "Đúng hạn"
RESULT_LATE = "Quá hạn"
_BLANK_TIME = "...... giờ ...... phút, ngày ....../....../........"


@dataclass(frozen=True)
class HandoverRow:
    giver_unit: str  # "1. Giao: …"  e.g. "Trung tâm Phục vụ hành chính công"
    receiver_unit: str  # "2. Nhận: …"  e.g. "Công chức Tư pháp - Hộ tịch"
    handed_at: datetime | None = None  # None -> dotted blank to fill in by hand
    giver_name: str = ""
    receiver_name: str = ""
    result: str = ""  # RESULT_EARLY / RESULT_ON_TIME / RESULT_LATE, or ""
    note: str = ""


@dataclass(frozen=True)
class ControlSlipData:
    header: OfficeHeader
    code: str
    competent_unit: str  # Cơ quan (bộ phận) giải quyết hồ sơ
    cooperating_units: tuple[str, ...]  # Cơ quan phối hợp giải quyết hồ sơ
    rows: tuple[HandoverRow, ...]
    issued_at: datetime  # header date line (usually the receipt time)
    applicant_name: str = ""
    procedure_name: str = ""
    received_at: datetime | None = None
    due_at: datetime | None = None
    blank_rows: int = 0  # empty hand-over rows appended for handwriting
    form_number: str = "Mẫu số 06"  # as the law's annex numbers it (TT 03/2025)


def _table(data: ControlSlipData, styles: Styles, width: float) -> Flowable:
    s = styles
    w_result, w_note = 30 * mm, 20 * mm
    w_unit = width * 0.28
    w_person = (width - w_unit - w_result - w_note) / 2
    widths = [w_unit, w_person, w_person, w_result, w_note]
    head = [
        [
            "TÊN CƠ QUAN",
            [para("THỜI GIAN GIAO, NHẬN HỒ SƠ", s.cell_head), para("(giờ, phút, ngày)", s.cell_center)],
            None,
            [
                para("KẾT QUẢ GIẢI QUYẾT HỒ SƠ", s.cell_head),
                para("(Trước hạn/ Đúng hạn/ Quá hạn)", s.cell_center),
            ],
            "GHI CHÚ",
        ],
        [None, "Người giao", "Người nhận", None, None],
    ]
    spans = [((0, 0), (0, 1)), ((1, 0), (2, 0)), ((3, 0), (3, 1)), ((4, 0), (4, 1))]
    rows: list[list[object]] = []
    all_rows = list(data.rows) + [HandoverRow("", "")] * max(data.blank_rows, 0)
    sign_h = s.cell_size * 3.2
    for i, r in enumerate(all_rows):
        top = 2 + 2 * i  # header rows first
        units = [
            para(f"1. Giao: {nfc(r.giver_unit)}", s.cell),
            para(f"2. Nhận: {nfc(r.receiver_unit)}", s.cell),
        ]
        when = vn_time_date(r.handed_at) if r.handed_at is not None else _BLANK_TIME
        giver = [Spacer(1, sign_h), para(r.giver_name, s.cell_center)]
        receiver = [Spacer(1, sign_h), para(r.receiver_name, s.cell_center)]
        rows.append([units, when, None, r.result, r.note])
        rows.append([None, giver, receiver, None, None])
        spans += [
            ((0, top), (0, top + 1)),
            ((1, top), (2, top)),
            ((3, top), (3, top + 1)),
            ((4, top), (4, top + 1)),
        ]
    return grid_table(
        head,
        rows,
        widths,
        s,
        aligns=["LEFT", "CENTER", "CENTER", "CENTER", "LEFT"],
        spans=spans,
    )


def _story(data: ControlSlipData, styles: Styles, width: float) -> list[Flowable]:
    s = styles
    story: list[Flowable] = [HeaderBlock(data.header, s, when=data.issued_at)]
    story += title_block(TITLE, s, subtitles=["(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)"])
    story.append(code_block(data.code, s, width))
    if nfc(data.applicant_name).strip():
        story.append(field_line("Người nộp hồ sơ:", data.applicant_name, s))
    if nfc(data.procedure_name).strip():
        story.append(field_line("Nội dung yêu cầu giải quyết:", data.procedure_name, s))
    if data.received_at is not None:
        story.append(field_line("Thời gian nhận hồ sơ:", vn_datetime(data.received_at), s))
    if data.due_at is not None:
        story.append(field_line("Thời gian hẹn trả kết quả:", vn_datetime(data.due_at), s))
    story.append(field_line("Cơ quan (bộ phận) giải quyết hồ sơ:", data.competent_unit, s, bold_value=True))
    coop = "; ".join(nfc(u) for u in data.cooperating_units if nfc(u).strip())
    story.append(field_line("Cơ quan phối hợp giải quyết hồ sơ:", coop or "Không", s))
    story.append(Spacer(1, s.size * 0.5))
    story.append(_table(data, s, width))
    return story


def build_control_slip_pdf(data: ControlSlipData, *, page_size: str = "A4") -> bytes:
    spec = page_spec(page_size)
    styles = Styles(spec.font_size)
    return form_pdf(_story(data, styles, spec.width), spec, styles, title=TITLE, running_header=f"{TITLE} - {data.code}", form_number=data.form_number)
