"""Statistics screen: Biểu II.06a for a month, quarter, year or any range, the month trend chart, exports."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.services.reports import STATS_GROUPS, stats_csv, stats_pdf, stats_values, stats_xlsx
from app.services.stats import StatsReport, StatsRow, compute_stats, period_bounds, period_label
from app.services.users import UserInfo
from ui.audit_hooks import for_preview, note
from ui.chart import MonthlyChart, percent_text
from ui.dossier_list import pydate, qdate, show_error, thousands
from ui.files import ask_save_path, write_bytes
from ui.workers import run_in_thread

# --- every user-visible text of this screen ---------------------------------------------------------------
T = {
    "period": "Kỳ báo cáo",
    "kinds": (("month", "Tháng"), ("quarter", "Quý"), ("year", "Năm"), ("range", "Tùy chọn khoảng ngày")),
    "year": "Năm",
    "month_n": "Tháng {n}",
    "quarter_n": "Quý {n}",
    "from": "Từ ngày",
    "to": "đến ngày",
    "show": "Xem",
    "computing": "Đang tính số liệu…",
    "heading": "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH — {period}",
    "form": "Biểu II.06a/VPCP/KSTT · {unit}",
    "field": "Lĩnh vực",
    "share_col": "Tỷ lệ đúng hạn",
    "summary": ("Tiếp nhận trong kỳ: {received} hồ sơ (trực tuyến {online}, trực tiếp và bưu chính {direct}), "
                "từ kỳ trước chuyển sang: {carried} · Đã giải quyết: {resolved} · Đang giải quyết: {open} "
                "(quá hạn {overdue}) · Dừng giải quyết, rút hồ sơ: {stopped}"),
    "share": "Tỷ lệ giải quyết đúng hạn (trước hạn và đúng hạn): {share}",
    "share_none": "Tỷ lệ giải quyết đúng hạn: chưa có hồ sơ nào được giải quyết trong kỳ",
    "chart": "Diễn biến theo tháng",
    "bad_range": "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
    "failed_title": "Không tính được số liệu",
    "pdf": "Xuất PDF…",
    "xlsx": "Xuất Excel…",
    "csv": "Xuất CSV…",
    "pdf_title": "Biểu II.06a — {period}",
    "save_xlsx": "Lưu số liệu thống kê ra tệp Excel",
    "save_csv": "Lưu số liệu thống kê ra tệp CSV",
    "xlsx_filter": "Tệp Excel (*.xlsx)",
    "csv_filter": "Tệp CSV (*.csv)",
    "saved": "Đã lưu {path}",
    "export_failed_title": "Không xuất được số liệu",
}
ROMAN = ("I", "II", "III", "IV")
# -----------------------------------------------------------------------------------------------------------

HEADER_ROWS = 2
HEADER_BG = QColor("#e8eef7")
TOTAL_BG = QColor("#f3f3f3")


def row_values(r: StatsRow) -> list[int]:
    """The 12 counts in the outputs' column order (Tiếp nhận "Tổng số" includes the carried-over)."""
    return stats_values(r)


NCOLS = 1 + sum(len(subs) for _g, subs in STATS_GROUPS) + 1  # field, the counts, the on-time share
LATE_COLUMNS = (8, 11)  # resolved late, overdue: in red


