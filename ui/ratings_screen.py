"""The counter's "Đánh giá hài lòng" tab: satisfaction % for a month, quarter, year or any range, against the
90 % / 95 % targets, the count of each level, a month chart, figures by field and procedure, the reasons; a
leader also sees per-clerk figures and the comments. A clerk's view stops at yesterday and never names who
was rated how. PDF and Excel exports."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.domain.rating import LEVEL_TEXT, TARGETS, percent_text, satisfaction_percent
from app.services.rating_report import (
    RatingGroup,
    RatingsReport,
    compute_ratings,
    for_viewer,
    ratings_pdf,
    ratings_xlsx,
)
from app.services.users import UserInfo
from ui.dossier_list import qdate, show_error, thousands
from ui.files import ask_save_path, write_bytes
from ui.stats_screen import PeriodPicker
from ui.workers import run_in_thread

# --- every user-visible text of this screen ------------------------------------------------------------------
T = {
    "period": "Kỳ báo cáo",
    "kinds": (("month", "Tháng"), ("quarter", "Quý"), ("year", "Năm"), ("range", "Tùy chọn khoảng ngày")),
    "month_n": "Tháng {n}",
    "quarter_n": "Quý {n}",
    "year": "Năm",
    "from": "Từ ngày",
    "to": "đến ngày",
    "show": "Xem",
    "pdf": "Xuất PDF…",
    "xlsx": "Xuất Excel…",
    "computing": "Đang tính số liệu…",
    "heading": "MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC — {period}",
    "none": "Trong kỳ chưa có lượt đánh giá nào.",
    "summary": "tỷ lệ hài lòng: {satisfied} trong {total} lượt đánh giá là hài lòng hoặc rất hài lòng",
    "target": "Mục tiêu {share:.0f}% (đến năm {year}): {verdict}",
    "not_counted": "Không tính {n} lượt đánh giá lại hồ sơ đã được đánh giá (được lưu, mỗi hồ sơ tính một lần).",
    "level": "Mức độ",
    "count": "Số lượt",
    "share": "Tỷ lệ",
    "satisfied_row": "Hài lòng (Rất hài lòng và Hài lòng)",
    "chart": "Tỷ lệ hài lòng theo tháng",
    "tab_field": "Lĩnh vực",
    "tab_procedure": "Thủ tục",
    "tab_month": "Tháng",
    "tab_clerk": "Cán bộ",
    "tab_reasons": "Lý do",
    "tab_comments": "Góp ý",
    "col_field": "Lĩnh vực",
    "col_procedure": "Thủ tục hành chính",
    "col_month": "Tháng",
    "col_clerk": "Cán bộ",
    "col_total": "Tổng số",
    "col_satisfied": "Hài lòng",
    "col_percent": "Tỷ lệ hài lòng",
    "col_reason": "Lý do",
    "col_when": "Thời gian",
    "col_comment": "Góp ý",
    "chart_empty": "Chưa có số liệu để vẽ biểu đồ.",
    "failed_title": "Không tính được số liệu đánh giá",
    "bad_range": "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
    "pdf_title": "Báo cáo mức độ hài lòng — {period}",
    "save_xlsx": "Lưu báo cáo mức độ hài lòng ra tệp Excel",
    "xlsx_filter": "Tệp Excel (*.xlsx)",
    "saved": "Đã lưu {path}",
    "export_failed_title": "Không xuất được báo cáo",
}
ROMAN = ("I", "II", "III", "IV")
# ----------------------------------------------------------------------------------------------------------------

BAR_COLOR = QColor("#3b78c2")
TARGET_COLORS = (QColor("#d9730d"), QColor("#b3261e"))
GOOD, BAD = "#1b5e20", "#b3261e"


class RatingsChart(QWidget):
    """Satisfaction % per month as bars (0–100 %), the targets as dashed lines, the count under each month."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.months: list[RatingGroup] = []
        self.setMinimumSize(360, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(520, 220)

    def set_months(self, months) -> None:
        self.months = list(months)
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        fm = QFontMetrics(self.font())
        if not any(m.total for m in self.months):
            p.setPen(QColor("#555"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, T["chart_empty"])
            p.end()
            return
        left, right, top, bottom = fm.horizontalAdvance("100%") + 10, fm.horizontalAdvance("95% (2030)") + 12, \
            fm.height(), fm.height() * 2 + 8
        plot = QRectF(left, top, max(self.width() - left - right, 10), max(self.height() - top - bottom, 10))
        p.setPen(QPen(QColor("#dddddd"), 1))
        for i in range(6):
            y = plot.bottom() - plot.height() * i / 5
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#555555"))
            p.drawText(QRectF(0, y - fm.height() / 2, left - 4, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{20 * i}%")
            p.setPen(QPen(QColor("#dddddd"), 1))
        n = len(self.months)
        group = plot.width() / n
        bar = min(group * 0.6, 56)
        for i, m in enumerate(self.months):
            cx = plot.left() + group * (i + 0.5)
            if m.percent is not None:
                h = plot.height() * m.percent / 100
                p.fillRect(QRectF(cx - bar / 2, plot.bottom() - h, bar, h), BAR_COLOR)
                text = percent_text(m.percent)
                if fm.horizontalAdvance(text) <= bar and h >= fm.height() + 4:
                    # inside the top of the bar: clear of the target lines just above most bars
                    p.setPen(QColor("white"))
                    p.drawText(QRectF(cx - bar / 2, plot.bottom() - h + 2, bar, fm.height()),
                               Qt.AlignmentFlag.AlignCenter, text)
                elif fm.horizontalAdvance(text) <= group:
                    p.setPen(QColor("#222222"))
                    p.drawText(QRectF(cx - group / 2, plot.bottom() - h - fm.height() - 2, group, fm.height()),
                               Qt.AlignmentFlag.AlignCenter, text)
            p.setPen(QColor("#555555"))
            p.drawText(QRectF(cx - group / 2, plot.bottom() + 2, group, fm.height() * 2 + 4),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                       f"T{m.key[5:7]}/{m.key[:4]}\n({m.total})" if fm.horizontalAdvance("T00/0000") <= group
                       else f"{int(m.key[5:7])}")
        for (year, share), color in zip(TARGETS, TARGET_COLORS, strict=True):
            y = plot.bottom() - plot.height() * share / 100
            pen = QPen(color, 1.5)
            pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(color)
            above = share == max(t for _y, t in TARGETS)
            p.drawText(QRectF(plot.right() + 4, y - fm.height() if above else y, right, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{share:.0f}% ({year})")
        p.end()


def _table(columns: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels(columns)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.setWordWrap(True)
    hh = t.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return t


def _fill(t: QTableWidget, rows: list[list[str]], numeric_from: int = 1) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            it = QTableWidgetItem(text)
            if c >= numeric_from:
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, it)
    t.resizeRowsToContents()


class RatingsScreen(PeriodPicker, QWidget):
    """Signals: `computed(RatingsReport)` when shown, `pdf_ready(bytes)` before the preview opens."""

    computed = Signal(object)
    pdf_ready = Signal(bytes)

    def __init__(self, db, user: UserInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self.leader = for_viewer(user)
        self.report: RatingsReport | None = None
        self.message_box: QMessageBox | None = None
        self.preview = None
        self.last_saved = ""
        self._request = 0
        self.today = db.clock().astimezone(TZ).date()
        self._build()
        self.set_period("quarter", self.today.year, (self.today.month - 1) // 3 + 1)

    # -- layout --

    def _build(self) -> None:
        self.kind_combo = QComboBox()
        for key, text in T["kinds"]:
            self.kind_combo.addItem(text, key)
        self.number_combo = QComboBox()
        self.number_combo.setMinimumContentsLength(8)
        self.year_combo = QComboBox()
        for y in range(self.today.year, 2019, -1):
            self.year_combo.addItem(str(y), y)
        self.year_label = QLabel(T["year"])
        self.from_label, self.to_label = QLabel(T["from"]), QLabel(T["to"])
        self.from_edit = QDateEdit(qdate(self.today.replace(day=1)), calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.to_edit = QDateEdit(qdate(self.today), calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.show_button = QPushButton(T["show"])
        self.show_button.clicked.connect(self.compute)
        self.pdf_button = QPushButton(T["pdf"])
        self.xlsx_button = QPushButton(T["xlsx"])
        self.pdf_button.clicked.connect(self.export_pdf)
        self.xlsx_button.clicked.connect(self.export_xlsx)
        for b in (self.pdf_button, self.xlsx_button):
            b.setEnabled(False)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        pick = QHBoxLayout()
        for w in (QLabel(T["period"]), self.kind_combo, self.number_combo, self.year_label, self.year_combo,
                  self.from_label, self.from_edit, self.to_label, self.to_edit, self.show_button):
            pick.addWidget(w)
        pick.addStretch(1)
        pick.addWidget(self.pdf_button)
        pick.addWidget(self.xlsx_button)

        self.heading = QLabel()
        hf = self.heading.font()
        hf.setBold(True)
        hf.setPointSizeF(hf.pointSizeF() * 1.1)
        self.heading.setFont(hf)
        self.heading.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.percent_label = QLabel()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 2.2)
        big.setBold(True)
        self.percent_label.setFont(big)
        self.targets = QLabel()
        self.targets.setTextFormat(Qt.TextFormat.RichText)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.levels = _table([T["level"], T["count"], T["share"]])
        self.levels.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.chart = RatingsChart()
        chart_title = QLabel(T["chart"])
        chart_title.setFont(hf)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.heading)
        row = QHBoxLayout()
        row.addWidget(self.percent_label)
        row.addWidget(self.summary, 1)
        ll.addLayout(row)
        ll.addWidget(self.targets)
        ll.addWidget(self.note)
        ll.addWidget(self.levels)
        ll.addWidget(chart_title)
        ll.addWidget(self.chart, 1)

        levels_cols = [T["col_total"], T["col_satisfied"], T["col_percent"]]
        self.field_table = _table([T["col_field"], *levels_cols])
        self.procedure_table = _table([T["col_procedure"], *levels_cols])
        self.month_table = _table([T["col_month"], *levels_cols])
        self.clerk_table = _table([T["col_clerk"], *levels_cols])
        self.reason_table = _table([T["col_reason"], T["count"]])
        # one wide cell per comment (the words, then when, how, what and who): it reads in a narrow pane
        self.comment_table = _table([T["col_comment"]])
        self.comment_table.horizontalHeader().sectionResized.connect(
            lambda *_a: self.comment_table.resizeRowsToContents())  # rows as tall as their wrapped text
        self.tabs = QTabWidget()
        self.tabs.addTab(self.field_table, T["tab_field"])
        self.tabs.addTab(self.procedure_table, T["tab_procedure"])
        self.tabs.addTab(self.month_table, T["tab_month"])
        if self.leader:
            self.tabs.addTab(self.clerk_table, T["tab_clerk"])
        self.tabs.addTab(self.reason_table, T["tab_reasons"])
        if self.leader:
            self.tabs.addTab(self.comment_table, T["tab_comments"])

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.addLayout(pick)
        lay.addWidget(split, 1)

    # -- period --

    # -- computing --

    def compute(self) -> None:
        date_from, date_to = self.bounds()
        if date_to < date_from:
            self.message_box = show_error(self, T["failed_title"], T["bad_range"])
            return
        self._request += 1
        req, db, leader = self._request, self.db, self.leader
        self.show_button.setEnabled(False)
        self.summary.setText(T["computing"])
        run_in_thread(lambda: compute_ratings(db, date_from, date_to, per_clerk=leader, until_yesterday=not leader),
                      lambda rep: self._computed(req, rep), lambda exc: self._failed(req, exc), parent=self,
                      name="compute_ratings")

    def _failed(self, req: int, exc: BaseException) -> None:
        if req != self._request:
            return
        self.show_button.setEnabled(True)
        self.message_box = show_error(self, T["failed_title"], getattr(exc, "message", None) or str(exc))

    def _computed(self, req: int, report: RatingsReport) -> None:
        if req != self._request:
            return
        self.show_button.setEnabled(True)
        self.report = report
        self.heading.setText(T["heading"].format(period=report.period))
        if report.total:
            self.percent_label.setText(percent_text(report.percent))
            color = GOOD if report.percent >= report.target else BAD
            self.percent_label.setStyleSheet(f"color: {color};")
            self.summary.setText(T["summary"].format(total=thousands(report.total),
                                                     satisfied=thousands(report.satisfied)))
        else:
            self.percent_label.setText("—")
            self.percent_label.setStyleSheet("")
            self.summary.setText(T["none"])
        targets = []
        for year, share in TARGETS:
            verdict = report.verdict(share)
            color = GOOD if verdict == "đạt" else BAD if verdict == "chưa đạt" else "#555"
            targets.append(T["target"].format(share=share, year=year, verdict=f"<b style='color:{color}'>{verdict}</b>"))
        self.targets.setText(" · ".join(targets))
        notes = [report.note] if report.note else []
        if report.not_counted:
            notes.append(T["not_counted"].format(n=report.not_counted))
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))
        rows = [[LEVEL_TEXT[lv], thousands(n), percent_text(satisfaction_percent(n, report.total))]
                for lv, n in report.by_level]
        rows.append([T["satisfied_row"], thousands(report.satisfied), percent_text(report.percent)])
        _fill(self.levels, rows)
        bold = QFont(self.levels.font())
        bold.setBold(True)
        for c in range(3):
            self.levels.item(len(rows) - 1, c).setFont(bold)
        self.levels.setFixedHeight(self.levels.horizontalHeader().height() + sum(
            self.levels.rowHeight(r) for r in range(self.levels.rowCount())) + 2 * self.levels.frameWidth() + 2)

        def group_rows(groups) -> list[list[str]]:
            return [[g.label, thousands(g.total), thousands(g.satisfied), percent_text(g.percent)] for g in groups]

        _fill(self.field_table, group_rows(report.by_field))
        _fill(self.procedure_table, group_rows(report.by_procedure))
        _fill(self.month_table, group_rows(report.by_month))
        _fill(self.clerk_table, group_rows(report.by_clerk))
        _fill(self.reason_table, [[r, thousands(n)] for r, n in report.reasons])
        _fill(self.comment_table, [[f"“{c.comment}”\n{c.rated_at:%H:%M %d/%m/%Y} · {LEVEL_TEXT[c.level]}"
                                    + (f" ({'; '.join(c.reasons)})" if c.reasons else "")
                                    + f" · {c.procedure} · {c.clerk}"] for c in report.comments], numeric_from=99)
        self.chart.set_months(report.by_month)
        for b in (self.pdf_button, self.xlsx_button):
            b.setEnabled(True)
        self.computed.emit(report)

    # -- exports --

    def export_pdf(self) -> None:
        if self.report is None:
            return
        report, name = self.report, self.user.full_name if self.user else ""
        run_in_thread(lambda: ratings_pdf(report, preparer_name=name), lambda pdf: self._show_pdf(pdf, report),
                      self._export_failed, parent=self, name="ratings_pdf")

    def _show_pdf(self, pdf: bytes, report: RatingsReport) -> None:
        from ui.receipt_preview import ReceiptPreviewDialog

        self.pdf_ready.emit(pdf)
        name = f"danh-gia-hai-long-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.pdf"
        self.preview = ReceiptPreviewDialog(pdf, title=T["pdf_title"].format(period=report.period), default_name=name,
                                            parent=self)
        self.preview.open()

    def ask_save_path(self, title: str, default_name: str, name_filter: str) -> str | None:
        return ask_save_path(self, title, default_name, name_filter)

    def export_xlsx(self) -> None:
        if self.report is None:
            return
        report = self.report
        path = self.ask_save_path(T["save_xlsx"], f"danh-gia-hai-long-{report.date_from:%Y%m%d}-"
                                                  f"{report.date_to:%Y%m%d}.xlsx", T["xlsx_filter"])
        if not path:
            return
        run_in_thread(lambda: write_bytes(path, ratings_xlsx(report)), self._saved, self._export_failed, parent=self,
                      name="ratings_xlsx")

    def _saved(self, path: str) -> None:
        self.last_saved = path
        self.note.setText(T["saved"].format(path=path))
        self.note.setVisible(True)

    def _export_failed(self, exc: BaseException) -> None:
        self.message_box = show_error(self, T["export_failed_title"], getattr(exc, "message", None) or str(exc))
