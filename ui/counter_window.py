"""The counter's main window: the reception form, today's dossiers at this counter, and one dossier's details."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.domain.deadline import Duration
from app.services.database import Database
from app.services.dossiers import DossierSummary, DossierView, get_dossier, list_received_on
from app.services.errors import ServiceError
from app.services.forms import receipt_pdf
from app.services.reception import now_local
from app.services.settings import office_info
from app.services.users import UserInfo
from ui.reception_form import WEEKDAYS, ReceptionPanel, due_text, open_receipt_preview
from ui.workers import run_in_thread

# --- every user-visible text of this window ----------------------------------------------------------
T = {
    "title": "MotCua – Bộ phận Một cửa – {center}",
    "today_title": "Hồ sơ tiếp nhận hôm nay tại quầy này",
    "loading": "Đang tải danh sách…",
    "load_failed": "Không tải được danh sách: {msg}",
    "empty": "Chưa có hồ sơ nào hôm nay.",
    "count": "{n} hồ sơ",
    "open_hint": "Nhấp đúp hoặc Enter để xem chi tiết hồ sơ.",
    "col_code": "Mã hồ sơ",
    "col_applicant": "Người nộp",
    "col_procedure": "Thủ tục",
    "col_due": "Hẹn trả",
    "col_status": "Trạng thái",
    "no_due": "Không hẹn",
    "menu_system": "&Hệ thống",
    "logout": "Đăng xuất",
    "quit": "Thoát",
    "refresh": "Tải lại danh sách",
    "clerk": "Cán bộ: {name} ({role})",
    "device": "Máy: {device}",
    "today": "Hôm nay: {day}",
    "today_count": "Hồ sơ hôm nay: {n}",
    # detail dialog
    "detail_title": "Hồ sơ {code}",
    "detail_loading": "Đang tải hồ sơ…",
    "reprint": "In lại giấy hẹn",
    "open_full": "Xử lý hồ sơ…",
    "close": "Đóng",
    "building": "Đang tạo giấy hẹn…",
    "pdf_failed": "Không tạo được giấy hẹn: {msg}",
    "f_code": "Mã hồ sơ",
    "f_status": "Trạng thái",
    "f_procedure": "Thủ tục",
    "f_field": "Lĩnh vực",
    "f_competent": "Cơ quan chủ trì giải quyết",
    "f_applicant": "Người nộp hồ sơ",
    "f_id": "Số CCCD/định danh",
    "f_birth": "Ngày sinh",
    "f_address": "Địa chỉ",
    "f_phone": "Số điện thoại",
    "f_email": "Email",
    "f_channel": "Hình thức nộp",
    "f_return": "Nhận kết quả tại",
    "f_sets": "Số lượng hồ sơ",
    "f_received": "Thời điểm tiếp nhận",
    "f_due": "Hẹn trả kết quả",
    "f_duration": "Thời hạn giải quyết",
    "f_book": "Sổ theo dõi",
    "f_clerk": "Cán bộ tiếp nhận",
    "f_fee": "Lệ phí",
    "f_note": "Ghi chú",
    "sets": "{n} bộ",
    "book": "Quyển số {volume}, số thứ tự {number}",
    "box_applicant": "Người nộp hồ sơ",
    "box_dossier": "Hồ sơ",
    "box_papers": "Thành phần hồ sơ đã nhận",
    "col_tt": "TT",
    "col_paper": "Tên giấy tờ",
    "col_kind": "Bản chính / Bản sao",
    "col_count": "Số lượng",
    "original": "Bản chính",
    "copy": "Bản sao",
    "original_copy": "Bản chính và bản sao",
}


def short_due(dt: datetime | None) -> str:
    return f"{dt.astimezone(TZ):%H:%M %d/%m}" if dt else T["no_due"]


def long_time(dt: datetime | None) -> str:
    if dt is None:
        return ""
    dt = dt.astimezone(TZ)
    return f"{dt:%H} giờ {dt:%M}, {WEEKDAYS[dt.weekday()]} {dt:%d/%m/%Y}"


class TodayDossierModel(QAbstractTableModel):
    """Today's dossiers of this counter, newest first (as the service returns them)."""

    COLUMNS = ("col_code", "col_applicant", "col_procedure", "col_due", "col_status")
    CODE, APPLICANT, PROCEDURE, DUE, STATUS = range(5)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[DossierSummary] = []

    def set_rows(self, rows: list[DossierSummary]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return T[self.COLUMNS[section]]
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        d = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (d.code, d.applicant_name, d.procedure_name, short_due(d.due_at), d.status_text)[col]
        if role == Qt.ItemDataRole.UserRole:
            return d.code
        return None

    def code_at(self, row: int) -> str:
        return self.rows[row].code


class CounterWindow(QMainWindow):
    """Signals: `logged_out()` when the clerk chooses "Đăng xuất", `list_loaded(int)` after each list load."""

    logged_out = Signal()
    list_loaded = Signal(int)

    def __init__(self, db: Database, user: UserInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.user = user
        self.detail: DossierDetailDialog | None = None
        self.loading = False
        info = office_info(db)  # a few rows of settings: quick enough for opening the window
        settings = info.settings
        self.center_name = settings.center_name
        self.device_name = info.device_name
        self.setWindowTitle(T["title"].format(center=settings.center_name))
        self.setObjectName("counterWindow")

        self.reception = ReceptionPanel(db, user)
        self.reception.dossier_saved.connect(lambda _code: self.reload())

        self.model = TodayDossierModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TodayDossierModel.PROCEDURE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.activated.connect(lambda index: self.open_detail(self.model.code_at(index.row())))
        self.list_title = QLabel(T["today_title"])
        self.list_title.setObjectName("panelTitle")
        self.list_title.setWordWrap(True)
        self.list_hint = QLabel(T["loading"])
        self.list_hint.setObjectName("hint")
        self.list_hint.setWordWrap(True)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.list_title)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.list_hint)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.reception)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([770, 576])
        self.splitter = splitter
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addWidget(splitter)
        self.setCentralWidget(central)

        menu = self.menuBar().addMenu(T["menu_system"])
        refresh = QAction(T["refresh"], self, shortcut=QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.reload)
        logout = QAction(T["logout"], self)
        logout.triggered.connect(self.logout)
        quit_ = QAction(T["quit"], self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_.triggered.connect(self.close)
        menu.addAction(refresh)
        menu.addSeparator()
        menu.addAction(logout)
        menu.addAction(quit_)
        self.logout_action, self.quit_action = logout, quit_

        today = now_local(db)
        self.clerk_label = QLabel(T["clerk"].format(name=user.full_name, role=user.role_text))
        self.device_label = QLabel(T["device"].format(device=info.device_name))
        self.date_label = QLabel(T["today"].format(day=f"{WEEKDAYS[today.weekday()]} {today:%d/%m/%Y}"))
        self.count_label = QLabel(T["today_count"].format(n=0))
        bar = self.statusBar()
        for w in (self.clerk_label, self.device_label, self.date_label):
            bar.addWidget(w)
        bar.addPermanentWidget(self.count_label)

        self.resize(1366, 740)
        self.reload()

    def reload(self) -> None:
        self.loading = True
        db = self.db
        run_in_thread(lambda: list_received_on(db), self._loaded, self._load_failed, parent=self,
                      name="list_received_on")

    def _loaded(self, rows: list[DossierSummary]) -> None:
        self.loading = False
        self.model.set_rows(rows)
        self.count_label.setText(T["today_count"].format(n=len(rows)))
        self.list_hint.setText(T["open_hint"] if rows else T["empty"])
        self.list_loaded.emit(len(rows))

    def _load_failed(self, exc: BaseException) -> None:
        self.loading = False
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.list_hint.setText(T["load_failed"].format(msg=msg))

    def open_detail(self, code: str) -> DossierDetailDialog:
        self.detail = DossierDetailDialog(self.db, self.user, code, parent=self)
        self.detail.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.detail.finished.connect(lambda _r: self.reload())
        self.detail.open()
        return self.detail

    def logout(self) -> None:
        self.logged_out.emit()
        self.close()


class DossierDetailDialog(QDialog):
    """One dossier, read-only: everything it holds, its papers and appointment; reprint of its receipt."""

    loaded = Signal(object)
    receipt_ready = Signal(str, bytes)

    def __init__(self, db: Database, user: UserInfo, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user, self.code = db, user, code
        self.view: DossierView | None = None
        self.preview = None
        self.full_window = None
        self.setWindowTitle(T["detail_title"].format(code=code))
        self.values: dict[str, QLabel] = {}

        self.status_line = QLabel(T["detail_loading"])
        self.status_line.setObjectName("hint")
        self.status_line.setWordWrap(True)
        self.due_label = QLabel("")
        self.due_label.setObjectName("dueLabel")
        self.due_label.setWordWrap(True)

        dossier_box = QGroupBox(T["box_dossier"])
        dossier_form = QFormLayout(dossier_box)
        for key in ("f_code", "f_status", "f_procedure", "f_field", "f_competent", "f_received", "f_due",
                    "f_duration", "f_channel", "f_return", "f_sets", "f_book", "f_clerk", "f_fee", "f_note"):
            dossier_form.addRow(*self._value_row(key))
        applicant_box = QGroupBox(T["box_applicant"])
        applicant_form = QFormLayout(applicant_box)
        for key in ("f_applicant", "f_id", "f_birth", "f_address", "f_phone", "f_email"):
            applicant_form.addRow(*self._value_row(key))
        for form in (dossier_form, applicant_form):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.papers = QTableWidget(0, 4)
        self.papers.setHorizontalHeaderLabels([T["col_tt"], T["col_paper"], T["col_kind"], T["col_count"]])
        self.papers.verticalHeader().hide()
        self.papers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.papers.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.papers.setWordWrap(True)
        h = self.papers.horizontalHeader()
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in (0, 2, 3):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        papers_box = QGroupBox(T["box_papers"])
        QVBoxLayout(papers_box).addWidget(self.papers)

        self.reprint_button = QPushButton(T["reprint"])
        self.reprint_button.setObjectName("primary")
        self.reprint_button.setEnabled(False)
        self.reprint_button.clicked.connect(self.reprint)
        self.open_button = QPushButton(T["open_full"])
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_full)
        self.close_button = QPushButton(T["close"])
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_line, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.close_button)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(applicant_box)
        left.addWidget(papers_box, 1)
        columns.addLayout(left, 1)
        columns.addWidget(dossier_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.due_label)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)
        self.resize(1120, 640)
        db_ = db
        run_in_thread(lambda: get_dossier(db_, code), self._loaded, self._failed, parent=self, name="get_dossier")

    def _value_row(self, key: str) -> tuple[str, QLabel]:
        label = QLabel("")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values[key] = label
        return T[key], label

    def _loaded(self, d: DossierView) -> None:
        self.view = d
        duration = Duration.from_json(d.duration).describe() if d.duration else ""
        values = {
            "f_code": d.code, "f_status": d.status_text, "f_procedure": f"{d.procedure_code} – {d.procedure_name}",
            "f_field": d.field, "f_competent": d.competent_unit, "f_received": long_time(d.received_at),
            "f_due": due_text(d.due_at), "f_duration": duration, "f_channel": d.channel_text,
            "f_return": d.return_method_text, "f_sets": T["sets"].format(n=d.sets_count),
            "f_book": T["book"].format(volume=d.volume, number=d.number), "f_clerk": d.clerk_name,
            "f_fee": d.fee_text, "f_note": d.note, "f_applicant": d.applicant_name, "f_id": d.id_number,
            "f_birth": f"{d.birth_date:%d/%m/%Y}" if d.birth_date else "", "f_address": d.address,
            "f_phone": d.phone, "f_email": d.email,
        }
        for key, value in values.items():
            self.values[key].setText(value)
        self.due_label.setText(f"{d.code} · {T['f_due']}: {due_text(d.due_at)}")
        self.papers.setRowCount(len(d.papers))
        for row, p in enumerate(d.papers):
            kind = (T["original_copy"] if p.get("original") and p.get("copy")
                    else T["original"] if p.get("original") else T["copy"])
            for col, text in enumerate((str(row + 1), p.get("name", ""), kind, str(p.get("count", 1)))):
                item = QTableWidgetItem(text)
                if col != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.papers.setItem(row, col, item)
        self.papers.resizeRowsToContents()
        self.status_line.setText("")
        self.reprint_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.reprint_button.setFocus()
        self.loaded.emit(d)

    def _failed(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.status_line.setText(msg)

    def reprint(self) -> None:
        self.reprint_button.setEnabled(False)
        self.status_line.setText(T["building"])
        db, code = self.db, self.code
        run_in_thread(lambda: receipt_pdf(db, code), self._pdf_built, self._pdf_failed, parent=self,
                      name="receipt_pdf")

    def _pdf_built(self, pdf: bytes) -> None:
        self.reprint_button.setEnabled(True)
        self.status_line.setText("")
        self.preview = open_receipt_preview(self, self.code, pdf)
        self.receipt_ready.emit(self.code, pdf)

    def _pdf_failed(self, exc: BaseException) -> None:
        self.reprint_button.setEnabled(True)
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.status_line.setText(T["pdf_failed"].format(msg=msg))

    def open_full(self) -> None:
        """The dossier window with its timeline and next steps (transfer, result, return…)."""
        from ui.dossier_window import DossierWindow

        self.full_window = DossierWindow(self.db, self.user, self.code, parent=self.parentWidget())
        self.full_window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.full_window.show()
        self.accept()
