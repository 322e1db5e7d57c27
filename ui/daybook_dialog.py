"""Closing the day book at the counter: the status-bar item "Chưa chốt sổ ngày …", the notice on start,
the automatic archive at the closing time, and the dialog that closes the days in order, reprints a
closed day, prints a volume's cover and closes a volume at the year's end.

Every call into app.services.daybook runs in a worker (PDF building takes a noticeable moment); the
widgets only show what comes back.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.services.daybook import (
    ArchiveReport,
    BookState,
    archive_days,
    book_state,
    close_day,
    close_volume,
    cover_pdf,
    day_pdf,
    volume_end_pdf,
)
from app.services.errors import ServiceError
from app.services.reports import join_pdfs
from app.services.users import UserInfo
from ui.audit_hooks import for_preview
from ui.workers import run_in_thread

# --- every user-visible text of the day book's widgets ------------------------------------------------
T = {
    "unsent": "Còn {n} thay đổi của máy này chưa lên máy chủ tỉnh: nếu có mạng, hãy đồng bộ trước khi chốt sổ để "
              "sổ ghi đủ những việc các quầy khác đã làm với hồ sơ của quầy này.",
    "item_one": "Chưa chốt sổ ngày {day}",
    "item_two": "Chưa chốt sổ ngày {a}, {b}",
    "item_many": "Chưa chốt sổ {n} ngày",
    "item_done": "Đã chốt sổ đến {day}",
    "item_none": "Sổ: không có ngày cần chốt",
    "item_pending_tip": "Các ngày chưa chốt sổ: {days}.\n",
    "item_loading": "Đang xem sổ theo dõi…",
    "item_tip": "Bấm để chốt sổ theo dõi hồ sơ (in tiếp các trang của quyển sổ, theo thứ tự ngày).\n"
                "Bản lưu PDF của mỗi ngày được ghi tự động lúc {time} vào thư mục {folder}.",
    "item_archive_error": "\nLần lưu gần nhất bị lỗi: {error}",
    "notice": "Sổ theo dõi hồ sơ chưa chốt {days}. Chốt sổ để in tiếp các trang của quyển sổ.",
    "notice_one": "ngày {day}",
    "notice_two": "ngày {a} và ngày {b}",
    "notice_many": "{n} ngày, từ ngày {first} đến ngày {last}",
    "notice_close": "Chốt sổ ngay…",
    "notice_later": "Để sau",
    "title": "Chốt sổ theo dõi hồ sơ",
    "book": "Quyển số {volume}: đã chốt đến ngày {day}, {pages} trang.",
    "book_empty": "Quyển số {volume}: chưa chốt ngày nào.",
    "pending": "Các ngày chưa chốt sổ (chốt theo thứ tự, ngày cũ trước):",
    "none_pending": "Không còn ngày nào chưa chốt sổ.",
    "explain": "Chốt sổ in các dòng của ngày thành các trang tiếp theo của quyển sổ, kèm tổng hợp và chỗ ký. "
               "Thay đổi về sau (trả kết quả, đính chính) được in ở phần “Cập nhật các dòng đã in” của ngày "
               "chốt sổ kế tiếp.",
    "close": "Chốt sổ {n} ngày và in",
    "close_one": "Chốt sổ ngày {day} và in",
    "closing": "Đang chốt sổ ngày {day} ({i}/{n})…",
    "closed": "Đã chốt sổ {n} ngày: trang {first}–{last}.",
    "failed": "Không chốt được sổ: {msg}",
    "reprint_box": "In lại",
    "reprint_day": "Ngày:",
    "reprint": "In lại ngày này",
    "year_box": "Quyển sổ năm {year}",
    "cover": "In bìa sổ",
    "volume_close": "Khóa sổ năm {year}…",
    "volume_reprint": "In lại trang khóa sổ",
    "confirm_title": "Khóa sổ năm {year}",
    "confirm": "Khóa Quyển sổ năm {year}? Trang cuối ghi số trang, số dòng và ngày khóa sổ; sau khi khóa "
               "không chốt thêm ngày nào vào quyển này.",
    "yes": "Khóa sổ",
    "no": "Không",
    "working": "Đang lập các trang sổ…",
    "archive": "Bản lưu tự động: lúc {time} mỗi ngày, vào thư mục {folder}.",
    "done": "Đóng",
    "pdf_title": "Sổ theo dõi hồ sơ",
    "weekday": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"),
}

START_DELAY_MS = 4000  # the archive waits for the window's own first loads
REFRESH_MS = 10 * 60 * 1000  # the state also changes at midnight and at the closing time
ARCHIVE_BATCH = 2  # days archived per worker job, so that other work gets the interpreter in between


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def pending_text(days: list[date]) -> str:
    """The status item's words for the days not closed: short, the status bar is shared."""
    if len(days) == 1:
        return T["item_one"].format(day=f"{days[0]:%d/%m}")
    if len(days) == 2:
        return T["item_two"].format(a=f"{days[0]:%d/%m}", b=f"{days[1]:%d/%m}")
    return T["item_many"].format(n=len(days))


