"""The clerk signs in: office name, username, password; a wrong password is said under the fields."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.access import Permission
from app.services.database import Database
from app.services.errors import ServiceError
from app.services.settings import OfficeSettings, read_settings
from app.services.users import UserInfo, login

# --- every user-visible text of this dialog ----------------------------------------------------------
T = {
    "title": "MotCua – Đăng nhập",
    "heading": "Bộ phận Một cửa",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    "login": "Đăng nhập",
    "quit": "Thoát",
    "username_ph": "ví dụ: canbo1",
    "settings_failed": "Không đọc được thiết lập đơn vị: {msg}",
}


def office_settings(db: Database) -> OfficeSettings:
    """The office's names for headings."""
    return read_settings(db)


class LoginDialog(QDialog):
    """Accepts with `.user` set to the signed-in UserInfo; "Thoát" rejects."""

    def __init__(self, db: Database, *, username: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.user: UserInfo | None = None
        self.setWindowTitle(T["title"])
        self.setObjectName("loginDialog")

        try:
            settings = office_settings(db)
            parent_body, center = settings.parent_body, settings.center_name
        except ServiceError as exc:
            parent_body, center = "", T["settings_failed"].format(msg=exc.message)
        self.parent_label = QLabel(parent_body.upper())
        self.parent_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.office_label = QLabel(center)
        self.office_label.setObjectName("officeName")
        self.office_label.setWordWrap(True)
        self.office_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.username = QLineEdit(username or "")
        self.username.setPlaceholderText(T["username_ph"])
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        self.error.hide()

        self.login_button = QPushButton(T["login"])
        self.login_button.setObjectName("primary")
        self.login_button.setDefault(True)
        self.quit_button = QPushButton(T["quit"])
        self.quit_button.setAutoDefault(False)
        self.login_button.clicked.connect(self.try_login)
        self.quit_button.clicked.connect(self.reject)
        self.username.returnPressed.connect(self.password.setFocus)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow(T["username"], self.username)
        form.addRow(T["password"], self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 20)
        layout.setSpacing(10)
        layout.addWidget(self.parent_label)
        layout.addWidget(self.office_label)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)
        (self.password if username else self.username).setFocus()

    def try_login(self) -> None:
        # Argon2 takes about 50 ms: short enough for the main thread, with a busy cursor.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.user = login(self.db, username=self.username.text(), password=self.password.text(),
                              permission=Permission.COUNTER)
        except ServiceError as exc:
            self.user = None
            self.error.setText(exc.message)
            self.error.show()
            self.password.clear()
            self.password.setFocus()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.error.hide()
        self.accept()
