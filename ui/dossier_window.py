"""One dossier at the counter: its data, deadline, full timeline, the steps it allows now, and reprints."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.domain.deadline import Duration
from app.domain.dossier import Status
from app.domain.lifecycle import ACTION_TEXT, DUE_STATE_TEXT, Action, DueState, allowed_actions, due_state
from app.eventlog import payloads as ev
from app.services.dossiers import DossierView, StepView, get_dossier
from app.services.errors import ServiceError
from app.services.flags import RESOLVERS, resolve_flag
from app.services.forms import FORM_TITLE, FormKind, IssuedForm, dossier_form_pdf, forms_of
from app.services.ratings import RatingStatus, invite, rating_status, withdraw_invitation
from app.services.settings import calendar_of
from app.services.users import UserInfo
from ui.action_dialogs import ActionDialog, dialog_for, fmt_dt, run_in_thread
from ui.app import fit_to_screen, install_wheel_guard
from ui.audit_hooks import for_preview, note
from ui.receipt_preview import ReceiptPreviewDialog

# --- every user-visible text of this window ----------------------------------------------------------
T = {
    "title": "Hồ sơ {code}",
    "loading": "Đang tải hồ sơ…",
    "load_failed": "Không tải được hồ sơ: {msg}",
    "due": "Hẹn trả kết quả",
    "due_none": "Không quy định thời hạn",
    "due_statutory": "Hạn theo quy định: {due}",
    "due_extended": "Đã gia hạn đến: {due}",
    "paused_since": "Tạm dừng từ {at} (chờ công dân bổ sung)",
    "paused_overdue": " – đã quá hạn trước khi tạm dừng",
    "paused_total": "Thời gian đã tạm dừng: {text} làm việc",
    "returned_at": "Đã trả kết quả lúc {at}",
    "applicant": "Người nộp hồ sơ",
    "procedure": "Thủ tục hành chính",
    "reception": "Tiếp nhận",
    "papers": "Giấy tờ đã nhận",
    "timeline": "Quá trình giải quyết",
    "actions": "Thao tác",
    "no_actions": "Hồ sơ đã kết thúc; không còn thao tác nào.",
    "reprint": "In lại…",
    "reload": "Tải lại",
    "close": "Đóng",
    "building_pdf": "Đang tạo bản in {title}…",
    "pdf_failed": "Không tạo được bản in: {msg}",
    "offer": "Đã ghi nhận “{action}”. In {form} để giao cho công dân?",
    "offer_print": "In {form}",
    "offer_skip": "Để sau",
    "recorded": "Đã ghi nhận “{action}”.",
    "col_tt": "TT",
    "col_paper": "Tên giấy tờ",
    "col_kind": "Loại bản",
    "col_count": "SL",
    "original": "Bản chính",
    "copy": "Bản sao",
    "col_time": "Thời gian",
    "col_step": "Bước",
    "col_actor": "Người thực hiện",
    "col_detail": "Giao → Nhận, nội dung",
    "giver": "Giao",
    "receiver": "Nhận",
    "synced": "Đã lên máy chủ tỉnh (các quầy khác của xã thấy hồ sơ này).",
    "not_synced": "Chưa lên máy chủ tỉnh: đang lưu ở máy này, sẽ tự gửi khi có mạng.",
    "flag_text": "<b>Cần xem lại:</b> {message}{more}",
    "flag_more": " (và {n} cảnh báo khác)",
    "flag_resolve": "Ghi nhận đã xử lý…",
    "flag_title": "Ghi nhận cách xử lý cảnh báo",
    "flag_prompt": "Đã xử lý thế nào? (ví dụ: đã liên hệ công dân, đã cấp lại giấy hẹn, bấm nhầm…)",
    "flag_ok": "Ghi nhận",
    "flag_cancel": "Hủy bỏ",
    "flag_empty": "Hãy ghi cách xử lý.",
    "flag_done": "Đã ghi nhận cách xử lý cảnh báo.",
    "flag_failed": "Không ghi nhận được: {msg}",
    "rating": "Đánh giá hài lòng",
    "rating_invite": "Mời đánh giá",
    "rating_withdraw": "Hủy lời mời",
    "rating_none": "Chưa mời đánh giá.",
    "rating_invited": "Đã mời lúc {at}; máy đánh giá đang chờ công dân (đến {until}).",
    "rating_done": "Công dân đã đánh giá lúc {at}.",
    "rating_after_return": "Đã trả kết quả: mời công dân đánh giá tại máy đánh giá?",
    "rating_failed": "Không mời được: {msg}",
}

FIELD_LABELS = {
    "applicant_name": "Họ và tên", "id_number": "Số CCCD", "birth_date": "Ngày sinh", "address": "Địa chỉ",
    "phone": "Điện thoại", "email": "Email",
    "procedure_code": "Mã thủ tục", "procedure_name": "Tên thủ tục", "field": "Lĩnh vực",
    "competent_unit": "Cơ quan giải quyết", "duration": "Thời hạn giải quyết", "fee": "Phí, lệ phí",
    "channel": "Hình thức nộp", "return_method": "Nhận kết quả", "sets": "Số bộ hồ sơ",
    "book": "Sổ theo dõi", "clerk": "Cán bộ tiếp nhận", "received_at": "Thời gian tiếp nhận", "note": "Ghi chú",
}

STEP_TEXT = {
    "received": "Tiếp nhận", "transferred": "Chuyển xử lý", "handed_back": "Nhận lại",
    "supplement_requested": "Yêu cầu bổ sung", "supplement_received": "Nhận bổ sung",
    "result_ready": "Có kết quả", "returned": "Trả kết quả", "extended": "Gia hạn",
    "stopped": "Dừng giải quyết", "cancelled": "Hủy", "corrected": "Sửa thông tin",
    "flag_resolved": "Xử lý cảnh báo", "unreadable": "Bước chưa đọc được",
}

DETAIL = {
    "reason": "Lý do: {v}", "items": "Cần bổ sung: {v}", "paused": "Tạm dừng {v} làm việc",
    "new_due": "Hạn trả mới: {v}", "old_new_due": "Hạn cũ {old} → hạn mới {new}", "result": "Kết quả: {v}",
    "id_shown": "CCCD xuất trình: {v}", "method": "Hình thức: {v}", "signer": "Người ký: {v}",
    "requested_by": "Người đề nghị: {v}", "stage": "Giai đoạn: {v}", "fee_note": "Phí, lệ phí: {v}",
    "change": "{field}: “{old}” → “{new}”", "note": "Ghi chú: {v}", "count": "{n} bản",
    "original": "bản chính", "certified": "bản chứng thực", "photo": "bản photo",
    "method_counter": "tại quầy", "method_post": "qua bưu chính",
    "outcome": "Cách xử lý: {v}", "unreadable": "Bước do phiên bản MotCua mới hơn ghi; hãy cập nhật phần mềm để xem.",
    "not_applied": "(Không áp dụng: xem cảnh báo của hồ sơ)",
}

STATUS_COLOR = {
    Status.RECEIVED: "#1565c0", Status.IN_PROGRESS: "#6a1b9a", Status.SUPPLEMENT: "#e65100",
    Status.RESULT_READY: "#2e7d32", Status.RETURNED: "#455a64", Status.STOPPED: "#6d4c41",
    Status.CANCELLED: "#757575",
}
DUE_COLOR = {
    DueState.WITHIN: "#2e7d32", DueState.DUE_TODAY: "#e65100", DueState.DUE_SOON: "#b26a00",
    DueState.OVERDUE: "#c62828", DueState.PAUSED: "#1565c0", DueState.NO_DEADLINE: "#555555",
    DueState.EARLY: "#2e7d32", DueState.ON_TIME: "#2e7d32", DueState.LATE: "#c62828",
    DueState.CLOSED: "#555555",
}

# the form a step issues, offered for printing right after the step
FORM_AFTER = {Action.SUPPLEMENT_REQUEST: FormKind.SUPPLEMENT, Action.EXTEND: FormKind.APOLOGY,
              Action.STOP: FormKind.STOP}
STEP_OF_FORM = {FormKind.SUPPLEMENT: "supplement_requested", FormKind.APOLOGY: "extended",
                FormKind.STOP: "stopped"}


def minutes_text(minutes: int) -> str:
    h, m = divmod(int(minutes), 60)
    if h and m:
        return f"{h} giờ {m} phút"
    return f"{h} giờ" if h else f"{m} phút"


def step_flow(st: StepView) -> str:
    """Who gave the dossier to whom: 'Giao: A → Nhận: B (unit)'."""
    parts = []
    if st.giver:
        parts.append(f"{T['giver']}: {st.giver}")
    if st.receiver:
        parts.append(f"{T['receiver']}: {st.receiver}")
    text = " → ".join(parts)
    if st.unit and st.unit not in (st.giver, st.receiver):
        text = f"{text} ({st.unit})" if text else st.unit
    return text


def step_detail(st: StepView) -> str:
    """The step's data in words: reason, items, changes old → new, new due, note."""
    d, out = st.details, []
    if d is None:
        out.append(DETAIL["unreadable"])
    elif isinstance(d, ev.SupplementRequested):
        items = []
        for i, it in enumerate(d.items, 1):
            kinds = [DETAIL[k] for k in ("original", "certified", "photo") if getattr(it, k)]
            extra = ", ".join([DETAIL["count"].format(n=it.count), *kinds])
            items.append(f"{i}. {it.name} ({extra})")
        if items:
            out.append(DETAIL["items"].format(v="; ".join(items)))
    elif isinstance(d, ev.SupplementReceived):
        if d.paused_minutes:
            out.append(DETAIL["paused"].format(v=minutes_text(d.paused_minutes)))
        if d.new_due_at:
            out.append(DETAIL["new_due"].format(v=fmt_dt(d.new_due_at.astimezone(TZ))))
    elif isinstance(d, ev.DossierExtended):
        out.append(DETAIL["old_new_due"].format(old=fmt_dt(d.old_due_at.astimezone(TZ) if d.old_due_at else None),
                                                new=fmt_dt(d.new_due_at.astimezone(TZ))))
    elif isinstance(d, ev.ResultReady) and d.result:
        out.append(DETAIL["result"].format(v=d.result))
    elif isinstance(d, ev.DossierReturned):
        if d.id_shown:
            out.append(DETAIL["id_shown"].format(v=d.id_shown))
        out.append(DETAIL["method"].format(v=DETAIL["method_post" if d.method == "post" else "method_counter"]))
    elif isinstance(d, ev.DossierStopped):
        for key in ("requested_by", "stage", "fee_note"):
            if getattr(d, key):
                out.append(DETAIL[key].format(v=getattr(d, key)))
    elif isinstance(d, ev.ApplicantCorrected):
        for key, (old, new) in d.changes.items():
            out.append(DETAIL["change"].format(field=FIELD_LABELS.get(key, key), old=old or "", new=new or ""))
    elif isinstance(d, ev.FlagResolved) and d.outcome:
        out.append(DETAIL["outcome"].format(v=d.outcome))
    signer = getattr(d, "signer_name", "")
    if signer:
        title = getattr(d, "signer_title", "")
        out.append(DETAIL["signer"].format(v=signer + (f", {title}" if title else "")))
    reason = getattr(d, "reason", "")
    if reason and not isinstance(d, ev.IntakePayload):
        out.append(DETAIL["reason"].format(v=reason))
    if st.note:
        out.append(DETAIL["note"].format(v=st.note))
    if not st.applied:
        out.append(DETAIL["not_applied"])
    return "\n".join(out)


