"""The month trend of the statistics screen, drawn with QPainter: received vs resolved bars, on-time share line."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.services.stats import MonthPoint

# --- every user-visible text of the chart -------------------------------------------------------------
T = {
    "received": "Tiếp nhận",
    "resolved": "Đã giải quyết",
    "share": "Tỷ lệ đúng hạn (%)",
    "empty": "Chưa có số liệu để vẽ biểu đồ.",
    "axis_count": "Số hồ sơ",
    "axis_share": "%",
    "month": "T{m}/{y}",
}
# -----------------------------------------------------------------------------------------------------------

RECEIVED_COLOR = QColor("#3b78c2")
RESOLVED_COLOR = QColor("#4f9d5d")
SHARE_COLOR = QColor("#d9730d")
GRID_COLOR = QColor("#dddddd")
AXIS_COLOR = QColor("#555555")


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/2.5/5 × 10^k at or above `value` (at least 5), for a readable count axis."""
    if value <= 5:
        return 5
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= value:
            return m * exp
    return 10 * exp


def month_label(p: MonthPoint) -> str:
    return T["month"].format(m=p.month, y=p.year)


def percent_text(v: float) -> str:
    """95.0 -> "95%", 95.5 -> "95,5%" (Vietnamese decimal comma)."""
    return (f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}".replace(".", ",")) + "%"


