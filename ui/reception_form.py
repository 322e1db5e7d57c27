"""The reception form: a clerk takes a dossier from the keyboard (scan the CCCD, pick the procedure, tick the
papers), sees the appointment live, saves with Ctrl+S and gets the receipt's print preview."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, QStringListModel, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.applicant import CardQRError, parse_card_qr
from app.domain.calendar import TZ
from app.domain.dossier import CHANNELS, RETURN_METHODS
from app.domain.scan import ScanKind, classify_scan
from app.services.catalogue import ProcedureInfo, search_procedures
from app.services.database import Database
from app.services.errors import ServiceError, ValidationFailed
from app.services.forms import receipt_pdf
from app.services.reception import (
    DuePreview,
    PaperInput,
    Received,
    ReceptionForm,
    now_local,
    preview_due,
    receive_dossier,
    validate,
)
from app.services.users import UserInfo
from ui.app import install_wheel_guard
from ui.audit_hooks import for_preview
from ui.intake_dialogs import GuidanceSlipDialog, RefusalDialog
from ui.receipt_preview import ReceiptPreviewDialog
from ui.workers import run_in_thread

# --- every user-visible text of this screen ----------------------------------------------------------
T = {
    "title": "Tiếp nhận hồ sơ",
    "scan": "Quét CCCD",
    "scan_ph": "Đưa mã QR trên thẻ CCCD vào máy quét (hoặc dán dữ liệu QR vào đây)",
    "scan_filled": "Đã điền thông tin từ CCCD số {id}. Quét thẻ khác để điền lại.",
    "procedure_box": "Thủ tục hành chính",
    "procedure": "Thủ tục *",
    "procedure_ph": "Gõ tên không dấu hoặc mã, ví dụ: khai sinh, 2.000815",
    "procedure_item": "{code} – {name} ({field}, {duration})",
    "procedure_info": "Lĩnh vực: {field} · Thời hạn: {duration}{fee}",
    "fee": " · Lệ phí: {fee}",
    "applicant_box": "Người nộp hồ sơ",
    "name": "Họ và tên *",
    "id_number": "Số CCCD/định danh",
    "birth_date": "Ngày sinh",
    "birth_ph": "dd/mm/yyyy",
    "address": "Địa chỉ",
    "phone": "Số điện thoại *",
    "email": "Email",
    "papers_box": "Thành phần hồ sơ",
    "col_received": "Nhận",
    "col_name": "Tên giấy tờ",
    "col_kind": "Bản chính / Bản sao",
    "col_count": "Số lượng",
    "original": "Bản chính",
    "copy": "Bản sao",
    "add_paper": "Thêm giấy tờ khác",
    "new_paper": "Giấy tờ khác (gõ tên)",
    "papers_empty": "Chọn thủ tục để hiện danh sách giấy tờ.",
    "reception_box": "Tiếp nhận",
    "sets_count": "Số lượng hồ sơ (bộ)",
    "channel": "Hình thức nộp",
    "return_method": "Nhận kết quả tại",
    "received_at": "Thời điểm tiếp nhận",
    "now": "Bây giờ",
    "now_hint": "đang theo giờ hiện tại",
    "backdated_hint": "⚠ Nhập bù: giấy hẹn ghi giờ này",
    "note": "Ghi chú",
    "due_prefix": "Hẹn trả kết quả: ",
    "due_none": "Không có ngày hẹn trả cụ thể theo quy định",
    "due_pick": "Chọn thủ tục để xem ngày hẹn trả kết quả",
    "due_failed": "Chưa tính được ngày hẹn trả: {msg}",
    "due_duration": "Thời hạn giải quyết theo quy định: {text}",
    "save": "Lưu và in giấy hẹn (Ctrl+S)",
    "saving": "Đang lưu hồ sơ…",
    "clear": "Nhập lại (Esc)",
    "guidance": "Thiếu giấy tờ…",
    "guidance_tip": "Hồ sơ chưa đủ: in Phiếu hướng dẫn bổ sung (Mẫu 02) liệt kê mọi giấy tờ còn thiếu; "
                    "không cấp mã hồ sơ.",
    "refuse": "Từ chối…",
    "refuse_tip": "Hồ sơ không thuộc thẩm quyền hoặc không đủ điều kiện: in Phiếu từ chối (Mẫu 03).",
    "clear_title": "Nhập lại",
    "clear_question": "Xóa toàn bộ thông tin đang nhập để tiếp nhận hồ sơ khác?",
    "clear_yes": "Xóa và nhập lại",
    "clear_no": "Không xóa",
    "fix_fields": "Hồ sơ chưa lưu: hãy sửa {n} mục được đánh dấu đỏ.",
    "saved": "Đã lưu hồ sơ {code} (Quyển số {volume}, số thứ tự {number}). Đang tạo giấy hẹn…",
    "receipt_ready": "Đã lưu hồ sơ {code}. Giấy hẹn đã sẵn sàng để in.",
    "receipt_failed": "Đã lưu hồ sơ {code} nhưng chưa tạo được giấy hẹn: {msg}. In lại từ danh sách bên phải.",
    "save_failed": "Chưa lưu được hồ sơ: {msg}",
    "receipt_title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả – {code}",
    "bad_birth": "Ngày sinh phải có dạng ngày/tháng/năm, ví dụ 15/08/1990.",
    "required_mark": "* bắt buộc",
}

SCAN_QUIET_MS = 250  # a keyboard-mode scanner types a whole QR in well under this between keys

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

# Field keys of ReceptionForm / ValidationFailed.errors, in the order the clerk meets them on screen.
FIELD_ORDER = ("procedure_code", "applicant_name", "id_number", "birth_date", "address", "phone", "email",
               "papers", "sets_count", "channel", "return_method", "received_at", "note")


def due_text(due: datetime | None) -> str:
    """'17 giờ 00, thứ Hai 23/11/2026' in local time; the no-deadline sentence when there is none."""
    if due is None:
        return T["due_none"]
    due = due.astimezone(TZ)
    return f"{due:%H} giờ {due:%M}, {WEEKDAYS[due.weekday()]} {due:%d/%m/%Y}"


def procedure_item(p: ProcedureInfo) -> str:
    return T["procedure_item"].format(code=p.code, name=p.name, field=p.field, duration=p.duration.describe())


def parse_birth(text: str) -> date | None:
    """'15/08/1990', '15-8-1990' or '15081990' -> date; '' -> None; anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    parts = re.split(r"[/.\-\s]+", text)
    if len(parts) == 1 and len(parts[0]) == 8 and parts[0].isdigit():
        parts = [parts[0][:2], parts[0][2:4], parts[0][4:]]
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        raise ValueError(text)
    return date(int(parts[2]), int(parts[1]), int(parts[0]))


