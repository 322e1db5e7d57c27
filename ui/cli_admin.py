"""The `motcua admin …` commands for IT staff: set-up, accounts, settings of the office and of this device, the
calendar, the catalogue, backups and restore, checks, and the audit trail. Headless: none of them loads Qt.

Commands that change data prove who runs them (ui.cli._actor); the file-level tools (backup, restore, check,
rebuild) work on the file itself, so the operating system's account that owns it is their guard.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta

from app.services.errors import ServiceError
from ui.cli import EXIT_REFUSED, _actor, _auth_args, _date, _fail, _new_password, _open, _read_secret
from ui.cli_vi import add_db

# --- set-up ------------------------------------------------------------------------------------------------


def cmd_admin_setup(args) -> int:
    from app.services.catalogue import SEED_CATALOGUE
    from app.services.setup import StaffAccount, check_setup, initialise_office

    settings = {"agency_code": args.agency_code, "parent_body": args.parent_body, "center_name": args.center_name,
                "place_name": args.place, "commune_name": args.commune or "", "province_name": args.province or "",
                "lookup_url_template": args.lookup_url or "", "contact_phone": args.phone or ""}
    problems = check_setup(settings, slot=args.slot)
    if problems:
        return _fail("Chưa thiết lập được: " + " ".join(problems.values()))
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


# --- accounts ----------------------------------------------------------------------------------------------


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


def cmd_admin_users(args) -> int:
    from app.services.users import list_accounts

    db = _open(args.db)
    try:
        admin = _actor(db, args, roles=("admin",))
        accounts = list_accounts(db, admin)
    finally:
        db.close()
    if args.json:
        print(json.dumps([{"username": u.username, "full_name": u.full_name, "role": u.role, "title": u.title,
                           "unit": u.unit, "active": u.active} for u in accounts], ensure_ascii=False))
        return 0
    for u in accounts:
        state = "" if u.active else "  [đã khóa]"
        print(f"{u.username:<16} {u.full_name:<28} {u.role_text}{state}")
    return 0


def cmd_admin_user(args) -> int:
    """Change one account: role, names, lock or reopen, a new password set by the administrator."""
    from app.services.users import list_accounts, reset_password, update_account

    db = _open(args.db)
    try:
        admin = _actor(db, args, roles=("admin",))
        target = next((u for u in list_accounts(db, admin) if u.username == args.username.strip().lower()), None)
        if target is None:
            return _fail(f"Không có tài khoản “{args.username}”. Xem danh sách: motcua admin users.")
        changes = {k: v for k, v in (("role", args.role), ("full_name", args.full_name), ("title", args.title),
                                     ("unit", args.unit)) if v is not None}
        if args.lock or args.unlock:
            changes["active"] = bool(args.unlock)
        if not changes and not args.reset_password:
            return _fail("Chưa nói đổi gì: dùng --role, --full-name, --title, --unit, --lock, --unlock hoặc "
                         "--reset-password (xem motcua admin user --help).")
        if changes:
            target = update_account(db, admin, target.id, **changes)
        if args.reset_password:
            reset_password(db, admin, target.id, _new_password(args, target.username))
    finally:
        db.close()
    said = ", ".join(f"{k} = {v}" for k, v in changes.items())
    print(f"Đã cập nhật tài khoản {target.username}" + (f": {said}" if said else "")
          + ("; đã đặt mật khẩu mới" if args.reset_password else "") + ".")
    return 0


def cmd_admin_password(args) -> int:
    """The person running it changes their own password (old one first, then the new one twice)."""
    import getpass

    from app.services.users import change_password

    db = _open(args.db)
    try:
        me = _actor(db, args)
        if args.new_password_file or os.environ.get("MOTCUA_NEW_PASSWORD"):
            new = _new_password(args, me.username)
        else:
            new = _new_password(args, me.username) if sys.stdin.isatty() else None
            if new is None:
                raise ServiceError("Cần mật khẩu mới: --new-password-file TỆP hoặc biến MOTCUA_NEW_PASSWORD.")
        old = os.environ.get("MOTCUA_PASSWORD") or (_read_secret(args.password_file) if args.password_file else
                                                    getpass.getpass("Mật khẩu đang dùng: "))
        change_password(db, me, old_password=old, new_password=new)
    finally:
        db.close()
    print(f"Đã đổi mật khẩu của {me.username}.")
    return 0


# --- reference data ------------------------------------------------------------------------------------------


def cmd_admin_import_catalogue(args) -> int:
    from app.services.catalogue import import_catalogue_file, parse_day

    effective = parse_day(args.effective) if args.effective else None
    db = _open(args.db)
    try:
        admin = _actor(db, args, roles=("admin",))
        r = import_catalogue_file(db, args.file, actor_id=admin.id, effective_from=effective)
    finally:
        db.close()
    when = (f"áp dụng cho hồ sơ tiếp nhận từ ngày {r.effective_from:%d/%m/%Y}; trước ngày đó vẫn dùng danh mục "
            "đang áp dụng" if r.effective_from else "áp dụng ngay")
    print(f"Đã nạp danh mục phiên bản {r.version}: {r.procedures} thủ tục từ {args.file}, {when}. Hồ sơ đã tiếp "
          "nhận giữ nguyên thời hạn đã hẹn.")
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


def _pairs(items: list[str] | None) -> dict[str, str]:
    changes = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ServiceError(f"“{item}” phải có dạng tên=giá trị, ví dụ paper_size=A5.")
        changes[key.strip()] = value
    return changes


def cmd_admin_settings(args) -> int:
    from app.services.settings import read_settings, update_settings

    db = _open(args.db)
    changes = _pairs(args.set)
    admin = _actor(db, args, roles=("admin", "leader")) if changes else None
    settings = update_settings(db, changes, actor_id=admin.id) if changes else read_settings(db)
    for key, value in sorted(settings.raw.items()):
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_admin_device(args) -> int:
    from app.services.backups import backup_folder
    from app.services.device_settings import read_device_settings, update_device_settings

    db = _open(args.db)
    changes = _pairs(args.set)
    if changes:
        admin = _actor(db, args, roles=("admin",))
        settings = update_device_settings(db, changes, actor_id=admin.id)
    else:
        settings = read_device_settings(db)
    print(f"# {db.device.name} (số hiệu {db.device.slot}); sao lưu vào {backup_folder(db, settings)}")
    for key, value in sorted(settings.raw.items()):
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_admin_day(args) -> int:
    from app.services.calendar_admin import set_calendar_day

    db = _open(args.db)
    admin = _actor(db, args, roles=("admin",))
    effective = None
    if args.effective:
        from app.services.catalogue import parse_day

        effective = parse_day(args.effective)
    set_calendar_day(db, day=args.date, kind=args.kind, reason=args.reason or "", actor_id=admin.id,
                     effective_from=effective)
    when = f" (tính vào thời hạn hẹn từ ngày {effective:%d/%m/%Y})" if effective else ""
    if args.kind == "none":
        print(f"Đã bỏ quyết định trước đây về ngày {args.date:%d/%m/%Y}{when}.")
    else:
        kind = "ngày nghỉ" if args.kind == "off" else "ngày làm bù"
        print(f"Đã ghi {args.date:%d/%m/%Y} là {kind}{when}: {args.reason}")
    return 0


# --- the rating kiosk ------------------------------------------------------------------------------------------


def cmd_admin_kiosk_pair(args) -> int:
    """A one-time code with which a kiosk on another PC pairs with this counter (turns the listener on)."""
    from app.domain.calendar import TZ
    from app.services.kiosk_link import DEFAULT_PORT, create_pairing
    from app.services.settings import read_settings, update_settings

    db = _open(args.db)
    who = _actor(db, args, roles=("leader", "admin"))
    port = args.port or read_settings(db).kiosk_link_port or DEFAULT_PORT
    if read_settings(db).kiosk_link_port != port:
        update_settings(db, {"kiosk_link_port": str(port)}, actor_id=who.id)
    pairing = create_pairing(db, counter_slot=args.counter)
    addresses = ", ".join(f"{ip}:{port}" for ip in _lan_addresses()) or f"<địa chỉ IP máy này>:{port}"
    print(f"Mã ghép máy đánh giá: {pairing.code[:3]} {pairing.code[3:]} (dùng một lần, hết hạn lúc "
          f"{pairing.expires_at.astimezone(TZ):%H:%M})")
    print(f"Máy đánh giá phục vụ quầy số {pairing.counter_slot}. Địa chỉ máy quầy: {addresses}")
    print("Chương trình quầy (motcua) phải đang chạy trên máy này khi ghép. Trên máy đánh giá chạy:")
    print(f"  motcua admin kiosk-join --db <tệp của máy đánh giá> --counter-url {addresses.split(',')[0]} "
          f"--code {pairing.code}")
    return 0


def _lan_addresses() -> list[str]:
    import socket

    found = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the LAN interface
            found.append(sock.getsockname()[0])
    except OSError:
        pass
    return [a for a in found if not a.startswith("127.")]


def cmd_admin_kiosk_join(args) -> int:
    from app.services.kiosk_link import join_counter, link_of

    db = join_counter(args.db, args.counter_url, args.code.replace(" ", ""), name=args.name or "")
    link = link_of(db)
    device = db.device
    db.close()
    print(f"Đã ghép “{device.name}” với quầy số {link.counter_slot} ({link.counter_url}). "
          f"Chạy máy đánh giá: motcua kiosk --db {args.db}")
    return 0


def cmd_admin_kiosk_pin(args) -> int:
    """Set the staff PIN of the kiosks without it appearing on the command line (it is kept hashed only)."""
    import getpass

    from app.services.settings import update_settings

    db = _open(args.db)
    who = _actor(db, args, roles=("leader", "admin"))  # the password from MOTCUA_PASSWORD or --password-file
    if sys.stdin.isatty():
        pin = getpass.getpass("Mã PIN mới (4–8 chữ số): ")
        if getpass.getpass("Nhập lại mã PIN: ") != pin:
            return _fail("Hai lần nhập mã PIN không giống nhau; chưa đổi.")
    else:
        pin = sys.stdin.readline().strip()
    update_settings(db, {"kiosk_pin": pin}, actor_id=who.id)
    print("Đã đặt mã PIN cán bộ cho máy đánh giá (chỉ lưu dạng băm).")
    return 0


# --- file-level tools ------------------------------------------------------------------------------------------


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
    """Into this device's backup folder (kept N, as the daily backup), or into the file --to names."""
    from app.services import audit
    from app.services.backups import run_backup
    from app.services.maintenance import backup

    db = _open(args.db)
    try:
        if args.to:
            target = backup(db, args.to)
            audit.record(db, actor=None, action="backup", subject="database", ref=target.name,
                         detail=f"lệnh motcua admin backup; {target}")
        else:
            done = run_backup(db, automatic=True)
            target = done.path
            for old in done.removed:
                print(f"Đã xóa bản sao lưu cũ {old.name}", file=sys.stderr)
    finally:
        db.close()
    print(target)
    return 0


