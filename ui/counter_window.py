"""The counter's main window: reception with today's dossiers, the on-screen logbook, the statistics;
the due badge, and a receipt barcode scanned anywhere opening its dossier."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.services.access import Permission, can
from app.services.database import Database
from app.services.device_settings import read_device_settings
from app.services.dossiers import DossierSummary, list_received_on
from app.services.errors import ServiceError
from app.services.kiosk_link import start_listener
from app.services.ratings import invite
from app.services.reception import now_local
from app.services.settings import office_info, read_settings
from app.services.users import UserInfo
from ui.admin_window import AdminWindow, PasswordDialog
from ui.app import fit_to_screen, install_wheel_guard
from ui.audit_panel import AuditDialog
from ui.backup_watch import BackupNotice, BackupWatch
from ui.change_watcher import ChangeWatcher
from ui.daybook_dialog import CloseDayDialog, DaybookNotice, DaybookStatusItem, DaybookWatch
from ui.dossier_list import DossierListPanel, DueBadge
from ui.dossier_window import DossierWindow
from ui.elided import ElidedLabel
from ui.ratings_screen import RatingsScreen
from ui.receipt_preview import set_preferred_printer
from ui.reception_form import WEEKDAYS, ReceptionPanel
from ui.scanner import ScannerListener, let_scans_through, open_scanned
from ui.stats_screen import StatsScreen
from ui.sync_panel import EnrollDialog, FlagsDialog, SyncStatusItem, SyncWorker
from ui.workers import run_in_thread

# --- every user-visible text of this window ----------------------------------------------------------
T = {
    "title": "MotCua – {center}",
    "today_title": "Hồ sơ tiếp nhận hôm nay tại quầy này",
    "loading": "Đang tải danh sách…",
    "load_failed": "Không tải được danh sách: {msg}",
    "empty": "Chưa có hồ sơ nào hôm nay.",
    "count": "{n} hồ sơ",
    "open_hint": "Nhấp đúp hoặc Enter để xem chi tiết hồ sơ.",
    "col_code": "Mã hồ sơ",
    "col_applicant": "Người nộp",
    "col_procedure": "Thủ tục",
    "col_due": "Hẹn trả",
    "col_status": "Trạng thái",
    "no_due": "Không hẹn",
    "menu_system": "&Hệ thống",
    "logout": "Đăng xuất",
    "quit": "Thoát",
    "refresh": "Tải lại danh sách",
    "clerk": "Cán bộ: {name}",
    "clerk_tip": "Đang đăng nhập: {name} ({username}), {role}",
    "device": "Máy: {device}",
    "today": "{day}",
    "today_count": "Tiếp nhận hôm nay: {n}",
    "tab_reception": "Tiếp nhận hồ sơ",
    "tab_logbook": "Sổ theo dõi hồ sơ",
    "tab_stats": "Thống kê, báo cáo",
    "tab_ratings": "Đánh giá hài lòng",
    "kiosk_settings": "Thiết lập máy đánh giá…",
    "intake_invite": "Mời công dân đánh giá việc tiếp nhận hồ sơ {code}?",
    "intake_invite_button": "Mời đánh giá",
    "intake_invited": "Đã mời đánh giá hồ sơ {code}: máy đánh giá đang hiện hồ sơ này.",
    "intake_invite_failed": "Không mời được: {msg}",
    "scan_unknown_title": "Quét mã hồ sơ",
    "scan_garbage": "Mã vừa quét không phải mã vạch, mã QR trên giấy hẹn hay mã QR trên thẻ CCCD. "
                    "Hãy quét lại mã trên giấy hẹn hoặc mặt trước thẻ CCCD.",
    "scan_card_title": "Quét thẻ CCCD",
    "ok": "Đã hiểu",
    "open_failed": "Không mở được hồ sơ: {msg}",
    "daybook": "Chốt sổ theo dõi hồ sơ…",
    "sync_now": "Đồng bộ với máy chủ tỉnh ngay",
    "enroll": "Kết nối máy chủ tỉnh…",
    "flags": "Cảnh báo cần xử lý…",
    "admin": "Quản trị hệ thống…",
    "audit": "Nhật ký truy cập và thay đổi…",
    "password": "Đổi mật khẩu…",
    "password_done": "Đã đổi mật khẩu.",
    "backup_failed": "Sao lưu tự động chưa được: {msg}",
    "unsaved_title": "Hồ sơ đang nhập chưa lưu",
    "unsaved_quit": "Hồ sơ đang nhập dở chưa được lưu. Thoát chương trình và bỏ những gì đã nhập?",
    "unsaved_logout": "Hồ sơ đang nhập dở chưa được lưu. Đăng xuất và bỏ những gì đã nhập?",
    "unsaved_yes_quit": "Thoát, bỏ hồ sơ đang nhập",
    "unsaved_yes_logout": "Đăng xuất, bỏ hồ sơ đang nhập",
    "unsaved_no": "Quay lại nhập tiếp",
}


def short_due(dt: datetime | None) -> str:
    return f"{dt.astimezone(TZ):%H:%M %d/%m}" if dt else T["no_due"]


class TodayDossierModel(QAbstractTableModel):
    """Today's dossiers of this counter, newest first (as the service returns them)."""

    # The procedure is in each row's tooltip: the column beside the reception details is narrow.
    COLUMNS = ("col_code", "col_applicant", "col_due", "col_status")
    CODE, APPLICANT, DUE, STATUS = range(4)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[DossierSummary] = []

    def set_rows(self, rows: list[DossierSummary]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return T[self.COLUMNS[section]]
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        d = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (d.code, d.applicant_name, short_due(d.due_at), d.status_text)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{d.code}\n{d.applicant_name}\n{d.procedure_name}\n{T['col_due']}: {short_due(d.due_at)}" \
                   f"\n{d.status_text}"
        if role == Qt.ItemDataRole.UserRole:
            return d.code
        return None

    def code_at(self, row: int) -> str:
        return self.rows[row].code


class CounterWindow(QMainWindow):
    """Signals: `logged_out()` when the clerk chooses "Đăng xuất", `list_loaded(int)` after each list load."""

    logged_out = Signal()
    list_loaded = Signal(int)

    def __init__(self, db: Database, user: UserInfo, parent: QWidget | None = None, *, scanner: bool = True):
        super().__init__(parent)
        self.db = db
        self.user = user
        self.dossier_windows: list[DossierWindow] = []
        self.scan_message: QMessageBox | None = None
        self.loading = False
        info = office_info(db)  # a few rows of settings: quick enough for opening the window
        settings = info.settings
        self.center_name = settings.center_name
        self.device_name = info.device_name
        self.setWindowTitle(T["title"].format(center=settings.center_name))
        self.setObjectName("counterWindow")
        install_wheel_guard()

        self.reception = ReceptionPanel(db, user)
        self.reception.dossier_saved.connect(lambda _code: self.refresh_all())

        self.model = TodayDossierModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TodayDossierModel.APPLICANT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.activated.connect(lambda index: self.open_dossier(self.model.code_at(index.row())))
        self.list_title = QLabel(T["today_title"])
        self.list_title.setObjectName("panelTitle")
        self.list_title.setWordWrap(True)
        self.list_hint = QLabel(T["loading"])
        self.list_hint.setObjectName("hint")
        self.list_hint.setWordWrap(True)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.reception.side_box)  # reception details above today's list
        right_layout.addWidget(self._intake_invite_bar())
        right_layout.addWidget(self.list_title)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.list_hint)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.reception)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 11)
        splitter.setStretchFactor(1, 9)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([760, 586])
        self.splitter = splitter
        reception_page = QWidget()
        layout = QVBoxLayout(reception_page)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addWidget(splitter)
        self.logbook = DossierListPanel(db, user)
        self.logbook.open_dossier.connect(self.open_dossier)
        self.stats = StatsScreen(db, user)
        self.ratings = RatingsScreen(db, user)
        self.tabs = QTabWidget()
        self.tabs.addTab(reception_page, T["tab_reception"])
        self.tabs.addTab(self.logbook, T["tab_logbook"])
        self.tabs.addTab(self.stats, T["tab_stats"])
        self.tabs.addTab(self.ratings, T["tab_ratings"])
        # The day book: "Chưa chốt sổ ngày …" on start (notice) and in the status bar, automatic archive.
        self.daybook = DaybookWatch(db, user, self)
        self.daybook_item = DaybookStatusItem(self.daybook)
        self.daybook_notice = DaybookNotice(self.daybook)
        self.daybook_item.open_requested.connect(self.open_daybook)
        self.daybook_notice.open_requested.connect(self.open_daybook)
        self.daybook_dialog: CloseDayDialog | None = None
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.daybook_notice)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.reception.chain_tabs()  # now that its reception details are in this window
        self.badge = DueBadge(db)
        self.badge.due_clicked.connect(self.show_due)

        # A receipt barcode scanned anywhere opens its dossier; the CCCD field reads its own QR scans.
        self.scanner: ScannerListener | None = None
        if scanner:
            self.scanner = ScannerListener(self)
            self.scanner.code_scanned.connect(self._scanned)
            self.scanner.card_scanned.connect(self.card_scanned)
            self.scanner.garbage_scanned.connect(lambda: self._tell(T["scan_garbage"]))
            let_scans_through(self.reception.scan)
        self.reception.receipt_scanned.connect(self._scanned)  # a receipt scanned into the CCCD field

        menu = self.menuBar().addMenu(T["menu_system"])
        refresh = QAction(T["refresh"], self, shortcut=QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.reload)
        logout = QAction(T["logout"], self)
        logout.triggered.connect(self.logout)
        quit_ = QAction(T["quit"], self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_.triggered.connect(self.close)
        menu.addAction(refresh)
        daybook = QAction(T["daybook"], self)
        daybook.triggered.connect(self.open_daybook)
        menu.addAction(daybook)
        sync_now = QAction(T["sync_now"], self)
        sync_now.triggered.connect(lambda: self.sync.sync_now())
        flags = QAction(T["flags"], self)
        flags.triggered.connect(self.open_flags)
        menu.addAction(sync_now)
        menu.addAction(flags)
        if user.role == "admin":
            enroll = QAction(T["enroll"], self)
            enroll.triggered.connect(self.open_enroll)
            menu.addAction(enroll)
        if user.role in ("leader", "admin"):
            kiosk_settings = QAction(T["kiosk_settings"], self)
            kiosk_settings.triggered.connect(self.open_kiosk_settings)
            menu.addAction(kiosk_settings)
        menu.addSeparator()
        if can(user, Permission.ADMINISTER):
            admin = QAction(T["admin"], self)
            admin.triggered.connect(lambda: self.open_admin())
            menu.addAction(admin)
        if can(user, Permission.AUDIT):
            audit_action = QAction(T["audit"], self)
            audit_action.triggered.connect(self.open_audit)
            menu.addAction(audit_action)
        password = QAction(T["password"], self)
        password.triggered.connect(self.open_password)
        menu.addAction(password)
        menu.addSeparator()
        menu.addAction(logout)
        menu.addAction(quit_)
        self.logout_action, self.quit_action = logout, quit_

        today = now_local(db)
        # Who, where and which day give way ("…", whole text as tooltip) when the right-hand items,
        # which are counts and warnings to act on, need the room at 1366 px. The clerk's item is the name only;
        # the account and role are in its tooltip (and the menu shows what the person may open).
        self.clerk_label = ElidedLabel(T["clerk"].format(name=user.full_name), min_chars=7)
        self.clerk_label.set_fixed_tip(T["clerk_tip"].format(name=user.full_name, username=user.username,
                                                             role=user.role_text))
        self.device_label = ElidedLabel(T["device"].format(device=info.device_name), min_chars=5)
        self.date_label = ElidedLabel(T["today"].format(day=f"{WEEKDAYS[today.weekday()]} {today:%d/%m/%Y}"),
                                      min_chars=6)
        self.count_label = QLabel(T["today_count"].format(n=0))
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)  # the window works maximised; the grip's room goes to the counts
        for w in (self.clerk_label, self.device_label, self.date_label):
            bar.addWidget(w)
        # sync with the province's server, in the background (nothing here waits for the network)
        self.sync = SyncWorker(db, self)
        self.sync_item = SyncStatusItem(self.sync)
        bar.addPermanentWidget(self.sync_item)
        # the daily automatic backup, whoever is signed in; its state in the status bar for an administrator
        self.backups = BackupWatch(db, self)
        self.backups.failed.connect(lambda msg: self.statusBar().showMessage(msg, 15000))
        self.backup_notice: BackupNotice | None = None
        if can(user, Permission.ADMINISTER):
            self.backup_notice = BackupNotice(self.backups)
            self.backup_notice.open_requested.connect(lambda: self.open_admin("backup"))
            central_layout.insertWidget(1, self.backup_notice)
        bar.addPermanentWidget(self.daybook_item)
        bar.addPermanentWidget(self.badge)
        bar.addPermanentWidget(self.count_label)

        fit_to_screen(self, 1366, 768)  # shown maximised; this is the size it comes back to
        self.reload()
        self.badge.refresh()
        self.daybook.start()
        # another process (a kiosk on this PC, the sync worker) or another window changed the data
        self.watcher = ChangeWatcher(db, self)
        self.watcher.changed.connect(self.data_changed)
        self.watcher.changed.connect(lambda _c: self.sync.data_changed())
        self.sync.start()
        self.backups.start()
        self.flags_dialog: FlagsDialog | None = None
        self.enroll_dialog: EnrollDialog | None = None
        # kiosks on other PCs of the office reach this counter here (when the office set a port)
        self.kiosk_link = start_listener(db)
        self.admin_window: AdminWindow | None = None
        self.audit_dialog: AuditDialog | None = None
        self.password_dialog: PasswordDialog | None = None
        self._use_device_printer()

    def open_flags(self) -> FlagsDialog:
        self.flags_dialog = FlagsDialog(self.db, self)
        self.flags_dialog.open_dossier.connect(self.open_dossier)
        self.flags_dialog.open()
        return self.flags_dialog

    def open_admin(self, page: str | None = None) -> AdminWindow:
        """The administration window (administrators only), on `page` if given."""
        if self.admin_window is None:
            self.admin_window = AdminWindow(self.db, self.user, self, sync_client=self.sync.client)
            self.admin_window.backup_changed.connect(self.backups.refresh)
            self.admin_window.finished.connect(lambda _r: self._use_device_printer())
        if page:
            self.admin_window.show_page(page)
        self.admin_window.show()
        self.admin_window.raise_()
        return self.admin_window

    def open_audit(self) -> QWidget:
        if can(self.user, Permission.ADMINISTER):
            return self.open_admin("audit")
        self.audit_dialog = AuditDialog(self.db, self.user, self)
        self.audit_dialog.open()
        return self.audit_dialog

    def open_password(self) -> PasswordDialog:
        self.password_dialog = PasswordDialog(self.db, self.user, self)
        self.password_dialog.accepted.connect(lambda: self.statusBar().showMessage(T["password_done"], 8000))
        self.password_dialog.open()
        return self.password_dialog

    def _use_device_printer(self) -> None:
        db = self.db
        run_in_thread(lambda: read_device_settings(db).printer, set_preferred_printer, lambda _e: None, parent=self,
                      name="device_printer")

    def open_enroll(self) -> EnrollDialog:
        self.enroll_dialog = EnrollDialog(self.db, self, client=self.sync.client)
        self.enroll_dialog.enrolled.connect(lambda _got: (self.db.forget_device(), self.sync.sync_now()))
        self.enroll_dialog.open()
        return self.enroll_dialog

    def data_changed(self, changes) -> None:
        """Refresh what shows the changed data: the lists and badge for dossiers, open dossier windows of the
        dossiers that changed, the title and forms for reference data."""
        if changes.everything or changes.dossier_ids:
            self.refresh_all()
            for window in list(self.dossier_windows):
                if changes.everything or window.dossier_id in changes.dossier_ids:
                    window.reload()
        if changes.touches("settings"):
            settings = office_info(self.db).settings
            self.center_name = settings.center_name
            self.setWindowTitle(T["title"].format(center=settings.center_name))
            if self.kiosk_link is None and settings.kiosk_link_port:
                self.kiosk_link = start_listener(self.db)
        if changes.touches("rating") or changes.everything:
            for window in list(self.dossier_windows):
                window.refresh_rating()
        if changes.touches("catalogue") or changes.touches("calendar"):
            self.reception.reference_changed()
        if self.admin_window is not None:
            self.admin_window.data_changed(changes)
        if changes.touches("audit") and self.backup_notice is not None:
            self.backups.refresh()

    def reload(self) -> None:
        self.loading = True
        db = self.db
        run_in_thread(lambda: list_received_on(db), self._loaded, self._load_failed, parent=self,
                      name="list_received_on")

    def _loaded(self, rows: list[DossierSummary]) -> None:
        self.loading = False
        self.model.set_rows(rows)
        self.count_label.setText(T["today_count"].format(n=len(rows)))
        self.list_hint.setText(T["open_hint"] if rows else T["empty"])
        self.list_loaded.emit(len(rows))

    def _load_failed(self, exc: BaseException) -> None:
        self.loading = False
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.list_hint.setText(T["load_failed"].format(msg=msg))

    def open_dossier(self, code: str) -> DossierWindow:
        """The dossier window (data, timeline, next steps, reprints); the lists refresh after each step."""
        window = DossierWindow(self.db, self.user, code, parent=self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.step_recorded.connect(lambda *_a: self.refresh_all())
        window.destroyed.connect(lambda *_a, w=window: self.dossier_windows.remove(w)
                                 if w in self.dossier_windows else None)
        self.dossier_windows.append(window)
        window.show()
        return window

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.stats and self.stats.report is None:
            self.stats.compute()  # the statistics tab opens on this quarter's figures, not an empty table
        if self.tabs.currentWidget() is self.ratings:
            self.ratings.compute()  # fresh figures each time the tab is opened

    # --- "Mời đánh giá" after intake (when the office asks for ratings of the intake too) ------------------

    def _intake_invite_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("intakeInviteBar")
        bar.setStyleSheet("#intakeInviteBar { background: #e8f0fb; border: 1px solid #a9c1e6; border-radius: 4px; }")
        lay = QHBoxLayout(bar)
        lay.setContentsMargins(6, 4, 6, 4)
        self.intake_invite_label = QLabel()
        self.intake_invite_label.setWordWrap(True)
        self.intake_invite_button = QPushButton(T["intake_invite_button"])
        self.intake_invite_button.clicked.connect(self.invite_last_intake)
        lay.addWidget(self.intake_invite_label, 1)
        lay.addWidget(self.intake_invite_button)
        self.intake_invite_bar = bar
        self.intake_code = ""
        bar.hide()
        self.reception.dossier_saved.connect(self._offer_intake_invite)
        return bar

    def _offer_intake_invite(self, code: str) -> None:
        if read_settings(self.db).rating_after != "intake":
            return
        self.intake_code = code
        self.intake_invite_label.setText(T["intake_invite"].format(code=code))
        self.intake_invite_button.setEnabled(True)
        self.intake_invite_button.show()
        self.intake_invite_bar.show()

    def invite_last_intake(self) -> None:
        db, code, user = self.db, self.intake_code, self.user
        self.intake_invite_button.setEnabled(False)
        run_in_thread(lambda: invite(db, code, clerk=user), lambda _s: self._intake_invited(code),
                      self._intake_invite_failed, parent=self, name="invite_intake")

    def _intake_invited(self, code: str) -> None:
        self.intake_invite_label.setText(T["intake_invited"].format(code=code))
        self.intake_invite_button.hide()

    def _intake_invite_failed(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.intake_invite_label.setText(T["intake_invite_failed"].format(msg=msg))

    def open_kiosk_settings(self):
        from ui.kiosk_settings_dialog import KioskSettingsDialog

        self.kiosk_dialog = KioskSettingsDialog(self.db, self.user, self)
        self.kiosk_dialog.open()
        return self.kiosk_dialog

    def refresh_all(self) -> None:
        self.reload()
        self.logbook.refresh()
        self.badge.refresh()

    def open_daybook(self) -> CloseDayDialog:
        """The day book dialog: close the pending days in order, reprints, cover, year end."""
        if self.daybook_dialog is None:
            self.daybook_dialog = CloseDayDialog(self.db, self.user, self.daybook, parent=self)
            self.daybook_dialog.book_changed.connect(self.logbook.refresh)
        self.daybook_dialog.open()
        return self.daybook_dialog

    def show_due(self, kind: str) -> None:
        self.tabs.setCurrentWidget(self.logbook)
        self.logbook.set_due_filter(kind)

    def _scanned(self, code: str) -> None:
        db = self.db
        run_in_thread(lambda: open_scanned(db, code), self._scan_result, self._scan_failed, parent=self,
                      name="open_scanned")

    def card_scanned(self, text: str) -> None:
        """A citizen's ID card scanned anywhere: the window in front takes it if it has a use for it (the
        return dialog checks the collector's ID), otherwise it fills the reception form."""
        front = QApplication.activeModalWidget() or QApplication.activeWindow()
        taker = getattr(front, "take_card", None)
        if front is not None and front is not self and callable(taker):
            taker(text)
            return
        self.tabs.setCurrentIndex(0)
        self.raise_()
        self.activateWindow()
        self.reception.fill_from_card(text)

    def _scan_result(self, result) -> None:
        if isinstance(result, str):
            self._tell(result)
        else:
            self.open_dossier(result.code)

    def _scan_failed(self, exc: BaseException) -> None:
        self._tell(T["open_failed"].format(msg=exc.message if isinstance(exc, ServiceError) else exc))

    def _tell(self, message: str) -> None:
        self.scan_message = QMessageBox(QMessageBox.Icon.Information, T["scan_unknown_title"], message,
                                        QMessageBox.StandardButton.Ok, self)
        self.scan_message.button(QMessageBox.StandardButton.Ok).setText(T["ok"])
        self.scan_message.open()

    def logout(self) -> None:
        if self._ask_unsaved("logout", self.logout):
            return
        self.logged_out.emit()
        self._leaving = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not getattr(self, "_leaving", False) and self._ask_unsaved("quit", self.close):
            event.ignore()
            return
        if self.kiosk_link is not None:
            self.kiosk_link.stop()
            self.kiosk_link = None
        super().closeEvent(event)

    def _ask_unsaved(self, kind: str, then) -> bool:
        """A half-typed dossier is never thrown away silently: ask first. True when asking (stop now);
        if the clerk confirms, `then` runs again and goes through."""
        if self.reception.is_blank() or getattr(self, "_leaving", False):
            return False
        box = QMessageBox(QMessageBox.Icon.Warning, T["unsaved_title"], T[f"unsaved_{kind}"],
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText(T[f"unsaved_yes_{kind}"])
        box.button(QMessageBox.StandardButton.No).setText(T["unsaved_no"])
        box.setDefaultButton(QMessageBox.StandardButton.No)
        yes = box.button(QMessageBox.StandardButton.Yes)

        def decided(_result: int) -> None:
            if box.clickedButton() is yes:
                self._leaving = True
                then()

        box.finished.connect(decided)
        self.unsaved_box = box
        box.open()
        return True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not getattr(self, "_focused_once", False):
            # right after login: the first keystrokes (or a scan) must land in the form, not nowhere
            self._focused_once = True
            self.activateWindow()
            self.reception.focus_first()
