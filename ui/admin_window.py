"""Administration in the app, for an administrator: the office's settings, printer and paper, the catalogue,
off-days and make-up days, staff accounts, backups, the kiosk and sync, every other setting, and the audit
trail. Every change goes through a service that checks the role and records an event (it reaches the
commune's other devices by sync); reads and writes run in workers."""

from __future__ import annotations

import json
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ, WEEKDAYS, DayKind
from app.services import backups
from app.services.access import ROLES, Permission, require
from app.services.calendar_admin import set_calendar_day
from app.services.catalogue import (
    all_procedures,
    catalogue_summary,
    catalogue_versions,
    import_catalogue_file,
)
from app.services.device_settings import list_devices, read_device_settings, update_device_settings
from app.services.errors import ServiceError
from app.services.settings import DEFAULTS, calendar_of, kiosk_key, read_settings, update_settings
from app.services.users import list_accounts, reset_password, update_account
from app.sync import client as sync
from ui.app import fit_to_screen
from ui.audit_panel import AuditPanel
from ui.workers import run_in_thread

# --- every user-visible text of this window ----------------------------------------------------------
T = {
    "title": "MotCua – Quản trị hệ thống",
    "tab_office": "Đơn vị",
    "tab_print": "Máy in, giấy",
    "tab_catalogue": "Danh mục thủ tục",
    "tab_calendar": "Ngày nghỉ, làm bù",
    "tab_users": "Cán bộ",
    "tab_backup": "Sao lưu",
    "tab_devices": "Máy đánh giá, đồng bộ",
    "tab_other": "Thiết lập khác",
    "tab_audit": "Nhật ký",
    "save": "Lưu thay đổi",
    "saved": "Đã lưu lúc {time}. Các máy khác của đơn vị nhận thay đổi khi đồng bộ.",
    "saving": "Đang lưu…",
    "nothing": "Không có gì thay đổi.",
    "close": "Đóng",
    "cancel": "Hủy",
    "ok": "Đồng ý",
    "failed": "Chưa lưu được: {msg}",
    "agency_fixed": "{code} (nằm trong mọi mã hồ sơ, không đổi được)",
    "hours": "Giờ làm việc",
    "morning": "Buổi sáng",
    "afternoon": "Buổi chiều",
    "to": "đến",
    "cutoff": "Nhận hồ sơ trong ngày đến",
    "paper": "Khổ giấy giấy hẹn (mẫu 01)",
    "copies": "Số liên giấy hẹn",
    "printer": "Máy in của máy này",
    "default_printer": "(máy in mặc định của Windows / hệ thống)",
    "printer_hint": "Khổ giấy và số liên là của cả đơn vị; máy in là riêng của từng máy tính.",
    "catalogue_summary": "Đang dùng danh mục phiên bản “{version}”: {n} thủ tục trong {fields} lĩnh vực{when}.",
    "catalogue_import": "Nạp danh mục từ tệp…",
    "catalogue_pick": "Chọn tệp danh mục thủ tục (JSON)",
    "catalogue_filter": "Tệp danh mục (*.json)",
    "catalogue_done": "Đã nạp danh mục phiên bản “{version}”: {n} thủ tục, {when}. Thủ tục không còn trong danh "
                      "mục mới được ẩn từ ngày đó; hồ sơ đã tiếp nhận giữ tên và thời hạn đã hẹn.",
    "at_once": "áp dụng ngay",
    "from_day": "áp dụng cho hồ sơ tiếp nhận từ ngày {day}",
    "scheduled": " Phiên bản “{version}” ({n} thủ tục) sẽ áp dụng từ ngày {day}.",
    "later": "Áp dụng từ ngày",
    "later_tip": "Bỏ chọn: danh mục mới áp dụng ngay. Chọn: hồ sơ tiếp nhận trước ngày này vẫn dùng danh mục "
                 "đang áp dụng.",
    "day_later": "Tính từ ngày",
    "day_later_tip": "Bỏ chọn: hạn hẹn tính theo quyết định này ngay. Chọn: chỉ hồ sơ tiếp nhận từ ngày này mới "
                     "tính theo quyết định; hồ sơ đã hẹn giữ nguyên thời hạn.",
    "cat_cols": ("Mã", "Thủ tục", "Lĩnh vực", "Thời hạn", "Lệ phí"),
    "year": "Năm",
    "cal_cols": ("Ngày", "Thứ", "Loại", "Lý do", "Theo"),
    "off": "Nghỉ",
    "work": "Làm bù",
    "law": "luật, thông báo của Chính phủ",
    "office_day": "đơn vị / tỉnh quyết định",
    "add_day": "Ghi ngày",
    "day_kind": {"off": "Ngày nghỉ", "work": "Ngày làm bù", "none": "Bỏ quyết định trước"},
    "reason_ph": "Lý do, ví dụ “Nghỉ bù theo Thông báo số 123/TB-UBND”",
    "day_done": "Đã ghi ngày {day}.",
    "day_from": " Hồ sơ tiếp nhận từ ngày {day} tính hạn theo quyết định này; hồ sơ tiếp nhận trước đó giữ nguyên "
                "thời hạn.",
    "user_cols": ("Tên đăng nhập", "Họ tên", "Vai trò", "Chức vụ", "Bộ phận", "Trạng thái"),
    "active": "Đang dùng",
    "locked": "Đã khóa",
    "add_user": "Thêm cán bộ…",
    "edit_user": "Sửa…",
    "reset": "Đặt lại mật khẩu…",
    "lock": "Khóa",
    "unlock": "Mở lại",
    "pick_user": "Hãy chọn một tài khoản trong danh sách.",
    "user_done": "Đã cập nhật tài khoản {name}.",
    "reset_done": "Đã đặt mật khẩu mới cho {name}; hãy báo người đó đổi mật khẩu khi đăng nhập.",
    "backup_last": "Lần sao lưu gần nhất",
    "backup_none": "chưa có",
    "backup_folder": "Thư mục sao lưu",
    "backup_choose": "Chọn…",
    "backup_auto": "Tự động sao lưu mỗi ngày khi chương trình đang chạy",
    "backup_time": "từ",
    "backup_keep": "Giữ lại",
    "backup_keep_suffix": " bản",
    "backup_now": "Sao lưu ngay",
    "backup_running": "Đang sao lưu (vẫn làm việc bình thường được)…",
    "backup_done": "Đã sao lưu vào {path} ({size:.1f} MB).",
    "backup_files": "Các bản sao lưu trong thư mục",
    "restore": "Khôi phục bản đã chọn…",
    "restore_confirm": "Khôi phục dữ liệu từ {name}?\n\nViệc khôi phục làm khi mở lại chương trình: hãy đóng "
                       "MotCua trên máy này (và ki-ốt dùng chung tệp) rồi mở lại. Tệp hiện tại được giữ lại bên cạnh, "
                       "các hồ sơ tiếp nhận sau lần sao lưu được lấy lại từ tệp đó.",
    "restore_yes": "Khôi phục khi mở lại",
    "restore_done": "Sẽ khôi phục từ {name} khi mở lại chương trình. Hãy đóng MotCua và mở lại.",
    "pick_backup": "Hãy chọn một bản sao lưu trong danh sách.",
    "default_folder": "(mặc định: thư mục “sao-luu” cạnh tệp dữ liệu)",
    "sync": "Máy chủ tỉnh",
    "sync_none": "Máy này chưa kết nối máy chủ tỉnh: dữ liệu chỉ ở máy này (hãy sao lưu đều đặn).",
    "sync_ok": "Đã kết nối {url}. Lần đồng bộ gần nhất: {when}; {unsent} thay đổi chờ gửi.",
    "sync_error": "Lỗi lần gần nhất: {error}",
    "enroll": "Kết nối máy chủ tỉnh…",
    "devices": "Các máy của đơn vị",
    "dev_cols": ("Tên máy", "Số hiệu", "Loại", "Ghi vào tệp này"),
    "kind_counter": "Quầy",
    "kind_kiosk": "Máy đánh giá",
    "kiosk_settings": "Thiết lập máy đánh giá và đánh giá hài lòng",
    "other_intro": "Mọi thiết lập khác của đơn vị. Nhấp đúp một dòng để sửa giá trị.",
    "set_cols": ("Thiết lập", "Tên", "Giá trị"),
    "edit_value": "Sửa…",
    "edit_title": "Sửa thiết lập",
    "edit_label": "{label} ({key}):",
    "yes": "có",
    "empty_value": "(để trống: dùng mặc định)",
    "no": "không",
}
# The names of office settings in words (keys from other features are shown by their key when not listed).
SETTING_LABELS = {
    "agency_code": "Mã định danh điện tử",
    "parent_body": "Cơ quan chủ quản",
    "center_name": "Tên trung tâm / bộ phận",
    "place_name": "Địa danh (ghi ngày tháng)",
    "commune_name": "Tên xã, phường",
    "province_name": "Tỉnh, thành phố",
    "office_hours": "Giờ làm việc",
    "lookup_url_template": "Địa chỉ tra cứu (mã QR)",
    "contact_phone": "Điện thoại của quầy",
    "paper_size": "Khổ giấy giấy hẹn",
    "receipt_copies": "Số liên giấy hẹn",
    "rating_scale": "Thang đánh giá hài lòng (3 hoặc 5 mức)",
    "rating_reasons": "Lý do khi chưa hài lòng",
    "rating_after": "Mời đánh giá sau (return / intake)",
    "kiosk_idle_seconds": "Ki-ốt về màn hình chào sau (giây)",
    "kiosk_invite_minutes": "Lời mời đánh giá chờ ở ki-ốt (phút)",
    "kiosk_pin": "Mã PIN cán bộ ở ki-ốt",
    "kiosk_pin_tries": "Số lần nhập sai PIN trước khi khóa",
    "kiosk_pin_lock_minutes": "Thời gian khóa PIN (phút)",
    "kiosk_counters": "Ki-ốt hiện lời mời của quầy nào",
    "kiosk_link_port": "Cổng kết nối ki-ốt trong mạng nội bộ",
    "daybook_close_time": "Giờ chốt sổ hằng ngày",
    "daybook_archive_dir": "Thư mục lưu trữ sổ theo dõi",
    "daybook_closer_role": "Người được chốt sổ (clerk / leader)",
    "daybook_signer_title": "Chức vụ người ký sổ",
    "daybook_signer_name": "Họ tên người ký sổ",
    "daybook_start": "Ngày bắt đầu ghi sổ theo ngày",
}
OFFICE_KEYS = ("parent_body", "center_name", "place_name", "commune_name", "province_name", "contact_phone",
               "lookup_url_template")
