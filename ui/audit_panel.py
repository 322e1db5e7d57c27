"""The audit trail on screen (administrators and leaders): who viewed, printed or exported what, and who changed
what, filtered by days, kind, person and words. Read-only: nothing here edits or removes a line."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
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
from app.services import audit
from app.services.errors import ServiceError
from ui.app import fit_to_screen
from ui.workers import run_in_thread

T = {
    "title": "MotCua – Nhật ký truy cập và thay đổi",
    "intro": "Ai đã xem, in, xuất dữ liệu hồ sơ và báo cáo, ai đã thay đổi gì, lúc nào, ở máy nào. Nhật ký chỉ được "
             "ghi thêm, không sửa hay xóa được từ chương trình.",
    "from": "Từ ngày",
    "to": "đến",
    "kind": "Loại",
    "person": "Người",
    "everyone": "Mọi người",
    "text": "Tìm",
    "text_ph": "mã hồ sơ, tên đăng nhập, việc… (không cần dấu)",
    "show": "Xem",
    "loading": "Đang đọc nhật ký…",
    "count": "{n} dòng",
    "capped": "{n} dòng mới nhất (thu hẹp khoảng ngày để xem các dòng cũ hơn)",
    "none": "Không có dòng nào trong khoảng này.",
    "failed": "Không đọc được nhật ký: {msg}",
    "cols": ("Thời điểm", "Người", "Máy", "Việc", "Đối tượng", "Mã / tên", "Chi tiết"),
    "close": "Đóng",
}


class AuditPanel(QWidget):
    """`loaded(int)` after each read. Reads run in a worker; `lines` holds what is shown."""

    loaded = Signal(int)

    def __init__(self, db, user, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self.lines: list[audit.AuditLine] = []
        self.loading = False
        today = db.clock().astimezone(TZ).date()
        intro = QLabel(T["intro"])
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.date_from = QDateEdit(QDate(today - timedelta(days=6)))
        self.date_to = QDateEdit(QDate(today))
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("dd/MM/yyyy")
        self.kind = QComboBox()
        for key, text in audit.KINDS.items():
            self.kind.addItem(text, key)
        self.person = QComboBox()
        self.person.addItem(T["everyone"], None)
        self.person.setMinimumContentsLength(18)
        self.text = QLineEdit()
        self.text.setPlaceholderText(T["text_ph"])
        self.text.returnPressed.connect(self.reload)
        self.show_button = QPushButton(T["show"])
        self.show_button.setObjectName("primary")
        self.show_button.clicked.connect(self.reload)
        row = QHBoxLayout()
        for w in (QLabel(T["from"]), self.date_from, QLabel(T["to"]), self.date_to, QLabel(T["kind"]), self.kind,
                  QLabel(T["person"]), self.person, QLabel(T["text"])):
            row.addWidget(w)
        row.addWidget(self.text, 1)
        row.addWidget(self.show_button)
        self.table = QTableWidget(0, len(T["cols"]))
        self.table.setHorizontalHeaderLabels(list(T["cols"]))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for c in range(len(T["cols"]) - 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(T["cols"]) - 1, QHeaderView.ResizeMode.Stretch)
        self.count = QLabel("")
        self.count.setObjectName("hint")
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(row)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count)
        self._load_people()

    def _load_people(self) -> None:
        db, user = self.db, self.user
        run_in_thread(lambda: audit.people(db, user), self._people, lambda _e: None, parent=self, name="audit_people")

    def _people(self, people: list[tuple[str, str]]) -> None:
        for account_id, label in people:
            self.person.addItem(label, account_id)

    def reload(self) -> None:
        self.loading = True
        self.count.setText(T["loading"])
        db, user = self.db, self.user
        f, t = self.date_from.date().toPython(), self.date_to.date().toPython()
        kind, person, text = self.kind.currentData(), self.person.currentData(), self.text.text()
        run_in_thread(lambda: audit.trail(db, user, date_from=f, date_to=t, kind=kind, actor_id=person, text=text),
                      self._loaded, self._failed, parent=self, name="audit_trail")

    def _loaded(self, lines: list[audit.AuditLine]) -> None:
        self.loading = False
        self.lines = lines
        self.table.setRowCount(len(lines))
        for r, x in enumerate(lines):
            for c, value in enumerate((f"{x.at:%d/%m/%Y %H:%M}", x.actor_name, x.device, x.action, x.subject,
                                       x.ref, x.detail)):
                item = QTableWidgetItem(value)
                if c == 6:
                    item.setToolTip(value)
                self.table.setItem(r, c, item)
        if not lines:
            self.count.setText(T["none"])
        else:
            self.count.setText((T["capped"] if len(lines) >= audit.MAX_LINES else T["count"]).format(n=len(lines)))
        self.loaded.emit(len(lines))

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.count.setText(T["failed"].format(msg=exc.message if isinstance(exc, ServiceError) else exc))
        self.loaded.emit(-1)

    def row_texts(self, row: int) -> list[str]:
        return [self.table.item(row, c).text() for c in range(self.table.columnCount())]


class AuditDialog(QDialog):
    """The audit trail on its own, for a leader (an administrator has it as a tab of the administration)."""

    def __init__(self, db, user, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(T["title"])
        self.panel = AuditPanel(db, user, self)
        close = QPushButton(T["close"])
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.panel, 1)
        lay.addLayout(bar)
        fit_to_screen(self, 1240, 660)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.panel.reload()
