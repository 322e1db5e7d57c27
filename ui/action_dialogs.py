"""One small dialog per step of a dossier's life (transfer, supplement, result, return, extension, stop,
cancel, correction); each records its step through app.services.lifecycle in a worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.applicant import CardQRError, parse_card_qr
from app.domain.calendar import TZ
from app.domain.lifecycle import ACTION_TEXT, Action
from app.services import lifecycle as lc
from app.services.dossiers import DossierView
from app.services.errors import ServiceError, TransitionRefused, ValidationFailed
from app.services.users import UserInfo, list_users
from ui.app import install_wheel_guard
from ui.workers import run_in_thread  # the one worker entry point of these dialogs and the dossier window

# --- every user-visible text of these dialogs --------------------------------------------------------
T = {
    "close": "Đóng",
    "ok": "Ghi nhận",
    "msg_ok": "Đã hiểu",
    "refused_title": "Không thực hiện được",
    "error_title": "Có lỗi",
    "working": "Đang ghi nhận…",
    "at": "Thời điểm",
    "at_hint": "Mặc định là bây giờ; chỉ sửa khi ghi bù việc đã làm trước đó.",
    "at_hint_short": "mặc định: bây giờ",
    "note": "Ghi chú",
    "to_name": "Người nhận hồ sơ",
    "to_name_ph": "Chọn cán bộ hoặc gõ tên người nhận",
    "to_unit": "Đơn vị / bộ phận",
    "to_unit_ph": "Ví dụ: Tư pháp - Hộ tịch; Văn phòng đăng ký đất đai",
    "from_name": "Người giao lại",
    "from_name_ph": "Người đang giữ hồ sơ",
    "items": "Giấy tờ cần bổ sung",
    "items_hint": "Đánh dấu tất cả giấy tờ còn thiếu hoặc cần hoàn thiện (liệt kê một lần, đầy đủ).",
    "add_item": "Thêm giấy tờ khác",
    "remove_item": "Xóa dòng đang chọn",
    "col_needed": "Cần bổ sung",
    "col_name": "Tên giấy tờ",
    "col_count": "Số lượng",
    "col_original": "Bản chính",
    "col_certified": "Bản chứng thực",
    "col_photo": "Bản photo",
    "reason": "Lý do",
    "reason_supplement_ph": "Ví dụ: Giấy tờ đã nộp hết hạn; cần bản chứng thực thay cho bản photo",
    "current_due": "Hạn trả hiện tại",
    "paused_since": "Tạm dừng từ",
    "new_due_info": "Hạn trả mới sẽ được tính khi ghi nhận: cộng thêm thời gian làm việc đã tạm dừng "
                    "(thứ Bảy, Chủ nhật, ngày nghỉ không tính).",
    "no_due": "Không quy định thời hạn",
    "result": "Kết quả giải quyết",
    "result_ph": "Ví dụ: Giấy khai sinh bản chính số 123/2026",
    "collected_by": "Người nhận kết quả",
    "id_shown": "Số CCCD xuất trình",
    "id_shown_hint": "CCCD trong hồ sơ: {id}",
    "method": "Hình thức trả",
    "method_counter": "Nhận trực tiếp tại quầy",
    "method_post": "Qua dịch vụ bưu chính công ích",
    "sign_reminder": "Nhắc: đề nghị người nhận ký nhận vào Sổ theo dõi hồ sơ và giao lại Giấy tiếp nhận "
                     "(liên giao người nộp).",
    "new_due": "Ngày hẹn trả mới",
    "extend_info": "Chỉ gia hạn một lần; văn bản xin lỗi (Mẫu 04) phát hành trước thời hạn hiện tại. "
                   "Ngày hẹn mới được gợi ý theo thời hạn giải quyết của thủ tục.",
    "extend_late": "Hồ sơ đã quá hạn từ {due}: vẫn phải gửi văn bản xin lỗi và hẹn lại ngày trả ngay; "
                   "thống kê vẫn tính hồ sơ là giải quyết quá hạn.",
    "signer_loading": "Đang tìm lãnh đạo ký văn bản…",
    "extend_loading": "Đang tính ngày hẹn gợi ý…",
    "extend_suggested": "Gợi ý: {due}",
    "delay_reason_ph": "Lý do chậm trễ, công dân đọc được trên văn bản xin lỗi",
    "signer_name": "Người ký",
    "signer_name_ph": "Thủ trưởng cơ quan giải quyết hoặc người được ủy quyền ký",
    "signer_title": "Chức vụ người ký",
    "signer_title_ph": "Ví dụ: Phó Chủ tịch UBND xã",
    "stop_reason_ph": "Ví dụ: Công dân có đơn xin rút hồ sơ",
    "requested_by": "Người đề nghị dừng",
    "fee_note": "Phí, lệ phí",
    "fee_note_ph": "Ví dụ: Không hoàn trả lệ phí đã nộp",
    "cancel_reason_ph": "Ví dụ: Nhập trùng với hồ sơ đã tiếp nhận trước",
    "cancel_info": "Chỉ dùng khi hồ sơ vừa được nhập nhầm. Hồ sơ vẫn giữ số trong Sổ theo dõi, được đánh dấu "
                   "“Đã hủy” kèm lý do; không xóa được.",
    "cancel_late": "Hồ sơ đã chuyển đi giải quyết: chỉ lãnh đạo được hủy. Hồ sơ vẫn được tính trong thống kê "
                   "(cột dừng giải quyết, rút, hủy hồ sơ).",
    "cancel_confirm": "Tôi xác nhận hồ sơ này nhập nhầm và cần hủy",
    "cancel_confirm_needed": "Hãy đánh dấu xác nhận trước khi hủy hồ sơ.",
    "cancel_ok": "Hủy hồ sơ",
    "applicant_name": "Họ tên người nộp",
    "id_number": "Số CCCD",
    "address": "Địa chỉ",
    "phone": "Điện thoại",
    "email": "Email",
    "correct_reason_ph": "Ví dụ: Gõ sai dấu tên; công dân cung cấp số điện thoại mới",
    "correct_info": "Thông tin cũ vẫn được lưu trong lịch sử hồ sơ.",
}


def show_message(parent: QWidget | None, text: str, *, title: str = T["refused_title"],
                 icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """A window-modal message box with a Vietnamese button; opened without blocking (tests can read it)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.button(QMessageBox.StandardButton.Ok).setText(T["msg_ok"])
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def to_qdatetime(dt: datetime) -> QDateTime:
    dt = dt.astimezone(TZ)
    return QDateTime(QDate(dt.year, dt.month, dt.day), QTime(dt.hour, dt.minute))


