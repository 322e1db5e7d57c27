"""Sync in the counter window: the background worker, its status in the status bar, enrolment with the
province's server, and the list of flags (conflicts between devices) a clerk or leader resolves.

The worker never runs on the main thread and never blocks the counter: a round runs in the thread pool on a
timer, soon after a local change that left events unsent, and at once when asked; after a failure it backs
off (30 s doubling to 30 minutes, with jitter) and tries again.
"""

from __future__ import annotations

import random
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.services.errors import ServiceError
from app.services.flags import FlagItem, list_flags
from app.sync import client as sync
from ui.dossier_list import thousands
from ui.workers import run_in_thread

T = {
    "not_enrolled": "Chưa kết nối máy chủ tỉnh",
    "ok": "Đã đồng bộ {when}",
    "never": "Chưa đồng bộ lần nào",
    "offline": "Mất kết nối",
    "running": "Đang đồng bộ…",
    "unsent": "{n} chờ gửi",
    "tip_server": "Máy chủ tỉnh: {url}. Bấm để đồng bộ ngay.",
    "tip_ok": "Mọi thay đổi ở máy này đã được gửi lên máy chủ tỉnh lúc {when}.",
    "tip_unsent": "{n} thay đổi của máy này chưa lên máy chủ tỉnh; chúng vẫn được lưu ở máy này và sẽ tự gửi khi "
                  "có mạng.",
    "tip_error": "Lần đồng bộ gần nhất chưa xong: {error}",
    "enroll_title": "Kết nối với máy chủ tỉnh",
    "enroll_intro": "Nhập địa chỉ máy chủ của tỉnh và mã đăng ký một lần do quản trị máy chủ cấp cho máy này. "
                    "Dữ liệu đang có ở máy này được giữ nguyên và gửi lên máy chủ.",
    "server": "Địa chỉ máy chủ",
    "server_ph": "https://motcua.tinh.gov.vn",
    "code": "Mã đăng ký",
    "code_ph": "ví dụ ABCD-EFGH-JKLM",
    "enroll_ok": "Kết nối",
    "cancel": "Hủy bỏ",
    "enrolling": "Đang kết nối với máy chủ…",
    "enrolled": "Đã kết nối: {name} của {commune}. Đang đồng bộ lần đầu…",
    "flags_title": "Cảnh báo cần xử lý",
    "flags_intro": "Những bước mà dữ liệu từ các máy khác cho thấy không áp dụng được như đã ghi (ví dụ hai quầy cùng "
                   "xử lý một hồ sơ khi mất mạng). Nhấp đúp để mở hồ sơ; ghi nhận cách xử lý khi đã kiểm tra.",
    "col_time": "Thời điểm", "col_code": "Mã hồ sơ", "col_kind": "Loại", "col_message": "Nội dung",
    "open": "Mở hồ sơ", "resolve": "Ghi nhận đã xử lý…", "close": "Đóng", "none": "Không có cảnh báo nào cần xử lý.",
}


class SyncWorker(QObject):
    """Runs sync rounds for the counter window; emits `status(SyncStatus, running)` after each."""

    status = Signal(object, bool)
    round_done = Signal(object)  # SyncReport or SyncError

    IDLE_MS = 5 * 60 * 1000
    SOON_MS = 2000
    BACKOFF_MIN_S, BACKOFF_MAX_S = 30, 30 * 60

    def __init__(self, db, parent: QObject | None = None, *, client: sync.ClientFactory = sync.default_client):
        super().__init__(parent)
        self.db = db
        self.client = client  # how to reach the server (tests pass an in-process one)
        self.running = False
        self.failures = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._tick)
        self.last = None

    def start(self) -> None:
        self.refresh()
        self.timer.start(self.SOON_MS)

    def refresh(self) -> None:
        db = self.db
        run_in_thread(lambda: sync.status(db), lambda st: self._show(st), lambda exc: None, parent=self,
                      name="sync_status")

    def _show(self, st) -> None:
        self.last = st
        self.status.emit(st, self.running)

    def data_changed(self) -> None:
        """Something was written: if it left events unsent, send them in a moment."""
        if self.last is not None and self.last.enrolled and not self.running:
            self.timer.start(self.SOON_MS)
        else:
            self.refresh()

    def _tick(self) -> None:
        """The timer's round: none while this PC is not connected to a server (it only looks again)."""
        if self.last is not None and not self.last.enrolled:
            self.refresh()
            self.timer.start(self.IDLE_MS)
            return
        self.sync_now()

    def sync_now(self) -> None:
        """A round at once (the status item, the menu, right after enrolment)."""
        if self.running:
            return
        self.running = True
        if self.last is not None:
            self.status.emit(self.last, True)
        db, client = self.db, self.client
        run_in_thread(lambda: sync.SyncClient(db, client=client).sync_once(), self._done, self._failed, parent=self,
                      name="sync_once")

    def _done(self, report) -> None:
        self.running = False
        self.failures = 0
        self.round_done.emit(report)
        self.refresh()
        self.timer.start(self.SOON_MS if report.unsent else self.IDLE_MS)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.failures += 1
        self.round_done.emit(exc)
        self.refresh()
        wait = min(self.BACKOFF_MAX_S, self.BACKOFF_MIN_S * 2 ** (self.failures - 1))
        self.timer.start(int(wait * random.uniform(0.8, 1.2) * 1000))

    def stop(self) -> None:
        self.timer.stop()


