"""Hệ thống → Thiết lập máy đánh giá: the office's kiosk settings (scale, reasons, when to invite, timeouts, the
staff PIN, which counter each kiosk serves, the network port) and the pairing code for a kiosk on another PC.
Saved as one settings event, checked by the same rules as `motcua admin settings`."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import TZ
from app.services.errors import ServiceError
from app.services.kiosk_link import DEFAULT_PORT, create_pairing
from app.services.settings import OfficeSettings, read_settings, update_settings
from app.services.users import UserInfo
from ui.workers import run_in_thread

# --- every user-visible text of this dialog --------------------------------------------------------------------
T = {
    "title": "Thiết lập máy đánh giá mức độ hài lòng",
    "scale": "Thang đánh giá",
    "scale_3": "3 mức (Rất hài lòng / Hài lòng / Không hài lòng)",
    "scale_5": "5 mức (Rất hài lòng … Rất không hài lòng)",
    "after": "Mời đánh giá",
    "after_return": "Sau khi trả kết quả",
    "after_intake": "Sau khi tiếp nhận và sau khi trả kết quả",
    "reasons": "Lý do chưa hài lòng\n(mỗi dòng một lý do, tối đa 8)",
    "idle": "Về màn hình chào sau (giây không chạm)",
    "invite": "Lời mời đánh giá chờ (phút)",
    "counters": "Máy đánh giá của quầy\n(số máy đánh giá:số quầy, ví dụ 1:1,2:2; để trống: cùng số)",
    "pin": "Mã PIN cán bộ mới",
    "pin_again": "Nhập lại mã PIN",
    "pin_hint": "Để trống nếu không đổi. 4–8 chữ số; chỉ lưu dạng băm.",
    "pin_set": "Đã đặt mã PIN.",
    "pin_unset": "Chưa đặt mã PIN: máy đánh giá không mở toàn màn hình được khi chưa có.",
    "pin_mismatch": "Hai lần nhập mã PIN không giống nhau.",
    "port": "Cổng mạng cho máy đánh giá đặt ở máy khác (0: tắt)",
    "pair": "Tạo mã ghép máy đánh giá qua mạng…",
    "pair_text": "Mã ghép: <b style='font-size:18pt'>{code}</b> (dùng một lần, hết hạn lúc {until}), cho máy đánh giá "
                 "của quầy số {slot}.<br>Trên máy đánh giá chạy: <code>motcua admin kiosk-join --db &lt;tệp&gt; "
                 "--counter-url &lt;địa chỉ IP máy này&gt;:{port} --code {code}</code>",
    "save": "Lưu",
    "cancel": "Hủy bỏ",
    "saved": "Đã lưu thiết lập máy đánh giá.",
}
# ----------------------------------------------------------------------------------------------------------------


class KioskSettingsDialog(QDialog):
    """For a leader or an administrator. `saved` is the settings after a successful save."""

    def __init__(self, db, user: UserInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self.saved: OfficeSettings | None = None
        self.setWindowTitle(T["title"])
        st = read_settings(db)
        self.scale = QComboBox()
        self.scale.addItem(T["scale_3"], 3)
        self.scale.addItem(T["scale_5"], 5)
        self.scale.setCurrentIndex(self.scale.findData(st.rating_scale))
        self.after = QComboBox()
        self.after.addItem(T["after_return"], "return")
        self.after.addItem(T["after_intake"], "intake")
        self.after.setCurrentIndex(self.after.findData(st.rating_after))
        self.reasons = QPlainTextEdit("\n".join(st.rating_reasons))
        self.reasons.setFixedHeight(150)
        self.idle = QSpinBox(minimum=15, maximum=600, value=int(st.kiosk_idle_seconds))
        self.invite = QSpinBox(minimum=1, maximum=60, value=int(st.kiosk_invite_minutes))
        self.counters = QLineEdit(",".join(f"{k}:{v}" for k, v in sorted(st.kiosk_counters.items())))
        self.pin = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.pin_again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        pin_state = QLabel(T["pin_set"] if st.kiosk_pin else T["pin_unset"])
        pin_state.setWordWrap(True)
        self.port = QSpinBox(minimum=0, maximum=65535, value=int(st.kiosk_link_port))
        self.pair_button = QPushButton(T["pair"])
        self.pair_button.clicked.connect(self.pair)
        self.pair_label = QLabel()
        self.pair_label.setWordWrap(True)
        self.pair_label.hide()
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(T["scale"], self.scale)
        form.addRow(T["after"], self.after)
        form.addRow(T["reasons"], self.reasons)
        form.addRow(T["idle"], self.idle)
        form.addRow(T["invite"], self.invite)
        form.addRow(T["counters"], self.counters)
        form.addRow(T["pin"], self.pin)
        form.addRow(T["pin_again"], self.pin_again)
        form.addRow("", QLabel(T["pin_hint"]))
        form.addRow("", pin_state)
        form.addRow(T["port"], self.port)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(T["save"])
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(T["cancel"])
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.pair_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.pair_label)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def changes(self) -> dict[str, str]:
        """What the form says, as the text `update_settings` checks (the PIN only when a new one is typed)."""
        out = {"rating_scale": str(self.scale.currentData()), "rating_after": self.after.currentData(),
               "rating_reasons": ";".join(x for x in self.reasons.toPlainText().splitlines() if x.strip()),
               "kiosk_idle_seconds": str(self.idle.value()), "kiosk_invite_minutes": str(self.invite.value()),
               "kiosk_counters": self.counters.text().strip() or "{}", "kiosk_link_port": str(self.port.value())}
        if self.pin.text() or self.pin_again.text():
            out["kiosk_pin"] = self.pin.text()
        return out

    def save(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self._show_error(T["pin_mismatch"])
            return
        changes, db, actor = self.changes(), self.db, self.user.id
        self.save_button.setEnabled(False)
        run_in_thread(lambda: update_settings(db, changes, actor_id=actor), self._saved, self._failed, parent=self,
                      name="save_kiosk_settings")

    def _saved(self, settings: OfficeSettings) -> None:
        self.saved = settings
        self.pin.clear()
        self.pin_again.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._show_error(exc.message if isinstance(exc, ServiceError) else str(exc))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def pair(self) -> None:
        """A one-time pairing code (the listener starts once the port is saved)."""
        db, actor = self.db, self.user.id
        port = self.port.value() or DEFAULT_PORT
        if not self.port.value():
            self.port.setValue(port)

        def job():
            update_settings(db, {"kiosk_link_port": str(port)}, actor_id=actor)
            return create_pairing(db)

        run_in_thread(job, lambda p: self._paired(p, port), self._failed, parent=self, name="create_pairing")

    def _paired(self, pairing, port: int) -> None:
        self.pair_label.setText(T["pair_text"].format(code=pairing.code, slot=pairing.counter_slot, port=port,
                                                      until=f"{pairing.expires_at.astimezone(TZ):%H:%M}"))
        self.pair_label.show()
