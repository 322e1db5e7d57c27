"""The kiosk's screens: welcome, the faces, the reasons after a low score, the comment with its keyboard, thanks,
a message, the staff PIN and the staff menu. Each screen fits its window without scrolling; every touch target
is at least 15 mm (at the screen's density) and sized from the window, so the same screens serve a 10-inch
1280×800 tablet and a 1920×1080 monitor; type is large and dark on white, readable from a metre away."""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.rating import LEVEL_TEXT
from ui.vn_keyboard import VietKeyboard

# --- every user-visible text of the kiosk's screens ---------------------------------------------------------------
T = {
    "welcome_title": "Mời ông/bà đánh giá mức độ hài lòng",
    "welcome_how": "Xin đưa mã vạch trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả vào máy quét",
    "welcome_anon": "Đánh giá không ghi tên người đánh giá. Cán bộ không xem được ông/bà chọn mức nào.",
    "staff": "Cán bộ",
    "dossier": "Hồ sơ {code}",
    "question": "Ông/bà có hài lòng với việc giải quyết hồ sơ này không?",
    "back": "Quay lại",
    "reasons_title": "Ông/bà chưa hài lòng về điều gì?",
    "reasons_hint": "Chạm để chọn một hoặc nhiều ý (không bắt buộc)",
    "write": "✎  Viết góp ý",
    "written": "✎  Góp ý: “{text}”",
    "skip": "Bỏ qua",
    "send": "Gửi ý kiến",
    "comment_title": "Góp ý của ông/bà",
    "comment_placeholder": "Chạm vào các chữ bên dưới để viết",
    "done": "Xong",
    "clear": "Xóa hết",
    "thanks_title": "Cảm ơn ông/bà đã đánh giá!",
    "thanks_text": "Ý kiến của ông/bà đã được ghi nhận và giúp chúng tôi phục vụ tốt hơn.",
    "pin_title": "Dành cho cán bộ",
    "pin_hint": "Nhập mã PIN để mở khóa máy đánh giá",
    "pin_wrong": "Mã PIN không đúng. Còn {n} lần thử.",
    "pin_locked": "Nhập sai nhiều lần. Thử lại sau {m}:{s:02d}.",
    "pin_ok": "Mở khóa",
    "cancel": "Hủy",
    "staff_title": "Máy đánh giá đã mở khóa",
    "staff_info": "{name} · đánh giá cho quầy số {counter}",
    "quit": "Thoát chương trình",
    "resume": "Quay lại màn hình đánh giá",
}
# -------------------------------------------------------------------------------------------------------------------

MM_PER_INCH = 25.4
TARGET_MM = 15.0  # the smallest touch target
INK = "#111111"
MUTED = "#3d4650"
PRIMARY = "#0b57d0"
BACKGROUND = "#ffffff"
# face colours: light fill, dark outline and features (high contrast both ways)
FACE_COLORS = {
    "very_satisfied": ("#e3f4e4", "#1b5e20"),
    "satisfied": ("#eef7e0", "#33691e"),
    "neutral": ("#fff6d6", "#7a5b00"),
    "dissatisfied": ("#ffe9d6", "#a84300"),
    "very_dissatisfied": ("#fde3e3", "#8e1b1b"),
}
SMILE = {"very_satisfied": 1.0, "satisfied": 0.5, "neutral": 0.0, "dissatisfied": -0.5, "very_dissatisfied": -1.0}

BUTTON_STYLE = f"""
QPushButton {{ background: white; color: {INK}; border: 3px solid #7b8591; border-radius: 14px; padding: 4px 18px; }}
QPushButton:hover {{ background: white; }}
QPushButton:focus {{ border: 3px solid #7b8591; }}
QPushButton:pressed {{ background: #dbe6f7; }}
QPushButton[kind="primary"] {{ background: {PRIMARY}; color: white; border-color: {PRIMARY}; }}
QPushButton[kind="primary"]:pressed {{ background: #083f9a; }}
QPushButton[kind="tag"]:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY}; }}
QPushButton[kind="danger"] {{ background: #b3261e; color: white; border-color: #b3261e; }}
QPushButton:disabled {{ color: #8a9199; border-color: #c5cad0; background: white; }}
"""
BUTTON_FRAME = 2 * (3 + 4)  # border and vertical padding around a button's text (QSS min-height is the inside)


