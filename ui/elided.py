"""A one-line label that gives way: when its place is narrower than its text it ends with "…" and the
whole text is its tooltip. Used where several items share a line (the counter's status bar at 1366 px),
so the items that must be read in full keep their room and the rest never cuts a word in half."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, *, min_chars: int = 12):
        super().__init__(text, parent)
        self._min_chars = min_chars
        self._tip = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._sync_tip()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._sync_tip()
        self.updateGeometry()

    def set_fixed_tip(self, tip: str) -> None:
        """A tooltip shown whether or not the text is cut (it should hold the whole text)."""
        self._tip = tip
        self._sync_tip()

    def _sync_tip(self) -> None:
        self.setToolTip(self._tip or (self.text() if self.is_elided() else ""))

    def _frame(self) -> int:
        """What the label's padding and frame take from its width (a style sheet's padding included)."""
        return self.width() - self.contentsRect().width() + 2 * self.margin()

    def full_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(self.text()) + self._frame() + 4

    def is_elided(self) -> bool:
        return self.width() < self.full_width()

    def shown_text(self) -> str:
        """The text as painted (with "…" when cut)."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                              max(0, self.contentsRect().width() - 2 * self.margin()))

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.full_width(), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance("M" * self._min_chars) + self._frame(),
                     super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._sync_tip()

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        r = self.contentsRect().adjusted(self.margin(), self.margin(), -self.margin(), -self.margin())
        painter.drawText(r, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), self.shown_text())
