"""Typing into widgets as people and scanners do: QTest.keyClicks knows only ASCII, Vietnamese needs this."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def type_vi(widget, text: str) -> None:
    """Key by key as an input method commits it or a scanner sends it; CR/LF become Enter presses."""
    widget.setFocus()
    for ch in text:
        if ch in "\r\n":
            QTest.keyClick(widget, Qt.Key.Key_Return)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