class MonthlyChart(QWidget):
    """Grouped bars (received, resolved) per month on the left axis; on-time share (0–100 %) on the right.

    `set_months(points)` replaces the data and repaints. Readable from about 600×260; sized for 800×300.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.months: list[MonthPoint] = []
        self.value_labels: list[QRectF] = []
        self.share_labels: list[QRectF] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 140)  # short enough that the statistics table above keeps its total row
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), QColor("white"))
        self.setPalette(pal)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(640, 220)  # it grows into whatever the window gives it

    def set_months(self, months: Sequence[MonthPoint]) -> None:
        self.months = list(months)
        self.update()

    # -- painting --

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        font = QFont(self.font())
        p.setFont(font)
        fm = QFontMetrics(font)
        w, h = self.width(), self.height()
        if not self.months:
            p.setPen(AXIS_COLOR)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, T["empty"])
            return
        top_max = nice_ceiling(max(max(m.received, m.resolved) for m in self.months))
        left = fm.horizontalAdvance(f"{int(top_max):,}".replace(",", ".")) + 18
        right = fm.horizontalAdvance("100%") + 16
        legend_h = fm.height() + 14
        bottom = fm.height() * 2 + 8
        plot = QRectF(left, legend_h + 8, max(w - left - right, 10), max(h - legend_h - 8 - bottom, 10))

        self._legend(p, fm, legend_h)

        # grid and both axes
        ticks = 5
        for i in range(ticks + 1):
            y = plot.bottom() - plot.height() * i / ticks
            p.setPen(QPen(GRID_COLOR, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(AXIS_COLOR)
            count = top_max * i / ticks
            label = f"{count:,.0f}".replace(",", ".") if float(count).is_integer() else f"{count:.1f}"
            p.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            p.setPen(SHARE_COLOR)
            p.drawText(QRectF(plot.right() + 6, y - fm.height() / 2, right - 6, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{100 * i // ticks}%")
        p.setPen(QPen(AXIS_COLOR, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.drawLine(plot.bottomLeft(), plot.topLeft())
        p.setPen(QPen(SHARE_COLOR, 1))
        p.drawLine(plot.bottomRight(), plot.topRight())

        # bars
        n = len(self.months)
        group = plot.width() / n
        bar = min(group * 0.32, 48)
        gap = min(group * 0.04, 6)
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() * 0.85, 6))
        sfm = QFontMetrics(small)
        centers = []
        taken: list[QRectF] = []  # the bars' value labels: the share labels keep clear of them
        self.value_labels, self.share_labels = taken, []  # where the last paint put its labels (tests)
        for i, m in enumerate(self.months):
            cx = plot.left() + group * (i + 0.5)
            centers.append(cx)
            for value, color, x in ((m.received, RECEIVED_COLOR, cx - gap / 2 - bar),
                                    (m.resolved, RESOLVED_COLOR, cx + gap / 2)):
                bh = plot.height() * value / top_max
                rect = QRectF(x, plot.bottom() - bh, bar, bh)
                p.fillRect(rect, color)
                if value and sfm.horizontalAdvance(str(value)) <= bar + 8:
                    p.setFont(small)
                    p.setPen(AXIS_COLOR)
                    label_rect = QRectF(x - 4, rect.top() - sfm.height() - 1, bar + 8, sfm.height())
                    p.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, f"{value:,}".replace(",", "."))
                    taken.append(label_rect)
                    p.setFont(font)
            # month label under the group (every other one when they would collide)
            label = month_label(m)
            step = max(1, math.ceil((fm.horizontalAdvance(label) + 8) / group))
            if i % step == 0:
                p.setPen(AXIS_COLOR)
                p.drawText(QRectF(cx - group * step / 2, plot.bottom() + 4, group * step, fm.height() + 2),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)

        # on-time share line (months with nothing resolved have no point)
        pts = [(QPointF(cx, plot.bottom() - plot.height() * m.on_time_share / 100), m.on_time_share)
               for cx, m in zip(centers, self.months, strict=True) if m.on_time_share is not None]
        if pts:
            path = QPainterPath(pts[0][0])
            for pt, _v in pts[1:]:
                path.lineTo(pt)
            p.setPen(QPen(SHARE_COLOR, 2.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            p.setBrush(SHARE_COLOR)
            for pt, v in pts:
                p.setPen(QPen(QColor("white"), 1.5))
                p.drawEllipse(pt, 4.5, 4.5)
                p.setFont(small)
                p.setPen(SHARE_COLOR)
                text = percent_text(v)
                tw, th = sfm.horizontalAdvance(text) + 6, sfm.height()
                # above or below the point, right or left of it: the first place that covers no bar label
                places = [QRectF(pt.x() + dx, pt.y() + dy, tw, th)
                          for dy in (-th - 6, 6, th + 10, -2 * th - 10, 2 * th + 14, -3 * th - 14)
                          for dx in (5, -tw - 5, -tw / 2)]
                places = [b for b in places if b.top() >= plot.top() - 4 and b.bottom() <= plot.bottom()]
                box = next((b for b in places if not any(b.intersects(t) for t in taken)),
                           places[0] if places else QRectF(pt.x() + 5, pt.y() + 6, tw, th))
                self.share_labels.append(box)
                taken.append(box)
                p.fillRect(box, QColor(255, 255, 255, 210))  # stays legible over a bar or the grid
                p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
                p.setFont(font)
            p.setBrush(Qt.BrushStyle.NoBrush)

    def _legend(self, p: QPainter, fm: QFontMetrics, height: int) -> None:
        items = ((T["received"], RECEIVED_COLOR, "bar"), (T["resolved"], RESOLVED_COLOR, "bar"),
                 (T["share"], SHARE_COLOR, "line"))
        sw = 14
        total = sum(sw + 6 + fm.horizontalAdvance(t) + 20 for t, _c, _k in items) - 20
        x = max((self.width() - total) / 2, 4)
        y = (height - fm.height()) / 2 + 4
        for text, color, kind in items:
            if kind == "bar":
                p.fillRect(QRectF(x, y + (fm.height() - sw) / 2, sw, sw), color)
            else:
                p.setPen(QPen(color, 2.5))
                mid = y + fm.height() / 2
                p.drawLine(QPointF(x - 2, mid), QPointF(x + sw + 2, mid))
                p.setBrush(color)
                p.drawEllipse(QPointF(x + sw / 2, mid), 3.5, 3.5)
                p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(AXIS_COLOR)
            p.drawText(QRectF(x + sw + 6, y, fm.horizontalAdvance(text) + 4, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            x += sw + 6 + fm.horizontalAdvance(text) + 20