ON_PAGES = {"agency_code", *OFFICE_KEYS, "office_hours", "paper_size", "receipt_copies"}


def _now_text() -> str:
    from datetime import datetime

    return f"{datetime.now():%H:%M}"


def _message(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setStyleSheet("color: #c62828;" if error else "color: #2e7d32;")
    label.setText(text)


def _error_text(exc: BaseException) -> str:
    return exc.message if isinstance(exc, ServiceError) else f"lỗi ngoài dự kiến ({type(exc).__name__})"


def _table(columns: tuple[str, ...], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    for c in range(len(columns)):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c == stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[tuple]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(str(value)))


def _time(text: str) -> QTimeEdit:
    edit = QTimeEdit(QTime.fromString(text, "HH:mm"))
    edit.setDisplayFormat("HH:mm")
    edit.setButtonSymbols(QTimeEdit.ButtonSymbols.NoButtons)  # typed: 1145 → 11:45
    edit.setMinimumWidth(70)
    return edit


class _Page(QWidget):
    """A tab: `load()` reads in a worker, `message` says what happened; `busy` while a job runs."""

    def __init__(self, window: AdminWindow):
        super().__init__()
        self.window = window
        self.db, self.user = window.db, window.user
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.busy = False

    def run(self, job, done, *, saving: bool = True) -> None:
        self.busy = True
        if saving:
            _message(self.message, T["saving"])

        def ok(result) -> None:
            self.busy = False
            done(result)

        def failed(exc: BaseException) -> None:
            self.busy = False
            _message(self.message, T["failed"].format(msg=_error_text(exc)), error=True)

        run_in_thread(job, ok, failed, parent=self)

    def load(self) -> None:  # pragma: no cover - every page overrides it
        pass


# --- the office ---------------------------------------------------------------------------------------------


class OfficePage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        self.settings = None
        form = QFormLayout()
        self.agency = QLabel("")
        form.addRow(SETTING_LABELS["agency_code"], self.agency)
        self.edits: dict[str, QLineEdit] = {}
        for key in OFFICE_KEYS:
            self.edits[key] = QLineEdit()
            form.addRow(SETTING_LABELS[key], self.edits[key])
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
        grid.setColumnStretch(4, 1)
        self.save_button = QPushButton(T["save"])
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.save_button)
        body = QWidget()
        body.setMaximumWidth(900)
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(form)
        inner.addWidget(hours)
        lay = QVBoxLayout(self)
        lay.addWidget(body)
        lay.addStretch(1)
        lay.addLayout(bar)

    def load(self) -> None:
        db = self.db
        self.run(lambda: read_settings(db), self._show, saving=False)

    def _show(self, settings) -> None:
        self.settings = settings
        self.agency.setText(T["agency_fixed"].format(code=settings.agency_code))
        for key, edit in self.edits.items():
            edit.setText(str(getattr(settings, key)))
        oh = settings.office_hours
        for edit, text in zip((*self.morning, *self.afternoon, self.cutoff),
                              (*oh["morning"], *oh["afternoon"], oh.get("same_day_cutoff", "15:00")), strict=True):
            edit.setTime(QTime.fromString(text, "HH:mm"))

    def changes(self) -> dict[str, str]:
        if self.settings is None:
            return {}
        out = {k: e.text().strip() for k, e in self.edits.items() if e.text().strip() != getattr(self.settings, k)}
        hours = {"morning": [t.time().toString("HH:mm") for t in self.morning],
                 "afternoon": [t.time().toString("HH:mm") for t in self.afternoon],
                 "same_day_cutoff": self.cutoff.time().toString("HH:mm")}
        if hours != {**{"same_day_cutoff": "15:00"}, **self.settings.office_hours}:
            out["office_hours"] = json.dumps(hours)
        return out

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            _message(self.message, T["nothing"])
            return
        db, actor = self.db, self.user.id
        self.run(lambda: update_settings(db, changes, actor_id=actor), self._saved)

    def _saved(self, settings) -> None:
        self._show(settings)
        _message(self.message, T["saved"].format(time=_now_text()))


