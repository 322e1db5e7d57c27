"""The on-screen logbook (Sổ theo dõi hồ sơ): search while typing, filters, a sortable list, exports, due badge."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QDate,
    QLocale,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.domain.dossier import CHANNELS, STATUS_TEXT, Status
from app.domain.lifecycle import DUE_STATE_TEXT, DueState
from app.services.reports import (
    EXTRACT_FILE_LIMIT,
    logbook_csv,
    logbook_extract,
    logbook_pdf,
    logbook_title_info,
    logbook_xlsx,
)
from app.services.search import (
    DossierFilter,
    DossierRow,
    DueAlerts,
    SearchResult,
    due_alerts,
    filter_options,
    search_dossiers,
)
from app.services.users import UserInfo
from ui.audit_hooks import for_preview, note
from ui.files import ask_save_path, write_bytes
from ui.workers import run_in_thread

# --- every user-visible text of this panel --------------------------------------------------------------
T = {
    "search_ph": "Tìm theo mã hồ sơ, tên, số điện thoại, số CCCD, địa chỉ, thủ tục… (không cần gõ dấu)",
    "status": "Trạng thái",
    "field": "Lĩnh vực",
    "procedure": "Thủ tục",
    "clerk": "Cán bộ tiếp nhận",
    "received": "Ngày nhận",
    "date_to": "đến",
    "all_dates": "Mọi ngày",
    "due": "Hạn",
    "channel": "Hình thức nộp",
    "all": "Tất cả",
    "clear": "Xóa bộ lọc",
    "more": "Xem thêm",
    "loading": "Đang tìm…",
    "found": "Tìm thấy {n} hồ sơ",
    "found_shown": "Tìm thấy {n} hồ sơ (đang hiện {shown})",
    "found_more": "Hơn {n} hồ sơ — hãy lọc thêm",
    "none": "Không có hồ sơ nào khớp với điều kiện tìm.",
    "failed": "Không tìm được: {msg}",
    "print": "In trích sổ (PDF)…",
    "xlsx": "Xuất Excel…",
    "csv": "Xuất CSV…",
    "export_hint": "Trích sổ theo dõi hồ sơ: mọi hồ sơ của danh sách đang lọc (không chỉ các dòng đang hiện). "
                   "Các trang sổ của từng ngày in khi chốt sổ ngày.",
    "scope": "Điều kiện lọc: {items}",
    "scope_text": "tìm “{text}”",
    "pdf_title": "Trích sổ theo dõi hồ sơ",
    "save_xlsx": "Lưu sổ theo dõi hồ sơ ra tệp Excel",
    "save_csv": "Lưu sổ theo dõi hồ sơ ra tệp CSV",
    "xlsx_filter": "Tệp Excel (*.xlsx)",
    "csv_filter": "Tệp CSV (*.csv)",
    "exporting": "Đang xuất sổ…",
    "saved": "Đã lưu {path}",
    "export_failed_title": "Không xuất được sổ",
    "build_failed": "Không lập được sổ: {msg}",
    "close": "Đóng",
    "no_deadline": "Không có hạn",
    "tooltip_open": "Nhấp đúp hoặc bấm Enter để mở hồ sơ",
    # due badge
    "badge_overdue": "Quá hạn: {n}",
    "badge_today": "Đến hạn hôm nay: {n}",
    "badge_soon": "Sắp đến hạn: {n}",
    "badge_paused": "Chờ bổ sung: {n}",
    "badge_loading": "Đang đếm hồ sơ đến hạn…",
    "badge_none": "Không có hồ sơ quá hạn, đến hạn",
    "badge_tip": "Bấm để xem danh sách hồ sơ này trong Sổ theo dõi hồ sơ",
}
COLUMNS = ("Mã hồ sơ", "Người nộp", "Thủ tục", "Lĩnh vực", "Ngày nhận", "Hẹn trả", "Trạng thái", "Hạn")
# Short due texts for the list's last column (the full wording is the cell's tooltip).
DUE_SHORT = {
    DueState.WITHIN.value: "Trong hạn",
    DueState.DUE_TODAY.value: "Đến hạn hôm nay",
    DueState.DUE_SOON.value: "Sắp đến hạn",
    DueState.OVERDUE.value: "Quá hạn",
    DueState.PAUSED.value: "Chờ bổ sung",
    DueState.NO_DEADLINE.value: "Không có hạn",
    DueState.EARLY.value: "Trước hạn",
    DueState.ON_TIME.value: "Đúng hạn",
    DueState.LATE.value: "Trễ hạn",
    DueState.CLOSED.value: "Đã kết thúc",
}
DUE_CHOICES = (
    (None, "Tất cả"),
    ("today", "Đến hạn hôm nay"),
    ("soon", "Còn ≤ 1 ngày làm việc"),
    ("overdue", "Quá hạn"),
    ("paused", "Tạm dừng chờ bổ sung"),
)
# -----------------------------------------------------------------------------------------------------------

LATE_STATES = (DueState.OVERDUE.value, DueState.LATE.value)  # in red: overdue now, or resolved late
COL_CODE, COL_NAME, COL_PROCEDURE, COL_FIELD, COL_RECEIVED, COL_DUE, COL_STATUS, COL_STATE = range(8)
TEXT_COLUMNS = (COL_NAME, COL_PROCEDURE, COL_FIELD, COL_STATUS, COL_STATE)
DATE_COLUMNS = (COL_RECEIVED, COL_DUE)
CODE_ROLE = Qt.ItemDataRole.UserRole + 1  # the dossier code of a row, whatever the column
PAGE = 200
DEBOUNCE_MS = 150

# Row tints by due state (light enough to keep black text readable).
TINT = {
    DueState.OVERDUE.value: QColor("#f8d0cc"),
    DueState.DUE_TODAY.value: QColor("#fde7b0"),
    DueState.PAUSED.value: QColor("#e3e3e3"),
}


def vietnamese_collator() -> QCollator:
    """Vietnamese order (a < ă < â, d < đ, …), case-insensitive; Python's sorted() puts Đ after z."""
    c = QCollator(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    c.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    c.setNumericMode(True)
    return c


def thousands(n: int) -> str:
    """1234 -> "1.234" (Vietnamese digit grouping)."""
    return f"{n:,}".replace(",", ".")


def fmt_day_time(dt: datetime | None) -> str:
    return dt.astimezone(TZ).strftime("%d/%m/%Y %H:%M") if dt else ""


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def show_error(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Close, parent)
    box.button(QMessageBox.StandardButton.Close).setText(T["close"])
    box.setModal(True)
    box.open()
    return box


# --- the model ------------------------------------------------------------------------------------------


class DossierTableModel(QAbstractTableModel):
    """Rows of :class:`DossierRow`; DisplayRole is text, UserRole the sort value (datetimes for dates)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[DossierRow] = []

    def set_rows(self, rows: list[DossierRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[DossierRow]) -> None:
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def row_at(self, row: int) -> DossierRow:
        return self.rows[row]

    def _text(self, r: DossierRow, col: int) -> str:
        if col == COL_CODE:
            return r.code
        if col == COL_NAME:
            return r.applicant_name
        if col == COL_PROCEDURE:
            return r.procedure_name
        if col == COL_FIELD:
            return r.field
        if col == COL_RECEIVED:
            return fmt_day_time(r.received_at)
        if col == COL_DUE:
            return fmt_day_time(r.due_at) if r.due_at else T["no_deadline"]
        if col == COL_STATUS:
            return r.status_text
        return DUE_SHORT.get(r.due_state, r.due_state)

    @staticmethod
    def _due_long(r: DossierRow) -> str:
        try:
            return DUE_STATE_TEXT[DueState(r.due_state)]
        except ValueError:
            return r.due_state

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.UserRole:
            if col == COL_RECEIVED:
                return r.received_at
            if col == COL_DUE:
                return r.due_at
            return self._text(r, col)
        if role == CODE_ROLE:
            return r.code
        if role == Qt.ItemDataRole.BackgroundRole:
            tint = TINT.get(r.due_state)
            return QBrush(tint) if tint is not None else None
        if role == Qt.ItemDataRole.FontRole and col == COL_STATE and r.due_state in LATE_STATES:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATE and r.due_state in LATE_STATES:
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_STATE:
                return self._due_long(r)
            parts = [r.code, r.applicant_name, r.procedure_name]
            if r.phone:
                parts.append(r.phone)
            if r.address:
                parts.append(r.address)
            parts.append(T["tooltip_open"])
            return "\n".join(parts)
        return None


class DossierSortProxy(QSortFilterProxyModel):
    """Names and procedures in Vietnamese order; dates by their datetime value (no deadline last)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.collator = vietnamese_collator()
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def lessThan(self, left, right) -> bool:
        a, b = left.data(Qt.ItemDataRole.UserRole), right.data(Qt.ItemDataRole.UserRole)
        if left.column() in DATE_COLUMNS:
            if a is None or b is None:
                return a is not None and b is None
            return a < b
        if left.column() in TEXT_COLUMNS:
            return self.collator.compare(a or "", b or "") < 0
        return (a or "") < (b or "")


# --- the panel ------------------------------------------------------------------------------------------


class DossierListPanel(QWidget):
    """Search box + filters + list of dossiers + exports; every query runs in a worker.

    Signals: `open_dossier(str code)` on double-click / Enter; `results_changed()` after a page lands
    (tests wait on it or on `model`). Call `set_due_filter(kind)` from the due badge.
    """

    open_dossier = Signal(str)
    results_changed = Signal()
    pdf_ready = Signal(bytes)  # the logbook PDF just built (before the preview opens)

    def __init__(self, db, user: UserInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self._request = 0  # bumps on every new query; a reply with an older number is dropped
        self._loading = False
        self._has_more = False
        self._total: int | None = None
        self._filter = DossierFilter()
        self.last_error = ""
        self.last_saved = ""
        self.message_box: QMessageBox | None = None
        self.preview = None
        self.model = DossierTableModel(self)
        self.proxy = DossierSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self._load_options()
        self.refresh()

    # -- layout --

    def _build(self) -> None:
        self.search = QLineEdit(placeholderText=T["search_ph"], clearButtonEnabled=True)
        self.search.setMinimumHeight(30)
        f = self.search.font()
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.search.setFont(f)
        self.search.textChanged.connect(self._schedule)
        self.search.returnPressed.connect(self._search_now)

        self.status_combo = QComboBox()
        self.status_combo.addItem(T["all"], None)
        for st in Status:
            self.status_combo.addItem(STATUS_TEXT[st], st.value)
        self.field_combo = QComboBox()
        self.procedure_combo = QComboBox()
        self.procedure_combo.setMinimumContentsLength(28)
        self.procedure_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.clerk_combo = QComboBox()
        for combo in (self.field_combo, self.procedure_combo, self.clerk_combo):
            combo.addItem(T["all"], None)
        self.due_combo = QComboBox()
        for kind, label in DUE_CHOICES:
            self.due_combo.addItem(label, kind)
        self.channel_combo = QComboBox()
        self.channel_combo.addItem(T["all"], None)
        for key, label in CHANNELS.items():
            self.channel_combo.addItem(label, key)

        today = self.db.clock().astimezone(TZ).date()
        self.all_dates = QCheckBox(T["all_dates"], checked=True)
        self.date_from = QDateEdit(qdate(today.replace(day=1)), calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.date_to = QDateEdit(qdate(today), calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.all_dates.toggled.connect(self._dates_toggled)
        self._dates_toggled(True)

        for combo in (self.status_combo, self.field_combo, self.procedure_combo, self.clerk_combo,
                      self.due_combo, self.channel_combo):
            combo.currentIndexChanged.connect(self._search_now)
        self.date_from.dateChanged.connect(self._schedule)
        self.date_to.dateChanged.connect(self._schedule)

        self.clear_button = QPushButton(T["clear"])
        self.clear_button.clicked.connect(self.clear_filters)

        filters = QGridLayout()
        filters.setHorizontalSpacing(8)

        def put(row, col, label, widget, span=1):
            filters.addWidget(QLabel(label), row, col)
            filters.addWidget(widget, row, col + 1, 1, span)

        put(0, 0, T["status"], self.status_combo)
        put(0, 2, T["field"], self.field_combo)
        put(0, 4, T["procedure"], self.procedure_combo, 3)
        put(1, 0, T["due"], self.due_combo)
        put(1, 2, T["channel"], self.channel_combo)
        put(1, 4, T["clerk"], self.clerk_combo)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addSpacing(4)
        dates.addWidget(QLabel(T["date_to"]))
        dates.addSpacing(4)
        dates.addWidget(self.date_to)
        dates.addSpacing(10)
        dates.addWidget(self.all_dates)
        dates.addStretch(1)
        filters.addWidget(QLabel(T["received"]), 2, 0)
        filters.addLayout(dates, 2, 1, 1, 3)
        filters.addWidget(self.clear_button, 2, 6)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)
        filters.setColumnStretch(5, 2)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_RECEIVED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        hh = self.table.horizontalHeader()
        hh.setHighlightSections(False)
        widths = {COL_CODE: 200, COL_NAME: 170, COL_FIELD: 100, COL_RECEIVED: 118, COL_DUE: 118,
                  COL_STATUS: 130, COL_STATE: 150}
        for col, w in widths.items():
            self.table.setColumnWidth(col, w)
        hh.setSectionResizeMode(COL_PROCEDURE, QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(60)
        self.table.activated.connect(self._activated)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)

        self.count_label = QLabel()
        self.count_label.setMinimumWidth(260)
        f = self.count_label.font()
        f.setBold(True)
        self.count_label.setFont(f)
        self.more_button = QPushButton(T["more"], enabled=False)
        self.more_button.clicked.connect(self.load_more)
        self.print_button = QPushButton(T["print"])
        self.xlsx_button = QPushButton(T["xlsx"])
        self.csv_button = QPushButton(T["csv"])
        self.print_button.clicked.connect(self.print_logbook)
        self.xlsx_button.clicked.connect(lambda: self.export_logbook("xlsx"))
        self.csv_button.clicked.connect(lambda: self.export_logbook("csv"))
        for b in (self.print_button, self.xlsx_button, self.csv_button):
            b.setToolTip(T["export_hint"])

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addSpacing(8)
        bottom.addWidget(self.more_button)
        bottom.addStretch(1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.xlsx_button)
        bottom.addWidget(self.csv_button)

        top = QVBoxLayout(self)
        top.addWidget(self.search)
        top.addLayout(filters)
        top.addWidget(self.table, 1)
        top.addLayout(bottom)

    def _dates_toggled(self, all_dates: bool) -> None:
        self.date_from.setEnabled(not all_dates)
        self.date_to.setEnabled(not all_dates)
        if hasattr(self, "_debounce"):
            self._search_now()

    # -- filter options (combos) --

    def _load_options(self) -> None:
        run_in_thread(lambda: filter_options(self.db), self._options_loaded, lambda exc: None, parent=self)

    def _options_loaded(self, opts: dict) -> None:
        coll = vietnamese_collator()

        def fill(combo: QComboBox, items: list[tuple[object, str]]) -> None:
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(T["all"], None)
            for key, label in sorted(items, key=lambda kv: coll.sortKey(kv[1])):
                combo.addItem(label, key)
            i = combo.findData(keep)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

        fill(self.field_combo, [(f, f) for f in opts.get("fields", [])])
        fill(self.procedure_combo, [(code, name) for code, name in opts.get("procedures", [])])
        fill(self.clerk_combo, [(uid, name) for uid, name in opts.get("clerks", [])])
        for i in range(self.procedure_combo.count()):
            self.procedure_combo.setItemData(i, self.procedure_combo.itemText(i), Qt.ItemDataRole.ToolTipRole)

    # -- the query --

    def current_filter(self) -> DossierFilter:
        status = self.status_combo.currentData()
        dates = not self.all_dates.isChecked()
        return DossierFilter(
            text=self.search.text().strip(),
            statuses=(status,) if status else (),
            field=self.field_combo.currentData(),
            procedure_code=self.procedure_combo.currentData(),
            clerk_id=self.clerk_combo.currentData(),
            received_from=pydate(self.date_from.date()) if dates else None,
            received_to=pydate(self.date_to.date()) if dates else None,
            due=self.due_combo.currentData(),
            channel=self.channel_combo.currentData(),
        )

    def _schedule(self, *_args) -> None:
        """Search a moment after the last keystroke (typing fast runs one query, not one per key)."""
        self._debounce.start()

    def _search_now(self, *_args) -> None:
        self._debounce.stop()
        self.refresh()

    def refresh(self) -> None:
        """Run the current filter from the first page; a reply to an older request is dropped."""
        self._debounce.stop()
        self._filter = self.current_filter()
        self._run(offset=0)

    def load_more(self) -> None:
        if self._has_more and not self._loading:
            self._run(offset=len(self.model.rows))

    def _run(self, *, offset: int) -> None:
        self._request += 1
        req, flt, db = self._request, self._filter, self.db
        self._loading = True
        self.more_button.setEnabled(False)
        if offset == 0:
            self.count_label.setText(T["loading"])

        def job() -> SearchResult:
            return search_dossiers(db, flt, limit=PAGE, offset=offset)

        run_in_thread(job, lambda res: self._landed(req, offset, res), lambda exc: self._failed(req, exc),
                      parent=self)

    def _landed(self, req: int, offset: int, res: SearchResult) -> None:
        if req != self._request:
            return  # a newer query is on its way; this answer is stale
        self._loading = False
        self._has_more = res.has_more
        if offset == 0:
            self._total = res.total
            self.model.set_rows(res.rows)
            self.table.scrollToTop()
        else:
            self.model.append_rows(res.rows)
        self.more_button.setEnabled(res.has_more)
        self.count_label.setText(self.count_text())
        self.results_changed.emit()

    def _failed(self, req: int, exc: BaseException) -> None:
        if req != self._request:
            return
        self._loading = False
        self.last_error = getattr(exc, "message", None) or str(exc)
        self.count_label.setText(T["failed"].format(msg=self.last_error))
        self.results_changed.emit()

    def count_text(self) -> str:
        shown = len(self.model.rows)
        if self._total is not None:
            if self._total == 0:
                return T["none"]
            if shown < self._total:
                return T["found_shown"].format(n=thousands(self._total), shown=thousands(shown))
            return T["found"].format(n=thousands(self._total))
        if self._has_more:
            return T["found_more"].format(n=thousands(shown))
        return T["found"].format(n=thousands(shown)) if shown else T["none"]

    def _scrolled(self, value: int) -> None:
        bar = self.table.verticalScrollBar()
        if value and value >= bar.maximum() - 2:
            self.load_more()

    # -- filters from outside --

    def set_due_filter(self, kind: str | None) -> None:
        """Show only dossiers of a due state ("overdue", "today", "soon", "paused"; None = all)."""
        i = self.due_combo.findData(kind)
        if i >= 0:
            if i == self.due_combo.currentIndex():
                self.refresh()
            self.due_combo.setCurrentIndex(i)

    def set_received_range(self, date_from: date | None, date_to: date | None = None) -> None:
        widgets = (self.all_dates, self.date_from, self.date_to)
        for w in widgets:
            w.blockSignals(True)
        if date_from is None:
            self.all_dates.setChecked(True)
        else:
            self.all_dates.setChecked(False)
            self.date_from.setDate(qdate(date_from))
            self.date_to.setDate(qdate(date_to or date_from))
        for w in widgets:
            w.blockSignals(False)
        self.date_from.setEnabled(date_from is not None)
        self.date_to.setEnabled(date_from is not None)
        self.refresh()

    def clear_filters(self) -> None:
        widgets = (self.search, self.status_combo, self.field_combo, self.procedure_combo, self.clerk_combo,
                   self.due_combo, self.channel_combo, self.all_dates, self.date_from, self.date_to)
        for w in widgets:
            w.blockSignals(True)
        self.search.clear()
        for combo in widgets[1:7]:
            combo.setCurrentIndex(0)
        self.all_dates.setChecked(True)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        for w in widgets:
            w.blockSignals(False)
        self.refresh()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- opening a dossier --

    def _activated(self, index) -> None:
        code = index.data(CODE_ROLE)
        if code:
            self.open_dossier.emit(code)

    def visible_column(self, col: int) -> list[str]:
        """The texts of a column in the order shown (after sorting)."""
        return [self.proxy.index(r, col).data() for r in range(self.proxy.rowCount())]

    # -- the book as PDF / Excel / CSV --

    def export_range(self) -> tuple[date, date]:
        """The received-date filter's dates (as shown, whether or not "all dates" is ticked)."""
        a, b = pydate(self.date_from.date()), pydate(self.date_to.date())
        return (a, b) if a <= b else (b, a)

    def export_scope(self) -> str:
        """The filters in words, printed under the extract's title ("" when nothing narrows the list)."""
        items = []
        if self.search.text().strip():
            items.append(T["scope_text"].format(text=self.search.text().strip()))
        for label, combo in ((T["status"], self.status_combo), (T["field"], self.field_combo),
                             (T["procedure"], self.procedure_combo), (T["clerk"], self.clerk_combo),
                             (T["due"], self.due_combo), (T["channel"], self.channel_combo)):
            if combo.currentData() is not None:
                items.append(f"{label}: {combo.currentText()}")
        return T["scope"].format(items="; ".join(items)) if items else ""

    def _set_exporting(self, busy: bool) -> None:
        for b in (self.print_button, self.xlsx_button, self.csv_button):
            b.setEnabled(not busy)
        if busy:
            self.count_label.setText(T["exporting"])
        else:
            self.count_label.setText(self.count_text())

    def print_logbook(self) -> None:
        """An extract (TRÍCH SỔ) of every dossier the list's filters select, all dates when "Mọi ngày" is ticked."""
        flt, scope, db = self.current_filter(), self.export_scope(), self.db

        def job():
            ex = logbook_extract(db, flt)
            return logbook_pdf(db, ex.date_from, ex.date_to, lines=ex.lines, scope=scope), ex.date_from, ex.date_to

        self._set_exporting(True)
        run_in_thread(job, lambda r: self._show_pdf(*r), self._export_failed, parent=self)

    def _show_pdf(self, pdf: bytes, date_from: date, date_to: date) -> None:
        from ui.receipt_preview import ReceiptPreviewDialog

        self._set_exporting(False)
        self.pdf_ready.emit(pdf)
        name = f"trich-so-theo-doi-ho-so-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"
        period = f"{date_from:%d/%m/%Y}–{date_to:%d/%m/%Y}"
        self.preview = ReceiptPreviewDialog(pdf, title=T["pdf_title"], default_name=name, parent=self,
                                            audit=for_preview(self.db, self.user, "logbook", period, "Trích sổ"))
        self.preview.open()

    def ask_save_path(self, title: str, default_name: str, name_filter: str) -> str | None:
        return ask_save_path(self, title, default_name, name_filter)

    def export_logbook(self, kind: str) -> None:
        """The same selection as the printed extract, as Excel or CSV."""
        date_from, date_to = self.export_range()
        dated = not self.all_dates.isChecked()
        stamp = f"{date_from:%Y%m%d}-{date_to:%Y%m%d}" if dated else "moi-ngay"
        name = f"so-theo-doi-ho-so-{stamp}.{kind}"
        if kind == "xlsx":
            path = self.ask_save_path(T["save_xlsx"], name, T["xlsx_filter"])
        else:
            path = self.ask_save_path(T["save_csv"], name, T["csv_filter"])
        if not path:
            return
        flt, db = self.current_filter(), self.db

        def job() -> str:
            ex = logbook_extract(db, flt, limit=EXTRACT_FILE_LIMIT)
            if kind == "xlsx":
                info = logbook_title_info(db, ex.date_from, ex.date_to, lines=ex.lines)
                data = logbook_xlsx(ex.lines, title_info=info)
            else:
                data = logbook_csv(ex.lines)
            return write_bytes(path, data)

        self._set_exporting(True)
        run_in_thread(job, self._saved, self._export_failed, parent=self)

    def _saved(self, path: str) -> None:
        self._set_exporting(False)
        self.last_saved = path
        note(self.db, self.user, "exported", "logbook", "", f"Trích sổ ({self.count_text()}) → {path}")
        self.count_label.setText(self.count_text() + " · " + T["saved"].format(path=path))

    def _export_failed(self, exc: BaseException) -> None:
        self._set_exporting(False)
        msg = getattr(exc, "message", None) or str(exc)
        if not isinstance(exc, OSError):
            msg = T["build_failed"].format(msg=msg)
        self.last_error = msg
        self.message_box = show_error(self, T["export_failed_title"], msg)


# --- the due badge ----------------------------------------------------------------------------------------


class DueBadge(QWidget):
    """"Quá hạn: 3 · Hôm nay: 5 · Sắp đến hạn: 2 · Chờ bổ sung: 1"; each part is a button.

    `refresh()` counts in a worker (app.services.search.due_alerts); `due_clicked(kind)` tells which
    part was pressed ("overdue", "today", "soon", "paused") — connect it to DossierListPanel.set_due_filter.
    """

    due_clicked = Signal(str)
    counted = Signal(object)  # DueAlerts

    PARTS = (("overdue", "badge_overdue", "#b3261e"), ("today", "badge_today", "#9a6700"),
             ("soon", "badge_soon", "#1f5fa8"), ("paused", "badge_paused", "#555555"))

    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.alerts: DueAlerts | None = None
        self._request = 0
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.loading = QLabel(T["badge_loading"])
        lay.addWidget(self.loading)
        self.buttons: dict[str, QPushButton] = {}
        for i, (kind, _key, color) in enumerate(self.PARTS):
            if i:
                sep = QLabel("·")
                sep.setObjectName("sep")
                lay.addWidget(sep)
            b = QPushButton()
            b.setFlat(True)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setToolTip(T["badge_tip"])
            b.setStyleSheet(f"QPushButton {{ color: {color}; font-weight: bold; padding: 2px 3px; border: none; }}"
                            "QPushButton:hover { text-decoration: underline; }")
            b.clicked.connect(lambda _=False, k=kind: self.due_clicked.emit(k))
            b.hide()
            self.buttons[kind] = b
            lay.addWidget(b)
        lay.addStretch(1)
        self.seps = self.findChildren(QLabel, "sep")
        for sep in self.seps:
            sep.hide()

    def refresh(self) -> None:
        self._request += 1
        req, db = self._request, self.db
        run_in_thread(lambda: due_alerts(db), lambda a: self._counted(req, a), lambda exc: None, parent=self)

    def _counted(self, req: int, alerts: DueAlerts) -> None:
        if req != self._request:
            return
        self.alerts = alerts
        values = {"overdue": alerts.overdue, "today": alerts.due_today, "soon": alerts.due_soon,
                  "paused": alerts.paused}
        # Only the counts with something in them: the status bar is shared and full at 1366 px.
        shown = 0
        for i, (kind, key, _color) in enumerate(self.PARTS):
            b = self.buttons[kind]
            b.setText(T[key].format(n=thousands(values[kind])))
            b.setVisible(values[kind] > 0)
            if i:
                self.seps[i - 1].setVisible(values[kind] > 0 and shown > 0)
            shown += values[kind] > 0
        self.loading.setText(T["badge_none"])
        self.loading.setVisible(shown == 0)
        self.counted.emit(alerts)

    def text(self) -> str:
        parts = [self.buttons[k].text() for k, _key, _c in self.PARTS if not self.buttons[k].isHidden()]
        return " · ".join(parts) if parts else self.loading.text()

