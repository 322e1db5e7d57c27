"""The mouse wheel scrolls forms; it never changes a spin box, a time or a drop-down the clerk is not in."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox, QVBoxLayout, QWidget

from app.services.users import login
from ui.app import install_wheel_guard
from ui.reception_form import ReceptionPanel


def wheel(widget, steps: int = -3) -> None:
    """Turn the wheel over the middle of `widget` (negative: towards the user, i.e. scroll down)."""
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    ev = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


def test_a_wheel_over_an_unfocused_spin_box_or_drop_down_changes_nothing(qtbot):
    install_wheel_guard()
    w = QWidget()
    lay = QVBoxLayout(w)
    spin, combo, other = QSpinBox(), QComboBox(), QSpinBox()
    spin.setValue(5)
    combo.addItems(["Trực tiếp", "Qua dịch vụ bưu chính", "Trực tuyến"])
    for x in (spin, combo, other):
        lay.addWidget(x)
    qtbot.addWidget(w)
    w.show()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=2000)
    wheel(spin)
    wheel(combo)
    assert spin.value() == 5 and combo.currentIndex() == 0 and other.hasFocus()
    spin.setFocus()  # the clerk is in it: the wheel works as usual
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    wheel(spin, 1)
    assert spin.value() == 6


def test_scrolling_the_reception_form_over_the_time_keeps_it_now(qtbot, office_db):
    clerk = login(office_db, username="canbo1", password="matkhau123")
    panel = ReceptionPanel(office_db, clerk)
    qtbot.addWidget(panel)
    panel.resize(800, 700)
    panel.show()
    panel.name.setFocus()
    before = panel.received_at.dateTime()
    for widget in (panel.received_at, panel.channel, panel.return_method, panel.sets_count):
        wheel(widget)
    assert panel.received_at.dateTime() == before and panel.received_now
    assert panel.received_at_value() is None and panel.channel.currentIndex() == 0 and panel.sets_count.value() == 1
    assert not panel.received_at.property("backdated")
    # a time set by hand is marked beside the field
    panel.received_at.setDateTime(before.addSecs(-3600))
    assert panel.received_at.property("backdated") and "Nhập bù" in panel.time_hint.text()
    panel.back_to_now()
    assert not panel.received_at.property("backdated")
