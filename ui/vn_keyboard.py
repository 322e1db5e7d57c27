"""The kiosk's on-screen keyboard: Vietnamese letters in alphabetical order (an elderly citizen may never have
used a QWERTY keyboard), tone keys that put their mark on the right vowel of the word being typed, a digits
and punctuation page, space and backspace. Keys are at least one touch target (15 mm) wide and high."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from app.domain.rating import MAX_COMMENT
from app.domain.vn_input import apply_tone

# --- every user-visible text of the keyboard ------------------------------------------------------------------
T = {
    "space": "dấu cách",
    "backspace": "⌫ xóa",
    "shift": "⇧ chữ hoa",
    "digits": "123 ?!",
    "letters": "abc",
    "tones": (("sac", "á\nsắc"), ("huyen", "à\nhuyền"), ("hoi", "ả\nhỏi"), ("nga", "ã\nngã"), ("nang", "ạ\nnặng")),
}
# ---------------------------------------------------------------------------------------------------------------

COLUMNS = 11
LETTER_ROWS = ("a ă â b c d đ e ê g h", "i k l m n o ô ơ p q r", "s t u ư v x y")
DIGIT_ROWS = ("1 2 3 4 5 6 7 8 9 0 -", ", . ? ! : ; ( ) / % +", "' \" @ & * = _")
KEY_STYLE = """
QPushButton { background: #f1f3f6; color: #111; border: 2px solid #9aa3ad; border-radius: 10px; padding: 0; }
QPushButton:hover { background: #f1f3f6; }
QPushButton:pressed { background: #0b57d0; color: white; }
QPushButton[role="tone"] { background: #fff4e0; border-color: #c77700; }
QPushButton[role="action"] { background: #e4e8ee; }
QPushButton[role="action"]:checked { background: #0b57d0; color: white; }
"""


class VietKeyboard(QWidget):
    """`text_changed(str)` after every key; `text()` is what was typed (NFC, at most MAX_COMMENT characters).

    `keys` maps each key's label ("a", "ư", "sac", "space", "backspace", "shift", "digits") to its button,
    so that tests press them as a citizen would.
    """

    text_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self.shift = False
        self.digits = False
        self.keys: dict[str, QPushButton] = {}
        self.setStyleSheet(KEY_STYLE)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self._letter_buttons: list[QPushButton] = []
        self._build()

    # -- building --

    def _button(self, label: str, text: str, role: str = "letter") -> QPushButton:
        b = QPushButton(text)
        b.setProperty("role", role)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        b.setObjectName(f"key-{label}")
        self.keys[label] = b
        return b

    def _build(self) -> None:
        for r, row in enumerate(LETTER_ROWS):
            for c, ch in enumerate(row.split()):
                b = self._button(ch, ch)
                b.clicked.connect(lambda _=False, b=b: self._letter(b))
                self._letter_buttons.append(b)
                self.grid.addWidget(b, r, c + (2 if r == 2 else 0))
        shift = self._button("shift", T["shift"], "action")
        shift.setCheckable(True)
        shift.toggled.connect(self._set_shift)
        self.grid.addWidget(shift, 2, 0, 1, 2)
        back = self._button("backspace", T["backspace"], "action")
        back.setAutoRepeat(True)
        back.clicked.connect(self._backspace)
        self.grid.addWidget(back, 2, 9, 1, 2)
        for c, (tone, label) in enumerate(T["tones"]):
            b = self._button(tone, label, "tone")
            b.clicked.connect(lambda _=False, t=tone: self._tone(t))
            self.grid.addWidget(b, 3, c)
        space = self._button("space", T["space"], "action")
        space.clicked.connect(lambda: self._insert(" "))
        self.grid.addWidget(space, 3, 5, 1, 4)
        digits = self._button("digits", T["digits"], "action")
        digits.setCheckable(True)
        digits.toggled.connect(self._set_digits)
        self.grid.addWidget(digits, 3, 9, 1, 2)

    def apply_size(self, key_px: int, font_px: int, spacing: int) -> None:
        """Every key at least `key_px` high (a touch target), labels at `font_px`."""
        self.grid.setSpacing(spacing)
        # a style sheet's min-height (the inside of the border) wins over setMinimumHeight: say it there too
        self.setStyleSheet(KEY_STYLE + f"QPushButton {{ min-height: {key_px - 4}px; min-width: {key_px - 4}px; }}")
        f = QFont(self.font())
        f.setPixelSize(font_px)
        small = QFont(f)
        small.setPixelSize(max(int(font_px * 0.75), 14))
        for b in self.keys.values():
            b.setMinimumSize(key_px, key_px)
            b.setFont(small if b.property("role") in ("tone", "action") else f)
        for r in range(4):
            self.grid.setRowMinimumHeight(r, key_px)

    # -- typing --

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text[:MAX_COMMENT]
        self.text_changed.emit(self._text)

    def clear(self) -> None:
        self.keys["shift"].setChecked(False)
        self.keys["digits"].setChecked(False)
        self.set_text("")

    def _insert(self, s: str) -> None:
        if len(self._text) + len(s) > MAX_COMMENT:
            return
        self.set_text(self._text + s)

    def _letter(self, b: QPushButton) -> None:
        self._insert(b.text())
        if self.shift:
            self.keys["shift"].setChecked(False)  # a capital for one letter, as on a phone

    def _tone(self, tone: str) -> None:
        self.set_text(apply_tone(self._text, tone))

    def _backspace(self) -> None:
        self.set_text(self._text[:-1])

    def _set_shift(self, on: bool) -> None:
        self.shift = on
        self._relabel()

    def _set_digits(self, on: bool) -> None:
        self.digits = on
        self.keys["shift"].setChecked(False)
        self._relabel()

    def _relabel(self) -> None:
        rows = DIGIT_ROWS if self.digits else LETTER_ROWS
        chars = [ch for row in rows for ch in row.split()]
        for i, b in enumerate(self._letter_buttons):
            ch = chars[i] if i < len(chars) else ""
            b.setText(ch.upper() if self.shift and not self.digits else ch)
            b.setEnabled(bool(ch))
        self.keys["digits"].setText(T["letters"] if self.digits else T["digits"])
