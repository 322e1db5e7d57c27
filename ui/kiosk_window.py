"""The rating kiosk: a full-screen touch window a citizen uses to rate the service for their dossier.

Two ways in: the citizen scans the receipt's barcode (or its QR), or the clerk presses "Mời đánh giá" at the
counter and this kiosk shows that dossier at once (it watches the file's change journal when it shares the
counter's file, and polls the counter over the office network when it has a file of its own).

Trust: one rating per dossier (a second attempt is told when it was rated), a double tap counts once (a
rating is written once, by an id made when the citizen starts; a tap within moments of a screen appearing is
ignored), nothing is ever edited; the window cannot be closed, minimised or left (Esc, Alt+F4, Alt+Tab, the
window manager's close) without the staff PIN, which locks for some minutes after a few wrong tries. An idle
timeout goes back to the welcome screen and drops what was not confirmed.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from app.domain.rating import is_low
from app.services.errors import ServiceError
from app.services.ratings import (
    PinGuard,
    RatingTarget,
    ScanOutcome,
    check_pin,
    check_scanned,
    close_invitation,
    kiosk_config,
    new_rating_id,
    open_invitation,
    pin_state_file,
    record_rating,
    record_reasons,
)
from ui.change_watcher import ChangeWatcher
from ui.kiosk_pages import (
    BACKGROUND,
    CommentPage,
    FacesPage,
    MessagePage,
    PinPage,
    ReasonsPage,
    StaffPage,
    ThanksPage,
    WelcomePage,
    metrics_for,
)
from ui.kiosk_pages import T as PAGE_TEXT
from ui.scanner import ScannerListener
from ui.workers import run_in_thread

log = logging.getLogger(__name__)

# --- every user-visible text of the kiosk window (the screens' own texts are in ui.kiosk_pages) ----------------
T = {
    "title": "MotCua – Đánh giá mức độ hài lòng",
    "save_failed": "Chưa ghi nhận được đánh giá do lỗi lưu dữ liệu. Xin ông/bà báo cán bộ tại quầy.",
    "not_a_code": "Mã vừa quét không phải mã vạch trên giấy hẹn. Xin mời quét mã vạch in trên Giấy tiếp nhận "
                  "hồ sơ và hẹn trả kết quả.",
    "card": "Đây là thẻ căn cước. Xin mời quét mã vạch trên giấy hẹn trả kết quả.",
    "check_failed": "Chưa kiểm tra được mã hồ sơ. Xin ông/bà thử lại hoặc báo cán bộ tại quầy.",
    "link_down": "Chưa kết nối được với máy quầy; đánh giá vẫn được lưu và gửi sau.",
}

WATCH_MS = 250
THANKS_SECONDS = 6
MESSAGE_SECONDS = 12
RECLAIM_MS = 250  # after losing the focus (a system dialog, Alt+Tab), take the screen back this soon
SCREENS = ("welcome", "faces", "reasons", "comment", "thanks", "message", "pin", "staff")
RATING_SCREENS = ("faces", "reasons", "comment")
_BLOCKED_KEYS = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_F4, Qt.Key.Key_Meta, Qt.Key.Key_Super_L,
                 Qt.Key.Key_Super_R, Qt.Key.Key_Menu}


class KioskWindow(QWidget):
    """The kiosk. Signals: `screen_changed(name)` (one of SCREENS) and `rating_stored(rating_id)` once a
    rating is in the file. `link` is the counter link of a kiosk with a file of its own (ui.kiosk_link)."""

    screen_changed = Signal(str)
    rating_stored = Signal(str)
    write_failed = Signal(str)

    def __init__(self, db, *, counter_slot: int | None = None, windowed: bool = False, link=None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.windowed = windowed
        self.counter_override = counter_slot
        self.config = kiosk_config(db, counter_slot=counter_slot)
        self.guard = PinGuard(self.config.pin_tries, self.config.pin_lock_minutes,
                              log_name=f"Máy đánh giá {self.config.kiosk_slot}",
                              state_file=pin_state_file(db, self.config.kiosk_slot))
        self.allow_close = False
        self.target: RatingTarget | None = None
        self.rating_id = ""
        self.level = ""
        self.comment = ""
        self.written = False
        self.reasons_waiting: tuple[list[str], str] | None = None
        self.touched = False
        self.dismissed: set[str] = set()  # invitations this kiosk let go (they must not come back)
        self.link = link
        self.setWindowTitle(T["title"])
        self.setObjectName("kioskWindow")
        self.setStyleSheet(f"#kioskWindow {{ background: {BACKGROUND}; }}")
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self.idle = QTimer(self, singleShot=True)
        self.idle.timeout.connect(self._idle)
        self.invite_timer = QTimer(self, singleShot=True)
        self.invite_timer.timeout.connect(self._invitation_expired)
        self.back_timer = QTimer(self, singleShot=True)
        self.back_timer.timeout.connect(self.show_welcome)
        self.lock_timer = QTimer(self)
        self.lock_timer.setInterval(1000)
        self.lock_timer.timeout.connect(self._show_lock)
        self.scanner = ScannerListener(self)
        self.scanner.code_scanned.connect(self.scanned)
        self.scanner.card_scanned.connect(lambda _t: self.show_message(T["card"]))
        self.scanner.garbage_scanned.connect(lambda: self.show_message(T["not_a_code"]))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        # a counter's invitation on a shared file shows within a second: the journal is read 4 times a second
        self.watcher = ChangeWatcher(db, self, interval_ms=WATCH_MS)
        self.watcher.changed.connect(self._data_changed)
        if link is not None:
            link.synced.connect(self._link_synced)
            link.status.connect(self.welcome.set_status)
            link.start()
        self._apply_config()
        self.show_welcome()

    # --- building --------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.stack = QStackedWidget()
        self.welcome = WelcomePage()
        self.faces = FacesPage()
        self.reasons = ReasonsPage()
        self.comment_page = CommentPage()
        self.thanks = ThanksPage()
        self.message = MessagePage()
        self.pin = PinPage()
        self.staff = StaffPage()
        self.pages = dict(zip(SCREENS, (self.welcome, self.faces, self.reasons, self.comment_page, self.thanks,
                                        self.message, self.pin, self.staff), strict=True))
        for page in self.pages.values():
            self.stack.addWidget(page)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.welcome.staff_requested.connect(self.ask_pin)
        self.faces.chosen.connect(self.chose)
        self.faces.back.connect(self._declined)
        self.reasons.send.connect(self.send_reasons)
        self.reasons.skip.connect(self._skip_reasons)
        self.reasons.write.connect(self._write_comment)
        self.comment_page.done.connect(self._comment_done)
        self.message.back.connect(self.show_welcome)
        self.pin.entered.connect(self._pin_entered)
        self.pin.cancel.connect(self.show_welcome)
        self.staff.quit_requested.connect(self.quit_kiosk)
        self.staff.resume.connect(self.show_welcome)

    def _apply_config(self) -> None:
        c = self.config
        self.welcome.set_office(c.center_name)
        self.faces.set_levels(c.levels)
        self.idle.setInterval(c.idle_seconds * 1000)
        self.guard.tries, self.guard.lock_minutes = c.pin_tries, c.pin_lock_minutes
        self.staff.info.setText(PAGE_TEXT["staff_info"].format(name=c.kiosk_name, counter=c.counter_slot))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        screen = self.screen()
        dpi = screen.physicalDotsPerInch() if screen is not None else 96.0
        m = metrics_for(self.width(), self.height(), dpi)
        for page in self.pages.values():
            page.apply(m)

    # --- screens ------------------------------------------------------------------------------------------------

    @property
    def screen_name(self) -> str:
        current = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is current)

    def _go(self, name: str) -> None:
        page = self.pages[name]
        page.shown_at = time.monotonic()
        self.stack.setCurrentWidget(page)
        self.back_timer.stop()
        if name == "welcome":
            self.idle.stop()
        elif name == "faces" and self.target is not None and self.target.via == "invitation" and not self.touched:
            self.idle.stop()  # an invitation waits for its citizen until it expires; a touch starts the clock
        else:
            self.idle.start()
        if name == "thanks":
            self.back_timer.start(THANKS_SECONDS * 1000)
        elif name == "message":
            self.back_timer.start(MESSAGE_SECONDS * 1000)
        if name != "pin":
            self.lock_timer.stop()
        self.screen_changed.emit(name)

    def show_welcome(self) -> None:
        self.target = None
        self.invite_timer.stop()
        self._go("welcome")
        self.check_invitation()

    def show_message(self, text: str) -> None:
        if self.screen_name in ("reasons", "comment", "pin", "staff"):
            return  # a citizen is writing, or staff are at work: a stray scan waits
        self.message.set_message(text)
        self._go("message")

    # --- starting a rating --------------------------------------------------------------------------------------

    def scanned(self, code: str) -> None:
        """A receipt scanned: check it (in a worker: it may ask the counter) and start, or say why not."""
        if self.screen_name in ("reasons", "comment", "pin", "staff"):
            return
        db, slot = self.db, self.config.counter_slot
        remote = self.link.lookup if self.link is not None else None
        run_in_thread(lambda: check_scanned(db, code, remote=remote, counter_slot=slot), self._scan_checked,
                      lambda _exc: self.show_message(T["check_failed"]), parent=self, name="check_scanned")

    def _scan_checked(self, outcome: ScanOutcome) -> None:
        if self.screen_name in ("reasons", "comment", "pin", "staff"):
            return
        if outcome.target is None:
            self.show_message(outcome.message)
            return
        if self.target is not None and self.target.invitation_id:
            self.dismissed.add(self.target.invitation_id)  # someone else's receipt takes the screen
        self.start_rating(outcome.target, touched=True)

    def check_invitation(self) -> None:
        db, slot = self.db, self.config.counter_slot
        run_in_thread(lambda: open_invitation(db, slot), self._invitation, parent=self, name="open_invitation")

    def _invitation(self, target: RatingTarget | None) -> None:
        screen = self.screen_name
        showing = self.target if screen == "faces" else None
        if target is None or target.invitation_id in self.dismissed:
            if showing is not None and showing.via == "invitation" and not self.touched:
                self.show_welcome()  # withdrawn, replaced, expired or rated elsewhere
            return
        # a new invitation takes the welcome, thanks or message screen, or an untouched older invitation
        if screen in ("welcome", "thanks", "message") or (showing is not None and showing.via == "invitation"
                                                            and not self.touched
                                                            and showing.invitation_id != target.invitation_id):
            self.start_rating(target, touched=False)

    def start_rating(self, target: RatingTarget, *, touched: bool) -> None:
        self.target = target
        self.rating_id = new_rating_id()
        self.level, self.comment, self.written, self.reasons_waiting = "", "", False, None
        self.touched = touched
        self.faces.set_levels(self.config.levels)
        self.faces.set_target(target.code, target.procedure_name)
        self.invite_timer.stop()
        if target.expires_at is not None:
            left = (target.expires_at - self.db.clock()).total_seconds()
            self.invite_timer.start(max(int(left * 1000), 0))
        self._go("faces")

    def _invitation_expired(self) -> None:
        if self.screen_name == "faces" and not self.touched:
            self.show_welcome()

    # --- the citizen's choice -----------------------------------------------------------------------------------

    def chose(self, level: str) -> None:
        """A face was tapped: the rating is written now (the thanks or the reasons screen shows at once; the
        write runs in a worker)."""
        if self.target is None or self.level:
            return
        self.level = level
        if is_low(level):
            self.reasons.set_reasons(self.config.reasons)
            self._go("reasons")
        else:
            self._go("thanks")
        # paint the next screen now, then write: a worker started first would hold the interpreter while the
        # citizen waits for the screen to change
        self.stack.currentWidget().repaint()
        db, target, rid, scale = self.db, self.target, self.rating_id, self.config.scale
        run_in_thread(lambda: record_rating(db, target, level, rating_id=rid, scale=scale), self._written,
                      self._write_error, parent=self, name="record_rating")

    def _written(self, rating_id: str) -> None:
        self.written = True
        self.rating_stored.emit(rating_id)
        if self.reasons_waiting is not None and self.target is not None:
            tags, comment = self.reasons_waiting
            self.reasons_waiting = None
            self._write_reasons(self.target.code, rating_id, tags, comment)

    def _write_error(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        log.error("kiosk: rating not stored: %s", type(exc).__name__)
        self.write_failed.emit(msg)
        self.level = ""
        self.message.set_message(T["save_failed"])
        self._go("message")

    def send_reasons(self, tags: list[str]) -> None:
        if self.target is None:
            return
        if self.written:
            self._write_reasons(self.target.code, self.rating_id, tags, self.comment)
        else:
            self.reasons_waiting = (tags, self.comment)
        self._go("thanks")

    def _write_reasons(self, code: str, rating_id: str, tags: list[str], comment: str) -> None:
        db = self.db
        run_in_thread(lambda: record_reasons(db, code, rating_id, tags, comment), lambda _r: None,
                      lambda exc: log.error("kiosk: reasons not stored: %s", type(exc).__name__), parent=self,
                      name="record_reasons")

    def _skip_reasons(self) -> None:
        self.reasons_waiting = None
        self._go("thanks")

    def _write_comment(self) -> None:
        self.comment_page.start(self.comment)
        self._go("comment")

    def _comment_done(self, text: str) -> None:
        self.comment = text.strip()
        self.reasons.set_comment(self.comment)
        self._go("reasons")

    def _declined(self) -> None:
        """"Quay lại" before choosing: nothing is stored; an invitation is let go (the clerk may invite again)."""
        self._let_invitation_go("timeout")
        self.show_welcome()

    def _let_invitation_go(self, reason: str) -> None:
        target = self.target
        if target is None or not target.invitation_id or self.level:
            return
        self.dismissed.add(target.invitation_id)
        db = self.db
        run_in_thread(lambda: close_invitation(db, target.code, target.invitation_id, reason=reason),
                      lambda _r: None, lambda exc: log.warning("kiosk: invitation not closed: %s", type(exc).__name__),
                      parent=self, name="close_invitation")

    # --- idle, input, lock-down ---------------------------------------------------------------------------------

    def _idle(self) -> None:
        """Nobody touched the screen for kiosk_idle_seconds: back to welcome, dropping what was not confirmed
        (a chosen level is already stored; unsent reasons and comment are dropped)."""
        name = self.screen_name
        if name == "welcome":
            return
        if name == "faces":
            self._let_invitation_go("timeout")
        self.reasons_waiting = None
        self.show_welcome()

    def _activity(self) -> None:
        self.touched = True
        if self.screen_name != "welcome":
            self.idle.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        et = event.type()
        if et in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            if isinstance(obj, QWidget) and obj.window() is self:
                self._activity()
        elif et == QEvent.Type.KeyPress and isinstance(obj, QWidget) and obj.window() is self:
            key, mods = event.key(), event.modifiers()
            alt = bool(mods & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier))
            if key == Qt.Key.Key_Escape or (alt and key == Qt.Key.Key_F4):
                self.ask_pin()
                return True
            if alt or key in _BLOCKED_KEYS:
                return True  # Alt+Tab and friends: when the keyboard is grabbed they reach us, and stop here
        return False

    def ask_pin(self) -> None:
        """Staff want out: the PIN pad (nothing else leaves the kiosk)."""
        if self.screen_name in ("pin", "staff"):
            return
        if self.screen_name == "faces":
            self._let_invitation_go("timeout")
        self.pin.reset()
        self._go("pin")
        self._show_lock()
        self.lock_timer.start()

    def _show_lock(self) -> None:
        left = self.guard.locked_for()
        if left > 0:
            m, s = divmod(int(left + 0.999), 60)
            self.pin.set_locked(True, PAGE_TEXT["pin_locked"].format(m=m, s=s))
        else:
            was_locked = not self.pin.keys["0"].isEnabled()
            self.pin.set_locked(False)
            if was_locked:
                self.pin.reset()

    def _pin_entered(self, digits: str) -> None:
        if self.guard.locked_for() > 0:
            return
        db = self.db
        run_in_thread(lambda: check_pin(db, digits), self._pin_checked, parent=self, name="check_pin")

    def _pin_checked(self, ok: bool) -> None:
        if self.screen_name != "pin":
            return
        if ok:
            self.guard.right()
            self._go("staff")
            return
        self.guard.wrong()
        if self.guard.locked_for() > 0:
            self._show_lock()
        else:
            self.pin.reset(PAGE_TEXT["pin_wrong"].format(n=self.guard.tries - self.guard.failures))

    def quit_kiosk(self) -> None:
        self.allow_close = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.allow_close:
            event.ignore()
            self.ask_pin()
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        for timer in (self.idle, self.invite_timer, self.back_timer, self.lock_timer):
            timer.stop()
        self.watcher.stop()
        if self.link is not None:
            self.link.stop()
        self.scanner.uninstall()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if not self.windowed:
            self.releaseKeyboard()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if self.windowed or self.allow_close:
            return
        if event.type() == QEvent.Type.WindowStateChange and self.windowState() & Qt.WindowState.WindowMinimized:
            QTimer.singleShot(0, self.showFullScreen)
        elif event.type() == QEvent.Type.ActivationChange and not self.isActiveWindow():
            QTimer.singleShot(RECLAIM_MS, self._reclaim)

    def _reclaim(self) -> None:
        if self.allow_close or self.isActiveWindow():
            return
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.grabKeyboard()

    def lock_down(self) -> None:
        """Full screen, on top, frameless, the keyboard grabbed (so the window manager's Alt+Tab and Alt+F4
        come here). The operating system's own escape hatches (Ctrl+Alt+Del, a kiosk session's settings) are
        the installer's business: see README."""
        self.setWindowFlags(self.windowFlags() | Qt.WindowType.FramelessWindowHint
                            | Qt.WindowType.WindowStaysOnTopHint)
        self.showFullScreen()
        self.activateWindow()
        self.grabKeyboard()

    # --- what others changed ---------------------------------------------------------------------------------------

    def _data_changed(self, changes) -> None:
        if changes.touches("settings"):
            db, slot = self.db, self.counter_override
            run_in_thread(lambda: kiosk_config(db, counter_slot=slot), self._config_loaded, parent=self,
                          name="kiosk_config")
        if changes.touches("rating") or changes.everything:
            self.check_invitation()

    def _config_loaded(self, config) -> None:
        self.config = config
        self._apply_config()

    def _link_synced(self, stored: int) -> None:
        if stored:
            self.check_invitation()