def from_qdatetime(q: QDateTime) -> datetime:
    d, t = q.date(), q.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=TZ)


def fmt_dt(dt: datetime | None) -> str:
    """'11 giờ 05 phút, ngày 23/11/2026' (local time), as on the printed forms."""
    if dt is None:
        return ""
    dt = dt.astimezone(TZ)
    return f"{dt:%H} giờ {dt:%M} phút, ngày {dt:%d/%m/%Y}"


class DateTimeField(QDateTimeEdit):
    """A minute-precision local time; `value()` is None until the clerk changes it (then the service uses now)."""

    def __init__(self, when: datetime, parent: QWidget | None = None):
        super().__init__(to_qdatetime(when), parent)
        self.setDisplayFormat("HH:mm  dd/MM/yyyy")
        self.setCalendarPopup(True)
        self.edited = False
        self.dateTimeChanged.connect(self._mark)

    def _mark(self, *_):
        self.edited = True

    def set_value(self, when: datetime) -> None:
        self.blockSignals(True)
        self.setDateTime(to_qdatetime(when))
        self.blockSignals(False)

    def chosen(self) -> datetime:
        return from_qdatetime(self.dateTime())

    def value(self) -> datetime | None:
        return self.chosen() if self.edited else None


class ItemsTable(QTableWidget):
    """Papers to supplement: tick the missing ones, name, count, which kind of copy (form 02 columns)."""

    COLS = ("col_needed", "col_name", "col_count", "col_original", "col_certified", "col_photo")
    NEEDED, NAME, COUNT, ORIGINAL, CERTIFIED, PHOTO = range(6)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.COLS), parent)
        self.setHorizontalHeaderLabels([T[c] for c in self.COLS])
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        h = self.horizontalHeader()
        for col in range(len(self.COLS)):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(220)

    @staticmethod
    def _check(on: bool) -> QTableWidgetItem:
        it = QTableWidgetItem()
        it.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        return it

    def add_item(self, name: str = "", *, count: int = 1, original: bool = False, certified: bool = False,
                 photo: bool = False, needed: bool = True) -> int:
        row = self.rowCount()
        self.insertRow(row)
        self.setItem(row, self.NEEDED, self._check(needed))
        self.setItem(row, self.NAME, QTableWidgetItem(name))
        spin = QSpinBox()
        spin.setRange(1, 99)
        spin.setValue(max(1, int(count)))
        self.setCellWidget(row, self.COUNT, spin)
        for col, on in ((self.ORIGINAL, original), (self.CERTIFIED, certified), (self.PHOTO, photo)):
            self.setItem(row, col, self._check(on))
        self.resizeRowToContents(row)
        return row

    def set_needed(self, row: int, on: bool = True) -> None:
        self.item(row, self.NEEDED).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def set_count(self, row: int, n: int) -> None:
        self.cellWidget(row, self.COUNT).setValue(n)

    def _on(self, row: int, col: int) -> bool:
        return self.item(row, col).checkState() == Qt.CheckState.Checked

    def items(self) -> list[dict]:
        out = []
        for row in range(self.rowCount()):
            name = (self.item(row, self.NAME).text() if self.item(row, self.NAME) else "").strip()
            if name and self._on(row, self.NEEDED):
                out.append({"name": name, "count": self.cellWidget(row, self.COUNT).value(),
                            "original": self._on(row, self.ORIGINAL), "certified": self._on(row, self.CERTIFIED),
                            "photo": self._on(row, self.PHOTO)})
        return out

    def add_blank(self) -> int:
        row = self.add_item("", needed=True)
        self.setCurrentCell(row, self.NAME)
        self.editItem(self.item(row, self.NAME))
        return row

    def remove_current(self) -> None:
        if self.currentRow() >= 0:
            self.removeRow(self.currentRow())

    def clear_items(self) -> None:
        self.setRowCount(0)


