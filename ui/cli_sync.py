"""The sync commands of `motcua`: the province server (`server …`), enrolling a device (`admin enroll`) and one
sync round (`sync`). Headless: none of them imports Qt."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from app.services.errors import ServiceError

EXIT_REFUSED = 2


def _server_db(url: str):
    from app.sync.server.store import ServerDB

    return ServerDB(url)


def cmd_server_init(args) -> int:
    from app.sync.server import service

    head = service.init_server(_server_db(args.db))
    print(f"Máy chủ {head.server_id} sẵn sàng (kỳ dữ liệu {head.epoch}, {head.last_seq} sự kiện).")
    return 0


def _secret(args, flag: str, env: str) -> str:
    direct = getattr(args, flag.replace("-", "_"))
    if direct:
        print("Lưu ý: mật khẩu gõ trên dòng lệnh còn trong lịch sử lệnh; hãy đổi mật khẩu này khi đăng nhập lần "
              "đầu.", file=sys.stderr)
        return direct
    path = getattr(args, flag.replace("-", "_") + "_file", None)
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    if os.environ.get(env):
        return os.environ[env]
    import getpass

    return getpass.getpass("Mật khẩu quản trị xã: ")


def cmd_server_add_commune(args) -> int:
    from app.sync.server import service

    code = service.add_commune(_server_db(args.db), agency_code=args.agency_code, name=args.name,
                               admin_user=args.admin_user, admin_name=args.admin_name or args.admin_user,
                               admin_password=_secret(args, "admin-password", "MOTCUA_ADMIN_PASSWORD"),
                               public_url=args.public_url or "")
    print(f"Đã tạo {args.name} (mã {code}); quản trị xã đăng nhập bằng “{args.admin_user}” trên mọi máy của xã.")
    return 0


def cmd_server_enrol_code(args) -> int:
    from app.sync.server import service

    code = service.enrol_code(_server_db(args.db), agency_code=args.agency_code, kind=args.kind, slot=args.slot,
                              name=args.name or "")
    kind = "quầy" if args.kind == "counter" else "ki-ốt"
    print(f"Mã đăng ký một lần cho {kind} số {args.slot} của {args.agency_code} (dùng trong 7 ngày):")
    print(code)
    return 0


def cmd_server_revoke(args) -> int:
    from app.sync.server import service

    device = service.revoke(_server_db(args.db), agency_code=args.agency_code, slot=args.slot, kind=args.kind)
    print(f"Đã thu hồi thiết bị {device}; mã xác thực của nó không còn dùng được.")
    return 0


def cmd_server_accept_gap(args) -> int:
    from app.sync.server import service

    lo, hi = service.accept_gap(_server_db(args.db), agency_code=args.agency_code, slot=args.slot, kind=args.kind,
                                through=args.through)
    print(f"Đã ghi nhận các sự kiện số {lo}–{hi} của máy số {args.slot} ({args.agency_code}) là bị mất; máy đó "
          "đồng bộ tiếp từ số sau.")
    return 0


def cmd_server_rotate_epoch(args) -> int:
    from app.sync.server import service

    epoch = service.rotate_epoch(_server_db(args.db))
    print(f"Kỳ dữ liệu mới {epoch}: các thiết bị sẽ đồng bộ lại từ đầu và gửi lại những gì bản sao lưu thiếu.")
    return 0


def cmd_server_check(args) -> int:
    from app.sync.server import service

    r = service.check(_server_db(args.db))
    print(f"Sự kiện: {r.events}; đã gộp đến số {r.projected_seq}/{r.last_seq}")
    for name, (stored, folded) in r.tables.items():
        mark = "khớp" if name not in r.differing else "KHÁC"
        print(f"  {name}: {stored} dòng, gộp lại {folded} dòng – {mark}")
    print("Dữ liệu hiện hành khớp với nhật ký sự kiện." if r.ok else "Dữ liệu hiện hành KHÔNG khớp nhật ký sự kiện.")
    return 0 if r.ok else 1


def cmd_server_quarantine(args) -> int:
    from app.sync.server import service

    rows = service.quarantined(_server_db(args.db))
    for q in rows:
        print(f"{q.received_at:%Y-%m-%d %H:%M} {q.device_id} #{q.device_seq} {q.event_id} {q.reason}: {q.detail}")
    print(f"{len(rows)} sự kiện bị giữ lại.")
    return 0


def cmd_server_run(args) -> int:
    from app.sync.server import service
    from app.sync.server.run import serve

    service.init_server(_server_db(args.db))
    os.environ["MOTCUA_SERVER_DB"] = args.db
    print(f"Máy chủ MotCua chạy tại http://{args.host}:{args.port} ({args.workers} tiến trình).", file=sys.stderr,
          flush=True)
    serve(host=args.host, port=args.port, workers=args.workers, proxy=args.proxy or "")
    return 0


def cmd_admin_enroll(args) -> int:
    from app.services.database import Database
    from app.sync import client

    path = Path(args.db)
    db = Database(path, create=not path.exists(), device_kind=args.kind)  # enrolment may make the file
    got = client.enroll(db, server_url=args.server, code=args.code, kind=args.kind)
    print(f"Đã đăng ký {got.name} (số {got.slot}) của {got.commune_name} với máy chủ {args.server}.")
    try:
        report = client.SyncClient(db).sync_once()
        print(f"Đã nhận {report.pulled} sự kiện từ máy chủ; còn {report.unsent} sự kiện chờ gửi.")
    except client.SyncError as exc:
        print(f"Đăng ký xong nhưng chưa đồng bộ được: {exc.message}", file=sys.stderr)
    return 0


def cmd_sync(args) -> int:
    from app.services.database import Database
    from app.sync import client

    db = Database(args.db)
    try:
        report = client.SyncClient(db).sync_once()
    except client.SyncError as exc:
        left = client.unsent_count(db)
        if args.json:
            print(json.dumps({"ok": False, "error": exc.message, "unsent": left}, ensure_ascii=False))
        print(f"{exc.message} Còn {left} sự kiện chờ gửi, vẫn lưu ở máy này.", file=sys.stderr)
        return EXIT_REFUSED
    if args.json:
        print(json.dumps({"ok": report.clean, "pushed": report.pushed, "pulled": report.pulled,
                          "quarantined": report.quarantined, "unsent": report.unsent,
                          "warnings": report.warnings}, ensure_ascii=False))
    else:
        for w in report.warnings:
            print(w, file=sys.stderr)
        print(f"Đã gửi {report.pushed} và nhận {report.pulled} sự kiện; còn {report.unsent} chờ gửi"
              + (f"; {report.quarantined} bị máy chủ giữ lại" if report.quarantined else "") + ".")
    return 0 if report.clean else 1


def _server_db_help() -> str:
    return ("cơ sở dữ liệu của máy chủ: URL SQLAlchemy (postgresql+psycopg://người_dùng@máy/csdl) hoặc đường dẫn tệp "
            "SQLite (mặc định: biến MOTCUA_SERVER_DB)")


def add_parsers(sub, admin_sub) -> None:
    """Register `server …`, `sync` and `admin enroll` on the main parser's sub-commands."""
    from ui.cli_vi import add_db

    sv = sub.add_parser("server", help="máy chủ đồng bộ của tỉnh (PostgreSQL)")
    sv_sub = sv.add_subparsers(dest="server_command", required=True, title="lệnh", metavar="LỆNH")

    def with_db(name: str, func, help_: str) -> argparse.ArgumentParser:
        x = sv_sub.add_parser(name, help=help_)
        x.add_argument("--db", metavar="URL", default=os.environ.get("MOTCUA_SERVER_DB"), help=_server_db_help())
        x.set_defaults(func=_needs_server_db(func))
        return x

    def commune(x: argparse.ArgumentParser) -> None:
        x.add_argument("--agency-code", required=True, metavar="MÃ",
                       help="mã định danh điện tử của xã, phường, ví dụ 000.17.22.H56")

    def device(x: argparse.ArgumentParser, *, required_kind: bool = False) -> None:
        x.add_argument("--slot", type=int, required=True, metavar="N", help="số hiệu máy 1–9")
        if required_kind:
            x.add_argument("--kind", choices=["counter", "kiosk"], required=True,
                           help="counter: máy quầy; kiosk: máy đánh giá")
        else:
            x.add_argument("--kind", choices=["counter", "kiosk"], default="counter",
                           help="counter: máy quầy; kiosk: máy đánh giá (mặc định counter)")

    with_db("init", cmd_server_init, "tạo hoặc nâng cấp cơ sở dữ liệu của máy chủ")
    ac = with_db("add-commune", cmd_server_add_commune, "thêm một xã, phường và tài khoản quản trị đầu tiên")
    commune(ac)
    ac.add_argument("--name", required=True, metavar="TÊN", help="tên xã, phường, ví dụ “xã Tân Hưng”")
    ac.add_argument("--admin-user", required=True, metavar="TÊN", help="tên đăng nhập của quản trị xã")
    ac.add_argument("--admin-name", metavar="HỌ_TÊN", help="họ tên quản trị xã (mặc định: tên đăng nhập)")
    ac.add_argument("--admin-password", metavar="MẬT_KHẨU",
                    help="mật khẩu ban đầu (nên dùng --admin-password-file hoặc MOTCUA_ADMIN_PASSWORD; không có thì "
                         "hỏi); quản trị xã đổi nó khi đăng nhập lần đầu")
    ac.add_argument("--admin-password-file", metavar="TỆP", help="tệp chứa mật khẩu ban đầu ở dòng đầu")
    ac.add_argument("--public-url", metavar="URL", help="địa chỉ công khai của máy chủ cho mã QR tra cứu trên giấy "
                                                        "hẹn, ví dụ https://motcua.tinh.gov.vn (mặc định: không in QR)")
    ec = with_db("enrol-code", cmd_server_enrol_code, "cấp mã đăng ký một lần cho một quầy hoặc ki-ốt (dùng trong 7 "
                                                      "ngày)")
    commune(ec)
    device(ec, required_kind=True)
    ec.add_argument("--name", metavar="TÊN", help="tên máy, ví dụ “Quầy 2” (mặc định: theo loại và số hiệu)")
    rv = with_db("revoke", cmd_server_revoke, "thu hồi một thiết bị (mã xác thực hết hiệu lực)")
    commune(rv)
    device(rv)
    ag = with_db("accept-gap", cmd_server_accept_gap, "xác nhận một khoảng sự kiện của một máy đã mất hẳn "
                                                     "(máy khôi phục từ bản sao lưu cũ)")
    commune(ag)
    device(ag)
    ag.add_argument("--through", type=int, required=True, metavar="N", help="số thứ tự sự kiện cuối cùng đã mất")
    with_db("check", cmd_server_check, "kiểm tra dữ liệu hiện hành khớp với nhật ký sự kiện")
    with_db("rotate-epoch", cmd_server_rotate_epoch, "sau khi khôi phục máy chủ từ bản sao lưu: các thiết bị "
                                                     "đồng bộ lại từ đầu")
    with_db("quarantine", cmd_server_quarantine, "liệt kê sự kiện bị giữ lại")
    rn = with_db("run", cmd_server_run, "chạy máy chủ (uvicorn)")
    rn.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ",
                    help="địa chỉ lắng nghe (mặc định 127.0.0.1, đặt sau proxy TLS)")
    rn.add_argument("--port", type=int, default=8700, metavar="CỔNG", help="cổng (mặc định 8700)")
    rn.add_argument("--workers", type=int, default=1, metavar="N", help="số tiến trình (mặc định 1)")
    rn.add_argument("--proxy", metavar="ĐỊA_CHỈ", help="địa chỉ proxy TLS được tin cậy để lấy địa chỉ máy khách "
                                                      "(ví dụ 127.0.0.1; mặc định: không tin proxy nào)")

    sy = sub.add_parser("sync", help="một lượt đồng bộ với máy chủ tỉnh ngay bây giờ")
    add_db(sy)
    sy.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    sy.set_defaults(func=cmd_sync)

    en = admin_sub.add_parser("enroll", help="đăng ký máy này với máy chủ tỉnh bằng mã một lần")
    add_db(en, "tệp dữ liệu của máy (tạo mới nếu chưa có)")
    en.add_argument("--server", required=True, metavar="URL", help="địa chỉ máy chủ, ví dụ https://motcua.dongnai.gov.vn")
    en.add_argument("--code", required=True, metavar="MÃ", help="mã đăng ký một lần do quản trị máy chủ cấp")
    en.add_argument("--kind", choices=["counter", "kiosk"], default="counter",
                    help="counter: máy quầy; kiosk: máy đánh giá (mặc định counter)")
    en.set_defaults(func=cmd_admin_enroll)


def _needs_server_db(func):
    def run(args) -> int:
        if not args.db:
            print("Chưa nói cơ sở dữ liệu của máy chủ: thêm --db URL (postgresql+psycopg://…) hoặc đặt biến "
                  "MOTCUA_SERVER_DB.", file=sys.stderr)
            return EXIT_REFUSED
        return func(args)

    return run


__all__ = ["ServiceError", "add_parsers"]
