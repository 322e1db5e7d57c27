"""Print preview of a form's PDF: pages rendered with pdfium in a worker, printed or saved as PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.printing.pdfium import PDFIUM_LOCK
from ui.app import fit_to_screen
from ui.files import save_dialog, write_error_text
from ui.workers import run_in_thread

# --- every user-visible text of this dialog ----------------------------------------------------------
T = {
    "rendering": "Đang dựng bản xem trước…",
    "pages": "{n} trang – {size}",
    "render_failed": "Không hiển thị được bản in: {msg}",
    "print": "In…",
    "save": "Lưu PDF…",
    "close": "Đóng",
    "no_printer_title": "Chưa có máy in",
    "no_printer": "Máy tính chưa cài máy in. Hãy lưu PDF hoặc cài máy in rồi thử lại.",
    "print_title": "In {title}",
    "printing": "Đang gửi {n} trang tới máy in {printer}…",
    "printed": "Đã gửi {n} trang ({copies} bản) tới máy in {printer}.",
    "print_failed": "Không in được: {msg}",
    "save_title": "Lưu bản in thành tệp PDF",
    "save_filter": "Tệp PDF (*.pdf)",
    "saved": "Đã lưu {path}",
    "save_failed_title": "Chưa lưu được tệp",
    "ok": "Đã hiểu",
}

PREVIEW_SCALE = 2.0  # 144 dpi: sharp when fitted to the width of a normal screen
PRINT_DPI_CAP = 300  # enough for text and barcodes; higher only makes the spool file huge
POINTS_PER_INCH = 72.0

# pdfium is not thread-safe: every call into it, from any worker, holds this lock (shared with app/).
_pdfium_lock = PDFIUM_LOCK


_preferred_printer = {"name": ""}


def set_preferred_printer(name: str) -> None:
    """This PC's printer for forms (its device setting "printer"); "" for the system's default printer."""
    _preferred_printer["name"] = name or ""


def chosen_printer() -> QPrinterInfo:
    """The printer the print dialog opens on: this PC's chosen one if it is installed, else the default."""
    name = _preferred_printer["name"]
    if name and name in QPrinterInfo.availablePrinterNames():
        return QPrinterInfo.printerInfo(name)
    return QPrinterInfo.defaultPrinter()


@dataclass(frozen=True)
class RenderedPages:
    images: list[QImage]
    sizes_pt: list[tuple[float, float]]  # page width and height in points, as in the PDF


def _to_qimage(pil_image) -> QImage:
    rgb = pil_image.convert("RGB")
    data = rgb.tobytes()
    image = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels: `data` dies with this function


def render_pdf(pdf: bytes, *, scale: float = PREVIEW_SCALE, dpi: float | None = None) -> RenderedPages:
    """Every page of `pdf` as a QImage (at `dpi` if given, else at `scale` × 72 dpi). Runs in a worker."""
    import pypdfium2

    if dpi is not None:
        scale = dpi / POINTS_PER_INCH
    images, sizes = [], []
    with _pdfium_lock:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            for i in range(len(doc)):
                page = doc[i]
                sizes.append(tuple(page.get_size()))
                images.append(_to_qimage(page.render(scale=scale).to_pil()))
                page.close()
        finally:
            doc.close()
    return RenderedPages(images, sizes)


def paper_name(size_pt: tuple[float, float]) -> str:
    """'A4' or 'A5' from a page size in points (either orientation); '' for anything else."""
    w, h = sorted(size_pt)
    for name, (pw, ph) in {"A4": (595.3, 841.9), "A5": (419.5, 595.3)}.items():
        if abs(w - pw) < 3 and abs(h - ph) < 3:
            return name
    return ""


def print_pages(pdf: bytes, printer: QPrinter) -> int:
    """Render each page at the printer's resolution and paint it full-page; returns the pages printed.

    Runs in a worker (Qt allows painting on a QPrinter outside the GUI thread). Copies beyond one are
    repeated here only when the printer cannot collate copies itself.
    """
    dpi = min(printer.resolution(), PRINT_DPI_CAP)
    pages = render_pdf(pdf, dpi=dpi)
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("máy in không nhận lệnh in (máy in tắt, hết giấy hoặc đang lỗi)")
    try:
        first = True
        for _ in range(copies):
            for image in pages.images:
                if not first:
                    printer.newPage()
                first = False
                target = printer.pageLayout().fullRectPixels(printer.resolution())
                painter.drawImage(target, image)
    finally:
        painter.end()
    return len(pages.images) * copies