# --- printer and paper -----------------------------------------------------------------------------------------


class PrintPage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        self.loaded_values: tuple | None = None
        self.paper = QComboBox()
        self.paper.addItems(["A4", "A5"])
        self.copies = QComboBox()
        self.copies.addItems(["1", "2", "3"])
        self.printer = QComboBox()
        self.printer.addItem(T["default_printer"], "")
        for name in QPrinterInfo.availablePrinterNames():
            self.printer.addItem(name, name)
        hint = QLabel(T["printer_hint"])
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(T["paper"], self.paper)
        form.addRow(T["copies"], self.copies)
        form.addRow(T["printer"], self.printer)
        self.save_button = QPushButton(T["save"])
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(hint)
        lay.addStretch(1)
        lay.addLayout(bar)

    def load(self) -> None:
        db = self.db
        self.run(lambda: (read_settings(db), read_device_settings(db)), self._show, saving=False)

    def _show(self, both) -> None:
        settings, device = both
        self.paper.setCurrentText(settings.paper_size)
        self.copies.setCurrentText(str(settings.receipt_copies))
        if device.printer and self.printer.findData(device.printer) < 0:
            self.printer.addItem(device.printer, device.printer)  # chosen earlier, not installed now
        self.printer.setCurrentIndex(max(0, self.printer.findData(device.printer)))
        self.loaded_values = (settings.paper_size, str(settings.receipt_copies), device.printer)

    def save(self) -> None:
        if self.loaded_values is None:
            return
        paper, copies, printer = self.paper.currentText(), self.copies.currentText(), self.printer.currentData()
        office = {k: v for k, v, old in (("paper_size", paper, self.loaded_values[0]),
                                         ("receipt_copies", copies, self.loaded_values[1])) if v != old}
        device = {"printer": printer} if printer != self.loaded_values[2] else {}
        if not office and not device:
            _message(self.message, T["nothing"])
            return
        db, actor = self.db, self.user.id

        def job():
            if office:
                update_settings(db, office, actor_id=actor)
            if device:
                update_device_settings(db, device, actor_id=actor)
            return read_settings(db), read_device_settings(db)

        self.run(job, self._saved)

    def _saved(self, both) -> None:
        from ui.receipt_preview import set_preferred_printer

        self._show(both)
        set_preferred_printer(both[1].printer)
        _message(self.message, T["saved"].format(time=_now_text()))