def cmd_admin_restore(args) -> int:
    from app.services import audit
    from app.services.maintenance import restore

    r = restore(args.backup, args.db, other_device=args.other_device)
    print(f"Đã khôi phục {args.db} từ {args.backup}" + (f"; tệp cũ được giữ tại {r.kept}" if r.kept else "") + ".")
    if r.recovered:
        print(f"Đã lấy lại {r.recovered} sự kiện mới hơn bản sao lưu từ tệp cũ (hồ sơ tiếp nhận sau lần sao lưu).")
    if r.recovery_problem:
        print(f"Không lấy lại được các sự kiện mới hơn từ tệp cũ ({r.recovery_problem}); tệp cũ vẫn được giữ. "
              "Mã hồ sơ và số thứ tự vẫn tiếp tục sau số lớn nhất đã cấp.", file=sys.stderr)
    db = _open(args.db)
    try:
        audit.record(db, actor=None, action="restore", subject="database", ref=os.path.basename(args.backup),
                     detail=f"lệnh motcua admin restore; {args.backup}; lấy lại {r.recovered} sự kiện")
    finally:
        db.close()
    return 0


def cmd_admin_audit(args) -> int:
    from app.domain.calendar import TZ
    from app.services import audit
    from app.services.users import list_accounts

    db = _open(args.db)
    try:
        reader = _actor(db, args, roles=("admin", "leader"))
        today = db.clock().astimezone(TZ).date()
        date_to = args.date_to or today
        date_from = args.date_from or date_to - timedelta(days=6)
        person = None
        if args.person:
            accounts = list_accounts(db, reader) if reader.role == "admin" else []
            match = next((u for u in accounts if u.username == args.person.lower()), None)
            if match is None and reader.role == "admin":
                return _fail(f"Không có tài khoản “{args.person}”.")
            person = match.id if match else None
        lines = audit.trail(db, reader, date_from=date_from, date_to=date_to, kind=args.kind, actor_id=person,
                            text=args.text or "", limit=args.limit)
    finally:
        db.close()
    if args.json:
        print(json.dumps([{"at": x.at.strftime("%Y-%m-%dT%H:%M"), "kind": x.kind, "person": x.actor_name,
                           "device": x.device, "action": x.action, "subject": x.subject, "ref": x.ref,
                           "detail": x.detail} for x in lines], ensure_ascii=False))
        return 0
    for x in lines:
        print(f"{x.at:%d/%m/%Y %H:%M}  {x.actor_name:<22} {x.action} {x.subject} {x.ref} {x.detail}".rstrip())
    print(f"{len(lines)} dòng, {date_from:%d/%m/%Y}–{date_to:%d/%m/%Y}.", file=sys.stderr)
    return 0