class ReceiptPreviewDialog(QDialog):
    """Shows the pages of a form's PDF fitted to the width; "In…" prints them, "Lưu PDF…" saves the bytes.

    Signals: `rendered(int pages)`, `printed(int pages)`, `saved(str path)`, `failed(str message)`.
    """

    rendered = Signal(int)
    printed = Signal(int)
    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, pdf_bytes: bytes, *, title: str, default_name: str, paper_size: str | None = None,
                 parent: QWidget | None = None, audit: Callable[[str, str], None] | None = None):
        super().__init__(parent)
        self.pdf = pdf_bytes
        self.audit = audit  # told what was printed or saved (ui.audit_hooks.for_preview)
        self.title = title
        self.default_name = default_name
        self.paper_size = paper_size
        self.images: list[QImage] = []
        self.sizes_pt: list[tuple[float, float]] = []
        self.message_box: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self.printer: QPrinter | None = None
        self.last_saved: Path | None = None
        self.setWindowTitle(title)
        self.setObjectName("receiptPreview")

        self.pages_box = QWidget()
        self.pages_box.setObjectName("previewPages")
        self.pages_layout = QVBoxLayout(self.pages_box)
        self.pages_layout.setSpacing(16)
        self.pages_layout.setContentsMargins(16, 16, 16, 16)
        self.page_labels: list[QLabel] = []
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages_box)
        self.scroll.setObjectName("previewScroll")

        self.status = QLabel(T["rendering"])
        self.status.setObjectName("hint")
        self.print_button = QPushButton(T["print"])
        self.print_button.setObjectName("primary")
        self.save_button = QPushButton(T["save"])
        self.close_button = QPushButton(T["close"])
        for b in (self.print_button, self.save_button):
            b.setEnabled(False)
        self.print_button.clicked.connect(self.start_print)
        self.save_button.clicked.connect(self.ask_save)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.start_print)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.ask_save)

        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bar)
        fit_to_screen(self, 860, 900)
        pdf = self.pdf
        run_in_thread(lambda: render_pdf(pdf), self._rendered, self._render_failed, parent=self,
                      name="render_preview")

    # --- pages ---------------------------------------------------------------------------------------
    def page_count(self) -> int:
        return len(self.images)

    def page_image(self, index: int) -> QImage:
        return self.images[index]

    def _rendered(self, pages: RenderedPages) -> None:
        self.images, self.sizes_pt = pages.images, pages.sizes_pt
        if self.paper_size is None and self.sizes_pt:
            self.paper_size = paper_name(self.sizes_pt[0]) or None
        for _ in self.images:
            label = QLabel()
            label.setObjectName("previewPage")
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setAccessibleName(f"page {len(self.page_labels) + 1}")
            self.pages_layout.addWidget(label)
            self.page_labels.append(label)
        self.pages_layout.addStretch(1)
        self._fit_width()
        self.status.setText(T["pages"].format(n=len(self.images), size=self.paper_size or "PDF"))
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.print_button.setFocus()
        self.rendered.emit(len(self.images))

    def _render_failed(self, exc: BaseException) -> None:
        self.status.setText(T["render_failed"].format(msg=exc))
        self.save_button.setEnabled(True)  # the bytes are still good to save
        self.failed.emit(str(exc))

    def _fit_width(self) -> None:
        # leave room for the vertical scroll bar that the pages will need: no sideways scrolling
        bar = 0 if self.scroll.verticalScrollBar().isVisible() else self.scroll.verticalScrollBar().sizeHint().width()
        width = max(200, self.scroll.viewport().width() - bar - 2 * 16 - 4)
        for label, image in zip(self.page_labels, self.images, strict=False):
            pix = QPixmap.fromImage(image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation))
            label.setPixmap(pix)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.page_labels:
            self._fit_width()

    # --- printing ------------------------------------------------------------------------------------
    def _tell(self, text: str, title: str = "") -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, title or self.title, text, QMessageBox.StandardButton.Ok,
                          self)
        box.button(QMessageBox.StandardButton.Ok).setText(T["ok"])
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.message_box = box
        return box

    def make_printer(self, info: QPrinterInfo | None = None) -> QPrinter:
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution) if info else QPrinter(
            QPrinter.PrinterMode.HighResolution)
        size = QPageSize(QPageSize.PageSizeId.A5 if self.paper_size == "A5" else QPageSize.PageSizeId.A4)
        if self.sizes_pt and not self.paper_size:
            w, h = self.sizes_pt[0]
            size = QPageSize(QSizeF(w, h), QPageSize.Unit.Point)
        printer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        printer.setFullPage(True)  # the PDF has its own margins
        printer.setDocName(self.default_name)
        return printer

    def start_print(self) -> None:
        if not self.images:
            return
        if not QPrinterInfo.availablePrinters():
            self._tell(T["no_printer"], T["no_printer_title"])
            return
        self.printer = self.make_printer(chosen_printer())
        dialog = QPrintDialog(self.printer, self)
        dialog.setWindowTitle(T["print_title"].format(title=self.title))
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, False)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintSelection, False)
        dialog.setMinMax(1, max(1, len(self.images)))
        dialog.accepted.connect(lambda: self.print_to(self.printer))
        self.print_dialog = dialog
        dialog.open()

    def print_to(self, printer: QPrinter) -> None:
        """Send every page to `printer` in a worker; the window stays responsive."""
        self.printer = printer  # kept alive until the worker is done with it
        self.print_button.setEnabled(False)
        name = printer.printerName() or printer.outputFileName()
        self.status.setText(T["printing"].format(n=len(self.images), printer=name))
        pdf = self.pdf
        copies = printer.copyCount()
        run_in_thread(lambda: print_pages(pdf, printer), lambda n: self._printed(n, name, copies),
                      self._print_failed, parent=self, name="print_pages")

    def _printed(self, pages: int, name: str, copies: int) -> None:
        self.print_button.setEnabled(True)
        if self.audit is not None:
            self.audit("printed", f"{pages} trang, {copies} bản, máy in {name}")
        self.status.setText(T["printed"].format(n=len(self.images), copies=copies, printer=name))
        self.printed.emit(pages)

    def _print_failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(True)
        text = T["print_failed"].format(msg=exc)
        self.status.setText(text)
        self._tell(text)
        self.failed.emit(text)

    # --- saving --------------------------------------------------------------------------------------
    def ask_save(self) -> None:
        dialog = save_dialog(self, T["save_title"], self.default_name, T["save_filter"])
        dialog.fileSelected.connect(self.save_to)
        self.file_dialog = dialog
        dialog.open()

    def save_to(self, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            path.write_bytes(self.pdf)
        except OSError as exc:
            text = write_error_text(exc, path)
            self._tell(text, T["save_failed_title"])
            self.failed.emit(text)
            return False
        self.last_saved = path
        if self.audit is not None:
            self.audit("saved", str(path))
        self.status.setText(T["saved"].format(path=path))
        self.saved.emit(str(path))
        return True


