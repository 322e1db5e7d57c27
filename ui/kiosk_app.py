"""Starting the rating kiosk: open the file as its kiosk device (registering one in a counter's file the first
time), link to the counter over the network when the file is a kiosk's own, show the window full screen."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.services.database import Database
from app.services.errors import ServiceError
from app.services.ratings import kiosk_config, kiosk_device_in, local_kiosk_slots
from ui.app import create_application

# --- every user-visible text of the start-up ---------------------------------------------------------------
T = {
    "failed_title": "MotCua – Không mở được máy đánh giá",
    "failed": "Không mở được máy đánh giá với tệp dữ liệu {path}.\n\n{msg}",
    "no_pin": "Chưa đặt mã PIN cán bộ cho máy đánh giá, nên không ai thoát được máy đánh giá. Hãy đặt mã PIN trước "
              "(trên máy quầy: Hệ thống → Thiết lập máy đánh giá, hoặc “motcua admin kiosk-pin --db {path}”), hoặc "
              "mở thử trong cửa sổ thường với --windowed.",
    "ok": "Đóng",
}


def open_kiosk_database(db_path: str | Path, *, counter_slot: int | None = None) -> Database:
    """The file opened as this PC's kiosk; a counter's file gets a kiosk device the first time (same slot as
    the counter it serves)."""
    db = Database(db_path, device_kind="kiosk")
    try:
        kiosk_device_in(db, slot=counter_slot if counter_slot else None)
    except ServiceError:
        db.close()
        raise
    # a counter's file may hold a kiosk per counter slot: this process is the one of --counter
    if counter_slot in local_kiosk_slots(db):
        db.device_slot = counter_slot
        db.forget_device()
    _ = db.device  # fail now, with the message, if there is none
    return db


def make_link(db):
    """The counter link of a kiosk with a file of its own (None when it shares the counter's file)."""
    from app.services.kiosk_link import link_of

    if link_of(db) is None:
        return None
    from ui.kiosk_link import LinkPoller

    return LinkPoller(db)


def run_kiosk(db_path: str | Path, *, counter_slot: int | None = None, windowed: bool = False) -> int:
    app = create_application(sys.argv)
    app.setStyleSheet("")  # the counter's style sheet is for a mouse and 11-point type, not for fingers
    app.setQuitOnLastWindowClosed(True)
    try:
        db = open_kiosk_database(db_path, counter_slot=counter_slot)
        if not windowed and not kiosk_config(db).pin_set:
            raise ServiceError(T["no_pin"].format(path=db_path))
    except ServiceError as exc:
        box = QMessageBox(QMessageBox.Icon.Critical, T["failed_title"],
                          T["failed"].format(path=db_path, msg=exc.message), QMessageBox.StandardButton.Ok)
        box.button(QMessageBox.StandardButton.Ok).setText(T["ok"])
        box.exec()
        return 2
    from ui.kiosk_window import KioskWindow

    window = KioskWindow(db, counter_slot=counter_slot, windowed=windowed, link=make_link(db))
    try:
        if windowed:
            window.resize(1280, 800)
            window.show()
        else:
            window.lock_down()
        return app.exec()
    finally:
        from ui.workers import wait_idle

        wait_idle(5000)
        db.close()