# --- the catalogue -----------------------------------------------------------------------------------------------


class CataloguePage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.table = _table(T["cat_cols"], 1)
        self.import_button = QPushButton(T["catalogue_import"])
        self.import_button.clicked.connect(self.ask_file)
        today = window.db.clock().astimezone(TZ).date()
        self.later, self.effective = _effective_pair(T["later"], T["later_tip"], today)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.later)
        bar.addWidget(self.effective)
        bar.addWidget(self.import_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addLayout(bar)
        self.file_dialog: QFileDialog | None = None

    def load(self) -> None:
        db = self.db
        self.run(lambda: (catalogue_summary(db), all_procedures(db), catalogue_versions(db)), self._show, saving=False)

    def _show(self, three) -> None:
        summary, procedures, versions = three
        when = f", nạp lúc {summary.updated_at.astimezone():%H:%M %d/%m/%Y}" if summary.updated_at else ""
        today = self.db.clock().astimezone(TZ).date()
        later = "".join(T["scheduled"].format(version=v.version, n=v.procedures, day=f"{v.effective_from:%d/%m/%Y}")
                        for v in versions if v.effective_from and v.effective_from > today)
        self.summary.setText(T["catalogue_summary"].format(version=summary.version or "—", n=summary.procedures,
                                                           fields=summary.fields, when=when) + later)
        _fill(self.table, [(p.code, p.name, p.field, p.duration.describe(), p.fee_text) for p in procedures])

    def ask_file(self) -> None:
        dlg = QFileDialog(self, T["catalogue_pick"], "", T["catalogue_filter"])
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dlg.setLabelText(QFileDialog.DialogLabel.Accept, T["ok"])
        dlg.setLabelText(QFileDialog.DialogLabel.Reject, T["cancel"])
        dlg.fileSelected.connect(self.import_file)
        self.file_dialog = dlg
        dlg.open()

    def import_file(self, path: str) -> None:
        db, actor = self.db, self.user.id
        effective = self.effective.date().toPython() if self.later.isChecked() else None
        self.run(lambda: import_catalogue_file(db, path, actor_id=actor, effective_from=effective), self._imported)

    def _imported(self, r) -> None:
        when = T["from_day"].format(day=f"{r.effective_from:%d/%m/%Y}") if r.effective_from else T["at_once"]
        _message(self.message, T["catalogue_done"].format(version=r.version, n=r.procedures, when=when))
        self.later.setChecked(False)
        self.load()


def _effective_pair(label: str, tip: str, today: date) -> tuple[QCheckBox, QDateEdit]:
    """"From day …" (unchecked: at once) and its date, which is editable only when checked."""
    later = QCheckBox(label)
    later.setToolTip(tip)
    tomorrow = today + timedelta(days=1)  # a date of today is "at once"
    day = QDateEdit(QDate(tomorrow))
    day.setCalendarPopup(True)
    day.setDisplayFormat("dd/MM/yyyy")
    day.setDateRange(QDate(tomorrow), QDate(2050, 12, 31))
    day.setEnabled(False)
    day.setToolTip(tip)
    later.toggled.connect(day.setEnabled)
    return later, day


# --- the calendar --------------------------------------------------------------------------------------------------


class CalendarPage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        today = window.db.clock().astimezone(TZ).date()
        self.year = QSpinBox()
        self.year.setRange(2020, 2050)
        self.year.setValue(min(max(today.year, 2020), 2050))
        self.year.setMinimumWidth(90)
        self.year.valueChanged.connect(lambda _y: self.load())
        self.table = _table(T["cal_cols"], 3)
        self.day = QDateEdit(QDate(today))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setDateRange(QDate(2020, 1, 1), QDate(2050, 12, 31))
        self.kind = QComboBox()
        for key, text in T["day_kind"].items():
            self.kind.addItem(text, key)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(T["reason_ph"])
        self.add_button = QPushButton(T["add_day"])
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add_day)
        self.later, self.effective = _effective_pair(T["day_later"], T["day_later_tip"], today)
        top = QHBoxLayout()
        top.addWidget(QLabel(T["year"]))
        top.addWidget(self.year)
        top.addStretch(1)
        add = QHBoxLayout()
        add.addWidget(self.day)
        add.addWidget(self.kind)
        add.addWidget(self.reason, 1)
        add.addWidget(self.later)
        add.addWidget(self.effective)
        add.addWidget(self.add_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(add)
        lay.addWidget(self.message)

    def load(self) -> None:
        db, year = self.db, self.year.value()
        self.run(lambda: calendar_of(db), lambda cal: self._show(cal, year), saving=False)

    def _show(self, cal, year: int) -> None:
        own = {d.day for d in cal.extra_days}
        rows = [(f"{d.day:%d/%m/%Y}", WEEKDAYS[d.day.weekday()], T["off"] if d.kind is DayKind.OFF else T["work"],
                 d.reason, T["office_day"] if d.day in own else T["law"]) for d in cal.off_days(year)]
        _fill(self.table, rows)

    def add_day(self) -> None:
        db, actor = self.db, self.user.id
        day: date = self.day.date().toPython()
        kind, reason = self.kind.currentData(), self.reason.text()
        effective = self.effective.date().toPython() if self.later.isChecked() else None
        self.run(lambda: set_calendar_day(db, day=day, kind=kind, reason=reason, actor_id=actor,
                                          effective_from=effective),
                 lambda _r: self._added(day, effective))

    def _added(self, day: date, effective: date | None = None) -> None:
        self.reason.clear()
        self.later.setChecked(False)
        _message(self.message, T["day_done"].format(day=f"{day:%d/%m/%Y}")
                 + (T["day_from"].format(day=f"{effective:%d/%m/%Y}") if effective else ""))
        if day.year != self.year.value():
            self.year.setValue(day.year)
        else:
            self.load()


# --- staff accounts -------------------------------------------------------------------------------------------------


class AccountDialog(QDialog):
    """A new account (with its password twice) or the changes to one (no password here)."""

    def __init__(self, parent: QWidget, account=None):
        super().__init__(parent)
        self.account = account
        self.setWindowTitle(T["add_user"].rstrip("…") if account is None else f"{T['edit_user'].rstrip('…')} "
                            f"{account.username}")
        form = QFormLayout()
        self.username = QLineEdit(account.username if account else "")
        self.username.setEnabled(account is None)
        self.full_name = QLineEdit(account.full_name if account else "")
        self.role = QComboBox()
        for key, text in ROLES.items():
            self.role.addItem(text, key)
        self.role.setCurrentIndex(max(0, self.role.findData(account.role if account else "clerk")))
        self.title = QLineEdit(account.title if account else "")
        self.unit = QLineEdit(account.unit if account else "")
        form.addRow(T["user_cols"][0], self.username)
        form.addRow(T["user_cols"][1], self.full_name)
        form.addRow(T["user_cols"][2], self.role)
        form.addRow(T["user_cols"][3], self.title)
        form.addRow(T["user_cols"][4], self.unit)
        self.password = QLineEdit()
        self.password2 = QLineEdit()
        for e in (self.password, self.password2):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        if account is None:
            form.addRow("Mật khẩu", self.password)
            form.addRow("Nhập lại mật khẩu", self.password2)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(T["ok"])
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(T["cancel"])
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.setMinimumWidth(480)

    def _check(self) -> None:
        if self.account is None and self.password.text() != self.password2.text():
            self.error.setText("Hai lần nhập mật khẩu không giống nhau.")
            return
        self.accept()

    def values(self) -> dict[str, str]:
        return {"full_name": self.full_name.text().strip(), "role": self.role.currentData(),
                "title": self.title.text().strip(), "unit": self.unit.text().strip()}


class UsersPage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        self.accounts = []
        self.table = _table(T["user_cols"], 1)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.buttons = {}
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        for key, slot in (("add_user", self.add), ("edit_user", self.edit), ("reset", self.reset),
                          ("lock", lambda: self.set_active(False)), ("unlock", lambda: self.set_active(True))):
            b = QPushButton(T[key])
            b.clicked.connect(slot)
            self.buttons[key] = b
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(bar)
        self.dialog: QDialog | None = None

    def load(self) -> None:
        db, user = self.db, self.user
        self.run(lambda: list_accounts(db, user), self._show, saving=False)

    def _show(self, accounts) -> None:
        self.accounts = accounts
        _fill(self.table, [(u.username, u.full_name, u.role_text, u.title, u.unit,
                            T["active"] if u.active else T["locked"]) for u in accounts])

    def selected(self):
        row = self.table.currentRow()
        if 0 <= row < len(self.accounts):
            return self.accounts[row]
        _message(self.message, T["pick_user"], error=True)
        return None

    def add(self) -> None:
        dlg = AccountDialog(self)
        self.dialog = dlg
        dlg.accepted.connect(lambda: self._create(dlg))
        dlg.open()

    def _create(self, dlg: AccountDialog) -> None:
        from app.services.users import create_user

        db, actor = self.db, self.user.id
        v, username, password = dlg.values(), dlg.username.text(), dlg.password.text()

        def job():
            with db.transaction() as s:
                return create_user(s, db.device, username=username, password=password, at=db.clock(),
                                   actor_id=actor, **v)

        self.run(job, self._done)

    def edit(self) -> None:
        account = self.selected()
        if account is None:
            return
        dlg = AccountDialog(self, account)
        self.dialog = dlg
        dlg.accepted.connect(lambda: self._update(account, dlg.values()))
        dlg.open()

    def _update(self, account, values: dict) -> None:
        changes = {k: v for k, v in values.items() if v != getattr(account, k)}
        if not changes:
            _message(self.message, T["nothing"])
            return
        db, user = self.db, self.user
        self.run(lambda: update_account(db, user, account.id, **changes), self._done)

    def set_active(self, active: bool) -> None:
        account = self.selected()
        if account is None:
            return
        db, user = self.db, self.user
        self.run(lambda: update_account(db, user, account.id, active=active), self._done)

    def reset(self) -> None:
        account = self.selected()
        if account is None:
            return
        dlg = QInputDialog(self)
        dlg.setWindowTitle(T["reset"].rstrip("…"))
        dlg.setLabelText(f"Mật khẩu mới cho {account.username} (ít nhất 6 ký tự):")
        dlg.setTextEchoMode(QLineEdit.EchoMode.Password)
        dlg.setOkButtonText(T["ok"])
        dlg.setCancelButtonText(T["cancel"])
        self.dialog = dlg
        dlg.textValueSelected.connect(lambda text: self._reset(account, text))
        dlg.open()

    def _reset(self, account, password: str) -> None:
        db, user = self.db, self.user
        self.run(lambda: reset_password(db, user, account.id, password),
                 lambda info: (_message(self.message, T["reset_done"].format(name=info.username)), self.load()))

    def _done(self, info) -> None:
        _message(self.message, T["user_done"].format(name=info.username))
        self.load()


# --- backups ------------------------------------------------------------------------------------------------------


class BackupPage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        self.status = None
        self.last = QLabel("")
        self.last.setWordWrap(True)
        self.warning = QLabel("")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(T["default_folder"])
        choose = QPushButton(T["backup_choose"])
        choose.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        self.auto = QCheckBox(T["backup_auto"])
        self.time = _time("11:45")
        self.keep = QSpinBox()
        self.keep.setRange(1, 365)
        self.keep.setSuffix(T["backup_keep_suffix"])
        self.keep.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.keep.setMinimumWidth(90)
        when = QHBoxLayout()
        when.addWidget(self.auto)
        when.addSpacing(16)
        when.addWidget(QLabel(T["backup_time"]))
        when.addWidget(self.time)
        when.addSpacing(16)
        when.addWidget(QLabel(T["backup_keep"]))
        when.addWidget(self.keep)
        when.addStretch(1)
        form = QFormLayout()
        form.addRow(T["backup_last"], self.last)
        form.addRow("", self.warning)
        form.addRow(T["backup_folder"], folder_row)
        form.addRow("", when)
        self.files = _table(("Tệp", "Kích thước"), 0)
        self.save_button = QPushButton(T["save"])
        self.save_button.clicked.connect(self.save)
        self.now_button = QPushButton(T["backup_now"])
        self.now_button.setObjectName("primary")
        self.now_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(T["restore"])
        self.restore_button.clicked.connect(self.restore)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        for b in (self.save_button, self.now_button, self.restore_button):
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(QLabel(T["backup_files"]))
        lay.addWidget(self.files, 1)
        lay.addLayout(bar)
        self.file_dialog: QFileDialog | None = None
        self.confirm: QMessageBox | None = None

    def load(self) -> None:
        db = self.db
        self.run(lambda: backups.backup_status(db), self._show, saving=False)

    def _show(self, st) -> None:
        self.status = st
        self.last.setText(f"{st.last.at:%H:%M %d/%m/%Y} – {st.last.target} ({st.last.actor_name})" if st.last
                          else T["backup_none"])
        self.warning.setText(st.warning)
        self.warning.setVisible(bool(st.warning))
        self.folder.setText(st.settings.backup_dir)
        self.folder.setToolTip(str(st.folder))
        self.auto.setChecked(st.settings.backup_auto)
        self.time.setTime(QTime.fromString(st.settings.backup_time, "HH:mm"))
        self.keep.setValue(st.settings.backup_keep)
        rows = []
        for p in st.files:
            try:
                size = f"{p.stat().st_size / 1_048_576:.1f} MB"
            except OSError:
                size = "?"
            rows.append((p.name, size))
        _fill(self.files, rows)

    def choose_folder(self) -> None:
        dlg = QFileDialog(self, T["backup_folder"], self.folder.text() or "")
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dlg.setLabelText(QFileDialog.DialogLabel.Accept, T["ok"])
        dlg.setLabelText(QFileDialog.DialogLabel.Reject, T["cancel"])
        dlg.fileSelected.connect(self.folder.setText)
        self.file_dialog = dlg
        dlg.open()

    def changes(self) -> dict[str, str]:
        st = self.status.settings if self.status else None
        if st is None:
            return {}
        new = {"backup_dir": self.folder.text().strip(), "backup_auto": "on" if self.auto.isChecked() else "off",
               "backup_time": self.time.time().toString("HH:mm"), "backup_keep": str(self.keep.value())}
        old = {"backup_dir": st.backup_dir, "backup_auto": "on" if st.backup_auto else "off",
               "backup_time": st.backup_time, "backup_keep": str(st.backup_keep)}
        return {k: v for k, v in new.items() if v != old[k]}

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            _message(self.message, T["nothing"])
            return
        db, actor = self.db, self.user.id
        self.run(lambda: (update_device_settings(db, changes, actor_id=actor), backups.backup_status(db))[1],
                 lambda st: (self._show(st), _message(self.message, T["saved"].format(time=_now_text()))))

    def backup_now(self) -> None:
        db, user = self.db, self.user
        changes = self.changes()

        def job():
            if changes:
                update_device_settings(db, changes, actor_id=user.id)
            return backups.run_backup(db, actor=user), backups.backup_status(db)

        self.now_button.setEnabled(False)
        self.run(job, self._backed_up)
        _message(self.message, T["backup_running"])

    def _backed_up(self, both) -> None:
        done, st = both
        self.now_button.setEnabled(True)
        self._show(st)
        _message(self.message, T["backup_done"].format(path=done.path, size=done.size / 1_048_576))
        self.window.backup_changed.emit()

    def restore(self) -> None:
        row = self.files.currentRow()
        if self.status is None or not 0 <= row < len(self.status.files):
            _message(self.message, T["pick_backup"], error=True)
            return
        path = self.status.files[row]
        box = QMessageBox(QMessageBox.Icon.Warning, T["restore"].rstrip("…"),
                          T["restore_confirm"].format(name=path.name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText(T["restore_yes"])
        box.button(QMessageBox.StandardButton.No).setText(T["cancel"])
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.accepted.connect(lambda: self._schedule(path))
        self.confirm = box
        box.open()

    def _schedule(self, path) -> None:
        db, user = self.db, self.user
        self.run(lambda: backups.schedule_restore(db, path, actor=user),
                 lambda p: _message(self.message, T["restore_done"].format(name=p.backup.name)))


# --- kiosk, sync and devices ----------------------------------------------------------------------------------------


def _value_text(value) -> str:
    if value == "" or value is None:
        return T["empty_value"]
    if isinstance(value, bool):
        return T["yes"] if value else T["no"]
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class SettingsTable(QWidget):
    """Settings shown by key and label, edited one at a time (double-click): for keys without a page of their
    own, whichever features add them."""

    def __init__(self, page: _Page, keys):
        super().__init__()
        self.page = page
        self.keys = keys  # a function of the settings' raw dict giving the keys to show
        self.rows: list[tuple[str, object]] = []
        self.table = _table(T["set_cols"], 2)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        edit = QPushButton(T["edit_value"])
        edit.clicked.connect(self.edit)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(edit)
        lay.addLayout(row)
        self.dialog: QInputDialog | None = None

    def show_settings(self, raw: dict) -> None:
        self.rows = [(k, raw.get(k)) for k in self.keys(raw)]
        _fill(self.table, [(SETTING_LABELS.get(k, k), k, _value_text(v)) for k, v in self.rows])

    def edit(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            return
        key, value = self.rows[row]
        dlg = QInputDialog(self)
        dlg.setWindowTitle(T["edit_title"])
        dlg.setLabelText(T["edit_label"].format(label=SETTING_LABELS.get(key, key), key=key))
        dlg.setTextValue("" if key == "kiosk_pin" or value in ("", None) else _value_text(value)
                         if not isinstance(value, bool) else ("on" if value else "off"))
        dlg.setOkButtonText(T["ok"])
        dlg.setCancelButtonText(T["cancel"])
        dlg.resize(560, dlg.sizeHint().height())
        dlg.textValueSelected.connect(lambda text: self.save(key, text))
        self.dialog = dlg
        dlg.open()

    def save(self, key: str, text: str) -> None:
        page, db, actor = self.page, self.page.db, self.page.user.id
        page.run(lambda: update_settings(db, {key: text}, actor_id=actor),
                 lambda s: (self.show_settings(s.raw), _message(page.message, T["saved"].format(time=_now_text()))))


class DevicesPage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        sync_box = QGroupBox(T["sync"])
        self.sync_text = QLabel("")
        self.sync_text.setWordWrap(True)
        self.enroll_button = QPushButton(T["enroll"])
        self.enroll_button.clicked.connect(window.open_enroll)
        srow = QHBoxLayout(sync_box)
        srow.addWidget(self.sync_text, 1)
        srow.addWidget(self.enroll_button)
        dev_box = QGroupBox(T["devices"])
        self.devices = _table(T["dev_cols"], 0)
        QVBoxLayout(dev_box).addWidget(self.devices)
        kiosk_box = QGroupBox(T["kiosk_settings"])
        self.kiosk = SettingsTable(self, lambda raw: sorted(k for k in raw if kiosk_key(k)))
        QVBoxLayout(kiosk_box).addWidget(self.kiosk)
        lay = QVBoxLayout(self)
        lay.addWidget(sync_box)
        lay.addWidget(dev_box, 2)
        lay.addWidget(kiosk_box, 3)
        lay.addWidget(self.message)

    def load(self) -> None:
        db = self.db
        self.run(lambda: (sync.status(db), list_devices(db), read_settings(db)), self._show, saving=False)

    def _show(self, three) -> None:
        st, devices, settings = three
        if st.enrolled:
            when = f"{st.last_success_at.astimezone():%H:%M %d/%m/%Y}" if st.last_success_at else "chưa có"
            text = T["sync_ok"].format(url=st.server_url, when=when, unsent=st.unsent)
            if st.last_error:
                text += "\n" + T["sync_error"].format(error=st.last_error)
        else:
            text = T["sync_none"]
        self.sync_text.setText(text)
        self.enroll_button.setVisible(not st.enrolled)
        _fill(self.devices, [(d.name, d.slot, T["kind_kiosk"] if d.kind == "kiosk" else T["kind_counter"],
                              T["yes"] if d.this_file else "") for d in devices])
        self.kiosk.show_settings(settings.raw)


class OtherSettingsPage(_Page):
    def __init__(self, window: AdminWindow):
        super().__init__(window)
        intro = QLabel(T["other_intro"])
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.settings = SettingsTable(self, lambda raw: [k for k in DEFAULTS if k not in ON_PAGES
                                                         and not kiosk_key(k)]
                                      + sorted(k for k in raw if k not in DEFAULTS and not kiosk_key(k)))
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.settings, 1)
        lay.addWidget(self.message)

    def load(self) -> None:
        db = self.db
        self.run(lambda: read_settings(db), lambda s: self.settings.show_settings(s.raw), saving=False)


# --- the window ----------------------------------------------------------------------------------------------------


class AdminWindow(QDialog):
    """Signals: `backup_changed()` after a backup made here (the status bar refreshes)."""

    backup_changed = Signal()

    def __init__(self, db, user, parent: QWidget | None = None, *, sync_client=None):
        require(user, Permission.ADMINISTER)  # the services refuse too; this keeps the window closed
        super().__init__(parent)
        self.db, self.user = db, user
        self.sync_client = sync_client
        self.enroll_dialog = None
        self.setWindowTitle(T["title"])
        self.setObjectName("adminWindow")
        self.tabs = QTabWidget()
        self.pages: dict[str, QWidget] = {
            "office": OfficePage(self), "print": PrintPage(self), "catalogue": CataloguePage(self),
            "calendar": CalendarPage(self), "users": UsersPage(self), "backup": BackupPage(self),
            "devices": DevicesPage(self), "other": OtherSettingsPage(self),
        }
        for key, page in self.pages.items():
            self.tabs.addTab(page, T[f"tab_{key}"])
        self.audit = AuditPanel(db, user)
        self.tabs.addTab(self.audit, T["tab_audit"])
        self.loaded: set[int] = set()
        self.tabs.currentChanged.connect(self._tab_changed)
        close = QPushButton(T["close"])
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(bar)
        fit_to_screen(self, 1240, 700)
        self._tab_changed(0)

    def show_page(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.audit if key == "audit" else self.pages[key])

    def page(self, key: str):
        return self.audit if key == "audit" else self.pages[key]

    def _tab_changed(self, index: int) -> None:
        """A page reads its data when first shown (and again after a change elsewhere)."""
        if index in self.loaded:
            return
        self.loaded.add(index)
        widget = self.tabs.widget(index)
        if widget is self.audit:
            self.audit.reload()
        else:
            widget.load()

    def data_changed(self, changes) -> None:
        """Another window or device changed reference data: pages read again when next shown."""
        kinds = {"settings": ("office", "print", "devices", "other"), "user": ("users",),
                 "catalogue": ("catalogue",), "calendar": ("calendar",), "device_settings": ("print", "backup"),
                 "device": ("devices",)}
        stale = {k for kind, keys in kinds.items() if changes.everything or changes.touches(kind) for k in keys}
        current = self.tabs.currentWidget()
        for key in stale:
            page = self.pages[key]
            self.loaded.discard(self.tabs.indexOf(page))
            if page is current and not page.busy:
                self._tab_changed(self.tabs.indexOf(page))

    def open_enroll(self) -> None:
        from ui.sync_panel import EnrollDialog

        kwargs = {"client": self.sync_client} if self.sync_client is not None else {}
        self.enroll_dialog = EnrollDialog(self.db, self, **kwargs)
        self.enroll_dialog.enrolled.connect(lambda _got: (self.db.forget_device(), self.pages["devices"].load()))
        self.enroll_dialog.open()


class PasswordDialog(QDialog):
    """The signed-in person changes their own password: the old one, then the new one twice."""

    T = {"title": "Đổi mật khẩu", "old": "Mật khẩu đang dùng", "new": "Mật khẩu mới (ít nhất 6 ký tự)",
         "again": "Nhập lại mật khẩu mới", "mismatch": "Hai lần nhập mật khẩu mới không giống nhau.",
         "done": "Đã đổi mật khẩu."}

    def __init__(self, db, user, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self.changed = False
        self.setWindowTitle(f"{self.T['title']} – {user.username}")
        self.old, self.new, self.again = QLineEdit(), QLineEdit(), QLineEdit()
        form = QFormLayout()
        for label, edit in ((self.T["old"], self.old), (self.T["new"], self.new), (self.T["again"], self.again)):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow(label, edit)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.T["title"])
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(T["cancel"])
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        from app.services.users import change_password

        if self.new.text() != self.again.text():
            self.error.setText(self.T["mismatch"])
            return
        db, user, old, new = self.db, self.user, self.old.text(), self.new.text()
        self.buttons.setEnabled(False)
        run_in_thread(lambda: change_password(db, user, old_password=old, new_password=new), self._done,
                      self._failed, parent=self, name="change_password")

    def _done(self, _r) -> None:
        self.changed = True
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(_error_text(exc))


__all__ = ["AdminWindow", "PasswordDialog", "Qt"]
