"""Benchmarks of the issue "counter takes a dossier": receive, receipt, startup."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.core import Measure, Table, benchmark, time_calls
from bench.generate import cached, copy_of

ROOT = Path(__file__).resolve().parents[1]


def commune(quick: bool, full: int = 50_000) -> Path:
    """The cached commune file for a benchmark: `full` dossiers over one year, 300 with --quick."""
    return cached(dossiers=300 if quick else full)


def _work_copy(src: Path, tmp: Path) -> Path:
    return copy_of(src, tmp / src.name)


# --- receive -----------------------------------------------------------------------------------------


@benchmark("receive", issue="counter takes a dossier", needs=("app.services.reception:receive_dossier",))
def receive(quick: bool) -> Table:
    """receive_dossier + commit on a ~50k-dossier commune vs a bare sqlite3 INSERT+COMMIT of the same bytes."""
    from app.services.catalogue import all_procedures
    from app.services.database import Database
    from app.services.reception import PaperInput, ReceptionForm, receive_dossier
    from app.services.sample_people import PeopleGenerator
    from app.services.users import list_users

    n = 10 if quick else 200
    with tempfile.TemporaryDirectory(dir="/tmp") as tmpdir:
        tmp = Path(tmpdir)
        path = _work_copy(commune(quick), tmp)
        db = Database(path)
        try:
            clerk = next(u for u in list_users(db) if u.username == "canbo1")
            procs = [p for p in all_procedures(db) if p.frequency > 0]
            rng, people = random.Random(7), PeopleGenerator(7)
            forms = []
            for _ in range(n + 1):
                proc = rng.choices(procs, [p.frequency for p in procs])[0]
                person = people.person()
                forms.append(ReceptionForm(
                    procedure_code=proc.code, applicant_name=person.name, phone=person.phone,
                    id_number=person.id_number, birth_date=person.birth_date, address=person.address,
                    email=person.email,
                    papers=[PaperInput(p.name, p.original, p.copy, p.count) for p in proc.papers if p.required]))
            it = iter(forms)
            app = time_calls(lambda: receive_dossier(db, form=next(it), clerk=clerk), n)
            with db.reading() as s:
                from sqlalchemy import text

                payload = s.scalar(text("SELECT payload FROM events WHERE type = 'dossier.received' "
                                        "ORDER BY local_seq DESC LIMIT 1"))
                row_bytes = s.scalar(text(
                    "SELECT length(CAST(payload AS BLOB)) FROM events WHERE type = 'dossier.received' "
                    "ORDER BY local_seq DESC LIMIT 1"))
        finally:
            db.close()

        # Baseline: the same pragmas, one row holding the event's payload, INSERT + COMMIT.
        con = sqlite3.connect(str(tmp / "bare.sqlite"), isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")

        def bare() -> None:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO t (payload) VALUES (?)", (payload,))
            con.execute("COMMIT")

        base = time_calls(bare, n)
        con.close()
    size = "300" if quick else "50,000"
    return Table(f"receive: one dossier received and committed ({size}-dossier commune)", [
        Measure("sqlite3 INSERT+COMMIT (WAL, synchronous=FULL)", base, f"one row of {row_bytes} bytes"),
        Measure("receive_dossier", app, "event + dossier + logbook + step + FTS, one transaction"),
    ], baseline="sqlite3 INSERT+COMMIT (WAL, synchronous=FULL)")


# --- receipt -----------------------------------------------------------------------------------------


def _receipt_lines(data) -> list[str]:
    """The text a receipt copy prints, line by line (what the bare baseline draws)."""
    lines = [data.header.parent_body, data.header.center_name, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "Độc lập - Tự do - Hạnh phúc", f"{data.header.place_name}, ngày {data.received_at:%d} tháng "
             f"{data.received_at:%m} năm {data.received_at:%Y}", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
             f"Mã hồ sơ: {data.code}", f"{data.receiving_unit} tiếp nhận hồ sơ của: {data.applicant_name}",
             f"Số CCCD: {data.applicant_id_number}", f"Địa chỉ: {data.address}",
             f"Số điện thoại: {data.phone}   Email: {data.email}", f"Hình thức nộp: {data.channel}",
             f"Nội dung yêu cầu giải quyết: {data.procedure_name}", "1. Thành phần hồ sơ nộp gồm:",
             "TT | Tên giấy tờ | Bản chính | Bản sao | Số lượng"]
    for i, p in enumerate(data.papers, 1):
        lines.append(f"{i} | {p.name} | {'x' if p.original else ''} | {'x' if p.copy else ''} | {p.count}")
    due = f"{data.due_at:%H giờ %M phút, ngày %d tháng %m năm %Y}" if data.due_at else "Không có ngày hẹn"
    lines += [f"2. Số lượng hồ sơ: {data.sets_count:02d} (bộ)",
              f"3. Thời gian giải quyết hồ sơ theo quy định là: {data.duration_text}",
              f"4. Thời gian nhận hồ sơ: {data.received_at:%H giờ %M phút, ngày %d tháng %m năm %Y}",
              f"5. Thời gian trả kết quả giải quyết hồ sơ: {due}",
              f"6. Đăng ký nhận kết quả tại: {data.return_method}", f"Lệ phí: {data.fee_text}",
              f"Vào Sổ theo dõi hồ sơ, Quyển số: {data.volume} Số thứ tự: {data.number}",
              "NGƯỜI NỘP HỒ SƠ          NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)   (Ký và ghi rõ họ tên)",
              f"{data.applicant_name}          {data.clerk_name}",
              "Lưu ý: Ông/Bà vui lòng mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả này khi đến nhận kết quả."]
    return lines


def bare_text_pdf(pages: list[list[str]], *, landscape_page: bool = False, size: float = 11) -> bytes:
    """A reportlab canvas, the bundled TTF (same registration as the forms), one drawString per line."""
    import io

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    from app.printing.fonts import REGULAR, register_fonts

    register_fonts()
    page = landscape(A4) if landscape_page else A4
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page)
    for lines in pages:
        c.setFont(REGULAR, size)
        y = page[1] - 40
        for line in lines:
            c.drawString(40, y, line)
            y -= size * 1.35
        c.showPage()
    c.save()
    return buf.getvalue()


@benchmark("receipt", issue="counter takes a dossier",
           needs=("app.printing.receipt:build_receipt_pdf", "app.services.forms:receipt_pdf"))
def receipt(quick: bool) -> Table:
    """Receipt PDF (form 01, two copies) vs a bare reportlab canvas drawing the same lines in the same TTF."""
    from sqlalchemy import text

    from app.printing.receipt import COPY_LABELS, build_receipt_pdf
    from app.services.database import Database
    from app.services.dossiers import get_dossier
    from app.services.forms import receipt_data, receipt_pdf
    from app.services.settings import load_settings

    n = 3 if quick else 40
    db = Database(commune(quick))
    try:
        with db.reading() as s:
            # A recent dossier with several papers: the common, not the smallest, receipt.
            code = s.scalar(text("SELECT code FROM dossiers WHERE length(papers) > 200 ORDER BY rowid DESC LIMIT 1"))
            settings = load_settings(s)
        data = receipt_data(settings, get_dossier(db, code))
        lines = _receipt_lines(data)
        pages = [[label, *lines] for label in COPY_LABELS]
        base = time_calls(lambda: bare_text_pdf(pages), n, warmup=2)
        pure = time_calls(lambda: build_receipt_pdf(data), n, warmup=2)
        full = time_calls(lambda: receipt_pdf(db, code), n, warmup=1)
    finally:
        db.close()
    return Table("receipt: form 01 as PDF (2 copies)", [
        Measure("reportlab canvas, same lines, same TTF", base, f"{len(lines)} lines x 2 pages"),
        Measure("build_receipt_pdf(ReceiptData)", pure, "layout, barcode, QR"),
        Measure("forms.receipt_pdf(db, code)", full, "+ reading the dossier"),
    ], baseline="reportlab canvas, same lines, same TTF")


# --- startup -----------------------------------------------------------------------------------------

_CHILD = r"""
import json, os, sys, time
T0 = float(os.environ["MOTCUA_BENCH_T0"])
marks = {}
def mark(k):
    marks[k] = time.monotonic() - T0
