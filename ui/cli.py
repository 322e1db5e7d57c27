"""The `motcua` command: the counter window by default, plus headless commands for IT staff and scripts.

Qt is imported only by the sub-commands that open a window, so the headless ones start fast and run
on a server without a display.
"""

from __future__ import annotations

import argparse
import json
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
    if as_json:
        print(json.dumps({"error": message, "errors": errors or {}}, ensure_ascii=False))
    print(message, file=sys.stderr)
    return EXIT_REFUSED


# --- counter / demo ----------------------------------------------------------------------------------


def cmd_counter(args) -> int:
    from app.services.setup import is_configured

    db_path = Path(args.db) if args.db else default_db_path()
    db = _open(db_path)
    try:
        configured = is_configured(db)
    finally:
        db.close()
    if not configured:
        # issue 9: never seed the demo commune (and its known passwords) into a real or mistyped file
        return _fail(f"Tệp {db_path} chưa được thiết lập cho đơn vị nào. Thiết lập máy này bằng "
                     f"“motcua admin setup --db {db_path} …” (xem motcua admin setup --help), "
                     "hoặc dùng thử với xã mẫu: “motcua demo”.")
    from ui.counter_app import run_counter

    return run_counter(db_path, username=getattr(args, "user", None))


def _seed_demo(db, args) -> None:
    from app.services.demo import DEMO_STAFF, seed_demo

    n = seed_demo(db, dossiers=getattr(args, "dossiers", 300) or 300)
    clerk = DEMO_STAFF[0]
    print(f"Đã tạo xã mẫu với {n} hồ sơ. Đăng nhập: {clerk.username} / {clerk.password}", file=sys.stderr)


