"""The satisfaction report as an A4 PDF: summary against the 90 % / 95 % targets, the count of each level, a
month chart, figures by month, field, procedure and (a leader's copy) clerk, the reasons and the comments."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from app.domain.rating import LEVEL_TEXT, TARGETS, percent_text, satisfaction_percent
from app.printing.common import (
    HeaderBlock,
    OfficeHeader,
    Signer,
    Styles,
    form_pdf,
    grid_table,
    page_spec,
    para,
    short_date,
    signature_block,
)
from app.printing.fonts import BOLD, REGULAR

TITLE = "BÁO CÁO MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC"
SUBTITLE = "đối với việc giải quyết thủ tục hành chính tại Bộ phận Một cửa"
BAR = colors.HexColor("#3b78c2")
TARGET_COLORS = (colors.HexColor("#d9730d"), colors.HexColor("#b3261e"))


@dataclass(frozen=True)
class RatingsPdfData:
    header: OfficeHeader
    report: object  # app.services.rating_report.RatingsReport (duck-typed: printing does not import services)
    preparer_name: str = ""
    signer_title: str = "THỦ TRƯỞNG ĐƠN VỊ"
    signer_name: str = ""


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def month_chart(groups, width: float, height: float = 62 * mm) -> Drawing:
    """Bars of the satisfaction % per month (0–100), the targets as horizontal lines, counts under the labels."""
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 14 * mm
    # a few months get bars of a month's width, not the whole page's
    chart.width, chart.height = min(width - 40 * mm, max(len(groups), 1) * 24 * mm), height - 22 * mm
    values = [g.percent if g.percent is not None else 0 for g in groups] or [0]
    chart.data = [values]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.categoryAxis.categoryNames = [f"{g.label.replace('Tháng ', 'T')}\n({g.total})" for g in groups] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: percent_text(v) if v else ""
    chart.barLabels.fontName = BOLD
    chart.barLabels.fontSize = 7.5
    # inside the top of the bar, white on blue: clear of the target lines just above most bars
    chart.barLabels.boxAnchor = "n"
    chart.barLabels.nudge = -4
    chart.barLabels.fillColor = colors.white
    d.add(chart)
    for (year, share), color in zip(TARGETS, TARGET_COLORS, strict=True):
        y = chart.y + chart.height * share / 100
        d.add(Line(chart.x, y, chart.x + chart.width, y, strokeColor=color, strokeWidth=1.2,
                   strokeDashArray=[4, 2]))
        above = share == max(t for _y, t in TARGETS)  # the two lines are close: one label above, one below
        d.add(String(chart.x + chart.width + 3, y + 1.5 if above else y - 7.5, f"mục tiêu {share:.0f}% ({year})",
                     fontName=REGULAR, fontSize=8, fillColor=color))
    d.add(String(chart.x, height - 6, "Tỷ lệ hài lòng theo tháng (số lượt đánh giá trong ngoặc)", fontName=BOLD,
                 fontSize=9))
    return d


def _group_table(title: str, groups, levels: list[str], s: Styles, width: float) -> list[Flowable]:
    if not groups:
        return []
    w_stt, w_num, w_pct = 9 * mm, 15 * mm, 18 * mm
    w_label = width - w_stt - w_num * (len(levels) + 2) - w_pct
    head = [["STT", title, "Tổng số", *[LEVEL_TEXT[lv] for lv in levels], "Hài lòng", "Tỷ lệ hài lòng"]]
    body = [[str(i), g.label, _n(g.total), *[_n(g.levels.get(lv, 0)) for lv in levels], _n(g.satisfied),
             percent_text(g.percent)] for i, g in enumerate(groups, start=1)]
    t = grid_table(head, body, [w_stt, w_label, w_num, *[w_num] * len(levels), w_num, w_pct], s,
                   aligns=["CENTER", "LEFT", *["RIGHT"] * (len(levels) + 3)], long=True,
                   header_fill=colors.HexColor("#eeeeee"))
    return [CondPageBreak(40 * mm), para(f"Theo {title.lower()}", s.bold), Spacer(1, 2), t,
            Spacer(1, s.size * 0.6)]


def _story(data: RatingsPdfData, s: Styles, width: float) -> list[Flowable]:
    r = data.report
    levels = [lv for lv, _n in r.by_level]
    story: list[Flowable] = [HeaderBlock(data.header, s, when=r.generated_at, left_ratio=0.42),
                             Spacer(1, s.size * 0.6), para(TITLE, s.title), para(SUBTITLE, s.center_bold)]
    story.append(para(f"Kỳ báo cáo: {r.period}" + ("" if r.period.startswith("Từ ngày") else
                                                  f" (từ ngày {short_date(r.date_from)} đến ngày "
                                                  f"{short_date(r.date_to)})"), s.center_italic))
    story.append(Spacer(1, s.size * 0.6))
    if r.total:
        lead = (f"Tổng số lượt đánh giá: <b>{_n(r.total)}</b>; hài lòng (rất hài lòng và hài lòng): "
                f"<b>{_n(r.satisfied)}</b>; tỷ lệ hài lòng: <b>{percent_text(r.percent)}</b>.")
    else:
        lead = "Trong kỳ chưa có lượt đánh giá nào."
    story.append(para(lead, s.left, markup=True))
    targets = "; ".join(f"mục tiêu {share:.0f}% đến năm {year}: <b>{r.verdict(share)}</b>" for year, share in TARGETS)
    story.append(para(f"So với {targets}.", s.left, markup=True))
    if r.not_counted:
        story.append(para(f"Ngoài ra có {_n(r.not_counted)} lượt đánh giá lại hồ sơ đã được đánh giá: được lưu "
                          "nhưng không tính (mỗi hồ sơ chỉ tính lần đánh giá đầu tiên).", s.small_italic))
    if r.note:
        story.append(para(r.note, s.small_italic))
    story.append(Spacer(1, s.size * 0.5))
    head = [["Mức độ hài lòng", "Số lượt", "Tỷ lệ"]]
    body = [[LEVEL_TEXT[lv], _n(n), percent_text(satisfaction_percent(n, r.total))] for lv, n in r.by_level]
    body.append(["Hài lòng (Rất hài lòng và Hài lòng)", _n(r.satisfied), percent_text(r.percent)])
    last = len(body)
    story.append(grid_table(head, body, [width * 0.55, width * 0.2, width * 0.25], s,
                            aligns=["LEFT", "RIGHT", "RIGHT"], header_fill=colors.HexColor("#eeeeee"),
                            row_styles=[("FONTNAME", (0, last), (-1, last), BOLD)]))
    story.append(Spacer(1, s.size * 0.6))
    if r.total:
        story.append(KeepTogether([month_chart(r.by_month, width)]))
        story.append(Spacer(1, s.size * 0.4))
    story += _group_table("Tháng", r.by_month, levels, s, width)
    story += _group_table("Lĩnh vực", r.by_field, levels, s, width)
    story += _group_table("Thủ tục hành chính", r.by_procedure, levels, s, width)
    if r.per_clerk:
        story += _group_table("Cán bộ", r.by_clerk, levels, s, width)
    if r.reasons:
        story.append(CondPageBreak(40 * mm))
        story.append(para(f"Lý do chưa hài lòng ({_n(r.low_total)} lượt chưa hài lòng; mỗi lượt có thể chọn "
                          "nhiều lý do hoặc không chọn)", s.bold))
        story.append(grid_table([["STT", "Lý do", "Số lượt"]],
                                [[str(i), x, _n(n)] for i, (x, n) in enumerate(r.reasons, start=1)],
                                [9 * mm, width - 9 * mm - 25 * mm, 25 * mm], s, aligns=["CENTER", "LEFT", "RIGHT"],
                                header_fill=colors.HexColor("#eeeeee")))
        story.append(Spacer(1, s.size * 0.6))
    if r.per_clerk and r.comments:
        story.append(CondPageBreak(40 * mm))
        story.append(para("Góp ý của người dân, tổ chức", s.bold))
        rows = [[str(i), f"{c.rated_at:%d/%m/%Y %H:%M}", LEVEL_TEXT[c.level],
                 c.comment + (f" (Lý do: {'; '.join(c.reasons)})" if c.reasons else ""), c.procedure, c.clerk]
                for i, c in enumerate(r.comments, start=1)]
        story.append(grid_table([["STT", "Thời gian", "Mức", "Góp ý", "Thủ tục", "Cán bộ"]], rows,
                                [9 * mm, 22 * mm, 22 * mm, width - 9 * mm - 22 * mm * 2 - 38 * mm - 28 * mm, 38 * mm,
                                 28 * mm], s, aligns=["CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT"], long=True,
                                header_fill=colors.HexColor("#eeeeee")))
        story.append(Spacer(1, s.size * 0.6))
    story.append(Spacer(1, s.size * 0.6))
    story.append(signature_block([Signer("NGƯỜI LẬP BIỂU", name=data.preparer_name),
                                  Signer(data.signer_title.upper(), hint="(Ký, ghi rõ họ tên và đóng dấu)",
                                         name=data.signer_name)], s, width))
    return story


def build_ratings_pdf(data: RatingsPdfData) -> bytes:
    spec = page_spec("A4")
    styles = Styles(12, cell_size=10)
    return form_pdf(_story(data, styles, spec.width), spec, styles, title=TITLE, running_header=TITLE)
