"""A keyboard-wedge barcode scanner, told apart from a person typing by the speed of its key presses.

The scanner "types" what it reads in a burst (a few ms per key) and usually adds Enter.
`ScannerListener` is an application-wide event filter: it holds back each printable key press for a
moment (GAP_MS, imperceptible to a person); if the next key follows within that moment the keys pile
up as a burst. A burst of at least MIN_LENGTH characters that ends with Enter (or with SILENCE_MS of
quiet, for scanners set up without a suffix) is recognised by its content
(:func:`app.domain.scan.classify_scan`), swallowed — nothing lands in the focused field — and reported:
`code_scanned(code)` for a receipt (its Code128, or its QR's lookup URL holding the code),
`card_scanned(text)` for the QR of a chip ID card, `garbage_scanned()` for anything else that ended
with Enter (a product barcode; never repeated in a message: it may be personal data). Anything else —
a person typing, a short burst, a held-down key, a fast burst with no Enter that is no receipt and no
card, and a burst of Vietnamese letters that is no card (a scanner types ASCII; Vietnamese letters come
from a person or an input method) — is replayed to its widget unchanged and in order. A stray Enter
just before a burst (a scanner with an Enter prefix) is swallowed with it.

A field that takes scans itself (the reception form's CCCD field) opts out with
`let_scans_through(widget)`: keys aimed at it or its children are never held; it recognises what it
was given with the same function (a receipt scanned there opens the dossier too).
"""

from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.codes import parse_code
from app.domain.scan import ScanKind, classify_scan
from app.services.dossiers import DossierView, get_dossier
from app.services.errors import NotFound

GAP_MS = 30  # a scanner sends its keys faster than this; a person does not, ten times in a row
MIN_LENGTH = 10  # shortest burst taken for a scan (a dossier code is 20+ characters)
SILENCE_MS = 80  # a burst without Enter ends after this much quiet

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# A scanner presses Shift around capital letters: modifier keys alone neither start nor end a burst.
MODIFIER_KEYS = (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr,
                 Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock)
# Ctrl, Alt, Meta make shortcuts, never scans
_SHORTCUT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier

PASS_THROUGH = "scannerPassThrough"  # dynamic property: this widget reads scanner bursts itself

T = {
    "not_found": "Không tìm thấy hồ sơ có mã {code}.",
    "not_a_code": "Mã vừa quét không phải là mã hồ sơ.",
}


def open_scanned(db, code: str) -> DossierView | str:
    """The dossier of a scanned code, or the sentence to show when there is none. Run it in a worker."""
    code = code.strip()
    if parse_code(code) is None:
        return T["not_a_code"]
    try:
        return get_dossier(db, code)
    except NotFound:
        return T["not_found"].format(code=code)


def let_scans_through(widget: QWidget) -> None:
    """The listener leaves keys for `widget` (and its children) alone: it reads scanned text itself."""
    widget.setProperty(PASS_THROUGH, True)


def _passes_through(obj: QObject) -> bool:
    while obj is not None:
        if obj.property(PASS_THROUGH):
            return True
        obj = obj.parent()
    return False


class _Held:
    __slots__ = ("receiver", "type", "key", "modifiers", "text", "native")

    def __init__(self, receiver: QObject, ev: QKeyEvent):
        self.receiver = receiver
        self.type = ev.type()
        self.key = ev.key()
        self.modifiers = ev.modifiers()
        self.text = ev.text()
        self.native = (ev.nativeScanCode(), ev.nativeVirtualKey(), ev.nativeModifiers())

    def event(self) -> QKeyEvent:
        return QKeyEvent(self.type, self.key, self.modifiers, self.native[0], self.native[1], self.native[2],
                         self.text)


