"""The `motcua` command: the counter window by default, plus headless commands for IT staff and scripts.

Qt is imported only by the sub-commands that open a window, so the headless ones start fast and run
on a server without a display.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

from app.services.errors import ServiceError, ValidationFailed
from app.services.paths import default_db_path, setup_logging

EXIT_REFUSED = 2  # nothing was done; the message says why
EXIT_SAVED_BUT = 3  # the dossier was saved (its code is printed) but a later step, e.g. the PDF, failed


def _local_dt(text: str) -> datetime:
    from app.domain.calendar import TZ

    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” không đúng dạng YYYY-MM-DDTHH:MM (ví dụ 2026-11-16T09:05)") from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” không đúng dạng YYYY-MM-DD") from None


def _fmt(dt: datetime | None) -> str | None:
    from app.domain.calendar import TZ

    return dt.astimezone(TZ).strftime("%Y-%m-%dT%H:%M") if dt else None


def _open(path, *, create: bool = False) -> object:
    """Open a database (never creating one unless `create`: only set-up and the demo make a file);
    MOTCUA_FIXED_NOW (YYYY-MM-DDTHH:MM, local) pins the clock for training runs and tests."""
    import os

    from app.services.database import Database

    db = Database(path, create=create)
    fixed = os.environ.get("MOTCUA_FIXED_NOW")
    if fixed:
        pinned = _local_dt(fixed)
        db.clock = lambda: pinned
    return db


def _fail(message: str, *, as_json: bool = False, errors: dict | None = None) -> int:
    import logging

    logging.getLogger("motcua").info("refused%s", f" (fields: {', '.join(sorted(errors))})" if errors else "")
    if as_json:
        print(json.dumps({"error": message, "errors": errors or {}}, ensure_ascii=False))
    print(message, file=sys.stderr)
    return EXIT_REFUSED


# --- counter / demo / set-up ---------------------------------------------------------------------------


def _db_named(args) -> bool:
    """Whether the file was named (--db or MOTCUA_DB) rather than the machine's default one."""
    return bool(getattr(args, "db_named", True))


def cmd_counter(args) -> int:
    """The counter window. On a fresh machine (the default data file missing or not set up) the set-up window
    opens instead; a named file that is missing or not set up is refused (a mistyped path never becomes a new
    office)."""
    from app.services.backups import pending_restore
    from app.services.setup import is_configured

    db_path = Path(args.db)
    if not _db_named(args) and (not db_path.exists() or db_path.stat().st_size == 0) \
            and pending_restore(db_path) is None:
        return _setup_window(db_path)
    if pending_restore(db_path) is None:
        db = _open(db_path)
        try:
            configured = is_configured(db)
        finally:
            db.close()
        if not configured:
            if not _db_named(args):
                return _setup_window(db_path)
            # issue 9: never seed the demo commune (and its known passwords) into a real or mistyped file
            return _fail(f"Tệp {db_path} chưa được thiết lập cho đơn vị nào. Thiết lập máy này trong cửa sổ "
                         f"“motcua setup --db {db_path}”, hoặc bằng lệnh “motcua admin setup --db {db_path} …” "
                         "(xem motcua admin setup --help), hoặc dùng thử với xã mẫu: “motcua demo”.")
    from ui.counter_app import run_counter

    return run_counter(db_path, username=getattr(args, "user", None))


def _setup_window(db_path: Path) -> int:
    from ui.setup_window import run_setup

    return run_setup(db_path)


def cmd_setup(args) -> int:
    """The set-up window for a new office or an enrolment, on a file that does not hold an office yet."""
    from app.services.setup import is_configured

    db_path = Path(args.db)
    if db_path.exists() and db_path.stat().st_size > 0:
        db = _open(db_path)
        try:
            if is_configured(db):
                return _fail(f"{db_path} đã được thiết lập; mở màn hình quầy bằng “motcua --db {db_path}”. Đổi "
                             "thiết lập trong Hệ thống → Quản trị hệ thống (tài khoản quản trị).")
        finally:
            db.close()
    return _setup_window(db_path)


DEMO_SIDE_FILES = ("", "-wal", "-shm", "-highwater", "-highwater-wal", "-highwater-shm", "-hong", "-lock")


def _demo_state(db_path: Path) -> str:
    from app.services.demo import demo_state

    if not db_path.exists() or db_path.stat().st_size == 0:
        return "none"
    db = _open(db_path)  # refuses a foreign or damaged file
    try:
        return demo_state(db)
    finally:
        db.close()


def remove_demo(db_path: Path) -> None:
    for suffix in DEMO_SIDE_FILES:
        Path(str(db_path) + suffix).unlink(missing_ok=True)


def cmd_demo(args) -> int:
    """The demo commune in its own file: reused when complete, made again when a run stopped half-way, never
    written into a real office's file."""
    db_path = Path(args.db) if args.db else default_db_path().with_name("motcua-demo.sqlite")
    state = _demo_state(db_path)
    if state == "foreign":
        return _fail(f"{db_path} là dữ liệu của một đơn vị thật, không phải tệp xã mẫu (do “motcua demo” tạo); "
                     + ("--reset chỉ xóa dữ liệu của xã mẫu. " if args.reset else "")
                     + "Hãy chọn tệp khác cho xã mẫu (--db).")
    if state == "partial":
        print(f"Xã mẫu trong {db_path} chưa tạo xong lần trước (chương trình bị tắt giữa chừng); tạo lại từ đầu.",
              file=sys.stderr)
    if state == "partial" or (args.reset and state != "none"):
        remove_demo(db_path)
        state = "none"
    elif state == "complete":
        print(f"Dùng lại xã mẫu đã có trong {db_path} (thêm --reset để tạo lại).", file=sys.stderr)
    if not args.no_gui:
        from ui.demo_app import run_demo

        return run_demo(db_path, seed=state != "complete", dossiers=args.dossiers)
    if state != "complete":
        seed_demo_file(db_path, args.dossiers, progress=_text_progress())
    print(db_path)
    return 0


