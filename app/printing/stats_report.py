"""Biểu II.06a/VPCP/KSTT: TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH (DOMAIN.md §8).

A4 landscape.  One row per field (lĩnh vực) and a "Tổng số" row; grouped two-level header:
Tiếp nhận (Tổng số = Trực tuyến + Trực tiếp/bưu chính + Từ kỳ trước chuyển sang) | Đã giải quyết
(Tổng số, Trước hạn, Đúng hạn, Quá hạn) | Đang giải quyết (Tổng số, Trong hạn, Quá hạn).
The totals are computed here from the parts; the caller supplies only the parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    Signer,
    Styles,
    esc,
    form_pdf,
    grid_table,
    layout_table,
    nfc,
    page_spec,
    para,
    short_date,
    signature_block,
)
from app.printing.fonts import BOLD

__all__ = [
    "StatsRow",
    "StatsReportData",
    "build_stats_report_pdf",
    "TITLE",
    "FORM_CODE",
    "vn_number",
    "vn_percent",
]

TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
FORM_CODE = "Biểu II.06a/VPCP/KSTT"


@dataclass(frozen=True)
class StatsRow:
    field_name: str  # lĩnh vực, e.g. "Hộ tịch"
    received_online: int = 0  # Tiếp nhận trực tuyến
    received_direct: int = 0  # Tiếp nhận trực tiếp hoặc qua dịch vụ bưu chính
    carried_over: int = 0  # Từ kỳ trước chuyển sang
    resolved_early: int = 0  # Đã giải quyết trước hạn
    resolved_on_time: int = 0  # Đã giải quyết đúng hạn
    resolved_late: int = 0  # Đã giải quyết quá hạn
    pending_within: int = 0  # Đang giải quyết trong hạn
    pending_overdue: int = 0  # Đang giải quyết quá hạn
    stopped: int = 0  # Dừng giải quyết, rút hồ sơ (not a column of the official form: see app.services.stats)

    @property
    def received_total(self) -> int:
        return self.received_online + self.received_direct + self.carried_over

    @property
    def resolved_total(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def pending_total(self) -> int:
        return self.pending_within + self.pending_overdue

    def values(self) -> list[int]:
        """The 12 figures in column order."""
        return [
            self.received_total,
            self.received_online,
            self.received_direct,
            self.carried_over,
            self.resolved_total,
            self.resolved_early,
            self.resolved_on_time,
            self.resolved_late,
            self.pending_total,
            self.pending_within,
            self.pending_overdue,
            self.stopped,
        ]


@dataclass(frozen=True)
class StatsReportData:
    header: OfficeHeader
    reporting_unit: str  # Đơn vị báo cáo
    receiving_unit: str  # Đơn vị nhận báo cáo
    period_from: date
    period_to: date
    rows: tuple[StatsRow, ...]
    issued_at: datetime  # header date line
    period_label: str = ""  # e.g. "Quý IV năm 2026"
    preparer_name: str = ""  # NGƯỜI LẬP BIỂU
    signer_title: str = "THỦ TRƯỞNG ĐƠN VỊ"
    signer_name: str = ""
    form_code: str = FORM_CODE


def vn_number(n: int) -> str:
    """Vietnamese thousands separator: ``7706 -> "7.706"``."""
    return f"{n:,}".replace(",", ".")


def vn_percent(part: int, whole: int) -> str:
    """``"96,7%"`` (one decimal, decimal comma); ``""`` when ``whole`` is 0."""
    if whole <= 0:
        return ""
    return f"{100 * part / whole:.1f}%".replace(".", ",")


def total_row(rows: tuple[StatsRow, ...]) -> StatsRow:
    return StatsRow(
        "Tổng số",
        *(
            sum(getattr(r, f) for r in rows)
            for f in (
                "received_online",
                "received_direct",
                "carried_over",
                "resolved_early",
                "resolved_on_time",
                "resolved_late",
                "pending_within",
                "pending_overdue",
                "stopped",
            )
        ),
    )


def _table(data: StatsReportData, styles: Styles, width: float) -> Flowable:
    s = styles
    w_stt, w_field = 10 * mm, 46 * mm
    w_num = (width - w_stt - w_field) / 12
    num_style = ParagraphStyle(
        "colno", parent=s.cell_center, fontSize=s.cell_size - 3, leading=s.cell_size - 1.5
    )
    widths = [w_stt, w_field] + [w_num] * 12
    head = [
        [
            "STT",
            "Lĩnh vực giải quyết",
            "Số hồ sơ tiếp nhận",
            None,
            None,
            None,
            "Số hồ sơ đã giải quyết",
            None,
            None,
            None,
            "Số hồ sơ đang giải quyết",
            None,
            None,
            "Dừng giải quyết, rút hồ sơ",
        ],
        [
            None,
            None,
            "Tổng số",
            "Trực tuyến",
            "Trực tiếp, bưu chính",
            "Từ kỳ trước chuyển sang",
            "Tổng số",
            "Trước hạn",
            "Đúng hạn",
            "Quá hạn",
            "Tổng số",
            "Trong hạn",
            "Quá hạn",
            None,
        ],
        [
            para(x, num_style)
            for x in [
                "(1)",
                "(2)",
                "(3)=(4)+(5)+(6)",
                "(4)",
                "(5)",
                "(6)",
                "(7)=(8)+(9)+(10)",
                "(8)",
                "(9)",
                "(10)",
                "(11)=(12)+(13)",
                "(12)",
                "(13)",
                "(14)",
            ]
        ],
    ]
    spans = [
        ((0, 0), (0, 1)),
        ((1, 0), (1, 1)),
        ((2, 0), (5, 0)),
        ((6, 0), (9, 0)),
        ((10, 0), (12, 0)),
        ((13, 0), (13, 1)),
    ]
    body: list[list[object]] = []
    for i, r in enumerate(data.rows, start=1):
        body.append([str(i), r.field_name, *(vn_number(v) for v in r.values())])
    total = total_row(data.rows)
    body.append(["TỔNG SỐ", None, *(vn_number(v) for v in total.values())])
    last = len(head) + len(body) - 1
    plain = [0, *range(2, 14)]
    return grid_table(
        head,
        body,
        widths,
        s,
        aligns=["CENTER", "LEFT"] + ["RIGHT"] * 12,
        spans=spans,
        plain_columns=plain,
        long=True,
        row_styles=[("FONTNAME", (0, last), (-1, last), BOLD), ("SPAN", (0, last), (1, last))],
    )


def _story(data: StatsReportData, styles: Styles, width: float) -> list[Flowable]:
    s = styles
    period = f"(Từ ngày {short_date(data.period_from)} đến ngày {short_date(data.period_to)})"
    story: list[Flowable] = [
        HeaderBlock(data.header, s, when=data.issued_at, left_ratio=0.4),
        Spacer(1, s.size * 0.6),
        para(TITLE, s.title),
    ]
    label = nfc(data.period_label).strip()
    if label:
        story.append(para(f"Kỳ báo cáo: {label}", s.center_bold))
    if not label.startswith("Từ ngày"):  # a named period (month, quarter) also shows its dates
        story.append(para(period, s.center_italic))
    story.append(Spacer(1, s.size * 0.4))
    left = [para(data.form_code, s.bold)]
    right = [
        para(f"Đơn vị báo cáo: <b>{esc(data.reporting_unit)}</b>", s.left, markup=True),
        para(f"Đơn vị nhận báo cáo: <b>{esc(data.receiving_unit)}</b>", s.left, markup=True),
        para("Đơn vị tính: Số hồ sơ TTHC", s.left),
    ]
    story.append(layout_table([[left, right]], [width * 0.5, width * 0.5]))
    story.append(Spacer(1, s.size * 0.5))
    story.append(_table(data, s, width))
    total = total_row(data.rows)
    story.append(Spacer(1, s.size * 0.3))
    story.append(para("(3) = (7) + (11) + (14): mỗi hồ sơ tiếp nhận trong kỳ hoặc từ kỳ trước chuyển sang "
                      "hoặc đã giải quyết, hoặc đang giải quyết, hoặc đã dừng giải quyết / rút hồ sơ.", s.small_italic))
    rate = vn_percent(total.resolved_early + total.resolved_on_time, total.resolved_total)
    if rate:
        story.append(Spacer(1, s.size * 0.4))
        story.append(
            para(f"Tỷ lệ hồ sơ đã giải quyết trước hạn và đúng hạn: <b>{rate}</b>", s.left, markup=True)
        )
    story.append(Spacer(1, s.size * 0.8))
    story.append(
        signature_block(
            [
                Signer("NGƯỜI LẬP BIỂU", name=data.preparer_name),
                Signer(
                    nfc(data.signer_title).upper(),
                    hint="(Ký, ghi rõ họ tên và đóng dấu)",
                    name=data.signer_name,
                ),
            ],
            s,
            width,
        )
    )
    return story


def build_stats_report_pdf(data: StatsReportData) -> bytes:
    spec = page_spec("A4", landscape=True)
    styles = Styles(spec.font_size + 1, cell_size=9)
    return form_pdf(
        _story(data, styles, spec.width),
        spec,
        styles,
        title=TITLE,
        running_header=f"{FORM_CODE} - {TITLE}",
    )