def _when(dt: datetime | None) -> str:
    if dt is None:
        return ""
    local = dt.astimezone(TZ)
    today = datetime.now(TZ).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%H:%M %d/%m}"


class SyncStatusItem(QPushButton):
    """The status bar's sync item: online/offline, unsent count, last success; click: sync now."""

    def __init__(self, worker: SyncWorker, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.worker = worker
        worker.status.connect(self.show_status)
        self.clicked.connect(worker.sync_now)
        self.setText(T["not_enrolled"])
        self.hide()  # a counter that works alone has nothing to say here (Hệ thống › Kết nối… enrols it)

    def show_status(self, st, running: bool) -> None:
        if not st.enrolled:
            self.setText(T["not_enrolled"])
            self.setToolTip("")
            self.hide()
            return
        self.show()
        if running:
            head = T["running"]
        elif st.last_error:
            head = T["offline"]
        elif st.last_success_at:
            head = T["ok"].format(when=_when(st.last_success_at))
        else:
            head = T["never"]
        text = head + (" · " + T["unsent"].format(n=thousands(st.unsent)) if st.unsent else "")
        self.setText(("● " if not st.last_error else "○ ") + text)
        color = "#2e7d32" if not st.last_error and not st.unsent else "#b26a00" if not st.last_error else "#c62828"
        self.setStyleSheet(f"color: {color}; font-weight: 600;")
        tips = [T["tip_server"].format(url=st.server_url)]
        if st.unsent:
            tips.append(T["tip_unsent"].format(n=thousands(st.unsent)))
        elif st.last_success_at:
            tips.append(T["tip_ok"].format(when=_when(st.last_success_at)))
        if st.last_error:
            tips.append(T["tip_error"].format(error=st.last_error))
        self.setToolTip("\n".join(tips))


class EnrollDialog(QDialog):
    """Server address and one-time code; enrols in a worker, then asks the worker for a first round."""

    enrolled = Signal(object)  # EnrollResponse

    def __init__(self, db, parent: QWidget | None = None, *, client: sync.ClientFactory = sync.default_client):
        super().__init__(parent)
        self.db = db
        self.client = client
        self.setWindowTitle(T["enroll_title"])
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        intro = QLabel(T["enroll_intro"])
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.server = QLineEdit()
        self.server.setPlaceholderText(T["server_ph"])
        self.code = QLineEdit()
        self.code.setPlaceholderText(T["code_ph"])
        form.addRow(T["server"], self.server)
        form.addRow(T["code"], self.code)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(T["enroll_ok"])
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(T["cancel"])
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def submit(self) -> None:
        self.ok.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(T["enrolling"])
        db, url, code, client = self.db, self.server.text(), self.code.text(), self.client
        run_in_thread(lambda: sync.enroll(db, server_url=url, code=code, client=client), self._done, self._failed,
                      parent=self, name="enroll")

    def _done(self, got) -> None:
        self.message.setText(T["enrolled"].format(name=got.name, commune=got.commune_name))
        self.enrolled.emit(got)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.message.setStyleSheet("color: #c62828;")
        self.message.setText(exc.message if isinstance(exc, ServiceError) else str(exc))


class FlagsDialog(QDialog):
    """Open flags of this file's dossiers; double-click opens the dossier, where it is resolved."""

    open_dossier = Signal(str)

    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.items: list[FlagItem] = []
        self.setWindowTitle(T["flags_title"])
        self.resize(980, 480)
        lay = QVBoxLayout(self)
        intro = QLabel(T["flags_intro"])
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([T["col_time"], T["col_code"], T["col_kind"], T["col_message"]])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _c: self._open(row))
        lay.addWidget(self.table, 1)
        self.empty = QLabel(T["none"])
        lay.addWidget(self.empty)
        row = QHBoxLayout()
        self.open_button = QPushButton(T["open"])
        self.open_button.clicked.connect(lambda: self._open(self.table.currentRow()))
        row.addWidget(self.open_button)
        row.addStretch(1)
        close = QPushButton(T["close"])
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay.addLayout(row)
        self.reload()

    def reload(self) -> None:
        db = self.db
        run_in_thread(lambda: list_flags(db), self._loaded, lambda exc: None, parent=self, name="list_flags")

    def _loaded(self, items: list[FlagItem]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for r, f in enumerate(items):
            for c, text in enumerate((f"{f.raised_at:%H:%M %d/%m/%Y}", f.code, f.kind_text, f.message)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        self.empty.setVisible(not items)
        self.open_button.setEnabled(bool(items))

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.items):
            self.open_dossier.emit(self.items[row].code or self.items[row].dossier_id)
