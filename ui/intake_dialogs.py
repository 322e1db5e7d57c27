"""Intakes that end without a dossier: a guidance slip listing every missing paper (form 02) and a
refusal with the reason in plain words (form 03); both recorded, then shown for printing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QCompleter, QDialog, QLabel, QWidget

from app.domain.applicant import CardQRError, parse_card_qr
from app.domain.text import TEMPLATE_GAP, template_gap
from app.services import lifecycle as lc
from app.services.catalogue import ProcedureInfo, all_procedures, get_procedure
from app.services.errors import ServiceError
from app.services.forms import intake_slip_pdf
from app.services.users import UserInfo
from ui.action_dialogs import (
    FormDialog,
    ItemsTable,
    items_editor,
    line,
    plain_text,
    run_in_thread,
    show_message,
    value_of,
)
from ui.audit_hooks import for_preview
from ui.receipt_preview import ReceiptPreviewDialog

# --- every user-visible text of these dialogs --------------------------------------------------------
T = {
    "guidance_title": "Hướng dẫn bổ sung hồ sơ (Mẫu 02)",
    "guidance_head": "Hồ sơ chưa đầy đủ: đánh dấu <b>tất cả</b> giấy tờ còn thiếu hoặc cần hoàn thiện để "
                     "hướng dẫn công dân một lần. Phiếu không có mã hồ sơ và không vào Sổ theo dõi.",
    "guidance_ok": "Ghi nhận và in phiếu hướng dẫn",
    "refusal_title": "Từ chối tiếp nhận hồ sơ (Mẫu 03)",
    "refusal_head": "Hồ sơ không đủ điều kiện hoặc không thuộc thẩm quyền: ghi rõ lý do bằng lời lẽ công dân "
                    "hiểu được. Phiếu không có mã hồ sơ và không vào Sổ theo dõi.",
    "refusal_ok": "Ghi nhận và in phiếu từ chối",
    "procedure": "Thủ tục hành chính",
    "procedure_ph": "Gõ mã hoặc tên thủ tục",
    "procedure_needed": "Hãy chọn thủ tục hành chính công dân yêu cầu.",
    "procedures_loading": "Đang tải danh mục thủ tục…",
    "applicant_name": "Họ tên người nộp",
    "address": "Địa chỉ",
    "phone": "Điện thoại",
    "items": "Giấy tờ cần bổ sung",
    "items_hint": "Danh sách giấy tờ theo thủ tục; đánh dấu ô “Cần bổ sung” ở những giấy tờ còn thiếu, "
                  "thêm dòng nếu cần.",
    "guidance_reason": "Nội dung hướng dẫn",
    "guidance_reason_ph": "Ví dụ: Giấy chứng sinh phải là bản chính; tờ khai cần chữ ký của người đi đăng ký",
    "refusal_reason": "Lý do từ chối",
    "refusal_reason_ph": "Viết thành câu trọn vẹn, ví dụ: Thửa đất thuộc xã Tân Phú quản lý; Ông/Bà nộp hồ sơ "
                         "tại UBND xã Tân Phú.",
    "template": "Lý do thường gặp",
    "template_pick": "— Chọn để điền sẵn, rồi sửa cho đúng trường hợp —",
    "pdf_building": "Đã ghi nhận; đang tạo phiếu để in…",
    "pdf_failed": "Đã ghi nhận nhưng không tạo được phiếu in: {msg}",
    "slip_name": "phieu-huong-dan-{at:%Y%m%d-%H%M}.pdf",
    "refusal_name": "phieu-tu-choi-{at:%Y%m%d-%H%M}.pdf",
}

# Each blank the clerk must fill is in square brackets; a reason still holding one is not recorded.
REFUSAL_TEMPLATES = (
    "Yêu cầu của Ông/Bà không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã. "
    "Đề nghị Ông/Bà nộp hồ sơ tại [cơ quan có thẩm quyền].",
    "[Thửa đất / Nơi cư trú] của Ông/Bà thuộc địa bàn [tên xã] quản lý. Đề nghị Ông/Bà nộp hồ sơ tại "
    "Ủy ban nhân dân [tên xã].",
    "Ông/Bà không thuộc đối tượng được giải quyết thủ tục này theo quy định tại [văn bản, điều khoản].",
    "Người nộp hồ sơ không phải là người có yêu cầu và không có văn bản ủy quyền hợp lệ.",
    "Yêu cầu này đã được giải quyết trước đây ([số, ngày văn bản đã giải quyết]); không có căn cứ để "
    "giải quyết lại.",
)


def _applicant_value(applicant, *keys: str) -> str:
    if applicant is None:
        return ""
    for key in keys:
        value = applicant.get(key) if isinstance(applicant, dict) else getattr(applicant, key, None)
        if value:
            return str(value)
    return ""


class IntakeSlipDialog(FormDialog):
    """Shared part: procedure and applicant; after recording, builds the slip PDF and opens its preview.

    Signals (besides FormDialog's): `issued(SlipResult)` once recorded, `pdf_ready(bytes)` with the slip.
    """

    issued = Signal(object)
    pdf_ready = Signal(bytes)
    head_text = ""
    name_pattern = T["slip_name"]

    def __init__(self, db, user: UserInfo, procedure_code: str | None = None, applicant=None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.user = db, user
        self.preview: QDialog | None = None
        self.slip = None
        self.procedures_loaded = False
        self._wanted_code = procedure_code or ""
        self.setMinimumWidth(880)
        head = QLabel(self.head_text)
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.RichText)
        self.outer.insertWidget(0, head)
        self.procedure = QComboBox()
        self.procedure.setEditable(True)
        self.procedure.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.procedure.lineEdit().setPlaceholderText(T["procedures_loading"])
        completer = QCompleter(self.procedure.model(), self.procedure)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.procedure.setCompleter(completer)
        self.procedure.currentIndexChanged.connect(self._procedure_changed)
        self.add_field(T["procedure"], self.procedure, "procedure_code")
        self.applicant_name = line(_applicant_value(applicant, "applicant_name", "name", "full_name"))
        self.add_field(T["applicant_name"], self.applicant_name, "applicant_name")
        self.address = line(_applicant_value(applicant, "address"))
        self.add_field(T["address"], self.address, "address")
        self.phone = line(_applicant_value(applicant, "phone"), "0912345678")
        self.add_field(T["phone"], self.phone, "phone")
        self.build()
        db_ = db
        run_in_thread(lambda: all_procedures(db_), self._procedures, self._failed, parent=self)

    def build(self) -> None:
        raise NotImplementedError

    def take_card(self, text: str) -> None:
        """The citizen's ID card scanned while this dialog is in front: their name and address."""
        try:
            card = parse_card_qr(text)
        except CardQRError as exc:
            self.show_errors({"applicant_name": str(exc)})
            return
        self.applicant_name.setText(card.name)
        self.address.setText(card.address)

    def _procedures(self, procs: list[ProcedureInfo]) -> None:
        self.procedure.blockSignals(True)
        for p in procs:
            self.procedure.addItem(p.label, p.code)
        self.procedure.setCurrentIndex(-1)
        self.procedure.blockSignals(False)
        self.procedure.lineEdit().setPlaceholderText(T["procedure_ph"])
        self.procedures_loaded = True
        if self._wanted_code:
            self.select_procedure(self._wanted_code)

    def select_procedure(self, code: str) -> None:
        index = self.procedure.findData(code)
        if index >= 0:
            self.procedure.setCurrentIndex(index)

    def _procedure_changed(self, index: int) -> None:
        pass

    def procedure_code(self) -> str:
        text = self.procedure.currentText().strip()
        index = self.procedure.currentIndex()
        if index >= 0 and self.procedure.itemText(index) == text:
            return self.procedure.itemData(index)
        for i in range(self.procedure.count()):
            if text and (self.procedure.itemData(i) == text or self.procedure.itemText(i) == text):
                return self.procedure.itemData(i)
        return ""

    def check(self) -> dict[str, str]:
        return {} if self.procedure_code() else {"procedure_code": T["procedure_needed"]}

    def common(self) -> dict:
        return {"procedure_code": self.procedure_code(), "applicant_name": value_of(self.applicant_name),
                "address": value_of(self.address), "phone": value_of(self.phone)}

    def _succeeded(self, result: object) -> None:
        self.slip = result
        self.result_value = result
        self.issued.emit(result)
        self.ok_button.setEnabled(False)
        self.ok_button.setText(T["pdf_building"])
        db, event_id = self.db, result.event_id
        run_in_thread(lambda: intake_slip_pdf(db, event_id), self._pdf_built, self._pdf_failed, parent=self)

    def _pdf_failed(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, ServiceError) else str(exc)
        self.message_box = show_message(self.parentWidget() or self, T["pdf_failed"].format(msg=msg))
        self.done.emit(self.slip)
        self.accept()

    def _pdf_built(self, pdf: bytes) -> None:
        self.pdf_ready.emit(pdf)
        name = self.name_pattern.format(at=self.slip.at)
        self.preview = ReceiptPreviewDialog(pdf, title=self.windowTitle(), default_name=name,
                                            parent=self.parentWidget(),
                                            audit=for_preview(self.db, self.user, "intake", self.slip.event_id[:36],
                                                              self.windowTitle()))
        self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview.open()
        self.done.emit(self.slip)
        self.accept()


class GuidanceSlipDialog(IntakeSlipDialog):
    """Form 02 at intake: the procedure's papers listed, the clerk ticks every missing one."""

    head_text = T["guidance_head"]
    ok_text = T["guidance_ok"]

    def build(self) -> None:
        self.setWindowTitle(T["guidance_title"])
        self.items_table = ItemsTable()
        self.add_field(T["items"], items_editor(self.items_table), "items", T["items_hint"])
        self.reason = plain_text(T["guidance_reason_ph"])
        self.add_field(T["guidance_reason"], self.reason, "reason")

    def _procedure_changed(self, index: int) -> None:
        code = self.procedure.itemData(index) if index >= 0 else None
        if not code:
            return
        db = self.db
        run_in_thread(lambda: get_procedure(db, code), self._papers, lambda _e: None, parent=self)

    def _papers(self, proc: ProcedureInfo) -> None:
        if proc.code != self.procedure_code():
            return  # the clerk picked another procedure meanwhile
        self.items_table.clear_items()
        for p in proc.papers:
            self.items_table.add_item(p.name, count=p.count, original=p.original, certified=p.copy, needed=False)
        self.papers_loaded = proc.code

    def call(self) -> Callable[[], object]:
        kw = {**self.common(), "items": self.items_table.items(), "reason": value_of(self.reason)}
        db, user = self.db, self.user
        return lambda: lc.issue_guidance(db, actor=user, **kw)


class RefusalDialog(IntakeSlipDialog):
    """Form 03 at intake: the reason in plain words, started from a common template if one fits."""

    head_text = T["refusal_head"]
    ok_text = T["refusal_ok"]
    name_pattern = T["refusal_name"]

    def build(self) -> None:
        self.setWindowTitle(T["refusal_title"])
        self.templates = QComboBox()
        self.templates.addItem(T["template_pick"])
        for text in REFUSAL_TEMPLATES:
            self.templates.addItem(text if len(text) < 90 else text[:87] + "…", text)
        self.templates.activated.connect(self._template)
        self.add_field(T["template"], self.templates)
        self.reason = plain_text(T["refusal_reason_ph"], lines=4)
        self.add_field(T["refusal_reason"], self.reason, "reason")

    def _template(self, index: int) -> None:
        text = self.templates.itemData(index)
        if text:
            self.reason.setPlainText(text)
            self.reason.setFocus()
            self.select_next_blank()

    def select_next_blank(self) -> bool:
        """Select the first "[…]" blank left in the reason, so that typing replaces it."""
        m = TEMPLATE_GAP.search(self.reason.toPlainText())
        if m is None:
            return False
        cursor = self.reason.textCursor()
        cursor.setPosition(m.start())
        cursor.setPosition(m.end(), QTextCursor.MoveMode.KeepAnchor)
        self.reason.setTextCursor(cursor)
        return True

    def check(self) -> dict[str, str]:
        errors = super().check()
        if m := template_gap(value_of(self.reason)):
            errors["reason"] = m
            self.select_next_blank()
        return errors

    def call(self) -> Callable[[], object]:
        kw = {**self.common(), "reason": value_of(self.reason)}
        db, user = self.db, self.user
        return lambda: lc.refuse_intake(db, actor=user, **kw)
