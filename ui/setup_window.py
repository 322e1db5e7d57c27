"""The first run of a counter PC: set up a new office (names on the forms, agency code, place, office hours,
this device's slot, the first administrator), or enrol the PC with the province's server with a one-time
code. Nothing is written until the person presses the button; the work runs in a worker."""

from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import agency_code_problem
from app.services.errors import ServiceError
from app.services.inputs import name_problem, username_problem
from app.services.setup import StaffAccount, check_setup, create_office_file, enroll_new_file
from ui.app import create_application, fit_to_screen
from ui.workers import run_in_thread

# --- every user-visible text of this window ----------------------------------------------------------
T = {
    "title": "MotCua – Thiết lập máy mới",
    "intro": "Máy này chưa có dữ liệu của đơn vị nào. Thiết lập một đơn vị mới, hoặc kết nối máy với máy chủ của "
             "tỉnh nếu tỉnh đã cấp mã đăng ký cho máy này.<br>Dữ liệu sẽ lưu tại: <b>{path}</b>",
    "tab_new": "Đơn vị mới",
    "tab_enroll": "Kết nối máy chủ tỉnh",
    "office": "Đơn vị (in trên mọi biểu mẫu)",
    "agency_code": "Mã định danh điện tử",
    "agency_ph": "ví dụ 000.17.22.H56",
    "agency_hint": "Theo QCVN 102:2016; nằm trong mọi mã hồ sơ, không đổi được sau này.",
    "agency_note": "Mã định danh điện tử lấy từ Văn phòng UBND tỉnh hoặc Sở Khoa học và Công nghệ; nó đứng đầu mọi "
                   "mã hồ sơ nên không đổi được sau khi thiết lập. Các tên in trên biểu mẫu đổi được sau này trong "
                   "Quản trị hệ thống.",
    "agency_short": "Chưa đúng dạng QCVN 102:2016: bốn nhóm 3, 2, 2, 3 chữ số hoặc chữ in hoa, cách nhau bởi dấu "
                    "chấm, ví dụ 000.17.22.H56.",
    "parent_body": "Cơ quan chủ quản",
    "parent_ph": "Ủy ban nhân dân xã Tân Hưng",
    "center_name": "Tên trung tâm / bộ phận",
    "center_ph": "Trung tâm Phục vụ hành chính công xã Tân Hưng",
    "place_name": "Địa danh (ghi ngày tháng)",
    "place_ph": "Tân Hưng",
    "commune_name": "Tên xã, phường",
    "commune_ph": "xã Tân Hưng",
    "province_name": "Tỉnh, thành phố",
    "province_ph": "tỉnh Đồng Nai",
    "contact_phone": "Điện thoại của quầy",
    "phone_ph": "0251 3861 234 (in trên phiếu hướng dẫn)",
    "lookup_url_template": "Địa chỉ tra cứu (QR)",
    "lookup_ph": "https://dichvucong.tinh.gov.vn/tra-cuu/{code} (có thể để trống)",
    "hours": "Giờ làm việc",
    "morning": "Buổi sáng",
    "afternoon": "Buổi chiều",
    "cutoff": "Nhận hồ sơ trong ngày đến",
    "to": "đến",
    "device": "Máy này",
    "slot": "Số hiệu máy",
    "slot_hint": "Mỗi máy của đơn vị một số 1–9, không bao giờ dùng lại: số này đứng đầu số thứ tự của mọi mã hồ "
                 "sơ máy này cấp.",
    "device_name": "Tên máy",
    "admin": "Quản trị hệ thống đầu tiên",
    "username": "Tên đăng nhập",
    "username_ph": "ví dụ quantri",
    "full_name": "Họ tên",
    "password": "Mật khẩu",
    "password2": "Nhập lại mật khẩu",
    "create": "Thiết lập",
    "demo": "Dùng thử xã mẫu",
    "quit": "Thoát",
    "working": "Đang thiết lập (tạo dữ liệu, nạp danh mục thủ tục)…",
    "enroll_intro": "Quản trị máy chủ của tỉnh cấp cho mỗi máy một mã đăng ký dùng một lần (motcua server "
                    "enrol-code). Máy nhận tên đơn vị, số hiệu máy, danh mục, lịch và tài khoản cán bộ từ máy chủ; "
                    "sau đó đăng nhập bằng tài khoản do tỉnh hoặc quản trị xã cấp.",
    "server": "Địa chỉ máy chủ",
    "server_ph": "https://motcua.tinh.gov.vn",
    "code": "Mã đăng ký",
    "code_ph": "ví dụ ABCD-EFGH-JKLM",
    "enroll": "Kết nối",
    "enrolling": "Đang kết nối với máy chủ và nhận dữ liệu của xã…",
    "enrolled": "Đã kết nối: {name} của {commune}.",
    "need_password": "Mật khẩu cần ít nhất 6 ký tự.",
    "mismatch": "Hai lần nhập mật khẩu không giống nhau.",
    "need_name": "Cần nhập họ tên quản trị hệ thống.",
    "failed_title": "Chưa thiết lập được",
}
FIELDS = ("agency_code", "parent_body", "center_name", "place_name", "commune_name", "province_name",
          "contact_phone", "lookup_url_template")