mark("interpreter")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
mode = sys.argv[1]
from PySide6.QtCore import QTimer
if mode == "empty":
    from PySide6.QtWidgets import QApplication, QMainWindow
    mark("imports")
    app = QApplication([])
    mark("qapp")
    w = QMainWindow()
    w.show()
    mark("shown")
    ready = lambda: True
else:
    from app.services.database import Database
    from app.services.users import list_users
    from ui.app import create_application
    from ui.counter_window import CounterWindow
    mark("imports")
    app = create_application([])
    mark("qapp")
    db = Database(sys.argv[2])
    user = next(u for u in list_users(db) if u.username == "canbo1")
    mark("db")
    w = CounterWindow(db, user)
    mark("window")
    w.show()
    mark("shown")
    ready = lambda: not w.loading
def check():
    if ready():
        mark("ready")
        sys.stdout.write(json.dumps(marks) + "\n")
        sys.stdout.flush()
        os._exit(0)
    QTimer.singleShot(2, check)
QTimer.singleShot(0, check)
app.exec()
"""


def _start(args: list[str]) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["MOTCUA_BENCH_T0"] = repr(time.monotonic())
    out = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"start-up child failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@benchmark("startup", issue="counter takes a dossier", needs=("ui.counter_window:CounterWindow", "ui.app"))
def startup(quick: bool) -> Table:
    """Process start to a ready counter window (today's list loaded, loop idle) vs an empty QMainWindow."""
    runs = 1 if quick else 5
    with tempfile.TemporaryDirectory(dir="/tmp") as tmpdir:
        path = _work_copy(commune(quick), Path(tmpdir))
        _start(["empty"])  # warm the OS file cache for Qt's libraries before either measure
        empty, counter = [], []
        for _ in range(runs):  # interleaved, so a slow moment of the machine hits both
            empty.append(_start(["empty"]))
            counter.append(_start(["counter", str(path)]))
    phases = ["interpreter", "imports", "qapp", "db", "window", "shown", "ready"]

    def median_of(runs_: list[dict], key: str) -> float:
        vals = sorted(r[key] for r in runs_ if key in r)
        return vals[len(vals) // 2] if vals else float("nan")

    notes = ["phases, median ms from process start (empty | counter):"]
    for key in phases:
        notes.append(f"  {key:<12} {median_of(empty, key) * 1e3:>8.1f} | {median_of(counter, key) * 1e3:>8.1f}")
    size = "300" if quick else "50,000"
    return Table(f"startup: process start to ready window ({size}-dossier commune)", [
        Measure("empty QMainWindow().show()", [r["ready"] for r in empty]),
        Measure("CounterWindow(db, user), list loaded", [r["ready"] for r in counter]),
    ], baseline="empty QMainWindow().show()", notes=notes)
