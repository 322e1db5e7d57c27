"""Starting the counter: open the device's database, sign in, show the counter window, run until quit."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox

from app.services.database import Database
from app.services.errors import ServiceError
from ui.app import create_application
from ui.counter_window import CounterWindow
from ui.login import LoginDialog

# --- every user-visible text of the start-up ---------------------------------------------------------
T = {
    "open_failed_title": "MotCua – Không mở được dữ liệu",
    "open_failed": "Không mở được tệp dữ liệu {path}.\n\n{msg}",
    "ok": "Đóng",
}


def run_counter(db_path: str | Path, *, username: str | None = None) -> int:
    """The counter program: returns the process exit code (0 after a normal quit)."""
    app = create_application(sys.argv)
    try:
        db = Database(db_path)
    except ServiceError as exc:
        box = QMessageBox(QMessageBox.Icon.Critical, T["open_failed_title"],
                          T["open_failed"].format(path=db_path, msg=exc.message), QMessageBox.StandardButton.Ok)
        box.button(QMessageBox.StandardButton.Ok).setText(T["ok"])
        box.exec()
        return 2
    try:
        while True:
            login = LoginDialog(db, username=username)
            if login.exec() != QDialog.DialogCode.Accepted or login.user is None:
                return 0
            username = login.user.username
            window = CounterWindow(db, login.user)
            state = {"logout": False}
            window.logged_out.connect(lambda s=state: s.update(logout=True))
            window.showMaximized()  # a counter PC's screen belongs to the counter
            app.exec()
            window.deleteLater()
            if not state["logout"]:
                return 0
    finally:
        from ui.workers import wait_idle

        wait_idle(5000)
        db.close()