PLACEHOLDERS = {"agency_code": "agency_ph", "parent_body": "parent_ph", "center_name": "center_ph",
                "place_name": "place_ph", "commune_name": "commune_ph", "province_name": "province_ph",
                "contact_phone": "phone_ph", "lookup_url_template": "lookup_ph"}


def _error_label() -> QLabel:
    label = QLabel("")
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    label.hide()
    return label


def _time(text: str) -> QTimeEdit:
    edit = QTimeEdit(QTime.fromString(text, "HH:mm"))
    edit.setDisplayFormat("HH:mm")
    edit.setButtonSymbols(QTimeEdit.ButtonSymbols.NoButtons)  # typed: 0730 → 07:30
    edit.setMinimumWidth(70)
    return edit


class SlotBox(QComboBox):
    """The slot 1–9 as a drop-down (its value like a spin box's)."""

    valueChanged = Signal(int)

    def __init__(self):
        super().__init__()
        self.addItems([str(n) for n in range(1, 10)])
        self.currentIndexChanged.connect(lambda i: self.valueChanged.emit(i + 1))

    def value(self) -> int:
        return self.currentIndex() + 1

    def setValue(self, n: int) -> None:  # noqa: N802 - like QSpinBox
        self.setCurrentIndex(n - 1)


class SetupWindow(QDialog):
    """Accepts once the file holds an office (`self.username`: the account to sign in with, if known).
    `demo_requested` when the person would rather try the demo commune."""

    demo_requested = Signal()

    def __init__(self, db_path: Path, parent: QWidget | None = None, *, client=None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.client = client  # how to reach the server (tests pass an in-process one)
        self.username: str | None = None
        self.busy = False
        self.setWindowTitle(T["title"])
        self.setObjectName("setupWindow")
        intro = QLabel(T["intro"].format(path=html.escape(str(self.db_path))))
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._new_office_page(), T["tab_new"])
        self.tabs.addTab(self._enroll_page(), T["tab_enroll"])
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.create_button = QPushButton(T["create"])
        self.create_button.setObjectName("primary")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.submit)
        self.demo_button = QPushButton(T["demo"])
        self.demo_button.clicked.connect(self._demo)
        self.quit_button = QPushButton(T["quit"])
        self.quit_button.clicked.connect(self.reject)
        self.tabs.currentChanged.connect(self._tab_changed)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.demo_button)
        bar.addWidget(self.create_button)
        bar.addWidget(self.quit_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(intro)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(bar)
        fit_to_screen(self, 1180, 700)
        self.edits["agency_code"].setFocus()

    # --- the new office page --------------------------------------------------------------------------
    def _new_office_page(self) -> QWidget:
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        office = QGroupBox(T["office"])
        form = QFormLayout(office)
        for key in FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(T[PLACEHOLDERS[key]])
            self.edits[key] = edit
            self.errors[key] = _error_label()
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(edit)
            box.addWidget(self.errors[key])
            form.addRow(T[key], box)
        self.edits["agency_code"].setToolTip(T["agency_hint"])
        note = QLabel(T["agency_note"])
        note.setObjectName("hint")
        note.setWordWrap(True)
        form.addRow("", note)
        self.edits["agency_code"].textEdited.connect(self._check_agency)
        self.edits["place_name"].textEdited.connect(self._suggest_names)

        hours = QGroupBox(T["hours"])
        grid = QGridLayout(hours)
        self.morning = (_time("07:00"), _time("11:30"))
        self.afternoon = (_time("13:30"), _time("17:00"))
        self.cutoff = _time("15:00")
        for row, (label, pair) in enumerate(((T["morning"], self.morning), (T["afternoon"], self.afternoon))):
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(pair[0], row, 1)
            grid.addWidget(QLabel(T["to"]), row, 2)
            grid.addWidget(pair[1], row, 3)
        grid.addWidget(QLabel(T["cutoff"]), 2, 0)
        grid.addWidget(self.cutoff, 2, 1)
        self.errors["office_hours"] = _error_label()
        grid.addWidget(self.errors["office_hours"], 3, 0, 1, 4)
        grid.setColumnStretch(4, 1)

        device = QGroupBox(T["device"])
        dform = QFormLayout(device)
        self.slot = SlotBox()
        self.slot.setMaximumWidth(90)
        self.device_name = QLineEdit("Quầy 1")
        self.slot.valueChanged.connect(lambda n: self.device_name.setText(f"Quầy {n}")
                                       if self.device_name.text().startswith("Quầy ") else None)
        hint = QLabel(T["slot_hint"])
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.errors["slot"] = _error_label()
        dform.addRow(T["slot"], self.slot)
        dform.addRow("", hint)
        dform.addRow(T["device_name"], self.device_name)

        admin = QGroupBox(T["admin"])
        aform = QFormLayout(admin)
        self.admin_user = QLineEdit("quantri")
        self.admin_user.setPlaceholderText(T["username_ph"])
        self.admin_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors["admin"] = _error_label()
        aform.addRow(T["username"], self.admin_user)
        aform.addRow(T["full_name"], self.admin_name)
        aform.addRow(T["password"], self.password)
        aform.addRow(T["password2"], self.password2)
        aform.addRow("", self.errors["admin"])

        left = QVBoxLayout()
        left.addWidget(office)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(hours)
        right.addWidget(device)
        right.addWidget(admin)
        right.addStretch(1)
        page = QWidget()
        row = QHBoxLayout(page)
        row.addLayout(left, 11)
        row.addLayout(right, 9)
        return page

    def _check_agency(self, text: str) -> None:
        problem = agency_code_problem(text.strip().upper()) if text.strip() else None
        self._show("agency_code", T["agency_short"] if problem else "")

    def _suggest_names(self, place: str) -> None:
        """Typing the place fills the names still empty the usual way ("xã <place>"); each stays editable."""
        place = place.strip()
        if not place:
            return
        for key, text in (("parent_body", f"Ủy ban nhân dân xã {place}"),
                          ("center_name", f"Trung tâm Phục vụ hành chính công xã {place}"),
                          ("commune_name", f"xã {place}")):
            edit = self.edits[key]
            if not edit.text() or edit.property("suggested"):
                edit.setText(text)
                edit.setProperty("suggested", True)
        for key in ("parent_body", "center_name", "commune_name"):
            self.edits[key].textEdited.connect(lambda _t, e=self.edits[key]: e.setProperty("suggested", False))

    def _show(self, key: str, message: str) -> None:
        label = self.errors[key]
        label.setText(message)
        label.setVisible(bool(message))

    def settings(self) -> dict[str, object]:
        values: dict[str, object] = {k: self.edits[k].text().strip() for k in FIELDS}
        values["agency_code"] = str(values["agency_code"]).upper()
        values["office_hours"] = {"morning": [t.time().toString("HH:mm") for t in self.morning],
                                  "afternoon": [t.time().toString("HH:mm") for t in self.afternoon],
                                  "same_day_cutoff": self.cutoff.time().toString("HH:mm")}
        return values

    def problems(self) -> dict[str, str]:
        """Every field's problem at once (nothing is written while there is one)."""
        problems = check_setup(self.settings(), slot=self.slot.value())
        if "agency_code" in problems:
            problems["agency_code"] = T["agency_short"]
        admin = []
        if m := username_problem(self.admin_user.text().strip().lower()):
            admin.append(m)
        if not self.admin_name.text().strip():
            admin.append(T["need_name"])
        elif m := name_problem(self.admin_name.text().strip(), "Họ tên quản trị"):
            admin.append(m)
        if len(self.password.text()) < 6:
            admin.append(T["need_password"])
        elif self.password.text() != self.password2.text():
            admin.append(T["mismatch"])
        if admin:
            problems["admin"] = " ".join(admin)
        return problems

    def submit(self) -> None:
        if self.busy:
            return
        if self.tabs.currentIndex() == 1:
            self.enroll()
            return
        problems = self.problems()
        for key in self.errors:
            self._show(key, problems.get(key, ""))
        if problems:
            first = next(k for k in (*FIELDS, "office_hours", "admin") if k in problems)
            (self.edits.get(first) or self.admin_user).setFocus()
            return
        self._busy(T["working"])
        path, settings, slot, name = self.db_path, self.settings(), self.slot.value(), self.device_name.text().strip()
        admin = StaffAccount(self.admin_user.text().strip().lower(), self.admin_name.text().strip(),
                             self.password.text(), "admin", "Quản trị hệ thống")
        run_in_thread(lambda: create_office_file(path, settings=settings, slot=slot, device_name=name or f"Quầy {slot}",
                                                 admin=admin),
                      self._created, self._failed, parent=self, name="setup_office")

    def _created(self, admin) -> None:
        self.busy = False
        self.username = admin.username
        self.accept()

    # --- enrolment --------------------------------------------------------------------------------------
    def _enroll_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(T["enroll_intro"])
        intro.setWordWrap(True)
        form = QFormLayout()
        self.server = QLineEdit()
        self.server.setPlaceholderText(T["server_ph"])
        self.code = QLineEdit()
        self.code.setPlaceholderText(T["code_ph"])
        form.addRow(T["server"], self.server)
        form.addRow(T["code"], self.code)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addStretch(1)
        return page

    def _tab_changed(self, index: int) -> None:
        self.create_button.setText(T["enroll"] if index == 1 else T["create"])

    def enroll(self) -> None:
        self._busy(T["enrolling"])
        path, url, code, client = self.db_path, self.server.text(), self.code.text(), self.client
        run_in_thread(lambda: enroll_new_file(path, server_url=url, code=code, client=client), self._enrolled,
                      self._failed, parent=self, name="enroll_new_file")

    def _enrolled(self, got) -> None:
        self.busy = False
        self.status.setText(T["enrolled"].format(name=got.name, commune=got.commune_name))
        self.accept()

    # --- common -----------------------------------------------------------------------------------------
    def _busy(self, text: str) -> None:
        self.busy = True
        self.status.setStyleSheet("")
        self.status.setText(text)
        for b in (self.create_button, self.demo_button):
            b.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        for b in (self.create_button, self.demo_button):
            b.setEnabled(True)
        message = exc.message if isinstance(exc, ServiceError) else f"Lỗi ngoài dự kiến ({type(exc).__name__})."
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(message)

    def _demo(self) -> None:
        self.demo_requested.emit()
        self.done(2)


def run_setup(db_path: Path) -> int:
    """The set-up window, then the counter on the new file (or the demo commune, if asked)."""
    app = create_application(sys.argv)
    from ui.error_dialog import install_error_reporter

    install_error_reporter(app)
    window = SetupWindow(db_path)
    result = window.exec()
    if result == 2:
        from ui.cli import main

        return main(["demo"])
    if result != QDialog.DialogCode.Accepted:
        return 0
    del app
    from ui.counter_app import run_counter

    return run_counter(db_path, username=window.username)


__all__ = ["QMessageBox", "SetupWindow", "run_setup"]