def _text_progress():
    """Progress for a terminal: a line every tenth of the way, and each new phase."""
    state = {"step": -1, "phase": ""}

    def show(done: int, total: int, text: str) -> None:
        phase = text.split(" ")[0]
        step = done * 10 // max(total, 1)
        if step != state["step"] or phase != state["phase"]:
            state["step"], state["phase"] = step, phase
            print(text, file=sys.stderr, flush=True)

    return show


def seed_demo_file(db_path: Path, dossiers: int, *, progress=None) -> int:
    """Make the demo commune in a new file (the GUI runs this in a worker)."""
    from app.services.demo import DEMO_STAFF, seed_demo

    db = _open(db_path, create=True)
    try:
        n = seed_demo(db, dossiers=dossiers or 300, progress=progress)
    finally:
        db.close()
    clerk = DEMO_STAFF[0]
    print(f"Đã tạo xã mẫu với {n} hồ sơ. Đăng nhập: {clerk.username} / {clerk.password}", file=sys.stderr)
    return n


# --- who runs a command ---------------------------------------------------------------------------------

NEED_AUTH = ("Lệnh này ghi dữ liệu hoặc đọc dữ liệu cá nhân nên phải biết ai chạy nó. Chạy trong cửa sổ dòng lệnh để nhập mật khẩu; "
             "với kịch bản, đặt biến môi trường MOTCUA_USER và MOTCUA_PASSWORD, hoặc dùng --user TÊN "
             "--password-file TỆP. Không bao giờ ghi mật khẩu trên dòng lệnh.")