def button_style(m: Metrics | None) -> str:
    """The screens' button style; with metrics, every button at least one touch target high (a style sheet's
    min-height wins over setMinimumHeight, so the target is said here too)."""
    if m is None:
        return BUTTON_STYLE
    return BUTTON_STYLE + f"QPushButton {{ min-height: {m.target - BUTTON_FRAME}px; }}\n"


@dataclass(frozen=True)
class Metrics:
    """Sizes of one window: touch target, margins, and the pixel sizes of the type."""

    width: int
    height: int
    target: int  # px: at least 15 mm at the screen's density
    margin: int
    spacing: int
    title_px: int
    text_px: int
    small_px: int


def mm_to_px(mm: float, dpi: float) -> int:
    return round(mm / MM_PER_INCH * dpi)


def metrics_for(width: int, height: int, dpi: float) -> Metrics:
    """A target of 15 mm at the screen's physical density (taken as 96 dpi when the screen reports nonsense),
    and never less than 8.5 % of the window's height (a bigger screen is read from further away)."""
    dpi = dpi if 60 <= dpi <= 400 else 96.0
    target = max(mm_to_px(TARGET_MM, dpi), round(height * 0.085))
    return Metrics(width, height, target, margin=max(16, round(height * 0.03)), spacing=max(8, round(height * 0.014)),
                   title_px=max(26, round(height / 15)), text_px=max(20, round(height / 25)),
                   small_px=max(16, round(height / 36)))


def pen(color: str, width: float) -> QPen:
    """A round-capped, round-joined pen (strokes of the drawn faces and marks)."""
    out = QPen(QColor(color))
    out.setWidthF(width)
    out.setCapStyle(Qt.PenCapStyle.RoundCap)
    out.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return out