def set_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class Field(QWidget):
    """An editor with its red message right under it (hidden while there is nothing to say)."""

    def __init__(self, editor: QWidget, extra: QWidget | None = None):
        super().__init__()
        self.editor = editor
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        if extra is not None:
            row.addWidget(extra)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        set_invalid(self.editor, bool(message))


class EnterMovesOn(QObject):
    """Enter in a plain editor moves to the next field, as Tab does (clerks type numbers, then Enter)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and isinstance(obj, QWidget)):
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            QApplication.sendEvent(obj, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Tab,
                                                  Qt.KeyboardModifier.NoModifier))
            return True
        return False


class PapersTable(QTableWidget):
    """The procedure's papers: received tick, name, original/copy, count; every cell reachable with Tab."""

    RECEIVED, NAME, KIND, COUNT = range(4)

    def __init__(self):
        super().__init__(0, 4)
        self.setHorizontalHeaderLabels([T["col_received"], T["col_name"], T["col_kind"], T["col_count"]])
        header = self.horizontalHeader()
        header.setSectionResizeMode(self.RECEIVED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COUNT, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(32)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # focus goes to the tick, choice and count of each row
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.rows: list[tuple[QCheckBox, QComboBox, QSpinBox]] = []
        self.enter_filter: QObject | None = None

    def set_papers(self, papers) -> None:
        self.setRowCount(0)
        self.rows.clear()
        for p in papers:
            self.add_row(p.name, received=p.required, original=p.original or not p.copy, count=p.count)
        self.resizeRowsToContents()

    def add_row(self, name: str, *, received: bool = True, original: bool = True, count: int = 1,
                editable: bool = False) -> int:
        row = self.rowCount()
        self.insertRow(row)
        tick = QCheckBox()
        tick.setChecked(received)
        holder = QWidget()
        box = QHBoxLayout(holder)
        box.setContentsMargins(8, 0, 8, 0)
        box.addWidget(tick, 0, Qt.AlignmentFlag.AlignCenter)
        self.setCellWidget(row, self.RECEIVED, holder)
        item = QTableWidgetItem(name)
        flags = Qt.ItemFlag.ItemIsEnabled | (Qt.ItemFlag.ItemIsEditable if editable else Qt.ItemFlag.NoItemFlags)
        item.setFlags(flags)
        self.setItem(row, self.NAME, item)
        kind = QComboBox()
        kind.addItems([T["original"], T["copy"]])
        kind.setCurrentIndex(0 if original else 1)
        self.setCellWidget(row, self.KIND, kind)
        spin = QSpinBox()
        spin.setRange(1, 99)
        spin.setValue(max(1, count))
        self.setCellWidget(row, self.COUNT, spin)
        if self.enter_filter is not None:
            for w in (tick, kind, spin):
                w.installEventFilter(self.enter_filter)
        self.rows.append((tick, kind, spin))
        return row

    def papers(self) -> list[PaperInput]:
        out = []
        for row, (tick, kind, spin) in enumerate(self.rows):
            name = (self.item(row, self.NAME).text() or "").strip()
            if tick.isChecked() and name and name != T["new_paper"]:
                original = kind.currentIndex() == 0
                out.append(PaperInput(name, original=original, copy=not original, count=spin.value()))
        return out

    def focus_widgets(self) -> list[QWidget]:
        return [w for trio in self.rows for w in trio]


class ReceptionPanel(QWidget):
    """Signals: `dossier_saved(code)` once the dossier is in the book (the form is then cleared),
    `receipt_ready(code, pdf)` when its receipt is built and shown in the preview,
    `due_updated(text)` whenever the live appointment changes."""

    dossier_saved = Signal(str)
    receipt_scanned = Signal(str)  # a receipt's code scanned into the CCCD field: open that dossier
    receipt_ready = Signal(str, bytes)
    due_updated = Signal(str)
    save_failed = Signal(object)

    def __init__(self, db: Database, clerk: UserInfo, parent: QWidget | None = None):
        super().__init__(parent)
        install_wheel_guard()  # a wheel over the time or a drop-down scrolls the form, never changes them
        self.db = db
        self.clerk = clerk
        self.procedure: ProcedureInfo | None = None
        self.found: dict[str, ProcedureInfo] = {}
        self.search_seq = 0
        self.due_seq = 0
        self.received_now = True
        self.saving = False
        self.preview: ReceiptPreviewDialog | None = None
        self.message_box: QMessageBox | None = None
        self.last_received: Received | None = None
        # One idempotency key per form fill, kept across retries: a save whose answer was lost and is tried
        # again returns the dossier already saved instead of making a second one. New after each save/clear.
        self.request_id = uuid.uuid4()
        self.due: DuePreview | None = None
        self._setting_time = False
        self.enter_filter = EnterMovesOn(self)
        self._build()
        self.refresh_time()
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(60_000)
        self.clock_timer.timeout.connect(self.tick)
        self.clock_timer.start()

    # --- building -------------------------------------------------------------------------------------
    def _line(self, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.installEventFilter(self.enter_filter)
        return edit

    def _build(self) -> None:
        # Scan
        self.scan = QLineEdit()
        self.scan.setObjectName("scanField")
        self.scan.setPlaceholderText(T["scan_ph"])
        self.scan.textChanged.connect(self._scan_changed)
        self.scan.returnPressed.connect(self._scan_enter)
        self.scan_timer = QTimer(self)
        self.scan_timer.setSingleShot(True)
        self.scan_timer.setInterval(SCAN_QUIET_MS)
        self.scan_timer.timeout.connect(self._scan_settled)
        self.scan_field = Field(self.scan)
        self.scan_note = QLabel("")
        self.scan_note.setObjectName("hint")
        self.scan_note.hide()

        # Procedure
        self.procedure_edit = QLineEdit()
        self.procedure_edit.setPlaceholderText(T["procedure_ph"])
        self.procedure_model = QStringListModel(self)
        self.completer = QCompleter(self.procedure_model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(10)
        self.completer.setWidget(self.procedure_edit)
        self.completer.activated[str].connect(self.choose_procedure_text)
        self.procedure_edit.textEdited.connect(self._procedure_typed)
        self.procedure_edit.returnPressed.connect(self._procedure_enter)
        self.procedure_field = Field(self.procedure_edit)
        self.procedure_info = QLabel("")
        self.procedure_info.setObjectName("hint")
        self.procedure_info.setWordWrap(True)
        self.due_label = QLabel(T["due_pick"])
        self.due_label.setObjectName("dueLabel")
        self.due_label.setWordWrap(True)
        self.due_detail = QLabel("")
        self.due_detail.setObjectName("hint")
        self.due_detail.setWordWrap(True)

        # Applicant
        self.name = self._line()
        self.id_number = self._line()
        self.id_number.setMaxLength(12)
        self.birth_date = self._line(T["birth_ph"])
        self.birth_date.setMaxLength(10)
        self.address = self._line()
        self.phone = self._line()
        self.phone.setMaxLength(16)
        self.email = self._line()

        # Papers
        self.papers = PapersTable()
        self.papers.enter_filter = self.enter_filter
        self.papers.setMinimumHeight(96)
        self.add_paper_button = QPushButton(T["add_paper"])
        self.add_paper_button.setAutoDefault(False)
        self.add_paper_button.clicked.connect(self.add_other_paper)
        self.papers_field = Field(self.papers)

        # Reception
        self.sets_count = QSpinBox()
        self.sets_count.setRange(1, 99)
        self.sets_count.installEventFilter(self.enter_filter)
        self.channel = QComboBox()
        for key, text in CHANNELS.items():
            self.channel.addItem(text, key)
        self.channel.installEventFilter(self.enter_filter)
        self.return_method = QComboBox()
        for key, text in RETURN_METHODS.items():
            self.return_method.addItem(text, key)
        self.return_method.installEventFilter(self.enter_filter)
        for combo in (self.channel, self.return_method):
            # Long Vietnamese names must not widen the whole form: the list pops up at full width anyway.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.received_at = QDateTimeEdit()
        self.received_at.setDisplayFormat("HH:mm  dd/MM/yyyy")
        self.received_at.setCalendarPopup(True)
        self.received_at.installEventFilter(self.enter_filter)
        self.received_at.dateTimeChanged.connect(self._time_edited)
        self.now_button = QPushButton(T["now"])
        self.now_button.setAutoDefault(False)
        self.now_button.clicked.connect(self.back_to_now)
        self.time_hint = QLabel(T["now_hint"])
        self.time_hint.setObjectName("hint")
        self.note = self._line()

        self.form_error = QLabel("")
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(T["save"])
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton(T["clear"])
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.ask_clear)

        self.fields: dict[str, Field] = {
            "procedure_code": self.procedure_field,
            "applicant_name": Field(self.name),
            "id_number": Field(self.id_number),
            "birth_date": Field(self.birth_date),
            "address": Field(self.address),
            "phone": Field(self.phone),
            "email": Field(self.email),
            "papers": self.papers_field,
            "sets_count": Field(self.sets_count),
            "channel": Field(self.channel),
            "return_method": Field(self.return_method),
            "received_at": Field(self.received_at, self._time_extra()),
            "note": Field(self.note),
        }

        # Layout: one column that fits a 1366×768 screen beside today's list without scrolling
        top = QHBoxLayout()
        top.addWidget(self._label(T["scan"], self.scan), 0, Qt.AlignmentFlag.AlignTop)
        scan_col = QVBoxLayout()
        scan_col.setSpacing(2)
        scan_col.addWidget(self.scan_field)
        top.addLayout(scan_col, 1)

        proc_box = QGroupBox(T["procedure_box"])
        proc_layout = QGridLayout(proc_box)
        proc_layout.setVerticalSpacing(4)
        proc_layout.addWidget(self._label(T["procedure"], self.procedure_edit), 0, 0, Qt.AlignmentFlag.AlignTop)
        proc_layout.addWidget(self.procedure_field, 0, 1, Qt.AlignmentFlag.AlignTop)
        proc_layout.setColumnStretch(1, 1)

        app_box = QGroupBox(T["applicant_box"])
        grid = QGridLayout(app_box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        pairs = [  # row, column, label, field, columns spanned (an address is long: the whole width)
            (0, 0, "name", "applicant_name", 1), (0, 2, "id_number", "id_number", 1),
            (1, 0, "birth_date", "birth_date", 1), (1, 2, "phone", "phone", 1),
            (2, 0, "address", "address", 3),
            (3, 0, "email", "email", 1),
        ]
        for row, col, text_key, field_key, span in pairs:
            f = self.fields[field_key]
            grid.addWidget(self._label(T[text_key], f.editor), row, col, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(f, row, col + 1, 1, span, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)

        papers_box = QGroupBox(T["papers_box"])
        papers_layout = QVBoxLayout(papers_box)
        papers_layout.setSpacing(4)
        papers_layout.addWidget(self.papers_field, 1)

        # The reception details sit beside the form (the window puts them above today's list), one per
        # row so that long names ("Qua dịch vụ bưu chính công ích") are never cut; the form itself then
        # needs no scrolling on a 1366×768 screen and the papers table shows its rows.
        rec_box = QGroupBox(T["reception_box"])
        rec_box.setObjectName("receptionBox")
        rgrid = QGridLayout(rec_box)
        rgrid.setHorizontalSpacing(10)
        rgrid.setVerticalSpacing(4)
        for r, key in enumerate(("sets_count", "channel", "return_method", "received_at", "note")):
            f = self.fields[key]
            rgrid.addWidget(self._label(T[key], f.editor), r, 0, Qt.AlignmentFlag.AlignTop)
            rgrid.addWidget(f, r, 1, Qt.AlignmentFlag.AlignTop)
        rgrid.setColumnStretch(1, 1)
        # The live appointment heads the side: the first thing to read to the citizen.
        side = QWidget()
        side.setObjectName("receptionSide")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(6)
        side_layout.addWidget(self.due_label)
        side_layout.addWidget(self.procedure_info)  # field, duration and fee of the chosen procedure, whole
        side_layout.addWidget(rec_box)
        self.side_box = side

        content = QWidget()
        content.setObjectName("receptionContent")
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 6, 0)
        body.setSpacing(4)
        body.addLayout(top)
        body.addWidget(proc_box)
        body.addWidget(app_box)
        body.addWidget(papers_box, 1)
        self.content = content
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.scroll = scroll

        self.guidance_button = QPushButton(T["guidance"])
        self.guidance_button.setToolTip(T["guidance_tip"])
        self.guidance_button.setAutoDefault(False)
        self.guidance_button.clicked.connect(lambda: self.open_intake_slip(GuidanceSlipDialog))
        self.refuse_button = QPushButton(T["refuse"])
        self.refuse_button.setToolTip(T["refuse_tip"])
        self.refuse_button.setAutoDefault(False)
        self.refuse_button.clicked.connect(lambda: self.open_intake_slip(RefusalDialog))
        self.intake_dialog = None

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_paper_button)
        buttons.addStretch(1)
        buttons.addWidget(self.guidance_button)
        buttons.addWidget(self.refuse_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.form_error)
        outer.addWidget(self.status)  # its own line, so the buttons keep the panel narrow
        outer.addLayout(buttons)

        for owner in (self, self.side_box):  # the side box may live elsewhere in the window
            save = QShortcut(QKeySequence.StandardKey.Save, owner,
                             context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            save.activated.connect(self.save)
            esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), owner,
                            context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            esc.activated.connect(self.ask_clear)
        self._chain_tabs()
        self.scan.setFocus()

    def _time_extra(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.now_button)
        row.addWidget(self.time_hint)
        return box

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        label.setMinimumHeight(28)
        return label

    def chain_tabs(self) -> None:
        """Tab order through the form, the papers and the reception details (wherever the window put them)."""
        self._chain_tabs()

    def _chain_tabs(self) -> None:
        order = [self.scan, self.procedure_edit, self.name, self.id_number, self.birth_date, self.phone,
                 self.address, self.email, *self.papers.focus_widgets(), self.add_paper_button, self.sets_count,
                 self.channel, self.return_method, self.received_at, self.now_button, self.note,
                 self.clear_button, self.save_button]
        for a, b in zip(order, order[1:], strict=False):
            if a.window() is b.window():  # the side box joins the panel's window only once placed
                QWidget.setTabOrder(a, b)

    # --- CCCD scan ------------------------------------------------------------------------------------
    def _scan_changed(self, text: str) -> None:
        if self.scan_timer.isActive():
            self.scan_timer.start()  # still typing: wait for the scanner to go quiet again
        # A scanner types the whole QR: take it as soon as the last field (issue date, 8 digits) is complete.
        parts = text.replace("\r", "").replace("\n", "").split("|")
        if len(parts) >= 7 and re.fullmatch(r"\s*\d{8}\s*", parts[6] or ""):
            self.fill_from_card(text, quiet=True)

    def _scan_enter(self) -> None:
        # An Enter may come in the middle of a scan (some scanners send one per line of the QR): a QR
        # without the issue date is legitimate, so take it only once the scanner has gone quiet.
        if classify_scan(self.scan.text()).kind == ScanKind.DOSSIER:
            self._scan_settled()  # a receipt: nothing more is coming
        elif self.scan.text().strip():
            self.scan_timer.start()

    def _scan_settled(self) -> None:
        """The scanner went quiet: a card fills the form; a returning citizen's receipt (barcode or QR)
        opens the dossier instead of being read as a bad card."""
        self.scan_timer.stop()
        text = self.scan.text()
        if not text.strip():
            return
        scan = classify_scan(text)
        if scan.kind == ScanKind.DOSSIER:
            self.scan.blockSignals(True)
            self.scan.clear()
            self.scan.blockSignals(False)
            self.scan_field.set_error(None)
            self.receipt_scanned.emit(scan.code)
            return
        self.fill_from_card(text)

    def fill_from_card(self, text: str, *, quiet: bool = False) -> bool:
        """Fill name, ID, birth date and address from the card's QR text; False (message shown) if unreadable."""
        try:
            card = parse_card_qr(text)
        except CardQRError as exc:
            if not quiet:
                self.scan_field.set_error(str(exc))
            return False
        self.name.setText(card.name)
        self.id_number.setText(card.id_number)
        self.birth_date.setText(card.birth_date.strftime("%d/%m/%Y") if card.birth_date else "")
        self.address.setText(card.address)
        for edit in (self.name, self.address):
            edit.setCursorPosition(0)
        for key in ("applicant_name", "id_number", "birth_date", "address"):
            self.fields[key].set_error(None)
        self.scan_field.set_error(None)
        self.scan.blockSignals(True)
        self.scan.clear()
        self.scan.blockSignals(False)
        self.scan.setPlaceholderText(T["scan_filled"].format(id=card.id_number))
        # The card has no phone number: that is what the clerk types next (or the procedure if none yet).
        (self.phone if self.procedure else self.procedure_edit).setFocus()
        return True

    # --- procedure ------------------------------------------------------------------------------------
    def _procedure_typed(self, text: str) -> None:
        if self.procedure is not None and text != self.procedure.label:
            self._set_procedure(None)
        self.search_seq += 1
        seq, db = self.search_seq, self.db
        if not text.strip():
            self.procedure_model.setStringList([])
            self.completer.popup().hide()
            return
        run_in_thread(lambda: search_procedures(db, text, limit=30), lambda found: self._found(seq, found),
                      lambda exc: None, parent=self, name="search_procedures")

    def _found(self, seq: int, found: list[ProcedureInfo]) -> None:
        if seq != self.search_seq:
            return  # the clerk typed on; a newer search is on its way
        self.found = {procedure_item(p): p for p in found}
        self.procedure_model.setStringList(list(self.found))
        if found and self.procedure_edit.hasFocus():
            self.completer.complete()
        elif not found:
            self.completer.popup().hide()

    def _procedure_enter(self) -> None:
        if self.procedure is not None:
            self.name.setFocus()
            return
        if self.found:
            # Enter without moving in the list takes the best match.
            self.choose_procedure_text(next(iter(self.found)))

    def choose_procedure_text(self, text: str) -> None:
        p = self.found.get(text)
        if p is not None:
            self.choose_procedure(p)

    def choose_procedure(self, p: ProcedureInfo) -> None:
        self.completer.popup().hide()
        self.procedure_edit.setText(p.label)
        self.procedure_edit.setCursorPosition(0)
        self.procedure_edit.setToolTip(procedure_item(p))
        self._set_procedure(p)
        self.procedure_field.set_error(None)
        self.name.setFocus() if not self.name.text() else self.phone.setFocus()

    def _set_procedure(self, p: ProcedureInfo | None) -> None:
        self.procedure = p
        if p is None:
            self.procedure_info.setText("")
            self.papers.set_papers([])
            self._chain_tabs()
            self.refresh_due()
            return
        fee = T["fee"].format(fee=p.fee_text) if p.fee_text else ""
        info = T["procedure_info"].format(field=p.field, duration=p.duration.describe(), fee=fee)
        # The whole text, wrapped: a fee rule is read in full ("Theo mức lệ phí do Hội đồng nhân dân tỉnh …").
        self.procedure_info.setText(info)
        self.procedure_info.setToolTip(info)
        self.papers.set_papers(p.papers)
        self.papers_field.set_error(None)
        self._chain_tabs()
        self.refresh_due()

    def add_other_paper(self) -> None:
        row = self.papers.add_row(T["new_paper"], editable=True)
        self._chain_tabs()
        self.papers.editItem(self.papers.item(row, PapersTable.NAME))

    # --- reception time and live due ------------------------------------------------------------------
    def now(self) -> datetime:
        return now_local(self.db)

    def refresh_time(self) -> None:
        if self.received_now:
            now = self.now()
            self._setting_time = True
            self.received_at.setDateTime(QDateTime(QDate(now.year, now.month, now.day),
                                                   QTime(now.hour, now.minute)))
            self._setting_time = False

    def _time_edited(self, _value: QDateTime) -> None:
        if self._setting_time:
            return
        self.received_now = False
        self._mark_backdated(True)
        self.refresh_due()

    def _mark_backdated(self, backdated: bool) -> None:
        """A hand-set reception time is printed on the receipt: say so loudly beside the field."""
        self.time_hint.setText(T["backdated_hint"] if backdated else T["now_hint"])
        self.time_hint.setObjectName("backdatedHint" if backdated else "hint")
        self.received_at.setProperty("backdated", backdated)
        for w in (self.time_hint, self.received_at):
            w.style().unpolish(w)
            w.style().polish(w)

    def back_to_now(self) -> None:
        self.received_now = True
        self._mark_backdated(False)
        self.refresh_time()
        self.refresh_due()

    def tick(self) -> None:
        """Every minute: the 'now' reception time moves on, and so may the appointment (15:00 cut-off)."""
        if self.received_now:
            self.refresh_time()
            self.refresh_due()

    def received_at_value(self) -> datetime | None:
        """None while the time follows the clock (the service stamps the moment of saving)."""
        if self.received_now:
            return None
        q = self.received_at.dateTime()
        d, t = q.date(), q.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=TZ)

    def reference_changed(self) -> None:
        """The catalogue or the calendar changed (an administrator, another device): the due time again."""
        self.refresh_due()

    def refresh_due(self) -> None:
        self.due_seq += 1
        seq = self.due_seq
        if self.procedure is None:
            self._show_due(seq, None)
            return
        db, code, at = self.db, self.procedure.code, self.received_at_value()
        run_in_thread(lambda: preview_due(db, code, at), lambda due: self._show_due(seq, due),
                      lambda exc: self._due_failed(seq, exc), parent=self, name="preview_due")

    def _show_due(self, seq: int, due: DuePreview | None) -> None:
        if seq != self.due_seq:
            return
        self.due = due
        if due is None:
            text, detail, none = T["due_pick"], "", True
        else:
            text = T["due_prefix"] + due_text(due.due_at) if due.due_at else T["due_none"]
            short = self.procedure.duration.describe() if self.procedure else due.duration_text
            detail, none = T["due_duration"].format(text=short), due.due_at is None
            self.due_detail.setToolTip(due.duration_text)
        self.due_label.setText(text)
        self.due_label.setProperty("none", none)
        self.due_label.style().unpolish(self.due_label)
        self.due_label.style().polish(self.due_label)
        self.due_detail.setText(detail)
        self.due_label.setToolTip(detail)
        self.due_updated.emit(text)

    def _due_failed(self, seq: int, exc: BaseException) -> None:
        if seq == self.due_seq:
            msg = exc.message if isinstance(exc, ServiceError) else str(exc)
            self.due_label.setText(T["due_failed"].format(msg=msg))

    # --- the form -------------------------------------------------------------------------------------
    def form(self) -> tuple[ReceptionForm, dict[str, str]]:
        """What the clerk typed, as the service takes it, and the errors only the screen can see."""
        local_errors: dict[str, str] = {}
        try:
            birth = parse_birth(self.birth_date.text())
        except ValueError:
            birth = None
            local_errors["birth_date"] = T["bad_birth"]
        form = ReceptionForm(
            procedure_code=self.procedure.code if self.procedure else "",
            applicant_name=self.name.text(),
            phone=self.phone.text(),
            id_number=self.id_number.text(),
            birth_date=birth,
            address=self.address.text(),
            email=self.email.text(),
            papers=self.papers.papers() if self.procedure else None,
            sets_count=self.sets_count.value(),
            channel=self.channel.currentData(),
            return_method=self.return_method.currentData(),
            note=self.note.text(),
            received_at=self.received_at_value(),
        )
        return form, local_errors

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field; the first bad field (in screen order) gets the focus."""
        for key, f in self.fields.items():
            f.set_error(errors.get(key))
        unknown = [m for k, m in errors.items() if k not in self.fields]
        if errors:
            text = T["fix_fields"].format(n=len(errors))
            if unknown:
                text += " " + " ".join(unknown)
            self.form_error.setText(text)
            self.form_error.show()
            first = next((k for k in FIELD_ORDER if k in errors), None)
            if first == "papers":
                widgets = self.papers.focus_widgets()
                (widgets[0] if widgets else self.add_paper_button).setFocus()
            elif first in self.fields:
                self.fields[first].editor.setFocus()
                self.scroll.ensureWidgetVisible(self.fields[first])
        else:
            self.form_error.hide()

    def errors_shown(self) -> dict[str, str]:
        return {k: f.error.text() for k, f in self.fields.items() if f.error.isVisible() or f.error.text()}

    def save(self) -> None:
        if self.saving:
            return
        form, errors = self.form()
        errors = {**validate(form, now=self.now()), **errors}
        if errors:
            self.show_errors(errors)
            return
        self.show_errors({})
        self._busy(True)
        db, clerk, key = self.db, self.clerk, self.request_id
        run_in_thread(lambda: receive_dossier(db, form=form, clerk=clerk, request_id=key), self._saved,
                      self._save_failed, parent=self, name="receive_dossier")

    def _busy(self, busy: bool) -> None:
        self.saving = busy
        self.content.setEnabled(not busy)
        self.save_button.setEnabled(not busy)
        self.clear_button.setEnabled(not busy)
        self.save_button.setText(T["saving"] if busy else T["save"])

    def _save_failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, ValidationFailed):
            self.show_errors(exc.errors)
        else:
            msg = exc.message if isinstance(exc, ServiceError) else str(exc)
            self.form_error.setText(T["save_failed"].format(msg=msg))
            self.form_error.show()
            self.save_button.setFocus()
        self.save_failed.emit(exc)

    def _saved(self, received: Received) -> None:
        self._busy(False)
        self.last_received = received
        self.clear_form()
        self.status.setText(T["saved"].format(code=received.code, volume=received.volume, number=received.number))
        self.dossier_saved.emit(received.code)
        db, code = self.db, received.code
        run_in_thread(lambda: receipt_pdf(db, code), lambda pdf: self._receipt_built(code, pdf),
                      lambda exc: self._receipt_failed(code, exc), parent=self, name="receipt_pdf")

    def _receipt_built(self, code: str, pdf: bytes) -> None:
        self.status.setText(T["receipt_ready"].format(code=code))
        self.preview = open_receipt_preview(self, code, pdf,
                                            audit=for_preview(self.db, self.clerk, "dossier", code, "Giấy tiếp nhận"))
        self.receipt_ready.emit(code, pdf)

    def _receipt_failed(self, code: str, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.status.setText(T["receipt_failed"].format(code=code, msg=msg))

    # --- clearing -------------------------------------------------------------------------------------
    def is_blank(self) -> bool:
        edits = (self.scan, self.procedure_edit, self.name, self.id_number, self.birth_date, self.address,
                 self.phone, self.email, self.note)
        return not any(e.text().strip() for e in edits)

    def ask_clear(self) -> None:
        if self.saving:
            return
        if self.completer.popup().isVisible():
            self.completer.popup().hide()
            return
        if self.is_blank():
            self.clear_form()
            return
        box = QMessageBox(QMessageBox.Icon.Question, T["clear_title"], T["clear_question"],
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText(T["clear_yes"])
        box.button(QMessageBox.StandardButton.No).setText(T["clear_no"])
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.finished.connect(lambda _r: self.clear_form() if box.clickedButton() is yes else None)
        self.message_box = box
        box.open()

    def open_intake_slip(self, dialog_class):
        """An intake that ends without a dossier (form 02 guidance or form 03 refusal), prefilled from the form."""
        applicant = {"name": self.name.text(), "address": self.address.text(), "phone": self.phone.text()}
        dlg = dialog_class(self.db, self.clerk, procedure_code=self.procedure.code if self.procedure else None,
                           applicant=applicant, parent=self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.issued.connect(lambda _slip: self.clear_form())  # this citizen is done: no dossier was made
        self.intake_dialog = dlg
        dlg.open()
        return dlg

    def clear_form(self) -> None:
        self.request_id = uuid.uuid4()
        for e in (self.scan, self.procedure_edit, self.name, self.id_number, self.birth_date, self.address,
                  self.phone, self.email, self.note):
            e.clear()
        self.found = {}
        self.procedure_model.setStringList([])
        self._set_procedure(None)
        self.sets_count.setValue(1)
        self.channel.setCurrentIndex(0)
        self.return_method.setCurrentIndex(0)
        self.scan.setPlaceholderText(T["scan_ph"])
        self.scan_field.set_error(None)
        self.show_errors({})
        self.back_to_now()
        self.focus_first()

    def focus_first(self) -> None:
        """The form at its top, the cursor in its first field (the CCCD scan): ready for the next citizen."""
        self.scroll.verticalScrollBar().setValue(0)
        self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

def open_receipt_preview(parent: QWidget, code: str, pdf: bytes, *, audit=None) -> ReceiptPreviewDialog:
    preview = ReceiptPreviewDialog(pdf, title=T["receipt_title"].format(code=code),
                                   default_name=f"{code}-giay-hen.pdf", parent=parent, audit=audit)
    preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    preview.open()
    return preview