def cmd_demo(args) -> int:
    from app.services.setup import is_configured, is_demo

    db_path = Path(args.db) if args.db else default_db_path().with_name("motcua-demo.sqlite")
    if args.reset and db_path.exists():
        db = _open(db_path)  # refuses a foreign or damaged file: nothing to reset there
        try:
            demo = is_demo(db)
        finally:
            db.close()
        if not demo:
            return _fail(f"Không xóa: {db_path} không phải tệp xã mẫu (do “motcua demo” tạo). "
                         "--reset chỉ xóa dữ liệu của xã mẫu.")
        for suffix in ("", "-wal", "-shm", "-highwater", "-highwater-wal", "-highwater-shm", "-hong"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    db = _open(db_path, create=True)
    try:
        if is_configured(db):
            if not is_demo(db):
                return _fail(f"{db_path} là dữ liệu của một đơn vị thật, không phải xã mẫu; "
                             "hãy chọn tệp khác cho xã mẫu (--db).")
            print(f"Dùng lại xã mẫu đã có trong {db_path} (thêm --reset để tạo lại).", file=sys.stderr)
        else:
            _seed_demo(db, args)
    finally:
        db.close()
    if args.no_gui:
        print(db_path)
        return 0
    from ui.counter_app import run_counter

    return run_counter(db_path, username="canbo")


# --- who runs a command ---------------------------------------------------------------------------------

NEED_AUTH = ("Lệnh này ghi dữ liệu nên phải biết ai chạy nó. Chạy trong cửa sổ dòng lệnh để nhập mật khẩu; "
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


def _actor(db, args, *, roles: tuple[str, ...] | None = None):
    """The signed-in user a writing command runs as, proven by a password (prompt, MOTCUA_USER +
    MOTCUA_PASSWORD, or --password-file). In a demo file only, the demo clerk needs none."""
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


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise ServiceError(f"Không ghi được tệp {path}: {exc.strerror}. Hãy kiểm tra thư mục và dung lượng ổ đĩa.") from exc


def cmd_report_logbook(args) -> int:
    from app.services import reports

    if args.date_to < args.date_from:
        return _fail("Ngày kết thúc (--to) phải sau hoặc bằng ngày bắt đầu (--from).")
    db = _open(args.db)
    if args.pdf:
        _write(args.pdf, reports.logbook_pdf(db, args.date_from, args.date_to, volume=args.volume))
    lines = reports.logbook_lines(db, args.date_from, args.date_to, volume=args.volume)
    if args.xlsx:
        info = reports.logbook_title_info(db, args.date_from, args.date_to, volume=args.volume, lines=lines)
        _write(args.xlsx, reports.logbook_xlsx(lines, title_info=info))
    if args.csv:
        _write(args.csv, reports.logbook_csv(lines))
    print(f"Sổ theo dõi hồ sơ {args.date_from:%d/%m/%Y}–{args.date_to:%d/%m/%Y}: {len(lines)} dòng", file=sys.stderr)
    return 0


def _write_private(path: str, data: bytes) -> None:
    from app.services.daybook import write_private

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
    db = _open(args.db)
    report = compute_stats(db, args.date_from, args.date_to)
    if args.pdf:
        _write(args.pdf, reports.stats_pdf(report))
    if args.xlsx:
        _write(args.xlsx, reports.stats_xlsx(report))
    if args.csv:
        _write(args.csv, reports.stats_csv(report))
    if args.json:
        print(json.dumps(reports.stats_json(report), ensure_ascii=False, default=str))
    return 0


def cmd_search(args) -> int:
    from app.services.search import quick_search

    rows = quick_search(_open(args.db), args.text, limit=args.limit)
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


def _calendar(args):
    from app.domain.calendar import statutory_calendar

    if not args.db:
        return statutory_calendar()
    from app.services.settings import calendar_of

    return calendar_of(_open(args.db))


def cmd_calendar_due(args) -> int:
    from app.domain.deadline import Duration, DurationKind, compute_due

    if args.working_days is not None:
        duration = Duration(DurationKind.WORKING_DAYS, args.working_days)
    elif args.working_hours is not None:
        duration = Duration(DurationKind.WORKING_HOURS, args.working_hours)
    elif args.days is not None:
        duration = Duration(DurationKind.CALENDAR_DAYS, args.days)
    else:
        duration = Duration(DurationKind.SAME_DAY, 0)
    cal = _calendar(args)
    due = compute_due(args.received, duration, cal)
    print(_fmt(due))
    print(f"{duration.describe()}; lịch {cal.version}")
    return 0


def cmd_calendar_off_days(args) -> int:
    cal = _calendar(args)
    for day in cal.off_days(args.year):
        print(f"{day.day.isoformat()} {day.kind.value} {day.reason}")
    return 0


# --- admin ---------------------------------------------------------------------------------------------


def cmd_admin_setup(args) -> int:
    from app.services.catalogue import SEED_CATALOGUE
    from app.services.setup import StaffAccount, initialise_office

    settings = {"agency_code": args.agency_code, "parent_body": args.parent_body, "center_name": args.center_name,
                "place_name": args.place, "commune_name": args.commune or "", "province_name": args.province or "",
                "lookup_url_template": args.lookup_url or "", "contact_phone": args.phone or ""}
    import os

    password = (_read_secret(args.password_file) if args.password_file else os.environ.get("MOTCUA_PASSWORD")) \
        or _new_password(args, args.admin_user)
    db = _open(args.db, create=True)
    try:
        initialise_office(db, settings=settings, slot=args.slot, device_name=args.device_name,
                          staff=[StaffAccount(args.admin_user, args.admin_name, password, "admin")],
                          catalogue=args.catalogue or SEED_CATALOGUE)
    finally:
        db.close()
    print(f"Đã thiết lập {args.center_name}, máy số {args.slot}, trong {args.db}"
          + ("" if args.catalogue else " (nạp danh mục thủ tục mẫu)"))
    return 0


def cmd_admin_add_user(args) -> int:
    from app.services.users import create_user

    db = _open(args.db)
    try:
        admin = _actor(db, args, roles=("admin",))
        password = _new_password(args, args.username)
        with db.transaction() as s:
            u = create_user(s, db.device, username=args.username, full_name=args.full_name, password=password,
                            role=args.role, title=args.title or "", unit=args.unit or "", at=db.clock(),
                            actor_id=admin.id)
    finally:
        db.close()
    print(f"Đã tạo tài khoản {u.username} ({u.full_name}, {u.role_text})")
    return 0


def cmd_admin_import_catalogue(args) -> int:
    from app.services.catalogue import import_catalogue_file

    db = _open(args.db)
    try:
        admin = _actor(db, args, roles=("admin",))
        n = import_catalogue_file(db, args.file, actor_id=admin.id)
    finally:
        db.close()
    print(f"Đã nạp {n} thủ tục từ {args.file}")
    return 0


def cmd_admin_extra_slot(args) -> int:
    from app.services.slots import add_extra_slot

    db = _open(args.db)
    try:
        admin = _actor(db, args, roles=("admin",))
        slots = add_extra_slot(db, args.slot, actor_id=admin.id)
    finally:
        db.close()
    print(f"Máy này dùng các số hiệu {', '.join(map(str, slots))}: sau 999 mã trong ngày của số hiệu {slots[0]}, "
          f"mã hồ sơ tiếp tục với số hiệu {slots[1]}. Không cấp các số hiệu này cho máy nào khác.")
    return 0


def cmd_admin_rebuild(args) -> int:
    from app.services.maintenance import rebuild_projections

    db = _open(args.db)
    try:
        r = rebuild_projections(db)
    finally:
        db.close()
    same = "giống hệt" if r.identical else "KHÁC (đã thay bằng kết quả dựng lại)"
    print(f"Đã dựng lại dữ liệu từ {r.events} sự kiện; kết quả {same} dữ liệu trước đó.")
    print(f"digest {r.digest_after}")
    return 0 if r.identical else 1


def cmd_admin_check(args) -> int:
    from app.services.maintenance import check_database

    db = _open(args.db)
    try:
        r = check_database(db)
    finally:
        db.close()
    if r.integrity != "ok":
        print("Toàn vẹn tệp SQLite: HỎNG")
        for line in r.problems[:10]:
            print(f"  {line}")
        print("Từ giờ chương trình không ghi thêm vào tệp này. Hãy sao lưu tệp (motcua admin backup) rồi khôi phục "
              "bản sao lưu gần nhất (motcua admin restore); tệp hiện tại được giữ lại và các hồ sơ mới hơn "
              "được lấy lại nếu còn đọc được.")
        return 1
    print(f"Toàn vẹn tệp SQLite: {r.integrity}")
    print(f"Số sự kiện: {r.events}; chuỗi số thứ tự theo máy: {'liên tục' if not r.sequence_gaps else r.sequence_gaps}")
    print(f"Dữ liệu hiện hành khớp với nhật ký sự kiện: {'có' if r.projections_match_log else 'KHÔNG'}")
    return 0 if r.ok else 1


def cmd_admin_backup(args) -> int:
    from app.services.maintenance import backup

    db = _open(args.db)
    try:
        target = backup(db, args.to)
    finally:
        db.close()
    print(target)
    return 0


def cmd_admin_restore(args) -> int:
    from app.services.maintenance import restore

    r = restore(args.backup, args.db, other_device=args.other_device)
    print(f"Đã khôi phục {args.db} từ {args.backup}" + (f"; tệp cũ được giữ tại {r.kept}" if r.kept else "") + ".")
    if r.recovered:
        print(f"Đã lấy lại {r.recovered} sự kiện mới hơn bản sao lưu từ tệp cũ (hồ sơ tiếp nhận sau lần sao lưu).")
    if r.recovery_problem:
        print(f"Không lấy lại được các sự kiện mới hơn từ tệp cũ ({r.recovery_problem}); tệp cũ vẫn được giữ. "
              "Mã hồ sơ và số thứ tự vẫn tiếp tục sau số lớn nhất đã cấp.", file=sys.stderr)
    return 0


def cmd_admin_settings(args) -> int:
    from app.services.settings import read_settings, update_settings

    db = _open(args.db)
    changes = {}
    for item in args.set or []:
        key, sep, value = item.partition("=")
        if not sep:
            return _fail(f"“{item}” phải có dạng tên=giá trị, ví dụ paper_size=A5.")
        changes[key.strip()] = value
    admin = _actor(db, args, roles=("admin",)) if changes else None
    settings = update_settings(db, changes, actor_id=admin.id) if changes else read_settings(db)
    for key, value in sorted(settings.raw.items()):
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_admin_day(args) -> int:
    from app.services.calendar_admin import set_calendar_day

    db = _open(args.db)
    admin = _actor(db, args, roles=("admin",))
    set_calendar_day(db, day=args.date, kind=args.kind, reason=args.reason, actor_id=admin.id)
    kind = "ngày nghỉ" if args.kind == "off" else "ngày làm bù"
    print(f"Đã ghi {args.date:%d/%m/%Y} là {kind}: {args.reason}")
    return 0


# --- parser --------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """No abbreviated options: `--password X` must never be taken for `--password-file X`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


PASSWORD_FLAGS = ("--password", "--admin-password", "--new-password")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="motcua", description="MotCua – phần mềm Bộ phận Một cửa cấp xã")
    sub = p.add_subparsers(dest="command")

    c = sub.add_parser("counter", help="mở màn hình quầy tiếp nhận (mặc định)")
    c.add_argument("--db", help="tệp dữ liệu SQLite (mặc định trong thư mục dữ liệu người dùng)")
    c.add_argument("--user", help="tên đăng nhập điền sẵn")
    c.set_defaults(func=cmd_counter)

    d = sub.add_parser("demo", help="tạo xã mẫu với danh mục, cán bộ và hồ sơ rồi mở màn hình quầy")
    d.add_argument("--db", help="tệp dữ liệu của xã mẫu")
    d.add_argument("--no-gui", action="store_true", help="chỉ tạo dữ liệu, không mở cửa sổ")
    d.add_argument("--dossiers", type=int, default=300, help="số hồ sơ mẫu (mặc định 300)")
    d.add_argument("--reset", action="store_true", help="xóa xã mẫu cũ và tạo lại")
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("receive", help="tiếp nhận một hồ sơ như trên màn hình (nhập bù hồ sơ giấy)")
    r.add_argument("--db", required=True)
    r.add_argument("--procedure", required=True, help="mã thủ tục, ví dụ 1.001193")
    r.add_argument("--name", required=True)
    r.add_argument("--phone", required=True)
    r.add_argument("--id", help="số CCCD (12 số) hoặc CMND (9 số)")
    r.add_argument("--birth", type=_date, help="ngày sinh YYYY-MM-DD")
    r.add_argument("--address")
    r.add_argument("--email")
    r.add_argument("--sets", type=int, default=1, help="số lượng hồ sơ (bộ)")
    r.add_argument("--channel", default="direct", choices=["direct", "post", "online"])
    r.add_argument("--return-method", default="counter", choices=["counter", "post"])
    r.add_argument("--note")
    r.add_argument("--received", type=_local_dt, help="thời điểm tiếp nhận YYYY-MM-DDTHH:MM (mặc định: bây giờ)")
    _auth_args(r)
    r.add_argument("--request-id", help="mã yêu cầu (UUID hoặc chuỗi bất kỳ, mỗi hồ sơ một mã): chạy lại lệnh với "
                                        "cùng mã sẽ trả lại hồ sơ đã lưu, không tạo hồ sơ trùng")
    r.add_argument("--pdf", help="ghi giấy tiếp nhận và hẹn trả (mẫu 01) ra tệp PDF")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_receive)

    rp = sub.add_parser("report", help="sổ theo dõi hồ sơ (chốt sổ ngày, trích sổ) và thống kê (PDF, Excel, CSV)")
    rp_sub = rp.add_subparsers(dest="report_command", required=True)
    for name, func, helptext in (("logbook", cmd_report_logbook, "trích Sổ theo dõi hồ sơ (mẫu 07) theo khoảng ngày"),
                                 ("stats", cmd_report_stats, "thống kê kết quả giải quyết TTHC (Biểu II.06a)")):
        x = rp_sub.add_parser(name, help=helptext)
        x.add_argument("--db", required=True)
        x.add_argument("--from", dest="date_from", type=_date, required=True)
        x.add_argument("--to", dest="date_to", type=_date, required=True)
        x.add_argument("--pdf")
        x.add_argument("--xlsx")
        x.add_argument("--csv")
        if name == "logbook":
            x.add_argument("--volume", help="chỉ một quyển sổ, ví dụ 1/2026")
        else:
            x.add_argument("--json", action="store_true")
        x.set_defaults(func=func)

    dy = rp_sub.add_parser("day", help="chốt sổ theo dõi hồ sơ theo ngày (in tiếp các trang của quyển sổ), "
                                        "in lại, lưu trữ")
    dy.add_argument("--db", required=True)
    what = dy.add_mutually_exclusive_group(required=True)
    what.add_argument("--date", type=_date, help="chốt sổ ngày này (YYYY-MM-DD); ngày đã chốt thì in lại")
    what.add_argument("--all", action="store_true", help="chốt lần lượt mọi ngày chưa chốt")
    what.add_argument("--list", action="store_true", help="liệt kê các ngày chưa chốt sổ")
    what.add_argument("--archive", action="store_true",
                      help="ghi bản lưu PDF của mọi ngày đã qua chưa có trong thư mục lưu trữ")
    dy.add_argument("--pdf", help="ghi các trang sổ ra tệp PDF")
    _auth_args(dy)
    dy.set_defaults(func=cmd_report_day)
    vo = rp_sub.add_parser("volume", help="bìa sổ và khóa sổ cuối năm của quyển sổ theo dõi hồ sơ")
    vo.add_argument("--db", required=True)
    vo.add_argument("--year", type=int, required=True)
    vo.add_argument("--cover", help="in bìa quyển sổ ra tệp PDF")
    vo.add_argument("--close", action="store_true", help="khóa sổ năm (sau khi đã chốt mọi ngày)")
    vo.add_argument("--pdf", help="ghi trang khóa sổ ra tệp PDF (không có --close: in lại)")
    _auth_args(vo)
    vo.set_defaults(func=cmd_report_volume)

    se = sub.add_parser("search", help="tìm hồ sơ theo mã, tên, số điện thoại, số CCCD, địa chỉ (không cần dấu)")
    se.add_argument("text")
    se.add_argument("--db", required=True)
    se.add_argument("--limit", type=int, default=50)
    se.add_argument("--json", action="store_true")
    se.set_defaults(func=cmd_search)

    cal = sub.add_parser("calendar", help="lịch làm việc và tính ngày hẹn trả")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    due = cal_sub.add_parser("due", help="tính thời điểm hẹn trả")
    due.add_argument("--received", type=_local_dt, required=True)
    g = due.add_mutually_exclusive_group(required=True)
    g.add_argument("--working-days", type=float)
    g.add_argument("--working-hours", type=float)
    g.add_argument("--days", type=int)
    g.add_argument("--same-day", action="store_true")
    due.add_argument("--db", help="thêm ngày nghỉ / làm bù riêng của đơn vị")
    due.set_defaults(func=cmd_calendar_due)
    off = cal_sub.add_parser("off-days", help="liệt kê ngày nghỉ trong tuần và ngày làm bù của một năm")
    off.add_argument("year", type=int)
    off.add_argument("--db")
    off.set_defaults(func=cmd_calendar_off_days)

    ds = sub.add_parser("dossier", help="ghi một bước xử lý hồ sơ (nhập bù sau khi mất mạng, kịch bản)")
    ds.add_argument("action", choices=["transfer", "back", "supplement-request", "supplement-received",
                                       "result-ready", "return", "extend", "stop", "cancel"])
    ds.add_argument("code", help="mã hồ sơ")
    ds.add_argument("--db", required=True)
    ds.add_argument("--at", type=_local_dt, help="thời điểm thực hiện YYYY-MM-DDTHH:MM (mặc định: bây giờ)")
    ds.add_argument("--to", help="người nhận (chuyển), người giao lại, người nhận kết quả, người đề nghị dừng")
    ds.add_argument("--unit", help="đơn vị nhận hồ sơ khi chuyển")
    ds.add_argument("--note")
    ds.add_argument("--reason", help="lý do (bổ sung, gia hạn, dừng, hủy); mặc định lấy --note")
    ds.add_argument("--items", help="giấy tờ cần bổ sung, cách nhau bởi dấu ;")
    ds.add_argument("--new-due", type=_local_dt, help="ngày hẹn mới khi gia hạn (mặc định: đề xuất của hệ thống)")
    ds.add_argument("--signer", help="người ký văn bản xin lỗi, gia hạn (mẫu 04) hoặc thông báo dừng (mẫu 05)")
    ds.add_argument("--signer-title", help="chức vụ người ký, ví dụ “Phó Chủ tịch UBND xã”")
    ds.add_argument("--override", action="store_true", help="cho phép gia hạn lần nữa (lãnh đạo/quản trị)")
    ds.add_argument("--id-shown", help="số giấy tờ người nhận kết quả xuất trình")
    ds.add_argument("--method", default="counter", choices=["counter", "post"])
    ds.add_argument("--json", action="store_true", help="in kết quả dạng JSON (cho kịch bản)")
    _auth_args(ds)
    ds.set_defaults(func=cmd_dossier)

    a = sub.add_parser("admin", help="công cụ quản trị: thiết lập, sao lưu, khôi phục, kiểm tra")
    a_sub = a.add_subparsers(dest="admin_command", required=True)
    s = a_sub.add_parser("setup", help="thiết lập đơn vị và số hiệu máy lần đầu")
    s.add_argument("--db", required=True)
    s.add_argument("--agency-code", required=True, help="mã định danh điện tử của cơ quan, ví dụ 000.17.22.H56")
    s.add_argument("--parent-body", required=True, help="tên cơ quan chủ quản, ví dụ “Ủy ban nhân dân xã Tân Hưng”")
    s.add_argument("--center-name", required=True)
    s.add_argument("--place", required=True, help="địa danh ghi trên văn bản")
    s.add_argument("--commune")
    s.add_argument("--province")
    s.add_argument("--lookup-url", help="mẫu địa chỉ tra cứu, có {code}")
    s.add_argument("--phone", help="số điện thoại của quầy, in trên phiếu hướng dẫn (mẫu 02)")
    s.add_argument("--slot", type=int, required=True, help="số hiệu máy 1–9, không trùng trong đơn vị")
    s.add_argument("--device-name", default="Quầy 1")
    s.add_argument("--admin-user", required=True)
    s.add_argument("--admin-name", required=True)
    s.add_argument("--password-file", help="tệp chứa mật khẩu quản trị ở dòng đầu (hoặc biến MOTCUA_PASSWORD); "
                                           "không có thì hỏi hai lần")
    s.add_argument("--catalogue", help="tệp danh mục thủ tục JSON (mặc định: danh mục mẫu)")
    s.set_defaults(func=cmd_admin_setup, catalogue=None)
    u = a_sub.add_parser("add-user", help="tạo tài khoản cán bộ")
    u.add_argument("--db", required=True)
    u.add_argument("--username", required=True)
    u.add_argument("--full-name", required=True)
    u.add_argument("--new-password-file", help="tệp chứa mật khẩu của tài khoản mới ở dòng đầu "
                                               "(hoặc biến MOTCUA_NEW_PASSWORD); không có thì hỏi hai lần")
    _auth_args(u)
    u.add_argument("--role", default="clerk", choices=["clerk", "specialist", "leader", "admin"])
    u.add_argument("--title")
    u.add_argument("--unit")
    u.set_defaults(func=cmd_admin_add_user)
    ic = a_sub.add_parser("import-catalogue", help="nạp danh mục thủ tục từ tệp JSON")
    ic.add_argument("--db", required=True)
    ic.add_argument("file")
    _auth_args(ic)
    xs = a_sub.add_parser("extra-slot", help="cấp thêm một số hiệu máy phụ khi máy đã cấp đủ 999 mã trong ngày")
    xs.add_argument("--db", required=True)
    xs.add_argument("--slot", type=int, required=True, help="số hiệu 1–9 chưa máy nào của đơn vị dùng")
    _auth_args(xs)
    xs.set_defaults(func=cmd_admin_extra_slot)
    ic.set_defaults(func=cmd_admin_import_catalogue)
    rb = a_sub.add_parser("rebuild", help="dựng lại dữ liệu hiện hành từ nhật ký sự kiện")
    rb.add_argument("--db", required=True)
    rb.set_defaults(func=cmd_admin_rebuild)
    ck = a_sub.add_parser("check", help="kiểm tra toàn vẹn tệp dữ liệu và nhật ký sự kiện")
    ck.add_argument("--db", required=True)
    ck.set_defaults(func=cmd_admin_check)
    bk = a_sub.add_parser("backup", help="sao lưu tệp dữ liệu (an toàn khi chương trình đang chạy)")
    bk.add_argument("--db", required=True)
    bk.add_argument("--to", help="tệp đích")
    bk.set_defaults(func=cmd_admin_backup)
    rs = a_sub.add_parser("restore", help="khôi phục từ bản sao lưu (tệp hiện tại được giữ lại)")
    rs.add_argument("--db", required=True)
    rs.add_argument("backup")
    rs.add_argument("--other-device", action="store_true",
                    help="cho phép khôi phục bản sao lưu của máy khác (thay máy hỏng bằng máy này)")
    rs.set_defaults(func=cmd_admin_restore)
    st = a_sub.add_parser("settings", help="xem hoặc đổi thiết lập đơn vị (khổ giấy A4/A5, giờ làm việc, tên…)")
    st.add_argument("--db", required=True)
    st.add_argument("--set", action="append", metavar="TÊN=GIÁ_TRỊ",
                    help="ví dụ --set paper_size=A5 --set place_name=\"Tân Hưng\"")
    _auth_args(st)
    st.set_defaults(func=cmd_admin_settings)
    dy = a_sub.add_parser("day", help="thêm ngày nghỉ hoặc ngày làm bù do Chính phủ/tỉnh quyết định")
    dy.add_argument("--db", required=True)
    dy.add_argument("--date", type=_date, required=True)
    dy.add_argument("--kind", choices=["off", "work"], required=True)
    dy.add_argument("--reason", required=True)
    _auth_args(dy)
    dy.set_defaults(func=cmd_admin_day)
    from ui.cli_sync import add_parsers

    add_parsers(sub, a_sub)  # server …, sync, admin enroll
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; a refused action (ServiceError) prints its Vietnamese message and exits 2.

    Files and folders made from here on are private to the account (umask 077). An unexpected error is
    logged (type and code lines, never its message: it may quote a citizen's data) and summarised."""
    import logging
    import os

    from app.services.paths import private_umask

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
    args = parser.parse_args(argv)
    log_path = setup_logging()
    if args.command is None:
        args = parser.parse_args(["counter", *(argv or sys.argv[1:])])
    try:
        return args.func(args)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 130
    except Exception:
        if os.environ.get("MOTCUA_DEBUG"):
            raise
        logging.getLogger("motcua").exception("command %s failed", args.command)
        print("Lỗi ngoài dự kiến; chưa chắc lệnh đã hoàn tất. Chi tiết kỹ thuật (không có dữ liệu cá nhân) được ghi "
              f"trong {log_path or 'nhật ký'}; hãy báo cán bộ CNTT.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