class ScannerListener(QObject):
    """Install once per application: `ScannerListener(window)`; connect `code_scanned` / `garbage_scanned`.

    `set_enabled(False)` gives every held key back and stops listening (e.g. in widget tests that type
    and assert at once); `flush()` gives the held keys back now. While enabled, a key press reaches its
    widget up to GAP_MS late: tests typing through QTest should wait on the widget, not assert at once.
    """

    code_scanned = Signal(str)
    card_scanned = Signal(str)
    garbage_scanned = Signal()

    def __init__(self, parent: QObject | None = None, *, gap_ms: int = GAP_MS, min_length: int = MIN_LENGTH,
                 silence_ms: int = SILENCE_MS):
        super().__init__(parent)
        self.gap_ms, self.min_length, self.silence_ms = gap_ms, min_length, silence_ms
        self.enabled = True
        self._held: list[_Held] = []  # presses and releases held back, in arrival order
        self._chars: list[str] = []  # the printable characters among them
        self._last = 0.0  # arrival of the last held press (monotonic seconds)
        self._replaying = False
        self._last_seen: tuple | None = None  # to see a key event once, not again as it propagates
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._quiet)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_enabled(self, enabled: bool) -> None:
        if not enabled:
            self._flush()
        self.enabled = enabled

    def flush(self) -> None:
        """Give every held key to its widget now (a burst in progress is treated as typing)."""
        self._flush()

    def uninstall(self) -> None:
        self._flush()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # -- the filter --

    def eventFilter(self, obj: QObject, event) -> bool:  # noqa: N802 - Qt's name
        et = event.type()
        if et not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or self._replaying or not self.enabled:
            return False
        if not isinstance(obj, QWidget):
            return False  # the window hands the key on to its focus widget; take it there
        if _passes_through(obj):
            if self._held:
                self._end_burst()
            return False
        ev: QKeyEvent = event
        seen = (shiboken6.getCppPointer(ev)[0], int(et.value), ev.key(), ev.text())
        if self._last_seen is not None and seen == self._last_seen[0] and self._is_ancestor(obj, self._last_seen[1]):
            return False  # the same event climbing to a parent widget, already handled below
        self._last_seen = (seen, obj)
        return self._key(obj, ev)

    @staticmethod
    def _is_ancestor(obj: QObject, child: QObject | None) -> bool:
        while child is not None and shiboken6.isValid(child):
            child = child.parent()
            if child is obj:
                return True
        return False

    def _key(self, obj: QObject, ev: QKeyEvent) -> bool:
        if ev.key() in MODIFIER_KEYS:
            return False
        now = time.monotonic()
        press = ev.type() == QEvent.Type.KeyPress
        enter = ev.key() in ENTER_KEYS
        printable = bool(ev.text()) and ev.text().isprintable() and not enter
        holdable = (printable or enter) and not ev.isAutoRepeat() \
            and not (ev.modifiers() & _SHORTCUT)
        if not press:
            if self._held and holdable:
                self._held.append(_Held(obj, ev))  # keep releases in order behind their presses
                return True
            return False
        if self._held and (now - self._last) * 1000 > self.gap_ms:
            self._end_burst()  # the event loop was busy: the quiet timer has not run yet
        if not holdable:
            self._end_burst()
            return False
        if enter and len(self._chars) >= self.min_length:
            return self._conclude(with_enter=True)  # the scanner's Enter goes with its burst
        if enter and self._chars:
            self._flush()  # a short burst then Enter: a person's text and their Enter
            return False
        self._held.append(_Held(obj, ev))
        if printable:
            self._chars.append(ev.text())
        self._last = now
        self._timer.start(self.silence_ms if len(self._chars) >= self.min_length else self.gap_ms)
        return True

    def _quiet(self) -> None:
        self._end_burst()

    def _end_burst(self) -> None:
        if len(self._chars) >= self.min_length:
            self._conclude(with_enter=False)
        else:
            self._flush()

    def _conclude(self, *, with_enter: bool) -> bool:
        """A long burst is over: report and swallow it (True), or give it back to its widget (False)."""
        text = "".join(self._chars).strip()
        scan = classify_scan(text)
        known = scan.kind == ScanKind.CARD or (scan.kind == ScanKind.DOSSIER and text.isascii())
        garbage = not known and with_enter and text.isascii()
        if not (known or garbage):
            self._flush()
            return False
        self._held.clear()
        self._chars.clear()
        self._timer.stop()
        if scan.kind == ScanKind.DOSSIER and known:
            self.code_scanned.emit(scan.code)
        elif scan.kind == ScanKind.CARD:
            self.card_scanned.emit(scan.text)
        else:
            self.garbage_scanned.emit()
        return True

    def _flush(self) -> None:
        """Give the held keys to the widgets they were meant for, as if nothing happened."""
        held, self._held, self._chars = self._held, [], []
        self._timer.stop()
        self._replaying = True
        try:
            for h in held:
                if shiboken6.isValid(h.receiver):
                    QApplication.sendEvent(h.receiver, h.event())
        finally:
            self._replaying = False

    def pending(self) -> int:
        """How many key events are held back right now (tests)."""
        return len(self._held)