def font(px: int, *, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def label(text: str = "", *, color: str = INK, align=Qt.AlignmentFlag.AlignCenter, wrap: bool = True) -> QLabel:
    lab = QLabel(text)
    lab.setAlignment(align)
    lab.setWordWrap(wrap)
    lab.setStyleSheet(f"color: {color}; background: transparent;")
    return lab


def big_button(text: str, kind: str = "secondary") -> QPushButton:
    b = QPushButton(text)
    b.setProperty("kind", kind)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return b


class KioskPage(QWidget):
    """A screen. `shown_at` is when it became current (a tap arriving just after is the second tap of a double
    tap on the screen before, and is ignored)."""

    TAP_GUARD_S = 0.45

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.shown_at = 0.0
        self.metrics: Metrics | None = None
        self.setStyleSheet(button_style(None))

    def fresh_tap(self) -> bool:
        """False for a tap that lands within TAP_GUARD_S of this screen appearing."""
        return time.monotonic() - self.shown_at >= self.TAP_GUARD_S

    def apply(self, m: Metrics) -> None:
        self.metrics = m
        self.setStyleSheet(button_style(m))
        lay = self.layout()
        if lay is not None:
            lay.setContentsMargins(m.margin, m.margin, m.margin, m.margin)
            lay.setSpacing(m.spacing)
        for b in self.findChildren(QPushButton):
            if b.parent() is not None and isinstance(b.parent(), VietKeyboard):
                continue
            b.setFont(font(m.text_px, bold=True))
            b.setMinimumHeight(m.target)
            b.setMinimumWidth(m.target)

    def touch_targets(self) -> list[QWidget]:
        """Every control a finger presses on this screen (tests measure them)."""
        return [b for b in self.findChildren(QAbstractButton) if b.isVisibleTo(self)]


# --- welcome ----------------------------------------------------------------------------------------------------


class ScanHint(QWidget):
    """A receipt with its barcode and an arrow down to the scanner: what to do, without reading."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(320, 200)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        w = min(self.width(), h * 1.5)
        x0 = (self.width() - w) / 2
        paper = QRectF(x0 + w * 0.12, h * 0.04, w * 0.56, h * 0.78)
        p.setPen(QPen(QColor(MUTED), max(2, h / 90)))
        p.setBrush(QColor("white"))
        p.drawRoundedRect(paper, 6, 6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#c9ced6"))
        for i in range(3):
            p.drawRect(QRectF(paper.left() + paper.width() * 0.1, paper.top() + paper.height() * (0.1 + 0.1 * i),
                              paper.width() * (0.8 - 0.2 * i), paper.height() * 0.04))
        p.setBrush(QColor(INK))
        bars = QRectF(paper.left() + paper.width() * 0.1, paper.top() + paper.height() * 0.55,
                      paper.width() * 0.8, paper.height() * 0.3)
        x = bars.left()
        widths = (2, 1, 3, 1, 1, 2, 1, 3, 2, 1, 1, 2, 3, 1, 2, 1, 1, 3, 1, 2)
        unit = bars.width() / (sum(widths) * 1.6)
        for i, bw in enumerate(widths):
            if i % 2 == 0:
                p.drawRect(QRectF(x, bars.top(), bw * unit, bars.height()))
            x += bw * unit * 1.6
        # the arrow to the scanner
        p.setPen(pen(PRIMARY, max(4, h / 28)))
        ax = x0 + w * 0.86
        p.drawLine(QPointF(ax, h * 0.15), QPointF(ax, h * 0.85))
        p.drawLine(QPointF(ax, h * 0.9), QPointF(ax - h * 0.1, h * 0.75))
        p.drawLine(QPointF(ax, h * 0.9), QPointF(ax + h * 0.1, h * 0.75))
        p.end()


class WelcomePage(KioskPage):
    staff_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.office = label(color=PRIMARY)
        self.title = label(T["welcome_title"])
        self.how = label(T["welcome_how"])
        self.hint = ScanHint()
        self.hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.anon = label(T["welcome_anon"], color=MUTED)
        self.status = label(color="#8a4b00", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.staff_button = big_button(T["staff"])
        self.staff_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.staff_button.clicked.connect(self.staff_requested)
        lay.addWidget(self.office)
        lay.addStretch(1)
        lay.addWidget(self.title)
        lay.addWidget(self.how)
        lay.addWidget(self.hint, 3)
        lay.addWidget(self.anon)
        lay.addStretch(1)
        foot = QHBoxLayout()
        foot.addWidget(self.status, 1)
        foot.addWidget(self.staff_button)
        lay.addLayout(foot)

    def set_office(self, name: str) -> None:
        self.office.setText(name.upper())

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.office.setFont(font(m.small_px, bold=True))
        self.title.setFont(font(m.title_px, bold=True))
        self.how.setFont(font(m.text_px))
        self.anon.setFont(font(m.small_px))
        self.status.setFont(font(m.small_px))
        self.staff_button.setFont(font(m.small_px, bold=True))
        self.staff_button.setFixedSize(max(m.target * 2, QFontMetrics(font(m.small_px, bold=True))
                                           .horizontalAdvance(T["staff"]) + 48), m.target)
        self.hint.setMinimumHeight(m.target)


# --- the faces ----------------------------------------------------------------------------------------------------


class FaceButton(QAbstractButton):
    """A level: a drawn face (no emoji font needed) above its words, on a card as big as the row allows."""

    def __init__(self, level: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.level = level
        self.setText(LEVEL_TEXT[level])
        self.setObjectName(f"face-{level}")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.text_px = 24

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(200, 240)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(80, 100)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        fill, ink = FACE_COLORS[self.level]
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        p.setPen(QPen(QColor(ink), 4 if self.isDown() else 3))
        p.setBrush(QColor(fill).darker(112) if self.isDown() else QColor("white"))
        p.drawRoundedRect(r, 18, 18)
        f = font(self.text_px, bold=True)
        fm = QFontMetrics(f)
        text_h = fm.height() * 2.2  # up to two lines of words
        d = max(min(r.width() * 0.78, r.height() - text_h - 32), 20)
        top = r.top() + (r.height() - (d + 12 + text_h)) / 2  # face and words together, centred in the card
        c = QPointF(r.center().x(), top + d / 2)
        text_rect = QRectF(r.left() + 6, top + d + 12, r.width() - 12, text_h)
        p.setBrush(QColor(fill))
        p.setPen(QPen(QColor(ink), max(3, d / 28)))
        p.drawEllipse(c, d / 2, d / 2)
        p.setBrush(QColor(ink))
        p.setPen(Qt.PenStyle.NoPen)
        for dx in (-0.18, 0.18):
            p.drawEllipse(QPointF(c.x() + dx * d, c.y() - 0.1 * d), d * 0.055, d * 0.075)
        k = SMILE[self.level]
        mouth_y = c.y() + 0.2 * d - k * 0.04 * d
        path = QPainterPath(QPointF(c.x() - 0.22 * d, mouth_y))
        path.quadTo(QPointF(c.x(), mouth_y + k * 0.22 * d), QPointF(c.x() + 0.22 * d, mouth_y))
        p.setPen(pen(ink, max(3, d / 18)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setFont(f)
        p.setPen(QColor(INK))
        p.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                   self.text())
        p.end()


class FacesPage(KioskPage):
    """Signals: `chosen(level)` once per dossier (the first tap); `back()`."""

    chosen = Signal(str)
    back = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.dossier = label(color=MUTED)
        self.procedure = label()
        self.question = label(T["question"])
        self.row = QHBoxLayout()
        self.faces: dict[str, FaceButton] = {}
        self.back_button = big_button(T["back"])
        self.back_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.back_button.clicked.connect(self._back)
        self.taken = False
        lay.addWidget(self.dossier)
        lay.addWidget(self.procedure)
        lay.addWidget(self.question)
        lay.addLayout(self.row, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.back_button)
        foot.addStretch(1)
        lay.addLayout(foot)

    def set_levels(self, levels: tuple[str, ...]) -> None:
        if tuple(self.faces) == tuple(levels):
            return
        for b in self.faces.values():
            self.row.removeWidget(b)
            b.deleteLater()
        self.faces = {}
        for lv in levels:
            b = FaceButton(lv)
            b.clicked.connect(lambda _=False, lv=lv: self._tap(lv))
            self.row.addWidget(b, 1)
            self.faces[lv] = b
        if self.metrics:
            self.apply(self.metrics)

    def set_target(self, code: str, procedure: str) -> None:
        self.taken = False
        self.dossier.setText(T["dossier"].format(code=code))
        self.procedure.setText(procedure)
        self.procedure.setVisible(bool(procedure))

    def _tap(self, level: str) -> None:
        if self.taken or not self.fresh_tap():
            return  # a double tap, or a tap meant for the screen before: counted once
        self.taken = True
        self.chosen.emit(level)

    def _back(self) -> None:
        if not self.taken and self.fresh_tap():
            self.back.emit()

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.dossier.setFont(font(m.small_px))
        self.procedure.setFont(font(m.text_px, bold=True))
        self.question.setFont(font(m.title_px, bold=True))
        self.row.setSpacing(m.spacing * 2)
        for b in self.faces.values():
            b.text_px = m.text_px if len(self.faces) <= 3 else round(m.text_px * 0.82)
            b.setMinimumSize(m.target * 2, m.target * 2)
        self.back_button.setFixedSize(max(m.target * 3, QFontMetrics(font(m.text_px, bold=True))
                                          .horizontalAdvance(T["back"]) + 60), m.target)


# --- reasons and comment --------------------------------------------------------------------------------------------


class ReasonsPage(KioskPage):
    """Signals: `send(list[str])`, `skip()`, `write()` (open the comment screen)."""

    send = Signal(list)
    skip = Signal()
    write = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.title = label(T["reasons_title"])
        self.hint = label(T["reasons_hint"], color=MUTED)
        self.grid = QGridLayout()
        self.tag_buttons: dict[str, QPushButton] = {}
        self.write_button = big_button(T["write"])
        self.write_button.clicked.connect(lambda: self.fresh_tap() and self.write.emit())
        self.skip_button = big_button(T["skip"])
        self.send_button = big_button(T["send"], "primary")
        self.skip_button.clicked.connect(lambda: self.fresh_tap() and self.skip.emit())
        self.send_button.clicked.connect(self._send)
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addLayout(self.grid)
        lay.addWidget(self.write_button)
        lay.addStretch(1)
        foot = QHBoxLayout()
        foot.addWidget(self.skip_button, 1)
        foot.addWidget(self.send_button, 2)
        lay.addLayout(foot)

    def set_reasons(self, reasons: tuple[str, ...]) -> None:
        if tuple(self.tag_buttons) != tuple(reasons):
            for b in self.tag_buttons.values():
                self.grid.removeWidget(b)
                b.deleteLater()
            self.tag_buttons = {}
            for i, text in enumerate(reasons):
                b = big_button(text, "tag")
                b.setCheckable(True)
                # the second tap of a double tap on the face before lands here: take the toggle back
                b.clicked.connect(lambda checked, b=b: None if self.fresh_tap() else b.setChecked(not checked))
                b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                self.grid.addWidget(b, i // 2, i % 2)
                self.tag_buttons[text] = b
            if self.metrics:
                self.apply(self.metrics)
        for b in self.tag_buttons.values():
            b.setChecked(False)
        self.set_comment("")

    def selected(self) -> list[str]:
        return [t for t, b in self.tag_buttons.items() if b.isChecked()]

    def set_comment(self, text: str) -> None:
        short = text if len(text) <= 40 else text[:38] + "…"
        self.write_button.setText(T["written"].format(text=short) if text else T["write"])

    def _send(self) -> None:
        if self.fresh_tap():
            self.send.emit(self.selected())

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.title.setFont(font(m.title_px, bold=True))
        self.hint.setFont(font(m.small_px))
        self.grid.setSpacing(m.spacing)
        for b in self.tag_buttons.values():
            b.setFixedHeight(m.target)
        for b in (self.write_button, self.skip_button, self.send_button):
            b.setFixedHeight(m.target)


class CommentPage(KioskPage):
    """The comment typed on the on-screen keyboard. Signal: `done(str)`."""

    done = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.title = label(T["comment_title"])
        self.display = label(align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.display.setObjectName("commentDisplay")
        self.keyboard = VietKeyboard()
        self.keyboard.text_changed.connect(self._show)
        self.clear_button = big_button(T["clear"])
        self.clear_button.clicked.connect(lambda: self.fresh_tap() and self.keyboard.set_text(""))
        self.done_button = big_button(T["done"], "primary")
        self.done_button.clicked.connect(lambda: self.fresh_tap() and self.done.emit(self.keyboard.text()))
        lay.addWidget(self.title)
        lay.addWidget(self.display)
        lay.addWidget(self.keyboard, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.clear_button, 1)
        foot.addWidget(self.done_button, 2)
        lay.addLayout(foot)
        self._show("")

    def start(self, text: str) -> None:
        self.keyboard.clear()
        self.keyboard.set_text(text)

    def _show(self, text: str) -> None:
        if text:
            self.display.setText(text + "▏")
            self.display.setStyleSheet(f"color: {INK}; background: #f7f9fc; border: 3px solid #7b8591; "
                                       "border-radius: 10px; padding: 6px 12px;")
        else:
            self.display.setText(T["comment_placeholder"])
            self.display.setStyleSheet(f"color: {MUTED}; background: #f7f9fc; border: 3px dashed #7b8591; "
                                       "border-radius: 10px; padding: 6px 12px;")

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.title.setFont(font(m.text_px, bold=True))
        self.display.setFont(font(m.text_px))
        self.display.setFixedHeight(round(m.text_px * 3.2))
        kb_spacing = max(6, m.spacing // 2)
        # four rows of keys as tall as a target, eleven keys as wide: as big as the window allows
        key = max(m.target, min((m.width - 2 * m.margin - 10 * kb_spacing) // 11, m.target + m.target // 3))
        self.keyboard.apply_size(m.target, round(m.text_px * 1.05), kb_spacing)
        self.keyboard.setMinimumHeight(4 * m.target + 3 * kb_spacing)
        self.keyboard.setMinimumWidth(min(11 * key + 10 * kb_spacing, m.width - 2 * m.margin))
        for b in (self.clear_button, self.done_button):
            b.setFixedHeight(m.target)


# --- thanks and messages ------------------------------------------------------------------------------------------


class Tick(QWidget):
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        d = min(self.width(), self.height()) * 0.9
        c = QPointF(self.width() / 2, self.height() / 2)
        p.setBrush(QColor("#e3f4e4"))
        p.setPen(QPen(QColor("#1b5e20"), max(3, d / 24)))
        p.drawEllipse(c, d / 2, d / 2)
        p.setPen(pen("#1b5e20", max(5, d / 10)))
        path = QPainterPath(QPointF(c.x() - d * 0.22, c.y()))
        path.lineTo(QPointF(c.x() - d * 0.05, c.y() + d * 0.17))
        path.lineTo(QPointF(c.x() + d * 0.25, c.y() - d * 0.16))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.end()


class ThanksPage(KioskPage):
    painted = Signal()  # after each paint (the benchmark waits for it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.tick = Tick()
        self.tick.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.title = label(T["thanks_title"])
        self.text = label(T["thanks_text"], color=MUTED)
        lay.addStretch(1)
        lay.addWidget(self.tick, 2)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addStretch(1)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        self.painted.emit()

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.title.setFont(font(m.title_px, bold=True))
        self.text.setFont(font(m.text_px))
        self.tick.setMinimumHeight(m.target * 2)


class MessagePage(KioskPage):
    """A sentence for the citizen (already rated, unknown code, not returned yet…) and a way back."""

    back = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.text = label()
        self.text.setObjectName("kioskMessage")
        self.back_button = big_button(T["back"], "primary")
        self.back_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.back_button.clicked.connect(lambda: self.fresh_tap() and self.back.emit())
        lay.addStretch(1)
        lay.addWidget(self.text)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.back_button)
        row.addStretch(1)
        lay.addLayout(row)

    def set_message(self, text: str) -> None:
        self.text.setText(text)

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.text.setFont(font(round(m.title_px * 0.8), bold=True))
        self.back_button.setFixedSize(max(m.target * 4, m.width // 4), m.target)


# --- staff ----------------------------------------------------------------------------------------------------------


class PinPage(KioskPage):
    """The staff PIN, typed on a keypad; the digits show as dots. Signals: `entered(str)`, `cancel()`."""

    entered = Signal(str)
    cancel = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.title = label(T["pin_title"])
        self.hint = label(T["pin_hint"], color=MUTED)
        self.dots = label()
        self.dots.setObjectName("pinDots")
        self.error = label(color="#b3261e")
        self.pad = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "ok")):
            b = big_button(T["pin_ok"] if key == "ok" else key, "primary" if key == "ok" else "secondary")
            b.clicked.connect(lambda _=False, k=key: self._key(k))
            self.pad.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        self.cancel_button = big_button(T["cancel"])
        self.cancel_button.clicked.connect(self.cancel)
        self.digits = ""
        self.dots.setStyleSheet(f"color: {INK}; background: #f7f9fc; border: 3px solid #7b8591; border-radius: 12px;")
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(self.dots)
        column.addWidget(self.error)
        column.addLayout(self.pad)
        column.addWidget(self.cancel_button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(column, 2)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(1)

    def reset(self, error: str = "") -> None:
        self.digits = ""
        self.dots.setText(" ")
        self.error.setText(error)

    def set_locked(self, locked: bool, text: str = "") -> None:
        for b in self.keys.values():
            b.setEnabled(not locked)
        if text:
            self.error.setText(text)

    def _key(self, key: str) -> None:
        if key == "ok":
            digits, self.digits = self.digits, ""
            self.dots.setText(" ")
            self.entered.emit(digits)
            return
        if key == "⌫":
            self.digits = self.digits[:-1]
        elif len(self.digits) < 8:
            self.digits += key
        self.dots.setText("●  " * len(self.digits) or " ")

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.title.setFont(font(m.title_px, bold=True))
        self.hint.setFont(font(m.text_px))
        self.dots.setFont(font(m.title_px, bold=True))
        self.dots.setFixedHeight(m.target)
        self.error.setFont(font(m.small_px, bold=True))
        self.pad.setSpacing(m.spacing)
        for b in self.keys.values():
            b.setFixedHeight(m.target)
        self.cancel_button.setFixedHeight(m.target)


class StaffPage(KioskPage):
    quit_requested = Signal()
    resume = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.title = label(T["staff_title"])
        self.info = label(color=MUTED)
        self.quit_button = big_button(T["quit"], "danger")
        self.resume_button = big_button(T["resume"], "primary")
        self.quit_button.clicked.connect(self.quit_requested)
        self.resume_button.clicked.connect(self.resume)
        lay.addStretch(1)
        lay.addWidget(self.title)
        lay.addWidget(self.info)
        lay.addStretch(1)
        lay.addWidget(self.resume_button)
        self.gap = lay.count()
        lay.addSpacing(0)  # set in apply: a finger's width between going back and quitting
        lay.addWidget(self.quit_button)
        lay.addStretch(1)

    def apply(self, m: Metrics) -> None:
        super().apply(m)
        self.layout().itemAt(self.gap).spacerItem().changeSize(1, m.target)
        self.layout().invalidate()
        self.title.setFont(font(m.title_px, bold=True))
        self.info.setFont(font(m.text_px))
        for b in (self.quit_button, self.resume_button):
            b.setFixedHeight(m.target)
