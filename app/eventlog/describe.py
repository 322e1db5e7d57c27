"""Each event of the log said in a line a person reads in the audit trail: what was done (and to what), never a
citizen's personal data nor a password hash."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.lifecycle import ACTION_TEXT
from app.eventlog import payloads as p
from app.eventlog.event import Event
from app.eventlog.fold import ACTION_OF
from app.eventlog.registry import Unreadable

ROLE_WORDS = {"clerk": "công chức tiếp nhận", "specialist": "công chức chuyên môn", "leader": "lãnh đạo",
              "admin": "quản trị hệ thống", "kiosk": "máy đánh giá"}
HIDDEN_SETTINGS = ("kiosk_pin",)  # a hash: the trail says it changed, never what to


@dataclass(frozen=True)
class Described:
    action: str  # "Tiếp nhận hồ sơ", "Đổi thiết lập"…
    subject: str  # "dossier", "user", "settings", "calendar", "catalogue", "logbook", "device", "intake", "other"
    detail: str = ""
    ref: str = ""  # what it is about, when the stream does not say it (a day, a volume, a catalogue version)


def _value(v) -> str:
    if isinstance(v, dict | list):
        import json

        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _settings(values: dict) -> str:
    parts = [f"{k} = {'(đã đổi)' if k in HIDDEN_SETTINGS else _value(v)}" for k, v in sorted(values.items())]
    return "; ".join(parts)


def describe(ev: Event) -> Described:
    pl = ev.payload
    if isinstance(pl, Unreadable):
        return Described(f"Sự kiện {pl.type} (phiên bản {pl.version})", "other",
                         "phiên bản MotCua này chưa đọc được")
    if isinstance(pl, p.DossierReceived):
        return Described("Tiếp nhận hồ sơ", "dossier", f"{pl.procedure.code} – {pl.procedure.name}")
    if type(pl) in ACTION_OF:
        detail = ""
        if isinstance(pl, p.DossierTransferred):
            detail = f"cho {pl.to_name or pl.to_unit}"
        elif isinstance(pl, p.DossierCancelled | p.DossierStopped | p.DossierExtended):
            detail = pl.reason
        elif isinstance(pl, p.ApplicantCorrected):
            detail = "sửa: " + ", ".join(sorted(pl.changes))
        return Described(ACTION_TEXT[ACTION_OF[type(pl)]], "dossier", detail)
    if isinstance(pl, p.DossierShared):
        return Described("Chuyển hồ sơ sang đơn vị khác", "dossier", pl.commune_name or pl.agency_code)
    if isinstance(pl, p.FlagResolved):
        return Described("Xử lý cảnh báo", "dossier", pl.outcome)
    if isinstance(pl, p.GuidanceIssued):
        return Described("Phiếu yêu cầu bổ sung, hoàn thiện (mẫu 02)", "intake", pl.procedure.code)
    if isinstance(pl, p.IntakeRefused):
        return Described("Phiếu từ chối tiếp nhận (mẫu 03)", "intake", pl.procedure.code)
    if isinstance(pl, p.DeviceRegistered):
        kind = {"counter": "quầy", "kiosk": "máy đánh giá", "server": "máy chủ"}.get(pl.kind, pl.kind)
        return Described("Đăng ký thiết bị", "device", f"{kind}, số hiệu {pl.slot}", pl.name)
    if isinstance(pl, p.UserCreated):
        return Described("Tạo tài khoản", "user", f"{pl.username}: {pl.full_name}, {ROLE_WORDS.get(pl.role, pl.role)}")
    if isinstance(pl, p.UserUpdated):
        parts = []
        if pl.password_hash is not None:
            parts.append("đặt mật khẩu mới")
        if pl.role is not None:
            parts.append(f"vai trò: {ROLE_WORDS.get(pl.role, pl.role)}")
        if pl.active is not None:
            parts.append("mở lại tài khoản" if pl.active else "khóa tài khoản")
        for key, word in (("full_name", "họ tên"), ("title", "chức vụ"), ("unit", "đơn vị")):
            if getattr(pl, key) is not None:
                parts.append(f"{word}: {getattr(pl, key)}")
        return Described("Sửa tài khoản", "user", "; ".join(parts))
    if isinstance(pl, p.SettingsChanged):
        return Described("Đổi thiết lập đơn vị", "settings", _settings(pl.values))
    if isinstance(pl, p.DeviceConfigured):
        return Described("Đổi thiết lập máy", "device", _settings(pl.values))
    if isinstance(pl, p.CalendarDaySet):
        kind = {"off": "ngày nghỉ", "work": "ngày làm bù", "none": "bỏ quyết định"}[pl.kind]
        return Described(f"Lịch làm việc: {kind}", "calendar", pl.reason, f"{pl.day:%d/%m/%Y}")
    if isinstance(pl, p.CataloguePublished):
        return Described("Nạp danh mục thủ tục", "catalogue", f"{len(pl.procedures)} thủ tục", pl.version)
    if isinstance(pl, p.DayClosed):
        return Described("Chốt sổ theo dõi ngày", "logbook", f"quyển {pl.volume}, trang {pl.first_page}–{pl.last_page}",
                         f"{pl.day:%d/%m/%Y}")
    if isinstance(pl, p.VolumeClosed):
        return Described("Khóa sổ theo dõi", "logbook", f"trang {pl.first_page}–{pl.last_page}", pl.volume)
    if isinstance(pl, p.AuditRecorded):
        return Described(pl.action, pl.subject, pl.detail)
    return Described(ev.type, "other")