def notice_text(days: list[date]) -> str:
    """The notice's words for the same days, in full."""
    if len(days) == 1:
        which = T["notice_one"].format(day=_d(days[0]))
    elif len(days) == 2:
        which = T["notice_two"].format(a=_d(days[0]), b=_d(days[1]))
    else:
        which = T["notice_many"].format(n=len(days), first=_d(days[0]), last=_d(days[-1]))
    return T["notice"].format(days=which)


class DaybookWatch(QObject):
    """Keeps the book's state fresh and runs the automatic archive: at start (days the PC was off) and at
    the closing time every day. `changed(BookState)` after each refresh; `archived(ArchiveReport)` after
    each archive run."""

    changed = Signal(object)
    archived = Signal(object)

    def __init__(self, db, user: UserInfo, parent: QObject | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self.state: BookState | None = None
        self.archiving = False
        self.archive_error = ""
        self._written = 0
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._archive_timer = QTimer(self, singleShot=True)
        self._archive_timer.timeout.connect(self._closing_time)

    def start(self, *, archive_delay_ms: int = START_DELAY_MS) -> None:
        self.refresh()
        self._refresh_timer.start()
        QTimer.singleShot(archive_delay_ms, self, self.archive)

    def refresh(self) -> None:
        db, user = self.db, self.user
        run_in_thread(lambda: book_state(db, user), self._got, lambda exc: None, parent=self, name="book_state")

    def _got(self, state: BookState) -> None:
        self.state = state
        self._schedule(state)
        self.changed.emit(state)

    def _schedule(self, state: BookState) -> None:
        """Wake up at the next closing time (a single-shot timer, re-armed after each refresh)."""
        now = self.db.clock().astimezone(TZ)
        try:
            h, m = (int(x) for x in state.close_time.split(":"))
        except ValueError:
            h, m = 17, 30
        at = now.replace(hour=h, minute=m, second=5, microsecond=0)
        if at <= now:
            at += timedelta(days=1)
        self._archive_timer.start(max(int((at - now).total_seconds() * 1000), 1000))

    def _closing_time(self) -> None:
        self.archive()
        self.refresh()

    def archive(self) -> None:
        """Write the archive copy of every finished day that has none yet, a few days per worker job."""
        if self.archiving:
            return
        self.archiving = True
        self._written = 0
        self._archive_batch()

    def _archive_batch(self) -> None:
        db = self.db
        run_in_thread(lambda: archive_days(db, limit=ARCHIVE_BATCH), self._archived, self._archive_failed,
                      parent=self, name="archive_days")

    def _archived(self, report: ArchiveReport) -> None:
        self._written += len(report.written)
        if report.errors:
            self.archive_error = report.errors[-1]
        if report.remaining and not report.errors:
            QTimer.singleShot(100, self, self._archive_batch)
            return
        self.archiving = False
        if not report.errors:
            self.archive_error = ""
        self.archived.emit(report)

    def _archive_failed(self, exc: BaseException) -> None:
        self.archiving = False
        self.archive_error = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.archived.emit(ArchiveReport(errors=[self.archive_error]))


class DaybookStatusItem(QPushButton):
    """The status bar's "Chưa chốt sổ ngày …" (red) or "Sổ đã chốt đến …" (quiet); a click opens the dialog."""

    open_requested = Signal()

    def __init__(self, watch: DaybookWatch, parent: QWidget | None = None):
        super().__init__(T["item_loading"], parent)
        self.watch = watch
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setObjectName("daybookItem")
        self.clicked.connect(self.open_requested.emit)
        watch.changed.connect(self.show_state)
        watch.archived.connect(lambda _r: self.show_state(watch.state) if watch.state else None)

    def show_state(self, state: BookState) -> None:
        if state.pending:
            self.setText(pending_text(state.pending))
            self.setStyleSheet("QPushButton { color: #b3261e; font-weight: bold; padding: 2px 6px; border: none; }"
                               "QPushButton:hover { text-decoration: underline; }")
        else:
            self.setText(T["item_done"].format(day=f"{state.last_closed:%d/%m}") if state.last_closed
                         else T["item_none"])
            self.setStyleSheet("QPushButton { color: #444444; padding: 2px 6px; border: none; }"
                               "QPushButton:hover { text-decoration: underline; }")
        # Shown while there is something to do: the status bar is shared and already full at 1366 px.
        self.setVisible(bool(state.pending or self.watch.archive_error))
        tip = T["item_pending_tip"].format(days=", ".join(_d(d) for d in state.pending)) if state.pending else ""
        tip += T["item_tip"].format(time=state.close_time, folder=state.archive_dir)
        if self.watch.archive_error:
            tip += T["item_archive_error"].format(error=self.watch.archive_error)
        self.setToolTip(tip)


class DaybookNotice(QFrame):
    """Shown once at the top of the window when the book has days not closed: close now, or later."""

    open_requested = Signal()

    def __init__(self, watch: DaybookWatch, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("daybookNotice")
        self.setStyleSheet("#daybookNotice { background: #fff4ce; border-bottom: 1px solid #e0c36a; }")
        self.dismissed = False
        self._first = True
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.close_button = QPushButton(T["notice_close"])
        self.later_button = QPushButton(T["notice_later"])
        self.close_button.clicked.connect(self.open_requested.emit)
        self.later_button.clicked.connect(self.dismiss)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.close_button)
        lay.addWidget(self.later_button)
        self.hide()
        watch.changed.connect(self.show_state)

    def show_state(self, state: BookState) -> None:
        first, self._first = self._first, False
        if not state.pending or self.dismissed:
            self.hide()
            return
        if first or self.isVisible():  # "on start": a day that closes later only shows in the status bar
            self.label.setText(notice_text(state.pending))
            self.show()

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()


class CloseDayDialog(QDialog):
    """Close the pending days in order and print them; reprint a closed day; a volume's cover and end.

    `book_changed()` after a closing. `pdf_ready(bytes)` with every PDF just made (before its preview).
    """

    book_changed = Signal()
    pdf_ready = Signal(bytes)

    def __init__(self, db, user: UserInfo, watch: DaybookWatch, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user, self.watch = db, user, watch
        self.setWindowTitle(T["title"])
        self.preview = None
        self.message = ""
        self.busy = False
        self._queue: list[date] = []
        self._done: list = []
        self._reprint_day_set = False
        self._build()
        watch.changed.connect(self.show_state)
        if watch.state is not None:
            self.show_state(watch.state)
        watch.refresh()

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        self.book_label = QLabel(T["item_loading"])
        self.book_label.setObjectName("panelTitle")
        self.book_label.setWordWrap(True)
        self.pending_label = QLabel(T["pending"])
        self.days = QListWidget()
        self.days.setMinimumHeight(110)
        self.days.setMaximumHeight(190)
        self.explain = QLabel(T["explain"])
        self.explain.setWordWrap(True)
        self.explain.setObjectName("hint")
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet("color: #b3261e;")
        self.refusal.hide()
        self.close_button = QPushButton(T["close"].format(n=0))
        self.close_button.setObjectName("primary")
        self.close_button.setEnabled(False)
        self.close_button.clicked.connect(self.close_pending)

        reprint = QGroupBox(T["reprint_box"])
        rl = QHBoxLayout(reprint)
        today = self.db.clock().astimezone(TZ).date()
        self.reprint_date = QDateEdit(QDate(today.year, today.month, today.day), calendarPopup=True,
                                      displayFormat="dd/MM/yyyy")
        self.reprint_button = QPushButton(T["reprint"])
        self.reprint_button.clicked.connect(self.reprint)
        rl.addWidget(QLabel(T["reprint_day"]))
        rl.addWidget(self.reprint_date)
        rl.addWidget(self.reprint_button)
        rl.addStretch(1)

        self.year_box = year_box = QGroupBox(T["year_box"].format(year=self.year()))
        yl = QHBoxLayout(year_box)
        self.cover_button = QPushButton(T["cover"])
        self.volume_button = QPushButton(T["volume_close"].format(year=self.year()))
        self.volume_reprint_button = QPushButton(T["volume_reprint"])
        self.cover_button.clicked.connect(self.print_cover)
        self.volume_button.clicked.connect(self.close_volume)
        self.volume_reprint_button.clicked.connect(self.reprint_volume)
        for w in (self.cover_button, self.volume_button, self.volume_reprint_button):
            yl.addWidget(w)
        yl.addStretch(1)

        self.archive_label = QLabel()
        self.archive_label.setWordWrap(True)
        self.archive_label.setObjectName("hint")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.done_button = QPushButton(T["done"])
        self.done_button.clicked.connect(self.reject)

        lay.addWidget(self.book_label)
        lay.addWidget(self.pending_label)
        lay.addWidget(self.days)
        lay.addWidget(self.explain)
        lay.addWidget(self.refusal)
        lay.addWidget(self.close_button)
        lay.addWidget(reprint)
        lay.addWidget(year_box)
        lay.addWidget(self.archive_label)
        lay.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.done_button)
        lay.addLayout(bottom)
        self.resize(620, 560)

    # -- state --

    def year(self) -> int:
        """The volume the year buttons act on: last year's in January (its end is due), else this year's."""
        today = self.db.clock().astimezone(TZ).date()
        return today.year - 1 if today.month == 1 else today.year

    def show_state(self, state: BookState) -> None:
        if state.last_closed and not self._reprint_day_set:  # the day one most likely wants again
            d = state.last_closed
            self.reprint_date.setDate(QDate(d.year, d.month, d.day))
            self._reprint_day_set = True
        if state.last_closed:
            self.book_label.setText(T["book"].format(volume=state.volume, day=_d(state.last_closed),
                                                     pages=state.last_page))
        else:
            self.book_label.setText(T["book_empty"].format(volume=state.volume))
        self.days.clear()
        for d in state.pending:
            self.days.addItem(f"{T['weekday'][d.weekday()]}, {_d(d)}")
        self.pending_label.setText(T["pending"] if state.pending else T["none_pending"])
        n = len(state.pending)
        self.close_button.setText(T["close_one"].format(day=_d(state.pending[0])) if n == 1 else
                                  T["close"].format(n=n))
        warn = [state.refusal] if state.refusal else []
        if state.unsent:
            warn.append(T["unsent"].format(n=state.unsent))
        self.refusal.setText("\n".join(warn))
        self.refusal.setVisible(bool(warn))
        self._enable(not self.busy)
        self.year_box.setTitle(T["year_box"].format(year=self.year()))
        self.volume_button.setText(T["volume_close"].format(year=self.year()))
        self.archive_label.setText(T["archive"].format(time=state.close_time, folder=state.archive_dir))

    def _enable(self, on: bool) -> None:
        state = self.watch.state
        can_close = bool(state and state.pending and not state.refusal)
        self.close_button.setEnabled(on and can_close)
        for b in (self.reprint_button, self.cover_button, self.volume_button, self.volume_reprint_button):
            b.setEnabled(on)

    def _say(self, text: str) -> None:
        self.message = text
        self.status.setText(text)

    def _start(self) -> None:
        self.busy = True
        self._enable(False)

    def _stop(self, text: str = "") -> None:
        self.busy = False
        self._enable(True)
        if text:
            self._say(text)

    def _failed(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self._stop(T["failed"].format(msg=msg))

    # -- closing the days in order, one worker job per day --

    def close_pending(self) -> None:
        state = self.watch.state
        if not state or not state.pending or self.busy:
            return
        self._queue = list(state.pending)
        self._done = []
        self._start()
        self._next()

    def _next(self) -> None:
        if not self._queue:
            self._all_closed()
            return
        day = self._queue.pop(0)
        total = len(self._done) + len(self._queue) + 1
        self._say(T["closing"].format(day=_d(day), i=len(self._done) + 1, n=total))
        db, user = self.db, self.user
        run_in_thread(lambda: close_day(db, day, actor=user), self._one_closed, self._close_failed, parent=self,
                      name="close_day")

    def _one_closed(self, closed) -> None:
        self._done.append(closed)
        self._next()

    def _close_failed(self, exc: BaseException) -> None:
        self._queue = []
        self._failed(exc)
        if self._done:  # the days closed before the failure stand: show them
            self._all_closed(keep_message=True)

    def _all_closed(self, *, keep_message: bool = False) -> None:
        done = self._done
        if not keep_message:
            self._stop(T["closed"].format(n=len(done), first=done[0].first_page, last=done[-1].last_page))
        self.watch.refresh()
        self.book_changed.emit()
        parts = [c.pdf for c in done]
        name = f"so-theo-doi-ho-so-quyen-{done[0].volume.replace('/', '-')}-{done[0].day:%Y%m%d}-{done[-1].day:%Y%m%d}.pdf"
        run_in_thread(lambda: join_pdfs(parts), lambda pdf: self._preview(pdf, name), self._failed, parent=self)

    # -- reprints, cover, year end --

    def _run(self, fn, name: str, *, changes_book: bool = False) -> None:
        self._start()
        self._say(T["working"])

        def done(pdf: bytes) -> None:
            self._stop()
            self._say("")
            if changes_book:
                self.watch.refresh()
                self.book_changed.emit()
            self._preview(pdf, name)

        run_in_thread(fn, done, self._failed, parent=self)

    def reprint(self) -> None:
        q = self.reprint_date.date()
        day = date(q.year(), q.month(), q.day())
        db = self.db
        self._run(lambda: day_pdf(db, day)[0], f"so-theo-doi-ho-so-{day:%Y%m%d}.pdf")

    def print_cover(self) -> None:
        db, year = self.db, self.year()
        self._run(lambda: cover_pdf(db, year), f"bia-so-theo-doi-ho-so-{year}.pdf")

    def reprint_volume(self) -> None:
        db, year = self.db, self.year()
        self._run(lambda: volume_end_pdf(db, year), f"khoa-so-theo-doi-ho-so-{year}.pdf")

    def ask_confirm(self, year: int) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, T["confirm_title"].format(year=year),
                          T["confirm"].format(year=year),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText(T["yes"])
        box.button(QMessageBox.StandardButton.No).setText(T["no"])
        return box.exec() == QMessageBox.StandardButton.Yes

    def close_volume(self) -> None:
        year = self.year()
        if not self.ask_confirm(year):
            return
        db, user = self.db, self.user

        def job() -> bytes:
            return close_volume(db, year, actor=user).pdf

        self._run(job, f"khoa-so-theo-doi-ho-so-{year}.pdf", changes_book=True)

    def _preview(self, pdf: bytes, name: str) -> None:
        from ui.receipt_preview import ReceiptPreviewDialog

        self.pdf_ready.emit(pdf)
        self.preview = ReceiptPreviewDialog(pdf, title=T["pdf_title"], default_name=name, parent=self,
                                            audit=for_preview(self.db, self.user, "daybook", name, T["pdf_title"]))
        self.preview.open()