def _read_secret(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()[0] if Path(path).stat().st_size else ""
    except (OSError, IndexError, UnicodeDecodeError) as exc:
        raise ServiceError(f"Không đọc được tệp mật khẩu {path}: {getattr(exc, 'strerror', None) or exc}.") from exc


def _password(args, *, env: str = "MOTCUA_PASSWORD", file_attr: str = "password_file") -> str | None:
    import os

    if getattr(args, file_attr, None):
        return _read_secret(getattr(args, file_attr))
    return os.environ.get(env) or None


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _actor(db, args, *, roles: tuple[str, ...] | None = None, permission=None):
    """The signed-in user a command that writes data or reads personal data runs as, proven by a password
    (prompt, MOTCUA_USER + MOTCUA_PASSWORD, or --password-file), with one of `roles` or the `permission`
    (app.services.access). In a demo file only, the demo clerk needs none."""
    import getpass
    import os

    from app.services.demo import DEMO_CLERK
    from app.services.setup import is_demo
    from app.services.users import list_users, login

    username = getattr(args, "user", None) or os.environ.get("MOTCUA_USER") or None
    password = _password(args)
    if password is None and (username or DEMO_CLERK) == DEMO_CLERK and is_demo(db):
        user = next((u for u in list_users(db) if u.username == DEMO_CLERK), None)
    else:
        if username is None or password is None:
            if not _interactive():
                raise ServiceError(NEED_AUTH)
            if username is None:
                username = input("Tên đăng nhập: ").strip()
            password = getpass.getpass(f"Mật khẩu của {username}: ")
        user = login(db, username=username, password=password)
    if user is None:
        raise ServiceError(NEED_AUTH)
    if roles and user.role not in roles:
        from app.services.users import ROLES

        raise ServiceError(f"Lệnh này cần tài khoản {' hoặc '.join(ROLES[r] for r in roles)}; "
                           f"{user.username} là {user.role_text}.")
    if permission is not None:
        from app.services.access import require

        require(user, permission)
    return user


def _new_password(args, who: str) -> str:
    """A new account's password: --new-password-file, MOTCUA_NEW_PASSWORD, or typed twice."""
    import getpass

    password = _password(args, env="MOTCUA_NEW_PASSWORD", file_attr="new_password_file")
    if password is not None:
        return password
    if not _interactive():
        raise ServiceError(f"Cần mật khẩu cho tài khoản {who}: gõ khi được hỏi (chạy trong cửa sổ dòng lệnh), "
                           "hoặc dùng --new-password-file TỆP hay biến MOTCUA_NEW_PASSWORD. Không ghi mật khẩu "
                           "trên dòng lệnh.")
    first = getpass.getpass(f"Mật khẩu mới cho {who}: ")
    if getpass.getpass("Gõ lại mật khẩu: ") != first:
        raise ServiceError("Hai lần gõ mật khẩu không giống nhau; chưa tạo tài khoản.")
    return first


def _auth_args(x: argparse.ArgumentParser) -> None:
    x.add_argument("--user", help="tên đăng nhập của người chạy lệnh (hoặc biến MOTCUA_USER)")
    x.add_argument("--password-file", help="tệp chứa mật khẩu ở dòng đầu (hoặc biến MOTCUA_PASSWORD); "
                                           "không có thì hỏi mật khẩu")


# --- receive -------------------------------------------------------------------------------------------


def cmd_receive(args) -> int:
    from app.services.forms import receipt_pdf
    from app.services.reception import ReceptionForm, receive_dossier

    db = None
    try:
        db = _open(args.db)
        clerk = _actor(db, args)
        form = ReceptionForm(
            procedure_code=args.procedure, applicant_name=args.name, phone=args.phone, id_number=args.id or "",
            birth_date=args.birth, address=args.address or "", email=args.email or "", sets_count=args.sets,
            channel=args.channel, return_method=args.return_method, note=args.note or "",
            received_at=args.received,
        )
        r = receive_dossier(db, form=form, clerk=clerk, request_id=args.request_id)
    except ValidationFailed as exc:
        return _fail(exc.message, as_json=args.json, errors=exc.errors)
    except ServiceError as exc:
        return _fail(exc.message, as_json=args.json)
    out = {"id": r.id, "code": r.code, "received": _fmt(r.received_at), "due": _fmt(r.due_at),
           "volume": r.volume, "number": r.number, "repeated": r.repeated}
    status = 0
    if args.pdf:
        # the dossier is saved: from here on every failure names its code
        try:
            Path(args.pdf).write_bytes(receipt_pdf(db, r.code))
            out["pdf"] = str(args.pdf)
            _audit(db, clerk, "saved", "dossier", r.code, f"Giấy tiếp nhận và hẹn trả kết quả (mẫu 01) → {args.pdf}")
        except (OSError, ServiceError) as exc:
            why = exc.message if isinstance(exc, ServiceError) else (exc.strerror or str(exc))
            out["pdf_error"] = (f"Đã lưu hồ sơ {r.code} nhưng không ghi được giấy hẹn ra tệp {args.pdf}: {why}. "
                                f"In lại bằng: motcua receive … --request-id giống lần này, hoặc từ màn hình quầy.")
            print(out["pdf_error"], file=sys.stderr)
            status = EXIT_SAVED_BUT
    db.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        again = "\n(Đã lưu từ lần trước với cùng mã yêu cầu; không tạo hồ sơ mới.)" if r.repeated else ""
        print(received_sentence(r, pdf=out.get("pdf")) + again)
    return status


def received_sentence(r, *, pdf: str | None = None) -> str:
    """What `receive` tells a person: the code, the book line and the appointment in words."""
    from app.domain.calendar import when_text

    due = f"hẹn trả kết quả lúc {when_text(r.due_at)}" if r.due_at else \
        "thủ tục không có ngày hẹn trả cụ thể theo quy định"
    text = (f"Đã tiếp nhận hồ sơ {r.code} lúc {when_text(r.received_at)} "
            f"(Sổ theo dõi: quyển số {r.volume}, số thứ tự {r.number}); {due}.")
    if pdf:
        text += f"\nGiấy tiếp nhận và hẹn trả kết quả đã ghi ra tệp {pdf}."
    return text


# --- dossier steps ---------------------------------------------------------------------------------------


def cmd_dossier(args) -> int:
    from app.domain.dossier import status_text
    from app.domain.lifecycle import Action
    from app.services import lifecycle as lc

    action = Action(args.action)
    reason = args.reason or args.note or ""
    as_json = args.json
    try:
        db = _open(args.db)
        actor = _actor(db, args)
        common = {"actor": actor, "at": args.at}
        if action == Action.TRANSFER:
            r = lc.transfer(db, args.code, to_name=args.to or "", to_unit=args.unit or "", note=args.note or "",
                            **common)
        elif action == Action.BACK:
            r = lc.hand_back(db, args.code, from_name=args.to or "", note=args.note or "", **common)
        elif action == Action.SUPPLEMENT_REQUEST:
            items = [{"name": x.strip(), "count": 1, "original": True} for x in (args.items or "").split(";")]
            r = lc.request_supplement(db, args.code, items=items, reason=reason, note=args.note or "", **common)
        elif action == Action.SUPPLEMENT_RECEIVED:
            r = lc.receive_supplement(db, args.code, note=args.note or "", **common)
        elif action == Action.RESULT_READY:
            r = lc.result_ready(db, args.code, from_name=args.to or "", note=args.note or "", **common)
        elif action == Action.RETURN:
            r = lc.return_result(db, args.code, collected_by=args.to or "", id_shown=args.id_shown or "",
                                 method=args.method, note=args.note or "", **common)
        elif action == Action.EXTEND:
            new_due = args.new_due or lc.suggested_extension(db, args.code)
            if new_due is None:
                return _fail(f"Hồ sơ {args.code} không có thời hạn giải quyết nên không cần gia hạn.",
                             as_json=as_json)
            r = lc.extend(db, args.code, new_due=new_due, reason=reason, signer_name=args.signer or "",
                          signer_title=args.signer_title or "", override=args.override, note=args.note or "",
                          **common)
        elif action == Action.STOP:
            r = lc.stop(db, args.code, reason=reason, requested_by=args.to or "", note=args.note or "",
                        signer_name=args.signer or "", signer_title=args.signer_title or "", **common)
        elif action == Action.CANCEL:
            r = lc.cancel(db, args.code, reason=reason, **common)
        else:  # pragma: no cover - argparse limits the choices
            return _fail(f"Không hỗ trợ thao tác {action}.")
    except ValidationFailed as exc:
        return _fail(exc.message, as_json=as_json, errors=exc.errors)
    except ServiceError as exc:
        return _fail(exc.message, as_json=as_json)
    if as_json:
        print(json.dumps({"code": r.code, "action": action.value, "status": r.status,
                          "status_text": status_text(r.status), "due": _fmt(r.due_at)}, ensure_ascii=False))
    else:
        print(step_sentence(action, r))
    return 0


def step_sentence(action, r) -> str:
    """What `dossier` tells a person: the step recorded, the dossier's state now and its appointment."""
    from app.domain.calendar import when_text
    from app.domain.dossier import CLOSED, Status, status_text
    from app.domain.lifecycle import ACTION_TEXT

    text = f"Đã ghi nhận “{ACTION_TEXT[action]}” cho hồ sơ {r.code}. Trạng thái: {status_text(r.status).lower()}"
    if Status(r.status) not in CLOSED and r.status != Status.RESULT_READY:
        text += f"; hẹn trả kết quả lúc {when_text(r.due_at)}" if r.due_at else \
            "; không có ngày hẹn trả cụ thể"
    return text + "."


# --- reports and search --------------------------------------------------------------------------------


def _audit(db, actor, action: str, subject: str, ref: str = "", detail: str = "") -> None:
    from app.services import audit

    audit.record(db, actor=actor, action=action, subject=subject, ref=ref, detail=detail)


def _outputs(args, *flags: str) -> list[str]:
    return [f for f in flags if getattr(args, f.lstrip("-").replace("-", "_"), None)]


def _need_output(args, *flags: str) -> int | None:
    """A report command with nowhere to put the report says so (exit 2) instead of doing nothing."""
    if _outputs(args, *flags):
        return None
    return _fail(f"Chưa nói ghi báo cáo ra đâu: thêm một trong {', '.join(f + (' TỆP' if f != '--json' else '') for f in flags)}"
                 f" (ví dụ {flags[0]} bao-cao.{flags[0].lstrip('-') if flags[0] != '--json' else 'json'}).")


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise ServiceError(f"Không ghi được tệp {path}: {exc.strerror}. Hãy kiểm tra thư mục và dung lượng ổ đĩa.") from exc


def cmd_report_logbook(args) -> int:
    from app.services import reports

    if args.date_to < args.date_from:
        return _fail("Ngày kết thúc (--to) phải sau hoặc bằng ngày bắt đầu (--from).")
    if (missing := _need_output(args, "--pdf", "--xlsx", "--csv")) is not None:
        return missing
    from app.services.access import Permission

    db = _open(args.db)
    actor = _actor(db, args, permission=Permission.REPORTS)
    if args.pdf:
        _write(args.pdf, reports.logbook_pdf(db, args.date_from, args.date_to, volume=args.volume))
    lines = reports.logbook_lines(db, args.date_from, args.date_to, volume=args.volume)
    if args.xlsx:
        info = reports.logbook_title_info(db, args.date_from, args.date_to, volume=args.volume, lines=lines)
        _write(args.xlsx, reports.logbook_xlsx(lines, title_info=info))
    if args.csv:
        _write(args.csv, reports.logbook_csv(lines))
    _audit(db, actor, "exported", "logbook", f"{args.date_from:%d/%m/%Y}–{args.date_to:%d/%m/%Y}",
           f"{len(lines)} dòng; " + ", ".join(_outputs(args, "--pdf", "--xlsx", "--csv")))
    print(f"Sổ theo dõi hồ sơ {args.date_from:%d/%m/%Y}–{args.date_to:%d/%m/%Y}: {len(lines)} dòng", file=sys.stderr)
    return 0


def _write_private(path: str, data: bytes) -> None:
    from app.services.paths import write_private

    try:
        write_private(Path(path), data)
    except OSError as exc:
        raise ServiceError(f"Không ghi được tệp {path}: {exc.strerror}. Hãy kiểm tra thư mục và dung lượng ổ đĩa.") from exc


def cmd_report_day(args) -> int:
    """The day book: list the days not closed, close a day (or all of them in order), reprint, archive."""
    from app.services import daybook
    from app.services.reports import join_pdfs

    db = _open(args.db)
    if args.list:
        state = daybook.book_state(db)
        if state.pending:
            print("Chưa chốt sổ: " + ", ".join(f"{d:%d/%m/%Y}" for d in state.pending))
        else:
            print("Đã chốt sổ hết các ngày.")
        if state.last_closed:
            print(f"Đã chốt đến ngày {state.last_closed:%d/%m/%Y}; Quyển số {state.volume} có {state.last_page} trang.")
        return 0
    if args.archive:
        report = daybook.archive_days(db)
        for path in report.written:
            print(path)
        for error in report.errors:
            print(error, file=sys.stderr)
        print(f"Đã lưu {len(report.written)} ngày vào {daybook.archive_folder(db)}", file=sys.stderr)
        return EXIT_REFUSED if report.errors else 0
    actor = _actor(db, args)
    if args.all:
        closed = daybook.close_pending(db, actor=actor)
        if not closed:
            print("Không còn ngày nào chưa chốt sổ.", file=sys.stderr)
            return 0
        if args.pdf:
            _write_private(args.pdf, join_pdfs([c.pdf for c in closed]))
        for c in closed:
            print(f"Đã chốt sổ ngày {c.day:%d/%m/%Y}: Quyển số {c.volume}, trang {c.first_page}–{c.last_page}, "
                  f"{c.lines} dòng mới, {c.updates} dòng cập nhật.")
        return 0
    if args.date in daybook.closed_days(db):
        pdf, _closed = daybook.day_pdf(db, args.date)
        if args.pdf:
            _write_private(args.pdf, pdf)
            _audit(db, actor, "saved", "daybook", f"{args.date:%d/%m/%Y}", f"in lại → {args.pdf}")
        print(f"Ngày {args.date:%d/%m/%Y} đã chốt sổ; " + ("đã in lại vào " + args.pdf if args.pdf else
                                                            "thêm --pdf TỆP để in lại."))
        return 0
    c = daybook.close_day(db, args.date, actor=actor)
    if args.pdf:
        _write_private(args.pdf, c.pdf)
    print(f"Đã chốt sổ ngày {c.day:%d/%m/%Y}: Quyển số {c.volume}, trang {c.first_page}–{c.last_page}, "
          f"{c.lines} dòng mới, {c.updates} dòng cập nhật.")
    if c.archive_error:
        print(c.archive_error, file=sys.stderr)
    return 0


def cmd_report_volume(args) -> int:
    """A volume's cover, its closing at the year's end (khóa sổ), or the reprint of that closing."""
    from app.services import daybook

    if not (args.cover or args.close or args.pdf):
        return _fail("Chưa nói làm gì với quyển sổ: thêm --cover TỆP (in bìa), --close (khóa sổ năm) hoặc --pdf TỆP "
                     "(in lại trang khóa sổ).")
    db = _open(args.db)
    if args.cover:
        _write_private(args.cover, daybook.cover_pdf(db, args.year))
        print(f"Đã in bìa sổ năm {args.year} vào {args.cover}")
    if args.close:
        v = daybook.close_volume(db, args.year, actor=_actor(db, args))
        if args.pdf:
            _write_private(args.pdf, v.pdf)
        print(f"Đã khóa Quyển số {v.volume}: {v.pages} trang, {v.lines} dòng.")
    elif args.pdf:
        _write_private(args.pdf, daybook.volume_end_pdf(db, args.year))
        print(f"Đã in lại trang khóa sổ năm {args.year} vào {args.pdf}")
    return 0


def cmd_report_stats(args) -> int:
    from app.services import reports
    from app.services.stats import compute_stats

    if args.date_to < args.date_from:
        return _fail("Ngày kết thúc (--to) phải sau hoặc bằng ngày bắt đầu (--from).")
    if (missing := _need_output(args, "--pdf", "--xlsx", "--csv", "--json")) is not None:
        return missing
    from app.services.access import Permission

    db = _open(args.db)
    actor = _actor(db, args, permission=Permission.REPORTS)
    report = compute_stats(db, args.date_from, args.date_to)
    if args.pdf:
        _write(args.pdf, reports.stats_pdf(report))
    if args.xlsx:
        _write(args.xlsx, reports.stats_xlsx(report))
    if args.csv:
        _write(args.csv, reports.stats_csv(report))
    if args.json:
        print(json.dumps(reports.stats_json(report), ensure_ascii=False, default=str))
    _audit(db, actor, "exported", "stats", f"{args.date_from:%d/%m/%Y}–{args.date_to:%d/%m/%Y}",
           "Biểu II.06a; " + ", ".join(_outputs(args, "--pdf", "--xlsx", "--csv", "--json")))
    return 0


def cmd_search(args) -> int:
    from app.services.access import Permission
    from app.services.search import quick_search

    db = _open(args.db)
    actor = _actor(db, args, permission=Permission.COUNTER)
    rows = quick_search(db, args.text, limit=args.limit)
    _audit(db, actor, "searched", "dossier", rows[0].code if len(rows) == 1 else "",
           f"{len(rows)} hồ sơ: " + ", ".join(r.code for r in rows[:10]) + ("…" if len(rows) > 10 else ""))
    if args.json:
        print(json.dumps([{"code": r.code, "applicant_name": r.applicant_name, "phone": r.phone,
                           "procedure": r.procedure_name, "status": r.status, "status_text": r.status_text,
                           "received": _fmt(r.received_at), "due": _fmt(r.due_at), "due_state": r.due_state}
                          for r in rows], ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r.code}  {r.applicant_name}  {r.procedure_name}  {r.status_text}")
    return 0


# --- calendar ------------------------------------------------------------------------------------------


def _calendar(args, on=None):
    from app.domain.calendar import statutory_calendar

    if not args.db:
        return statutory_calendar()
    from app.services.settings import calendar_of

    return calendar_of(_open(args.db), on=on)


def cmd_calendar_due(args) -> int:
    from app.domain.calendar import CalendarRangeError, check_year
    from app.domain.deadline import Duration, DurationKind, compute_due

    try:
        check_year(args.received.year)
    except CalendarRangeError as exc:
        return _fail(exc.message)

    if args.working_days is not None:
        duration = Duration(DurationKind.WORKING_DAYS, args.working_days)
    elif args.working_hours is not None:
        duration = Duration(DurationKind.WORKING_HOURS, args.working_hours)
    elif args.days is not None:
        duration = Duration(DurationKind.CALENDAR_DAYS, args.days)
    else:
        duration = Duration(DurationKind.SAME_DAY, 0)
    cal = _calendar(args, on=args.received.date())  # the decisions in effect on the day of reception
    due = compute_due(args.received, duration, cal)
    print(_fmt(due))
    print(f"{duration.describe()}; lịch {cal.version}")
    return 0


def cmd_calendar_off_days(args) -> int:
    from app.domain.calendar import CalendarRangeError, check_year

    try:
        check_year(args.year)
    except CalendarRangeError as exc:
        return _fail(exc.message)
    cal = _calendar(args)
    for day in cal.off_days(args.year):
        print(f"{day.day.isoformat()} {day.kind.value} {day.reason}")
    return 0


# --- the rating kiosk and its report -------------------------------------------------------------------------


def cmd_kiosk(args) -> int:
    """The full-screen rating kiosk (Qt is loaded only here)."""
    from ui.kiosk_app import run_kiosk

    return run_kiosk(Path(args.db), counter_slot=args.counter, windowed=args.windowed)


def cmd_report_ratings(args) -> int:
    from app.services.rating_report import compute_ratings, ratings_json, ratings_pdf, ratings_xlsx

    if args.date_to < args.date_from:
        return _fail("Ngày kết thúc (--to) phải sau hoặc bằng ngày bắt đầu (--from).")
    if (missing := _need_output(args, "--pdf", "--xlsx", "--json")) is not None:
        return missing
    db = _open(args.db)
    actor = _actor(db, args, roles=("leader", "admin"))  # per-clerk figures and citizens' comments
    report = compute_ratings(db, args.date_from, args.date_to, per_clerk=True)
    if args.pdf:
        _write(args.pdf, ratings_pdf(report))
    if args.xlsx:
        _write(args.xlsx, ratings_xlsx(report))
    _audit(db, actor, "exported", "ratings", f"{args.date_from:%d/%m/%Y}–{args.date_to:%d/%m/%Y}",
           f"{report.total} lượt đánh giá; " + ", ".join(_outputs(args, "--pdf", "--xlsx", "--json")))
    if args.json:
        print(json.dumps(ratings_json(report), ensure_ascii=False))
    else:
        from app.domain.rating import percent_text

        print(f"Đánh giá {args.date_from:%d/%m/%Y}–{args.date_to:%d/%m/%Y}: {report.total} lượt, "
              f"hài lòng {report.satisfied} ({percent_text(report.percent)})", file=sys.stderr)
    return 0


# --- parser --------------------------------------------------------------------------------------------


PASSWORD_FLAGS = ("--password", "--admin-password", "--new-password")
# commands whose --db has no default file (calendar, server) or a default of their own (the demo's own file,
# never the real one)
NO_DATABASE = ("calendar", "server", "demo")


def _json_arg(x: argparse.ArgumentParser) -> None:
    x.add_argument("--json", action="store_true", help="in kết quả dạng JSON (cho kịch bản)")


def build_parser() -> argparse.ArgumentParser:
    from app.version import __version__
    from ui.cli_vi import Parser, add_db

    called = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    p = Parser(prog=called if called.startswith("motcua") else "motcua", description="MotCua – phần mềm Bộ phận Một cửa cấp xã. Không có lệnh: mở màn hình "
                                          "quầy (như “motcua counter”). Mỗi lệnh có --help riêng.",
               epilog="Tệp dữ liệu: --db TỆP, hoặc biến MOTCUA_DB, hoặc tệp mặc định của máy. "
                      "Người chạy lệnh ghi dữ liệu: --user / MOTCUA_USER và mật khẩu (hỏi khi chạy, biến "
                      "MOTCUA_PASSWORD hoặc --password-file). Mã thoát: 0 xong, 1 lỗi ngoài dự kiến hoặc kiểm tra "
                      "không đạt, 2 từ chối (không làm gì), 3 đã lưu hồ sơ nhưng không ghi được tệp PDF.")
    p.add_argument("--version", action="version", version=f"MotCua {__version__}", help="in số phiên bản rồi thoát")
    sub = p.add_subparsers(dest="command", title="lệnh", metavar="LỆNH")

    c = sub.add_parser("counter", help="mở màn hình quầy tiếp nhận (mặc định)")
    add_db(c)
    c.add_argument("--user", metavar="TÊN", help="tên đăng nhập điền sẵn")
    c.set_defaults(func=cmd_counter)

    su = sub.add_parser("setup", help="mở cửa sổ thiết lập máy mới (đơn vị mới, hoặc kết nối máy chủ tỉnh)")
    add_db(su, "tệp dữ liệu sẽ tạo")
    su.set_defaults(func=cmd_setup)

    d = sub.add_parser("demo", help="tạo xã mẫu với danh mục, cán bộ và hồ sơ rồi mở màn hình quầy")
    d.add_argument("--db", metavar="TỆP", help="tệp dữ liệu của xã mẫu (mặc định: motcua-demo.sqlite trong thư mục "
                                              "dữ liệu của máy; không bao giờ là tệp thật)")
    d.add_argument("--no-gui", action="store_true", help="chỉ tạo dữ liệu, không mở cửa sổ; in đường dẫn tệp")
    d.add_argument("--dossiers", type=int, default=300, metavar="N", help="số hồ sơ mẫu (mặc định 300)")
    d.add_argument("--reset", action="store_true", help="xóa xã mẫu cũ (chỉ tệp do motcua demo tạo) và tạo lại")
    d.set_defaults(func=cmd_demo)

    k = sub.add_parser("kiosk", help="mở máy đánh giá mức độ hài lòng (toàn màn hình, cảm ứng)")
    add_db(k, "tệp dữ liệu: của máy quầy (máy đánh giá dùng chung) hoặc của riêng máy đánh giá")
    k.add_argument("--counter", type=int, metavar="SỐ",
                   help="số hiệu quầy mà máy đánh giá nhận lời mời (mặc định theo thiết lập)")
    k.add_argument("--windowed", action="store_true", help="mở trong cửa sổ thường (thử nghiệm, chụp màn hình)")
    k.set_defaults(func=cmd_kiosk)

    r = sub.add_parser("receive", help="tiếp nhận một hồ sơ như trên màn hình (nhập bù hồ sơ giấy)")
    add_db(r)
    r.add_argument("--procedure", required=True, metavar="MÃ", help="mã thủ tục trong danh mục, ví dụ 1.001193")
    r.add_argument("--name", required=True, metavar="HỌ_TÊN", help="họ tên người nộp hồ sơ")
    r.add_argument("--phone", required=True, metavar="SỐ", help="số điện thoại: 10 số bắt đầu bằng 0, hoặc +84…")
    r.add_argument("--id", metavar="SỐ", help="số CCCD (12 số) hoặc CMND (9 số) (mặc định: trống)")
    r.add_argument("--birth", type=_date, metavar="YYYY-MM-DD", help="ngày sinh (mặc định: trống)")
    r.add_argument("--address", metavar="ĐỊA_CHỈ", help="địa chỉ người nộp (mặc định: trống)")
    r.add_argument("--email", metavar="EMAIL", help="thư điện tử (mặc định: trống)")
    r.add_argument("--sets", type=int, default=1, metavar="N", help="số lượng hồ sơ (bộ) (mặc định 1)")
    r.add_argument("--channel", default="direct", choices=["direct", "post", "online"],
                   help="kênh nộp: direct trực tiếp, post bưu chính, online trực tuyến (mặc định direct)")
    r.add_argument("--return-method", default="counter", choices=["counter", "post"],
                   help="nhận kết quả: counter tại quầy, post qua bưu chính (mặc định counter)")
    r.add_argument("--note", metavar="GHI_CHÚ", help="ghi chú (mặc định: trống)")
    r.add_argument("--received", type=_local_dt, metavar="YYYY-MM-DDTHH:MM",
                   help="thời điểm tiếp nhận, giờ Việt Nam, ví dụ 2026-11-16T09:05 (mặc định: bây giờ)")
    _auth_args(r)
    r.add_argument("--request-id", metavar="MÃ", help="mã yêu cầu (UUID hoặc chuỗi bất kỳ, mỗi hồ sơ một mã): chạy "
                                                      "lại lệnh với cùng mã sẽ trả lại hồ sơ đã lưu, không tạo trùng")
    r.add_argument("--pdf", metavar="TỆP", help="ghi giấy tiếp nhận và hẹn trả (mẫu 01) ra tệp PDF")
    _json_arg(r)
    r.set_defaults(func=cmd_receive)

    rp = sub.add_parser("report", help="sổ theo dõi hồ sơ (chốt sổ ngày, trích sổ) và thống kê (PDF, Excel, CSV)")
    rp_sub = rp.add_subparsers(dest="report_command", required=True, title="lệnh", metavar="LỆNH")
    for name, func, helptext in (("logbook", cmd_report_logbook, "trích Sổ theo dõi hồ sơ (mẫu 07) theo khoảng ngày"),
                                 ("stats", cmd_report_stats, "thống kê kết quả giải quyết TTHC (Biểu II.06a)")):
        x = rp_sub.add_parser(name, help=helptext)
        add_db(x)
        x.add_argument("--from", dest="date_from", type=_date, required=True, metavar="YYYY-MM-DD",
                       help="từ ngày tiếp nhận (tính cả ngày này)")
        x.add_argument("--to", dest="date_to", type=_date, required=True, metavar="YYYY-MM-DD",
                       help="đến ngày (tính cả ngày này)")
        x.add_argument("--pdf", metavar="TỆP", help="ghi ra tệp PDF (A4 ngang)")
        x.add_argument("--xlsx", metavar="TỆP", help="ghi ra tệp Excel")
        x.add_argument("--csv", metavar="TỆP", help="ghi ra tệp CSV (UTF-8 có BOM, Excel đọc đúng tiếng Việt)")
        if name == "logbook":
            x.add_argument("--volume", metavar="SỐ/NĂM", help="chỉ một quyển sổ, ví dụ 1/2026 (mặc định: mọi quyển)")
        else:
            _json_arg(x)
        _auth_args(x)
        x.epilog = "Cần ít nhất một trong --pdf, --xlsx, --csv" + (", --json." if name == "stats" else ".")
        x.set_defaults(func=func)

    ra = rp_sub.add_parser("ratings", help="báo cáo mức độ hài lòng (theo cán bộ, lĩnh vực, thủ tục, tháng)")
    add_db(ra)
    ra.add_argument("--from", dest="date_from", type=_date, required=True, metavar="YYYY-MM-DD",
                    help="từ ngày đánh giá (tính cả ngày này)")
    ra.add_argument("--to", dest="date_to", type=_date, required=True, metavar="YYYY-MM-DD",
                    help="đến ngày (tính cả ngày này)")
    ra.add_argument("--pdf", metavar="TỆP", help="ghi ra tệp PDF")
    ra.add_argument("--xlsx", metavar="TỆP", help="ghi ra tệp Excel")
    _json_arg(ra)
    _auth_args(ra)
    ra.epilog = "Cần ít nhất một trong --pdf, --xlsx, --json. Chỉ lãnh đạo hoặc quản trị hệ thống."
    ra.set_defaults(func=cmd_report_ratings)

    dy = rp_sub.add_parser("day", help="chốt sổ theo dõi hồ sơ theo ngày (in tiếp các trang của quyển sổ), "
                                        "in lại, lưu trữ")
    add_db(dy)
    what = dy.add_mutually_exclusive_group(required=True)
    what.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="chốt sổ ngày này; ngày đã chốt thì in lại")
    what.add_argument("--all", action="store_true", help="chốt lần lượt mọi ngày chưa chốt")
    what.add_argument("--list", action="store_true", help="liệt kê các ngày chưa chốt sổ")
    what.add_argument("--archive", action="store_true",
                      help="ghi bản lưu PDF của mọi ngày đã qua chưa có trong thư mục lưu trữ (cho lịch chạy tự động)")
    dy.add_argument("--pdf", metavar="TỆP", help="ghi các trang sổ ra tệp PDF")
    _auth_args(dy)
    dy.set_defaults(func=cmd_report_day)
    vo = rp_sub.add_parser("volume", help="bìa sổ và khóa sổ cuối năm của quyển sổ theo dõi hồ sơ")
    add_db(vo)
    vo.add_argument("--year", type=int, required=True, metavar="NĂM", help="năm của quyển sổ, ví dụ 2026")
    vo.add_argument("--cover", metavar="TỆP", help="in bìa quyển sổ ra tệp PDF")
    vo.add_argument("--close", action="store_true", help="khóa sổ năm (từ 31/12, sau khi đã chốt mọi ngày)")
    vo.add_argument("--pdf", metavar="TỆP", help="ghi trang khóa sổ ra tệp PDF (không có --close: in lại)")
    _auth_args(vo)
    vo.epilog = "Cần ít nhất một trong --cover, --close, --pdf."
    vo.set_defaults(func=cmd_report_volume)

    se = sub.add_parser("search", help="tìm hồ sơ theo mã, tên, số điện thoại, số CCCD, địa chỉ (không cần dấu)")
    se.add_argument("text", metavar="CHỮ", help="chữ cần tìm, ví dụ “nguyen van nam” hoặc một mã hồ sơ")
    add_db(se)
    se.add_argument("--limit", type=int, default=50, metavar="N", help="số hồ sơ tối đa (mặc định 50)")
    _json_arg(se)
    _auth_args(se)
    se.set_defaults(func=cmd_search)

    cal = sub.add_parser("calendar", help="lịch làm việc và tính ngày hẹn trả (các năm 2020–2050)")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True, title="lệnh", metavar="LỆNH")
    due = cal_sub.add_parser("due", help="tính thời điểm hẹn trả")
    due.add_argument("--received", type=_local_dt, required=True, metavar="YYYY-MM-DDTHH:MM",
                     help="thời điểm tiếp nhận, giờ Việt Nam")
    g = due.add_mutually_exclusive_group(required=True)
    g.add_argument("--working-days", type=float, metavar="N", help="số ngày làm việc (8 giờ làm việc một ngày)")
    g.add_argument("--working-hours", type=float, metavar="N", help="số giờ làm việc")
    g.add_argument("--days", type=int, metavar="N", help="số ngày theo lịch")
    g.add_argument("--same-day", action="store_true", help="trong ngày, nhận sau 15:00 thì trả ngày làm việc sau")
    due.add_argument("--db", metavar="TỆP", help="thêm ngày nghỉ / làm bù và giờ làm việc của đơn vị trong tệp này "
                                                "(mặc định: chỉ lịch theo luật)")
    due.set_defaults(func=cmd_calendar_due)
    off = cal_sub.add_parser("off-days", help="liệt kê ngày nghỉ trong tuần và ngày làm bù của một năm")
    off.add_argument("year", type=int, metavar="NĂM", help="năm, từ 2020 đến 2050")
    off.add_argument("--db", metavar="TỆP", help="thêm ngày của đơn vị trong tệp này (mặc định: chỉ lịch theo luật)")
    off.set_defaults(func=cmd_calendar_off_days)

    ds = sub.add_parser("dossier", help="ghi một bước xử lý hồ sơ (nhập bù sau khi mất mạng, kịch bản)")
    ds.add_argument("action", choices=["transfer", "back", "supplement-request", "supplement-received",
                                       "result-ready", "return", "extend", "stop", "cancel"],
                    help="transfer chuyển xử lý; back nhận lại; supplement-request yêu cầu bổ sung; "
                         "supplement-received nhận bổ sung; result-ready có kết quả; return trả kết quả; extend xin "
                         "lỗi, gia hạn; stop dừng giải quyết; cancel hủy (nhập nhầm)")
    ds.add_argument("code", metavar="MÃ_HỒ_SƠ", help="mã hồ sơ, ví dụ 000.17.22.H56-261116-1001")
    add_db(ds)
    ds.add_argument("--at", type=_local_dt, metavar="YYYY-MM-DDTHH:MM",
                    help="thời điểm thực hiện, giờ Việt Nam (mặc định: bây giờ)")
    ds.add_argument("--to", metavar="TÊN", help="người nhận (chuyển), người giao lại, người nhận kết quả, người đề nghị "
                                               "dừng")
    ds.add_argument("--unit", metavar="ĐƠN_VỊ", help="đơn vị nhận hồ sơ khi chuyển")
    ds.add_argument("--note", metavar="GHI_CHÚ", help="ghi chú của bước")
    ds.add_argument("--reason", metavar="LÝ_DO", help="lý do (bổ sung, gia hạn, dừng, hủy) (mặc định: lấy --note)")
    ds.add_argument("--items", metavar="GIẤY_TỜ;…", help="giấy tờ cần bổ sung, cách nhau bởi dấu ;")
    ds.add_argument("--new-due", type=_local_dt, metavar="YYYY-MM-DDTHH:MM",
                    help="ngày hẹn mới khi gia hạn (mặc định: đề xuất của hệ thống)")
    ds.add_argument("--signer", metavar="HỌ_TÊN", help="người ký văn bản xin lỗi, gia hạn (mẫu 04) hoặc thông báo "
                                                      "dừng (mẫu 05) (mặc định: lãnh đạo trong danh sách cán bộ)")
    ds.add_argument("--signer-title", metavar="CHỨC_VỤ", help="chức vụ người ký, ví dụ “Phó Chủ tịch UBND xã”")
    ds.add_argument("--override", action="store_true", help="cho phép gia hạn lần nữa (lãnh đạo, quản trị)")
    ds.add_argument("--id-shown", metavar="SỐ", help="số giấy tờ người nhận kết quả xuất trình")
    ds.add_argument("--method", default="counter", choices=["counter", "post"],
                    help="trả kết quả: counter tại quầy, post qua bưu chính (mặc định counter)")
    _json_arg(ds)
    _auth_args(ds)
    ds.set_defaults(func=cmd_dossier)

    a = sub.add_parser("admin", help="công cụ quản trị: thiết lập, cán bộ, sao lưu, khôi phục, kiểm tra, nhật ký")
    a_sub = a.add_subparsers(dest="admin_command", required=True, title="lệnh", metavar="LỆNH")
    from ui.cli_admin import add_parsers as add_admin
    from ui.cli_sync import add_parsers as add_sync

    add_admin(a_sub)
    add_sync(sub, a_sub)  # server …, sync, admin enroll
    return p


