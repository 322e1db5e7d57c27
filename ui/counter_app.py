"""Starting the counter: open the device's database, sign in, show the counter window, run until quit."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.services.database import Database
from app.services.errors import ServiceError
from ui.app import create_application
from ui.counter_window import CounterWindow
from ui.error_dialog import install_error_reporter
from ui.login import LoginDialog

# --- every user-visible text of the start-up ---------------------------------------------------------
T = {
    "open_failed_title": "MotCua – Không mở được dữ liệu",
    "open_failed": "Không mở được tệp dữ liệu {path}.\n\n{msg}",
    "ok": "Đóng",
    "restore_title": "MotCua – Khôi phục dữ liệu",
    "restoring": "Đang khôi phục dữ liệu từ bản sao lưu {name} theo yêu cầu của {who}…",
    "restored": "Đã khôi phục dữ liệu từ bản sao lưu {name}. Tệp trước đó được giữ tại {kept}{recovered}.",
    "recovered": "; {n} thay đổi mới hơn bản sao lưu đã được lấy lại từ tệp đó",
    "restore_failed": "Chưa khôi phục được từ {name}: {msg}\n\nDữ liệu hiện tại không bị thay đổi.",
}


def _restore_if_asked(db_path: Path) -> None:
    """An administrator chose a backup in the administration window: put it back now, before the file opens."""
    from app.services.backups import apply_pending_restore, pending_restore

    pending = pending_restore(db_path)
    if pending is None:
        return
    name = pending.backup.name
    note = QMessageBox(QMessageBox.Icon.Information, T["restore_title"],
                       T["restoring"].format(name=name, who=pending.actor_name or "quản trị"), QMessageBox.StandardButton.NoButton)
    note.show()
    QApplication.processEvents()
    try:
        _pending, result = apply_pending_restore(db_path)
        recovered = T["recovered"].format(n=result.recovered) if result.recovered else ""
        text, icon = T["restored"].format(name=name, kept=result.kept, recovered=recovered), QMessageBox.Icon.Information
    except ServiceError as exc:
        text, icon = T["restore_failed"].format(name=name, msg=exc.message), QMessageBox.Icon.Critical
    note.close()
    box = QMessageBox(icon, T["restore_title"], text, QMessageBox.StandardButton.Ok)
    box.button(QMessageBox.StandardButton.Ok).setText(T["ok"])
    box.exec()


def run_counter(db_path: str | Path, *, username: str | None = None) -> int:
    """The counter program: returns the process exit code (0 after a normal quit)."""
    app = create_application(sys.argv)
    install_error_reporter(app)
    _restore_if_asked(Path(db_path))
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
