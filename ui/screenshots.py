"""Screenshots of the counter's windows for the README and for review: `python -m ui.screenshots OUTDIR`.

Builds a throw-away office database (the same set-up as the tests), drives the real widgets and saves PNGs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from app.services.database import Database  # noqa: E402
from app.services.demo import DEMO_SETTINGS, DEMO_STAFF  # noqa: E402
from app.services.dossiers import get_dossier  # noqa: E402
from app.services.setup import initialise_office  # noqa: E402
from app.services.users import login  # noqa: E402
from ui.app import create_application  # noqa: E402

CLERK = DEMO_STAFF[0]  # the demo commune of `motcua demo`: canbo / motcua123
NOW = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)  # Monday 23/11/2026 09:05 local
CARD = "079203012345|025123456|NGUYỄN THỊ HƯỜNG|15081990|Nữ|Số 5, ấp Tân Lập, xã Tân Hưng, tỉnh Đồng Nai|20042021"


def wait_until(condition, timeout_ms: int = 10000) -> None:
    deadline = QDeadlineTimer(timeout_ms)
    while not condition():
        if deadline.hasExpired():
            raise TimeoutError("the window did not get there in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def shot(widget: QWidget, path: Path) -> Path:
    settle = QDeadlineTimer(300)  # let posted layout requests (word-wrapped labels, tables) run first
    while not settle.hasExpired():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    widget.grab().save(str(path))
    print(path)
    return path


def fill(panel, *, procedure_text: str = "khai sinh", phone: str = "0912 345 678") -> None:
    panel.scan.setFocus()
    panel.scan.insert(CARD)
    panel.procedure_edit.setFocus()
    panel.procedure_edit.setText(procedure_text)
    panel.procedure_edit.textEdited.emit(procedure_text)
    wait_until(lambda: bool(panel.found))
    panel.choose_procedure_text(next(iter(panel.found)))
    panel.phone.setText(phone)
    panel.email.setText("huong.nguyen@example.com")
    panel.note.setText("Nộp kèm tờ khai đăng ký khai sinh bản giấy")
    wait_until(lambda: panel.due is not None)


def main(outdir: str) -> int:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    create_application([])
    from ui.counter_window import CounterWindow
    from ui.login import LoginDialog

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "office.sqlite", create=True)
        db.clock = lambda: NOW
        initialise_office(db, settings=DEMO_SETTINGS, slot=1, device_name="Quầy 1", staff=[CLERK])

        dlg = LoginDialog(db, username=CLERK.username)
        dlg.show()
        dlg.password.setText("sai-mat-khau")
        dlg.try_login()
        shot(dlg, out / "login.png")
        dlg.close()

        user = login(db, username=CLERK.username, password=CLERK.password)
        win = CounterWindow(db, user, scanner=False)
        win.resize(1366, 688)
        win.show()
        wait_until(lambda: not win.loading)
        # One dossier already in today's list, then a second one typed in but not saved.
        fill(win.reception, procedure_text="xac nhan tinh trang hon nhan")
        win.reception.save()
        wait_until(lambda: win.model.rowCount() == 1 and win.reception.preview is not None)
        wait_until(lambda: win.reception.preview.page_count() > 0)
        preview = win.reception.preview
        preview.resize(860, 688)  # what a 1366×768 screen leaves it
        shot(preview, out / "preview.png")
        preview.close()

        fill(win.reception)
        shot(win, out / "counter.png")
        win.reception.phone.setText("09123")
        win.reception.save()
        shot(win, out / "counter-invalid.png")

        detail = win.open_dossier(win.model.code_at(0))
        wait_until(lambda: detail.view is not None)
        shot(detail, out / "detail.png")
        detail.close()
        win._leaving = True  # the half-typed dossier was only for the picture
        win.close()
        from ui.workers import wait_idle

        wait_idle()
        db.close()
        demo_shots(out, Path(tmp) / "demo.sqlite")
        operations_shots(out, Path(tmp) / "demo.sqlite", Path(tmp) / "new" / "motcua.sqlite")
    return 0


def operations_shots(out: Path, demo: Path, fresh: Path) -> None:
    """The set-up window of a new PC, the administration (accounts) and the audit trail, on the demo commune."""
    from ui.admin_window import AdminWindow
    from ui.setup_window import SetupWindow

    setup = SetupWindow(fresh)
    setup.resize(1180, 688)
    setup.show()
    shot(setup, out / "setup.png")
    setup.close()
    db = Database(demo)
    admin = login(db, username="quantri", password=DEMO_STAFF[-1].password)
    window = AdminWindow(db, admin)
    window.resize(1240, 688)
    window.show()
    window.show_page("users")
    wait_until(lambda: bool(window.page("users").accounts))
    shot(window, out / "admin.png")
    window.show_page("audit")
    wait_until(lambda: not window.audit.loading and bool(window.audit.lines))
    shot(window, out / "audit.png")
    window.close()
    from ui.workers import wait_idle

    wait_idle()
    db.close()


def demo_shots(out: Path, path: Path) -> None:
    """The logbook and statistics tabs and a dossier with a long history, on the demo commune."""
    from app.services.demo import seed_demo
    from app.services.search import DossierFilter, search_dossiers
    from ui.counter_window import CounterWindow

    db = Database(path, create=True)
    seed_demo(db, dossiers=300)
    user = login(db, username=DEMO_STAFF[0].username, password=DEMO_STAFF[0].password)
    win = CounterWindow(db, user, scanner=False)
    win.resize(1366, 688)
    win.show()
    wait_until(lambda: not win.loading and win.badge.alerts is not None)
    win.tabs.setCurrentWidget(win.logbook)
    win.logbook.search.setText("nguyen thi")
    wait_until(lambda: len(win.logbook.model.rows) > 0)
    shot(win, out / "counter-logbook.png")
    win.tabs.setCurrentWidget(win.stats)
    win.stats.compute()
    wait_until(lambda: win.stats.report is not None)
    shot(win, out / "counter-stats.png")
    busiest = max(search_dossiers(db, DossierFilter(statuses=("returned",)), limit=200).rows,
                  key=lambda r: len(get_dossier(db, r.code).steps))
    dossier = win.open_dossier(busiest.code)
    dossier.resize(1280, 688)
    wait_until(lambda: dossier.view is not None)
    shot(dossier, out / "dossier.png")
    dossier.close()
    win.close()
    from ui.workers import wait_idle

    wait_idle()
    db.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "screens"))