def items_editor(table: ItemsTable) -> QWidget:
    """The table with its add/remove buttons under it."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(table)
    row = QHBoxLayout()
    table.add_button = QPushButton(T["add_item"])
    table.add_button.clicked.connect(table.add_blank)
    table.remove_button = QPushButton(T["remove_item"])
    table.remove_button.clicked.connect(table.remove_current)
    row.addWidget(table.add_button)
    row.addWidget(table.remove_button)
    row.addStretch(1)
    lay.addLayout(row)
    return box


def plain_text(ph: str = "", lines: int = 3) -> QPlainTextEdit:
    """A text box `lines` lines high in the current font (a reason is a sentence or two, seen whole)."""
    w = QPlainTextEdit()
    w.setPlaceholderText(ph)
    w.setTabChangesFocus(True)
    w.setFixedHeight(w.fontMetrics().lineSpacing() * lines + 2 * w.frameWidth() + 12)
    return w


def line(text: str = "", ph: str = "") -> QLineEdit:
    w = QLineEdit(text)
    w.setPlaceholderText(ph)
    return w


def value_of(w: QWidget) -> str:
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText().strip()
    if isinstance(w, QComboBox):
        return w.currentText().strip()
    return w.text().strip()


class FormDialog(QDialog):
    """A form whose fields show the service's messages beside them; the service runs in a worker.

    Signals: `done(result)` after success (then the dialog accepts), `invalid(errors)` when the service
    (or a local check) sent field messages back, `refused(message)` when the step is not allowed now.
    """

    done = Signal(object)
    invalid = Signal(dict)
    refused = Signal(str)

    ok_text = T["ok"]

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        install_wheel_guard()
        self.result_value = None
        self.message_box: QMessageBox | None = None
        self._errors: dict[str, QLabel] = {}
        self._busy = False
        self.outer = QVBoxLayout(self)
        self.outer.setSpacing(10)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.outer.addLayout(self.form)
        self.general_error = self._error_label()
        self.outer.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.ok_text)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setText(T["close"])
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.outer.addWidget(self.buttons)

    @staticmethod
    def _error_label() -> QLabel:
        lab = QLabel()
        lab.setObjectName("fieldError")
        lab.setWordWrap(True)
        lab.setStyleSheet("color: #b3261e;")
        lab.hide()
        return lab

    def info(self, text: str, *, style: str = "color: #444;") -> QLabel:
        lab = QLabel(text)
        lab.setWordWrap(True)
        lab.setStyleSheet(style)
        return lab

    def add_field(self, label: str, widget: QWidget, key: str | None = None, hint: str = "") -> QWidget:
        """A labelled row; `key` is the service's error field whose message shows under the widget."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        if hint:
            h = QLabel(hint)
            h.setWordWrap(True)
            h.setStyleSheet("color: #666; font-size: 90%;")
            lay.addWidget(h)
        if key:
            err = self._error_label()
            self._errors[key] = err
            lay.addWidget(err)
        self.form.addRow(label, box)
        return box

    # --- errors -------------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for lab in (*self._errors.values(), self.general_error):
            lab.clear()
            lab.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.clear_errors()
        general = []
        for key, msg in errors.items():
            lab = self._errors.get(key)
            if lab is None:
                general.append(msg)
            else:
                lab.setText(msg)
                lab.show()
        if general:
            self.general_error.setText("\n".join(general))
            self.general_error.show()

    def error_text(self, key: str | None = None) -> str:
        """The message shown beside field `key` (None: the one above the buttons)."""
        lab = self.general_error if key is None else self._errors.get(key)
        return lab.text() if lab is not None and not lab.isHidden() else ""

    # --- submit ---------------------------------------------------------------------------------------
    def check(self) -> dict[str, str]:
        """Checks the service cannot make (e.g. a confirmation box); field -> message."""
        return {}

    def call(self) -> Callable[[], object]:
        """A no-argument function doing the service call with the values read now on the main thread."""
        raise NotImplementedError

    def submit(self) -> None:
        if self._busy:
            return
        self.clear_errors()
        errors = self.check()
        if errors:
            self.show_errors(errors)
            self.invalid.emit(errors)
            return
        job = self.call()
        self._set_busy(True)
        run_in_thread(job, self._succeeded, self._failed, parent=self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        self.ok_button.setText(T["working"] if busy else self.ok_text)

    def _succeeded(self, result: object) -> None:
        self._set_busy(False)
        self.result_value = result
        self.done.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            self.show_errors(exc.errors)
            self.invalid.emit(dict(exc.errors))
            return
        if isinstance(exc, TransitionRefused):
            self.message_box = show_message(self.parentWidget() or self, exc.message)
            self.refused.emit(exc.message)
            if self.parentWidget() is not None:
                self.reject()
            return
        text = exc.message if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        self.general_error.setText(text)
        self.general_error.show()
        self.message_box = show_message(self, text, title=T["error_title"], icon=QMessageBox.Icon.Critical)


class ActionDialog(FormDialog):
    """A step of one dossier: `action` picks the service function in lifecycle.ACTIONS."""

    action: Action
    has_time = True

    def __init__(self, db, user: UserInfo, dossier: DossierView, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user, self.dossier = db, user, dossier
        self.setWindowTitle(f"{ACTION_TEXT[self.action]} – {dossier.code}")
        self.setMinimumWidth(600)
        head = QLabel(f"<b style='font-size:115%'>{ACTION_TEXT[self.action]}</b><br>"
                      f"Hồ sơ <b>{dossier.code}</b> – {dossier.applicant_name}<br>"
                      f"<span style='color:#555'>{dossier.procedure_name}</span>")
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.RichText)
        self.outer.insertWidget(0, head)
        self.build()
        if self.has_time:
            self.at = DateTimeField(db.clock().astimezone(TZ))
            row = QWidget()
            lay = QHBoxLayout(row)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(self.at)
            hint = QLabel(f"({T['at_hint_short']})")
            hint.setStyleSheet("color: #666;")
            hint.setToolTip(T["at_hint"])
            lay.addWidget(hint, 1)
            self.add_field(T["at"], row, "at")

    def build(self) -> None:
        raise NotImplementedError

    def values(self) -> dict:
        raise NotImplementedError

    def call(self) -> Callable[[], object]:
        kwargs = self.values()
        if self.has_time:
            kwargs["at"] = self.at.value()
        fn, db, code, actor = lc.ACTIONS[self.action], self.db, self.dossier.code, self.user
        return lambda: fn(db, code, actor=actor, **kwargs)


class TransferDialog(ActionDialog):
    action = Action.TRANSFER

    def build(self) -> None:
        self.to_name = QComboBox()
        self.to_name.setEditable(True)
        self.to_name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.to_name.lineEdit().setPlaceholderText(T["to_name_ph"])
        self.to_name.activated.connect(self._picked)
        self.add_field(T["to_name"], self.to_name, "to_name")
        self.to_unit = line(ph=T["to_unit_ph"])
        self.add_field(T["to_unit"], self.to_unit, "to_unit")
        self.note = plain_text()
        self.add_field(T["note"], self.note, "note")
        db = self.db
        run_in_thread(lambda: list_users(db), self._users_loaded, lambda _e: None, parent=self)

    def _users_loaded(self, users: list[UserInfo]) -> None:
        typed = self.to_name.currentText()
        self.to_name.blockSignals(True)
        for u in users:
            if u.id != self.user.id:
                self.to_name.addItem(u.full_name, u)
        self.to_name.setCurrentIndex(-1)
        self.to_name.setEditText(typed)
        self.to_name.blockSignals(False)

    def _picked(self, index: int) -> None:
        u = self.to_name.itemData(index)
        if isinstance(u, UserInfo) and not self.to_unit.text().strip():
            self.to_unit.setText(u.unit)  # a department, never a person's title (form 06 lists units)

    def values(self) -> dict:
        return {"to_name": value_of(self.to_name), "to_unit": value_of(self.to_unit), "note": value_of(self.note)}


class HandBackDialog(ActionDialog):
    action = Action.BACK

    def build(self) -> None:
        self.from_name = line(self.dossier.holder, T["from_name_ph"])
        self.add_field(T["from_name"], self.from_name, "from_name")
        self.note = plain_text()
        self.add_field(T["note"], self.note, "note")

    def values(self) -> dict:
        return {"from_name": value_of(self.from_name), "note": value_of(self.note)}


class SupplementRequestDialog(ActionDialog):
    action = Action.SUPPLEMENT_REQUEST

    def build(self) -> None:
        self.setMinimumWidth(880)
        self.items_table = ItemsTable()
        for p in self.dossier.papers:
            self.items_table.add_item(p.name, count=p.count, original=p.original, certified=p.copy, needed=False)
        self.add_field(T["items"], items_editor(self.items_table), "items", T["items_hint"])
        self.reason = plain_text(T["reason_supplement_ph"])
        self.add_field(T["reason"], self.reason, "reason")
        self.note = plain_text(lines=2)
        self.add_field(T["note"], self.note, "note")

    def values(self) -> dict:
        return {"items": self.items_table.items(), "reason": value_of(self.reason), "note": value_of(self.note)}


class ReceiveSupplementDialog(ActionDialog):
    action = Action.SUPPLEMENT_RECEIVED

    def build(self) -> None:
        d = self.dossier
        self.current_due = QLabel(fmt_dt(d.due_at) or T["no_due"])
        self.add_field(T["current_due"], self.current_due)
        if d.paused_at:
            self.add_field(T["paused_since"], QLabel(fmt_dt(d.paused_at)))
        self.outer.insertWidget(2, self.info(T["new_due_info"]))
        self.note = plain_text()
        self.add_field(T["note"], self.note, "note")

    def values(self) -> dict:
        return {"note": value_of(self.note)}


class ResultReadyDialog(ActionDialog):
    action = Action.RESULT_READY

    def build(self) -> None:
        self.from_name = line(self.dossier.holder, T["from_name_ph"])
        self.add_field(T["from_name"], self.from_name, "from_name")
        self.result_note = plain_text(T["result_ph"])
        self.add_field(T["result"], self.result_note, "result")
        self.note = plain_text(lines=2)
        self.add_field(T["note"], self.note, "note")

    def values(self) -> dict:
        return {"from_name": value_of(self.from_name), "result": value_of(self.result_note),
                "note": value_of(self.note)}


class ReturnDialog(ActionDialog):
    action = Action.RETURN

    def build(self) -> None:
        d = self.dossier
        self.collected_by = line(d.applicant_name)
        self.add_field(T["collected_by"], self.collected_by, "collected_by")
        self.id_shown = line(ph="012345678901")
        self.id_shown.setMaxLength(12)
        self.add_field(T["id_shown"], self.id_shown, "id_shown",
                       T["id_shown_hint"].format(id=d.id_number) if d.id_number else "")
        methods = QWidget()
        lay = QHBoxLayout(methods)
        lay.setContentsMargins(0, 0, 0, 0)
        self.method_counter = QRadioButton(T["method_counter"])
        self.method_post = QRadioButton(T["method_post"])
        self.method_group = QButtonGroup(self)
        for b in (self.method_counter, self.method_post):
            self.method_group.addButton(b)
            lay.addWidget(b)
        lay.addStretch(1)
        (self.method_post if d.return_method == "post" else self.method_counter).setChecked(True)
        self.add_field(T["method"], methods, "method")
        self.note = plain_text(lines=2)
        self.add_field(T["note"], self.note, "note")
        self.reminder = self.info(T["sign_reminder"], style="color: #8a5a00; font-weight: bold;")
        self.outer.insertWidget(self.outer.indexOf(self.general_error), self.reminder)

    def take_card(self, text: str) -> None:
        """The collector's ID card scanned while this dialog is in front: who collects, with which ID."""
        try:
            card = parse_card_qr(text)
        except CardQRError as exc:
            self.show_errors({"id_shown": str(exc)})
            return
        self.collected_by.setText(card.name)
        self.id_shown.setText(card.id_number)

    def values(self) -> dict:
        return {"collected_by": value_of(self.collected_by), "id_shown": value_of(self.id_shown),
                "method": "post" if self.method_post.isChecked() else "counter", "note": value_of(self.note)}


class SignedLetter:
    """Forms 04 and 05 are signed by someone who may sign: the fields start with the office's leader."""

    def signer_fields(self) -> None:
        self.signer_name = line(ph=T["signer_name_ph"])
        self.add_field(T["signer_name"], self.signer_name, "signer_name")
        self.signer_title = line(ph=T["signer_title_ph"])
        self.add_field(T["signer_title"], self.signer_title, "signer_title")
        self.signer_loaded = False
        db = self.db
        run_in_thread(lambda: lc.default_signer(db), self._signer_found, lambda _e: None, parent=self)

    def _signer_found(self, leader: UserInfo | None) -> None:
        self.signer_loaded = True
        if leader is not None and not self.signer_name.text().strip():
            self.signer_name.setText(leader.full_name)
            self.signer_title.setText(leader.title)


class ExtendDialog(SignedLetter, ActionDialog):
    action = Action.EXTEND
    has_time = False

    def build(self) -> None:
        d = self.dossier
        late = d.due_at is not None and self.db.clock() >= d.due_at
        text = T["extend_late"].format(due=fmt_dt(d.due_at)) if late else T["extend_info"]
        self.outer.insertWidget(1, self.info(text, style="color: #b3261e; font-weight: bold;" if late
                                             else "color: #8a5a00;"))
        self.add_field(T["current_due"], QLabel(fmt_dt(d.due_at) or T["no_due"]))
        self.new_due = DateTimeField(d.due_at or self.db.clock())
        self.new_due.edited = True
        self.suggestion = QLabel(T["extend_loading"])
        self.suggestion.setStyleSheet("color: #666;")
        self.add_field(T["new_due"], self.new_due, "new_due")
        self.form.addRow("", self.suggestion)
        self.reason = plain_text(T["delay_reason_ph"])
        self.add_field(T["reason"], self.reason, "reason")
        self.signer_fields()
        self.suggested: datetime | None = None
        self.suggestion_loaded = False
        db, code = self.db, d.code
        run_in_thread(lambda: lc.suggested_extension(db, code), self._suggested, lambda _e: None, parent=self)

    def _suggested(self, when: datetime | None) -> None:
        self.suggested = when
        self.suggestion_loaded = True
        if when is None:
            self.suggestion.setText(T["no_due"])
            return
        self.new_due.set_value(when)
        self.suggestion.setText(T["extend_suggested"].format(due=fmt_dt(when)))

    def values(self) -> dict:
        return {"new_due": self.new_due.chosen(), "reason": value_of(self.reason),
                "signer_name": value_of(self.signer_name), "signer_title": value_of(self.signer_title)}


class StopDialog(SignedLetter, ActionDialog):
    action = Action.STOP

    def build(self) -> None:
        self.reason = plain_text(T["stop_reason_ph"])
        self.add_field(T["reason"], self.reason, "reason")
        self.requested_by = line(self.dossier.applicant_name)
        self.add_field(T["requested_by"], self.requested_by, "requested_by")
        self.fee_note = line(ph=T["fee_note_ph"])
        self.add_field(T["fee_note"], self.fee_note, "fee_note")
        self.signer_fields()

    def values(self) -> dict:
        return {"reason": value_of(self.reason), "requested_by": value_of(self.requested_by),
                "fee_note": value_of(self.fee_note), "signer_name": value_of(self.signer_name),
                "signer_title": value_of(self.signer_title)}


class CancelDialog(ActionDialog):
    action = Action.CANCEL
    ok_text = T["cancel_ok"]

    def build(self) -> None:
        late = any(st.kind == "transferred" for st in self.dossier.steps)
        self.outer.insertWidget(1, self.info(T["cancel_late" if late else "cancel_info"], style="color: #b3261e;"))
        self.reason = plain_text(T["cancel_reason_ph"])
        self.add_field(T["reason"], self.reason, "reason")
        self.confirm = QCheckBox(T["cancel_confirm"])
        self.add_field("", self.confirm, "confirm")

    def check(self) -> dict[str, str]:
        return {} if self.confirm.isChecked() else {"confirm": T["cancel_confirm_needed"]}

    def values(self) -> dict:
        return {"reason": value_of(self.reason)}


class CorrectApplicantDialog(ActionDialog):
    action = Action.CORRECT
    has_time = False
    FIELDS = ("applicant_name", "id_number", "address", "phone", "email")

    def build(self) -> None:
        d = self.dossier
        self.current = {"applicant_name": d.applicant_name, "id_number": d.id_number, "address": d.address,
                        "phone": d.phone, "email": d.email}
        self.edits: dict[str, QLineEdit] = {}
        for key in self.FIELDS:
            self.edits[key] = line(self.current[key] or "")
            self.add_field(T[key], self.edits[key], key)
        self.reason = plain_text(T["correct_reason_ph"])
        self.add_field(T["reason"], self.reason, "reason", T["correct_info"])
        self._errors["changes"] = self.general_error

    def changes(self) -> dict[str, str]:
        return {k: value_of(w) for k, w in self.edits.items() if value_of(w) != (self.current[k] or "")}

    def values(self) -> dict:
        return {"changes": self.changes(), "reason": value_of(self.reason)}


DIALOGS: dict[Action, type[ActionDialog]] = {
    Action.TRANSFER: TransferDialog, Action.BACK: HandBackDialog, Action.SUPPLEMENT_REQUEST: SupplementRequestDialog,
    Action.SUPPLEMENT_RECEIVED: ReceiveSupplementDialog, Action.RESULT_READY: ResultReadyDialog,
    Action.RETURN: ReturnDialog, Action.EXTEND: ExtendDialog, Action.STOP: StopDialog, Action.CANCEL: CancelDialog,
    Action.CORRECT: CorrectApplicantDialog,
}


def dialog_for(action: Action, db, user: UserInfo, dossier: DossierView, parent: QWidget | None = None) -> ActionDialog:
    return DIALOGS[Action(action)](db, user, dossier, parent)