# --- parsers -------------------------------------------------------------------------------------------------


def add_parsers(a_sub) -> None:
    """Register `admin …` (except `admin enroll`, in ui.cli_sync)."""
    s = a_sub.add_parser("setup", help="thiết lập đơn vị và số hiệu máy lần đầu (tạo tệp dữ liệu mới)")
    add_db(s, "tệp dữ liệu sẽ tạo")
    s.add_argument("--agency-code", required=True, metavar="MÃ",
                   help="mã định danh điện tử của cơ quan theo QCVN 102:2016, dạng 000.00.00.X00, ví dụ 000.17.22.H56")
    s.add_argument("--parent-body", required=True, metavar="TÊN",
                   help="tên cơ quan chủ quản in trên mẫu, ví dụ “Ủy ban nhân dân xã Tân Hưng”")
    s.add_argument("--center-name", required=True, metavar="TÊN",
                   help="tên trung tâm / bộ phận một cửa, ví dụ “Trung tâm Phục vụ hành chính công xã Tân Hưng”")
    s.add_argument("--place", required=True, metavar="TÊN", help="địa danh ghi trên văn bản, ví dụ “Tân Hưng”")
    s.add_argument("--commune", metavar="TÊN", help="tên xã, phường, ví dụ “xã Tân Hưng” (mặc định: trống)")
    s.add_argument("--province", metavar="TÊN", help="tên tỉnh, ví dụ “tỉnh Đồng Nai” (mặc định: trống)")
    s.add_argument("--lookup-url", metavar="URL", help="mẫu địa chỉ tra cứu in thành mã QR trên giấy hẹn, có {code}, "
                                                       "ví dụ https://dichvucong.tinh.gov.vn/tra-cuu/{code} "
                                                       "(mặc định: không in mã QR)")
    s.add_argument("--phone", metavar="SỐ", help="số điện thoại của quầy, in trên phiếu hướng dẫn (mẫu 02)")
    s.add_argument("--slot", type=int, required=True, metavar="N",
                   help="số hiệu máy 1–9, mỗi máy của đơn vị một số, không bao giờ dùng lại")
    s.add_argument("--device-name", default="Quầy 1", metavar="TÊN", help="tên máy (mặc định “Quầy 1”)")
    s.add_argument("--admin-user", required=True, metavar="TÊN", help="tên đăng nhập của quản trị hệ thống đầu tiên")
    s.add_argument("--admin-name", required=True, metavar="HỌ_TÊN", help="họ tên của quản trị hệ thống đầu tiên")
    s.add_argument("--password-file", metavar="TỆP", help="tệp chứa mật khẩu quản trị ở dòng đầu (hoặc biến "
                                                          "MOTCUA_PASSWORD); không có thì hỏi hai lần")
    s.add_argument("--catalogue", metavar="TỆP", help="tệp danh mục thủ tục JSON (mặc định: danh mục mẫu 35 thủ tục)")
    s.set_defaults(func=cmd_admin_setup, catalogue=None)

    u = a_sub.add_parser("add-user", help="tạo tài khoản cán bộ")
    add_db(u)
    u.add_argument("--username", required=True, metavar="TÊN", help="tên đăng nhập mới: chữ thường không dấu, số, "
                                                                   "dấu chấm, gạch dưới")
    u.add_argument("--full-name", required=True, metavar="HỌ_TÊN", help="họ tên cán bộ")
    u.add_argument("--new-password-file", metavar="TỆP", help="tệp chứa mật khẩu của tài khoản mới ở dòng đầu "
                                                              "(hoặc biến MOTCUA_NEW_PASSWORD); không có thì hỏi hai lần")
    _auth_args(u)
    u.add_argument("--role", default="clerk", choices=["clerk", "specialist", "leader", "admin", "kiosk"],
                   help="vai trò: clerk công chức tiếp nhận, specialist công chức chuyên môn, leader lãnh đạo, "
                        "admin quản trị hệ thống, kiosk máy đánh giá (mặc định clerk)")
    u.add_argument("--title", metavar="CHỨC_VỤ", help="chức vụ in dưới chữ ký (mặc định: trống)")
    u.add_argument("--unit", metavar="ĐƠN_VỊ", help="bộ phận công tác (mặc định: trống)")
    u.set_defaults(func=cmd_admin_add_user)

    us = a_sub.add_parser("users", help="liệt kê tài khoản cán bộ (cả tài khoản đã khóa)")
    add_db(us)
    _auth_args(us)
    us.add_argument("--json", action="store_true", help="in dạng JSON")
    us.set_defaults(func=cmd_admin_users)

    ue = a_sub.add_parser("user", help="sửa một tài khoản: vai trò, họ tên, khóa / mở lại, đặt lại mật khẩu")
    ue.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP", help="tài khoản cần sửa")
    add_db(ue)
    _auth_args(ue)
    ue.add_argument("--role", choices=["clerk", "specialist", "leader", "admin", "kiosk"], help="vai trò mới")
    ue.add_argument("--full-name", metavar="HỌ_TÊN", help="họ tên mới")
    ue.add_argument("--title", metavar="CHỨC_VỤ", help="chức vụ mới")
    ue.add_argument("--unit", metavar="ĐƠN_VỊ", help="bộ phận mới")
    lock = ue.add_mutually_exclusive_group()
    lock.add_argument("--lock", action="store_true", help="khóa tài khoản (không đăng nhập được nữa)")
    lock.add_argument("--unlock", action="store_true", help="mở lại tài khoản đã khóa")
    ue.add_argument("--reset-password", action="store_true",
                    help="đặt mật khẩu mới (từ --new-password-file, MOTCUA_NEW_PASSWORD, hoặc gõ hai lần)")
    ue.add_argument("--new-password-file", metavar="TỆP", help="tệp chứa mật khẩu mới ở dòng đầu")
    ue.set_defaults(func=cmd_admin_user)

    pw = a_sub.add_parser("password", help="đổi mật khẩu của chính mình")
    add_db(pw)
    _auth_args(pw)
    pw.add_argument("--new-password-file", metavar="TỆP", help="tệp chứa mật khẩu mới ở dòng đầu (hoặc biến "
                                                               "MOTCUA_NEW_PASSWORD); không có thì hỏi hai lần")
    pw.set_defaults(func=cmd_admin_password)

    ic = a_sub.add_parser("import-catalogue", help="nạp danh mục thủ tục của tỉnh từ tệp JSON")
    add_db(ic)
    ic.add_argument("file", metavar="TỆP_JSON", help="tệp danh mục theo mẫu resources/catalogue/catalogue.json")
    ic.add_argument("--effective", metavar="DD/MM/YYYY",
                    help="ngày danh mục bắt đầu áp dụng cho hồ sơ tiếp nhận; bỏ trống: áp dụng ngay")
    _auth_args(ic)
    ic.set_defaults(func=cmd_admin_import_catalogue)

    xs = a_sub.add_parser("extra-slot", help="cấp thêm một số hiệu máy phụ khi máy đã cấp đủ 999 mã trong ngày")
    add_db(xs)
    xs.add_argument("--slot", type=int, required=True, metavar="N", help="số hiệu 1–9 chưa máy nào của đơn vị dùng")
    _auth_args(xs)
    xs.set_defaults(func=cmd_admin_extra_slot)

    rb = a_sub.add_parser("rebuild", help="dựng lại dữ liệu hiện hành từ nhật ký sự kiện")
    add_db(rb)
    rb.set_defaults(func=cmd_admin_rebuild)
    ck = a_sub.add_parser("check", help="kiểm tra toàn vẹn tệp dữ liệu và nhật ký sự kiện")
    add_db(ck)
    ck.set_defaults(func=cmd_admin_check)
    bk = a_sub.add_parser("backup", help="sao lưu tệp dữ liệu ngay (an toàn khi chương trình đang chạy)")
    add_db(bk)
    bk.add_argument("--to", metavar="TỆP", help="tệp đích (mặc định: thư mục sao lưu của máy, xem motcua admin "
                                                "device; giữ số bản như thiết lập backup_keep)")
    bk.set_defaults(func=cmd_admin_backup)
    rs = a_sub.add_parser("restore", help="khôi phục từ bản sao lưu (đóng mọi chương trình MotCua trước; tệp hiện "
                                          "tại được giữ lại)")
    add_db(rs)
    rs.add_argument("backup", metavar="TỆP_SAO_LƯU", help="bản sao lưu cần khôi phục")
    rs.add_argument("--other-device", action="store_true",
                    help="cho phép khôi phục bản sao lưu của máy khác (thay máy hỏng bằng máy này)")
    rs.set_defaults(func=cmd_admin_restore)

    st = a_sub.add_parser("settings", help="xem hoặc đổi thiết lập đơn vị (khổ giấy, giờ làm việc, tên…)")
    add_db(st)
    st.add_argument("--set", action="append", metavar="TÊN=GIÁ_TRỊ",
                    help="đổi một thiết lập, lặp lại được, ví dụ --set paper_size=A5 --set place_name=\"Tân Hưng\"; "
                         "không có --set: in mọi thiết lập")
    _auth_args(st)
    st.set_defaults(func=cmd_admin_settings)

    dv = a_sub.add_parser("device", help="xem hoặc đổi thiết lập riêng của máy này: máy in, thư mục, giờ và số bản "
                                         "sao lưu")
    add_db(dv)
    dv.add_argument("--set", action="append", metavar="TÊN=GIÁ_TRỊ",
                    help="ví dụ --set backup_dir=/media/usb/motcua --set backup_keep=30 --set backup_time=11:45 "
                         "--set backup_auto=on --set printer=\"HP LaserJet\"")
    _auth_args(dv)
    dv.set_defaults(func=cmd_admin_device)

    dy = a_sub.add_parser("day", help="thêm ngày nghỉ hoặc ngày làm bù do Chính phủ/tỉnh quyết định")
    add_db(dy)
    dy.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD", help="ngày (2020–2050)")
    dy.add_argument("--kind", choices=["off", "work", "none"], required=True,
                    help="off: ngày nghỉ; work: ngày làm bù; none: bỏ quyết định trước của ngày đó")
    dy.add_argument("--reason", metavar="LÝ_DO", help="lý do, ví dụ “Nghỉ bù theo Thông báo số …” (bắt buộc với off, "
                                                      "work)")
    dy.add_argument("--effective", metavar="DD/MM/YYYY",
                    help="ngày quyết định bắt đầu được tính vào thời hạn hẹn; bỏ trống: ngay")
    _auth_args(dy)
    dy.set_defaults(func=cmd_admin_day)

    kp = a_sub.add_parser("kiosk-pair", help="tạo mã ghép một máy đánh giá đặt ở máy khác với quầy này")
    add_db(kp)
    kp.add_argument("--counter", type=int, metavar="SỐ", help="số hiệu quầy mà máy đánh giá phục vụ (mặc định: quầy "
                                                             "của tệp)")
    kp.add_argument("--port", type=int, metavar="CỔNG", help="cổng mạng máy quầy lắng nghe (mặc định 8770)")
    _auth_args(kp)
    kp.set_defaults(func=cmd_admin_kiosk_pair)
    kj = a_sub.add_parser("kiosk-join", help="tạo tệp dữ liệu của máy đánh giá bằng mã ghép của máy quầy")
    kj.add_argument("--db", required=True, metavar="TỆP", help="tệp dữ liệu mới của máy đánh giá")
    kj.add_argument("--counter-url", required=True, metavar="ĐỊA_CHỈ", help="địa chỉ máy quầy, ví dụ 192.168.1.10:8770")
    kj.add_argument("--code", required=True, metavar="MÃ", help="mã ghép 6 chữ số hiện trên máy quầy")
    kj.add_argument("--name", metavar="TÊN", help="tên máy đánh giá, ví dụ “Máy đánh giá quầy 1”")
    kj.set_defaults(func=cmd_admin_kiosk_join)
    kn = a_sub.add_parser("kiosk-pin", help="đặt mã PIN cán bộ của máy đánh giá (nhập ẩn, chỉ lưu dạng băm)")
    add_db(kn)
    _auth_args(kn)
    kn.set_defaults(func=cmd_admin_kiosk_pin)

    au = a_sub.add_parser("audit", help="nhật ký truy cập và thay đổi: ai xem, in, xuất, sửa gì, lúc nào")
    add_db(au)
    au.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD",
                    help="từ ngày (mặc định: 6 ngày trước --to)")
    au.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD", help="đến ngày (mặc định: hôm nay)")
    au.add_argument("--kind", default="all", choices=["all", "access", "change", "backup"],
                    help="all: tất cả; access: xem, in, xuất; change: thay đổi dữ liệu; backup: sao lưu, khôi phục "
                         "(mặc định all)")
    au.add_argument("--person", metavar="TÊN_ĐĂNG_NHẬP", help="chỉ việc của một người")
    au.add_argument("--text", metavar="CHỮ", help="chỉ dòng có chữ này (không cần dấu), ví dụ một mã hồ sơ")
    au.add_argument("--limit", type=int, default=2000, metavar="N", help="số dòng mới nhất tối đa (mặc định 2000)")
    au.add_argument("--json", action="store_true", help="in dạng JSON")
    _auth_args(au)
    au.set_defaults(func=cmd_admin_audit)


__all__ = ["EXIT_REFUSED", "add_parsers"]
