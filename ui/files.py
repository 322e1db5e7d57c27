"""Saving files the clerk chose: the save dialog in Vietnamese and write errors a clerk can act on."""

from __future__ import annotations

import errno
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

T = {
    "save": "Lưu",
    "cancel": "Hủy",
    "file_name": "Tên tệp:",
    "file_type": "Loại tệp:",
    "look_in": "Thư mục:",
    "disk_full": "Không ghi được tệp {path}: ổ đĩa đã đầy. Hãy giải phóng dung lượng hoặc chọn ổ đĩa khác "
                 "rồi lưu lại.",
    "read_only": "Không ghi được tệp {path}: không có quyền ghi vào thư mục {folder}. Hãy chọn thư mục khác "
                 "(ví dụ Tài liệu) rồi lưu lại.",
    "failed": "Không ghi được tệp {path}: {msg}. Hãy chọn thư mục khác hoặc đóng tệp nếu nó đang mở trong Excel.",
}


def documents_folder() -> Path:
    """The user's Documents folder, or home when it does not exist (Qt would fall back to the current folder)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


def save_dialog(parent: QWidget, title: str, default_name: str, name_filter: str) -> QFileDialog:
    """Qt's own save dialog (a native one would speak the system's language), labelled in Vietnamese."""
    dlg = QFileDialog(parent, title, str(documents_folder() / default_name), name_filter)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dlg.setFileMode(QFileDialog.FileMode.AnyFile)
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dlg.setDefaultSuffix(Path(default_name).suffix.lstrip("."))
    for label, key in ((QFileDialog.DialogLabel.Accept, "save"), (QFileDialog.DialogLabel.Reject, "cancel"),
                       (QFileDialog.DialogLabel.FileName, "file_name"),
                       (QFileDialog.DialogLabel.FileType, "file_type"), (QFileDialog.DialogLabel.LookIn, "look_in")):
        dlg.setLabelText(label, T[key])
    return dlg


def ask_save_path(parent: QWidget, title: str, default_name: str, name_filter: str) -> str | None:
    """The chosen path, or None when the clerk cancels (modal)."""
    dlg = save_dialog(parent, title, default_name, name_filter)
    if dlg.exec() != QFileDialog.DialogCode.Accepted or not dlg.selectedFiles():
        return None
    return dlg.selectedFiles()[0]


def write_error_text(exc: OSError, path: Path | str) -> str:
    path = Path(path)
    if exc.errno == errno.ENOSPC:
        return T["disk_full"].format(path=path)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return T["read_only"].format(path=path, folder=path.parent)
    return T["failed"].format(path=path, msg=exc.strerror or exc)


def write_bytes(path: str | Path, data: bytes) -> str:
    """Write a file (safe in a worker); an OSError comes back carrying a sentence a clerk understands."""
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise OSError(write_error_text(exc, path)) from exc  # str(exc) is the sentence itself
    return str(path)
