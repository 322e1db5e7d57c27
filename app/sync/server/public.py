"""The public status page a citizen opens from the receipt's QR (/tra-cuu/<code>): the procedure, the status in
plain words, the dates and where to collect the result. Never a name, ID number, phone or address: the page
is built from a `PublicStatus`, which has no field that could hold them."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain.calendar import TZ
from app.domain.codes import parse_code
from app.domain.dossier import Status
from app.domain.lifecycle import verdict
from app.eventlog.fold import fold_stream
from app.eventlog.registry import SETTINGS, reference_stream
from app.eventlog.store import stream_events
from app.sync.server.store import ServerDB
from db.models import Dossier

STATUS_WORDS = {
    Status.RECEIVED: "Đã tiếp nhận, đang chuyển đến bộ phận giải quyết",
    Status.IN_PROGRESS: "Đang giải quyết",
    Status.SUPPLEMENT: "Cần bổ sung giấy tờ: mời Ông/Bà xem phiếu yêu cầu bổ sung đã nhận",
    Status.RESULT_READY: "Đã có kết quả, mời Ông/Bà đến nhận",
    Status.RETURNED: "Đã trả kết quả",
    Status.STOPPED: "Đã dừng giải quyết",
    Status.CANCELLED: "Hồ sơ đã bị hủy do nhập nhầm; mời Ông/Bà liên hệ nơi đã nộp",
}
VERDICT_WORDS = {"early": "Giải quyết trước hạn", "on_time": "Giải quyết đúng hạn", "late": "Giải quyết trễ hạn"}


@dataclass(frozen=True)
class PublicStatus:
    """Everything the page may show: nothing about the person."""

    code: str
    procedure: str
    status: str
    received_at: datetime
    due_at: datetime | None
    result_at: datetime | None
    verdict: str
    collect_at: str  # empty once there is nothing left to collect (returned, cancelled)
    centre: str


def status_of(db: ServerDB, code: str) -> PublicStatus | None:
    code = code.strip().upper()
    if parse_code(code) is None:
        return None
    with db.transaction() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == code).order_by(Dossier.received_at).limit(1))
        if d is None:
            return None
        settings = {}
        events = stream_events(s, reference_stream(SETTINGS, code.rsplit("-", 2)[0]))
        for row in fold_stream(SETTINGS, "", events).get("settings", []):
            settings[row["key"]] = row["value"]
        centre = settings.get("center_name", "")
        v = verdict(d.result_at, d.original_due_at) if d.status not in ("stopped", "cancelled") else None
        by_post = d.return_method == "post"
        return PublicStatus(
            code=d.code, procedure=d.procedure_name, status=STATUS_WORDS.get(Status(d.status), d.status),
            received_at=d.received_at.astimezone(TZ), due_at=d.due_at.astimezone(TZ) if d.due_at else None,
            result_at=d.result_at.astimezone(TZ) if d.result_at else None,
            verdict=VERDICT_WORDS.get(v.value, "") if v else "",
            collect_at="" if d.status in ("returned", "cancelled") else  # nothing left to collect
            "Gửi qua dịch vụ bưu chính công ích" if by_post else (centre or "Nơi đã nộp hồ sơ"),
            centre=centre)


def _when(dt: datetime | None) -> str:
    return f"{dt:%H:%M, ngày %d/%m/%Y}" if dt else "Không có ngày hẹn cụ thể theo quy định"


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0;background:#f4f6f8;
color:#1a1a1a;font-size:17px;line-height:1.45}
main{max-width:560px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:8px 0 4px} .centre{color:#455a64;margin:0 0 14px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.status{font-size:19px;font-weight:600;color:#0d47a1;margin:6px 0 12px}
dl{margin:0} dt{color:#555;font-size:15px;margin-top:10px} dd{margin:2px 0 0;font-weight:500;word-break:break-word}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:16px}
footer{color:#666;font-size:14px;margin:14px 2px}
"""


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta name=\"robots\" content=\"noindex\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>")


def page(st: PublicStatus) -> str:
    e = html.escape
    rows = [("Mã hồ sơ", f"<span class=\"code\">{e(st.code)}</span>"), ("Thủ tục", e(st.procedure)),
            ("Ngày tiếp nhận", e(_when(st.received_at))), ("Hẹn trả kết quả", e(_when(st.due_at)))]
    if st.result_at:
        rows.append(("Có kết quả lúc", e(_when(st.result_at)) + (f" – {e(st.verdict)}" if st.verdict else "")))
    if st.collect_at:
        rows.append(("Nơi nhận kết quả", e(st.collect_at)))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    body = (f"<h1>Tra cứu tình trạng hồ sơ</h1><p class=\"centre\">{e(st.centre)}</p>"
            f"<div class=\"card\"><div class=\"status\">{e(st.status)}</div><dl>{items}</dl></div>"
            "<footer>Khi đến nhận kết quả, Ông/Bà vui lòng mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả. "
            "Trang này không hiển thị thông tin cá nhân.</footer>")
    return _page(f"Hồ sơ {st.code}", body)


def unknown(code: str) -> str:
    body = ("<h1>Không tìm thấy hồ sơ</h1><div class=\"card\"><p>Không có hồ sơ nào mang mã "
            f"<span class=\"code\">{html.escape(code[:40])}</span>.</p><p>Hãy kiểm tra lại mã trên Giấy tiếp nhận "
            "hồ sơ và hẹn trả kết quả. Hồ sơ vừa nộp có thể cần vài phút để hiện lên.</p></div>")
    return _page("Không tìm thấy hồ sơ", body)


def too_many() -> str:
    return _page("Tra cứu quá nhiều lần", "<h1>Tra cứu quá nhiều lần</h1><div class=\"card\"><p>Ông/Bà đã tra cứu "
                 "quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau một phút.</p></div>")


__all__ = ["PublicStatus", "page", "status_of", "too_many", "unknown"]