class PeriodPicker:
    """The period pickers of a report screen (kind, year, month or quarter, or a range of dates): the screen
    makes kind_combo, number_combo, year_combo, year_label, from/to edits and labels, and today."""

    def _kind_changed(self, *_args) -> None:
        kind = self.kind_combo.currentData()
        self.number_combo.clear()
        if kind == "month":
            for n in range(1, 13):
                self.number_combo.addItem(T["month_n"].format(n=n), n)
        elif kind == "quarter":
            for n in range(1, 5):
                self.number_combo.addItem(T["quarter_n"].format(n=ROMAN[n - 1]), n)
        if kind in ("month", "quarter"):
            default = self.today.month if kind == "month" else (self.today.month - 1) // 3 + 1
            self.number_combo.setCurrentIndex(default - 1)
        custom = kind == "range"
        self.number_combo.setVisible(kind in ("month", "quarter"))
        self.year_combo.setVisible(not custom)
        self.year_label.setVisible(not custom)
        for w in (self.from_edit, self.to_edit, self.from_label, self.to_label):
            w.setVisible(custom)

    def set_period(self, kind: str, year: int | None = None, number: int | None = None,
                   date_from: date | None = None, date_to: date | None = None) -> None:
        """Set the pickers (without computing): kind "month" | "quarter" | "year" | "range"."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self._kind_changed()
        if year is not None:
            i = self.year_combo.findData(year)
            if i < 0:
                self.year_combo.addItem(str(year), year)
                i = self.year_combo.count() - 1
            self.year_combo.setCurrentIndex(i)
        if number is not None and kind in ("month", "quarter"):
            self.number_combo.setCurrentIndex(self.number_combo.findData(number))
        if date_from is not None:
            self.from_edit.setDate(qdate(date_from))
        if date_to is not None:
            self.to_edit.setDate(qdate(date_to))

    def bounds(self) -> tuple[date, date]:
        kind = self.kind_combo.currentData()
        if kind == "range":
            return pydate(self.from_edit.date()), pydate(self.to_edit.date())
        return period_bounds(kind, self.year_combo.currentData(), self.number_combo.currentData() or 1)


class StatsScreen(PeriodPicker, QWidget):
    """Period pickers, "Xem" (compute_stats in a worker), the Biểu II.06a table, the chart and the exports.

    Signals: `computed(StatsReport)` when a report is shown; `pdf_ready(bytes)` before the preview opens.
    """

    computed = Signal(object)
    pdf_ready = Signal(bytes)

    def __init__(self, db, user: UserInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self.report: StatsReport | None = None
        self.last_saved = ""
        self.last_error = ""
        self.message_box: QMessageBox | None = None
        self.preview = None
        self._request = 0
        self.today = db.clock().astimezone(TZ).date()
        self._build()
        self.set_period("quarter", self.today.year, (self.today.month - 1) // 3 + 1)

    # -- layout --

    def _build(self) -> None:
        self.kind_combo = QComboBox()
        for key, label in T["kinds"]:
            self.kind_combo.addItem(label, key)
        self.year_combo = QComboBox()
        for y in range(self.today.year, 2019, -1):
            self.year_combo.addItem(str(y), y)
        self.number_combo = QComboBox()
        self.number_combo.setMinimumContentsLength(8)
        self.from_edit = QDateEdit(qdate(self.today.replace(day=1)), calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.to_edit = QDateEdit(qdate(self.today), calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.from_label, self.to_label = QLabel(T["from"]), QLabel(T["to"])
        self.year_label = QLabel(T["year"])
        self.show_button = QPushButton(T["show"])
        self.show_button.setDefault(True)
        self.show_button.setMinimumWidth(90)
        self.show_button.clicked.connect(self.compute)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)

        self.pdf_button = QPushButton(T["pdf"])
        self.xlsx_button = QPushButton(T["xlsx"])
        self.csv_button = QPushButton(T["csv"])
        self.pdf_button.clicked.connect(self.export_pdf)
        self.xlsx_button.clicked.connect(lambda: self.export_file("xlsx"))
        self.csv_button.clicked.connect(lambda: self.export_file("csv"))
        for b in (self.pdf_button, self.xlsx_button, self.csv_button):
            b.setEnabled(False)

        pick = QHBoxLayout()
        pick.addWidget(QLabel(T["period"]))
        pick.addWidget(self.kind_combo)
        pick.addWidget(self.number_combo)
        pick.addWidget(self.year_label)
        pick.addWidget(self.year_combo)
        pick.addWidget(self.from_label)
        pick.addWidget(self.from_edit)
        pick.addWidget(self.to_label)
        pick.addWidget(self.to_edit)
        pick.addWidget(self.show_button)
        pick.addStretch(1)
        pick.addWidget(self.pdf_button)
        pick.addWidget(self.xlsx_button)
        pick.addWidget(self.csv_button)

        self.heading = QLabel()
        f = self.heading.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.1)
        self.heading.setFont(f)
        self.heading.setWordWrap(True)
        self.subheading = QLabel()
        self.subheading.setStyleSheet("color: #555;")

        self.table = QTableWidget(HEADER_ROWS, NCOLS)
        self.table.horizontalHeader().hide()
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(True)
        self._header()

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.share_label = QLabel()
        sf = self.share_label.font()
        sf.setBold(True)
        self.share_label.setFont(sf)

        self.chart = MonthlyChart()
        chart_box = QWidget()
        cl = QVBoxLayout(chart_box)
        cl.setContentsMargins(0, 4, 0, 0)
        title = QLabel(T["chart"])
        title.setFont(sf)
        cl.addWidget(title)
        cl.addWidget(self.chart, 1)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.heading)
        tl.addWidget(self.subheading)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.summary)
        tl.addWidget(self.share_label)
        tl.addStretch(0)

        self._top = top
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(chart_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        lay = QVBoxLayout(self)
        lay.addLayout(pick)
        lay.addWidget(self.splitter, 1)

    def _header(self) -> None:
        """Two header rows as spans: the groups (Tiếp nhận, …) over their columns."""
        bold = QFont(self.table.font())
        bold.setBold(True)

        def cell(row, col, text, rowspan=1, colspan=1):
            it = QTableWidgetItem(text)
            it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            it.setFont(bold)
            it.setBackground(QBrush(HEADER_BG))
            self.table.setItem(row, col, it)
            if rowspan > 1 or colspan > 1:
                self.table.setSpan(row, col, rowspan, colspan)

        cell(0, 0, T["field"], rowspan=2)
        col = 1
        for group, subs in STATS_GROUPS:
            if len(subs) == 1:  # a single column: its title over both header rows
                cell(0, col, group, rowspan=2)
            else:
                cell(0, col, group, colspan=len(subs))
                for i, sub in enumerate(subs):
                    cell(1, col + i, sub)
            col += len(subs)
        cell(0, col, T["share_col"], rowspan=2)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 170)
        self.table.setRowHeight(0, 28)
        self.table.setRowHeight(1, 46)

    # -- the period --

    # -- computing --

    def compute(self) -> None:
        date_from, date_to = self.bounds()
        if date_to < date_from:
            self.message_box = show_error(self, T["failed_title"], T["bad_range"])
            return
        self._request += 1
        req, db = self._request, self.db
        self.show_button.setEnabled(False)
        self.subheading.setText(T["computing"])
        run_in_thread(lambda: compute_stats(db, date_from, date_to), lambda rep: self._computed(req, rep),
                      lambda exc: self._failed(req, exc), parent=self)

    def _failed(self, req: int, exc: BaseException) -> None:
        if req != self._request:
            return
        self.show_button.setEnabled(True)
        self.last_error = getattr(exc, "message", None) or str(exc)
        self.subheading.setText("")
        self.message_box = show_error(self, T["failed_title"], self.last_error)

    def _computed(self, req: int, report: StatsReport) -> None:
        if req != self._request:
            return
        self.show_button.setEnabled(True)
        self.report = report
        period = period_label(report.date_from, report.date_to)
        self.heading.setText(T["heading"].format(period=period))
        self.subheading.setText(T["form"].format(unit=report.unit_name))
        self._fill(report)
        t = report.total
        self.summary.setText(T["summary"].format(
            received=thousands(t.received_total), online=thousands(t.received_online),
            direct=thousands(t.received_direct_post), carried=thousands(t.carried_over),
            resolved=thousands(t.resolved_total), open=thousands(t.in_progress_total),
            overdue=thousands(t.in_progress_overdue), stopped=thousands(t.stopped)))
        share = t.on_time_share
        self.share_label.setText(T["share"].format(share=percent_text(share)) if share is not None
                                 else T["share_none"])
        self.chart.set_months(report.months)
        self._fit_splitter()
        for b in (self.pdf_button, self.xlsx_button, self.csv_button):
            b.setEnabled(True)
        self.computed.emit(report)

    def _fill(self, report: StatsReport) -> None:
        rows = list(report.rows) + [report.total]
        self.table.setRowCount(HEADER_ROWS + len(rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for i, r in enumerate(rows):
            row = HEADER_ROWS + i
            is_total = r is report.total
            share = r.on_time_share
            texts = [r.field] + [thousands(v) for v in row_values(r)] + \
                [percent_text(share) if share is not None else "—"]
            for col, text in enumerate(texts):
                it = QTableWidgetItem(text)
                it.setTextAlignment((Qt.AlignmentFlag.AlignLeft if col == 0 else Qt.AlignmentFlag.AlignRight)
                                    | Qt.AlignmentFlag.AlignVCenter)
                if is_total:
                    it.setFont(bold)
                    it.setBackground(QBrush(TOTAL_BG))
                if col in LATE_COLUMNS and text not in ("0", "—") and not is_total:
                    it.setForeground(QBrush(QColor("#b3261e")))  # late / overdue
                self.table.setItem(row, col, it)
            self.table.setRowHeight(row, 24)
        # As tall as its rows (no empty band under the total); long catalogues scroll.
        height = sum(self.table.rowHeight(r) for r in range(self.table.rowCount())) + 2 * self.table.frameWidth() + 2
        self.table.setMaximumHeight(height)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.report is not None:
            self._fit_splitter()  # computed while the tab was hidden: sizes were not known then

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.report is not None:
            self._fit_splitter()

    def _fit_splitter(self) -> None:
        """Give the table what its rows need and the chart the rest."""
        lay = self._top.layout()
        labels = (self.heading, self.subheading, self.summary, self.share_label)
        width = max(self._top.width(), 400)
        need = self.table.maximumHeight() + 5 * lay.spacing() + sum(
            w.heightForWidth(width) if w.hasHeightForWidth() else w.sizeHint().height() for w in labels)
        total = sum(self.splitter.sizes())
        if total > 0:
            top = min(need, max(total - 150, 200))  # the total row stays in view; the chart keeps 150 px
            self.splitter.setSizes([top, total - top])

    def cell_text(self, field: str, col: int) -> str:
        """The text shown for a field's row (or "Tổng số") in a column (1..12 counts, 13 share)."""
        for row in range(HEADER_ROWS, self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.text() == field:
                return self.table.item(row, col).text()
        raise KeyError(field)

    # -- exports --

    def _busy(self, busy: bool) -> None:
        for b in (self.pdf_button, self.xlsx_button, self.csv_button):
            b.setEnabled(not busy and self.report is not None)

    def export_pdf(self) -> None:
        if self.report is None:
            return
        report, name = self.report, self.user.full_name if self.user else ""
        self._busy(True)
        run_in_thread(lambda: stats_pdf(report, preparer_name=name), lambda pdf: self._show_pdf(pdf, report),
                      self._export_failed, parent=self)

    def _show_pdf(self, pdf: bytes, report: StatsReport) -> None:
        from ui.receipt_preview import ReceiptPreviewDialog

        self._busy(False)
        self.pdf_ready.emit(pdf)
        period = period_label(report.date_from, report.date_to)
        name = f"bieu-II06a-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.pdf"
        self.preview = ReceiptPreviewDialog(pdf, title=T["pdf_title"].format(period=period), default_name=name,
                                            parent=self, audit=for_preview(self.db, self.user, "stats", period,
                                                                           "Biểu II.06a"))
        self.preview.open()

    def ask_save_path(self, title: str, default_name: str, name_filter: str) -> str | None:
        return ask_save_path(self, title, default_name, name_filter)

    def export_file(self, kind: str) -> None:
        if self.report is None:
            return
        report = self.report
        name = f"bieu-II06a-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.{kind}"
        if kind == "xlsx":
            path = self.ask_save_path(T["save_xlsx"], name, T["xlsx_filter"])
        else:
            path = self.ask_save_path(T["save_csv"], name, T["csv_filter"])
        if not path:
            return

        def job() -> str:
            return write_bytes(path, stats_xlsx(report) if kind == "xlsx" else stats_csv(report))

        self._busy(True)
        run_in_thread(job, self._saved, self._export_failed, parent=self)

    def _saved(self, path: str) -> None:
        self._busy(False)
        self.last_saved = path
        note(self.db, self.user, "exported", "stats", period_label(self.report.date_from, self.report.date_to),
             f"Biểu II.06a → {path}")
        self.subheading.setText(T["form"].format(unit=self.report.unit_name) + " · " + T["saved"].format(path=path))

    def _export_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.last_error = getattr(exc, "message", None) or str(exc)
        self.message_box = show_error(self, T["export_failed_title"], self.last_error)