def _command_line(args, raw: list[str]) -> str:
    """What the log says was run: the sub-commands and the option names, never a value (a name, a phone)."""
    words = ["motcua"] + [w for w in (getattr(args, k, None) for k in
                                      ("command", "report_command", "calendar_command", "admin_command",
                                       "server_command")) if isinstance(w, str)]
    words += sorted({a.split("=")[0] for a in raw if a.startswith("--")})
    return " ".join(words)


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; a refused action (ServiceError) prints its Vietnamese message and exits 2.

    Files and folders made from here on are private to the account (umask 077). Each run logs its start
    (version, command, option names); an unexpected error is logged with its traceback (type and code
    lines, never its message: it may quote a citizen's data) and summarised."""
    import logging

    from app.domain.calendar import CalendarRangeError
    from app.services.paths import private_umask, startup_line

    private_umask()
    raw = sys.argv[1:] if argv is None else argv
    # the province's `server add-commune --admin-password` (an initial password the commune's administrator
    # changes at first sign-in) is the one exception the sync protocol's set-up commands name
    provisioning = raw[:2] == ["server", "add-commune"]
    if not provisioning and any(a.split("=")[0] in PASSWORD_FLAGS for a in raw):
        print("Không nhận mật khẩu trên dòng lệnh (nó bị lưu trong lịch sử lệnh và ai cũng xem được trong danh sách "
              "tiến trình). Hãy gõ khi được hỏi, hoặc dùng biến MOTCUA_PASSWORD / MOTCUA_NEW_PASSWORD, hoặc "
              "--password-file / --new-password-file.", file=sys.stderr)
        return EXIT_REFUSED
    parser = build_parser()
    args = parser.parse_args(raw)
    if args.command is None:
        args = parser.parse_args(["counter", *raw])
    if hasattr(args, "db"):
        args.db_named = args.db is not None or bool(os.environ.get("MOTCUA_DB"))
    if getattr(args, "db", "absent") is None and args.command not in NO_DATABASE:
        args.db = str(default_db_path())  # MOTCUA_DB, else the machine's data file
    log_path = setup_logging()
    log = logging.getLogger("motcua")
    log.info(startup_line(_command_line(args, raw)))
    try:
        status = args.func(args)
    except ServiceError as exc:
        log.info("refused: %s", type(exc).__name__)
        print(exc.message, file=sys.stderr)
        return EXIT_REFUSED
    except CalendarRangeError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 130
    except Exception:
        if os.environ.get("MOTCUA_DEBUG"):
            raise
        log.exception("command %s failed", args.command)
        print("Lỗi ngoài dự kiến; chưa chắc lệnh đã hoàn tất. Chi tiết kỹ thuật (không có dữ liệu cá nhân) được ghi "
              f"trong {log_path or 'nhật ký'}; hãy báo cán bộ CNTT.", file=sys.stderr)
        return 1
    log.info("done: exit %s", status)
    return status


if __name__ == "__main__":
    sys.exit(main())