class FlagResolveDialog(QDialog):
    """One text: what was done about a flag. OK stays disabled until something is written."""

    def __init__(self, message: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(T["flag_title"])
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        text = QLabel(message)
        text.setWordWrap(True)
        lay.addWidget(text)
        lay.addWidget(QLabel(T["flag_prompt"]))
        self.outcome = QPlainTextEdit()
        self.outcome.setFixedHeight(90)
        lay.addWidget(self.outcome)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(T["flag_ok"])
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(T["flag_cancel"])
        self.ok.setEnabled(False)
        self.outcome.textChanged.connect(lambda: self.ok.setEnabled(bool(self.outcome.toPlainText().strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)


def _repolish(w: QWidget) -> None:
    """Apply the style sheet again after the object name changed (e.g. to "primary")."""
    w.style().unpolish(w)
    w.style().polish(w)


def _load(db, code: str):
    """Worker: the dossier, the office calendar and the time to judge its deadline at."""
    return get_dossier(db, code), calendar_of(db), db.clock()


def _value_label() -> QLabel:
    lab = QLabel()
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


class DossierWindow(QDialog):
    """A top-level window for one dossier; `reload()` reads it again in a worker.

    Signals: `loaded(DossierView)` after each load, `step_recorded(Action, StepResult)` after a dialog
    recorded a step, `pdf_ready(form_kind, pdf_bytes)` when a form was built for printing.
    """

    loaded = Signal(object)
    load_failed = Signal(str)
    step_recorded = Signal(object, object)
    pdf_ready = Signal(str, bytes)

    def __init__(self, db, user: UserInfo, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        install_wheel_guard()
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.db, self.user, self.code = db, user, code
        self.view: DossierView | None = None
        self.current_dialog: ActionDialog | None = None
        self.preview: QDialog | None = None
        self.action_buttons: dict[Action, QPushButton] = {}
        self.reprint_actions: list[tuple[IssuedForm, QAction]] = []
        self._offer: tuple[FormKind, str | None] | None = None
        self.rating: RatingStatus | None = None
        self.setWindowTitle(T["title"].format(code=code))
        fit_to_screen(self, 1280, 820)
        self._build()
        self.reload()

    # --- layout -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.addWidget(self._header())
        self.offer_bar = self._offer_bar()
        outer.addWidget(self.offer_bar)
        self.flag_bar = self._flag_bar()
        outer.addWidget(self.flag_bar)
        body = QHBoxLayout()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._data_panel())
        split.addWidget(self._timeline_panel())
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([470, 580])
        body.addWidget(split, 1)
        body.addWidget(self._actions_panel())
        outer.addLayout(body, 1)
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        self.status_line.setStyleSheet("color: #555;")
        outer.addWidget(self.status_line)

    def _header(self) -> QWidget:
        box = QFrame()
        box.setObjectName("dossierHeader")
        box.setStyleSheet("#dossierHeader { background: #f5f7fa; border: 1px solid #d7dde5; border-radius: 6px; }")
        lay = QHBoxLayout(box)
        left = QVBoxLayout()
        self.code_label = QLabel(self.code)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setStyleSheet("font-size: 20pt; font-weight: bold; font-family: monospace;")
        left.addWidget(self.code_label)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("font-size: 11pt;")
        left.addWidget(self.subtitle)
        lay.addLayout(left, 3)
        mid = QVBoxLayout()
        self.status_chip = QLabel()
        self.status_chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mid.addWidget(self.status_chip, 0, Qt.AlignmentFlag.AlignLeft)
        mid.addStretch(1)
        lay.addLayout(mid, 1)
        right = QVBoxLayout()
        self.due_label = QLabel()
        self.due_label.setTextFormat(Qt.TextFormat.RichText)
        self.due_label.setWordWrap(True)
        self.due_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.due_label)
        self.due_detail = QLabel()
        self.due_detail.setWordWrap(True)
        self.due_detail.setStyleSheet("color: #444;")
        right.addWidget(self.due_detail)
        right.addStretch(1)
        lay.addLayout(right, 3)
        return box

    def _offer_bar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("offerBar")
        bar.setStyleSheet("#offerBar { background: #e8f5e9; border: 1px solid #a5d6a7; border-radius: 4px; }")
        lay = QHBoxLayout(bar)
        self.offer_label = QLabel()
        self.offer_label.setWordWrap(True)
        lay.addWidget(self.offer_label, 1)
        self.offer_print_button = QPushButton()
        self.offer_print_button.clicked.connect(self._print_offered)
        lay.addWidget(self.offer_print_button)
        self.offer_skip_button = QPushButton(T["offer_skip"])
        self.offer_skip_button.clicked.connect(self._hide_offer)
        lay.addWidget(self.offer_skip_button)
        bar.hide()
        return bar

    def _flag_bar(self) -> QFrame:
        """What the log could not apply as written (a conflict with another counter, a clashing code…), and
        a button to record what was done about it."""
        bar = QFrame()
        bar.setObjectName("flagBar")
        bar.setStyleSheet("#flagBar { background: #fff3e0; border: 1px solid #ffb74d; border-radius: 4px; }")
        lay = QHBoxLayout(bar)
        self.flag_label = QLabel()
        self.flag_label.setWordWrap(True)
        self.flag_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.flag_label, 1)
        self.flag_button = QPushButton(T["flag_resolve"])
        self.flag_button.clicked.connect(self.resolve_flag)
        lay.addWidget(self.flag_button, 0, Qt.AlignmentFlag.AlignTop)
        bar.hide()
        return bar

    def _show_flags(self, d: DossierView) -> None:
        flags = d.open_flags
        if not flags:
            self.flag_bar.hide()
            return
        first = flags[0]
        more = T["flag_more"].format(n=len(flags) - 1) if len(flags) > 1 else ""
        self.flag_label.setText(T["flag_text"].format(message=first.message, more=more))
        self.flag_button.setEnabled(self.user.role in RESOLVERS)
        self.flag_bar.show()

    def resolve_flag(self) -> QDialog | None:
        """Ask what was done about the first open flag, then record it (an event) in a worker."""
        if self.view is None or not self.view.open_flags:
            return None
        flag = self.view.open_flags[0]
        dialog = FlagResolveDialog(flag.message, self)
        self.current_flag_dialog = dialog

        def done() -> None:
            outcome = dialog.outcome.toPlainText()
            db, user = self.db, self.user
            run_in_thread(lambda: resolve_flag(db, flag.id, actor=user, outcome=outcome),
                          lambda _r: (self.status_line.setText(T["flag_done"]), self.reload()),
                          lambda exc: self.status_line.setText(T["flag_failed"].format(
                              msg=exc.message if isinstance(exc, ServiceError) else exc)),
                          parent=self, name="resolve_flag")

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def _form_group(self, title: str, keys: tuple[str, ...]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key in keys:
            self.fields[key] = _value_label()
            form.addRow(FIELD_LABELS[key] + ":", self.fields[key])
        return box

    def _data_panel(self) -> QWidget:
        self.fields: dict[str, QLabel] = {}
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addWidget(self._form_group(T["applicant"], ("applicant_name", "id_number", "birth_date", "address",
                                                        "phone", "email")))
        lay.addWidget(self._form_group(T["procedure"], ("procedure_code", "procedure_name", "field",
                                                        "competent_unit", "duration", "fee")))
        lay.addWidget(self._form_group(T["reception"], ("channel", "return_method", "sets", "book", "clerk",
                                                        "received_at", "note")))
        papers = QGroupBox(T["papers"])
        pl = QVBoxLayout(papers)
        self.papers_table = QTableWidget(0, 4)
        self.papers_table.setHorizontalHeaderLabels([T["col_tt"], T["col_paper"], T["col_kind"], T["col_count"]])
        self.papers_table.verticalHeader().setVisible(False)
        self.papers_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.papers_table.setWordWrap(True)
        h = self.papers_table.horizontalHeader()
        for col in (0, 2, 3):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.sectionResized.connect(lambda *_: self._fit_papers())
        pl.addWidget(self.papers_table)
        lay.addWidget(papers)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setMinimumWidth(400)
        return scroll

    def _timeline_panel(self) -> QWidget:
        box = QGroupBox(T["timeline"])
        lay = QVBoxLayout(box)
        self.timeline = QTableWidget(0, 4)
        self.timeline.setHorizontalHeaderLabels([T["col_time"], T["col_step"], T["col_actor"], T["col_detail"]])
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.timeline.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        h = self.timeline.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.timeline.setColumnWidth(2, 120)
        h.sectionResized.connect(self._fit_rows)
        self._follow_newest = True
        bar = self.timeline.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.actionTriggered.connect(lambda *_: QTimer.singleShot(0, self._scrolled_by_hand))
        lay.addWidget(self.timeline)
        return box

    def _fit_rows(self, *_):
        self.timeline.resizeRowsToContents()

    def _range_changed(self, _low: int, high: int) -> None:
        # rows re-wrap after every resize: keep the newest step in view until the clerk scrolls away
        if self._follow_newest:
            self.timeline.verticalScrollBar().setValue(high)

    def _scrolled_by_hand(self, *_) -> None:
        bar = self.timeline.verticalScrollBar()
        self._follow_newest = bar.sliderPosition() >= bar.maximum()

    def _fit_and_show_newest(self) -> None:
        self._follow_newest = True
        self._fit_rows()
        self.timeline.scrollToBottom()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._fit_rows)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def _actions_panel(self) -> QWidget:
        panel = QWidget()
        panel.setFixedWidth(215)
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox(T["actions"])
        self.actions_layout = QVBoxLayout(box)
        self.no_actions = QLabel(T["no_actions"])
        self.no_actions.setWordWrap(True)
        self.no_actions.hide()
        self.actions_layout.addWidget(self.no_actions)
        lay.addWidget(box)
        lay.addWidget(self._rating_box())
        lay.addStretch(1)
        self.reprint_button = QPushButton(T["reprint"])
        self.reprint_menu = QMenu(self)
        self.reprint_button.setMenu(self.reprint_menu)
        lay.addWidget(self.reprint_button)
        self.reload_button = QPushButton(T["reload"])
        self.reload_button.clicked.connect(self.reload)
        lay.addWidget(self.reload_button)
        self.close_button = QPushButton(T["close"])
        self.close_button.clicked.connect(self.close)
        lay.addWidget(self.close_button)
        return panel

    def _rating_box(self) -> QGroupBox:
        """Whether the citizen was invited to rate, and whether they did (never how: the clerk must not know)."""
        box = QGroupBox(T["rating"])
        lay = QVBoxLayout(box)
        self.rating_label = QLabel()
        self.rating_label.setWordWrap(True)
        self.rating_invite_button = QPushButton(T["rating_invite"])
        self.rating_invite_button.setMinimumHeight(34)
        self.rating_invite_button.clicked.connect(self.invite_rating)
        self.rating_withdraw_button = QPushButton(T["rating_withdraw"])
        self.rating_withdraw_button.clicked.connect(self.withdraw_rating)
        for w in (self.rating_label, self.rating_invite_button, self.rating_withdraw_button):
            lay.addWidget(w)
        self.rating_box = box
        box.hide()
        return box

    def refresh_rating(self) -> None:
        db, code = self.db, self.code
        run_in_thread(lambda: rating_status(db, code), self._show_rating, parent=self, name="rating_status")

    def _show_rating(self, status: RatingStatus) -> None:
        self.rating = status
        rated, invited = status.rated_at is not None, status.invitation_id != ""
        self.rating_box.setVisible(rated or status.may_invite)
        if rated:
            text = T["rating_done"].format(at=f"{status.rated_at.astimezone(TZ):%H:%M ngày %d/%m/%Y}")
        elif invited:
            text = T["rating_invited"].format(at=f"{status.invited_at.astimezone(TZ):%H:%M}",
                                              until=f"{status.expires_at.astimezone(TZ):%H:%M}")
        else:
            text = T["rating_none"]
        self.rating_label.setText(text)
        self.rating_invite_button.setVisible(status.may_invite)
        self.rating_invite_button.setEnabled(status.may_invite)
        self.rating_withdraw_button.setVisible(invited and not rated)

    def invite_rating(self) -> None:
        """"Mời đánh giá": the kiosk of this counter shows this dossier at once."""
        db, code, user = self.db, self.code, self.user
        self.rating_invite_button.setEnabled(False)
        run_in_thread(lambda: invite(db, code, clerk=user), self._invited, self._rating_failed, parent=self,
                      name="invite_rating")

    def withdraw_rating(self) -> None:
        db, code, user = self.db, self.code, self.user
        run_in_thread(lambda: withdraw_invitation(db, code, clerk=user), self._invited, self._rating_failed,
                      parent=self, name="withdraw_rating")

    def _invited(self, status: RatingStatus) -> None:
        self.rating_invite_button.setObjectName("")
        _repolish(self.rating_invite_button)
        self._show_rating(status)

    def _rating_failed(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.status_line.setText(T["rating_failed"].format(msg=msg))
        self.refresh_rating()

    # --- loading ------------------------------------------------------------------------------------------
    @property
    def dossier_id(self) -> str | None:
        return self.view.id if self.view is not None else None

    def reload(self) -> None:
        self.status_line.setText(T["loading"])
        db, code = self.db, self.code
        run_in_thread(lambda: _load(db, code), self._loaded, self._load_error, parent=self)

    def _load_error(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.status_line.setText(T["load_failed"].format(msg=msg))
        self.load_failed.emit(msg)

    def _loaded(self, result) -> None:
        d, cal, now = result
        if self.view is None:  # the applicant's data is on screen: who saw it, once per window
            note(self.db, self.user, "viewed", "dossier", d.code, "Mở cửa sổ hồ sơ")
        self.view = d
        self.code = d.code
        self.setWindowTitle(T["title"].format(code=d.code))
        self._show_header(d, cal, now)
        self._show_flags(d)
        self._show_data(d)
        self._show_timeline(d)
        self._show_actions(d)
        self._show_reprints(d)
        self.status_line.setText("")
        self.refresh_rating()
        self.loaded.emit(d)

    def _show_header(self, d: DossierView, cal, now: datetime) -> None:
        self.code_label.setText(d.code)
        self.subtitle.setText(f"<b>{d.applicant_name}</b> – {d.procedure_name}")
        color = STATUS_COLOR.get(Status(d.status), "#555")
        self.status_chip.setText(d.status_text)
        self.status_chip.setStyleSheet(f"background: {color}; color: white; font-weight: bold; "
                                       "padding: 4px 12px; border-radius: 11px; font-size: 11pt;")
        state = due_state(d.status, d.due_at, now, cal, paused_at=d.paused_at, result_at=d.result_at,
                          statutory_due_at=d.original_due_at)
        self.due_state = state
        due = fmt_dt(d.due_at) if d.due_at else T["due_none"]
        state_text = DUE_STATE_TEXT[state]
        if state == DueState.OVERDUE and d.status == Status.SUPPLEMENT:
            state_text += T["paused_overdue"]
        self.due_label.setText(f"{T['due']}: <b style='font-size:13pt'>{due}</b><br>"
                               f"<span style='color:{DUE_COLOR[state]}; font-weight:bold'>{state_text}</span>")
        lines = []
        if d.original_due_at and d.due_at and d.original_due_at != d.due_at:
            lines.append(T["due_statutory"].format(due=fmt_dt(d.original_due_at)))
            lines.append(T["due_extended"].format(due=fmt_dt(d.due_at)))
        if d.paused_at:
            lines.append(T["paused_since"].format(at=fmt_dt(d.paused_at)))
        paused = d.paused_minutes
        if paused:
            lines.append(T["paused_total"].format(text=minutes_text(paused)))
        if d.returned_at:
            lines.append(T["returned_at"].format(at=fmt_dt(d.returned_at)))
        if d.synced is not None:
            lines.append(T["synced"] if d.synced else T["not_synced"])
        self.due_detail.setText("\n".join(lines))
        self.due_detail.setVisible(bool(lines))

    def _show_data(self, d: DossierView) -> None:
        values = {
            "applicant_name": d.applicant_name, "id_number": d.id_number,
            "birth_date": f"{d.birth_date:%d/%m/%Y}" if d.birth_date else "", "address": d.address,
            "phone": d.phone, "email": d.email, "procedure_code": d.procedure_code,
            "procedure_name": d.procedure_name, "field": d.field, "competent_unit": d.competent_unit,
            "duration": Duration.from_json(d.duration).describe() if d.duration else "", "fee": d.fee_text,
            "channel": d.channel_text, "return_method": d.return_method_text, "sets": str(d.sets_count),
            "book": f"Quyển số {d.volume}, số thứ tự {d.number}", "clerk": d.clerk_name,
            "received_at": fmt_dt(d.received_at), "note": d.note,
        }
        for key, lab in self.fields.items():
            lab.setText(values.get(key) or "–")
        t = self.papers_table
        t.setRowCount(0)
        for i, p in enumerate(d.papers, 1):
            row = t.rowCount()
            t.insertRow(row)
            kinds = [T[k] for k in ("original", "copy") if getattr(p, k)]
            for col, text in enumerate((str(i), p.name, ", ".join(kinds), str(p.count))):
                item = QTableWidgetItem(text)
                if col != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                t.setItem(row, col, item)
        self._fit_papers()

    def _fit_papers(self) -> None:
        """Rows as tall as their wrapped names, the table as tall as its rows (re-done when widths settle)."""
        t = self.papers_table
        t.resizeRowsToContents()
        t.setFixedHeight(min(320, t.horizontalHeader().height() + sum(t.rowHeight(r) for r in range(t.rowCount()))
                             + 2 * t.frameWidth() + 4))

    def _show_timeline(self, d: DossierView) -> None:
        t = self.timeline
        t.setRowCount(0)
        for st in d.steps:
            row = t.rowCount()
            t.insertRow(row)
            content = "\n".join(x for x in (step_flow(st), step_detail(st)) if x)
            texts = (f"{st.at:%H:%M}\n{st.at:%d/%m/%Y}", STEP_TEXT.get(st.kind, st.kind), st.actor_name, content)
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, st.event_id)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if col == 1:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                t.setItem(row, col, item)
        t.resizeRowsToContents()
        QTimer.singleShot(0, self._fit_and_show_newest)

    def _show_actions(self, d: DossierView) -> None:
        for btn in self.action_buttons.values():
            self.actions_layout.removeWidget(btn)
            btn.deleteLater()
        self.action_buttons = {}
        handed_over = any(st.kind == "transferred" for st in d.steps)
        for action in allowed_actions(d.status, extensions=d.extensions, handed_over=handed_over, role=self.user.role):
            btn = QPushButton(ACTION_TEXT[action])
            btn.setMinimumHeight(34)
            btn.setObjectName(f"action-{action.value}")
            if action == Action.CANCEL:
                btn.setStyleSheet("color: #b3261e;")
            btn.clicked.connect(lambda _=False, a=action: self.open_action(a))
            self.actions_layout.addWidget(btn)
            self.action_buttons[action] = btn
        self.no_actions.setVisible(not self.action_buttons)

    def _show_reprints(self, d: DossierView) -> None:
        self.reprint_menu.clear()
        self.reprint_actions = []
        for form in forms_of(d):
            act = self.reprint_menu.addAction(form.title)
            act.triggered.connect(lambda _=False, f=form: self.print_form(f.kind, f.event_id, f.title))
            self.reprint_actions.append((form, act))

    # --- steps --------------------------------------------------------------------------------------------
    def open_action(self, action: Action) -> ActionDialog | None:
        """Open the dialog of `action` (window-modal, not blocking); returns it."""
        if self.view is None:
            return None
        dlg = dialog_for(action, self.db, self.user, self.view, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.done.connect(lambda result, a=action: self._step_done(a, result))
        dlg.refused.connect(lambda _msg: self.reload())
        self.current_dialog = dlg
        dlg.open()
        return dlg

    def _step_done(self, action: Action, result) -> None:
        kind = FORM_AFTER.get(action)
        if kind is not None:
            self._offer = (kind, getattr(result, "event_id", None))
            self.offer_label.setText(T["offer"].format(action=ACTION_TEXT[action], form=FORM_TITLE[kind]))
            self.offer_print_button.setText(T["offer_print"].format(form=f"Mẫu {kind.value}"))
            self.offer_bar.show()
        else:
            self._hide_offer()
            self.status_line.setText(T["recorded"].format(action=ACTION_TEXT[action]))
        if action == Action.RETURN:
            # the moment to ask the citizen to rate: the button stands out until it is pressed
            self.rating_invite_button.setObjectName("primary")
            _repolish(self.rating_invite_button)
            self.status_line.setText(T["rating_after_return"])
        self.step_recorded.emit(action, result)
        self.reload()

    def _hide_offer(self) -> None:
        self._offer = None
        self.offer_bar.hide()

    def _print_offered(self) -> None:
        if self._offer:
            kind, event_id = self._offer
            self._hide_offer()
            self.print_form(kind, event_id)

    # --- printing -----------------------------------------------------------------------------------------
    def print_form(self, kind: FormKind | str, event_id: str | None = None, title: str | None = None) -> None:
        """Build form `kind` (of step `event_id` for 02/04/05) in a worker, then show the print preview."""
        kind = FormKind(kind)
        title = title or FORM_TITLE[kind]
        self.status_line.setText(T["building_pdf"].format(title=title))
        db, code = self.db, self.code
        run_in_thread(lambda: dossier_form_pdf(db, code, kind, event_id=event_id),
                      lambda pdf: self._pdf_built(kind, title, pdf), self._pdf_error, parent=self)

    def _pdf_error(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.status_line.setText(T["pdf_failed"].format(msg=msg))

    def _pdf_built(self, kind: FormKind, title: str, pdf: bytes) -> None:
        self.status_line.setText("")
        self.pdf_ready.emit(kind.value, pdf)
        name = f"{self.code}-mau-{kind.value}.pdf"
        self.preview = ReceiptPreviewDialog(pdf, title=title, default_name=name, parent=self,
                                            audit=for_preview(self.db, self.user, "dossier", self.code, title))
        self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview.open()
